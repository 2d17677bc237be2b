"""The library of definitions: lookups, versions, and old records keeping their version."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cse_desktop.forms import FormLibrary, UnknownFormError, validate_answers

CHILD_ID = "3f2a6c1e-8b7d-4c5e-9a1b-2c3d4e5f6a7b"
V1_NOTE = {
    "child_id": CHILD_ID,
    "occurred_at": "2025-03-04T10:30:00+00:00",
    "contact_type": "phone",
    "summary": "Phoned Zoë after school; she is settled.",
}


@pytest.fixture
def two_versions(
    shipped: Callable[[str], dict[str, Any]], write_form: Callable[..., Path]
) -> FormLibrary:
    v1 = shipped("case_note")
    write_form(v1)
    v2 = shipped("case_note")
    v2["version"] = 2
    contact = v2["sections"][0]["fields"][2]
    assert contact["id"] == "contact_type"
    contact["options"] = [o for o in contact["options"] if o["value"] != "phone"]
    contact["options"].append({"value": "video_call", "label": "Video call"})
    v2["sections"][1]["fields"].append(
        {"id": "mood", "type": "choice", "label": "Child's mood", "required": True,
         "options": [{"value": "ok", "label": "OK"}, {"value": "low", "label": "Low"}]}
    )  # fmt: skip
    path = write_form(v2)
    return FormLibrary(path.parent)


def test_old_answers_still_validate_against_their_own_version(two_versions: FormLibrary) -> None:
    assert two_versions.versions("case_note") == [1, 2]
    assert two_versions.latest("case_note").version == 2
    assert two_versions.get("case_note").version == 2
    v1 = two_versions.get("case_note", 1)
    assert v1.key == "case_note.v1"
    assert validate_answers(v1, V1_NOTE) == []
    assert v1.field("contact_type").option_label("phone") == "Phone call"

    latest_errors = {
        e.field_id for e in validate_answers(two_versions.latest("case_note"), V1_NOTE)
    }
    assert latest_errors == {"contact_type", "mood"}


def test_unknown_forms_and_versions_say_what_is_installed(two_versions: FormLibrary) -> None:
    with pytest.raises(KeyError) as caught:
        two_versions.get("intake")
    assert str(caught.value) == "There is no form called 'intake' (installed: case_note)."
    with pytest.raises(UnknownFormError) as caught:
        two_versions.get("case_note", 3)
    assert str(caught.value) == "Form 'case_note' has no version 3 (installed versions: 1, 2)."
    assert two_versions.versions("intake") == []
    assert "case_note" in two_versions and "intake" not in two_versions


def test_library_lists_everything(two_versions: FormLibrary) -> None:
    assert two_versions.form_ids() == ["case_note"]
    assert [d.key for d in two_versions.definitions()] == ["case_note.v1", "case_note.v2"]


def test_schema_file_in_the_folder_is_not_a_form(library: FormLibrary) -> None:
    assert "form-definition" not in " ".join(library.form_ids())
    assert (library.forms_dir / "form-definition.schema.json").exists()
