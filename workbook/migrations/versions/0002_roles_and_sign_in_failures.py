"""roles and sign-in failures

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 19:40:00

Roles are derived for the people already in the store, so everyone keeps their access and data:
a person in a cohort is that cohort's manager (in the coaching programme); a person with a manager is
a team member; a person with neither was a team member in the first release (its default), and stays one.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"]),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_roles_participant_id", "roles", ["participant_id"])
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("app", sa.String(length=40), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sign_in_failures_client", "sign_in_failures", ["client"])
    op.create_index("ix_sign_in_failures_failed_at", "sign_in_failures", ["failed_at"])

    now = datetime.now(UTC)
    conn = op.get_bind()
    people = conn.execute(sa.text("SELECT id, cohort_id, manager_id FROM participants")).all()
    roles = sa.table(
        "roles",
        sa.column("participant_id", sa.Integer),
        sa.column("role", sa.String),
        sa.column("cohort_id", sa.Integer),
        sa.column("granted_at", sa.DateTime(timezone=True)),
    )
    rows = []
    for person_id, cohort_id, manager_id in people:
        if cohort_id is not None:
            rows.append(
                {"participant_id": person_id, "role": "manager", "cohort_id": cohort_id, "granted_at": now}
            )
        if manager_id is not None or cohort_id is None:
            rows.append(
                {"participant_id": person_id, "role": "team_member", "cohort_id": None, "granted_at": now}
            )
    if rows:
        op.bulk_insert(roles, rows)


def downgrade() -> None:
    op.drop_index("ix_sign_in_failures_failed_at", table_name="sign_in_failures")
    op.drop_index("ix_sign_in_failures_client", table_name="sign_in_failures")
    op.drop_table("sign_in_failures")
    op.drop_index("ix_roles_participant_id", table_name="roles")
    op.drop_table("roles")
