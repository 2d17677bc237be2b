"""Client side of the sync protocol: enrolment, push/pull, merging, conflicts, revocation.

Plain Python (httpx); :mod:`.controller` wraps it for Qt and runs it off the UI thread.
"""

from .client import Progress, StuckChange, SyncClient, SyncReport, blocked_reasons
from .conflicts import Conflict, ConflictQueue, FieldClash
from .control import RoundControl
from .enrolment import Enrolment, EnrolmentRefused, enrol
from .errors import (
    CaptivePortal,
    DeviceRevoked,
    Forbidden,
    NotEnrolled,
    NotTheService,
    Offline,
    ServiceFailed,
    SyncCancelled,
    SyncError,
    SyncTimedOut,
    UntrustedService,
)
from .rescue import RescueContents, open_bundle

__all__ = [
    "CaptivePortal",
    "Conflict",
    "ConflictQueue",
    "DeviceRevoked",
    "Enrolment",
    "EnrolmentRefused",
    "FieldClash",
    "Forbidden",
    "NotEnrolled",
    "NotTheService",
    "Offline",
    "Progress",
    "RescueContents",
    "RoundControl",
    "ServiceFailed",
    "StuckChange",
    "SyncCancelled",
    "SyncClient",
    "SyncError",
    "SyncReport",
    "SyncTimedOut",
    "UntrustedService",
    "blocked_reasons",
    "enrol",
    "open_bundle",
]
