"""Broken definitions give a FormDefinitionError naming the file, the field and the problem."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cse_desktop.forms import FormDefinitionError, FormLibrary, load_definition

Raw = dict[str, Any]


def field_of(raw: Raw, field_id: str) -> Raw:
    for section in raw["sections"]:
        for field in section["fields"]:
            if field["id"] == field_id:
                return field
    raise KeyError(field_id)


def remove_options(raw: Raw) -> None:
    del field_of(raw, "contact_type")["options"]


def empty_options(raw: Raw) -> None:
    field_of(raw, "contact_type")["options"] = []


def duplicate_field(raw: Raw) -> None:
    raw["sections"][1]["fields"].append({"id": "summary", "type": "text", "label": "Again"})


def unknown_condition_field(raw: Raw) -> None:
    field_of(raw, "location")["show_if"] = {"field": "contact_kind", "equals": "outreach"}


def unknown_nested_condition_field(raw: Raw) -> None:
    field_of(raw, "location")["required_if"] = {
        "any": [{"not": {"field": "contact_tipe", "in": ["phone"]}}]
    }


def condition_value_not_an_option(raw: Raw) -> None:
    field_of(raw, "location")["show_if"] = {"field": "contact_type", "equals": "face to face"}


def contains_on_a_choice(raw: Raw) -> None:
    field_of(raw, "location")["show_if"] = {"field": "contact_type", "contains": "outreach"}


def later_than_on_text(raw: Raw) -> None:
    field_of(raw, "location")["required_if"] = {
        "field": "occurred_at",
        "later_than": {"field": "people_present", "hours": 1},
    }


def show_if_loop(raw: Raw) -> None:
    field_of(raw, "location")["show_if"] = {"field": "people_present", "equals": "x"}
    field_of(raw, "people_present")["show_if"] = {"field": "location", "equals": "y"}


def indicator_without_weight(raw: Raw) -> None:
    raw["sections"][1]["fields"].append({"id": "worry", "type": "indicator", "label": "Worry"})


def weight_on_text(raw: Raw) -> None:
    field_of(raw, "location")["weight"] = 2


def scoring_without_indicators(raw: Raw) -> None:
    raw["scoring"] = {
        "type": "weighted_indicators",
        "thresholds": [{"min_score": 0, "level": "low"}],
    }


def thresholds_not_from_zero(raw: Raw) -> None:
    raw["sections"][1]["fields"].append(
        {"id": "worry", "type": "indicator", "label": "Worry", "weight": 1}
    )
    raw["scoring"] = {
        "type": "weighted_indicators",
        "thresholds": [{"min_score": 1, "level": "low"}],
    }


def thresholds_out_of_order(raw: Raw) -> None:
    raw["sections"][1]["fields"].append(
        {"id": "worry", "type": "indicator", "label": "Worry", "weight": 1}
    )
    raw["scoring"] = {
        "type": "weighted_indicators",
        "thresholds": [{"min_score": 0, "level": "low"}, {"min_score": 0, "level": "high"}],
    }


def override_without_override_level(raw: Raw) -> None:
    raw["sections"][1]["fields"].append(
        {"id": "worry", "type": "indicator", "label": "Worry", "weight": 0, "override": True}
    )
    raw["scoring"] = {
        "type": "weighted_indicators",
        "thresholds": [{"min_score": 0, "level": "low"}],
    }


def missing_label(raw: Raw) -> None:
    del field_of(raw, "location")["label"]


def misspelt_key(raw: Raw) -> None:
    field_of(raw, "location")["requred"] = True


def unknown_type(raw: Raw) -> None:
    field_of(raw, "location")["type"] = "postcode"


def list_inside_list(raw: Raw) -> None:
    field_of(raw, "actions")["item_fields"].append(
        {"id": "steps", "type": "list", "label": "Steps", "item_fields": []}
    )


def item_condition_unknown(raw: Raw) -> None:
    field_of(raw, "actions")["item_fields"][1]["show_if"] = {"field": "who", "equals": "x"}


def ref_without_target(raw: Raw) -> None:
    del field_of(raw, "child_id")["ref"]


def options_on_yes_no(raw: Raw) -> None:
    field_of(raw, "sensitive")["options"] = [{"value": "yes", "label": "Yes"}]


def duplicate_option(raw: Raw) -> None:
    field_of(raw, "contact_type")["options"].append({"value": "phone", "label": "Telephone"})


def min_above_max(raw: Raw) -> None:
    raw["sections"][1]["fields"].append(
        {"id": "age", "type": "number", "label": "Age", "min": 18, "max": 10}
    )


def occurred_at_unknown(raw: Raw) -> None:
    raw["occurred_at_field"] = "happened_at"


def occurred_at_not_a_time(raw: Raw) -> None:
    raw["occurred_at_field"] = "summary"


def not_before_unknown(raw: Raw) -> None:
    field_of(raw, "occurred_at")["not_before"] = "started_at"


def wrong_version_in_name(raw: Raw) -> None:
    raw["version"] = 2


CASES: list[tuple[Callable[[Raw], None], str | None, str]] = [
    (remove_options, "contact_type", "choice field has no options"),
    (empty_options, "contact_type", "choice field has no options"),
    (duplicate_field, "summary", "the field id is used twice"),
    (unknown_condition_field, "location", "show_if refers to unknown field 'contact_kind'"),
    (
        unknown_nested_condition_field,
        "location",
        "required_if refers to unknown field 'contact_tipe'",
    ),
    (
        condition_value_not_an_option,
        "location",
        "show_if compares 'contact_type' with \"face to face\", which is not one of its options",
    ),
    (contains_on_a_choice, "location", "not a multi_choice field"),
    (later_than_on_text, "location", "'people_present', which is not a datetime field"),
    (show_if_loop, "location", "loop: location → people_present → location"),
    (indicator_without_weight, "worry", "indicator field has no weight"),
    (weight_on_text, "location", "only indicator fields can have a weight"),
    (scoring_without_indicators, None, "scoring is defined but the form has no indicator fields"),
    (thresholds_not_from_zero, None, "must start at min_score 0"),
    (thresholds_out_of_order, None, "increasing min_score"),
    (override_without_override_level, "worry", "no override_level"),
    (missing_label, "location", "'label' is a required property"),
    (misspelt_key, "location", "'requred' was unexpected"),
    (unknown_type, "location", "type: 'postcode' is not one of"),
    (list_inside_list, "actions.steps", "a list field cannot be used inside a list"),
    (item_condition_unknown, "actions.owner", "show_if refers to unknown field 'who'"),
    (ref_without_target, "child_id", "ref field does not say what it refers to"),
    (options_on_yes_no, "sensitive", "yes_no fields have fixed answers"),
    (duplicate_option, "contact_type", "option id 'phone' is used twice"),
    (min_above_max, "age", "min (18) is more than max (10)"),
    (occurred_at_unknown, None, "occurred_at_field names unknown field 'happened_at'"),
    (occurred_at_not_a_time, "summary", "occurred_at_field must be a date or datetime field"),
    (not_before_unknown, "occurred_at", "not_before refers to unknown field 'started_at'"),
    (wrong_version_in_name, None, "the file name should be 'case_note.v2.json'"),
]


@pytest.mark.parametrize(
    ("breaker", "field", "problem"), CASES, ids=[case[0].__name__ for case in CASES]
)
def test_broken_definition_names_file_field_and_problem(
    shipped: Callable[[str], Raw],
    write_form: Callable[..., Path],
    breaker: Callable[[Raw], None],
    field: str | None,
    problem: str,
) -> None:
    raw = shipped("case_note")
    breaker(raw)
    path = write_form(raw, name="case_note.v1.json")
    with pytest.raises(FormDefinitionError) as caught:
        load_definition(path)
    error = caught.value
    assert error.path == path
    assert error.field == field
    assert problem in error.problem
    where = error.file if field is None else f"{error.file}, field '{field}'"
    assert str(error) == f"{where}: {error.problem}"
    # and the library refuses to start with it
    with pytest.raises(FormDefinitionError):
        FormLibrary(path.parent)


def test_message_reads_like_the_design(
    shipped: Callable[[str], Raw],
    write_form: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = shipped("case_note")
    remove_options(raw)
    path = write_form(raw, name="case_note.v1.json")
    monkeypatch.chdir(path.parent.parent)
    with pytest.raises(FormDefinitionError) as caught:
        load_definition(path)
    assert str(caught.value) == (
        f"forms{os.sep}case_note.v1.json, field 'contact_type': choice field has no options"
    )
    assert caught.value.file == os.path.join("forms", "case_note.v1.json")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"form_id": "case_note",\n "version": 1,,}', "not valid JSON: "),
        ("", "not valid JSON: Expecting value (line 1, column 1)"),
        ("[]", "is not of type 'object'"),
    ],
)
def test_unreadable_files(write_form: Callable[..., Path], text: str, problem: str) -> None:
    path = write_form(text, name="case_note.v1.json")
    with pytest.raises(FormDefinitionError, match=r"case_note\.v1\.json") as caught:
        load_definition(path)
    assert caught.value.field is None
    assert problem in caught.value.problem


def test_bad_json_reports_line_and_column(write_form: Callable[..., Path]) -> None:
    path = write_form('{\n  "form_id": "case_note",\n  "version": 1,,\n}', name="case_note.v1.json")
    with pytest.raises(FormDefinitionError, match=r"line 3, column 16"):
        load_definition(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(FormDefinitionError, match="cannot be read"):
        load_definition(tmp_path / "case_note.v1.json")
    with pytest.raises(FormDefinitionError, match="the forms folder does not exist"):
        FormLibrary(tmp_path / "nowhere")
    (tmp_path / "odd.json").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(FormDefinitionError, match="not UTF-8"):
        load_definition(tmp_path / "odd.json")


def test_stray_json_files_in_the_forms_folder_are_refused(
    shipped: Callable[[str], Raw], write_form: Callable[..., Path]
) -> None:
    path = write_form(shipped("case_note"), name="case_note.json")
    with pytest.raises(FormDefinitionError, match=r"should be 'case_note\.v1\.json'"):
        FormLibrary(path.parent)
