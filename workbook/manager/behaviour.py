"""The conversation log: career conversations a manager reports having held (Kirkpatrick level 3).

Self-rated confidence says how a manager feels; this log says what they did. A manager refers to the
team member by an alias of their choosing (initials, a nickname), so the log holds no names. Evaluators
only ever get counts, from `behaviour_counts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select

from workbook.identity import Person, holding_role
from workbook.models import ConversationLog, Participant
from workbook.store import Store, as_utc, utcnow
from workbook.validation import EARLIEST_DATE, InputError, clean_date, clean_text

EARLIEST = EARLIEST_DATE
ALIAS_MAX = 80


@dataclass(frozen=True)
class Conversation:
    id: int
    held_on: date
    alias: str
    idp_started: bool
    follow_up_planned: bool
    logged_at: datetime


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
    held = clean_date(
        "Date of the conversation",
        held_on,
        earliest=EARLIEST,
        latest=today or date.today(),
        too_late="has not come yet: log a conversation once it has taken place",
    )
    name = clean_alias("Team member (alias)", alias)
    idp = clean_flag("Development plan started", idp_started)
    follow = clean_flag("Follow-up planned", follow_up_planned)
    row = ConversationLog(
        participant_id=person.id,
        held_on=held,
        alias=name,
        idp_started=idp,
        follow_up_planned=follow,
        logged_at=utcnow(),
    )
    with store.write() as session:
        session.add(row)
        session.flush()
        return Conversation(row.id, held, name, idp, follow, row.logged_at)


def conversations(store: Store, person: Person) -> list[Conversation]:
    """One manager's logged conversations, most recent first."""
    with store.read() as session:
        rows = session.scalars(
            select(ConversationLog)
            .where(ConversationLog.participant_id == person.id)
            .order_by(ConversationLog.held_on.desc(), ConversationLog.id.desc())
        ).all()
    return [
        Conversation(r.id, r.held_on, r.alias, r.idp_started, r.follow_up_planned, as_utc(r.logged_at))
        for r in rows
    ]


def behaviour_counts(store: Store, cohort: str | None = None) -> dict[str, int]:
    """Counts only (no aliases, no people): conversations held, managers who held at least one,
    IDPs started, follow-ups planned. Only people who hold the manager role count, so nobody else can
    add to the programme's figures. StoreError for an unknown cohort."""
    with store.read() as session:
        query = select(
            func.count(ConversationLog.id),
            func.count(func.distinct(ConversationLog.participant_id)),
            func.coalesce(func.sum(case((ConversationLog.idp_started, 1), else_=0)), 0),
            func.coalesce(func.sum(case((ConversationLog.follow_up_planned, 1), else_=0)), 0),
        )
        query = query.join(Participant, ConversationLog.participant_id == Participant.id).where(
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
