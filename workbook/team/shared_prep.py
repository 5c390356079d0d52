"""What the 1:1 page and its briefing read of a team member's preparation, in the shape they show it.

The rule of what is shared with the manager is `team.sharing` (the latest visibility, else the content's
default, through `workbook.sharing`); goals and their check-ins are `team.checkins`. Every function takes
the caller's session: the 1:1 page asks who may read inside the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from workbook.preparation import SCOPE
from workbook.sharing import latest_item_answers
from workbook.store import utcnow
from workbook.team.checkins import CheckIn, GoalProgress, current_goals, goal_progress, goals_section
from workbook.team.sharing import member_share
from workbook.validation import long_date


@dataclass(frozen=True)
class SharedSection:
    """One section the team member shares with their manager now: its answers as label and text."""

    id: str
    title: str
    shared_at: datetime
    answers: tuple[tuple[str, str], ...]
    changed_at: datetime | None  # when an answer in it last changed


@dataclass(frozen=True)
class Goal:
    """A goal of the team member's plan, with how it is going (its latest check-in)."""

    goal: str
    measure: str
    target_date: str
    progress: str
    number: int = 1  # its place in the plan: "Goal 1"
    checkins: tuple[CheckIn, ...] = ()  # oldest first

    @property
    def target(self) -> str:
        """The target date in full ("Wednesday 30 June 2027"), as written when it is not a date."""
        return full_date(self.target_date)


def full_date(text: str) -> str:
    """A stored date ("2027-06-30") as a date nobody can misread; any other text as it is."""
    try:
        return long_date(date.fromisoformat(text.strip()))
    except ValueError:
        return text


def shared_preparation(session: Session, member_id: int) -> list[SharedSection]:
    """The sections the team member shares with their manager now, in the preparation's order; the goals,
    if shared, as one section of goal titles. (A section shared by the content's default counts as shared
    since the start of the conversation's page: it never was chosen.)"""
    share = member_share(session, member_id)
    sections = [
        SharedSection(s.section_id, s.title, s.shared_at or s.changed_at, s.entries, s.changed_at)
        for s in share.sections
    ]
    if share.goals is not None:
        section = goals_section()
        sections.append(
            SharedSection(
                section.id,
                section.title,
                share.goals.shared_at or share.goals.changed_at,
                tuple((f"Goal {n}", g.title) for n, g in enumerate(share.goals.goals, start=1)),
                share.goals.changed_at,
            )
        )
    return sections


def _as_goal(progress: GoalProgress, number: int) -> Goal:
    parts = dict(progress.parts)
    latest = progress.latest
    if latest is None:
        said = "No check-in yet"
    else:
        percent = f", {latest.progress}%" if latest.progress is not None else ""
        said = f"{latest.status_label}{percent}" + (f": {latest.note}" if latest.note else "")
    fields = {f.id: f.label for f in goals_section().goals.fields}
    return Goal(
        progress.title,
        parts.get(fields.get("measure", ""), ""),
        parts.get(fields.get("target_date", ""), ""),
        said,
        number,
        progress.checkins,
    )


def goals_of(session: Session, member_id: int, *, shared_only: bool) -> list[Goal]:
    """The team member's goals with how each is going: all of them for the member, only while they are
    shared with the manager for the manager (``shared_only``)."""
    if shared_only:
        goals = member_share(session, member_id, prepared_on=utcnow().date()).goals
        return [_as_goal(g, n) for n, g in enumerate(goals.goals, start=1)] if goals is not None else []
    section = goals_section()
    answers = latest_item_answers(session, member_id, SCOPE, [section.id])
    progress = goal_progress(session, member_id, current_goals(answers))
    return [_as_goal(g, n) for n, g in enumerate(progress, start=1)]
