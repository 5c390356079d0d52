"""What a team member's manager may read of their preparation, for the 1:1 page's agenda and briefing.

INTERIM: `workbook.team.sharing.shared_with_manager` (built alongside) is the one place for this rule. Until
it is merged, :func:`shared_with_manager_interim` reads the latest visibility level "manager" straight from
the store; at merge, route it through the shared module and delete the body here. Check-ins on goals join
in :func:`goal_progress`.

Every function takes the caller's session: the 1:1 page asks who may read inside the same transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbook import content
from workbook.models import Answer, Visibility
from workbook.preparation import GOALS_FIELD, SCOPE, answer_key, goal_is_empty
from workbook.store import as_utc

MANAGER_LEVEL = "manager"


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
    """A goal of the team member's plan, with its progress (check-ins join here at merge)."""

    goal: str
    measure: str
    target_date: str
    progress: str


def _latest_levels(session: Session, member_id: int) -> dict[str, tuple[str, datetime]]:
    latest = (
        select(func.max(Visibility.id))
        .where(Visibility.participant_id == member_id, Visibility.scope == SCOPE)
        .group_by(Visibility.section)
    )
    rows = session.execute(
        select(Visibility.section, Visibility.level, Visibility.changed_at).where(Visibility.id.in_(latest))
    ).all()
    return {section: (level, as_utc(at)) for section, level, at in rows}


def _answers(session: Session, member_id: int, sections: set[str]) -> dict[str, tuple[object, datetime]]:
    """The latest answer of each key in ``sections`` only (nothing of a private section is read)."""
    if not sections:
        return {}
    latest = (
        select(func.max(Answer.id))
        .where(Answer.participant_id == member_id, Answer.scope == SCOPE)
        .group_by(Answer.key)
    )
    rows = session.execute(
        select(Answer.key, Answer.value, Answer.saved_at).where(Answer.id.in_(latest))
    ).all()
    return {
        key: (json.loads(value), as_utc(saved_at))
        for key, value, saved_at in rows
        if key.split(".", 1)[0] in sections  # a private section's answers are never decoded or kept
    }


def shared_with_manager_interim(session: Session, member_id: int) -> list[SharedSection]:
    """INTERIM (route through `workbook.team.sharing.shared_with_manager` at merge): the sections of the
    preparation whose latest visibility is "with my manager", in the preparation's order, with their
    answers. The caller has checked that the reader is the member or their manager now."""
    prep = content.preparation()
    levels = _latest_levels(session, member_id)
    shared = {sid for sid, (level, _) in levels.items() if level == MANAGER_LEVEL}
    answers = _answers(session, member_id, shared)
    sections = []
    for section in prep.sections:
        if section.id not in shared:
            continue
        parts: list[tuple[str, str]] = []
        for prep_field in section.fields:
            value, _ = answers.get(answer_key(section.id, prep_field.id), ("", None))
            if prep_field.kind == "choices" and isinstance(value, list):
                labels = {c.id: c.label for c in prep_field.choices}
                value = ", ".join(labels.get(v, v) for v in value)
            if isinstance(value, str) and value.strip():
                parts.append((prep_field.label, value.strip()))
        goals_value, _ = answers.get(answer_key(section.id, GOALS_FIELD), ([], None))
        for number, goal in enumerate(_goal_records(goals_value), start=1):
            parts.append((f"Goal {number}", goal.get("goal", "").strip() or "(no title yet)"))
        moments = [at for key, (_, at) in answers.items() if key.split(".", 1)[0] == section.id]
        sections.append(
            SharedSection(
                section.id, section.title, levels[section.id][1], tuple(parts), max(moments, default=None)
            )
        )
    return sections


def _goal_records(value: object) -> list[dict[str, str]]:
    if not isinstance(value, list):
        return []
    return [g for g in value if isinstance(g, dict) and not goal_is_empty(g)]


def goals_of(session: Session, member_id: int, *, shared_only: bool) -> list[Goal]:
    """The team member's goals: all of them for the member, only those shared with the manager now for
    the manager (``shared_only``)."""
    prep = content.preparation()
    section = next((s for s in prep.sections if s.goals is not None), None)
    if section is None:
        return []
    if shared_only and _latest_levels(session, member_id).get(section.id, ("", None))[0] != MANAGER_LEVEL:
        return []
    value, _ = _answers(session, member_id, {section.id}).get(answer_key(section.id, GOALS_FIELD), ([], None))
    return [
        Goal(
            str(g.get("goal", "")),
            str(g.get("measure", "")),
            str(g.get("target_date", "")),
            goal_progress(session, member_id, g),
        )
        for g in _goal_records(value)
    ]


def goal_progress(session: Session, member_id: int, goal: dict[str, str]) -> str:
    """How a goal is going, in a few words. At merge, goal check-ins (built alongside) answer here with the
    latest check-in's status and note; until then the plan's first step stands in."""
    first_step = str(goal.get("first_step", "")).strip()
    return f"First step: {first_step}" if first_step else "No check-in yet"
