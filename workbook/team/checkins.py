"""Goal check-ins: a team member says, now and then, how each of their goals is going.

A check-in names a goal by its stable id (see `workbook.preparation`), so editing or reordering the goals
keeps each goal's history; a goal removed from the plan keeps its check-ins in the store but no longer
shows them. Check-ins are append-only: the history of a goal is its check-ins in order, the latest says
where it stands. Only the owner records them, and only on a goal of their own as it stands now.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbook import content
from workbook.identity import Person
from workbook.models import GoalCheckIn
from workbook.preparation import GOAL_ID, SCOPE, saved_goals
from workbook.store import SavedAnswer, Store, StoreError, as_utc, utcnow
from workbook.validation import clean_choice, clean_text, refuse

STATUSES: dict[str, str] = {
    "not_started": "Not started",
    "on_track": "On track",
    "at_risk": "At risk",
    "done": "Done",
}
NOTE_MAX = 500
STATUS_LABEL, PROGRESS_LABEL, NOTE_LABEL = "Status", "Progress", "Note"


class NotYourGoal(StoreError):
    """A check-in on a goal that is not one of the person's goals now; nothing is stored."""


@dataclass(frozen=True)
class CheckIn:
    """One check-in on one goal."""

    goal_id: str
    status: str
    progress: int | None
    note: str
    recorded_at: datetime

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)


@dataclass(frozen=True)
class GoalProgress:
    """A goal as it stands now, with its check-ins, oldest first."""

    goal_id: str
    title: str
    parts: tuple[tuple[str, str], ...]  # (label, text) of the goal's filled parts
    checkins: tuple[CheckIn, ...]

    @property
    def latest(self) -> CheckIn | None:
        return self.checkins[-1] if self.checkins else None


def goals_section() -> content.PrepSection:
    return next(s for s in content.preparation().sections if s.goals is not None)


def current_goals(answers: dict[str, SavedAnswer]) -> list[dict[str, str]]:
    """The person's goals as they stand in these answers, each with its id."""
    return saved_goals(goals_section(), answers)


def clean_status(value: object) -> str:
    return clean_choice(STATUS_LABEL, value, STATUSES)


def clean_progress(value: object) -> int | None:
    """A whole percentage from 0 to 100, or None for none given."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise refuse(PROGRESS_LABEL, "a whole number of percent from 0 to 100, or none")
    if not 0 <= value <= 100:
        raise refuse(PROGRESS_LABEL, f"from 0 to 100 percent, got {value}")
    return value


def clean_note(value: object) -> str:
    return clean_text(NOTE_LABEL, "" if value is None else value, max_length=NOTE_MAX).strip()


def checkins_of(session: Session, owner_id: int, goal_ids: Iterable[str]) -> dict[str, list[CheckIn]]:
    """Every check-in of these goals of one person, by goal, oldest first."""
    wanted = list(goal_ids)
    found: dict[str, list[CheckIn]] = {goal_id: [] for goal_id in wanted}
    if not wanted:
        return found
    rows = session.execute(
        select(
            GoalCheckIn.goal_id,
            GoalCheckIn.status,
            GoalCheckIn.progress,
            GoalCheckIn.note,
            GoalCheckIn.recorded_at,
        )
        .where(GoalCheckIn.participant_id == owner_id, GoalCheckIn.goal_id.in_(wanted))
        .order_by(GoalCheckIn.recorded_at, GoalCheckIn.id)
    )
    for goal_id, status, progress, note, recorded in rows:
        found[goal_id].append(CheckIn(goal_id, status, progress, note, as_utc(recorded)))
    return found


def goal_progress(session: Session, owner_id: int, goals: list[dict[str, str]]) -> list[GoalProgress]:
    """These goals (as `current_goals` gives them) with their check-ins."""
    section = goals_section()
    assert section.goals is not None
    history = checkins_of(session, owner_id, [g[GOAL_ID] for g in goals])
    found = []
    for number, goal in enumerate(goals, start=1):
        parts = tuple(
            (f.label, str(goal.get(f.id, "")).strip())
            for f in section.goals.fields
            if str(goal.get(f.id, "")).strip()
        )
        title = str(goal.get("goal", "")).strip() or f"Goal {number}"
        found.append(GoalProgress(goal[GOAL_ID], title, parts, tuple(history[goal[GOAL_ID]])))
    return found


def my_goal_progress(store: Store, person: Person) -> list[GoalProgress]:
    """The person's own goals with their check-ins."""
    goals = current_goals(store.current_answers(person.id, SCOPE))
    with store.read() as session:
        return goal_progress(session, person.id, goals)


def record_checkin(
    store: Store,
    person: Person,
    goal_id: object,
    status: object,
    progress: object = None,
    note: object = "",
    *,
    at: datetime | None = None,
) -> CheckIn:
    """Record a check-in on one of the person's own goals (as they stand now).

    InputError naming the field for a bad status, progress or note; NotYourGoal for a goal that is not
    the person's (another person's, or one removed): nothing is stored in either case. `at` backdates
    a check-in (the demo's past weeks)."""
    cleaned = (clean_status(status), clean_progress(progress), clean_note(note))
    mine = {g[GOAL_ID] for g in current_goals(store.current_answers(person.id, SCOPE))}
    if not isinstance(goal_id, str) or goal_id not in mine:
        raise NotYourGoal("that goal is not one of your goals (now): nothing was saved")
    moment = at or utcnow()
    with store.write() as session:
        session.add(
            GoalCheckIn(
                participant_id=person.id,
                goal_id=goal_id,
                status=cleaned[0],
                progress=cleaned[1],
                note=cleaned[2],
                recorded_at=moment,
            )
        )
    return CheckIn(goal_id, *cleaned, moment)
