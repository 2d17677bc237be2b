"""The service's tables (SQLAlchemy Core).  Changed only through Alembic migrations.

``records`` holds the current version of every record; ``record_versions`` keeps every stored
version (the service is the system of record); ``feed`` hands out the monotonically increasing
sequence numbers the pull cursor is made of.  ``processed_changes`` remembers every change id
with its answer, so a change pushed twice has one effect and gets the same answer.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
SeqType = BigInteger().with_variant(Integer(), "sqlite")

ID = 100  # length of ids (client-made UUIDs, server-made tokens)

teams = Table(
    "teams", metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

users = Table(
    "users", metadata,
    Column("id", String(ID), primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("role", String(40), nullable=False),
    Column("team_id", String(ID), ForeignKey("teams.id"), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

assignments = Table(
    "assignments", metadata,
    Column("user_id", String(ID), ForeignKey("users.id"), primary_key=True),
    Column("child_id", String(ID), primary_key=True),
    Column("assigned_at", DateTime(timezone=True), nullable=False),
    Index("assignments_by_child", "child_id"),
)

enrolment_codes = Table(
    "enrolment_codes", metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
    Column("device_id", String(ID), nullable=True),
)

devices = Table(
    "devices", metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("certificate_serial", String(64), nullable=False),
    Column("enrolled_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column("revoked_reason", Text, nullable=True),
)

feed = Table(
    "feed", metadata,
    Column("seq", SeqType, primary_key=True, autoincrement=True),
    Column("record_id", String(ID), nullable=False),
)

# A child taken out of a user's caseload: a pull-feed entry (its seq comes from ``feed``) that
# tells that user's devices to remove the child and its records.
withdrawals = Table(
    "withdrawals", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("child_id", String(ID), nullable=False),
    Column("withdrawn_at", DateTime(timezone=True), nullable=False),
    Index("withdrawals_by_user_seq", "user_id", "seq"),
)

records = Table(
    "records", metadata,
    Column("id", String(ID), primary_key=True),
    Column("record_type", String(40), nullable=False),
    Column("child_id", String(ID), nullable=False),
    Column("state", String(20), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("deleted", Boolean, nullable=False),
    Column("sensitive", Boolean, nullable=False),
    Column("created_by", String(ID), nullable=False),
    Column("seq", BigInteger, nullable=False, unique=True),
    Column("payload", Text, nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False),
    Index("records_by_child_seq", "child_id", "seq"),
)

record_versions = Table(
    "record_versions", metadata,
    Column("id", SeqType, primary_key=True, autoincrement=True),
    Column("record_id", String(ID), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("change_id", String(ID), nullable=False),
    Column("user_id", String(ID), nullable=False),
    Column("device_id", String(ID), nullable=False),
    Column("payload", Text, nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False),
    Index("record_versions_by_record", "record_id", "revision", unique=True),
)

processed_changes = Table(
    "processed_changes", metadata,
    Column("change_id", String(ID), primary_key=True),
    Column("user_id", String(ID), nullable=False),
    Column("device_id", String(ID), nullable=False),
    Column("result", Text, nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", SeqType, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user_id", String(ID), nullable=True),
    Column("device_id", String(ID), nullable=True),
    Column("action", String(40), nullable=False),
    Column("record_id", String(ID), nullable=True),
    Column("child_id", String(ID), nullable=True),
    Column("detail", Text, nullable=False, default=""),
    Index("audit_by_record", "record_id"),
)

# A stored record that cannot be served (e.g. text that is not valid Unicode, stored before the
# service checked records at the door): skipped by the pull feed, reported to administrators
# (``cse-server admin quarantine``).
quarantine = Table(
    "quarantine", metadata,
    Column("record_id", String(ID), primary_key=True),
    Column("child_id", String(ID), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("found_at", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=False),
)
