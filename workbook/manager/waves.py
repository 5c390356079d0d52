"""The waves of the comfort and skill check: their order, and which of them are open, per cohort.

`ORDER` is the one list of the waves, in the order a programme runs them. A facilitator opens and
closes each wave (`pre`, then `post`); each change appends a WaveEvent and the latest event counts, so
the history of who could answer when is kept. A wave may ask more than its own questions: `post` asks
the retrospective `then` questions too, so `then` is open exactly when `post` is (a `then` answer given
weeks after `post` would measure something else). Adding a wave is one line in `ORDER`.

The order is a state machine, the same for the facilitator's page, the command line, the manager's page
and a scores import:

- Opening a wave closes every earlier wave that is still open, in the same transaction. We chose this
  over refusing: a facilitator opens the post check at the end of the programme, when the pre check is
  over whatever its switch says; refusing would only add a step (close pre, then open post), and a pre
  left open beside post is exactly what let a manager answer "before" after the programme. The page says
  so before the facilitator confirms.
- Once a later wave has opened, an earlier wave is *passed*: it takes no new answers. Reopening it needs a
  reason, which is recorded with who and when.
- An answer to a wave given after it was passed (after a reopen, or imported with such a time) is *late*:
  it is kept and marked, left out of the paired figures unless an evaluation includes late answers, and
  counted in the flow. `is_late` is the one rule; the migration that added the mark applied it to the
  answers already stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbook.identity import Person, holding_role
from workbook.models import Participant, Score, WaveEvent
from workbook.store import Store, as_utc, utcnow
from workbook.validation import InputError, clean_text


@dataclass(frozen=True)
class Wave:
    """One wave of the programme: the name a facilitator switches, the score waves it asks (its own
    first), what a sentence calls it and the heading of its part of the manager's page."""

    name: str
    asks: tuple[str, ...]
    label: str
    title: str


ORDER: tuple[Wave, ...] = (
    Wave("pre", ("pre",), "the check at the start of the programme", "At the start of the programme"),
    Wave("post", ("post", "then"), "the check at the end of the programme", "At the end of the programme"),
)

SWITCHED_WAVES: tuple[str, ...] = tuple(w.name for w in ORDER)
WAVES: tuple[str, ...] = tuple(asked for w in ORDER for asked in w.asks)  # every score wave, in order
FOLLOWS: dict[str, str] = {asked: w.name for w in ORDER for asked in w.asks if asked != w.name}
SUBMITS: dict[str, tuple[str, ...]] = {w.name: w.asks for w in ORDER}  # what one submit answers
WAVE_OF: dict[str, Wave] = {asked: w for w in ORDER for asked in w.asks}
WAVE_NAMES: dict[str, str] = {
    **{w.name: w.label for w in ORDER},
    "then": "the look-back questions",
}
REASON_MAX = 500


def clean_wave(wave: object) -> str:
    """One of WAVES, or InputError naming the value."""
    if not isinstance(wave, str) or wave not in WAVES:
        raise InputError(f"wave: {wave!r} is not one of {', '.join(WAVES)}")
    return wave


def later(wave: str) -> tuple[str, ...]:
    """The switched waves after `wave` (a switched wave) in the order."""
    return SWITCHED_WAVES[SWITCHED_WAVES.index(wave) + 1 :]


def earlier(wave: str) -> tuple[str, ...]:
    """The switched waves before `wave` (a switched wave) in the order."""
    return SWITCHED_WAVES[: SWITCHED_WAVES.index(wave)]


@dataclass(frozen=True)
class CohortWaves:
    """A cohort's waves as the events leave them: which are open and since when each is passed."""

    open: dict[str, bool]  # by switched wave
    opened_ever: dict[str, bool]
    passed_at: dict[str, datetime | None]  # when a later wave first opened (None: not passed)

    def is_open(self, wave: str) -> bool:
        """Whether a score wave (`then` too) takes answers now."""
        return self.open[WAVE_OF[wave].name]

    def passed_by(self, wave: str) -> str | None:
        """The first later wave that has opened, for a switched wave that is passed."""
        if self.passed_at[wave] is None:
            return None
        return next(w for w in later(wave) if self.opened_ever[w])

    def is_late(self, wave: str, answered_at: datetime) -> bool:
        """The one rule for a late answer: given to a score wave at or after its wave was passed."""
        passed = self.passed_at[WAVE_OF[wave].name]
        return passed is not None and as_utc(answered_at) >= passed


def _state(rows: list[tuple[str, bool, datetime]]) -> CohortWaves:
    is_open = {w: False for w in SWITCHED_WAVES}
    ever = {w: False for w in SWITCHED_WAVES}
    passed: dict[str, datetime | None] = {w: None for w in SWITCHED_WAVES}
    for wave, opened, moment in rows:
        if wave not in is_open:  # a wave no longer in the order keeps its history but counts for nothing
            continue
        is_open[wave] = bool(opened)
        if opened:
            ever[wave] = True
            for before in earlier(wave):
                if passed[before] is None:
                    passed[before] = as_utc(moment)
    return CohortWaves(is_open, ever, passed)


def cohort_waves(session: Session, cohort_id: int) -> CohortWaves:
    """The state of a cohort's waves, read inside the caller's transaction."""
    rows = session.execute(
        select(WaveEvent.wave, WaveEvent.is_open, WaveEvent.changed_at)
        .where(WaveEvent.cohort_id == cohort_id)
        .order_by(WaveEvent.id)
    ).all()
    return _state([(w, bool(o), m) for w, o, m in rows])


def waves_in_session(session: Session, cohort_id: int) -> dict[str, bool]:
    """Open state of every score wave for a cohort, read inside the caller's transaction."""
    state = cohort_waves(session, cohort_id)
    return {wave: state.is_open(wave) for wave in WAVES}


@dataclass(frozen=True)
class SwitchPlan:
    """What opening or closing a wave will do, said before it is done (the page's confirmation and the
    command line use it)."""

    wave: str
    to_open: bool
    changes: bool  # False: the wave already is so
    closes: tuple[str, ...]  # earlier waves this opening closes
    passed_by: str | None  # the later wave that has opened: reopening needs a reason
    answered: dict[str, int]  # managers who have answered each wave of the cohort
    managers: int  # managers in the cohort

    @property
    def needs_reason(self) -> bool:
        return self.to_open and self.changes and self.passed_by is not None


def _check_switch(wave: object, is_open: object) -> str:
    if not isinstance(wave, str) or wave not in WAVES:
        raise InputError(f"wave: {wave!r} is not one of {', '.join(SWITCHED_WAVES)}")
    if wave in FOLLOWS:
        raise InputError(
            f"wave: {wave!r} opens and closes with {FOLLOWS[wave]!r}; set {FOLLOWS[wave]!r} instead"
        )
    if not isinstance(is_open, bool):
        raise InputError(f"wave {wave}: open must be true or false, got {is_open!r}")
    return wave


def _plan(session: Session, cohort_id: int, wave: str, to_open: bool) -> SwitchPlan:
    state = cohort_waves(session, cohort_id)
    changes = state.open[wave] != to_open
    closes = tuple(w for w in earlier(wave) if state.open[w]) if to_open and changes else ()
    managers = select(Participant.id).where(
        Participant.cohort_id == cohort_id, Participant.id.in_(holding_role("manager"))
    )
    counts = dict(
        session.execute(
            select(Score.wave, func.count(func.distinct(Score.participant_id)))
            .where(Score.participant_id.in_(managers))
            .group_by(Score.wave)
        ).all()
    )
    answered = {w: int(counts.get(w, 0)) for w in SWITCHED_WAVES}
    n_managers = int(session.scalar(select(func.count()).select_from(managers.subquery())) or 0)
    return SwitchPlan(wave, to_open, changes, closes, state.passed_by(wave), answered, n_managers)


def plan_switch(store: Store, cohort: str, wave: str, is_open: bool) -> SwitchPlan:
    """What `set_wave` would do now (InputError for a wave that cannot be switched, StoreError for an
    unknown cohort), so a page can say it before the facilitator confirms."""
    wave = _check_switch(wave, is_open)
    with store.read() as session:
        return _plan(session, store.cohort_id(session, cohort, create=False), wave, is_open)


def reopen_refusal(wave: str, passed_by: str) -> str:
    """Why a passed wave takes no new answers, in the words the page and the command line use."""
    return (
        f"wave {wave}: {WAVE_NAMES[passed_by]} ({passed_by}) has opened, so {WAVE_NAMES[wave]} ({wave}) "
        "takes no new answers: an answer about the start given now would describe the manager after it. "
        "To reopen it anyway, give a reason (answers given now are marked late and left out of the "
        "before-and-after figures unless an evaluation includes them)"
    )


def set_wave(
    store: Store,
    cohort: str,
    wave: str,
    is_open: bool,
    *,
    by_person_id: int | None = None,
    reason: str | None = None,
) -> bool:
    """Open or close a switched wave for a cohort, in the order; returns whether anything changed.

    `by_person_id` is the facilitator who did it (kept with the change); None for the command line.
    Opening a wave closes every earlier wave still open (recorded as changes of the same person and
    moment). Reopening a wave a later one has passed needs `reason`, recorded with the change.

    Raises InputError for an unknown wave, for `then` (it follows `post`), a non-bool `is_open`, a
    missing or bad reason; StoreError for an unknown cohort. Setting the state it already has records
    nothing. The order is checked inside the write transaction.
    """
    wave = _check_switch(wave, is_open)
    if reason is not None:
        reason = clean_text("reason", reason, max_length=REASON_MAX).strip() or None
    with store.write() as session:
        cohort_id = store.cohort_id(session, cohort, create=False)
        plan = _plan(session, cohort_id, wave, is_open)
        if not plan.changes:
            return False
        if plan.needs_reason and reason is None:
            raise InputError(reopen_refusal(wave, plan.passed_by or ""))
        moment = utcnow()
        for earlier_wave in plan.closes:
            session.add(
                WaveEvent(
                    cohort_id=cohort_id,
                    wave=earlier_wave,
                    is_open=False,
                    changed_at=moment,
                    by_person_id=by_person_id,
                )
            )
        session.add(
            WaveEvent(
                cohort_id=cohort_id,
                wave=wave,
                is_open=is_open,
                changed_at=moment,
                by_person_id=by_person_id,
                reason=reason,
            )
        )
    return True


def open_waves(store: Store, cohort: str) -> dict[str, bool]:
    """{"pre": bool, "post": bool, "then": bool} for a cohort (StoreError if it does not exist)."""
    with store.read() as session:
        return waves_in_session(session, store.cohort_id(session, cohort, create=False))


def waves_of(store: Store, cohort: str) -> CohortWaves:
    """The state of a cohort's waves: open, and passed since when (StoreError for an unknown cohort)."""
    with store.read() as session:
        return cohort_waves(session, store.cohort_id(session, cohort, create=False))


def wave_is_open(store: Store, cohort: str, wave: str) -> bool:
    """Whether members of `cohort` may answer `wave` now."""
    return open_waves(store, cohort)[clean_wave(wave)]


@dataclass(frozen=True)
class WaveChange:
    """The latest switch of one wave: open or closed, when, by whom (None: the command line) and the
    reason given for reopening it out of order."""

    wave: str
    is_open: bool
    changed_at: datetime
    by: str | None
    reason: str | None = None


def last_changes(store: Store, cohort: str) -> dict[str, WaveChange]:
    """The latest change of each switched wave for a cohort (a wave never switched is absent)."""
    with store.read() as session:
        cohort_id = store.cohort_id(session, cohort, create=False)
        rows = session.execute(
            select(
                WaveEvent.wave, WaveEvent.is_open, WaveEvent.changed_at, Participant.name, WaveEvent.reason
            )
            .outerjoin(Participant, WaveEvent.by_person_id == Participant.id)
            .where(WaveEvent.cohort_id == cohort_id)
            .order_by(WaveEvent.id)
        ).all()
    return {
        wave: WaveChange(wave, bool(is_open), as_utc(moment), by, reason)
        for wave, is_open, moment, by, reason in rows
    }


def waves_answered(store: Store, person: Person) -> set[str]:
    """The waves in which a manager has answered the check (without loading their scores)."""
    with store.read() as session:
        rows = session.execute(select(Score.wave).where(Score.participant_id == person.id).distinct())
        return {wave for (wave,) in rows}
