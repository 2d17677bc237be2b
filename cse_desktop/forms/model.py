"""The in-memory shape of a form definition: sections, fields, options and scoring rules.

These are plain frozen dataclasses built by ``load_definition``; they never change after
loading, so the Qt form, validation, the PDF layout and the export all see the same thing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

from cse_desktop.forms.conditions import Condition
from cse_desktop.forms.levels import RiskLevel

FIELD_TYPES = (
    "text",
    "long_text",
    "number",
    "date",
    "datetime",
    "choice",
    "multi_choice",
    "yes_no",
    "indicator",
    "ref",
    "list",
)
# Types allowed inside a list's items.
ITEM_FIELD_TYPES = frozenset(
    {"text", "long_text", "number", "date", "datetime", "choice", "multi_choice", "yes_no", "ref"}
)
REF_TARGETS = ("child", "missing_episode")
INDICATOR_ANSWERS = ("yes", "no", "not_known")


@dataclass(frozen=True)
class Option:
    value: str
    label: str


YES_NO_OPTIONS = (Option("yes", "Yes"), Option("no", "No"))
INDICATOR_OPTIONS = (Option("yes", "Yes"), Option("no", "No"), Option("not_known", "Not known"))


@dataclass(frozen=True)
class Field:
    """One question on a form.

    ``options`` is filled in for ``yes_no`` and ``indicator`` fields too (Yes / No / Not known)
    so that every field with a fixed set of answers can be rendered the same way.
    """

    id: str
    type: str
    label: str
    help: str = ""
    required: bool = False
    options: tuple[Option, ...] = ()
    show_if: Condition | None = None
    required_if: Condition | None = None
    required_if_message: str | None = None  # said when required_if makes it needed (a rule)
    weight: int | None = None
    override: bool = False
    ref: str | None = None
    item_fields: tuple[Field, ...] = ()
    max_length: int | None = None
    min: float | None = None
    max: float | None = None
    not_before: str | None = None  # id of a date/datetime field this one may not precede
    past_only: bool = False  # a date before today (e.g. a date of birth)
    format: str | None = None  # a checked text format: "nhs_number" (10 digits, mod-11 check)

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(option.value for option in self.options)

    def option_label(self, value: Any) -> str:
        """The label shown for a stored option value (the value itself if it is unknown)."""
        for option in self.options:
            if option.value == value:
                return option.label
        return "" if value is None else str(value)

    def item_field(self, field_id: str) -> Field:
        for item in self.item_fields:
            if item.id == field_id:
                return item
        raise KeyError(f"'{self.label}' items have no field called '{field_id}'")


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    fields: tuple[Field, ...]
    description: str = ""


@dataclass(frozen=True)
class Threshold:
    min_score: int
    level: RiskLevel


@dataclass(frozen=True)
class Scoring:
    """A checklist's scoring rule; thresholds are sorted by ``min_score``, the first is 0."""

    type: str
    thresholds: tuple[Threshold, ...]
    override_level: RiskLevel | None = None


@dataclass(frozen=True)
class FormDefinition:
    form_id: str
    version: int
    title: str
    record_type: str
    description: str
    sections: tuple[Section, ...]
    scoring: Scoring | None = None
    occurred_at_field: str | None = None
    summary_field: str | None = None
    source_path: Path | None = None
    _index: dict[str, Field] = dataclass_field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self._index.update({f.id: f for section in self.sections for f in section.fields})

    @property
    def key(self) -> str:
        """The form and version as one string, e.g. "case_note.v1"."""
        return f"{self.form_id}.v{self.version}"

    def fields(self) -> Iterator[Field]:
        """Every top-level field, in the order the form shows them."""
        for section in self.sections:
            yield from section.fields

    def field(self, field_id: str) -> Field:
        try:
            return self._index[field_id]
        except KeyError:
            raise KeyError(f"form {self.key} has no field called '{field_id}'") from None

    def has_field(self, field_id: str) -> bool:
        return field_id in self._index

    def indicator_fields(self) -> list[Field]:
        return [f for f in self.fields() if f.type == "indicator"]

    def section_of(self, field_id: str) -> Section:
        for section in self.sections:
            if any(f.id == field_id for f in section.fields):
                return section
        raise KeyError(f"form {self.key} has no field called '{field_id}'")


class FormDefinitionError(Exception):
    """A form definition file is broken.  ``str()`` names the file, the field and the problem:

    "forms/case_note.v1.json, field 'contact_type': choice field has no options"
    """

    def __init__(self, file: str | Path, field: str | None, problem: str) -> None:
        self.path = Path(file)
        self.file = _display_path(self.path)
        self.field = field
        self.problem = problem
        super().__init__(self.file, field, problem)

    def __str__(self) -> str:
        where = self.file if self.field is None else f"{self.file}, field '{self.field}'"
        return f"{where}: {self.problem}"


def _display_path(path: Path) -> str:
    """The path relative to the working folder when it is inside it, else as given."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)
