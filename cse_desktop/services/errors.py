"""Errors the services raise for the user to act on (plain English, no tracebacks)."""

from __future__ import annotations

from ..forms import FieldError

# Store errors the UI may need to tell apart, re-exported so the UI depends on services only.
from ..store import (  # noqa: F401
    RecordNotFound,
    SignedRecordImmutable,
    StaleRevision,
    StoreError,
    StoreLocked,
)


class ServiceError(Exception):
    """Something the user can put right; the message says how."""


class ValidationFailed(ServiceError):
    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        count = len(errors)
        first = errors[0].message if errors else ""
        super().__init__(
            f"Please check {count} answer{'s' if count != 1 else ''} before saving. {first}"
        )


class PermissionDenied(ServiceError):
    pass
