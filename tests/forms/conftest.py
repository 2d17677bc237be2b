"""Shared fixtures for the forms engine tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cse_desktop.forms import (
    FORMS_DIR,
    FormDefinition,
    FormLibrary,
    default_library,
    load_definition,
)

WriteForm = Callable[..., Path]


@pytest.fixture(scope="session")
def library() -> FormLibrary:
    return default_library()


@pytest.fixture
def forms_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "forms"
    folder.mkdir()
    return folder


@pytest.fixture
def write_form(forms_dir: Path) -> WriteForm:
    """Write a definition dict (or raw text) into the temporary forms folder."""

    def write(definition: dict[str, Any] | str, name: str | None = None) -> Path:
        if isinstance(definition, str):
            assert name is not None
            text = definition
        else:
            name = name or f"{definition['form_id']}.v{definition['version']}.json"
            text = json.dumps(definition, indent=2, ensure_ascii=False)
        path = forms_dir / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def shipped() -> Callable[[str], dict[str, Any]]:
    """A fresh, editable copy of a shipped definition's JSON."""

    def load(form_id: str, version: int = 1) -> dict[str, Any]:
        path = FORMS_DIR / f"{form_id}.v{version}.json"
        return json.loads(path.read_text(encoding="utf-8"))

    return load


EVERY_TYPE: dict[str, Any] = {
    "form_id": "every_type",
    "version": 1,
    "title": "Every field type",
    "record_type": "case_note",
    "occurred_at_field": "when",
    "summary_field": "story",
    "sections": [
        {
            "id": "main",
            "title": "Main",
            "fields": [
                {"id": "name", "type": "text", "label": "Name", "required": True, "max_length": 10},
                {"id": "story", "type": "long_text", "label": "Story"},
                {"id": "count", "type": "number", "label": "Count", "min": 0, "max": 10},
                {"id": "day", "type": "date", "label": "Day"},
                {"id": "when", "type": "datetime", "label": "When"},
                {"id": "later", "type": "datetime", "label": "Later", "not_before": "when"},
                {
                    "id": "colour",
                    "type": "choice",
                    "label": "Colour",
                    "options": [
                        {"value": "red", "label": "Red"},
                        {"value": "blue", "label": "Blue"},
                    ],
                },
                {
                    "id": "pets",
                    "type": "multi_choice",
                    "label": "Pets",
                    "options": [
                        {"value": "cat", "label": "Cat"},
                        {"value": "dog", "label": "Dog"},
                        {"value": "other", "label": "Other"},
                    ],
                },
                {
                    "id": "other_pet",
                    "type": "text",
                    "label": "Other pet",
                    "required": True,
                    "show_if": {"field": "pets", "contains": "other"},
                },
                {"id": "agree", "type": "yes_no", "label": "Agree?"},
                {"id": "worry", "type": "indicator", "label": "Worry", "weight": 2},
                {"id": "child", "type": "ref", "ref": "child", "label": "Child"},
                {
                    "id": "tasks",
                    "type": "list",
                    "label": "Tasks",
                    "item_fields": [
                        {"id": "what", "type": "text", "label": "What", "required": True},
                        {"id": "due", "type": "date", "label": "Due"},
                    ],
                },
            ],
        }
    ],
}


@pytest.fixture
def every_type(write_form: WriteForm) -> FormDefinition:
    return load_definition(write_form(EVERY_TYPE))
