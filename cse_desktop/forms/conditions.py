"""Declarative conditions used by ``show_if`` and ``required_if``.

A condition is written in the form definition as JSON, for example::

    {"field": "harm_experienced", "equals": "yes"}
    {"field": "outcome", "in": ["completed"]}
    {"field": "travel", "contains": "other"}
    {"field": "offered_at", "later_than": {"field": "returned_at", "hours": 72}}
    {"all": [...]}, {"any": [...]}, {"not": {...}}
    {"risk_level_at_least": "high"}   (checklists: the level the answers score)

and parsed into the small frozen classes below.  Evaluation never raises: a comparison with a
missing or garbled answer is simply false.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeGuard

from cse_desktop.forms.values import parse_datetime

Scalar = str | int | float | bool


@dataclass(frozen=True)
class Equals:
    field: str
    value: Scalar


@dataclass(frozen=True)
class In:
    field: str
    values: tuple[Scalar, ...]


@dataclass(frozen=True)
class Contains:
    field: str
    value: Scalar


@dataclass(frozen=True)
class LaterThan:
    """True when ``field`` is more than ``hours`` after ``other`` (exactly ``hours`` is not)."""

    field: str
    other: str
    hours: float


@dataclass(frozen=True)
class RiskAtLeast:
    """True when the checklist's scored risk level is at least ``level`` (checklists only;
    the level is worked out by the validator and passed in as ``RISK_LEVEL_ANSWER``)."""

    level: str


# The answers key under which the validator passes a checklist's scored level to conditions.
RISK_LEVEL_ANSWER = "$risk_level"
_LEVEL_ORDER = ("no_apparent", "low", "medium", "high")


@dataclass(frozen=True)
class AllOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    condition: Condition


Condition = Equals | In | Contains | LaterThan | RiskAtLeast | AllOf | AnyOf | Not


class ConditionSyntaxError(ValueError):
    """A condition in a definition is not written in one of the known shapes."""


def parse_condition(raw: Any) -> Condition:
    """Turn the JSON form of a condition into a ``Condition``."""
    if not isinstance(raw, Mapping):
        raise ConditionSyntaxError("a condition must be a JSON object")
    keys = set(raw)
    if keys == {"all"} or keys == {"any"}:
        (key,) = keys
        items = raw[key]
        if not isinstance(items, list) or not items:
            raise ConditionSyntaxError(f"'{key}' needs a non-empty list of conditions")
        parsed = tuple(parse_condition(item) for item in items)
        return AllOf(parsed) if key == "all" else AnyOf(parsed)
    if keys == {"not"}:
        return Not(parse_condition(raw["not"]))
    if keys == {"risk_level_at_least"}:
        level = raw["risk_level_at_least"]
        if level not in _LEVEL_ORDER:
            raise ConditionSyntaxError(f"'risk_level_at_least' must be one of {_LEVEL_ORDER}")
        return RiskAtLeast(level)
    field = raw.get("field")
    if not isinstance(field, str) or len(keys) != 2:
        raise ConditionSyntaxError("a condition needs 'field' and one test (equals, in, ...)")
    (test,) = keys - {"field"}
    operand = raw[test]
    if test == "equals" and _is_scalar(operand):
        return Equals(field, operand)
    if test == "in" and isinstance(operand, list) and all(_is_scalar(v) for v in operand):
        return In(field, tuple(operand))
    if test == "contains" and _is_scalar(operand):
        return Contains(field, operand)
    if test == "later_than" and isinstance(operand, Mapping):
        other, hours = operand.get("field"), operand.get("hours")
        if isinstance(other, str) and _is_number(hours):
            return LaterThan(field, other, float(hours))
    raise ConditionSyntaxError(f"'{test}' is not a known test, or its value has the wrong shape")


def condition_to_json(condition: Condition) -> dict[str, Any]:
    """The JSON form of a condition (the inverse of ``parse_condition``)."""
    match condition:
        case Equals(field, value):
            return {"field": field, "equals": value}
        case In(field, values):
            return {"field": field, "in": list(values)}
        case Contains(field, value):
            return {"field": field, "contains": value}
        case LaterThan(field, other, hours):
            shown = int(hours) if float(hours).is_integer() else hours
            return {"field": field, "later_than": {"field": other, "hours": shown}}
        case RiskAtLeast(level):
            return {"risk_level_at_least": level}
        case AllOf(items):
            return {"all": [condition_to_json(c) for c in items]}
        case AnyOf(items):
            return {"any": [condition_to_json(c) for c in items]}
        case Not(inner):
            return {"not": condition_to_json(inner)}
    raise TypeError(f"not a condition: {condition!r}")


def referenced_fields(condition: Condition) -> Iterator[str]:
    """Every field id the condition looks at."""
    match condition:
        case Equals(field) | In(field) | Contains(field):
            yield field
        case LaterThan(field, other):
            yield field
            yield other
        case AllOf(items) | AnyOf(items):
            for item in items:
                yield from referenced_fields(item)
        case Not(inner):
            yield from referenced_fields(inner)


def evaluate(condition: Condition, answers: Any) -> bool:
    """Whether the condition holds for these answers.  Never raises."""
    if not isinstance(answers, Mapping):
        answers = {}
    match condition:
        case Equals(field, value):
            return _same(_answer(answers, field), value)
        case In(field, values):
            actual = _answer(answers, field)
            return any(_same(actual, v) for v in values)
        case Contains(field, value):
            actual = answers.get(field)
            return isinstance(actual, list) and any(_same(item, value) for item in actual)
        case LaterThan(field, other, hours):
            later, earlier = parse_datetime(answers.get(field)), parse_datetime(answers.get(other))
            if later is None or earlier is None:
                return False
            return later - earlier > timedelta(hours=hours)
        case RiskAtLeast(level):
            scored = answers.get(RISK_LEVEL_ANSWER)
            return (scored in _LEVEL_ORDER
                    and _LEVEL_ORDER.index(scored) >= _LEVEL_ORDER.index(level))
        case AllOf(items):
            return all(evaluate(item, answers) for item in items)
        case AnyOf(items):
            return any(evaluate(item, answers) for item in items)
        case Not(inner):
            return not evaluate(inner, answers)
    return False


def _answer(answers: Mapping[str, Any], field: str) -> Any:
    """The answer to compare; for an indicator ({"answer": ..., "note": ...}) its answer."""
    value = answers.get(field)
    if isinstance(value, Mapping):
        return value.get("answer")
    return value


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def _same(actual: Any, expected: Any) -> bool:
    """Equality without surprises: 1 is not True, "1" is not 1, lists never match."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        return type(actual) is type(expected) and actual == expected
    if _is_number(actual) and _is_number(expected):
        return bool(actual == expected)
    if isinstance(actual, str) and isinstance(expected, str):
        return actual == expected
    return False
