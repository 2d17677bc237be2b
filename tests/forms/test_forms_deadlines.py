"""The 72-hour rule for return home interviews."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from cse_desktop.forms import (
    RHI_DEADLINE_HOURS,
    parse_datetime,
    rhi_deadline,
    rhi_timeliness,
    time_left,
)

RETURNED = datetime(2026, 11, 20, 14, 5, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.isoformat()


def test_deadline_is_72_hours_after_return() -> None:
    assert RHI_DEADLINE_HOURS == 72
    assert rhi_deadline(RETURNED) == datetime(2026, 11, 23, 14, 5, tzinfo=UTC)


def test_deadline_hours_match_the_late_reason_rule(library: Any) -> None:
    from cse_desktop.forms.conditions import condition_to_json

    rule = library.get("return_interview").field("late_reason").required_if
    assert condition_to_json(rule)["later_than"]["hours"] == RHI_DEADLINE_HOURS


@pytest.mark.parametrize(
    ("offered_after", "in_time"),
    [
        (timedelta(hours=1), True),
        (timedelta(hours=72), True),
        (timedelta(hours=72, minutes=1), False),
        (timedelta(days=9), False),
    ],
)
def test_offered_in_time(offered_after: timedelta, in_time: bool) -> None:
    answers = {"returned_at": iso(RETURNED), "offered_at": iso(RETURNED + offered_after)}
    timeliness = rhi_timeliness(answers)
    assert timeliness.deadline == RETURNED + timedelta(hours=72)
    assert timeliness.offered_in_time is in_time
    assert timeliness.completed_in_time is None  # no outcome yet


def test_offered_in_time_across_time_zones() -> None:
    bst = timezone(timedelta(hours=1))
    answers = {
        "returned_at": "2026-06-01T10:00:00+01:00",
        "offered_at": iso(datetime(2026, 6, 4, 10, 0, tzinfo=bst)),
    }
    assert rhi_timeliness(answers).offered_in_time is True
    answers["offered_at"] = "2026-06-04T09:01:00Z"  # 10:01 in BST
    assert rhi_timeliness(answers).offered_in_time is False


@pytest.mark.parametrize(
    ("outcome", "completed_after", "expected"),
    [
        ("completed", timedelta(hours=72), True),
        ("completed", timedelta(hours=72, minutes=1), False),
        ("completed", None, None),
        ("declined_by_child", None, False),
        ("child_not_found", timedelta(hours=1), False),
        (None, timedelta(hours=1), None),
    ],
)
def test_completed_in_time(
    outcome: str | None, completed_after: timedelta | None, expected: bool | None
) -> None:
    answers: dict[str, Any] = {"returned_at": iso(RETURNED), "offered_at": iso(RETURNED)}
    if outcome is not None:
        answers["outcome"] = outcome
    if completed_after is not None:
        answers["completed_at"] = iso(RETURNED + completed_after)
    assert rhi_timeliness(answers).completed_in_time is expected


@pytest.mark.parametrize(
    "answers",
    [
        {},
        None,
        "text",
        {"returned_at": "2026-11-20T14:05:00"},  # no time zone
        {"returned_at": "9999-12-31T23:00:00+00:00"},  # deadline past the end of the calendar
        {"returned_at": 1234, "offered_at": iso(RETURNED)},
    ],
)
def test_undeterminable_timeliness_is_none(answers: Any) -> None:
    timeliness = rhi_timeliness(answers)
    assert (timeliness.deadline, timeliness.offered_in_time, timeliness.completed_in_time) == (
        None,
        None,
        None,
    )


def test_time_left_counts_down_and_goes_negative() -> None:
    assert time_left(RETURNED, RETURNED) == timedelta(hours=72)
    assert time_left(RETURNED, RETURNED + timedelta(hours=72)) == timedelta(0)
    assert time_left(RETURNED, RETURNED + timedelta(hours=80)) == -timedelta(hours=8)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        rhi_deadline(datetime(2026, 11, 20, 14, 5))
    with pytest.raises(ValueError, match="time zone"):
        time_left(RETURNED, datetime(2026, 11, 20, 14, 5))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-20T14:05:00+00:00", RETURNED),
        ("2026-11-20T14:05Z", RETURNED),
        ("2026-11-20 15:05:00.000+01:00", RETURNED),
        (RETURNED, RETURNED),
        ("2026-11-20T14:05:00", None),
        (datetime(2026, 11, 20, 14, 5), None),
        ("2026-11-20", None),
        ("2026-13-20T14:05:00+00:00", None),
        ("2026-11-20T14:05:00+99:00", None),
        ("", None),
        (None, None),
        (1763647500, None),
        (["2026-11-20T14:05:00+00:00"], None),
    ],
)
def test_parse_datetime_accepts_only_aware_iso_times(value: Any, expected: Any) -> None:
    assert parse_datetime(value) == expected
