"""Condition evaluation: the declared tests, combinations, and robustness to bad answers."""

from __future__ import annotations

from typing import Any

import pytest

from cse_desktop.forms import evaluate, parse_condition
from cse_desktop.forms.conditions import ConditionSyntaxError, condition_to_json, referenced_fields

LATE = {"field": "offered_at", "later_than": {"field": "returned_at", "hours": 72}}


@pytest.mark.parametrize(
    ("condition", "answers", "expected"),
    [
        ({"field": "harm", "equals": "yes"}, {"harm": "yes"}, True),
        ({"field": "harm", "equals": "yes"}, {"harm": "no"}, False),
        ({"field": "harm", "equals": "yes"}, {}, False),
        ({"field": "n", "equals": 1}, {"n": 1.0}, True),
        ({"field": "n", "equals": 1}, {"n": True}, False),  # True is not 1
        ({"field": "n", "equals": True}, {"n": 1}, False),
        ({"field": "n", "equals": "1"}, {"n": 1}, False),
        ({"field": "sign", "equals": "yes"}, {"sign": {"answer": "yes", "note": "x"}}, True),
        ({"field": "outcome", "in": ["completed", "x"]}, {"outcome": "completed"}, True),
        ({"field": "outcome", "in": ["completed"]}, {"outcome": ["completed"]}, False),
        ({"field": "travel", "contains": "other"}, {"travel": ["taxi", "other"]}, True),
        ({"field": "travel", "contains": "other"}, {"travel": "other"}, False),
        ({"field": "travel", "contains": "other"}, {"travel": [["other"]]}, False),
        (LATE, {"returned_at": "2026-01-01T10:00:00+00:00"}, False),
        (
            LATE,
            {"returned_at": "2026-01-01T10:00:00+00:00", "offered_at": "2026-01-04T10:00:00+00:00"},
            False,
        ),
        (
            LATE,
            {"returned_at": "2026-01-01T10:00:00+00:00", "offered_at": "2026-01-04T10:01:00+00:00"},
            True,
        ),
        (LATE, {"returned_at": 5, "offered_at": {"a": 1}}, False),
        (
            LATE,
            {"returned_at": "0001-01-01T00:00:00+23:59", "offered_at": "9999-12-31T23:59:59-23:59"},
            True,
        ),
        (
            {"all": [{"field": "a", "equals": "x"}, {"field": "b", "equals": "y"}]},
            {"a": "x"},
            False,
        ),
        ({"any": [{"field": "a", "equals": "x"}, {"field": "b", "equals": "y"}]}, {"a": "x"}, True),
        ({"not": {"field": "a", "equals": "x"}}, {"a": "x"}, False),
        ({"not": {"field": "a", "equals": "x"}}, {}, True),
    ],
)
def test_conditions_evaluate(condition: dict[str, Any], answers: Any, expected: bool) -> None:
    assert evaluate(parse_condition(condition), answers) is expected


@pytest.mark.parametrize("answers", [None, [], "x", 3, {"harm": None}, {"harm": [1, {"a": []}]}])
def test_garbled_answers_make_comparisons_false_not_errors(answers: Any) -> None:
    assert evaluate(parse_condition({"field": "harm", "equals": "yes"}), answers) is False
    assert evaluate(parse_condition(LATE), answers) is False


def test_conditions_round_trip_to_json_and_list_fields() -> None:
    raw = {"all": [LATE, {"not": {"any": [{"field": "o", "in": ["a", "b"]}]}}]}
    condition = parse_condition(raw)
    assert condition_to_json(condition) == raw
    assert sorted(referenced_fields(condition)) == ["o", "offered_at", "returned_at"]


@pytest.mark.parametrize(
    "raw",
    [
        "harm",
        {"field": "harm"},
        {"field": "harm", "equals": "yes", "in": ["yes"]},
        {"field": "harm", "like": "yes"},
        {"all": []},
        {"field": "harm", "equals": ["yes"]},
        {"field": "t", "later_than": {"field": "r"}},
    ],
)
def test_malformed_conditions_are_rejected(raw: Any) -> None:
    with pytest.raises(ConditionSyntaxError):
        parse_condition(raw)
