"""Caseload withdrawals: a child taken out of a user's caseload, as a pull-feed entry.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "withdrawals",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("user_id", sa.String(100), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("child_id", sa.String(100), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("withdrawals_by_user_seq", "withdrawals", ["user_id", "seq"])


def downgrade() -> None:
    op.drop_index("withdrawals_by_user_seq", table_name="withdrawals")
    op.drop_table("withdrawals")
