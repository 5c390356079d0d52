"""The team member's preparation: checking answers, tracking progress, assembling the plan.

Answers live in the store under the scope "prep" with keys "<section>.<field>"; the goals
of the goals section are one answer, a list of goal records. Nothing here knows about widgets.

Each goal record carries a stable id (its "id" part), made when the goal is first written and kept
through every edit and reordering, so that what refers to a goal (its check-ins) stays with it. Goals
stored before ids existed get one derived from their place and text, the same wherever they are read,
and keep it from their next save on.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from workbook.content import TEXT_LIMITS, Preparation, PrepField, PrepSection
from workbook.identity import Person
from workbook.store import SavedAnswer, Store
from workbook.validation import (
    EARLIEST_DATE,
    LATEST_DATE,
    InputError,
    clean_choice,
    clean_choices,
    clean_date,
    clean_text,
    refuse,
)

SCOPE = "prep"
GOALS_FIELD = "goals"
VISIBILITY_LEVELS = ("private", "manager", "facilitator")
GOAL_ID = "id"  # the part of a goal record that names it for good
GOAL_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{3,39}$")


def new_goal_id() -> str:
    """A fresh id for a goal just written on the page."""
    return f"g{secrets.token_hex(6)}"


def legacy_goal_id(number: int, goal: dict[str, Any]) -> str:
    """The id of a goal stored without one: derived from its place and its parts, so every reader of the
    same stored version agrees on it."""
    parts = json.dumps({k: v for k, v in goal.items() if k != GOAL_ID}, sort_keys=True, ensure_ascii=False)
    return "g" + hashlib.sha256(f"{number}|{parts}".encode()).hexdigest()[:12]


def answer_key(section_id: str, field_id: str) -> str:
    return f"{section_id}.{field_id}"


def clean_field(section: PrepSection, prep_field: PrepField, value: Any) -> Any:
    """The value to save for one field, or InputError naming the field."""
    return clean_part(f"{section.title} / {prep_field.label}", prep_field, value)


def clean_part(label: str, prep_field: PrepField, value: Any) -> Any:
    """One field's value by its kind: chosen ids, text within its limit, or a date kept as YYYY-MM-DD
    ("" for no date; a date typed as 31/03/2027 or 31 March 2027 is understood too)."""
    if prep_field.kind == "choices":
        return clean_choices(label, value, [c.id for c in prep_field.choices])
    if prep_field.kind == "date":
        if value is None or (isinstance(value, str) and not value.strip()):
            return ""
        return clean_date(label, value, earliest=EARLIEST_DATE, latest=LATEST_DATE).isoformat()
    return clean_text(label, value, max_length=TEXT_LIMITS[prep_field.kind])


def goal_label(number: int, goal_field: PrepField) -> str:
    return f"Goal {number} / {goal_field.label}"


def goal_is_empty(goal: dict[str, str]) -> bool:
    return not any(str(v).strip() for k, v in goal.items() if k != GOAL_ID)


def clean_goals(section: PrepSection, value: Any) -> list[dict[str, str]]:
    """At most `max` goals, each a record of the configured fields; goals with nothing in them are
    dropped, so an empty card on the page is never stored."""
    assert section.goals is not None
    guidance = section.goals
    if not isinstance(value, list):
        raise InputError(f"{section.title}: expected a list of goals")
    goals = []
    for number, goal in enumerate(value, start=1):
        if not isinstance(goal, dict):
            raise InputError(f"{section.title}: goal {number} is not a record")
        unknown = set(goal) - {f.id for f in guidance.fields} - {GOAL_ID}
        if unknown:
            raise InputError(f"{section.title}: goal {number} has unknown parts {sorted(unknown)}")
        cleaned = {f.id: clean_part(goal_label(number, f), f, goal.get(f.id, "")) for f in guidance.fields}
        if goal_is_empty(cleaned):
            continue
        goal_id = goal.get(GOAL_ID) or legacy_goal_id(number, cleaned)
        if not isinstance(goal_id, str) or not GOAL_ID_PATTERN.match(goal_id):
            raise InputError(f"{section.title}: goal {number} has a malformed id")
        if any(g[GOAL_ID] == goal_id for g in goals):
            raise InputError(f"{section.title}: goal {number} has the id of another goal")
        goals.append({GOAL_ID: goal_id, **cleaned})
    if len(goals) > guidance.max:
        raise refuse(section.title, f"at most {guidance.max} goals")
    return goals


def saved_goals(section: PrepSection, answers: dict[str, SavedAnswer]) -> list[dict[str, str]]:
    """The goals as stored, without empty ones (the first release stored empty cards too), each with
    its id (derived for a goal stored without one)."""
    saved = answers.get(answer_key(section.id, GOALS_FIELD))
    goals = saved.value if saved and isinstance(saved.value, list) else []
    return [
        {GOAL_ID: g.get(GOAL_ID) or legacy_goal_id(number, g), **{k: v for k, v in g.items() if k != GOAL_ID}}
        for number, g in enumerate(goals, start=1)
        if isinstance(g, dict) and not goal_is_empty(g)
    ]


def clean_visibility(section: PrepSection, value: Any) -> str:
    return clean_choice(f"{section.title} / who can see this", value, VISIBILITY_LEVELS)


def _filled(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return bool(value)


def goal_is_complete(goal: dict[str, str]) -> bool:
    return all(goal.get(part, "").strip() for part in ("goal", "measure"))


@dataclass(frozen=True)
class SectionProgress:
    section_id: str
    answered: int
    total: int
    last_changed: datetime | None

    @property
    def complete(self) -> bool:
        return self.answered >= self.total


def section_progress(section: PrepSection, answers: dict[str, SavedAnswer]) -> SectionProgress:
    """How many of a section's required questions have an answer, and when it last changed."""
    stamps = [a.saved_at for k, a in answers.items() if k.startswith(f"{section.id}.")]
    last = max(stamps) if stamps else None
    if section.goals is not None:
        done = sum(1 for g in saved_goals(section, answers) if goal_is_complete(g))
        total = section.goals.recommended_min
        return SectionProgress(section.id, min(done, total), total, last)
    required = [f for f in section.fields if f.required]
    answered = sum(
        1 for f in required if (a := answers.get(answer_key(section.id, f.id))) and _filled(a.value)
    )
    return SectionProgress(section.id, answered, len(required), last)


# -- the development plan --------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanEntry:
    question: str
    answer: str


@dataclass(frozen=True)
class PlanSection:
    title: str
    entries: tuple[PlanEntry, ...]
    visibility: str


@dataclass(frozen=True)
class DevelopmentPlan:
    """Everything an IDP document shows, already in display form (plain, unescaped text)."""

    owner: str
    prepared_on: date
    title: str
    sections: tuple[PlanSection, ...]
    goals: tuple[dict[str, str], ...]
    goal_fields: tuple[tuple[str, str], ...] = field(default=())  # (id, label)
    goals_visibility: str = "private"  # who can see the goals, as the goals section's level says

    @property
    def document_title(self) -> str:
        return f"Individual development plan: {self.owner}, {self.prepared_on.isoformat()}"


def _display(prep_field: PrepField, value: Any) -> str:
    if prep_field.kind == "choices":
        labels = {c.id: c.label for c in prep_field.choices}
        return list_phrase([labels.get(v, v) for v in value or []])
    return (value or "").strip()


def list_phrase(labels: list[str]) -> str:
    """Choices as one phrase in sentence case: "Your manager, a mentor, a coach". A label whose
    second letter is a capital (an acronym such as "HR") keeps its case."""

    def lowered(label: str) -> str:
        return label if label[1:2].isupper() else label[:1].lower() + label[1:]

    return ", ".join(label if i == 0 else lowered(label) for i, label in enumerate(labels))


def section_entries(section: PrepSection, answers: dict[str, SavedAnswer]) -> list[PlanEntry]:
    """A section's answered questions in display form (each goal's parts, for the goals section);
    unanswered questions are left out."""
    if section.goals is not None:
        return [
            PlanEntry(goal_label(number, part), text)
            for number, goal in enumerate(saved_goals(section, answers), start=1)
            for part in section.goals.fields
            if (text := _display(part, goal.get(part.id, "")))
        ]
    entries = []
    for prep_field in section.fields:
        saved = answers.get(answer_key(section.id, prep_field.id))
        text = _display(prep_field, saved.value) if saved else ""
        if text:
            entries.append(PlanEntry(prep_field.label, text))
    return entries


def build_plan(
    prep: Preparation,
    answers: dict[str, SavedAnswer],
    visibility: dict[str, str],
    owner: str,
    prepared_on: date,
) -> DevelopmentPlan:
    """Assemble the IDP from the latest answers; unanswered questions are left out."""
    sections = []
    goals: tuple[dict[str, str], ...] = ()
    goal_fields: tuple[tuple[str, str], ...] = ()
    goals_level = "private"
    for section in prep.sections:
        level = visibility.get(section.id, section.default_visibility)
        if section.goals is not None:
            goals = tuple(saved_goals(section, answers))
            goal_fields = tuple((f.id, f.label) for f in section.goals.fields)
            goals_level = level
            continue
        sections.append(PlanSection(section.title, tuple(section_entries(section, answers)), level))
    return DevelopmentPlan(owner, prepared_on, prep.title, tuple(sections), goals, goal_fields, goals_level)


def load_plan(
    store: Store, prep: Preparation, person: Person, prepared_on: date | None = None
) -> DevelopmentPlan:
    """The plan of one participant as it stands in the store."""
    answers = store.current_answers(person.id, SCOPE)
    visibility = store.visibilities(person.id, SCOPE)
    return build_plan(prep, answers, visibility, person.name, prepared_on or date.today())
