"""Which waves of the comfort and skill check are open, per cohort.

A facilitator opens and closes `pre` and `post`; each change appends a WaveEvent and the latest event
counts, so the history of who could answer when is kept. The retrospective `then` wave has no switch
of its own: it is asked together with `post`, so it is open exactly when `post` is open. That keeps the
two from drifting apart (a `then` answer given weeks after `post` would measure something else).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbook.identity import Person
from workbook.models import WAVES, Participant, Score, WaveEvent
from workbook.store import Store, utcnow
from workbook.validation import InputError

SWITCHED_WAVES: tuple[str, ...] = ("pre", "post")  # `then` follows `post`
FOLLOWS: dict[str, str] = {"then": "post"}


def clean_wave(wave: object) -> str:
    """One of WAVES, or InputError naming the value."""
    if not isinstance(wave, str) or wave not in WAVES:
        raise InputError(f"wave: {wave!r} is not one of {', '.join(WAVES)}")
    return wave


def _latest(session: Session, cohort_id: int) -> dict[str, bool]:
    rows = session.execute(
        select(WaveEvent.wave, WaveEvent.is_open)
        .where(WaveEvent.cohort_id == cohort_id)
        .order_by(WaveEvent.id)
    ).all()
    state = {wave: False for wave in SWITCHED_WAVES}
    for wave, is_open in rows:
        state[wave] = bool(is_open)
    return {wave: state[FOLLOWS.get(wave, wave)] for wave in WAVES}


def waves_in_session(session: Session, cohort_id: int) -> dict[str, bool]:
    """Open state of every wave for a cohort, read inside the caller's transaction."""
    return _latest(session, cohort_id)


def set_wave(store: Store, cohort: str, wave: str, is_open: bool, *, by_person_id: int | None = None) -> bool:
    """Open or close `pre` or `post` for a cohort; returns whether anything changed.

    `by_person_id` is the facilitator who did it (kept with the change); None for the command line.

    Raises InputError for an unknown wave, for `then` (it follows `post`) or a non-bool `is_open`;
    StoreError for an unknown cohort. Setting the state it already has records nothing.
    """
    wave = clean_wave(wave)
    if wave in FOLLOWS:
        raise InputError(
            f"wave: {wave!r} opens and closes with {FOLLOWS[wave]!r}; set {FOLLOWS[wave]!r} instead"
        )
    if not isinstance(is_open, bool):
        raise InputError(f"wave {wave}: open must be true or false, got {is_open!r}")
    with store.write() as session:
        cohort_id = store.cohort_id(session, cohort, create=False)
        if _latest(session, cohort_id)[wave] == is_open:
            return False
        session.add(
            WaveEvent(
                cohort_id=cohort_id,
                wave=wave,
                is_open=is_open,
                changed_at=utcnow(),
                by_person_id=by_person_id,
            )
        )
    return True


def open_waves(store: Store, cohort: str) -> dict[str, bool]:
    """{"pre": bool, "post": bool, "then": bool} for a cohort (StoreError if it does not exist)."""
    with store.read() as session:
        return _latest(session, store.cohort_id(session, cohort, create=False))


def wave_is_open(store: Store, cohort: str, wave: str) -> bool:
    """Whether members of `cohort` may answer `wave` now."""
    return open_waves(store, cohort)[clean_wave(wave)]


@dataclass(frozen=True)
class WaveChange:
    """The latest switch of one wave: open or closed, when, and by whom (None: the command line)."""

    wave: str
    is_open: bool
    changed_at: datetime
    by: str | None


def last_changes(store: Store, cohort: str) -> dict[str, WaveChange]:
    """The latest change of `pre` and `post` for a cohort (a wave never switched is absent)."""
    from workbook.store import as_utc

    with store.read() as session:
        cohort_id = store.cohort_id(session, cohort, create=False)
        rows = session.execute(
            select(WaveEvent.wave, WaveEvent.is_open, WaveEvent.changed_at, Participant.name)
            .outerjoin(Participant, WaveEvent.by_person_id == Participant.id)
            .where(WaveEvent.cohort_id == cohort_id)
            .order_by(WaveEvent.id)
        ).all()
    return {wave: WaveChange(wave, bool(is_open), as_utc(moment), by) for wave, is_open, moment, by in rows}


def waves_answered(store: Store, person: Person) -> set[str]:
    """The waves in which a manager has answered the check (without loading their scores)."""
    with store.read() as session:
        rows = session.execute(select(Score.wave).where(Score.participant_id == person.id).distinct())
        return {wave for (wave,) in rows}
