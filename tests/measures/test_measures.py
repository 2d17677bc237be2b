"""Each measure against figures worked out by hand for the data set in dataset.py."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from cse_desktop.services.measures import (
    Figure,
    Measures,
    MeasuresService,
    Period,
    compute_measures,
    month_ends,
    repeat_window_start,
    to_csv,
)
from cse_desktop.services.session import Session
from tests.measures.dataset import OLA, SAM, TODAY, Built

Q1 = Period.quarter(2026, 1)


@pytest.fixture(scope="module")
def measures(lead_session: Session, built: Built) -> Measures:
    return MeasuresService(lead_session).compute(Q1, today=TODAY)


def _check(figure: Figure, count: int, base: int | None, children: tuple[str, ...]) -> None:
    assert (figure.count, figure.base) == (count, base), figure
    assert figure.child_ids == children, figure.label


def test_the_quarter_is_english_local_time() -> None:
    assert Q1.start == datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
    assert Q1.end == datetime(2026, 3, 31, 23, 0, tzinfo=UTC)  # 1 April 00:00 BST
    assert repeat_window_start(Q1.end) == datetime(2025, 12, 31, 23, 0, tzinfo=UTC)


def test_offered_within_72_hours(measures: Measures, built: Built) -> None:
    # 12 missing episodes returned in the quarter: A1 A2 B3 C5 C6 D9 E1-3 F1-3.
    # In time: A1 (exactly 72 h), B3, C5 (a draft's offer counts), D9.  A2 was 72 h + 1 min.
    _check(measures.offered_in_time, 4, 12, built.ids("ABCD"))
    assert measures.offered_in_time.base_child_ids == built.ids("ABCDEF")
    assert measures.offered_in_time.percent == pytest.approx(100 * 4 / 12)


def test_completed_within_72_hours(measures: Measures, built: Built) -> None:
    # Only A1 was completed in time (exactly at 72 h); A2 was completed late.
    _check(measures.completed_in_time, 1, 12, built.ids("A"))


def test_declined(measures: Measures, built: Built) -> None:
    # Interviews with an outcome for the quarter's episodes: A1 A2 B3 C5 D9 (C6's draft has
    # none; D7 is an absence; D8 returned after the quarter).  Declined: B3 child, C5 parent.
    _check(measures.declined, 2, 5, built.ids("BC"))
    _check(measures.declined_by_child, 1, 5, built.ids("B"))
    _check(measures.declined_by_parent, 1, 5, built.ids("C"))
    assert measures.declined.percent == pytest.approx(40.0)
    assert measures.declined.base_child_ids == built.ids("ABCD")


def test_risk_levels_at_the_end_of_each_month(measures: Measures, built: Built) -> None:
    months = measures.risk_by_month
    assert [m.month for m in months] == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert months[2].as_at == Q1.end
    expected = {
        # B's checklist at exactly 1 Feb 00:00 is not "by the end of January";
        # C's only checklist is a draft; E's came after the quarter.
        0: {"high": "A", "medium": "", "low": "", "no_apparent": "D", "not_assessed": "BCEF"},
        1: {"high": "A", "medium": "", "low": "B", "no_apparent": "D", "not_assessed": "CEF"},
        2: {"high": "D", "medium": "A", "low": "B", "no_apparent": "", "not_assessed": "CEF"},
    }
    for index, levels in expected.items():
        for key, letters in levels.items():
            figure = months[index].figure(key)
            _check(figure, len(letters), None, built.ids(letters))


def test_repeat_missing(measures: Measures, built: Built) -> None:
    # E: 3 starts in the 90 days (the first exactly on the window's start).  F's first start
    # is a minute too early; B's first went missing before the window.
    _check(measures.repeat_missing, 1, None, built.ids("E"))


def test_referrals_by_agency(measures: Measures, built: Built) -> None:
    counts = {f.key.removeprefix("referral_"): f for f in measures.referrals}
    _check(counts["mash"], 2, None, built.ids("AB"))
    _check(counts["police"], 2, None, built.ids("A"))  # two interviews, one child
    _check(counts["none"], 2, None, built.ids("D"))  # D7 (absence, signed RHI) and D9
    _check(counts["sarc_isva"], 0, None, ())  # only on a draft
    _check(counts["health"], 0, None, ())  # D8 returned after the quarter
    assert [f.key for f in measures.referrals][:2] == ["referral_mash", "referral_police"]


def test_overdue_actions(measures: Measures, built: Built) -> None:
    # A: due 9 April (overdue); due today, done, or no due date: not overdue.
    # C: the draft note's action due 1 February.  E: due 20 April.
    _check(measures.overdue_actions, 2, None, built.ids("AC"))


def test_team_filter(lead_session: Session, built: Built) -> None:
    service = MeasuresService(lead_session)
    assert service.workers() == [OLA, SAM]
    sam = service.compute(Q1, workers=[SAM], today=TODAY)
    assert sam.children_in_scope == 3
    _check(sam.offered_in_time, 3, 5, built.ids("ABC"))  # A1 B3 C5 of A1 A2 B3 C5 C6
    _check(sam.repeat_missing, 0, None, ())
    _check(sam.overdue_actions, 2, None, built.ids("AC"))
    ola = service.compute(Q1, workers=[OLA], today=TODAY)
    _check(ola.offered_in_time, 1, 7, built.ids("D"))  # D9 of D9 E1-3 F1-3
    _check(ola.declined, 0, 1, ())


def test_a_single_month_and_the_period_boundary(lead_session: Session, built: Built) -> None:
    january = MeasuresService(lead_session).compute(Period.month(2026, 1), today=TODAY)
    # Returned in January: A1 B3 E1 F1 (B3 went missing in December).
    _check(january.offered_in_time, 2, 4, built.ids("AB"))
    april = MeasuresService(lead_session).compute(Period.month(2026, 4), today=TODAY)
    # Returned in April: B4 (no RHI) and D8 (offered in time, completed).
    _check(april.offered_in_time, 1, 2, built.ids("D"))
    _check(april.completed_in_time, 1, 2, built.ids("D"))
    health = next(f for f in april.referrals if f.key == "referral_health")
    _check(health, 1, None, built.ids("D"))


def test_deleted_records_are_ignored(lead_session: Session, built: Built) -> None:
    records = lead_session.store.records()
    a1 = next(r for r in records if r.id == built.episodes["A1"])
    rest = [r for r in records if r.id != a1.id] + [a1.with_changes(deleted=True)]
    measures = compute_measures(rest, lead_session.library, Q1, today=TODAY)
    _check(measures.offered_in_time, 3, 11, built.ids("BCD"))


def test_custom_period_months() -> None:
    start = datetime(2026, 1, 15, tzinfo=UTC)
    end = datetime(2026, 3, 10, tzinfo=UTC)
    ends = month_ends(start, end)
    assert [m for m, _ in ends] == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert [a for _, a in ends] == [datetime(2026, 2, 1, tzinfo=UTC),
                                    datetime(2026, 3, 1, tzinfo=UTC), end]
    with pytest.raises(ValueError):
        Period(end, start)


def test_no_episodes_gives_no_percentage(lead_session: Session) -> None:
    empty = compute_measures([], lead_session.library, Q1, today=TODAY)
    assert empty.offered_in_time.base == 0 and empty.offered_in_time.percent is None
    assert "none in the period" in empty.offered_in_time.text()


def test_csv(measures: Measures) -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(measures))))
    offered = rows[0]
    assert offered["measure"] == "RHIs offered within 72 hours"
    assert (offered["count"], offered["denominator"], offered["percent"]) == ("4", "12", "33.3")
    march_high = next(r for r in rows if r["breakdown"] == "2026-03 High risk")
    assert march_high["count"] == "1"
    assert "child_ids" not in rows[0]  # ids only when asked for
    with_ids = list(csv.DictReader(io.StringIO(to_csv(measures, include_child_ids=True))))
    assert len(with_ids[0]["child_ids"].split()) == 4


def test_viewing_measures_is_audited(lead_session: Session) -> None:
    MeasuresService(lead_session).compute(Q1, today=TODAY)
    entries = lead_session.store.audit_entries()
    assert any(e.action == "measures" for e in entries)
    assert lead_session.store.verify_audit().ok



def test_figures_say_what_they_count_in_the_singular_too() -> None:
    from cse_desktop.domain.measures import CHILDREN, EPISODES, INTERVIEWS, Figure

    assert Figure("k", "Repeat", 1, unit=CHILDREN).amount() == "1 child"
    assert Figure("k", "Repeat", 3, unit=CHILDREN).amount() == "3 children"
    assert Figure("k", "Offered", 1, 1, unit=EPISODES).text() == "1 of 1 missing episode (100.0%)"
    assert Figure("k", "Declined", 0, 0, unit=INTERVIEWS).text() == (
        "0 of 0 interviews (none in the period)")
