"""hub usernames

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 04:10:00

The name a person signs in with on the organisation's JupyterHub, if they have one: under the hub a
page knows its visitor from the hub, matched to this name (never by email), and access codes are off.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("participants") as batch:
        batch.add_column(sa.Column("hub_username", sa.String(length=120), nullable=True))
        batch.create_unique_constraint("uq_participants_hub_username", ["hub_username"])


def downgrade() -> None:
    with op.batch_alter_table("participants") as batch:
        batch.drop_constraint("uq_participants_hub_username", type_="unique")
        batch.drop_column("hub_username")
