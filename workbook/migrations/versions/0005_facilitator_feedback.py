"""facilitator feedback

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 10:00:00

A facilitator's feedback on what a participant shared with them (a preparation section, a comment):
append-only, the latest version by each author counts, kept with who wrote it, when and for which
cohort; and when the participant saw each version, so their page can say what is new.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "facilitator_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("item", sa.String(length=120), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["participants.id"]),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"]),
        sa.ForeignKeyConstraint(["author_id"], ["participants.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_facilitator_feedback_owner", "facilitator_feedback", ["owner_id", "scope", "item", "id"]
    )
    op.create_table(
        "facilitator_feedback_seen",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feedback_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["feedback_id"], ["facilitator_feedback.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_facilitator_feedback_seen_feedback_id", "facilitator_feedback_seen", ["feedback_id"])


def downgrade() -> None:
    op.drop_index("ix_facilitator_feedback_seen_feedback_id", table_name="facilitator_feedback_seen")
    op.drop_table("facilitator_feedback_seen")
    op.drop_index("ix_facilitator_feedback_owner", table_name="facilitator_feedback")
    op.drop_table("facilitator_feedback")
