"""the manager of each 1:1

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10 10:00:00

A 1:1 is the team member's, held with one manager: each 1:1 records that manager, so a new manager starts
a 1:1 of his own instead of reading his predecessor's notes, topics and actions. An action the team member
brings from a 1:1 with an earlier manager records the action it continues.

Each existing 1:1 gets the manager it was held with, the first of these that the store can tell:

1. the manager recorded when it was recorded as held (`one_on_one_held.manager_id`);
2. the manager at the time it opened, from the recorded changes of manager (`manager_changes`): the
   manager the first change after it opened changed from, or else the one the last change before set;
3. the first person other than the team member who wrote in it (notes, agenda items, actions, dates);
4. the team member's manager now.

A 1:1 none of these names keeps no manager (no manager opens it; the team member still reads it). Going
down drops the two columns only: every row stays.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

ones = sa.table(
    "one_on_ones",
    sa.column("id", sa.Integer()),
    sa.column("member_id", sa.Integer()),
    sa.column("manager_id", sa.Integer()),
    sa.column("opened_at", sa.DateTime(timezone=True)),
)
held = sa.table(
    "one_on_one_held", sa.column("one_on_one_id", sa.Integer()), sa.column("manager_id", sa.Integer())
)
changes = sa.table(
    "manager_changes",
    sa.column("id", sa.Integer()),
    sa.column("member_id", sa.Integer()),
    sa.column("old_manager_id", sa.Integer()),
    sa.column("new_manager_id", sa.Integer()),
    sa.column("changed_at", sa.DateTime(timezone=True)),
)
participants = sa.table("participants", sa.column("id", sa.Integer()), sa.column("manager_id", sa.Integer()))
# (table, its author column, its time column) of what is written in a 1:1
WRITTEN_IN = tuple(
    (sa.table(name, sa.column("one_on_one_id"), sa.column(author), sa.column(moment)), author, moment)
    for name, author, moment in (
        ("one_on_one_notes", "author_id", "written_at"),
        ("one_on_one_items", "author_id", "written_at"),
        ("one_on_one_plans", "by_id", "at"),
    )
)


def _utc(moment: object) -> datetime:
    """A stored time as an aware UTC datetime (SQLite gives it back naive, or as text)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    assert isinstance(moment, datetime)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _manager_then(history: list, opened_at: datetime) -> int | None:
    """The manager at ``opened_at`` by the recorded changes (oldest first), or None if they cannot say."""
    for change in history:
        if _utc(change.changed_at) > opened_at:
            return change.old_manager_id
    return history[-1].new_manager_id if history else None


def _first_other_writer(conn: sa.Connection, conversation_id: int, member_id: int) -> int | None:
    found: list[tuple[datetime, int]] = []
    for tbl, author, moment in WRITTEN_IN:
        rows = conn.execute(
            sa.select(tbl.c[author], tbl.c[moment]).where(
                tbl.c.one_on_one_id == conversation_id, tbl.c[author] != member_id
            )
        ).all()
        found += [(_utc(at), who) for who, at in rows]
    return min(found)[1] if found else None


def _manager_of(
    conn: sa.Connection, row: sa.Row, held_by: dict, histories: dict, manager_now: dict
) -> int | None:
    """The manager one existing 1:1 was held with: the first of the four sources (in the order of the
    module's docstring) that names someone other than the team member, asked only when needed."""
    sources = (
        lambda: held_by.get(row.id),
        lambda: _manager_then(histories.get(row.member_id, []), _utc(row.opened_at)),
        lambda: _first_other_writer(conn, row.id, row.member_id),
        lambda: manager_now.get(row.member_id),
    )
    for source in sources:
        found = source()
        if found is not None and found != row.member_id:
            return found
    return None


def _backfill(conn: sa.Connection) -> None:
    held_by = dict(conn.execute(sa.select(held.c.one_on_one_id, held.c.manager_id)).all())
    manager_now = dict(conn.execute(sa.select(participants.c.id, participants.c.manager_id)).all())
    histories: dict[int, list] = {}
    query = sa.select(changes).order_by(changes.c.changed_at, changes.c.id)
    for change in conn.execute(query):
        histories.setdefault(change.member_id, []).append(change)
    for row in conn.execute(
        sa.select(ones.c.id, ones.c.member_id, ones.c.opened_at).order_by(ones.c.id)
    ).all():
        manager_id = _manager_of(conn, row, held_by, histories, manager_now)
        if manager_id is not None:
            conn.execute(sa.update(ones).where(ones.c.id == row.id).values(manager_id=manager_id))


def upgrade() -> None:
    with op.batch_alter_table("one_on_ones") as batch:
        batch.add_column(sa.Column("manager_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_one_on_ones_manager_id", "participants", ["manager_id"], ["id"])
    op.create_index("ix_one_on_ones_pair", "one_on_ones", ["member_id", "manager_id", "id"])
    with op.batch_alter_table("one_on_one_items") as batch:
        batch.add_column(sa.Column("carried_from", sa.String(length=32), nullable=True))
    _backfill(op.get_bind())


def downgrade() -> None:
    """The manager of each 1:1 and the link of a brought action go; every row stays."""
    with op.batch_alter_table("one_on_one_items") as batch:
        batch.drop_column("carried_from")
    op.drop_index("ix_one_on_ones_pair", table_name="one_on_ones")
    with op.batch_alter_table("one_on_ones") as batch:
        batch.drop_constraint("fk_one_on_ones_manager_id", type_="foreignkey")
        batch.drop_column("manager_id")
