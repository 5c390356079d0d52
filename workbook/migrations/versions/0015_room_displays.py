"""room displays

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 09:00:00

A room's display link: opens one cohort's room view and nothing else, until the end of its day or until
a facilitator ends it. Only the link's hash is kept.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "room_displays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("made_by", sa.Integer(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("question", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"]),
        sa.ForeignKeyConstraint(["made_by"], ["participants.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_room_displays_cohort_id", "room_displays", ["cohort_id"])


def downgrade() -> None:
    op.drop_index("ix_room_displays_cohort_id", table_name="room_displays")
    op.drop_table("room_displays")
