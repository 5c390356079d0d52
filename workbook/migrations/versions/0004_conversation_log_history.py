"""conversation log history

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 00:40:00

A logged conversation can be edited and deleted with its history kept: each change adds a version
(what it says, what changed, who changed it and when); the latest version is what the entry says now,
and a deleted entry's latest version is marked deleted. Every conversation already logged gets its
first version, as it was logged.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_log_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("alias", sa.String(length=80), nullable=False),
        sa.Column("idp_started", sa.Boolean(), nullable=False),
        sa.Column("follow_up_planned", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("change", sa.String(length=200), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation_log.id"]),
        sa.ForeignKeyConstraint(["changed_by_id"], ["participants.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_conversation_log_versions_conversation_id", "conversation_log_versions", ["conversation_id"]
    )
    op.execute(
        "INSERT INTO conversation_log_versions (conversation_id, held_on, alias, idp_started, "
        "follow_up_planned, deleted, change, changed_by_id, changed_at) "
        "SELECT id, held_on, alias, idp_started, follow_up_planned, false, 'logged', participant_id, "
        "logged_at "
        "FROM conversation_log ORDER BY id"
    )


def downgrade() -> None:
    """Back to one row per conversation: each keeps what it says now; deleted ones go (their history
    goes with the versions table)."""
    latest = (
        "(SELECT v.{column} FROM conversation_log_versions v WHERE v.conversation_id = conversation_log.id "
        "ORDER BY v.id DESC LIMIT 1)"
    )
    for column in ("held_on", "alias", "idp_started", "follow_up_planned"):
        op.execute(
            f"UPDATE conversation_log SET {column} = {latest.format(column=column)} "
            "WHERE EXISTS (SELECT 1 FROM conversation_log_versions v "
            "WHERE v.conversation_id = conversation_log.id)"
        )
    op.execute(
        "DELETE FROM conversation_log_versions WHERE conversation_id IN ("
        "SELECT v.conversation_id FROM conversation_log_versions v WHERE v.deleted = true AND v.id IN ("
        "SELECT max(w.id) FROM conversation_log_versions w GROUP BY w.conversation_id))"
    )
    op.execute(
        "DELETE FROM conversation_log WHERE id NOT IN (SELECT conversation_id FROM conversation_log_versions)"
    )
    op.drop_index("ix_conversation_log_versions_conversation_id", table_name="conversation_log_versions")
    op.drop_table("conversation_log_versions")
