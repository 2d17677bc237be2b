"""Checking a pushed record at the door, and a stored one before it is served.

Two rules protect every device that will later pull a record:

- **Text**: every string in the record, keys included, must be valid Unicode scalar values
  (no lone surrogates) with no control characters other than tab and newline; numbers must be
  finite and of sensible size; nesting is shallow.
- **Form**: the answers (``data``) must fit the form definition the record names (types,
  options, lengths), using the same forms engine as the desktop app.

``record_problem`` answers the first problem found as a :class:`Problem` naming the field, or
``None``.  ``servable`` is the defence in depth for the pull feed: a stored payload that could
not be sent to a device is reported instead of breaking the page.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..forms import FormLibrary, UnknownFormError, default_library, validate_answers

MAX_DEPTH = 12  # the deepest real record (list item -> field -> value) is far shallower
MAX_NUMBER = 10**15  # plenty for counts and scores; keeps every client's JSON parser exact
_ALLOWED_CONTROLS = frozenset("\t\n")


@dataclass(frozen=True)
class Problem:
    """Why a record cannot be accepted: the field (dotted path) and a plain-English reason."""

    field: str
    message: str


def _text_problem(value: str) -> str | None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains characters that are not valid text"
    for char in value:
        code = ord(char)
        if (code < 0x20 or 0x7F <= code < 0xA0) and char not in _ALLOWED_CONTROLS:
            return "contains control characters (only tab and new line are allowed)"
    return None


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text, or None when it is fine."""
    return _text_problem(value)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _printable_key(key: str) -> str:
    """A key safe to quote in a message (bad characters replaced)."""
    return key.encode("utf-8", "replace").decode("utf-8", "replace")[:60].translate(
        {c: "?" for c in range(0x20)})


def json_problem(value: Any, path: str = "", depth: int = 0) -> Problem | None:
    """The first value (or key) anywhere in ``value`` that is not safe to store and serve."""
    if depth > MAX_DEPTH:
        return Problem(path or "record", "is nested too deeply")
    if isinstance(value, str):
        problem = _text_problem(value)
        return Problem(path or "record", problem) if problem else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        if abs(value) > MAX_NUMBER:
            return Problem(path or "record", "is a number too large to keep")
        return None
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) > MAX_NUMBER:
            return Problem(path or "record", "is not a number that can be kept")
        return None
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                return Problem(path or "record", "has a name that is not text")
            problem = _text_problem(key)
            if problem:
                return Problem(_join(path, _printable_key(key)), "has a name that " + problem)
            found = json_problem(item, _join(path, key), depth + 1)
            if found:
                return found
        return None
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = json_problem(item, f"{path}[{index}]", depth + 1)
            if found:
                return found
        return None
    return Problem(path or "record", "is not a kind of value a record can hold")


def encoded_size(wire: Mapping[str, Any]) -> int:
    """The size of a record as stored (ASCII JSON)."""
    return len(json.dumps(wire, ensure_ascii=True, separators=(",", ":")))


def form_problem(wire: Mapping[str, Any], library: FormLibrary | None = None) -> Problem | None:
    """Whether ``data`` fits the form definition the record names (types, options, lengths).

    Completeness is the app's business (a draft may be half filled); the kinds of answer are
    checked for every record, signed or not.
    """
    library = library or default_library()
    form_id, version = wire.get("form_id"), wire.get("form_version")
    try:
        definition = library.get(str(form_id), int(version))  # type: ignore[arg-type]
    except (UnknownFormError, TypeError, ValueError):
        return Problem("form_id", f"this service does not know version {version} of the form "
                                  f"'{form_id}'. The service may need updating.")
    if definition.record_type != wire.get("record_type"):
        return Problem("record_type", f"the form '{form_id}' is for {definition.record_type} "
                                      "records, not this kind of record.")
    data = wire.get("data")
    errors = validate_answers(definition, data, for_signing=False)
    if errors:
        first = errors[0]
        where = f"data.{first.field_id}" if first.field_id else "data"
        return Problem(where, first.message)
    if isinstance(data, Mapping) and "child_id" in data and wire.get("child_id") is not None \
            and data["child_id"] != wire.get("child_id"):
        return Problem("data.child_id", "the answers name a different child from the record.")
    return None


def record_problem(wire: Mapping[str, Any], *, max_record_bytes: int,
                   library: FormLibrary | None = None) -> Problem | None:
    """The first reason this pushed record cannot be stored, or None."""
    problem = json_problem(dict(wire))
    if problem:
        return problem
    size = encoded_size(wire)
    if size > max_record_bytes:
        return Problem("record", f"is too large ({size // 1024} KB; the limit is "
                                 f"{max_record_bytes // 1024} KB).")
    return form_problem(wire, library)


def servable(payload: str) -> dict[str, Any] | None:
    """The stored record ready to send, or None when it could not be sent to a device
    (text that is not valid Unicode, control characters, numbers JSON cannot carry)."""
    try:
        wire = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(wire, dict) or json_problem(wire) is not None:
        return None
    return wire


def describe(problem: Problem) -> str:
    """The sentence sent back to the device (and shown to the practitioner)."""
    message = problem.message
    if message.startswith("'") or message[:1].isupper():
        return f"The service cannot accept this record: {problem.field}: {message}"
    return f"The service cannot accept this record: {problem.field} {message}."
