"""Everything a 1:1 page shows, read in one transaction after asking again who may read it: the page
draws it when it opens and every few seconds after, and the briefing is made from it. It shows one pair's
1:1 (the team member and the manager it is held with): a manager never reads his predecessor's notes,
topics or actions; the team member also gets her 1:1s with earlier managers (to read) and the open actions
she may bring from them. Every past 1:1 the viewer may open comes with its shared notes, the viewer's own
private notes, its actions and its outcome, to read (`PastTalk`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbook.data_rights import removed_about
from workbook.models import OneOnOne, OneOnOneHeld, Participant
from workbook.store import Store, as_utc
from workbook.team.actions import actions_in, agenda_in, carryable
from workbook.team.conversation import (
    MANAGER,
    MEMBER,
    PRIVATE,
    SHARED,
    UNKNOWN_MANAGER,
    Earlier,
    Notes,
    Thread,
    check,
    current_conversation,
    current_id,
    earlier_conversations,
    held_on,
    held_with,
    notes_in,
    owned_conversation,
)
from workbook.team.items import Item, pair_conversations
from workbook.team.plan import Plan, plan_of
from workbook.team.shared_prep import SharedSection, shared_preparation


@dataclass(frozen=True)
class PastTalk:
    """A past 1:1 as the viewer may read it (nobody writes in it any more): its shared notes as they were
    left, the viewer's own private notes, the actions agreed in it (as they stand now) and its outcome."""

    conversation_id: int
    number: int  # in its pair's series
    manager_name: str
    opened_at: datetime
    held_on: date | None  # None: it was open when the team member's manager changed
    recorded_by: str | None
    shared: Notes
    private: Notes
    actions: tuple[Item, ...]

    @property
    def outcome(self) -> str:
        done = sum(1 for a in self.actions if a.status == "done")
        agreed = (
            f"{len(self.actions)} action{'s' if len(self.actions) != 1 else ''} agreed, {done} done"
            if self.actions
            else "no actions agreed"
        )
        if self.held_on is None:
            return f"Still open when the manager changed; {agreed}."
        by = f", recorded by {self.recorded_by}" if self.recorded_by else ""
        return f"Held{by}; {agreed}."


@dataclass(frozen=True)
class ConversationState:
    """One 1:1 as the viewer may see it. ``private`` is the viewer's own private notes only."""

    side: str
    member_name: str
    manager_name: str  # the manager this 1:1 is held with
    conversation_id: int
    is_current: bool  # the pair's 1:1 not held yet, with her manager now: the one both sides write in
    number: int  # 1 for the pair's first 1:1
    plan: Plan | None
    held_on: date | None
    shared: Notes
    private: Notes
    shared_preparation: tuple[SharedSection, ...]
    agenda: tuple[Item, ...]
    actions: tuple[Item, ...]
    past: tuple[tuple[int, date], ...]  # the pair's 1:1s held: (id, date held), latest first
    names: dict[int, str]  # who added or changed the items, by id
    earlier: tuple[Earlier, ...] = ()  # the team member's: her 1:1s with managers she no longer has
    carry_over: tuple[Item, ...] = ()  # the team member's: open actions she may bring from them
    # the manager's: when the team member's deletion removed notes of the pair's 1:1s since this one opened
    notes_deleted_at: datetime | None = None
    history: tuple[PastTalk, ...] = ()  # every other 1:1 the viewer may open, to read: the latest first

    @property
    def planned_on(self) -> date | None:
        return self.plan.day if self.plan else None

    def who(self, person_id: int) -> str:
        return self.names.get(person_id, "someone no longer in the workbook")


def read_state(store: Store, thread: Thread, conversation_id: int | None = None) -> ConversationState:
    """The current 1:1 of the team member with her manager now (opened now if there is none), or the 1:1
    ``conversation_id`` the viewer may open, read in one transaction. NotAllowed when the viewer may not
    (any more) read it."""
    with store.read() as session:
        manager_id = check(session, thread)
        wanted = (
            current_id(session, thread.member_id, manager_id) if conversation_id is None else conversation_id
        )
        if wanted is not None:
            return _state(session, thread, wanted, manager_id)
    return read_state(store, thread, current_conversation(store, thread))  # the pair's first 1:1


def _state(session: Session, thread: Thread, conversation_id: int, manager_id: int) -> ConversationState:
    row = owned_conversation(session, thread, conversation_id, manager_id)
    held = held_on(session, row.id)
    current = held is None and row.manager_id == manager_id
    agenda = agenda_in(session, thread, row.id)
    actions = actions_in(session, thread, row, current=held is None)
    carry_over = carryable(session, thread, manager_id) if current else []
    people = {thread.member_id} | {i.added_by_id for i in (*agenda, *actions, *carry_over)}
    people |= {i.changed_by_id for i in actions} | ({row.manager_id} if row.manager_id else set())
    names = dict(
        session.execute(select(Participant.id, Participant.name).where(Participant.id.in_(people))).all()
    )
    number = session.scalar(
        select(func.count()).where(
            OneOnOne.id.in_(pair_conversations(thread.member_id, row.manager_id)), OneOnOne.id <= row.id
        )
    )
    return ConversationState(
        side=thread.side,
        member_name=names.get(thread.member_id, thread.member_name),
        manager_name=names.get(row.manager_id, UNKNOWN_MANAGER) if row.manager_id else UNKNOWN_MANAGER,
        conversation_id=row.id,
        is_current=current,
        number=int(number or 1),
        plan=plan_of(session, row.id),
        held_on=held,
        shared=notes_in(session, thread, row.id, SHARED),
        private=notes_in(session, thread, row.id, PRIVATE),
        shared_preparation=tuple(shared_preparation(session, thread.member_id)),
        agenda=tuple(agenda),
        actions=tuple(actions),
        past=tuple(held_with(session, thread.member_id, row.manager_id)),
        names=names,
        earlier=tuple(earlier_conversations(session, thread, manager_id)),
        carry_over=tuple(carry_over),
        notes_deleted_at=_notes_deleted_at(session, thread, row) if thread.side == MANAGER else None,
        history=tuple(_history(session, thread, row.id, manager_id)),
    )


def _notes_deleted_at(session: Session, thread: Thread, row: OneOnOne) -> datetime | None:
    """When the team member's deletion last took shared notes out of the pair's 1:1s while this one was
    open (the manager is told, never what they said); None once a later 1:1 opens."""
    pair = set(session.scalars(pair_conversations(thread.member_id, row.manager_id)))
    opened = as_utc(row.opened_at)
    times = [
        done
        for done, ids in removed_about(session, thread.member_pid, "one_on_one_notes")
        if ids & pair and done >= opened
    ]
    return max(times, default=None)


def _history(session: Session, thread: Thread, shown_id: int, manager_id: int) -> list[PastTalk]:
    """Every 1:1 of the team member's that the viewer may open, other than the one shown, the latest
    first: for a manager those held with him, for the team member all of hers."""
    query = (
        select(OneOnOne, OneOnOneHeld.held_on, OneOnOneHeld.recorded_by_id)
        .outerjoin(OneOnOneHeld, OneOnOneHeld.one_on_one_id == OneOnOne.id)
        .where(OneOnOne.member_id == thread.member_id, OneOnOne.id != shown_id)
        .order_by(OneOnOne.id.desc())
    )
    if thread.side != MEMBER:
        query = query.where(OneOnOne.manager_id == manager_id)
    rows = session.execute(query).all()
    current = current_id(session, thread.member_id, manager_id)
    rows = [r for r in rows if r[0].id != current]  # the one both sides write in is never a past one
    if not rows:
        return []
    people = {r[0].manager_id for r in rows} | {r[2] for r in rows}
    names = dict(
        session.execute(
            select(Participant.id, Participant.name).where(Participant.id.in_(people - {None}))
        ).all()
    )
    talks = []
    for row, day, recorded_by in rows:
        number = session.scalar(
            select(func.count()).where(
                OneOnOne.id.in_(pair_conversations(thread.member_id, row.manager_id)), OneOnOne.id <= row.id
            )
        )
        talks.append(
            PastTalk(
                conversation_id=row.id,
                number=int(number or 1),
                manager_name=names.get(row.manager_id, UNKNOWN_MANAGER),
                opened_at=as_utc(row.opened_at),
                held_on=day,
                recorded_by=names.get(recorded_by) if recorded_by else None,
                shared=notes_in(session, thread, row.id, SHARED),
                private=notes_in(session, thread, row.id, PRIVATE),
                actions=tuple(actions_in(session, thread, row, current=False)),
            )
        )
    return talks
