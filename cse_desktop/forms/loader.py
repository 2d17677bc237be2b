"""Loading a form definition file: JSON Schema first, then the checks a schema cannot make.

Every problem is reported as a ``FormDefinitionError`` naming the file, the field (when there
is one) and the problem in words, so whoever edits a definition can fix it without reading code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cse_desktop.forms.conditions import (
    AllOf,
    AnyOf,
    Condition,
    Contains,
    Equals,
    In,
    LaterThan,
    Not,
    RiskAtLeast,
    parse_condition,
    referenced_fields,
)
from cse_desktop.forms.levels import RiskLevel
from cse_desktop.forms.model import (
    INDICATOR_OPTIONS,
    ITEM_FIELD_TYPES,
    YES_NO_OPTIONS,
    Field,
    FormDefinition,
    FormDefinitionError,
    Option,
    Scoring,
    Section,
    Threshold,
)
from cse_desktop.forms.paths import SCHEMA_PATH

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

_CHOICE_TYPES = ("choice", "multi_choice")
_OPTIONED_TYPES = ("choice", "multi_choice", "yes_no", "indicator")
_TEXT_TYPES = ("text", "long_text")
_MOMENT_TYPES = ("date", "datetime")


def load_definition(path: str | Path) -> FormDefinition:
    """Read, check and build one definition; raises ``FormDefinitionError`` if it is broken."""
    path = Path(path)
    raw = _read_json(path)
    _check_schema(path, raw)
    definition = _build_definition(path, raw)
    _check_definition(path, definition)
    return definition


@lru_cache(maxsize=1)
def schema_validator() -> Draft202012Validator:
    """The validator for the definition JSON Schema shipped with the app (jsonschema is
    imported here, when definitions are first loaded, not on the way to the unlock screen)."""
    from jsonschema import Draft202012Validator

    with SCHEMA_PATH.open(encoding="utf-8") as handle:
        schema = json.load(handle)
    return Draft202012Validator(schema)


# -- reading and the JSON Schema ---------------------------------------------------------------


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise FormDefinitionError(path, None, "the file is not UTF-8 text") from None
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise FormDefinitionError(path, None, f"the file cannot be read ({reason})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        problem = f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        raise FormDefinitionError(path, None, problem) from None


def _check_schema(path: Path, raw: Any) -> None:
    from jsonschema.exceptions import best_match

    error = best_match(schema_validator().iter_errors(raw))
    if error is None:
        return
    location = list(error.absolute_path)
    field_id, field_at = _field_at(raw, location)
    inside = location[field_at:] if field_id is not None else location
    where = _path_text(inside)
    problem = error.message if not where else f"{where}: {error.message}"
    raise FormDefinitionError(path, field_id, problem)


def _field_at(raw: Any, location: Sequence[Any]) -> tuple[str | None, int]:
    """The innermost field on the path to an error, and where its part of the path ends."""
    node, found, found_at = raw, None, 0
    for depth, step in enumerate(location):
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        parent_key = location[depth - 1] if depth else None
        if parent_key in ("fields", "item_fields") and isinstance(node, dict):
            node_id = node.get("id")
            if isinstance(node_id, str):
                found = node_id if found is None or parent_key == "fields" else f"{found}.{node_id}"
                found_at = depth + 1
    return found, found_at


def _path_text(location: Iterable[Any]) -> str:
    text = ""
    for step in location:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


# -- building the dataclasses (the shape is already known to be right) ------------------------


def _build_definition(path: Path, raw: dict[str, Any]) -> FormDefinition:
    sections = tuple(
        Section(
            id=s["id"],
            title=s["title"],
            description=s.get("description", ""),
            fields=tuple(_build_field(path, f, prefix="") for f in s["fields"]),
        )
        for s in raw["sections"]
    )
    return FormDefinition(
        form_id=raw["form_id"],
        version=raw["version"],
        title=raw["title"],
        record_type=raw["record_type"],
        description=raw.get("description", ""),
        sections=sections,
        scoring=_build_scoring(raw.get("scoring")),
        occurred_at_field=raw.get("occurred_at_field"),
        summary_field=raw.get("summary_field"),
        source_path=path,
    )


def _build_field(path: Path, raw: dict[str, Any], prefix: str) -> Field:
    field_type = raw["type"]
    name = prefix + raw["id"]
    if field_type in ("yes_no", "indicator") and "options" in raw:
        raise FormDefinitionError(
            path, name, f"{field_type} fields have fixed answers; remove their 'options'"
        )
    if field_type == "yes_no":
        options: tuple[Option, ...] = YES_NO_OPTIONS
    elif field_type == "indicator":
        options = INDICATOR_OPTIONS
    else:
        options = tuple(Option(o["value"], o["label"]) for o in raw.get("options", ()))
    return Field(
        id=raw["id"],
        type=field_type,
        label=raw["label"],
        help=raw.get("help", ""),
        required=raw.get("required", False),
        options=options,
        show_if=_condition(path, name, raw.get("show_if")),
        required_if=_condition(path, name, raw.get("required_if")),
        required_if_message=raw.get("required_if_message"),
        weight=raw.get("weight"),
        override=raw.get("override", False),
        ref=raw.get("ref"),
        item_fields=tuple(_build_field(path, f, f"{name}.") for f in raw.get("item_fields", ())),
        max_length=raw.get("max_length"),
        min=raw.get("min"),
        max=raw.get("max"),
        not_before=raw.get("not_before"),
        past_only=raw.get("past_only", False),
        format=raw.get("format"),
    )


def _condition(path: Path, field_name: str, raw: Any) -> Condition | None:
    if raw is None:
        return None
    try:
        return parse_condition(raw)
    except ValueError as exc:
        raise FormDefinitionError(path, field_name, f"condition not understood: {exc}") from None


def _build_scoring(raw: dict[str, Any] | None) -> Scoring | None:
    if raw is None:
        return None
    thresholds = tuple(Threshold(t["min_score"], RiskLevel(t["level"])) for t in raw["thresholds"])
    override = raw.get("override_level")
    return Scoring(
        type=raw["type"],
        thresholds=thresholds,
        override_level=RiskLevel(override) if override is not None else None,
    )


# -- checks across the whole definition -------------------------------------------------------


def _check_definition(path: Path, definition: FormDefinition) -> None:
    expected = f"{definition.form_id}.v{definition.version}.json"
    if path.name != expected:
        raise FormDefinitionError(
            path, None, f"the file name should be '{expected}' to match its form_id and version"
        )
    _check_unique(path, [s.id for s in definition.sections], None, "section")
    fields = list(definition.fields())
    _check_fields(path, fields, prefix="")
    _check_show_if_loops(path, fields)
    _check_special_field(
        path, definition, definition.occurred_at_field, "occurred_at_field", _MOMENT_TYPES
    )
    _check_special_field(path, definition, definition.summary_field, "summary_field", _TEXT_TYPES)
    _check_scoring(path, definition)
    for field in fields:
        if field.required_if_message and field.required_if is None:
            raise FormDefinitionError(path, field.id,
                                      "required_if_message needs a required_if condition")
        if definition.scoring is None and (_uses_risk(field.show_if)
                                           or _uses_risk(field.required_if)):
            raise FormDefinitionError(path, field.id, "risk_level_at_least is only for "
                                      "checklists with a scoring rule")


def _check_unique(path: Path, ids: list[str], field: str | None, what: str) -> None:
    seen: set[str] = set()
    for item_id in ids:
        if item_id in seen:
            problem = f"{what} id '{item_id}' is used twice"
            raise FormDefinitionError(path, field or item_id, problem)
        seen.add(item_id)


def _check_fields(path: Path, fields: list[Field], prefix: str) -> None:
    seen: set[str] = set()
    for field in fields:
        if field.id in seen:
            raise FormDefinitionError(path, prefix + field.id, "the field id is used twice")
        seen.add(field.id)
    scope = {f.id: f for f in fields}
    for field in fields:
        name = prefix + field.id
        _check_field(path, field, name, nested=bool(prefix))
        for which, condition in (("show_if", field.show_if), ("required_if", field.required_if)):
            if condition is not None:
                _check_condition(path, name, which, condition, scope, field.id)
        if field.not_before is not None:
            _check_not_before(path, name, field, scope)
        if field.item_fields:
            _check_fields(path, list(field.item_fields), prefix=f"{name}.")


def _check_field(path: Path, field: Field, name: str, nested: bool) -> None:
    def fail(problem: str) -> None:
        raise FormDefinitionError(path, name, problem)

    kind = field.type
    if nested and kind not in ITEM_FIELD_TYPES:
        fail(f"a {kind} field cannot be used inside a list")
    if kind in _CHOICE_TYPES and not field.options:
        fail(f"{kind} field has no options")
    if kind not in _OPTIONED_TYPES and field.options:
        fail(f"only choice fields can have options, not {kind} fields")
    _check_unique(path, [o.value for o in field.options], name, "option")
    if kind == "indicator" and field.weight is None:
        fail("indicator field has no weight")
    if kind != "indicator" and (field.weight is not None or field.override):
        fail("only indicator fields can have a weight or be an override")
    if kind == "ref" and field.ref is None:
        fail('ref field does not say what it refers to (add "ref": "child" or "missing_episode")')
    if kind != "ref" and field.ref is not None:
        fail(f'only ref fields can have "ref", not {kind} fields')
    if kind == "list" and not field.item_fields:
        fail("list field has no item_fields")
    if kind != "list" and field.item_fields:
        fail(f"only list fields can have item_fields, not {kind} fields")
    if field.max_length is not None and kind not in _TEXT_TYPES:
        fail(f"only text fields can have a max_length, not {kind} fields")
    if (field.min is not None or field.max is not None) and kind != "number":
        fail(f"only number fields can have min or max, not {kind} fields")
    if field.min is not None and field.max is not None and field.min > field.max:
        fail(f"min ({field.min:g}) is more than max ({field.max:g})")
    if field.not_before is not None and kind not in _MOMENT_TYPES:
        fail(f"only date and datetime fields can have not_before, not {kind} fields")
    if field.past_only and kind != "date":
        fail(f"only date fields can be past_only, not {kind} fields")
    if field.format is not None and kind != "text":
        fail(f"only text fields can have a format, not {kind} fields")


def _check_condition(
    path: Path, name: str, which: str, condition: Condition, scope: dict[str, Field], own_id: str
) -> None:
    def fail(problem: str) -> None:
        raise FormDefinitionError(path, name, f"{which} {problem}")

    for ref in referenced_fields(condition):
        if ref not in scope:
            fail(f"refers to unknown field '{ref}'")
        if ref == own_id and which == "show_if":
            fail("refers to the field itself")
    for leaf in _leaves(condition):
        target = scope[leaf.field]
        if isinstance(leaf, Contains) and target.type != "multi_choice":
            fail(f"uses 'contains' on '{target.id}', which is not a multi_choice field")
        if isinstance(leaf, LaterThan):
            for ref in (leaf.field, leaf.other):
                if scope[ref].type != "datetime":
                    fail(f"uses 'later_than' on '{ref}', which is not a datetime field")
        values: tuple[Any, ...] = ()
        if isinstance(leaf, Equals | Contains):
            values = (leaf.value,)
        elif isinstance(leaf, In):
            values = leaf.values
        if target.options:
            for value in values:
                if value not in target.option_values:
                    fail(
                        f"compares '{target.id}' with {json.dumps(value)}, "
                        "which is not one of its options"
                    )


def _leaves(condition: Condition) -> list[Equals | In | Contains | LaterThan]:
    match condition:
        case AllOf(children) | AnyOf(children):
            return [leaf for child in children for leaf in _leaves(child)]
        case Not(inner):
            return _leaves(inner)
        case RiskAtLeast():
            return []
        case _:
            return [condition]


def _uses_risk(condition: Condition | None) -> bool:
    match condition:
        case RiskAtLeast():
            return True
        case AllOf(children) | AnyOf(children):
            return any(_uses_risk(child) for child in children)
        case Not(inner):
            return _uses_risk(inner)
    return False


def _check_not_before(path: Path, name: str, field: Field, scope: dict[str, Field]) -> None:
    other = scope.get(field.not_before or "")
    if other is None:
        raise FormDefinitionError(
            path, name, f"not_before refers to unknown field '{field.not_before}'"
        )
    if other.type != field.type or other.id == field.id:
        raise FormDefinitionError(
            path, name, f"not_before must name another {field.type} field, not '{other.id}'"
        )


def _check_show_if_loops(path: Path, fields: list[Field]) -> None:
    depends = {
        f.id: set(referenced_fields(f.show_if)) if f.show_if is not None else set() for f in fields
    }

    def visit(field_id: str, trail: list[str]) -> None:
        if field_id in trail:
            loop = " → ".join([*trail[trail.index(field_id) :], field_id])
            problem = f"show_if conditions go round in a loop: {loop}"
            raise FormDefinitionError(path, field_id, problem)
        for dep in sorted(depends.get(field_id, ())):
            visit(dep, [*trail, field_id])

    for field in fields:
        visit(field.id, [])


def _check_special_field(
    path: Path, definition: FormDefinition, field_id: str | None, key: str, types: Sequence[str]
) -> None:
    if field_id is None:
        return
    if not definition.has_field(field_id):
        raise FormDefinitionError(path, None, f"{key} names unknown field '{field_id}'")
    actual = definition.field(field_id).type
    if actual not in types:
        allowed = " or ".join(types)
        raise FormDefinitionError(
            path, field_id, f"{key} must be a {allowed} field, but this is a {actual} field"
        )


def _check_scoring(path: Path, definition: FormDefinition) -> None:
    scoring = definition.scoring
    indicators = definition.indicator_fields()
    if scoring is None:
        return
    if not indicators:
        problem = "scoring is defined but the form has no indicator fields"
        raise FormDefinitionError(path, None, problem)
    minimums = [t.min_score for t in scoring.thresholds]
    if minimums[0] != 0:
        raise FormDefinitionError(path, None, "scoring thresholds must start at min_score 0")
    if any(b <= a for a, b in pairwise(minimums)):
        raise FormDefinitionError(
            path, None, "scoring thresholds must be in order of increasing min_score"
        )
    overrides = [f for f in indicators if f.override]
    if overrides and scoring.override_level is None:
        raise FormDefinitionError(
            path, overrides[0].id, "override indicator, but the scoring has no override_level"
        )
