"""The team member's preparation: checking answers, tracking progress, assembling the plan.

Answers live in the store under the scope "prep" with keys "<section>.<field>"; the goals
of the goals section are one answer, a list of goal records. Nothing here knows about widgets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from workbook.content import TEXT_LIMITS, Preparation, PrepField, PrepSection, parse_iso_date
from workbook.identity import Person
from workbook.store import SavedAnswer, Store
from workbook.validation import InputError, clean_choice, clean_choices, clean_text

SCOPE = "prep"
GOALS_FIELD = "goals"
VISIBILITY_LEVELS = ("private", "manager", "facilitator")


def answer_key(section_id: str, field_id: str) -> str:
    return f"{section_id}.{field_id}"


def clean_field(section: PrepSection, prep_field: PrepField, value: Any) -> Any:
    """The value to save for one field, or InputError naming the field."""
    label = f"{section.title} / {prep_field.label}"
    if prep_field.kind == "choices":
        return clean_choices(label, value, [c.id for c in prep_field.choices])
    return clean_text(label, value, max_length=TEXT_LIMITS[prep_field.kind])


def clean_goals(section: PrepSection, value: Any) -> list[dict[str, str]]:
    """A list of at most `max` goals, each a record of the configured text fields."""
    assert section.goals is not None
    guidance = section.goals
    if not isinstance(value, list):
        raise InputError(f"{section.title}: expected a list of goals")
    if len(value) > guidance.max:
        raise InputError(f"{section.title}: at most {guidance.max} goals")
    goals = []
    for number, goal in enumerate(value, start=1):
        if not isinstance(goal, dict):
            raise InputError(f"{section.title}: goal {number} is not a record")
        unknown = set(goal) - {f.id for f in guidance.fields}
        if unknown:
            raise InputError(f"{section.title}: goal {number} has unknown parts {sorted(unknown)}")
        cleaned = {}
        for goal_field in guidance.fields:
            text = clean_text(
                f"Goal {number} / {goal_field.label}",
                goal.get(goal_field.id, ""),
                max_length=TEXT_LIMITS[goal_field.kind],
            )
            if goal_field.id == "target_date" and text.strip():
                try:
                    parse_iso_date(text.strip())
                except ValueError as exc:
                    raise InputError(f"Goal {number} / {goal_field.label}: {exc}") from exc
            cleaned[goal_field.id] = text
        goals.append(cleaned)
    return goals


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
        saved = answers.get(answer_key(section.id, GOALS_FIELD))
        goals = saved.value if saved else []
        done = sum(1 for g in goals if goal_is_complete(g))
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

    @property
    def document_title(self) -> str:
        return f"Individual development plan: {self.owner}, {self.prepared_on.isoformat()}"


def _display(prep_field: PrepField, value: Any) -> str:
    if prep_field.kind == "choices":
        labels = {c.id: c.label for c in prep_field.choices}
        return ", ".join(labels.get(v, v) for v in value or [])
    return (value or "").strip()


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
    for section in prep.sections:
        level = visibility.get(section.id, section.default_visibility)
        if section.goals is not None:
            saved = answers.get(answer_key(section.id, GOALS_FIELD))
            goals = tuple(g for g in (saved.value if saved else []) if any(v.strip() for v in g.values()))
            goal_fields = tuple((f.id, f.label) for f in section.goals.fields)
            continue
        entries = []
        for prep_field in section.fields:
            saved = answers.get(answer_key(section.id, prep_field.id))
            text = _display(prep_field, saved.value) if saved else ""
            if text:
                entries.append(PlanEntry(prep_field.label, text))
        sections.append(PlanSection(section.title, tuple(entries), level))
    return DevelopmentPlan(owner, prepared_on, prep.title, tuple(sections), goals, goal_fields)


def load_plan(
    store: Store, prep: Preparation, person: Person, prepared_on: date | None = None
) -> DevelopmentPlan:
    """The plan of one participant as it stands in the store."""
    answers = store.current_answers(person.id, SCOPE)
    visibility = store.visibilities(person.id, SCOPE)
    return build_plan(prep, answers, visibility, person.name, prepared_on or date.today())
