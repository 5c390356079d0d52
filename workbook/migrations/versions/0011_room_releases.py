"""room releases

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 09:00:00

The states the room view has shown of each question in each cohort, counts only (no names, no one's
answer): a later chart shows one of them again or a state that differs from every one of them by at
least the anonymity threshold of people, whatever happens to membership, roles and answers.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "room_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=255), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("through_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("through_id", sa.Integer(), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_room_releases_chart", "room_releases", ["cohort_id", "question", "id"])


def downgrade() -> None:
    op.drop_index("ix_room_releases_chart", table_name="room_releases")
    op.drop_table("room_releases")
