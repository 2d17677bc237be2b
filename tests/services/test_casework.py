"""Casework use cases: validation, drafts, signing with passphrase, addenda."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cse_desktop.records import RecordType
from cse_desktop.services.errors import ServiceError, ValidationFailed
from cse_desktop.store import SignedRecordImmutable

PASSPHRASE = "correct horse battery"
RETURNED = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)


def _episode(work, child, returned=RETURNED):  # type: ignore[no-untyped-def]
    return work.record_episode(child.id, {
        "missing_or_absent": "missing",
        "went_missing_at": (returned - timedelta(hours=20)).isoformat(),
        "returned_at": returned.isoformat(),
        "reported_by": "foster_carer",
        "police_reference": "PR-2026-55501",
    })


def _complete_rhi(record):  # type: ignore[no-untyped-def]
    return {**record.data,
            "offered_at": (RETURNED + timedelta(hours=30)).isoformat(),
            "completed_at": (RETURNED + timedelta(hours=31)).isoformat(),
            "outcome": "completed", "interviewer_independent": "yes",
            "childs_words": "I stayed at a friend's flat. I didn't want to go home."}


def test_child_needs_the_required_details(work) -> None:
    with pytest.raises(ValidationFailed) as info:
        work.add_child({"first_name": "Amir"})
    fields = {e.field_id for e in info.value.errors}
    assert {"last_name", "date_of_birth"} <= fields
    assert "Please check" in str(info.value)


def test_rhi_starts_from_the_episode_with_its_facts(work, child) -> None:
    episode = _episode(work, child)
    draft = work.start_return_interview(episode.id)
    assert draft.record_type is RecordType.RETURN_INTERVIEW and not draft.is_signed
    assert draft.data["episode_id"] == episode.id and draft.child_id == child.id
    assert draft.data["returned_at"] == RETURNED.isoformat()
    assert draft.data["police_reference"] == "PR-2026-55501"
    # Starting again opens the same interview rather than a second one.
    assert work.start_return_interview(episode.id).id == draft.id


def test_draft_keeps_partial_answers_and_reports_what_is_missing(work, child) -> None:
    draft = work.start_return_interview(_episode(work, child).id)
    saved, still_to_do = work.save_draft(draft.id, {**draft.data, "where_stayed": "A flat"})
    assert saved.data["where_stayed"] == "A flat" and saved.revision == 2
    assert {e.field_id for e in still_to_do} >= {"offered_at", "outcome"}


def test_draft_drops_a_badly_typed_answer_but_keeps_the_rest(work, child) -> None:
    draft = work.start_return_interview(_episode(work, child).id)
    saved, problems = work.save_draft(draft.id, {**draft.data, "offered_at": "next tuesday",
                                                 "where_stayed": "With an older friend"})
    assert "offered_at" not in saved.data and saved.data["where_stayed"]
    assert any(e.field_id == "offered_at" for e in problems)


def test_signing_needs_a_complete_form_and_the_passphrase(work, child) -> None:
    draft = work.start_return_interview(_episode(work, child).id)
    with pytest.raises(ValidationFailed):
        work.sign(draft.id, draft.data, PASSPHRASE, None)
    answers = _complete_rhi(draft)
    with pytest.raises(ServiceError, match="nothing you entered is lost"):
        work.sign(draft.id, answers, "wrong passphrase", None)
    assert not work.store.get(draft.id).is_signed
    signed = work.sign(draft.id, answers, PASSPHRASE, b"\x89PNG...")
    assert signed.is_signed and signed.signature.signed_by == "Rhiannon Testwood"
    assert signed.signature.signer_role == "Outreach worker"
    assert signed.data["childs_words"].startswith("I stayed")
    with pytest.raises(SignedRecordImmutable):
        work.save_draft(draft.id, answers)


def test_late_offer_needs_a_reason(work, child) -> None:
    draft = work.start_return_interview(_episode(work, child).id)
    answers = {**_complete_rhi(draft), "offered_at": (RETURNED + timedelta(hours=73)).isoformat(),
               "completed_at": (RETURNED + timedelta(hours=74)).isoformat()}
    with pytest.raises(ValidationFailed) as info:
        work.sign(draft.id, answers, PASSPHRASE, None)
    assert [e.field_id for e in info.value.errors] == ["late_reason"]
    answers["late_reason"] = "Child was staying with grandparents out of area until Monday."
    assert work.sign(draft.id, answers, PASSPHRASE, None).is_signed


def test_addendum_corrects_a_signed_record(work, child) -> None:
    note = work.quick_note(child.id, {"occurred_at": RETURNED.isoformat(),
                                      "contact_type": "outreach", "summary": "Seen on Tuesday"})
    with pytest.raises(ServiceError, match="draft"):
        work.add_addendum(note.id, "wrong day", "It was Wednesday")
    work.sign(note.id, note.data, PASSPHRASE, None)
    addendum = work.add_addendum(note.id, "Wrong day recorded", "It was Wednesday, not Tuesday.")
    assert addendum.amends_id == note.id and addendum.child_id == child.id
    signed_addendum = work.sign_addendum(addendum.id, PASSPHRASE, None)
    assert signed_addendum.is_signed
    assert [a.id for a in work.addenda_of(note.id)] == [addendum.id]
    assert work.store.get(note.id).data["summary"] == "Seen on Tuesday"


def test_opening_a_record_is_audited(work, child, session) -> None:
    work.open_record(child.id)
    views = [e for e in session.store.audit_entries(record_id=child.id) if e.action == "view"]
    assert len(views) == 1 and views[0].actor == "Rhiannon Testwood"
