"""What a team member shares "with my manager": the one way any page, command or download reads it.

`shared_with_manager` gives, for each person who reports to the manager now (`team.relation`), only the
items whose latest visibility is "manager" (the rule of `workbook.sharing`): each preparation section with
its latest text, the goals with their check-ins, and the development plan made of those sections only,
each with when it was shared. The manager's role and the relation are read from the store at every call,
so a page open since before a change of manager, or a role withdrawn, reads nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbook import content
from workbook.identity import Person
from workbook.models import Participant, RoleGrant
from workbook.preparation import (
    SCOPE,
    DevelopmentPlan,
    PlanSection,
    saved_goals,
    section_entries,
)
from workbook.sharing import Levels, latest_item_answers, latest_levels, level_of, shareables
from workbook.store import Store, StoreError
from workbook.team.checkins import GoalProgress, goal_progress
from workbook.team.relation import Report, reports_of

SHARED_LEVEL = "manager"


class NotYourTeam(StoreError):
    """The reader is not a manager now, or the person asked for does not report to them now."""


@dataclass(frozen=True)
class SharedSection:
    """A preparation section shared with the manager, as it stands now (plain text: escape to render)."""

    section_id: str
    title: str
    entries: tuple[tuple[str, str], ...]  # (question, answer) in display form
    shared_at: datetime | None  # None when shared by the content's default
    changed_at: datetime


@dataclass(frozen=True)
class SharedGoals:
    """The goals, shared with the manager, each with its check-ins."""

    goals: tuple[GoalProgress, ...]
    shared_at: datetime | None
    changed_at: datetime


@dataclass(frozen=True)
class MemberShare:
    """Everything one team member shares with their manager now."""

    pid: str
    name: str
    sections: tuple[SharedSection, ...]
    goals: SharedGoals | None
    plan: DevelopmentPlan | None  # the plan made of the shared parts only; None when nothing is shared

    @property
    def shares_anything(self) -> bool:
        return bool(self.sections or self.goals)


def _check_manager(session: Session, manager: Person) -> None:
    live = session.scalar(
        select(RoleGrant.id).where(
            RoleGrant.participant_id == manager.id,
            RoleGrant.role == "manager",
            RoleGrant.withdrawn_at.is_(None),
        )
    )
    if live is None:
        raise NotYourTeam("you are not a manager in the programme (now)")


def _share(session: Session, report: Report, levels: Levels, prepared_on: date) -> MemberShare:
    prep = content.preparation()
    places = {s.item: s for s in shareables() if s.scope == SCOPE}
    shared = {s.id: level_of(levels, report.id, places[s.id]) for s in prep.sections}
    shared = {item: since for item, (level, since) in shared.items() if level == SHARED_LEVEL}
    answers = latest_item_answers(session, report.id, SCOPE, shared)
    sections: list[SharedSection] = []
    plan_sections: list[PlanSection] = []
    goals: SharedGoals | None = None
    plan_goals: tuple[dict[str, str], ...] = ()
    goal_fields: tuple[tuple[str, str], ...] = ()
    for section in prep.sections:
        if section.id not in shared:
            continue
        since = shared[section.id]
        own = {k: a for k, a in answers.items() if k.startswith(f"{section.id}.")}
        if not own:
            continue  # shared, but nothing written in it yet
        changed = max(a.saved_at for a in own.values())
        if section.goals is not None:
            current = saved_goals(section, own)
            if current:
                goals = SharedGoals(tuple(goal_progress(session, report.id, current)), since, changed)
                plan_goals = tuple(current)
                goal_fields = tuple((f.id, f.label) for f in section.goals.fields)
            continue
        entries = section_entries(section, own)
        if not entries:
            continue
        sections.append(
            SharedSection(
                section.id, section.title, tuple((e.question, e.answer) for e in entries), since, changed
            )
        )
        plan_sections.append(PlanSection(section.title, tuple(entries), SHARED_LEVEL))
    plan = None
    if sections or goals:
        plan = DevelopmentPlan(
            report.name, prepared_on, prep.title, tuple(plan_sections), plan_goals, goal_fields, SHARED_LEVEL
        )
    return MemberShare(report.pid, report.name, tuple(sections), goals, plan)


def shared_with_manager(
    store: Store, manager: Person, member_pid: str | None = None, *, prepared_on: date | None = None
) -> list[MemberShare]:
    """For each person who reports to `manager` now (or only `member_pid`), what they share with their
    manager now, latest text only, by name. A report who shares nothing is listed with nothing.

    NotYourTeam (nothing read) if `manager` holds no manager role now, or `member_pid` does not report
    to them now."""
    with store.read() as session:
        _check_manager(session, manager)
        reports = reports_of(session, manager.id)
        if member_pid is not None:
            reports = [r for r in reports if r.pid == member_pid]
            if not reports:
                raise NotYourTeam("that person does not report to you (now)")
        ids = {r.id for r in reports}
        levels = latest_levels(session, ids, {SCOPE})
        day = prepared_on or date.today()
        return [_share(session, r, levels, day) for r in reports]


def member_share(session: Session, member_id: int, *, prepared_on: date | None = None) -> MemberShare:
    """What one team member shares with their manager now, inside the caller's transaction. For a reader
    the caller has already checked (the member, or their manager now: the 1:1 page asks in the same
    transaction)."""
    pid, name = session.execute(
        select(Participant.pid, Participant.name).where(Participant.id == member_id)
    ).one()
    levels = latest_levels(session, {member_id}, {SCOPE})
    return _share(session, Report(member_id, pid, name), levels, prepared_on or date.today())
