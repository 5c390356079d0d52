"""Agenda items and actions of a team member's 1:1s, with the rules for changing them: checked on the
server (text, owner, due date, status), each change a new version, who may open the 1:1 asked again in
the same transaction (`workbook.team.conversation.owned_conversation`).

The team member leads: their agenda items come first, the manager's after. An action belongs to the
series of 1:1s of one pair (the team member and one manager): while it is open or in progress it shows in
every 1:1 of the pair until it is done (or dropped). After a change of manager the team member may bring
the open actions she owns into her 1:1 with the new manager (`carry_over_action`); nothing else of the
old pair's 1:1s reaches the new manager.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.orm import Session

from workbook.models import OneOnOne, OneOnOneItem
from workbook.store import Store, as_utc, utcnow
from workbook.team.conversation import MEMBER, NotAllowed, Thread, check, held_on, owned_conversation
from workbook.team.items import (
    ACTION,
    AGENDA,
    OWNERS,
    REMOVED,
    STATUSES,
    Item,
    latest_items,
    pair_conversations,
)
from workbook.validation import EARLIEST_DATE, LATEST_DATE, InputError, clean_choice, clean_date, clean_text

ITEM_MAX = 500
PARTS = {"text": "Action", "owner": "Owner", "due_on": "Due date", "status": "Status"}


def _clean_item_text(label: str, value: object) -> str:
    text = " ".join(clean_text(label, value, max_length=ITEM_MAX * 2).split())
    if not text:
        raise InputError(f"{label}: write what it is about", field=label, problem="write what it is about")
    if len(text) > ITEM_MAX:
        raise InputError(f"{label}: at most {ITEM_MAX} characters, got {len(text)}")
    return text


def clean_action_part(part: str, value: object) -> object:
    """One part of an action as stored, or InputError naming it (the page checks each as it changes)."""
    label = PARTS[part]
    if part == "text":
        return _clean_item_text(label, value)
    if part == "owner":
        if value not in OWNERS:
            raise InputError(f"{label}: choose the team member or the manager")
        return value
    if part == "due_on":
        if value is None or value == "":
            raise InputError(f"{label}: choose the date it is due")
        return clean_date(label, value, earliest=EARLIEST_DATE, latest=LATEST_DATE)
    return clean_choice(label, value, STATUSES)


def _add(session: Session, thread: Thread, conversation_id: int, kind: str, **parts: object) -> Item:
    moment = utcnow()
    key = secrets.token_hex(8)
    session.add(
        OneOnOneItem(
            member_id=thread.member_id,
            one_on_one_id=conversation_id,
            item=key,
            kind=kind,
            author_id=thread.viewer_id,
            written_at=moment,
            **parts,
        )
    )
    session.flush()
    return next(i for i in latest_items(session, thread.member_id, kind) if i.item == key)


def _open_for_changes(session: Session, thread: Thread, conversation_id: int, what: str) -> OneOnOne:
    row = owned_conversation(session, thread, conversation_id, to_write=True)
    if held_on(session, row.id) is not None:
        raise InputError(f"{what}: this 1:1 was recorded as held; add it to the next one")
    return row


# -- agenda ------------------------------------------------------------------------------------------------
def add_agenda_item(store: Store, thread: Thread, conversation_id: int, text: object) -> Item:
    """Add a topic to the 1:1's agenda; InputError for empty or over-long text, or a 1:1 already held."""
    cleaned = _clean_item_text("Agenda item", text)
    with store.write() as session:
        _open_for_changes(session, thread, conversation_id, "Agenda item")
        return _add(session, thread, conversation_id, AGENDA, text=cleaned, status="open")


def remove_agenda_item(store: Store, thread: Thread, item: object) -> Item:
    """Take one of the viewer's own topics off the agenda (kept in the history)."""
    with store.write() as session:
        found = _find(session, thread, AGENDA, item, "Agenda item")
        if found.added_by_id != thread.viewer_id or found.status == REMOVED:
            raise InputError("Agenda item: you can take off only a topic you added")
        _open_for_changes(session, thread, found.conversation_id, "Agenda item")
        return _change(session, thread, found, status=REMOVED)


def agenda_in(session: Session, thread: Thread, conversation_id: int) -> list[Item]:
    """The topics added to this 1:1: the team member's first, then the manager's, each in the order added
    (the caller has checked the viewer may open it)."""
    items = [
        i
        for i in latest_items(session, thread.member_id, AGENDA)
        if i.conversation_id == conversation_id and i.status != REMOVED
    ]
    return sorted(items, key=lambda i: (i.added_by_id != thread.member_id, i.added_at))


# -- actions -----------------------------------------------------------------------------------------------
def add_action(
    store: Store, thread: Thread, conversation_id: int, text: object, owner: object, due_on: object
) -> Item:
    """Add an action (open) to the 1:1; InputError naming the part for empty or over-long text, an owner
    who is not the team member or the manager, or a due date missing, unreadable or not in 2000-2100."""
    parts = {
        "text": clean_action_part("text", text),
        "owner": clean_action_part("owner", owner),
        "due_on": clean_action_part("due_on", due_on),
    }
    with store.write() as session:
        _open_for_changes(session, thread, conversation_id, "Action")
        return _add(session, thread, conversation_id, ACTION, status="open", **parts)


def _find(session: Session, thread: Thread, kind: str, item: object, label: str) -> Item:
    found = next(
        (
            i
            for i in latest_items(session, thread.member_id, kind)
            if isinstance(item, str) and i.item == item
        ),
        None,
    )
    if found is None:
        raise InputError(f"{label}: {str(item)[:20]!r} is not one of this 1:1's")
    # a topic belongs to its 1:1, an action to the pair's series: either way one of the pair's 1:1s now
    owned_conversation(session, thread, found.conversation_id, to_write=True)
    return found


def _change(session: Session, thread: Thread, found: Item, **changes: object) -> Item:
    parts = {
        "text": found.text,
        "owner": found.owner,
        "due_on": found.due_on,
        "status": found.status,
        **changes,
    }
    session.add(
        OneOnOneItem(
            member_id=thread.member_id,
            one_on_one_id=found.conversation_id,
            item=found.item,
            kind=found.kind,
            author_id=thread.viewer_id,
            written_at=utcnow(),
            **parts,
        )
    )
    session.flush()
    return next(i for i in latest_items(session, thread.member_id, found.kind) if i.item == found.item)


def update_action(store: Store, thread: Thread, item: object, **changes: object) -> Item:
    """Change an action's text, owner, due date or status (a new version; the same values add none).
    InputError naming the part for a bad value, and for an item that is not an action of this series."""
    unknown = set(changes) - set(PARTS)
    if unknown:
        raise InputError(f"Action: {sorted(unknown)} cannot be changed")
    cleaned = {part: clean_action_part(part, value) for part, value in changes.items()}
    with store.write() as session:
        check(session, thread)
        found = _find(session, thread, ACTION, item, "Action")
        if all(getattr(found, part) == value for part, value in cleaned.items()):
            return found
        return _change(session, thread, found, **cleaned)


def actions_in(session: Session, thread: Thread, conversation: OneOnOne, current: bool) -> list[Item]:
    """The actions a 1:1 shows, of its pair's series only: for one not held, every action still open
    (carried over from the pair's earlier 1:1s until done) and those closed since it opened; for a past
    one, those added in it."""
    series = pair_conversations(thread.member_id, conversation.manager_id)
    everything = latest_items(session, thread.member_id, ACTION, in_conversations=series)
    if not current:
        return [i for i in everything if i.conversation_id == conversation.id]
    since: datetime = as_utc(conversation.opened_at)
    return [
        i for i in everything if i.is_open or i.changed_at >= since or i.conversation_id == conversation.id
    ]


# -- bringing actions from an earlier manager's 1:1s ------------------------------------------------------
def carryable(session: Session, thread: Thread, manager_id: int) -> list[Item]:
    """The open actions the team member owns in her 1:1s with earlier managers that she has not brought
    into a later 1:1 yet: what she may bring into her 1:1 with her manager now (``manager_id``). None for a
    manager's view: he never reads his predecessor's 1:1s."""
    if thread.side != MEMBER or thread.viewer_id != thread.member_id:
        return []
    everything = latest_items(session, thread.member_id, ACTION)
    series = pair_conversations(thread.member_id, manager_id)
    ours = {i.item for i in latest_items(session, thread.member_id, ACTION, in_conversations=series)}
    brought = {i.carried_from for i in everything if i.carried_from}
    return [
        i
        for i in everything
        if i.is_open
        and i.owner == "member"
        and i.item not in ours  # of an earlier manager's 1:1s
        and i.item not in brought  # not brought into a later 1:1 already
        and i.carried_from not in ours  # not a copy of an action this pair still has
    ]


def carry_over_action(store: Store, thread: Thread, conversation_id: int, item: object) -> Item:
    """Bring one of the team member's open actions from a 1:1 with an earlier manager into her current 1:1
    with her manager now, as a new action of this pair (the same text, owner, due date and status, written
    by her); the old one stays in the old 1:1. Only the team member does this. InputError (nothing stored)
    for an item that is not one of her open actions of an earlier manager's 1:1 not brought over yet."""
    if thread.side != MEMBER or thread.viewer_id != thread.member_id:
        raise NotAllowed("Action: only the team member brings her actions from an earlier 1:1")
    with store.write() as session:
        manager_id = check(session, thread)
        _open_for_changes(session, thread, conversation_id, "Action")
        found = next(
            (i for i in carryable(session, thread, manager_id) if isinstance(item, str) and i.item == item),
            None,
        )
        if found is None:
            raise InputError(
                f"Action: {str(item)[:20]!r} is not one of your open actions from a 1:1 with an earlier "
                "manager (or it was brought over already)"
            )
        return _add(
            session,
            thread,
            conversation_id,
            ACTION,
            text=found.text,
            owner=found.owner,
            due_on=found.due_on,
            status=found.status,
            carried_from=found.item,
        )
