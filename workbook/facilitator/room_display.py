"""A room's display link: what the projector opens instead of the facilitator's own code.

A facilitator (with a code, or as the hub's user under a JupyterHub) makes one for one of their cohorts.
It opens that cohort's room view only (``room.ipynb?display=…``): no other app, no names, no other
cohort. It stops working at the end of the day it was made, in ``WORKBOOK_TIME_ZONE``, or when a
facilitator of the cohort ends it. The link is a credential: the store keeps its SHA-256 hash only.
The question the projector shows is kept with it, so that the facilitator can pick it on their own page
or on the room page, and both show the same.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from urllib.parse import quote

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from workbook import config
from workbook.facilitator.cohorts import NotYourCohort
from workbook.facilitator.room import room_question
from workbook.identity import CODE_PATTERN, Person, hash_code
from workbook.models import Cohort, Participant, RoleGrant, RoomDisplay
from workbook.store import Store, StoreError, as_utc, utcnow

TOKEN_BYTES = 24  # 192 bits, as an access code
DISPLAY_PARAMETER = "display"
ROOM_NOTEBOOK = "room.ipynb"


class DisplayEnded(StoreError):
    """The display link is unknown, ended or past its day (one message, so a guess learns nothing)."""


ENDED = (
    "This room link does not open the room view: it has ended, or it is not a room link. Ask the "
    "facilitator for today's link."
)


@dataclass(frozen=True)
class Display:
    """A display link as a page may know it (never the link itself)."""

    id: int
    cohort: str
    made_by: str  # the facilitator's name, for their own page
    made_at: datetime
    ends_at: datetime
    ended_at: datetime | None
    question: str | None

    def live(self, now: datetime | None = None) -> bool:
        return self.ended_at is None and (now or utcnow()) < self.ends_at


@dataclass(frozen=True)
class IssuedDisplay:
    display: Display
    token: str
    href: str  # relative to the apps (they are served side by side)


def end_of_day(moment: datetime) -> datetime:
    """The next midnight after `moment` in ``WORKBOOK_TIME_ZONE``, in UTC."""
    zone = config.default_time_zone()
    local = as_utc(moment).astimezone(zone)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone)
    return midnight.astimezone(as_utc(moment).tzinfo)


def _display(session: Session, row: RoomDisplay) -> Display:
    cohort = session.scalar(select(Cohort.name).where(Cohort.id == row.cohort_id)) or ""
    made_by = session.scalar(select(Participant.name).where(Participant.id == row.made_by)) or ""
    return Display(
        row.id,
        cohort,
        made_by,
        as_utc(row.made_at),
        as_utc(row.ends_at),
        as_utc(row.ended_at) if row.ended_at else None,
        row.question,
    )


def _cohort_id_of(session: Session, person: Person, cohort: object) -> int:
    """The cohort's id if the person facilitates it now (in the store, not only on their page)."""
    if not isinstance(cohort, str):
        raise NotYourCohort("you are not a facilitator of that cohort")
    cohort_id = session.scalar(
        select(Cohort.id)
        .join(RoleGrant, RoleGrant.cohort_id == Cohort.id)
        .where(
            Cohort.name == cohort,
            RoleGrant.participant_id == person.id,
            RoleGrant.role == "facilitator",
            RoleGrant.withdrawn_at.is_(None),
        )
        .limit(1)
    )
    if cohort_id is None:
        raise NotYourCohort("you are not a facilitator of that cohort")
    return cohort_id


def make_display(store: Store, person: Person, cohort: object) -> IssuedDisplay:
    """A new display link for a cohort the person facilitates now; it ends at midnight."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    with store.write() as session:
        cohort_id = _cohort_id_of(session, person, cohort)
        row = RoomDisplay(
            token_hash=hash_code(token),
            cohort_id=cohort_id,
            made_by=person.id,
            made_at=now,
            ends_at=end_of_day(now),
        )
        session.add(row)
        session.flush()
        display = _display(session, row)
    return IssuedDisplay(display, token, f"{ROOM_NOTEBOOK}?{DISPLAY_PARAMETER}={quote(token, safe='')}")


def _live_row(session: Session, row: RoomDisplay | None, now: datetime | None) -> RoomDisplay:
    if row is None or row.ended_at is not None or as_utc(row.ends_at) <= (now or utcnow()):
        raise DisplayEnded(ENDED)
    return row


def open_display(store: Store, token: object, now: datetime | None = None) -> Display:
    """The live display of this link; DisplayEnded for a link that is malformed, unknown or ended."""
    if not isinstance(token, str) or not CODE_PATTERN.match(token.strip()):
        raise DisplayEnded(ENDED)
    with store.read() as session:
        row = session.scalar(select(RoomDisplay).where(RoomDisplay.token_hash == hash_code(token.strip())))
        return _display(session, _live_row(session, row, now))


def live_display(store: Store, display_id: int, now: datetime | None = None) -> Display:
    """The display by its row (a visit's session names it), if it is still live; else DisplayEnded."""
    with store.read() as session:
        return _display(session, _live_row(session, session.get(RoomDisplay, display_id), now))


def display_is_live(session: Session, display_id: int, now: datetime | None = None) -> bool:
    """Whether the display still opens the room view (checked inside each write of its page)."""
    try:
        _live_row(session, session.get(RoomDisplay, display_id), now)
    except DisplayEnded:
        return False
    return True


def live_displays(store: Store, person: Person, cohort: object) -> list[Display]:
    """The live display links of a cohort the person facilitates, newest first."""
    now = utcnow()
    with store.read() as session:
        cohort_id = _cohort_id_of(session, person, cohort)
        rows = session.scalars(
            select(RoomDisplay)
            .where(RoomDisplay.cohort_id == cohort_id, RoomDisplay.ended_at.is_(None))
            .order_by(RoomDisplay.id.desc())
        ).all()
        return [d for d in (_display(session, r) for r in rows) if d.live(now)]


def _own_display(session: Session, person: Person, display_id: object) -> RoomDisplay:
    """A display row of a cohort the person facilitates now (any facilitator of it may end it)."""
    row = session.get(RoomDisplay, display_id) if isinstance(display_id, int) else None
    if row is None:
        raise NotYourCohort("that room link is not one of your cohorts'")
    cohort = session.scalar(select(Cohort.name).where(Cohort.id == row.cohort_id))
    _cohort_id_of(session, person, cohort)
    return row


def end_display(store: Store, person: Person, display_id: object) -> Display:
    """End a display link of one of the person's cohorts now: an open room page stops at its next
    check, and the link opens nothing any more."""
    with store.write() as session:
        row = _own_display(session, person, display_id)
        if row.ended_at is None:
            row.ended_at = utcnow()
        session.flush()
        return _display(session, row)


def set_question(store: Store, person: Person, display_id: object, key: object) -> Display:
    """The facilitator picks the question the projector shows (on their own page)."""
    question = room_question(key)
    with store.write() as session:
        row = _own_display(session, person, display_id)
        row.question = question.key
        session.flush()
        return _display(session, row)


def set_question_on_display(store: Store, display_id: int, key: object) -> Display:
    """The room page picks its question: only while its display is live, and only the question."""
    question = room_question(key)
    with store.write() as session:
        _live_row(session, session.get(RoomDisplay, display_id), None)
        session.execute(update(RoomDisplay).where(RoomDisplay.id == display_id).values(question=question.key))
        return _display(session, session.get(RoomDisplay, display_id))
