"""Validating and cleaning answers: every field type, conditions and the messages people see."""

from __future__ import annotations

from typing import Any

import pytest

from cse_desktop.forms import (
    FieldError,
    FormDefinition,
    clean_answers,
    is_required,
    is_visible,
    validate_answers,
    visible_fields,
)

CHILD_ID = "3f2a6c1e-8b7d-4c5e-9a1b-2c3d4e5f6a7b"

VALID: list[tuple[str, Any]] = [
    ("name", "Zoë"),
    ("name", "Ó Briain"),
    ("story", "Line one\nLine two"),
    ("count", 0),
    ("count", 10),
    ("count", 2.5),
    ("day", "2026-02-28"),
    ("when", "2026-11-20T14:05:00+00:00"),
    ("when", "2026-11-20T14:05+01:00"),
    ("when", "2026-11-20T14:05:00Z"),
    ("colour", "red"),
    ("pets", ["cat", "dog"]),
    ("agree", "no"),
    ("worry", {"answer": "not_known"}),
    ("worry", {"answer": "yes", "note": "Told by school"}),
    ("child", CHILD_ID),
    ("tasks", [{"what": "Phone school", "due": "2026-12-01"}]),
]

INVALID: list[tuple[str, Any, str]] = [
    ("name", 42, "'Name' must be text."),
    ("name", "Two\nlines", "'Name' must be a single line of text."),
    ("name", "x" * 11, "'Name' must be 10 characters or fewer."),
    ("story", ["not", "text"], "'Story' must be text."),
    ("count", "3", "'Count' must be a number."),
    ("count", True, "'Count' must be a number."),
    ("count", float("nan"), "'Count' must be a number."),
    ("count", -1, "'Count' must be at least 0."),
    ("count", 11, "'Count' must be no more than 10."),
    ("day", "2026-02-30", "'Day': enter a date as day/month/year, for example 20/11/2026."),
    ("day", "20261120", "'Day': enter a date as day/month/year, for example 20/11/2026."),
    ("day", "2026-11-20T10:00:00+00:00",
     "'Day': enter a date as day/month/year, for example 20/11/2026."),
    (
        "when",
        "2026-11-20T14:05:00",
        "'When': enter a date and time with a time zone, for example 2026-11-20 14:05.",
    ),
    (
        "when",
        "2026-11-20",
        "'When': enter a date and time with a time zone, for example 2026-11-20 14:05.",
    ),
    (
        "when",
        "yesterday",
        "'When': enter a date and time with a time zone, for example 2026-11-20 14:05.",
    ),
    ("colour", "green", "'Colour' must be one of the listed options."),
    ("colour", ["red"], "'Colour' must be one of the listed options."),
    ("pets", "cat", "'Pets' must be a list of the listed options."),
    ("pets", ["cat", 1], "'Pets' must be a list of the listed options."),
    ("pets", ["cat", "hamster"], "'Pets' must only contain the listed options."),
    ("pets", ["cat", "cat"], "'Pets' lists the same option more than once."),
    ("agree", "maybe", "'Agree?' must be yes or no."),
    ("agree", True, "'Agree?' must be yes or no."),
    ("worry", "yes", "'Worry' must be answered yes, no or not known."),
    ("worry", {"answer": "perhaps"}, "'Worry' must be answered yes, no or not known."),
    ("worry", {"note": "no answer"}, "'Worry' must be answered yes, no or not known."),
    ("worry", {"answer": "yes", "score": 3}, "'Worry' can only have an answer and a note."),
    ("worry", {"answer": "yes", "note": 7}, "The note on 'Worry' must be text."),
    ("child", "not-a-uuid", "'Child' must link to a record, but this is not a record id."),
    ("child", 12345, "'Child' must link to a record, but this is not a record id."),
    ("tasks", {"what": "x"}, "'Tasks' must be a list of entries."),
]


def errors_for(defn: FormDefinition, answers: Any, **kwargs: Any) -> dict[str, str]:
    return {e.field_id: e.message for e in validate_answers(defn, answers, **kwargs)}


@pytest.mark.parametrize(("field_id", "value"), VALID)
def test_valid_answers_of_every_type_pass(
    every_type: FormDefinition, field_id: str, value: Any
) -> None:
    answers = {"name": "Zoë", field_id: value}
    assert validate_answers(every_type, answers) == []


@pytest.mark.parametrize(("field_id", "value", "message"), INVALID)
def test_invalid_answers_give_a_plain_message_naming_the_field(
    every_type: FormDefinition, field_id: str, value: Any, message: str
) -> None:
    answers = {"name": "Zoë", field_id: value}
    errors = validate_answers(every_type, answers)
    assert errors == [FieldError(field_id, message)]
    # drafts are checked for the same mistakes
    assert validate_answers(every_type, answers, for_signing=False) == errors


def test_missing_required_answer_is_reported_when_signing_only(every_type: FormDefinition) -> None:
    assert errors_for(every_type, {}) == {"name": "Name is required."}
    assert validate_answers(every_type, {}, for_signing=False) == []


@pytest.mark.parametrize("blank", [None, "", "   ", [], {}])
def test_blank_values_count_as_unanswered(every_type: FormDefinition, blank: Any) -> None:
    assert errors_for(every_type, {"name": blank}) == {"name": "Name is required."}


def test_question_labels_get_a_readable_required_message(library: Any) -> None:
    rhi = library.get("return_interview")
    errors = errors_for(rhi, {})
    assert (
        errors["interviewer_independent"] == "'Was the interviewer independent?' needs an answer."
    )
    assert errors["returned_at"] == "Date and time returned is required."


def test_unknown_questions_are_reported(every_type: FormDefinition) -> None:
    errors = errors_for(every_type, {"name": "Zoë", "shoe_size": 5})
    assert errors == {"shoe_size": "This form has no question called 'shoe_size'."}


@pytest.mark.parametrize("answers", [None, [], "answers", 3, [{"name": "x"}]])
def test_answers_that_are_not_a_dict_give_one_error(
    every_type: FormDefinition, answers: Any
) -> None:
    errors = validate_answers(every_type, answers)
    assert len(errors) == 1
    assert errors[0].field_id == ""
    assert "could not be read" in errors[0].message


def test_list_item_errors_are_located_by_index(every_type: FormDefinition) -> None:
    answers = {
        "name": "Zoë",
        "tasks": [
            {"what": "Phone school", "due": "2026-12-01"},
            {"due": "soon"},
            "not an item",
            {"what": "ok", "colour": "red"},
        ],
    }
    assert errors_for(every_type, answers) == {
        "tasks[1].what": "Tasks, item 2: What is required.",
        "tasks[1].due": ("Tasks, item 2: 'Due': enter a date as day/month/year, for example "
                         "20/11/2026."),
        "tasks[2]": "Tasks, item 3: this entry could not be read.",
        "tasks[3].colour": "Tasks, item 4: there is no question called 'colour'.",
    }
    # a draft does not need the required item answers, but still checks the date
    assert errors_for(every_type, answers, for_signing=False) == {
        "tasks[1].due": ("Tasks, item 2: 'Due': enter a date as day/month/year, for example "
                         "20/11/2026."),
        "tasks[2]": "Tasks, item 3: this entry could not be read.",
        "tasks[3].colour": "Tasks, item 4: there is no question called 'colour'.",
    }


def test_not_before_rejects_an_earlier_time(every_type: FormDefinition) -> None:
    answers = {
        "name": "Zoë",
        "when": "2026-11-20T14:05:00+00:00",
        "later": "2026-11-20T15:04:00+01:00",  # 14:04 UTC: one minute earlier
    }
    assert errors_for(every_type, answers) == {"later": "'Later' cannot be earlier than 'When'."}
    answers["later"] = "2026-11-20T15:05:00+01:00"  # the same moment is fine
    assert validate_answers(every_type, answers) == []


# -- conditions -------------------------------------------------------------------------------


def test_show_if_hides_a_field_and_its_answer_is_ignored_and_dropped(
    every_type: FormDefinition,
) -> None:
    other_pet = every_type.field("other_pet")
    hidden = {"name": "Zoë", "pets": ["cat"], "other_pet": 12}
    assert not is_visible(other_pet, hidden)
    assert not is_required(other_pet, hidden)
    assert other_pet not in visible_fields(every_type, hidden)
    assert validate_answers(every_type, hidden) == []  # the garbled hidden answer is ignored
    assert "other_pet" not in clean_answers(every_type, hidden)

    shown = {"name": "Zoë", "pets": ["cat", "other"]}
    assert is_visible(other_pet, shown)
    assert other_pet in visible_fields(every_type, shown)
    assert errors_for(every_type, shown) == {"other_pet": "Other pet is required."}


def test_harm_details_only_shown_when_harm_experienced_is_yes(library: Any) -> None:
    rhi = library.get("return_interview")
    details = rhi.field("harm_details")
    assert not is_visible(details, {})
    assert not is_visible(details, {"harm_experienced": "no"})
    assert is_visible(details, {"harm_experienced": "yes"})
    cleaned = clean_answers(rhi, {"harm_experienced": "no", "harm_details": "pushed"})
    assert cleaned == {"harm_experienced": "no"}


def test_completed_at_and_childs_words_needed_only_when_completed(library: Any) -> None:
    rhi = library.get("return_interview")
    completed = errors_for(rhi, {"outcome": "completed"})
    assert "completed_at" in completed
    assert completed["childs_words"] == "What the child said (in their own words) is required."
    declined = errors_for(rhi, {"outcome": "declined_by_child", "completed_at": "garbage"})
    assert "completed_at" not in declined
    assert "childs_words" not in declined
    assert not is_visible(rhi.field("completed_at"), {"outcome": "declined_by_child"})


def test_safeguarding_override_needs_a_reason(library: Any) -> None:
    rhi = library.get("return_interview")
    override = {"consent_to_share": "not_asked_safeguarding_override"}
    assert "safeguarding_override_reason" in errors_for(rhi, override)
    assert "safeguarding_override_reason" not in errors_for(rhi, {"consent_to_share": "no"})


RETURNED = "2026-11-20T14:05:00+00:00"


@pytest.mark.parametrize(
    ("offered_at", "late"),
    [
        ("2026-11-21T09:00:00+00:00", False),
        ("2026-11-23T14:05:00+00:00", False),  # exactly 72 hours: in time
        ("2026-11-23T15:05:00+01:00", False),  # the same moment in another zone
        ("2026-11-23T14:06:00+00:00", True),  # 72 hours and a minute: late
        ("2026-11-30T10:00:00+00:00", True),
    ],
)
def test_late_reason_required_when_offered_after_72_hours(
    library: Any, offered_at: str, late: bool
) -> None:
    rhi = library.get("return_interview")
    answers = {"returned_at": RETURNED, "offered_at": offered_at}
    assert is_required(rhi.field("late_reason"), answers) is late
    assert ("late_reason" in errors_for(rhi, answers)) is late
    answers["late_reason"] = "The child could not be reached."
    assert "late_reason" not in errors_for(rhi, answers)


def test_late_reason_not_required_when_times_are_missing_or_garbled(library: Any) -> None:
    rhi = library.get("return_interview")
    late_reason = rhi.field("late_reason")
    for answers in (
        {},
        {"offered_at": "2026-11-30T10:00:00+00:00"},
        {"returned_at": "last week", "offered_at": "2026-11-30T10:00:00+00:00"},
        {"returned_at": RETURNED, "offered_at": "2026-11-30T10:00:00"},  # no time zone
    ):
        assert not is_required(late_reason, answers)


def test_hiding_a_field_hides_fields_that_depend_on_it(write_form: Any) -> None:
    from cse_desktop.forms import load_definition

    chained = {
        "form_id": "chain",
        "version": 1,
        "title": "Chain",
        "record_type": "case_note",
        "sections": [
            {
                "id": "s",
                "title": "S",
                "fields": [
                    {"id": "a", "type": "yes_no", "label": "A"},
                    {
                        "id": "b",
                        "type": "yes_no",
                        "label": "B",
                        "show_if": {"field": "a", "equals": "yes"},
                    },
                    {
                        "id": "c",
                        "type": "text",
                        "label": "C",
                        "required": True,
                        "show_if": {"field": "b", "equals": "yes"},
                    },
                ],
            }
        ],
    }
    defn = load_definition(write_form(chained))
    answers = {"a": "no", "b": "yes", "c": "stale"}
    assert clean_answers(defn, answers) == {"a": "no"}
    assert [f.id for f in visible_fields(defn, answers)] == ["a"]
    assert validate_answers(defn, {"a": "no", "b": "yes"}) == []
    assert errors_for(defn, {"a": "yes", "b": "yes"}) == {"c": "C is required."}


# -- cleaning ---------------------------------------------------------------------------------


def test_clean_answers_drops_unknown_keys_and_empty_values(every_type: FormDefinition) -> None:
    answers = {
        "name": "Zoë",
        "story": "",
        "count": 0,
        "agree": "   ",
        "pets": [],
        "day": None,
        "worry": {"answer": "no", "note": ""},
        "tasks": [{"what": "Phone school", "due": ""}, {"what": "", "due": None}, {}],
        "not_a_field": "x",
    }
    assert clean_answers(every_type, answers) == {
        "name": "Zoë",
        "count": 0,
        "worry": {"answer": "no"},
        "tasks": [{"what": "Phone school"}],
    }


def test_clean_answers_keeps_wrong_values_for_validation_and_copies(
    every_type: FormDefinition,
) -> None:
    answers = {"name": "Zoë", "colour": "green", "tasks": [{"what": "x"}]}
    cleaned = clean_answers(every_type, answers)
    assert cleaned == answers
    cleaned["tasks"][0]["what"] = "changed"
    assert answers["tasks"][0]["what"] == "x"
    assert clean_answers(every_type, cleaned) == cleaned
    assert clean_answers(every_type, "not a dict") == {}
