"""Parsing the stored answer values: dates, date-times and record references.

Every parser returns ``None`` for anything it cannot read; none of them raises.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# ISO 8601 with a time zone offset (or Z); seconds and fractions optional.
_DATETIME_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})"
)
_HEX = "[0-9a-fA-F]"
_UUID_RE = re.compile(f"{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}")


def parse_date(value: Any) -> date | None:
    """A ``date`` from "YYYY-MM-DD" (or a ``date`` object), else ``None``."""
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_datetime(value: Any) -> datetime | None:
    """An aware ``datetime`` from an ISO 8601 string with a time zone offset, else ``None``.

    Naive values (no offset) are rejected: a time without a zone is ambiguous.
    """
    if isinstance(value, datetime):
        return value if value.utcoffset() is not None else None
    if not isinstance(value, str) or not _DATETIME_RE.fullmatch(value):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.utcoffset() is None:
        return None
    return moment


def is_record_id(value: Any) -> bool:
    """True for a UUID written the usual way (8-4-4-4-12 hexadecimal digits)."""
    return isinstance(value, str) and _UUID_RE.fullmatch(value) is not None
