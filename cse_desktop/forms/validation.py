"""Checking and tidying a form's answers against its definition.

Answers are a JSON-compatible dict keyed by field id.  Nothing here ever raises on bad input:
whatever arrives (from the UI, an old database, another device) is reported as ``FieldError``s
with plain-English messages that name the field's label.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from cse_desktop.forms.conditions import RISK_LEVEL_ANSWER, evaluate
from cse_desktop.forms.model import INDICATOR_ANSWERS, Field, FormDefinition
from cse_desktop.forms.values import is_record_id, parse_date, parse_datetime

DATETIME_EXAMPLE = "2026-11-20 14:05"


@dataclass
class FieldError:
    """One problem with the answers.

    ``field_id`` is "" for the answers as a whole, and like "actions[0].what" for a field
    inside a list item.
    """

    field_id: str
    message: str


# -- visibility and required-ness ---------------------------------------------------------------


def is_visible(field: Field, answers: Any) -> bool:
    """Whether ``field`` is shown, judged on ``answers`` as given.

    A field whose condition looks at another, hidden field is best judged on
    ``clean_answers(...)`` (or use ``visible_fields``), which drop hidden answers first.
    """
    return field.show_if is None or evaluate(field.show_if, answers)


def is_required(field: Field, answers: Any) -> bool:
    """Whether ``field`` must be answered before signing.  Hidden fields never are."""
    if not is_visible(field, answers):
        return False
    if field.required:
        return True
    return field.required_if is not None and evaluate(field.required_if, answers)


def visible_fields(defn: FormDefinition, answers: Any) -> list[Field]:
    """The fields shown for these answers, in form order."""
    effective = without_hidden(list(defn.fields()), _as_mapping(answers))
    return [f for f in defn.fields() if is_visible(f, effective)]


def without_hidden(fields: list[Field], answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers minus those of hidden fields.

    Repeated until nothing else becomes hidden: hiding one field can hide another whose
    condition looked at it.
    """
    current = dict(answers)
    for _ in range(len(fields) + 1):
        hidden = [f.id for f in fields if f.id in current and not is_visible(f, current)]
        if not hidden:
            break
        for field_id in hidden:
            del current[field_id]
    return current


# -- cleaning -----------------------------------------------------------------------------------


def clean_answers(defn: FormDefinition, answers: Any) -> dict[str, Any]:
    """A tidied copy of the answers, ready to store.

    Drops unknown keys, empty values ("", blanks, None, [] and {}), empty list items and the
    answers to hidden fields.  Values of the wrong type are kept so validation can report them.
    """
    source = _as_mapping(answers)
    fields = list(defn.fields())
    cleaned: dict[str, Any] = {}
    for field in fields:
        if field.id not in source:
            continue
        value = _clean_value(field, source[field.id])
        if not is_empty(value):
            cleaned[field.id] = value
    return without_hidden(fields, cleaned)


def _clean_value(field: Field, value: Any) -> Any:
    if field.type == "list" and isinstance(value, list):
        items = [_clean_item(field, item) for item in value]
        return [item for item in items if not is_empty(item)]
    if field.type == "indicator" and isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items() if not is_empty(v)}
    return _copy(value)


def _clean_item(field: Field, item: Any) -> Any:
    if not isinstance(item, Mapping):
        return _copy(item)
    kept = {}
    for sub in field.item_fields:
        if sub.id in item and not is_empty(item[sub.id]):
            kept[sub.id] = _copy(item[sub.id])
    return without_hidden(list(field.item_fields), kept)


def is_empty(value: Any) -> bool:
    """True for an unanswered value: None, a blank string, or an empty list or dict."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | dict):
        return len(value) == 0
    return False


# -- validation ---------------------------------------------------------------------------------


def validate_answers(
    defn: FormDefinition, answers: Any, *, for_signing: bool = True, today: date | None = None
) -> list[FieldError]:
    """Every problem with the answers, or an empty list if there are none.

    With ``for_signing=False`` (saving a draft) missing answers are allowed, but the answers
    that are there must still be of the right kind.  Answers to hidden fields are ignored.
    ``today`` (the UK date, from the clock) turns on the ``past_only`` checks.
    """
    if not isinstance(answers, Mapping):
        message = (
            "The answers could not be read: they should be a set of named questions and "
            "answers. Nothing was checked."
        )
        return [FieldError("", message)]
    fields = list(defn.fields())
    known = {f.id for f in fields}
    errors = [
        FieldError(str(key), f"This form has no question called '{key}'.")
        for key in answers
        if key not in known
    ]
    effective = without_hidden(fields, {k: v for k, v in answers.items() if k in known})
    judged = with_scored_level(defn, effective)
    errors.extend(_validate_fields(fields, judged, for_signing, prefix="", context=""))
    if today is not None:
        errors.extend(_past_only_problems(fields, judged, today))
    return errors


def _past_only_problems(fields: list[Field], answers: Mapping[str, Any],
                        today: date) -> list[FieldError]:
    problems = []
    for field in fields:
        if not field.past_only or not is_visible(field, answers):
            continue
        day = parse_date(answers.get(field.id))
        if day is not None and day >= today:
            problems.append(FieldError(field.id, f"'{field.label}' must be before today."))
    return problems


def with_scored_level(defn: FormDefinition, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers plus, for a checklist, the level they score (for ``risk_level_at_least``
    rules such as "a high-risk checklist needs a professional view")."""
    judged = dict(answers)
    if defn.scoring is not None:
        from cse_desktop.forms.scoring import score_checklist  # scoring imports this module

        judged[RISK_LEVEL_ANSWER] = score_checklist(defn, answers).level.value
    return judged


def _validate_fields(
    fields: list[Field], answers: dict[str, Any], for_signing: bool, prefix: str, context: str
) -> list[FieldError]:
    errors: list[FieldError] = []
    by_id = {f.id: f for f in fields}
    for field in fields:
        if not is_visible(field, answers):
            continue
        path = prefix + field.id
        value = answers.get(field.id)
        if is_empty(value):
            if for_signing and is_required(field, answers):
                message = required_message(field)
                if not field.required and field.required_if_message:
                    message = field.required_if_message
                errors.append(FieldError(path, context + message))
            continue
        problem = _value_problem(field, value)
        if problem is not None:
            errors.append(FieldError(path, context + problem))
            continue
        if field.type == "list":
            items = cast(list[Any], value)  # a list: _value_problem checked the type
            errors.extend(_validate_items(field, items, for_signing, path, context))
        if field.not_before is not None and field.not_before in by_id:
            other = by_id[field.not_before]
            if _earlier(field.type, value, answers.get(other.id)):
                message = f"'{field.label}' cannot be earlier than '{other.label}'."
                errors.append(FieldError(path, context + message))
    return errors


def required_message(field: Field) -> str:
    """The message for a missing answer, e.g. "Date and time returned is required."."""
    if field.label.rstrip().endswith("?"):
        return f"'{field.label}' needs an answer."
    return f"{field.label} is required."


def _validate_items(
    field: Field, items: list[Any], for_signing: bool, path: str, context: str
) -> list[FieldError]:
    errors: list[FieldError] = []
    sub_fields = list(field.item_fields)
    known = {f.id for f in sub_fields}
    for index, item in enumerate(items):
        item_path = f"{path}[{index}]"
        item_context = f"{context}{field.label}, item {index + 1}: "
        if not isinstance(item, Mapping):
            errors.append(FieldError(item_path, f"{item_context}this entry could not be read."))
            continue
        for key in item:
            if key not in known:
                message = f"{item_context}there is no question called '{key}'."
                errors.append(FieldError(f"{item_path}.{key}", message))
        effective = without_hidden(sub_fields, {k: v for k, v in item.items() if k in known})
        errors.extend(
            _validate_fields(sub_fields, effective, for_signing, f"{item_path}.", item_context)
        )
    return errors


def _value_problem(field: Field, value: Any) -> str | None:
    """What is wrong with a non-empty answer, in words, or None if it is fine."""
    label = field.label
    kind = field.type
    if kind in ("text", "long_text"):
        return _text_problem(field, value)
    if kind == "number":
        return _number_problem(field, value)
    if kind == "date":
        if not isinstance(value, str) or parse_date(value) is None:
            return f"'{label}': enter a date as day/month/year, for example 20/11/2026."
        return None
    if kind == "datetime":
        if not isinstance(value, str) or parse_datetime(value) is None:
            return (
                f"'{label}': enter a date and time with a time zone, "
                f"for example {DATETIME_EXAMPLE}."
            )
        return None
    if kind == "choice":
        if not isinstance(value, str) or value not in field.option_values:
            return f"'{label}' must be one of the listed options."
        return None
    if kind == "multi_choice":
        return _multi_choice_problem(field, value)
    if kind == "yes_no":
        if not isinstance(value, str) or value not in ("yes", "no"):
            return f"'{label}' must be yes or no."
        return None
    if kind == "indicator":
        return _indicator_problem(field, value)
    if kind == "ref":
        if not is_record_id(value):
            return f"'{label}' must link to a record, but this is not a record id."
        return None
    if kind == "list":
        if not isinstance(value, list):
            return f"'{label}' must be a list of entries."
        return None
    return f"'{label}' has a kind of answer this app does not know ({kind})."


def _text_problem(field: Field, value: Any) -> str | None:
    label = field.label
    if not isinstance(value, str):
        return f"'{label}' must be text."
    if field.type == "text" and ("\n" in value or "\r" in value):
        return f"'{label}' must be a single line of text."
    if field.max_length is not None and len(value) > field.max_length:
        return f"'{label}' must be {field.max_length} characters or fewer."
    if field.format == "nhs_number" and not is_nhs_number(value):
        return (f"'{label}' is not a valid NHS number: it has 10 digits and the last one is "
                "a check digit. Check it against the child's records.")
    return None


def is_nhs_number(text: str) -> bool:
    """Ten digits (spaces allowed, as in "943 476 5919") whose last digit is the modulus 11
    check digit of the first nine."""
    digits = text.replace(" ", "")
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1),
                                                      strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _number_problem(field: Field, value: Any) -> str | None:
    label = field.label
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"'{label}' must be a number."
    if isinstance(value, float) and not math.isfinite(value):
        return f"'{label}' must be a number."
    if field.min is not None and value < field.min:
        return f"'{label}' must be at least {field.min:g}."
    if field.max is not None and value > field.max:
        return f"'{label}' must be no more than {field.max:g}."
    return None


def _multi_choice_problem(field: Field, value: Any) -> str | None:
    label = field.label
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return f"'{label}' must be a list of the listed options."
    if any(v not in field.option_values for v in value):
        return f"'{label}' must only contain the listed options."
    if len(set(value)) != len(value):
        return f"'{label}' lists the same option more than once."
    return None


def _indicator_problem(field: Field, value: Any) -> str | None:
    label = field.label
    message = f"'{label}' must be answered yes, no or not known."
    if not isinstance(value, Mapping):
        return message
    answer = value.get("answer")
    if not isinstance(answer, str) or answer not in INDICATOR_ANSWERS:
        return message
    if any(key not in ("answer", "note") for key in value):
        return f"'{label}' can only have an answer and a note."
    note = value.get("note")
    if note is not None and not isinstance(note, str):
        return f"The note on '{label}' must be text."
    return None


def _earlier(kind: str, value: Any, other: Any) -> bool:
    """Whether ``value`` comes before ``other`` (False if either cannot be read)."""
    if kind == "datetime":
        mine, theirs = parse_datetime(value), parse_datetime(other)
        return mine is not None and theirs is not None and mine < theirs
    day, other_day = parse_date(value), parse_date(other)
    return day is not None and other_day is not None and day < other_day


def _copy(value: Any) -> Any:
    """A deep copy of a JSON value (the value itself if it is nested too deeply to copy)."""
    try:
        return copy.deepcopy(value)
    except RecursionError:
        return value


def _as_mapping(answers: Any) -> Mapping[str, Any]:
    return answers if isinstance(answers, Mapping) else {}
