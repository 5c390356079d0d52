"""demo cohorts

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 09:00:00

A cohort made by `workbook demo` (synthetic people) is marked as such, so that the figures of real
cohorts leave it out. Before this revision the demo's cohorts were recognised by their names; the cohorts
of an existing store that carry those names are marked here, once. From now on only `workbook demo`
marks a cohort: one a person names like a demo cohort is real.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# The names `workbook demo` gave its cohorts up to this revision (workbook.manager.demo.COHORTS then);
# written out here so that the migration keeps its meaning whatever the demo is called later.
DEMO_COHORT_NAMES = ("Demo cohort A", "Demo cohort B", "Demo cohort C")


def upgrade() -> None:
    with op.batch_alter_table("cohorts") as batch:
        batch.add_column(sa.Column("is_demo", sa.Boolean(), nullable=False, server_default=sa.false()))
    cohorts = sa.table("cohorts", sa.column("name", sa.String), sa.column("is_demo", sa.Boolean))
    op.execute(cohorts.update().where(cohorts.c.name.in_(DEMO_COHORT_NAMES)).values(is_demo=True))


def downgrade() -> None:
    with op.batch_alter_table("cohorts") as batch:
        batch.drop_column("is_demo")
