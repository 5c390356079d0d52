"""waves in order: late answers and the reason for reopening a wave

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 09:00:00

The comfort check's waves run in order (pre, then post with then). An answer given to a wave after a
later wave had opened for the participant's cohort is marked late (`scores.late`): it is kept, and left
out of the paired figures unless an evaluation includes late answers. A wave reopened after a later one
opened carries the facilitator's reason (`wave_events.reason`).

The upgrade marks the answers already stored that break the order, by the rule of
`workbook.manager.waves.CohortWaves.is_late` written out for the waves as they are at this revision:
a `pre` answer given at or after the first opening of `post` in the participant's cohort.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# the order at this revision: each wave, and the waves asked together with it
ORDER = (("pre", ("pre",)), ("post", ("post", "then")))


def upgrade() -> None:
    with op.batch_alter_table("scores") as batch:
        batch.add_column(sa.Column("late", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("wave_events") as batch:
        batch.add_column(sa.Column("reason", sa.Text(), nullable=True))

    scores = sa.table(
        "scores",
        sa.column("id", sa.Integer),
        sa.column("participant_id", sa.Integer),
        sa.column("wave", sa.String),
        sa.column("answered_at", sa.DateTime(timezone=True)),
        sa.column("late", sa.Boolean),
    )
    participants = sa.table("participants", sa.column("id", sa.Integer), sa.column("cohort_id", sa.Integer))
    events = sa.table(
        "wave_events",
        sa.column("cohort_id", sa.Integer),
        sa.column("wave", sa.String),
        sa.column("is_open", sa.Boolean),
        sa.column("changed_at", sa.DateTime(timezone=True)),
    )
    for position, (_wave, asks) in enumerate(ORDER):
        later = [name for name, _ in ORDER[position + 1 :]]
        if not later:
            continue
        passed = (
            sa.select(sa.literal(1))
            .select_from(events.join(participants, participants.c.cohort_id == events.c.cohort_id))
            .where(
                participants.c.id == scores.c.participant_id,
                events.c.wave.in_(later),
                events.c.is_open == sa.true(),
                events.c.changed_at <= scores.c.answered_at,
            )
            .exists()
        )
        op.execute(scores.update().where(scores.c.wave.in_(asks), passed).values(late=True))


def downgrade() -> None:
    with op.batch_alter_table("wave_events") as batch:
        batch.drop_column("reason")
    with op.batch_alter_table("scores") as batch:
        batch.drop_column("late")
