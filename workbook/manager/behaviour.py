"""The conversation log: career conversations a manager reports having held (Kirkpatrick level 3).

Self-rated confidence says how a manager feels; this log says what they did. A manager refers to the
team member by an alias of their choosing (initials, a nickname), so the log holds no names. Evaluators
only ever get counts, from `behaviour_counts`.

"Follow-up planned" means a next conversation or an action with a date was planned. A manager ticks it
when logging by hand; an entry made by recording a 1:1 as held on the 1:1 page is true only when an open
action of the pair has a due date then, and becomes true when either side sets the next 1:1's date
afterwards. Entries logged before this rule keep what they recorded.

An entry can be edited and deleted by the manager who logged it, and its history is kept: each change
adds a version (`ConversationLogVersion`) saying what changed, who changed it and when; the latest
version is what the entry says now. A deleted entry is kept in the history, and is no longer shown or
counted anywhere: every reader goes through `live_conversations`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from workbook.identity import Person, holding_role
from workbook.models import ConversationLog, ConversationLogVersion, Participant
from workbook.store import Store, as_utc, utcnow
from workbook.validation import EARLIEST_DATE, InputError, clean_date, clean_text

EARLIEST = EARLIEST_DATE
ALIAS_MAX = 80
# The parts of an entry a manager can change, as the page names them.
PARTS: dict[str, str] = {
    "held_on": "Date of the conversation",
    "alias": "Team member (alias)",
    "idp_started": "Development plan started",
    "follow_up_planned": "Follow-up planned",
}


# What each count of `behaviour_counts` means, as the evaluator's page defines it.
DEFINITIONS: dict[str, str] = {
    "conversations": "Career conversations the managers logged, by hand or by recording a 1:1 as held on the "
    "1:1 page (deleted entries left out).",
    "idps_started": "Logged conversations in which a development plan was started (on the 1:1 page: the team "
    "member shares goals with the manager).",
    "follow_ups_planned": "Logged conversations with a follow-up planned: a next conversation or an "
    "action with a date. A manager ticks it when logging by hand; a 1:1 recorded on the 1:1 page counts only "
    "when an open action is due on the day held or later, or once the next 1:1's date is set. Entries "
    "logged before this rule keep what they recorded (then: any open action counted).",
}


@dataclass(frozen=True)
class Conversation:
    id: int
    held_on: date
    alias: str
    idp_started: bool
    follow_up_planned: bool
    logged_at: datetime


@dataclass(frozen=True)
class ConversationVersion:
    """One version of an entry: what it said, and what changed, by whom and when."""

    held_on: date
    alias: str
    idp_started: bool
    follow_up_planned: bool
    deleted: bool
    change: str
    changed_by_id: int | None
    changed_at: datetime


def clean_alias(label: str, value: object) -> str:
    """A one-line name for a team member, 1-80 characters (shared with the planner)."""
    alias = " ".join(clean_text(label, value, max_length=ALIAS_MAX * 4).split())
    if not alias:
        raise InputError(f"{label}: must not be empty")
    if len(alias) > ALIAS_MAX:
        raise InputError(f"{label}: at most {ALIAS_MAX} characters, got {len(alias)}")
    return alias


def clean_flag(label: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise InputError(f"{label}: expected yes or no (true/false), got {value!r}")
    return value


def clean_entry(
    held_on: date | str, alias: str, idp_started: bool, follow_up_planned: bool, today: date | None
) -> dict[str, object]:
    """An entry's parts as stored, or InputError naming the first bad one."""
    return {
        "held_on": clean_date(
            PARTS["held_on"],
            held_on,
            earliest=EARLIEST,
            latest=today or date.today(),
            too_late="has not come yet: log a conversation once it has taken place",
        ),
        "alias": clean_alias(PARTS["alias"], alias),
        "idp_started": clean_flag(PARTS["idp_started"], idp_started),
        "follow_up_planned": clean_flag(PARTS["follow_up_planned"], follow_up_planned),
    }


def log_conversation(
    store: Store,
    person: Person,
    held_on: date | str,
    alias: str,
    idp_started: bool,
    follow_up_planned: bool,
    *,
    today: date | None = None,
) -> Conversation:
    """Record a career conversation; InputError (nothing stored) for a date in the future or before
    2000, an empty or over-long alias, or flags that are not true/false."""
    parts = clean_entry(held_on, alias, idp_started, follow_up_planned, today)
    with store.write() as session:
        return add_log_entry(session, person.id, parts, by_id=person.id)


def add_log_entry(
    session: Session, manager_id: int, parts: dict[str, object], *, by_id: int, change: str = "logged"
) -> Conversation:
    """Write one entry of a manager's log and its first version inside the caller's transaction (the 1:1
    page records a held conversation and its entry together). `parts` as `clean_entry` returns them."""
    moment = utcnow()
    row = ConversationLog(participant_id=manager_id, logged_at=moment, **parts)
    session.add(row)
    session.flush()
    session.add(_version(row.id, parts, change, by_id, moment))
    return Conversation(row.id, logged_at=moment, **parts)  # type: ignore[arg-type]


def _version(
    conversation_id: int,
    parts: dict[str, object],
    change: str,
    by: int,
    moment: datetime,
    deleted: bool = False,
) -> ConversationLogVersion:
    return ConversationLogVersion(
        conversation_id=conversation_id,
        deleted=deleted,
        change=change,
        changed_by_id=by,
        changed_at=moment,
        **{part: parts[part] for part in PARTS},
    )


def mark_follow_up_planned(session: Session, conversation_id: int, *, by_id: int, change: str) -> bool:
    """Inside the caller's transaction, say that a follow-up was planned for one entry (the 1:1 page does
    when the next 1:1's date is set after the 1:1 was recorded): a new version naming the change, unless
    the entry says so already or is deleted. Whether a version was added."""
    current = session.scalars(
        select(ConversationLogVersion)
        .where(ConversationLogVersion.conversation_id == conversation_id)
        .order_by(ConversationLogVersion.id.desc())
        .limit(1)
    ).first()
    if current is None or current.deleted or current.follow_up_planned:
        return False
    parts = _parts_of(current) | {"follow_up_planned": True}
    session.add(_version(conversation_id, parts, change, by_id, utcnow()))
    return True


def live_conversations() -> Select:
    """Every entry as it is now, deleted ones left out: (conversation id, participant id, and the
    entry's parts). The one place that says which version of an entry counts."""
    latest = select(func.max(ConversationLogVersion.id)).group_by(ConversationLogVersion.conversation_id)
    return (
        select(
            ConversationLogVersion.conversation_id,
            ConversationLog.participant_id,
            ConversationLog.logged_at,
            *(getattr(ConversationLogVersion, part) for part in PARTS),
        )
        .join(ConversationLog, ConversationLog.id == ConversationLogVersion.conversation_id)
        .where(ConversationLogVersion.id.in_(latest), ConversationLogVersion.deleted.is_(False))
    )


def _latest_own(session: Session, person: Person, conversation_id: object) -> ConversationLogVersion:
    """The latest version of one of this manager's entries; InputError for anyone else's or an id
    that is no entry at all (the same words, so nothing is learnt about others' entries)."""
    shown = str(conversation_id)[:40]
    refused = InputError(f"Conversation: {shown!r} is not one of your logged conversations")
    if not isinstance(conversation_id, int) or isinstance(conversation_id, bool):
        raise refused
    owner = session.scalar(
        select(ConversationLog.participant_id).where(ConversationLog.id == conversation_id)
    )
    if owner is None or owner != person.id:
        raise refused
    return session.scalars(
        select(ConversationLogVersion)
        .where(ConversationLogVersion.conversation_id == conversation_id)
        .order_by(ConversationLogVersion.id.desc())
        .limit(1)
    ).one()


def _parts_of(version: ConversationLogVersion) -> dict[str, object]:
    return {part: getattr(version, part) for part in PARTS}


def edit_conversation(
    store: Store,
    person: Person,
    conversation_id: int,
    held_on: date | str,
    alias: str,
    idp_started: bool,
    follow_up_planned: bool,
    *,
    today: date | None = None,
) -> Conversation:
    """Change one of the manager's own entries; the change is a new version naming the parts changed.

    InputError (nothing stored) for another manager's entry, a deleted one, or a bad part (as for a new
    entry). Saving it unchanged adds no version."""
    parts = clean_entry(held_on, alias, idp_started, follow_up_planned, today)
    with store.write() as session:
        current = _latest_own(session, person, conversation_id)
        if current.deleted:
            raise InputError("Conversation: this conversation was deleted; undo the delete to change it")
        changed = [PARTS[part] for part in PARTS if getattr(current, part) != parts[part]]
        if changed:
            session.add(_version(conversation_id, parts, ", ".join(changed), person.id, utcnow()))
        logged_at = session.scalar(
            select(ConversationLog.logged_at).where(ConversationLog.id == conversation_id)
        )
    return Conversation(conversation_id, logged_at=as_utc(logged_at), **parts)  # type: ignore[arg-type]


def delete_conversation(store: Store, person: Person, conversation_id: int) -> Conversation:
    """Delete one of the manager's own entries: a version marked deleted (the earlier ones stay).
    The entry as it was; InputError for anyone else's entry or one already deleted."""
    with store.write() as session:
        current = _latest_own(session, person, conversation_id)
        if current.deleted:
            raise InputError("Conversation: this conversation is already deleted")
        parts = _parts_of(current)
        session.add(_version(conversation_id, parts, "deleted", person.id, utcnow(), deleted=True))
        logged_at = session.scalar(
            select(ConversationLog.logged_at).where(ConversationLog.id == conversation_id)
        )
    return Conversation(conversation_id, logged_at=as_utc(logged_at), **parts)  # type: ignore[arg-type]


def restore_conversation(store: Store, person: Person, conversation_id: int) -> Conversation:
    """Undo a delete: the entry comes back as it was. InputError for an entry that is not one of the
    manager's deleted ones."""
    with store.write() as session:
        current = _latest_own(session, person, conversation_id)
        if not current.deleted:
            raise InputError("Conversation: this conversation is not deleted")
        parts = _parts_of(current)
        session.add(_version(conversation_id, parts, "restored", person.id, utcnow()))
        logged_at = session.scalar(
            select(ConversationLog.logged_at).where(ConversationLog.id == conversation_id)
        )
    return Conversation(conversation_id, logged_at=as_utc(logged_at), **parts)  # type: ignore[arg-type]


def conversation_history(store: Store, person: Person, conversation_id: int) -> list[ConversationVersion]:
    """Every version of one of the manager's own entries, oldest first."""
    with store.read() as session:
        _latest_own(session, person, conversation_id)
        rows = session.scalars(
            select(ConversationLogVersion)
            .where(ConversationLogVersion.conversation_id == conversation_id)
            .order_by(ConversationLogVersion.id)
        ).all()
        return [
            ConversationVersion(
                r.held_on,
                r.alias,
                r.idp_started,
                r.follow_up_planned,
                r.deleted,
                r.change,
                r.changed_by_id,
                as_utc(r.changed_at),
            )
            for r in rows
        ]


def conversations(store: Store, person: Person) -> list[Conversation]:
    """One manager's logged conversations as they are now, most recent first (deleted ones left out)."""
    live = live_conversations().subquery()
    with store.read() as session:
        rows = session.execute(
            select(live)
            .where(live.c.participant_id == person.id)
            .order_by(live.c.held_on.desc(), live.c.conversation_id.desc())
        ).all()
    return [
        Conversation(
            r.conversation_id, r.held_on, r.alias, r.idp_started, r.follow_up_planned, as_utc(r.logged_at)
        )
        for r in rows
    ]


def behaviour_counts(store: Store, cohort: str | None = None) -> dict[str, int]:
    """Counts only (no aliases, no people): conversations held, managers who held at least one,
    IDPs started, follow-ups planned, deleted entries left out. Only people who hold the manager role
    count, so nobody else can add to the programme's figures. StoreError for an unknown cohort."""
    live = live_conversations().subquery()
    with store.read() as session:
        query = select(
            func.count(live.c.conversation_id),
            func.count(func.distinct(live.c.participant_id)),
            func.coalesce(func.sum(case((live.c.idp_started, 1), else_=0)), 0),
            func.coalesce(func.sum(case((live.c.follow_up_planned, 1), else_=0)), 0),
        )
        query = query.join(Participant, live.c.participant_id == Participant.id).where(
            Participant.id.in_(holding_role("manager"))
        )
        if cohort is not None:
            query = query.where(Participant.cohort_id == store.cohort_id(session, cohort, create=False))
        held, managers, idps, follow_ups = session.execute(query).one()
    return {
        "conversations": int(held),
        "managers_with_conversation": int(managers),
        "idps_started": int(idps),
        "follow_ups_planned": int(follow_ups),
    }
