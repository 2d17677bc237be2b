"""The shipped form definitions: they load, and they say what the domain brief says."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from cse_desktop.forms import FORMS_DIR, FormDefinition, FormLibrary, default_library
from cse_desktop.forms.paths import SCHEMA_PATH, builtin_forms_dir, configured_forms_dir

FORM_IDS = [
    "addendum",
    "case_note",
    "child",
    "missing_episode",
    "return_interview",
    "warning_signs",
]


def ids(defn: FormDefinition) -> list[str]:
    return [f.id for f in defn.fields()]


def required(defn: FormDefinition) -> set[str]:
    return {f.id for f in defn.fields() if f.required}


def option_values(defn: FormDefinition, field_id: str) -> list[str]:
    return list(defn.field(field_id).option_values)


def test_all_shipped_definitions_load(library: FormLibrary) -> None:
    assert library.form_ids() == FORM_IDS
    for form_id in FORM_IDS:
        defn = library.latest(form_id)
        assert defn.key == f"{form_id}.v1"
        assert defn.record_type == form_id
        assert defn.source_path == FORMS_DIR / f"{form_id}.v1.json"
        for field in defn.fields():
            assert field.label.strip()


def test_schema_is_valid_draft_2020_12() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_default_library_is_loaded_once() -> None:
    assert default_library() is default_library()


def test_forms_dir_can_be_overridden_and_follows_pyinstaller(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert builtin_forms_dir() == Path(__file__).resolve().parents[2] / "forms"
    monkeypatch.setenv("CSE_FORMS_DIR", str(tmp_path))
    assert configured_forms_dir() == tmp_path
    monkeypatch.delenv("CSE_FORMS_DIR")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert configured_forms_dir() == tmp_path / "forms"


def test_return_interview_matches_the_domain(library: FormLibrary) -> None:
    rhi = library.get("return_interview", 1)
    assert [s.id for s in rhi.sections] == [
        "episode",
        "timing",
        "while_missing",
        "risk",
        "voice",
        "consent",
        "outcomes",
    ]
    assert set(ids(rhi)) == {
        "child_id", "episode_id", "went_missing_at", "returned_at", "reported_by",
        "where_found", "police_reference", "placement_type", "offered_at", "completed_at",
        "outcome", "late_reason", "interviewer_independent", "location_of_interview",
        "where_stayed", "who_with", "travel", "push_factors", "pull_factors",
        "harm_experienced", "harm_details", "risk_indicators", "childs_words", "child_wants",
        "consent_to_share", "safeguarding_override_reason", "share_with", "referrals",
        "safety_plan", "actions",
    }  # fmt: skip
    assert required(rhi) == {
        "child_id", "episode_id", "went_missing_at", "returned_at", "reported_by",
        "offered_at", "outcome", "interviewer_independent", "completed_at",
        "safeguarding_override_reason",
    }  # fmt: skip
    assert rhi.field("child_id").ref == "child"
    assert rhi.field("episode_id").ref == "missing_episode"
    assert option_values(rhi, "reported_by") == [
        "parent_carer", "residential_home", "foster_carer", "school", "police", "other",
    ]  # fmt: skip
    assert option_values(rhi, "outcome") == [
        "completed", "declined_by_child", "declined_by_parent_carer", "child_not_found",
    ]  # fmt: skip
    assert len(option_values(rhi, "travel")) == 6
    assert len(option_values(rhi, "push_factors")) == 6
    assert len(option_values(rhi, "pull_factors")) == 7
    assert len(option_values(rhi, "risk_indicators")) == 8
    assert len(option_values(rhi, "share_with")) == 5
    assert "nrm" in option_values(rhi, "referrals")
    assert option_values(rhi, "consent_to_share") == [
        "yes",
        "no",
        "not_asked_safeguarding_override",
    ]
    actions = rhi.field("actions")
    assert [(f.id, f.type, f.required) for f in actions.item_fields] == [
        ("what", "text", True),
        ("owner", "text", True),
        ("due_date", "date", False),
        ("done", "yes_no", False),
    ]
    assert rhi.occurred_at_field == "returned_at"
    assert rhi.summary_field == "childs_words"


DOMAIN_WEIGHTS = {
    "missing_repeatedly": 3, "missing_overnight": 2, "absent_from_school": 1,
    "returns_with_unexplained_injury": 3, "older_boyfriend_girlfriend": 3,
    "associates_with_older_adults": 2, "picked_up_by_unknown_cars": 3, "isolated_from_peers": 1,
    "gang_association": 3, "sti_or_pregnancy": 3, "repeat_emergency_contraception": 2,
    "sexualised_behaviour_inappropriate_for_age": 2, "change_in_behaviour": 1, "self_harm": 2,
    "aggression": 1, "low_self_esteem": 1, "secretive_about_whereabouts": 2,
    "substance_misuse": 2, "given_drugs_or_alcohol_by_adults": 3,
    "unexplained_money_or_gifts": 2, "multiple_phones_or_sim_cards": 2,
    "new_clothes_or_items_unexplained": 1, "contact_with_unknown_adults_online": 2,
    "sharing_sexual_images": 3, "exclusion_or_truancy": 1, "decline_in_attainment": 1,
    "in_care": 1, "learning_disability": 1, "history_of_abuse": 2, "domestic_abuse_at_home": 1,
    "disclosed_sexual_abuse": 0, "found_with_adults_of_concern": 0,
    "exchanging_sex_for_goods": 0, "trafficked_between_locations": 0,
}  # fmt: skip


def test_warning_signs_matches_the_domain(library: FormLibrary) -> None:
    checklist = library.get("warning_signs")
    indicators = checklist.indicator_fields()
    assert {f.id: f.weight for f in indicators} == DOMAIN_WEIGHTS
    assert all(f.required for f in indicators)
    assert {f.id for f in indicators if f.override} == {
        "disclosed_sexual_abuse",
        "found_with_adults_of_concern",
        "exchanging_sex_for_goods",
        "trafficked_between_locations",
    }
    assert checklist.sections[0].title == "Assessment"
    assert [f.id for f in checklist.sections[0].fields] == ["child_id", "assessed_at"]
    assert required(checklist) - set(DOMAIN_WEIGHTS) == {"child_id", "assessed_at"}
    assert [f.id for f in checklist.sections[-1].fields] == ["professional_judgement", "actions"]
    assert checklist.field("professional_judgement").label == "Your professional view"
    scoring = checklist.scoring
    assert scoring is not None
    assert [(t.min_score, t.level.value) for t in scoring.thresholds] == [
        (0, "no_apparent"),
        (1, "low"),
        (7, "medium"),
        (15, "high"),
    ]
    assert scoring.override_level == "high"
    assert checklist.occurred_at_field == "assessed_at"
    assert checklist.field("missing_repeatedly").option_label("not_known") == "Not known"


def test_case_note_matches_the_domain(library: FormLibrary) -> None:
    note = library.get("case_note")
    assert set(ids(note)) == {
        "child_id", "occurred_at", "contact_type", "location", "people_present", "summary",
        "childs_voice", "actions", "sensitive",
    }  # fmt: skip
    assert required(note) == {"child_id", "occurred_at", "contact_type", "summary"}
    assert len(option_values(note, "contact_type")) == 7
    assert note.field("contact_type").option_label("text_online") == "Text or online message"
    assert note.field("contact_type").option_label("retired_option") == "retired_option"
    assert note.field("sensitive").type == "yes_no"
    assert note.occurred_at_field == "occurred_at"


def test_child_missing_episode_and_addendum(library: FormLibrary) -> None:
    child = library.get("child")
    assert required(child) == {"first_name", "last_name", "date_of_birth"}
    assert child.field("local_reference").label == "Council case number"
    assert option_values(child, "placement_type") == option_values(
        library.get("return_interview"), "placement_type"
    )
    assert len(option_values(child, "gender")) == 5
    assert child.occurred_at_field is None

    episode = library.get("missing_episode")
    assert required(episode) == {
        "child_id",
        "missing_or_absent",
        "went_missing_at",
        "reported_by",
    }
    assert not episode.field("returned_at").required  # the child may still be missing
    assert episode.occurred_at_field == "went_missing_at"

    addendum = library.get("addendum")
    assert required(addendum) == {"reason", "text"}
    assert addendum.field("reason").label == "Why this correction or addition is needed"


def test_field_lookup(library: FormLibrary) -> None:
    note = library.get("case_note")
    assert note.field("summary").type == "long_text"
    assert note.has_field("summary") and not note.has_field("nope")
    with pytest.raises(KeyError, match="no field called 'nope'"):
        note.field("nope")
    assert note.section_of("summary").id == "note"


def test_definitions_are_hashable_and_compare_by_content(library: FormLibrary) -> None:
    again = FormLibrary(FORMS_DIR).get("case_note")
    assert again == library.get("case_note")
    assert hash(again) == hash(library.get("case_note"))


def _raw(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_definition_files_are_tidy_json() -> None:
    for path in FORMS_DIR.glob("*.json"):
        text = path.read_text(encoding="utf-8")
        assert text.endswith("\n")
        assert _raw(path)
