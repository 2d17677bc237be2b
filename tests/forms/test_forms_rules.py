"""Safeguarding rules written in the definitions: required_if with its own message, and
risk_level_at_least for checklists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cse_desktop.forms import (
    FormDefinitionError,
    FormLibrary,
    evaluate,
    load_definition,
    parse_condition,
    validate_answers,
)
from cse_desktop.forms.conditions import RISK_LEVEL_ANSWER, condition_to_json


def test_risk_level_at_least_compares_levels() -> None:
    condition = parse_condition({"risk_level_at_least": "medium"})
    assert condition_to_json(condition) == {"risk_level_at_least": "medium"}
    assert evaluate(condition, {RISK_LEVEL_ANSWER: "high"})
    assert evaluate(condition, {RISK_LEVEL_ANSWER: "medium"})
    assert not evaluate(condition, {RISK_LEVEL_ANSWER: "low"})
    assert not evaluate(condition, {})
    assert not evaluate(condition, {RISK_LEVEL_ANSWER: ["high"]})
    with pytest.raises(ValueError):
        parse_condition({"risk_level_at_least": "extreme"})


def _all_no(library: FormLibrary) -> dict[str, Any]:
    checklist = library.get("warning_signs")
    answers: dict[str, Any] = {f.id: {"answer": "no"} for f in checklist.indicator_fields()}
    answers.update(child_id="3f8e0c52-7c36-4a61-9b9e-1d2f3a4b5c6d",
                   assessed_at="2026-11-20T14:05:00+00:00")
    return answers


def test_a_high_risk_checklist_needs_a_view_and_an_action(library: FormLibrary) -> None:
    checklist = library.get("warning_signs")
    answers = _all_no(library)
    assert validate_answers(checklist, answers) == []
    answers["trafficked_between_locations"] = {"answer": "yes"}  # an override: high
    problems = {e.field_id: e.message for e in validate_answers(checklist, answers)}
    assert problems["professional_judgement"].startswith("High risk: write your professional")
    assert problems["actions"].startswith("High risk: add at least one action")
    answers["professional_judgement"] = "Strong concerns: moved between towns by adults."
    answers["actions"] = [{"what": "Strategy meeting", "owner": "Social care"}]
    assert validate_answers(checklist, answers) == []
    # Drafts may be saved without them.
    del answers["actions"]
    assert validate_answers(checklist, answers, for_signing=False) == []


def test_a_safeguarding_override_needs_someone_to_share_with(library: FormLibrary) -> None:
    rhi = library.get("return_interview")
    answers = {"consent_to_share": "not_asked_safeguarding_override",
               "safeguarding_override_reason": "Immediate risk"}
    problems = {e.field_id: e.message for e in validate_answers(rhi, answers)}
    assert "at least one agency" in problems["share_with"]
    answers["share_with"] = ["police"]
    assert "share_with" not in {e.field_id for e in validate_answers(rhi, answers)}
    answers = {"consent_to_share": "yes"}
    assert "share_with" not in {e.field_id for e in validate_answers(rhi, answers)}


def test_rules_are_checked_when_a_definition_loads(write_form: Callable[..., Any],
                                                   shipped: Callable[[str], Any]) -> None:
    note = shipped("case_note")
    field = note["sections"][0]["fields"][-1]
    field["required_if"] = {"risk_level_at_least": "high"}
    with pytest.raises(FormDefinitionError, match="only for checklists"):
        load_definition(write_form(note))
    note = shipped("case_note")
    note["sections"][0]["fields"][-1]["required_if_message"] = "Say something."
    with pytest.raises(FormDefinitionError, match="needs a required_if"):
        load_definition(write_form(note))


def test_nhs_numbers_are_checked_with_the_mod_11_check_digit(library: FormLibrary) -> None:
    from cse_desktop.forms.validation import is_nhs_number

    assert is_nhs_number("943 476 5919")  # the NHS's published example
    assert is_nhs_number("9434765919")
    assert not is_nhs_number("943 476 5918")  # wrong check digit
    assert not is_nhs_number("943476591")  # nine digits
    assert not is_nhs_number("１２３４５６７８９０")  # not ASCII digits
    assert not is_nhs_number("1000000010")  # the check digit would be 10: never issued
    child = library.get("child")
    answers = {"first_name": "Ada", "last_name": "Vale", "date_of_birth": "2011-03-03",
               "nhs_number": "943 476 5918"}
    problems = {e.field_id: e.message for e in validate_answers(child, answers)}
    assert "not a valid NHS number" in problems["nhs_number"]
    answers["nhs_number"] = "943 476 5919"
    assert validate_answers(child, answers) == []


def test_a_date_of_birth_must_be_before_today(library: FormLibrary) -> None:
    from datetime import date

    child = library.get("child")
    answers = {"first_name": "Ada", "last_name": "Vale", "date_of_birth": "2026-11-20"}
    today = date(2026, 11, 20)
    problems = {e.field_id: e.message for e in validate_answers(child, answers, today=today)}
    assert problems == {"date_of_birth": "'Date of birth' must be before today."}
    answers["date_of_birth"] = "2030-01-01"
    assert validate_answers(child, answers, today=today) != []
    answers["date_of_birth"] = "2026-11-19"
    assert validate_answers(child, answers, today=today) == []
