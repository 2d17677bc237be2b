"""Synthetic demo data: valid for signing, varied, fictional and repeatable."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from cse_desktop.demo import SyntheticChild, generate_caseload, generate_notes
from cse_desktop.forms import (
    RiskLevel,
    default_library,
    parse_datetime,
    rhi_timeliness,
    score_checklist,
    validate_answers,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
EARLIEST = NOW - timedelta(days=550)


@pytest.fixture(scope="module")
def caseload() -> list[SyntheticChild]:
    return generate_caseload(60, seed=7, now=NOW)


def assert_valid(form_id: str, answers: dict) -> None:
    errors = validate_answers(default_library().get(form_id), answers, for_signing=True)
    assert errors == [], (form_id, errors)


def test_every_record_validates_for_signing(caseload: list[SyntheticChild]) -> None:
    for child in caseload:
        assert_valid("child", child.child)
        for episode in child.episodes:
            assert_valid("missing_episode", episode.answers)
            if episode.rhi is not None:
                assert_valid("return_interview", episode.rhi)
        for checklist in child.checklists:
            assert_valid("warning_signs", checklist)
        for note in child.notes:
            assert_valid("case_note", note)


def test_records_link_up_and_ids_are_unique(caseload: list[SyntheticChild]) -> None:
    seen: set[str] = set()
    for child in caseload:
        ids = [child.id, *(e.id for e in child.episodes)]
        assert not seen.intersection(ids)
        seen.update(ids)
        for episode in child.episodes:
            assert "id" not in episode.answers
            assert episode.answers["child_id"] == child.id
            if episode.rhi is not None:
                assert episode.rhi["episode_id"] == episode.id
                assert episode.rhi["child_id"] == child.id
                assert episode.rhi["returned_at"] == episode.answers["returned_at"]
        for record in (*child.checklists, *child.notes):
            assert record["child_id"] == child.id


def test_dates_fall_within_the_last_eighteen_months(caseload: list[SyntheticChild]) -> None:
    keys = ("went_missing_at", "returned_at", "offered_at", "completed_at", "assessed_at")
    for child in caseload:
        records = [
            *(e.answers for e in child.episodes),
            *(e.rhi for e in child.episodes if e.rhi),
            *child.checklists,
            *child.notes,
        ]
        for record in records:
            for key in (*keys, "occurred_at"):
                if key in record:
                    moment = parse_datetime(record[key])
                    assert moment is not None
                    assert EARLIEST <= moment <= NOW, (key, record[key])


def test_realistic_variety(caseload: list[SyntheticChild]) -> None:
    checklist_form = default_library().get("warning_signs")
    rhis = [e.rhi for c in caseload for e in c.episodes if e.rhi]
    timeliness = [rhi_timeliness(r) for r in rhis]
    outcomes = {r["outcome"] for r in rhis}
    assert {"completed", "declined_by_child", "declined_by_parent_carer"} <= outcomes
    late = [r for r, t in zip(rhis, timeliness, strict=True) if t.offered_in_time is False]
    assert late and all("late_reason" in r for r in late)
    assert any(t.offered_in_time for t in timeliness)
    levels = {
        score_checklist(checklist_form, c).level for child in caseload for c in child.checklists
    }
    assert {RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH} <= levels
    note_lengths = [len(n["summary"]) for c in caseload for n in c.notes]
    assert min(note_lengths) < 200 < 1000 < max(note_lengths)
    assert any(n.get("sensitive") == "yes" for c in caseload for n in c.notes)
    assert any(len(c.episodes) >= 3 for c in caseload)


def test_names_are_fictional_and_include_non_ascii(caseload: list[SyntheticChild]) -> None:
    names = [c.name for c in caseload]
    assert names[:5] == [
        "Zoë Nowak",
        "Siobhán Ó Briain",
        "Łukasz Wiśniewski",
        "Chiamaka Okafor",
        "Aoife Ní Bhriain",
    ]
    assert sum(not name.isascii() for name in names) > 10
    for child in caseload:
        assert child.child["nhs_number"].startswith("999 ")  # the NHS test range
        assert child.child["local_reference"].startswith("DEMO-")
        assert "ZZ99" in child.child["address"]


def test_same_seed_same_data_and_different_seed_different_data() -> None:
    first = generate_caseload(8, seed=3, now=NOW)
    assert first == generate_caseload(8, seed=3, now=NOW)
    assert first != generate_caseload(8, seed=4, now=NOW)


def test_now_must_have_a_time_zone() -> None:
    with pytest.raises(ValueError, match="time zone"):
        generate_caseload(1, now=datetime(2026, 11, 20, 12, 0))


def test_generate_notes_is_fast_valid_and_repeatable() -> None:
    child_ids = ["3f2a6c1e-8b7d-4c5e-9a1b-2c3d4e5f6a7b", "0b8e4d2c-1a3f-4e5d-8c7b-6a5f4e3d2c1b"]
    start = time.perf_counter()
    notes = generate_notes(100_000, seed=1, child_ids=child_ids, now=NOW)
    assert time.perf_counter() - start < 10
    assert len(notes) == 100_000
    assert {n["child_id"] for n in notes} == set(child_ids)
    for note in notes[:2000]:
        assert_valid("case_note", note)
    assert generate_notes(50, seed=1, child_ids=child_ids, now=NOW) == notes[:50]
    made_up = generate_notes(500, seed=2, now=NOW)
    assert len({n["child_id"] for n in made_up}) == 10
    assert generate_notes(500, seed=2, now=NOW) == made_up
