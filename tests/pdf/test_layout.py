"""Layout rules a team lead relies on: no heading left alone at the foot of a page."""

from __future__ import annotations

import re

import pytest
from pdf_helpers import page_texts
from pdf_synthetic import LONG_STORY, Casework, _record, add_chronology

from cse_desktop.services import documents

SUMMARY_HEADINGS = {"Child", "Current risk level", "Risk score over time",
                    "Missing episodes and return home interviews", "Open actions",
                    "Chronology (newest first)", "Printed", "About the child",
                    "Home and school", "Support around the child"}


def last_content_line(page: str) -> str:
    """The last line drawn by the layout (the page number is drawn after it)."""
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    assert re.fullmatch(r"Page \d+ of \d+", lines[-1])
    return lines[-2]


def assert_no_orphaned_headings(pdf: bytes, headings: set[str]) -> None:
    pages = page_texts(pdf)
    for number, page in enumerate(pages[:-1], start=1):
        assert last_content_line(page) not in headings, f"heading alone at foot of page {number}"


@pytest.mark.parametrize("which", ["interview", "checklist"])
def test_form_sections_start_with_their_answers(work: Casework, local_identity,
                                                which: str) -> None:
    record = getattr(work, which)
    definition = work.library.get(record.form_id, record.form_version)
    headings = {s.title for s in definition.sections} | {"Sign-off", "Actions"}
    pdf = documents.render_record_pdf(work.store, work.library, record.id, work.worker,
                                      local_identity, None)
    assert_no_orphaned_headings(pdf, headings)


def test_long_notes_and_summaries_keep_headings_with_content(work: Casework, library,
                                                             local_identity) -> None:
    for repeat in (1, 2, 3, 4, 5):
        data = dict(work.note.data, summary=LONG_STORY * repeat,
                    actions=[{"what": f"Task {n}", "owner": "Zoë Nowak",
                              "due_date": "2026-12-01", "done": "no"} for n in range(9)])
        note = work.store.add(_record(library, "case_note", data, work.worker, work.child.id,
                                      work.note.created_at), work.worker)
        pdf = documents.render_record_pdf(work.store, library, note.id, work.worker,
                                          local_identity, None)
        definition = library.get("case_note")
        headings = {s.title for s in definition.sections} | {"Sign-off", "What happened"}
        assert_no_orphaned_headings(pdf, headings)
    add_chronology(work, 60)
    pdf = documents.render_case_summary_pdf(work.store, library, work.child.id, work.lead,
                                            local_identity, None)
    assert_no_orphaned_headings(pdf, SUMMARY_HEADINGS)
