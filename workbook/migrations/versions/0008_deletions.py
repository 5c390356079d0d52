"""data deletions

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 04:00:00

A record of each deletion of a person's data and each retention purge: who, when, by whom, which kinds
and how many rows; never what was deleted.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_deletions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("person_pid", sa.String(length=32), nullable=True),
        sa.Column("by", sa.String(length=80), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("cutoff", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_data_deletions_person_pid", "data_deletions", ["person_pid"])


def downgrade() -> None:
    op.drop_index("ix_data_deletions_person_pid", table_name="data_deletions")
    op.drop_table("data_deletions")
