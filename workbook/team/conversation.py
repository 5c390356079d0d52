"""A team member's career 1:1s with their manager: who may open them, the current 1:1 and its planned
date, its shared and private notes, and recording it as held.

A 1:1 is the team member's, held with one manager (`OneOnOne.manager_id`): the 1:1s of one pair are a
series. The team member reads all of hers; a manager opens only the 1:1s held with him, and only while he
is her manager now (`workbook.team.relation`, asked again inside every read and write, so a page open since
before a change of manager reads and writes nothing more). After a change of manager the open 1:1 stays
with the old pair (the team member reads it, nobody writes in it) and the new manager starts a new one,
empty of his predecessor's notes, topics and actions; the team member may bring the open actions she owns
into it (`workbook.team.actions.carry_over_action`).

Shared notes keep every version with its author; each save names the version its page started from, so
when two people save at once the last one wins and the other version is kept and shown as "also written".
Every version stays readable by both sides (`note_history`) and any one can be restored as a new version
(`restore_note_version`). Private notes are read by their author only.

A 1:1's planned date and time are in `workbook.team.plan`. Recording a 1:1 as held makes exactly one entry
in the manager's "conversations held" log (`workbook.manager.behaviour`) in the same transaction, and opens
the next 1:1. The entry's "follow-up planned" is true only when something
is planned: an open action of the pair due on the day held or later, or the next 1:1's date once either
side sets it (which adds a version to the entry). Agenda items and actions are in
`workbook.team.actions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workbook.identity import Person, holding_role
from workbook.manager.behaviour import add_log_entry, clean_entry
from workbook.models import OneOnOne, OneOnOneHeld, OneOnOneNote, Participant
from workbook.store import Store, as_utc, utcnow
from workbook.team.items import ACTION, OPEN_STATUSES, latest_items, pair_conversations
from workbook.team.relation import is_manager_of, manager_id_of
from workbook.team.shared_prep import goals_of
from workbook.validation import InputError, clean_text

MEMBER, MANAGER = "member", "manager"
SHARED, PRIVATE = "shared", "private"
NOTES_MAX = 20_000
LABELS = {SHARED: "Shared notes", PRIVATE: "Your private notes"}
NOT_YOURS = (
    "Conversation: this 1:1 is not open to you: only the team member and their manager now can open it"
)
NO_MANAGER = "Conversation: you have no manager in the workbook yet, so there is no 1:1 to open"
UNKNOWN_MANAGER = "a manager the workbook has no record of"


class NotAllowed(InputError):
    """The viewer may not open (or no longer may open) this 1:1; the same words whatever the reason."""


@dataclass(frozen=True)
class Thread:
    """A team member's series of 1:1s as one viewer opened it. Holds ids only: every call asks again
    whether the viewer may read it."""

    viewer_id: int
    member_id: int
    member_pid: str
    member_name: str
    side: str  # MEMBER or MANAGER: the viewer's side of the table


@dataclass(frozen=True)
class NoteVersion:
    id: int
    text: str
    author_id: int
    author: str
    written_at: datetime


@dataclass(frozen=True)
class Notes:
    """A 1:1's notes of one kind as the viewer sees them: the latest version (None before any), and for
    shared notes the versions it overwrote in a clash ("also written")."""

    latest: NoteVersion | None
    also_written: tuple[NoteVersion, ...] = ()
    versions: int = 0

    @property
    def text(self) -> str:
        return self.latest.text if self.latest else ""

    @property
    def version_id(self) -> int | None:
        return self.latest.id if self.latest else None


@dataclass(frozen=True)
class Earlier:
    """One of the team member's 1:1s with a manager she no longer has (hers to read, closed to writing)."""

    conversation_id: int
    manager_name: str
    opened_at: datetime
    held_on: date | None  # None: it was still open when her manager changed


@dataclass(frozen=True)
class Held:
    """A 1:1 recorded as held: when, its entry in the manager's log, and whether this call recorded it."""

    conversation_id: int
    held_on: date
    log_entry_id: int | None  # None once the manager deleted their data
    recorded_now: bool
    next_conversation_id: int | None


# -- who may open what -----------------------------------------------------------------------------------
def _name(session: Session, person_id: int) -> str:
    return session.scalar(select(Participant.name).where(Participant.id == person_id)) or ""


def _is_team_member(session: Session, person_id: int) -> bool:
    found = select(Participant.id).where(
        Participant.id == person_id, Participant.id.in_(holding_role("team_member"))
    )
    return session.scalar(found) is not None


def open_thread(store: Store, viewer: Person, member_pid: object = None) -> Thread:
    """The 1:1s the viewer opens: their own with their manager (no ``member_pid``, or their own pid), or
    those of the team member ``member_pid`` who reports to them now. NotAllowed otherwise, in the same
    words for a pid that is unknown, someone else's report or not a pid at all."""
    with store.read() as session:
        if member_pid is None or member_pid == viewer.pid:
            if not viewer.holds("team_member") or manager_id_of(session, viewer.id) is None:
                raise NotAllowed(NO_MANAGER)
            return Thread(viewer.id, viewer.id, viewer.pid, viewer.name, MEMBER)
        if not isinstance(member_pid, str) or len(member_pid) > 32:
            raise NotAllowed(NOT_YOURS)
        row = session.execute(
            select(Participant.id, Participant.name).where(Participant.pid == member_pid)
        ).first()
        if (
            row is None
            or not is_manager_of(session, viewer.id, row.id)
            or not _is_team_member(session, row.id)
        ):
            raise NotAllowed(NOT_YOURS)
        return Thread(viewer.id, row.id, member_pid, row.name, MANAGER)


def check(session: Session, thread: Thread) -> int:
    """Ask again, inside the caller's transaction, whether the viewer may read the series; the id of the
    member's manager now. NotAllowed when not (a change of manager since the page opened)."""
    if thread.side == MEMBER and thread.viewer_id == thread.member_id:
        manager_id = manager_id_of(session, thread.member_id)
        if manager_id is None:
            raise NotAllowed(NO_MANAGER)
        return manager_id
    if thread.side == MANAGER and is_manager_of(session, thread.viewer_id, thread.member_id):
        return thread.viewer_id
    raise NotAllowed(NOT_YOURS)


def owned_conversation(
    session: Session,
    thread: Thread,
    conversation_id: object,
    manager_id: int | None = None,
    *,
    to_write: bool = False,
) -> OneOnOne:
    """One 1:1 the viewer may open: for the team member any of hers, for a manager one held with him (he
    never opens his predecessor's). NotAllowed for any other id. ``to_write``: the caller writes in it, so
    it must be a 1:1 with her manager now (InputError saying so for one with an earlier manager).
    ``manager_id``: what `check` returned in this same transaction, if the caller asked already."""
    manager_id = check(session, thread) if manager_id is None else manager_id
    if not isinstance(conversation_id, int) or isinstance(conversation_id, bool):
        raise NotAllowed(NOT_YOURS)
    found = session.get(OneOnOne, conversation_id)
    if found is None or found.member_id != thread.member_id:
        raise NotAllowed(NOT_YOURS)
    if found.manager_id != manager_id:
        if thread.side == MANAGER:
            raise NotAllowed(NOT_YOURS)
        if to_write:
            with_whom = _name(session, found.manager_id) if found.manager_id else UNKNOWN_MANAGER
            raise InputError(
                f"Conversation: this 1:1 was with {with_whom}, who is no longer your manager; it stays "
                "yours to read, and what you add goes into your 1:1 with your manager now"
            )
    return found


# -- the current 1:1 -------------------------------------------------------------------------------------
def current_id(session: Session, member_id: int, manager_id: int) -> int | None:
    """The id of the pair's current 1:1 (not held yet), or None before their first is opened."""
    held = select(OneOnOneHeld.one_on_one_id)
    return session.scalar(
        select(func.max(OneOnOne.id)).where(
            OneOnOne.member_id == member_id, OneOnOne.manager_id == manager_id, OneOnOne.id.not_in(held)
        )
    )


def current_conversation(store: Store, thread: Thread) -> int:
    """The id of the current 1:1 of the team member with her manager now (not yet held), opened now if
    there is none: a new manager's first 1:1 starts empty."""
    with store.read() as session:
        manager_id = check(session, thread)
        found = current_id(session, thread.member_id, manager_id)
    if found is not None:
        return found
    with store.write() as session:
        manager_id = check(session, thread)
        found = current_id(session, thread.member_id, manager_id)
        if found is None:
            row = OneOnOne(member_id=thread.member_id, manager_id=manager_id, opened_at=utcnow())
            session.add(row)
            session.flush()
            found = row.id
    return found


def held_record(session: Session, conversation_id: int) -> OneOnOneHeld | None:
    return session.scalar(select(OneOnOneHeld).where(OneOnOneHeld.one_on_one_id == conversation_id))


def held_on(session: Session, conversation_id: int) -> date | None:
    held = held_record(session, conversation_id)
    return held.held_on if held else None


def held_with(session: Session, member_id: int, manager_id: int | None) -> list[tuple[int, date]]:
    """The pair's 1:1s recorded as held (id, date held), the latest first."""
    query = (
        select(OneOnOneHeld.one_on_one_id, OneOnOneHeld.held_on)
        .where(OneOnOneHeld.one_on_one_id.in_(pair_conversations(member_id, manager_id)))
        .order_by(OneOnOneHeld.held_on.desc(), OneOnOneHeld.id.desc())
    )
    return [(cid, day) for cid, day in session.execute(query).all()]


def past_conversations(
    session: Session, thread: Thread, manager_id: int | None = None
) -> list[tuple[int, date]]:
    """The 1:1s held of the team member with her manager now (id, date held), the latest first."""
    manager_id = check(session, thread) if manager_id is None else manager_id
    return held_with(session, thread.member_id, manager_id)


def earlier_conversations(session: Session, thread: Thread, manager_id: int | None = None) -> list[Earlier]:
    """The team member's 1:1s with managers she no longer has, the latest first: hers to read. Never a
    manager's (a manager reads only the 1:1s held with him)."""
    manager_id = check(session, thread) if manager_id is None else manager_id
    if thread.side != MEMBER:
        return []
    rows = session.execute(
        select(OneOnOne.id, Participant.name, OneOnOne.opened_at, OneOnOneHeld.held_on)
        .outerjoin(Participant, Participant.id == OneOnOne.manager_id)
        .outerjoin(OneOnOneHeld, OneOnOneHeld.one_on_one_id == OneOnOne.id)
        .where(
            OneOnOne.member_id == thread.member_id,
            (OneOnOne.manager_id != manager_id) | OneOnOne.manager_id.is_(None),
        )
        .order_by(OneOnOne.id.desc())
    ).all()
    return [Earlier(cid, name or UNKNOWN_MANAGER, as_utc(opened), day) for cid, name, opened, day in rows]


# -- notes -----------------------------------------------------------------------------------------------
def _versions(session: Session, conversation_id: int, kind: str, author_id: int | None) -> list[NoteVersion]:
    query = (
        select(
            OneOnOneNote.id,
            OneOnOneNote.text,
            OneOnOneNote.author_id,
            Participant.name,
            OneOnOneNote.written_at,
        )
        .join(Participant, Participant.id == OneOnOneNote.author_id)
        .where(OneOnOneNote.one_on_one_id == conversation_id, OneOnOneNote.kind == kind)
        .order_by(OneOnOneNote.id)
    )
    if author_id is not None:
        query = query.where(OneOnOneNote.author_id == author_id)
    return [NoteVersion(i, t, a, n, as_utc(w)) for i, t, a, n, w in session.execute(query).all()]


def _based_on(session: Session, note_id: int) -> int | None:
    return session.scalar(select(OneOnOneNote.based_on_id).where(OneOnOneNote.id == note_id))


def notes_in(session: Session, thread: Thread, conversation_id: int, kind: str) -> Notes:
    """The notes of one kind the viewer may read (the caller has checked the 1:1 is theirs): the shared
    notes, or the viewer's own private notes, never anyone else's."""
    author = thread.viewer_id if kind == PRIVATE else None
    versions = _versions(session, conversation_id, kind, author)
    if not versions:
        return Notes(None)
    latest = versions[-1]
    also: tuple[NoteVersion, ...] = ()
    if kind == SHARED and len(versions) > 1:
        started_from = _based_on(session, latest.id) or 0
        if versions[-2].id != started_from:  # someone saved after this page last read: a clash
            also = tuple(v for v in versions[:-1] if v.id > started_from and v.text != latest.text)
    return Notes(latest, also, len(versions))


def read_notes(store: Store, thread: Thread, conversation_id: int, kind: str) -> Notes:
    with store.read() as session:
        owned_conversation(session, thread, conversation_id)
        return notes_in(session, thread, conversation_id, kind)


def save_notes(
    store: Store, thread: Thread, conversation_id: int, kind: str, text: object, based_on: object = None
) -> Notes:
    """Save a new version of the shared notes (``based_on``: the version the page started from, None for
    none) or of the viewer's private notes. The last save wins; a version it overwrote without having
    seen it is kept and comes back as ``also_written``. Saving what is there already adds nothing.
    InputError (nothing stored) for text over the limit or with control characters, or a ``based_on``
    that is not a version of these notes."""
    if kind not in LABELS:
        raise InputError(f"Notes: {str(kind)[:20]!r} is not shared or private")
    cleaned = clean_text(LABELS[kind], text, max_length=NOTES_MAX)
    if based_on is not None and (not isinstance(based_on, int) or isinstance(based_on, bool)):
        raise InputError(f"{LABELS[kind]}: the version this page started from is not one we know")
    with store.write() as session:
        owned_conversation(session, thread, conversation_id, to_write=True)
        author = thread.viewer_id if kind == PRIVATE else None
        known = {v.id: v for v in _versions(session, conversation_id, kind, author)}
        if based_on is not None and based_on not in known:
            raise InputError(f"{LABELS[kind]}: the version this page started from is not one we know")
        latest = max(known) if known else None
        if latest is None or known[latest].text != cleaned:  # the same text again adds no version
            session.add(
                OneOnOneNote(
                    one_on_one_id=conversation_id,
                    kind=kind,
                    author_id=thread.viewer_id,
                    text=cleaned,
                    based_on_id=based_on,
                    written_at=utcnow(),
                )
            )
            session.flush()
        return notes_in(session, thread, conversation_id, kind)


def note_history(store: Store, thread: Thread, conversation_id: int) -> list[NoteVersion]:
    """Every version of a 1:1's shared notes, oldest first, each with its author and time: both sides read
    them all, those a clash overwrote too."""
    with store.read() as session:
        owned_conversation(session, thread, conversation_id)
        return _versions(session, conversation_id, SHARED, None)


def restore_note_version(store: Store, thread: Thread, conversation_id: int, version_id: object) -> Notes:
    """Make one earlier version of the shared notes the latest again, as a new version by the viewer (the
    versions in between stay). InputError (nothing stored) for an id that is not a version of these
    notes, or a 1:1 the viewer may not write in; restoring the latest version adds nothing."""
    if not isinstance(version_id, int) or isinstance(version_id, bool):
        raise InputError(f"{LABELS[SHARED]}: the version to restore is not one of these notes' versions")
    with store.write() as session:
        owned_conversation(session, thread, conversation_id, to_write=True)
        if held_on(session, conversation_id) is not None:
            raise InputError(f"{LABELS[SHARED]}: this 1:1 was recorded as held; its notes stay as they are")
        known = {v.id: v for v in _versions(session, conversation_id, SHARED, None)}
        if version_id not in known:
            raise InputError(f"{LABELS[SHARED]}: the version to restore is not one of these notes' versions")
        latest = max(known)
        if known[latest].text != known[version_id].text:
            session.add(
                OneOnOneNote(
                    one_on_one_id=conversation_id,
                    kind=SHARED,
                    author_id=thread.viewer_id,
                    text=known[version_id].text,
                    based_on_id=latest,  # restored with every version in sight: no clash
                    written_at=utcnow(),
                )
            )
            session.flush()
        return notes_in(session, thread, conversation_id, SHARED)


# -- recording a 1:1 as held -----------------------------------------------------------------------------
def initials(name: str) -> str:
    """A short alias for the log, which holds no names: "Ana María Silva" -> "A.M.S."."""
    letters = [part[0].upper() for part in name.replace("-", " ").split() if part[:1].isalpha()]
    return "".join(f"{letter}." for letter in letters[:4]) or "Team member"


def _planned_actions(session: Session, member_id: int, manager_id: int, day: date) -> int:
    """How many actions of the pair's series are open and due on ``day`` or later: a follow-up planned
    (an action overdue already plans nothing)."""
    series = latest_items(
        session, member_id, ACTION, in_conversations=pair_conversations(member_id, manager_id)
    )
    return sum(1 for a in series if a.status in OPEN_STATUSES and a.due_on is not None and a.due_on >= day)


def record_held(
    store: Store, thread: Thread, conversation_id: int, day: object, *, today: date | None = None
) -> Held:
    """Record the 1:1 as held on ``day`` (not in the future): one entry in the manager's "conversations
    held" log, made in the same transaction and linked from the record, and the next 1:1 opened. Its
    "follow-up planned" is true only when an open action of the pair is due on that day or later
    (setting the next 1:1's date later makes it true: `set_planned_date`). Recording it again, from
    either side, makes no second entry: the first record comes back (``recorded_now`` False).
    InputError (nothing stored) for a date that cannot be read, in the future or before 2000."""
    with store.write() as session:
        manager_id = check(session, thread)
        row = owned_conversation(session, thread, conversation_id, manager_id, to_write=True)
        existing = held_record(session, row.id)
        if existing is not None:
            return Held(
                row.id,
                existing.held_on,
                existing.log_entry_id,
                False,
                current_id(session, row.member_id, manager_id),
            )
        parts = clean_entry(
            day,  # type: ignore[arg-type]
            initials(_name(session, thread.member_id)),
            bool(goals_of(session, thread.member_id, shared_only=True)),
            False,
            today,
        )
        parts["follow_up_planned"] = (
            _planned_actions(session, thread.member_id, manager_id, parts["held_on"]) > 0  # type: ignore[arg-type]
        )
        try:
            with session.begin_nested():
                entry = add_log_entry(
                    session, manager_id, parts, by_id=thread.viewer_id, change="recorded on the 1:1 page"
                )
                session.add(
                    OneOnOneHeld(
                        one_on_one_id=row.id,
                        held_on=parts["held_on"],
                        manager_id=manager_id,
                        log_entry_id=entry.id,
                        recorded_by_id=thread.viewer_id,
                        recorded_at=utcnow(),
                    )
                )
                session.flush()
        except IntegrityError:  # recorded by the other side a moment ago (a server without write locks)
            existing = held_record(session, row.id)
            assert existing is not None
            return Held(
                row.id,
                existing.held_on,
                existing.log_entry_id,
                False,
                current_id(session, row.member_id, manager_id),
            )
        following = OneOnOne(member_id=row.member_id, manager_id=manager_id, opened_at=utcnow())
        session.add(following)
        session.flush()
        return Held(row.id, parts["held_on"], entry.id, True, following.id)  # type: ignore[arg-type]


def log_entry_links(store: Store, manager: Person) -> dict[int, str]:
    """The manager's log entries made by recording a 1:1, with the pid of the team member whose 1:1 it
    was (to link back to the 1:1 page); entries of people no longer reporting to them are left out."""
    with store.read() as session:
        rows = session.execute(
            select(OneOnOneHeld.log_entry_id, Participant.pid)
            .join(OneOnOne, OneOnOne.id == OneOnOneHeld.one_on_one_id)
            .join(Participant, Participant.id == OneOnOne.member_id)
            .where(OneOnOneHeld.manager_id == manager.id, Participant.manager_id == manager.id)
        ).all()
    return {entry: pid for entry, pid in rows if entry is not None}
