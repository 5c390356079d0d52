"""A change of a team member's manager: the one function the command line and the facilitator's page
both go through. It checks everything, then sets `Participant.manager_id` and records the change
(member, old and new manager, when, by whom) in one transaction.

What the member shares "with my manager" follows `Participant.manager_id` (`workbook.team.relation`): the
new manager reads it from the change on, and the old one reads nothing more at their next read, an open
page included. The member's answers, goals and check-ins stay theirs. Her 1:1s stay with the pair who held
them (`workbook.team.conversation`): nothing of them moves here, the new manager's first read starts a new
1:1, and she chooses which of her open actions to bring into it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbook.models import ManagerChange, Participant, RoleGrant
from workbook.store import Store, StoreError, as_utc, utcnow

COMMAND_LINE, FACILITATOR_APP = "command line", "facilitator app"


@dataclass(frozen=True)
class ManagerChangeResult:
    """What a change did (`changed` False when the person already had that manager)."""

    member_pid: str
    old_manager_pid: str | None
    new_manager_pid: str | None
    changed: bool
    changed_at: datetime | None


def _holds(session: Session, person_id: int, role: str) -> bool:
    return (
        session.scalar(
            select(RoleGrant.id).where(
                RoleGrant.participant_id == person_id,
                RoleGrant.role == role,
                RoleGrant.withdrawn_at.is_(None),
            )
        )
        is not None
    )


def _by_pid(session: Session, pid: object, what: str) -> Participant:
    row = session.scalar(select(Participant).where(Participant.pid == pid)) if isinstance(pid, str) else None
    if row is None:
        raise StoreError(f"unknown {what} {pid!r}")
    return row


def change_manager(
    session: Session, member: Participant, manager: Participant | None, *, by_id: int | None, via: str
) -> ManagerChangeResult:
    """Inside a write transaction: make `manager` (or nobody) `member`'s manager, after the checks;
    StoreError naming the problem, and nothing changed, if a check fails."""
    old_id = member.manager_id
    old_pid = session.get(Participant, old_id).pid if old_id is not None else None
    if not _holds(session, member.id, "team_member"):
        raise StoreError(f"{member.pid} is not a team member, so has no manager to change")
    if manager is not None:
        if manager.id == member.id:
            raise StoreError(f"{member.pid} cannot be their own manager")
        if not _holds(session, manager.id, "manager"):
            raise StoreError(f"{manager.pid} is not a manager (they hold no manager role)")
        chain, above = [manager.pid], manager.manager_id
        seen = {manager.id}
        while above is not None and above not in seen:
            if above == member.id:
                loop = " manages ".join([member.pid, *reversed(chain), member.pid])
                raise StoreError(f"that would make a circle of managers ({loop})")
            seen.add(above)
            row = session.get(Participant, above)
            chain.append(row.pid)
            above = row.manager_id
    new_id = manager.id if manager is not None else None
    if new_id == old_id:
        return ManagerChangeResult(member.pid, old_pid, manager.pid if manager else None, False, None)
    moment = utcnow()
    member.manager_id = new_id
    session.add(
        ManagerChange(
            member_id=member.id,
            old_manager_id=old_id,
            new_manager_id=new_id,
            changed_at=moment,
            changed_by_id=by_id,
            via=via,
        )
    )
    session.flush()
    return ManagerChangeResult(member.pid, old_pid, manager.pid if manager else None, True, moment)


def set_manager(
    store: Store,
    member_pid: str,
    manager_pid: str | None,
    *,
    by_id: int | None = None,
    via: str = COMMAND_LINE,
) -> ManagerChangeResult:
    """Make `manager_pid` (None: nobody) the manager of `member_pid`, recording the change.

    StoreError, and nothing changed, for an unknown person, a person made their own manager, a manager
    who holds no manager role, a circle of managers, or a member who is not a team member."""
    with store.write() as session:
        member = _by_pid(session, member_pid, "participant")
        manager = _by_pid(session, manager_pid, "manager") if manager_pid is not None else None
        return change_manager(session, member, manager, by_id=by_id, via=via)


@dataclass(frozen=True)
class ManagerChangeRecord:
    old_manager_pid: str | None
    new_manager_pid: str | None
    changed_at: datetime
    via: str


def manager_history(store: Store, member_pid: str) -> list[ManagerChangeRecord]:
    """Every change of a person's manager, oldest first."""
    with store.read() as session:
        member = _by_pid(session, member_pid, "participant")
        rows = session.scalars(
            select(ManagerChange).where(ManagerChange.member_id == member.id).order_by(ManagerChange.id)
        ).all()
        involved = {r.old_manager_id for r in rows} | {r.new_manager_id for r in rows}
        pids = dict(
            session.execute(select(Participant.id, Participant.pid).where(Participant.id.in_(involved))).all()
        )
        return [
            ManagerChangeRecord(
                pids.get(r.old_manager_id), pids.get(r.new_manager_id), as_utc(r.changed_at), r.via
            )
            for r in rows
        ]
