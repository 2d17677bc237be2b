"""The team lead's case summary: every part present, in order, and readable back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pdf_helpers import flat, page_texts
from pdf_synthetic import Casework, _record, add_chronology

from cse_desktop.pdf import chart
from cse_desktop.pdf.model import RiskPoint
from cse_desktop.services import documents
from cse_desktop.services.errors import PermissionDenied


def summary(work: Casework, identity, progress=None) -> bytes:
    return documents.render_case_summary_pdf(work.store, work.library, work.child.id,
                                             work.lead, identity, None, progress=progress)


def test_summary_has_every_part_in_order(work: Casework, local_identity) -> None:
    pages = page_texts(summary(work, local_identity))
    text = flat(" ".join(pages))
    order = ["Case summary Printed by", "Child Name Zoë Nowak", "Current risk level",
             "Risk score over time", "Missing episodes and return home interviews",
             "Open actions", "Chronology (newest first)", "Printed Digital signature."]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    for number, page in enumerate(pages, start=1):
        assert page.count("OFFICIAL-SENSITIVE") >= 2
        assert f"Page {number} of {len(pages)}" in page
        assert "Zoë Nowak" in page
    # child details
    assert "Date of birth 3 Mar 2011 (age 15)" in text
    assert "Council case number NF-204817" in text
    assert "Where the child lives Foster care" in text
    # current risk and reasons
    assert "Current risk: High risk (score 12)" in text
    assert "Found with adults who are a known concern" in text
    assert "Assessed 19 Nov 2026, 14:05" in text
    # who printed it and when
    assert "Printed by Łukasz Wiśniewski (Team lead) on" in text
    assert "Local identity — not verified by the partnership" in text


def test_chart_of_risk_score_over_time(work: Casework, local_identity) -> None:
    text = flat(" ".join(page_texts(summary(work, local_identity))))
    assert "2 in all" in text
    # axis labels of the two checklists and the band names drawn by the chart
    assert "14 Oct 2026" in text and "19 Nov 2026" in text
    for band in ("High", "Medium", "Low", "No apparent"):
        assert band in text


def test_chart_copes_with_none_or_one_point() -> None:
    bands = ((0, "no_apparent"), (1, "low"), (7, "medium"), (15, "high"))
    assert chart.risk_chart([], bands, 400)
    one = [RiskPoint(datetime(2026, 1, 1, tzinfo=UTC), 20, "high", "High risk")]
    assert chart.risk_chart(one, bands, 400)


def test_missing_episodes_with_rhi_timeliness(work: Casework, library,
                                              local_identity) -> None:
    went = datetime(2026, 10, 1, 20, 0, tzinfo=UTC)
    late = work.store.add(_record(library, "missing_episode", {
        "child_id": work.child.id, "missing_or_absent": "missing",
        "went_missing_at": went.isoformat(),
        "returned_at": (went + timedelta(hours=10)).isoformat(), "reported_by": "school",
    }, work.worker, work.child.id, went), work.worker)
    work.store.add(_record(library, "return_interview", {
        "child_id": work.child.id, "episode_id": late.id,
        "returned_at": (went + timedelta(hours=10)).isoformat(),
        "offered_at": (went + timedelta(hours=100)).isoformat(),
        "outcome": "declined_by_child", "late_reason": "Worker off sick.",
    }, work.worker, work.child.id, went + timedelta(hours=100)), work.worker)
    text = flat(" ".join(page_texts(summary(work, local_identity))))
    # the in-time episode: offered and completed within 72 hours
    assert ("17 Nov 2026, 14:05 18 Nov 2026, 14:05 21 Nov 2026, 14:05 Yes 19 Nov 2026, 10:05 "
            "Yes Interview completed") in text
    # the late one: offered after the deadline, declined
    assert ("1 Oct 2026, 21:00 2 Oct 2026, 07:00 5 Oct 2026, 07:00 No 6 Oct 2026, 01:00 No "
            "Declined by the child (draft)") in text


def test_open_actions_with_owner_due_and_overdue(work: Casework, local_identity) -> None:
    text = flat(" ".join(page_texts(summary(work, local_identity))))
    assert "1 overdue of 3 open actions." in text
    assert "Strategy meeting request to MASH Łukasz Wiśniewski 21 Nov 2026 OVERDUE" in text
    assert "Share intelligence form with police about “Kai” Siobhán Ó Briain 28 Nov 2026 Open" \
        in text
    assert "Book sexual health appointment School nurse 3 Dec 2026 Open" in text


def test_chronology_newest_first(work: Casework, local_identity) -> None:
    text = flat(" ".join(page_texts(summary(work, local_identity))))
    chronology = text[text.index("Chronology (newest first)"):]
    order = [chronology.index(r.id.split("-")[0]) for r in
             (work.addendum, work.note, work.checklist, work.interview, work.episode)]
    assert order == sorted(order)
    assert "Case note (draft)" in chronology
    assert "Missing episode (draft)" not in chronology  # episodes are never signed


def test_long_chronology_splits_with_repeated_headers(work: Casework,
                                                      local_identity) -> None:
    add_chronology(work, 150)
    seen: list[int] = []
    pages = page_texts(summary(work, local_identity, progress=lambda p, m: seen.append(p)))
    assert len(pages) >= 6
    chronology_pages = [p for p in pages if "Call " in p]
    assert len(chronology_pages) >= 4
    for page in chronology_pages:
        assert "Date Record Summary By Ref" in flat(page)
    text = flat(" ".join(pages))
    for index in range(150):
        assert f"Call {index}: checked in with Zoë" in text
    assert text.index("Call 149:") < text.index("Call 0:")  # newest first
    assert seen[0] < seen[-1] == 100 and seen == sorted(seen)


def test_only_team_leads_print_summaries(work: Casework, local_identity) -> None:
    with pytest.raises(PermissionDenied):
        documents.render_case_summary_pdf(work.store, work.library, work.child.id,
                                          work.worker, local_identity, None)


def test_summary_is_audited(work: Casework, local_identity) -> None:
    summary(work, local_identity)
    entries = work.store.audit_entries(child_id=work.child.id)
    prints = [e for e in entries if e.action == "print"]
    assert prints and "case summary" in prints[-1].detail
    assert any(e.action == "view" and "case summary" in e.detail for e in entries)


def test_organisation_name_and_logo_from_settings(work: Casework, local_identity,
                                                  tmp_path) -> None:
    import io

    import pdfplumber
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (40, 20), (200, 30, 30)).save(logo)
    work.store.set_meta("organisation", {"name": "Eastmoor Children's Partnership",
                                         "logo_path": str(logo)})
    pdf = summary(work, local_identity)
    assert "Eastmoor Children's Partnership" in page_texts(pdf)[0]
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        sizes = {(i["srcsize"]) for i in doc.pages[0].images}
    assert (40, 20) in sizes


def test_logo_from_the_service_and_a_long_name_printed_whole(work: Casework, local_identity
                                                            ) -> None:
    """Enrolment keeps the service's logo (base64 PNG) in the encrypted store; a long
    organisation name is printed smaller rather than cut."""
    import base64
    import io

    import pdfplumber
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (30, 30), (20, 90, 160)).save(png, format="PNG")
    # 64 characters: the most a certificate's organisation name holds
    name = "Northfield, Eastmoor and Westbrook Children's Safeguarding Board"
    work.store.set_meta("organisation", {
        "name": name, "logo_png_b64": base64.b64encode(png.getvalue()).decode("ascii")})
    pdf = summary(work, local_identity)
    assert name in page_texts(pdf)[0]
    assert "…" not in page_texts(pdf)[0].splitlines()[0]
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        assert (30, 30) in {i["srcsize"] for i in doc.pages[0].images}


def test_broken_logo_still_prints_with_the_placeholder(work: Casework, local_identity) -> None:
    work.store.set_meta("organisation", {"name": "Eastmoor Children's Partnership",
                                         "logo_png_b64": "not base64 at all ¬"})
    pdf = summary(work, local_identity)
    assert "Eastmoor Children's Partnership" in page_texts(pdf)[0]
