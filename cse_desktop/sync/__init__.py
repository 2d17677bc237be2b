"""Client side of the sync protocol: enrolment, push/pull, merging, conflicts, revocation.

Plain Python (httpx); :mod:`.controller` wraps it for Qt and runs it off the UI thread.
"""

from .client import Progress, SyncClient, SyncReport, blocked_reasons
from .conflicts import Conflict, ConflictQueue, FieldClash
from .enrolment import Enrolment, EnrolmentRefused, enrol
from .errors import (
    DeviceRevoked,
    Forbidden,
    NotEnrolled,
    Offline,
    ServiceFailed,
    SyncError,
    UntrustedService,
)
from .rescue import RescueContents, open_bundle

__all__ = [
    "Conflict",
    "ConflictQueue",
    "DeviceRevoked",
    "Enrolment",
    "EnrolmentRefused",
    "FieldClash",
    "Forbidden",
    "NotEnrolled",
    "Offline",
    "Progress",
    "RescueContents",
    "ServiceFailed",
    "SyncClient",
    "SyncError",
    "SyncReport",
    "UntrustedService",
    "blocked_reasons",
    "enrol",
    "open_bundle",
]
