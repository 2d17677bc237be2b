"""Errors the services raise for the user to act on (plain English, no tracebacks)."""

from __future__ import annotations

from datetime import datetime

from ..clock import UK
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


def uk_day(moment: datetime) -> str:
    """3 March 2028"""
    local = moment.astimezone(UK)
    return f"{local.day} {local:%B %Y}"


class CertificateExpired(ServiceError):
    """The partnership signing certificate on this computer cannot be used now."""

    def __init__(self, valid_from: datetime, valid_until: datetime, now: datetime) -> None:
        self.valid_from, self.valid_until = valid_from, valid_until
        if now < valid_from:
            text = (f"Your signing certificate only starts on {uk_day(valid_from)}. Check "
                    "that this computer's date and time are right. Nothing was signed.")
        else:
            text = (f"Your signing certificate expired on {uk_day(valid_until)}, so nothing "
                    "was signed. Connect to the internet and choose Sync now: the "
                    "partnership's service renews it. If that does not help, ask your "
                    "administrator.")
        super().__init__(text)


class PermissionDenied(ServiceError):
    pass
