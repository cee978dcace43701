"""The reports table: one saved evaluation per row.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the reports table and its expiry index."""
    op.create_table(
        "reports",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("public", sa.Boolean, nullable=False),
        sa.Column("delete_hash", sa.String(64), nullable=False),
        sa.Column("company", sa.Text, nullable=False),
        sa.Column("verdict", sa.Text, nullable=False),
        sa.Column("plan_json", sa.Text, nullable=False),
        sa.Column("assumptions_json", sa.Text, nullable=False),
        sa.Column("seed_text", sa.Text, nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=True),
        sa.Column("rubric_stem", sa.Text, nullable=False),
        sa.Column("rubric_text", sa.Text, nullable=False),
        sa.Column("rubric_id", sa.Text, nullable=True),
        sa.Column("rubric_version", sa.Text, nullable=True),
        sa.Column("engine_version", sa.Text, nullable=False),
        sa.Column("evaluation_json", sa.Text, nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
    )
    op.create_index("ix_reports_public_created", "reports", ["public", "created_at"])


def downgrade() -> None:
    """Drop the reports table."""
    op.drop_index("ix_reports_public_created", "reports")
    op.drop_table("reports")
