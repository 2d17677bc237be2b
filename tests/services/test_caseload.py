"""Caseload read models: the list with filters, the overview, chronology, actions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from cse_desktop.forms import RiskLevel, score_checklist
from cse_desktop.records import RecordType
from cse_desktop.services.caseload import CaseloadFilter, RhiState

PASSPHRASE = "correct horse battery"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _indicators(work, yes: list[str]) -> dict:  # type: ignore[no-untyped-def]
    definition = work.definition("warning_signs")
    return {f.id: {"answer": "yes" if f.id in yes else "no"}
            for f in definition.fields() if f.type == "indicator"}


def _checklist(work, child, yes, when, sign=True):  # type: ignore[no-untyped-def]
    answers = {"assessed_at": when.isoformat(), **_indicators(work, yes)}
    if score_checklist(work.definition("warning_signs"), answers).level is RiskLevel.HIGH:
        # the form's rule: a high-risk checklist needs a professional view and an action
        answers.update(professional_judgement="High risk: strategy meeting.",
                       actions=[{"what": "Strategy meeting", "owner": "Social care",
                                 "done": "yes"}])
    draft = work.start_draft("warning_signs", child.id, answers)
    if sign:
        return work.sign(draft.id, draft.data, PASSPHRASE, None)
    return draft


def _episode(work, child, returned):  # type: ignore[no-untyped-def]
    return work.record_episode(child.id, {
        "missing_or_absent": "missing", "reported_by": "school",
        "went_missing_at": (returned - timedelta(hours=10)).isoformat(),
        "returned_at": returned.isoformat()})


def test_rows_show_risk_from_latest_signed_checklist(work, caseload, child) -> None:
    _checklist(work, child, ["missing_repeatedly"], NOW - timedelta(days=60))
    _checklist(work, child, ["missing_repeatedly", "older_boyfriend_girlfriend",
                             "picked_up_by_unknown_cars"], NOW - timedelta(days=10))
    _checklist(work, child, [], NOW - timedelta(days=1), sign=False)  # a draft does not count
    [row] = caseload.rows(now=NOW)
    assert row.name == "Zoë Nowak" and row.risk_level is RiskLevel.MEDIUM
    assert row.has_draft and row.age(date(2026, 11, 23)) == 15
    assert row.local_reference == "LA-10442"


def test_rhi_due_then_overdue_then_done(work, caseload, child) -> None:
    episode = _episode(work, child, NOW - timedelta(hours=50))
    [row] = caseload.rows(now=NOW)
    assert row.rhi_state is RhiState.DUE
    assert row.rhi_deadline == NOW - timedelta(hours=50) + timedelta(hours=72)
    [row] = caseload.rows(now=NOW + timedelta(hours=23))
    assert row.rhi_state is RhiState.OVERDUE
    draft = work.start_return_interview(episode.id)
    work.save_draft(draft.id, {**draft.data, "offered_at": NOW.isoformat()})
    [row] = caseload.rows(now=NOW + timedelta(hours=23))
    assert row.rhi_state is RhiState.NONE


def test_filters_combine(work, caseload, child) -> None:
    other = work.add_child({"first_name": "Siobhán", "last_name": "Ó Briain",
                            "date_of_birth": "2010-01-15"})
    _episode(work, other, NOW - timedelta(hours=5))
    _checklist(work, other, ["disclosed_sexual_abuse"], NOW - timedelta(days=2))
    assert [r.name for r in caseload.rows(now=NOW)] == ["Siobhán Ó Briain", "Zoë Nowak"]
    due = caseload.rows(CaseloadFilter(rhi_due_or_overdue=True), now=NOW)
    assert [r.child_id for r in due] == [other.id]
    high = caseload.rows(CaseloadFilter(risk_levels={RiskLevel.HIGH}), now=NOW)
    assert [r.child_id for r in high] == [other.id]
    assert [r.child_id for r in caseload.rows(CaseloadFilter(text="siobhan"))] == [other.id]
    assert caseload.rows(CaseloadFilter(has_draft=True)) == []


def test_search_finds_children_by_what_their_notes_say(work, caseload, child) -> None:
    work.quick_note(child.id, {"occurred_at": NOW.isoformat(), "contact_type": "outreach",
                               "summary": "Seen getting into a silver Audi near the arcade"})
    assert [r.child_id for r in caseload.rows(CaseloadFilter(text="silver aud"))] == [child.id]


def test_overview_has_risk_reasons_episodes_and_actions(work, caseload, child, session) -> None:
    _checklist(work, child, ["found_with_adults_of_concern"], NOW - timedelta(days=3))
    _episode(work, child, NOW - timedelta(hours=80))
    work.quick_note(child.id, {
        "occurred_at": NOW.isoformat(), "contact_type": "phone", "summary": "Call with carer",
        "actions": [{"what": "Refer to MASH", "owner": "Team lead", "due_date": "2026-11-20"},
                    {"what": "Done already", "owner": "Me", "done": "yes"}]})
    overview = caseload.overview(child.id, now=NOW)
    assert overview.current_risk.level is RiskLevel.HIGH
    assert [c.field_id for c in overview.current_risk.overrides] == ["found_with_adults_of_concern"]
    assert overview.episodes[0].state is RhiState.OVERDUE
    assert [a.what for a in overview.open_actions] == ["Refer to MASH"]
    assert overview.open_actions[0].is_overdue(date(2026, 11, 23))
    assert any(e.action == "view" for e in session.store.audit_entries(record_id=child.id))


def test_chronology_is_newest_first_and_filterable(work, caseload, child) -> None:
    _episode(work, child, NOW - timedelta(days=20))
    _checklist(work, child, [], NOW - timedelta(days=10))
    work.quick_note(child.id, {"occurred_at": (NOW - timedelta(days=1)).isoformat(),
                               "contact_type": "outreach", "summary": "Spoke at the park"})
    entries = caseload.chronology(child.id)
    assert [e.record_type for e in entries] == [RecordType.CASE_NOTE, RecordType.WARNING_SIGNS,
                                                RecordType.MISSING_EPISODE]
    assert entries[0].summary == "Spoke at the park"
    assert "No apparent risk" in entries[1].title
    notes_only = caseload.chronology(child.id, {RecordType.CASE_NOTE})
    assert [e.record_type for e in notes_only] == [RecordType.CASE_NOTE]


def test_an_absence_starts_no_interview_clock(work, caseload, child) -> None:
    work.record_episode(child.id, {
        "missing_or_absent": "absent", "reported_by": "school",
        "went_missing_at": (NOW - timedelta(hours=30)).isoformat(),
        "returned_at": (NOW - timedelta(hours=20)).isoformat()})
    [row] = caseload.rows(now=NOW + timedelta(days=5))
    assert row.rhi_state is RhiState.NONE and row.episodes == 1
    [status] = caseload.overview(child.id, now=NOW).episodes
    assert status.deadline is None and status.state is RhiState.NONE
