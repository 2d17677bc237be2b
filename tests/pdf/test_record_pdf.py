"""Records rendered from their form definitions: every visible answer can be read back."""

from __future__ import annotations

import io
import json
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pdfplumber
import pytest
from pdf_helpers import flat, page_texts
from pdf_synthetic import LONG_STORY, Casework, _record

from cse_desktop.forms import FORMS_DIR, Field, FormLibrary, is_empty, visible_fields
from cse_desktop.forms.values import parse_date, parse_datetime
from cse_desktop.pdf.fingerprint import content_sha256, qr_payload
from cse_desktop.records import Actor, Role
from cse_desktop.services import documents
from cse_desktop.services.errors import PermissionDenied

LONDON = ZoneInfo("Europe/London")


def _uk(moment_text: str) -> str:
    moment = parse_datetime(moment_text)
    assert moment is not None
    return moment.astimezone(LONDON).strftime("%d %b %Y, %H:%M").lstrip("0")


def expected_strings(field: Field, value: Any, refs: dict[str, str]) -> list[str]:
    """What must appear on the page for this answer (worked out independently of the PDF
    code, from the definition)."""
    if is_empty(value):
        return []
    if field.type in ("text", "long_text", "number"):
        return [flat(str(value))]
    if field.type in ("choice", "yes_no"):
        return [field.option_label(value)]
    if field.type == "multi_choice":
        return [field.option_label(v) for v in value]
    if field.type == "datetime":
        return [_uk(value)]
    if field.type == "date":
        parsed = parse_date(value)
        assert parsed is not None
        return [parsed.strftime("%d %b %Y").lstrip("0")]
    if field.type == "indicator":
        out = [field.option_label(value["answer"])]
        return out + ([flat(value["note"])] if value.get("note") else [])
    if field.type == "ref":
        return [refs[value]] if value in refs else []
    if field.type == "list":
        found: list[str] = []
        for item in value:
            for sub in field.item_fields:
                found += expected_strings(sub, item.get(sub.id), refs)
        return found
    raise AssertionError(f"unexpected field type {field.type}")


def render(work: Casework, record_id: str, identity, actor: Actor | None = None) -> bytes:
    return documents.render_record_pdf(work.store, work.library, record_id,
                                       actor or work.worker, identity, None)


@pytest.mark.parametrize("which", ["child", "episode", "interview", "checklist", "note",
                                   "addendum"])
def test_every_visible_answer_is_printed(work: Casework, local_identity, which: str) -> None:
    record = getattr(work, which)
    pdf = render(work, record.id, local_identity)
    text = flat(" ".join(page_texts(pdf)))
    definition = work.library.get(record.form_id, record.form_version)
    refs = {work.child.id: "Zoë Nowak (Zo)"}
    missing = []
    for field in visible_fields(definition, record.data):
        assert flat(field.label) in text, f"question '{field.label}' is not printed"
        for expected in expected_strings(field, record.data.get(field.id), refs):
            if expected not in text:
                missing.append((field.id, expected))
    assert not missing, f"answers not found in the PDF: {missing}"
    assert definition.title in text
    assert record.id in text
    assert f"{definition.form_id}, version {definition.version}" in text


def test_child_identifiers_title_and_marking_on_every_page(work: Casework,
                                                           local_identity) -> None:
    pdf = render(work, work.interview.id, local_identity)
    pages = page_texts(pdf)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert page.count("OFFICIAL-SENSITIVE") >= 2, "marking in header and footer"
        assert f"Page {number} of {len(pages)}" in page
        assert "Northfield Safeguarding Partnership" in page
        assert "Return home interview" in page
        assert "Zoë Nowak" in page
        assert "NF-204817" in page
        assert work.interview.id in page
        assert "return_interview v1" in page
    first = flat(pages[0])
    assert "Date of birth 3 Mar 2011" in first
    assert "Council case number NF-204817" in first


def test_unicode_names_render(work: Casework, local_identity) -> None:
    text = " ".join(page_texts(render(work, work.note.id, local_identity, actor=work.lead)))
    for name in ("Zoë Nowak", "Siobhán Ó Briain", "Łukasz Wiśniewski"):
        assert name in text
    with pdfplumber.open(io.BytesIO(render(work, work.note.id, local_identity))) as pdf:
        assert "Zoë Nowak" in (pdf.pages[0].extract_text() or "")
        fonts = {c["fontname"] for c in pdf.pages[0].chars}
    assert all("DejaVuSans" in f for f in fonts), fonts


def test_choice_values_are_shown_by_their_labels(work: Casework, local_identity) -> None:
    text = flat(" ".join(page_texts(render(work, work.interview.id, local_identity))))
    assert "Foster carer" in text and "foster_carer" not in text
    assert "Car driven by someone the child does not know" in text
    assert "car_unknown" not in text


def test_hidden_fields_are_left_out_and_unanswered_shown(work: Casework, library,
                                                         local_identity) -> None:
    data = dict(work.interview.data)
    data.update(outcome="declined_by_child", harm_experienced="no",
                harm_details="STALE HIDDEN ANSWER", childs_words="")
    draft = work.store.add(_record(library, "return_interview", data, work.worker,
                                   work.child.id, work.interview.created_at), work.worker)
    text = flat(" ".join(page_texts(render(work, draft.id, local_identity))))
    assert "What harm happened" not in text
    assert "STALE HIDDEN ANSWER" not in text
    assert "Date and time the interview was completed" not in text  # shown only if completed
    assert "What the child said (in their own words) Not answered" in text
    assert "Why the interview was offered after 72 hours Not answered" in text
    assert "DRAFT — not signed" in text
    assert "Not signed. This is a draft and may still change." in text


def test_checklist_risk_level_and_reasons(work: Casework, local_identity) -> None:
    text = flat(" ".join(page_texts(render(work, work.checklist.id, local_identity))))
    assert "Risk level: High risk (score 12)" in text
    assert "Found with adults who are a known concern" in text
    assert "Contributing: Missing repeatedly (3)" in text
    assert "Not known, to follow up: Misuses drugs or alcohol" in text


def test_qr_fingerprint_and_drawn_signature(work: Casework, local_identity) -> None:
    pdf = render(work, work.interview.id, local_identity)
    text = flat(page_texts(pdf)[0]).replace(" ", "")
    assert content_sha256(work.interview) in text
    assert qr_payload(work.interview) == (
        f"cse-record:{work.interview.id}?sha256={content_sha256(work.interview)}")
    full = flat(" ".join(page_texts(pdf)))
    signed = work.interview.signature
    assert signed is not None
    assert f"Signed by {signed.signed_by} Signature Role {signed.signer_role}" in full
    assert "19 Nov 2026, 21:05 (UK time)" in full  # 21:05 UTC in November is 21:05 GMT
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        images = [image for page in doc.pages for image in page.images]
    # the logo on every page, plus the drawn signatures of the record and its addendum
    assert len(images) >= len(page_texts(pdf)) + 2


def test_summer_time_is_shown_as_uk_local_time(work: Casework, library,
                                               local_identity) -> None:
    data = dict(work.note.data, occurred_at="2026-07-01T13:05:00+00:00")
    note = work.store.add(_record(library, "case_note", data, work.worker, work.child.id,
                                  work.note.created_at), work.worker)
    text = flat(" ".join(page_texts(render(work, note.id, local_identity))))
    assert "1 Jul 2026, 14:05" in text  # BST


def test_addenda_are_printed_after_the_record(work: Casework, local_identity) -> None:
    text = flat(" ".join(page_texts(render(work, work.interview.id, local_identity))))
    sign_off = text.index("Sign-off")
    addendum = text.index("Addendum 1 of 1")
    assert sign_off < addendum
    assert text.index("The police reference is NP-26-118240, not NP-26-118204.") > addendum
    assert work.addendum.id in text


def test_local_identity_is_labelled(work: Casework, local_identity, ca_identity) -> None:
    text = flat(" ".join(page_texts(render(work, work.note.id, local_identity))))
    assert "Local identity — not verified by the partnership" in text
    identity, _ = ca_identity
    text = flat(" ".join(page_texts(render(work, work.note.id, identity))))
    assert "Local identity" not in text


def test_long_answers_wrap_and_tables_repeat_headers(work: Casework, library,
                                                     local_identity) -> None:
    actions = [{"what": f"Action number {n}: phone the school about attendance this week",
                "owner": "Siobhán Ó Briain", "due_date": "2026-12-01", "done": "no"}
               for n in range(70)]
    data = dict(work.note.data, summary=LONG_STORY * 3, actions=actions)
    note = work.store.add(_record(library, "case_note", data, work.worker, work.child.id,
                                  work.note.created_at), work.worker)
    pages = page_texts(render(work, note.id, local_identity))
    assert len(pages) >= 4
    text = flat(" ".join(pages))
    assert flat(LONG_STORY * 3)[:500] in text
    with_actions = [p for p in pages if "Action number" in p]
    assert len(with_actions) >= 2
    for page in with_actions:
        assert "What needs to happen" in page, "the list's header row repeats on each page"
    for n in range(70):
        assert f"Action number {n}:" in text


def test_old_versions_render_with_their_own_definition(tmp_path: Path, work: Casework,
                                                       local_identity) -> None:
    forms = tmp_path / "forms"
    shutil.copytree(FORMS_DIR, forms)
    v2 = json.loads((forms / "case_note.v1.json").read_text())
    v2["version"] = 2
    v2["sections"][0]["fields"].append({"id": "mood", "type": "text",
                                        "label": "How the child seemed"})
    (forms / "case_note.v2.json").write_text(json.dumps(v2))
    library = FormLibrary(forms)
    old = documents.render_record_pdf(work.store, library, work.note.id, work.worker,
                                      local_identity, None)
    assert "How the child seemed" not in flat(" ".join(page_texts(old)))
    newer = _record(library, "case_note", dict(work.note.data, mood="Tired but chatty"),
                    work.worker, work.child.id, work.note.created_at)
    work.store.add(newer, work.worker)
    text = flat(" ".join(page_texts(documents.render_record_pdf(
        work.store, library, newer.id, work.worker, local_identity, None))))
    assert "How the child seemed Tired but chatty" in text
    assert "case_note, version 2" in text


def test_sensitive_notes_only_for_author_and_team_leads(work: Casework, library,
                                                        local_identity) -> None:
    data = dict(work.note.data, sensitive="yes")
    note = work.store.add(_record(library, "case_note", data, work.worker, work.child.id,
                                  work.note.created_at), work.worker)
    other = Actor("u-other", "Zoltan Kovács", Role.OUTREACH_WORKER, work.worker.device_id)
    with pytest.raises(PermissionDenied):
        render(work, note.id, local_identity, actor=other)
    assert render(work, note.id, local_identity, actor=work.lead)
    assert render(work, note.id, local_identity, actor=work.worker)


def test_printing_is_audited(work: Casework, local_identity) -> None:
    render(work, work.note.id, local_identity)
    documents.audit_saved(work.store, work.worker, "/media/usb/note.pdf",
                          record_id=work.note.id, child_id=work.child.id)
    documents.audit_printed(work.store, work.worker, "Office printer",
                            record_id=work.note.id, child_id=work.child.id)
    entries = work.store.audit_entries(record_id=work.note.id)
    actions = [e.action for e in entries]
    assert actions.count("print") == 2
    assert "export" in actions
    assert "view" in actions


def test_no_temporary_files(work: Casework, local_identity, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    spare = tmp_path / "tmp"
    spare.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spare))
    monkeypatch.setenv("TMPDIR", str(spare))
    monkeypatch.chdir(spare)
    before = set((tmp_path / "records").iterdir())
    render(work, work.interview.id, local_identity)
    documents.render_case_summary_pdf(work.store, work.library, work.child.id, work.lead,
                                      local_identity, None)
    assert list(spare.iterdir()) == []
    assert set((tmp_path / "records").iterdir()) == before


def _qr_cells_on_page(page) -> set[tuple[int, int]]:
    """The dark modules of the QR code drawn on a page, as (row, column) cells."""
    small = [r for r in page.rects if r.get("fill") and r["height"] < 4]
    size = Counter(round(r["height"], 3) for r in small).most_common(1)[0][0]
    modules = [r for r in small if abs(r["height"] - size) < 0.01]
    left = min(r["x0"] for r in modules)
    top = min(r["top"] for r in modules)
    cells = set()
    for r in modules:
        row = round((r["top"] - top) / size)
        first = round((r["x0"] - left) / size)
        for column in range(first, first + round(r["width"] / size)):
            cells.add((row, column))
    return cells


def test_qr_code_carries_record_id_and_hash(work: Casework, local_identity) -> None:
    from reportlab.graphics.barcode.qr import QrCodeWidget

    pdf = render(work, work.checklist.id, local_identity)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        drawn = _qr_cells_on_page(doc.pages[0])
    widget = QrCodeWidget(qr_payload(work.checklist), barLevel="M")
    widget.qr.make()
    expected = {(r, c) for r, row in enumerate(widget.qr.modules)
                for c, dark in enumerate(row) if dark}
    assert drawn == expected
    assert qr_payload(work.checklist).startswith(f"cse-record:{work.checklist.id}?sha256=")


def test_children_and_episodes_are_details_not_drafts(work: Casework, local_identity) -> None:
    for record in (work.child, work.episode):
        text = flat(" ".join(page_texts(render(work, record.id, local_identity))))
        assert "DRAFT" not in text and "Not signed" not in text and "(draft)" not in text
        assert "Current details (last updated" in text


def test_addendum_on_its_own_names_the_record_it_corrects(work: Casework,
                                                          local_identity) -> None:
    text = flat(" ".join(page_texts(render(work, work.addendum.id, local_identity))))
    assert f"Corrects or adds to Return home interview {work.interview.id[:8]} " \
           f"({work.interview.id})" in text


def test_missing_form_version_is_explained(work: Casework, library, local_identity) -> None:
    from cse_desktop.services.errors import ServiceError

    record = _record(library, "case_note", dict(work.note.data), work.worker, work.child.id,
                     work.note.created_at).with_changes(form_version=9)
    work.store.add(record, work.worker)
    with pytest.raises(ServiceError, match="has no version 9"):
        render(work, record.id, local_identity)
