"""Who is whose manager: the one place pages, downloads and commands ask.

A person's manager is `Participant.manager_id` as it stands now; a manager reads what their team
member shares only while they are that person's manager, so every read asks again (a page open since
before a change of manager reads nothing more)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbook.identity import holding_role
from workbook.models import Participant


@dataclass(frozen=True)
class Report:
    """A person who reports to a manager now (a team member in the programme)."""

    id: int
    pid: str
    name: str


def manager_id_of(session: Session, member_id: int) -> int | None:
    """The id of the person's manager now, or None."""
    return session.scalar(select(Participant.manager_id).where(Participant.id == member_id))


def is_manager_of(session: Session, manager_id: int, member_id: int) -> bool:
    """Whether `manager_id` is `member_id`'s manager at this moment (never true of oneself)."""
    return manager_id != member_id and manager_id_of(session, member_id) == manager_id


def reports_of(session: Session, manager_id: int) -> list[Report]:
    """The team members who report to this manager now, by name."""
    rows = session.execute(
        select(Participant.id, Participant.pid, Participant.name)
        .where(
            Participant.manager_id == manager_id,
            Participant.id != manager_id,
            Participant.id.in_(holding_role("team_member")),
        )
        .order_by(Participant.name, Participant.pid)
    ).all()
    return [Report(*row) for row in rows]
