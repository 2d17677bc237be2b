"""The encrypted local store (SQLCipher): records, audit log, outbox, full-text search."""

from .audit import AuditEntry, AuditVerification
from .connection import StoreOpenError
from .migrations import LATEST_VERSION, migrate, schema_version
from .store import (
    OutboxChange,
    RecordIndex,
    RecordNotFound,
    RecordsMissing,
    RecordTimestamp,
    SearchHit,
    SignedRecordImmutable,
    StaleRevision,
    Store,
    StoredConflict,
    StoreError,
    StoreLocked,
)

__all__ = [
    "LATEST_VERSION",
    "AuditEntry",
    "AuditVerification",
    "OutboxChange",
    "RecordIndex",
    "RecordNotFound",
    "RecordTimestamp",
    "RecordsMissing",
    "SearchHit",
    "SignedRecordImmutable",
    "StaleRevision",
    "Store",
    "StoreError",
    "StoreLocked",
    "StoreOpenError",
    "StoredConflict",
    "migrate",
    "schema_version",
]
