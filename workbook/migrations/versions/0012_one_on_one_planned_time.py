"""the next 1:1's time and its time zone

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-14 10:00:00

A 1:1's plan held a date only. It now holds a time of day too ("HH:MM", optional) and the IANA time zone
of whoever set it, so the planned moment is the same for both sides and its calendar file is the same
whoever downloads it. Every existing plan keeps its date, with no time and no zone (an all-day plan, as
it was). Going down drops the two columns only: every row and its date stay.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("one_on_one_plans") as batch:
        batch.add_column(sa.Column("planned_time", sa.String(length=5), nullable=True))
        batch.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("one_on_one_plans") as batch:
        batch.drop_column("time_zone")
        batch.drop_column("planned_time")
