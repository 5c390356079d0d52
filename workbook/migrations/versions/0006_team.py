"""team: changes of manager and goal check-ins

Revision ID: 0006
Revises: 0005
Create Date: 2027-01-10 10:00:00

A change of a team member's manager is recorded (member, old and new manager, when, by whom), append-only;
a team member's check-ins on their goals (status, optional progress, note) are kept, append-only, by each
goal's stable id (stored in the goal's record since this release).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "manager_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("old_manager_id", sa.Integer(), nullable=True),
        sa.Column("new_manager_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("via", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["participants.id"]),
        sa.ForeignKeyConstraint(["old_manager_id"], ["participants.id"]),
        sa.ForeignKeyConstraint(["new_manager_id"], ["participants.id"]),
        sa.ForeignKeyConstraint(["changed_by_id"], ["participants.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_manager_changes_member_id", "manager_changes", ["member_id"])
    op.create_table(
        "goal_checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_goal_checkins_owner", "goal_checkins", ["participant_id", "goal_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_goal_checkins_owner", table_name="goal_checkins")
    op.drop_table("goal_checkins")
    op.drop_index("ix_manager_changes_member_id", table_name="manager_changes")
    op.drop_table("manager_changes")
