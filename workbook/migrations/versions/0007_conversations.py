"""conversations: the 1:1 page

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 10:00:00

A team member's career 1:1s with their manager: each 1:1, its planned date (versions), the record that
it was held (once, with the manager's "conversations held" entry it made), its shared and private notes
(every version, with the version each save started from) and the agenda items and actions of the
series (every version). New tables only: nothing existing changes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "one_on_ones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["participants.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_one_on_ones_member_id", "one_on_ones", ["member_id"])
    op.create_table(
        "one_on_one_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("one_on_one_id", sa.Integer(), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=True),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["one_on_one_id"], ["one_on_ones.id"]),
        sa.ForeignKeyConstraint(["by_id"], ["participants.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_one_on_one_plans_one_on_one_id", "one_on_one_plans", ["one_on_one_id"])
    op.create_table(
        "one_on_one_held",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("one_on_one_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=False),
        sa.Column("log_entry_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["one_on_one_id"], ["one_on_ones.id"]),
        sa.ForeignKeyConstraint(["manager_id"], ["participants.id"]),
        sa.ForeignKeyConstraint(["log_entry_id"], ["conversation_log.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["participants.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("one_on_one_id"),
    )
    op.create_table(
        "one_on_one_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("one_on_one_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("based_on_id", sa.Integer(), nullable=True),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["one_on_one_id"], ["one_on_ones.id"]),
        sa.ForeignKeyConstraint(["author_id"], ["participants.id"]),
        sa.ForeignKeyConstraint(["based_on_id"], ["one_on_one_notes.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_one_on_one_notes_where", "one_on_one_notes", ["one_on_one_id", "kind", "author_id", "id"]
    )
    op.create_table(
        "one_on_one_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("one_on_one_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=10), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["participants.id"]),
        sa.ForeignKeyConstraint(["one_on_one_id"], ["one_on_ones.id"]),
        sa.ForeignKeyConstraint(["author_id"], ["participants.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_one_on_one_items_member", "one_on_one_items", ["member_id", "kind", "item", "id"])


def downgrade() -> None:
    """The 1:1 tables go; the "conversations held" entries they made stay in the manager's log."""
    op.drop_index("ix_one_on_one_items_member", table_name="one_on_one_items")
    op.drop_table("one_on_one_items")
    op.drop_index("ix_one_on_one_notes_where", table_name="one_on_one_notes")
    op.drop_table("one_on_one_notes")
    op.drop_table("one_on_one_held")
    op.drop_index("ix_one_on_one_plans_one_on_one_id", table_name="one_on_one_plans")
    op.drop_table("one_on_one_plans")
    op.drop_index("ix_one_on_ones_member_id", table_name="one_on_ones")
    op.drop_table("one_on_ones")
