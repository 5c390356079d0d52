"""Everything a 1:1 page shows, read in one transaction after asking again who may read it: the page
draws it when it opens and every few seconds after, and the briefing is made from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbook.models import OneOnOne, Participant
from workbook.store import Store
from workbook.team.actions import actions_in, agenda_in
from workbook.team.conversation import (
    PRIVATE,
    SHARED,
    Notes,
    Thread,
    check,
    current_conversation,
    current_id,
    held_on,
    notes_in,
    owned_conversation,
    past_conversations,
    planned_on,
)
from workbook.team.items import Item
from workbook.team.shared_prep import SharedSection, shared_preparation


@dataclass(frozen=True)
class ConversationState:
    """One 1:1 as the viewer may see it. ``private`` is the viewer's own private notes only."""

    side: str
    member_name: str
    manager_name: str
    conversation_id: int
    number: int  # 1 for the series' first 1:1
    planned_on: date | None
    held_on: date | None
    shared: Notes
    private: Notes
    shared_preparation: tuple[SharedSection, ...]
    agenda: tuple[Item, ...]
    actions: tuple[Item, ...]
    past: tuple[tuple[int, date], ...]  # the 1:1s held the viewer may open: (id, date held), latest first
    names: dict[int, str]  # who added or changed the items, by id

    @property
    def is_current(self) -> bool:
        return self.held_on is None

    def who(self, person_id: int) -> str:
        return self.names.get(person_id, "someone no longer in the workbook")


def read_state(store: Store, thread: Thread, conversation_id: int | None = None) -> ConversationState:
    """The current 1:1 (opened now if there is none), or the past one ``conversation_id`` the viewer may
    open, read in one transaction. NotAllowed when the viewer may not (any more) read it."""
    with store.read() as session:
        manager_id = check(session, thread)
        wanted = current_id(session, thread.member_id) if conversation_id is None else conversation_id
        if wanted is not None:
            return _state(session, thread, wanted, manager_id)
    return read_state(store, thread, current_conversation(store, thread))  # the series' first 1:1


def _state(session: Session, thread: Thread, conversation_id: int, manager_id: int) -> ConversationState:
    row = owned_conversation(session, thread, conversation_id, manager_id)
    held = held_on(session, row.id)
    agenda = agenda_in(session, thread, row.id)
    actions = actions_in(session, thread, row, current=held is None)
    people = {thread.member_id, manager_id} | {i.added_by_id for i in (*agenda, *actions)}
    people |= {i.changed_by_id for i in actions}
    names = dict(
        session.execute(select(Participant.id, Participant.name).where(Participant.id.in_(people))).all()
    )
    number = session.scalar(
        select(func.count()).where(OneOnOne.member_id == thread.member_id, OneOnOne.id <= row.id)
    )
    return ConversationState(
        side=thread.side,
        member_name=names.get(thread.member_id, thread.member_name),
        manager_name=names.get(manager_id, ""),
        conversation_id=row.id,
        number=int(number or 1),
        planned_on=planned_on(session, row.id),
        held_on=held,
        shared=notes_in(session, thread, row.id, SHARED),
        private=notes_in(session, thread, row.id, PRIVATE),
        shared_preparation=tuple(shared_preparation(session, thread.member_id)),
        agenda=tuple(agenda),
        actions=tuple(actions),
        past=tuple(past_conversations(session, thread, manager_id)),
        names=names,
    )
