"""The agenda items and actions of a team member's 1:1s as they stand now: every change is a version
(`OneOnOneItem`), and the latest version of each item counts. The 1:1s held with one manager are one
series (`pair_conversations`). Reading only; the rules for changing them are in `workbook.team.actions`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from workbook.models import OneOnOne, OneOnOneItem
from workbook.store import as_utc

AGENDA, ACTION = "agenda", "action"
STATUSES: dict[str, str] = {
    "open": "Open",
    "in_progress": "In progress",
    "done": "Done",
    "dropped": "Dropped",
}
OPEN_STATUSES: tuple[str, ...] = ("open", "in_progress")  # an action in one of these carries over
REMOVED = "removed"  # an agenda item taken off the agenda
OWNERS: dict[str, str] = {"member": "Team member", "manager": "Manager"}


@dataclass(frozen=True)
class Item:
    """An agenda item or an action as it is now, with who added it and where."""

    item: str
    kind: str
    text: str
    owner: str | None
    due_on: date | None
    status: str
    conversation_id: int  # the 1:1 it was added in
    added_by_id: int
    added_at: datetime
    changed_by_id: int
    changed_at: datetime
    versions: int
    carried_from: str | None = None  # the action of an earlier manager's 1:1 it continues

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def pair_conversations(member_id: int, manager_id: int | None) -> Select:
    """The ids of the team member's 1:1s held with one manager (``None``: those whose manager is not known):
    a series of 1:1s is one pair's, so its actions carry over only within it."""
    pair = OneOnOne.manager_id.is_(None) if manager_id is None else OneOnOne.manager_id == manager_id
    return select(OneOnOne.id).where(OneOnOne.member_id == member_id, pair)


def latest_items(
    session: Session, member_id: int, kind: str, *, in_conversations: Select | None = None
) -> list[Item]:
    """Every item of ``kind`` of the team member's 1:1s (of those ``in_conversations`` only, if given), as
    its latest version says, in the order added."""
    query = select(OneOnOneItem).where(OneOnOneItem.member_id == member_id, OneOnOneItem.kind == kind)
    if in_conversations is not None:  # every version of an item keeps the 1:1 it was added in
        query = query.where(OneOnOneItem.one_on_one_id.in_(in_conversations))
    rows = session.scalars(query.order_by(OneOnOneItem.id)).all()
    first: dict[str, OneOnOneItem] = {}
    last: dict[str, OneOnOneItem] = {}
    count: dict[str, int] = {}
    for row in rows:
        first.setdefault(row.item, row)
        last[row.item] = row
        count[row.item] = count.get(row.item, 0) + 1
    return [
        Item(
            key,
            kind,
            last[key].text,
            last[key].owner,
            last[key].due_on,
            last[key].status,
            start.one_on_one_id,
            start.author_id,
            as_utc(start.written_at),
            last[key].author_id,
            as_utc(last[key].written_at),
            count[key],
            start.carried_from,
        )
        for key, start in first.items()
    ]
