"""cohort details and facilitation

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 21:40:00

A cohort gets its dates and its workshop sessions; a wave change keeps who made it (the facilitator, or
nobody for the command line); an access code keeps when it was first used to sign in, so a facilitator
can see who has signed in without any page recording visits.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cohorts") as batch:
        batch.add_column(sa.Column("starts_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("ends_on", sa.Date(), nullable=True))
    op.create_table(
        "workshop_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_workshop_sessions_cohort_id", "workshop_sessions", ["cohort_id"])
    with op.batch_alter_table("wave_events") as batch:
        batch.add_column(sa.Column("by_person_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_wave_events_by_person", "participants", ["by_person_id"], ["id"])
    with op.batch_alter_table("access_codes") as batch:
        batch.add_column(sa.Column("first_used_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("access_codes") as batch:
        batch.drop_column("first_used_at")
    with op.batch_alter_table("wave_events") as batch:
        batch.drop_constraint("fk_wave_events_by_person", type_="foreignkey")
        batch.drop_column("by_person_id")
    op.drop_index("ix_workshop_sessions_cohort_id", table_name="workshop_sessions")
    op.drop_table("workshop_sessions")
    with op.batch_alter_table("cohorts") as batch:
        batch.drop_column("ends_on")
        batch.drop_column("starts_on")
