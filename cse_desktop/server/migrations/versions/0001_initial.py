"""The first schema: users, teams, caseloads, devices, records, feed, idempotency, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SeqType = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("team_id", sa.String(100), sa.ForeignKey("teams.id"), nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "assignments",
        sa.Column("user_id", sa.String(100), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("child_id", sa.String(100), primary_key=True),
        sa.Column("assigned_at", TS, nullable=False),
    )
    op.create_index("assignments_by_child", "assignments", ["child_id"])
    op.create_table(
        "enrolment_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(100), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
        sa.Column("device_id", sa.String(100), nullable=True),
    )
    op.create_table(
        "devices",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("user_id", sa.String(100), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("certificate_serial", sa.String(64), nullable=False),
        sa.Column("enrolled_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=True),
        sa.Column("revoked_at", TS, nullable=True),
        sa.Column("revoked_reason", sa.Text, nullable=True),
    )
    op.create_table(
        "feed",
        sa.Column("seq", SeqType, primary_key=True, autoincrement=True),
        sa.Column("record_id", sa.String(100), nullable=False),
    )
    op.create_table(
        "records",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("record_type", sa.String(40), nullable=False),
        sa.Column("child_id", sa.String(100), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("sensitive", sa.Boolean, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False, unique=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("stored_at", TS, nullable=False),
    )
    op.create_index("records_by_child_seq", "records", ["child_id", "seq"])
    op.create_table(
        "record_versions",
        sa.Column("id", SeqType, primary_key=True, autoincrement=True),
        sa.Column("record_id", sa.String(100), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("change_id", sa.String(100), nullable=False),
        sa.Column("user_id", sa.String(100), nullable=False),
        sa.Column("device_id", sa.String(100), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("stored_at", TS, nullable=False),
    )
    op.create_index("record_versions_by_record", "record_versions", ["record_id", "revision"],
                    unique=True)
    op.create_table(
        "processed_changes",
        sa.Column("change_id", sa.String(100), primary_key=True),
        sa.Column("user_id", sa.String(100), nullable=False),
        sa.Column("device_id", sa.String(100), nullable=False),
        sa.Column("result", sa.Text, nullable=False),
        sa.Column("processed_at", TS, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", SeqType, primary_key=True, autoincrement=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("user_id", sa.String(100), nullable=True),
        sa.Column("device_id", sa.String(100), nullable=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("record_id", sa.String(100), nullable=True),
        sa.Column("child_id", sa.String(100), nullable=True),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("audit_by_record", "audit_log", ["record_id"])


def downgrade() -> None:
    for table in ("audit_log", "processed_changes", "record_versions", "records", "feed",
                  "devices", "enrolment_codes", "assignments", "users", "teams"):
        op.drop_table(table)
