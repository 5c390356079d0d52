"""The room view's figures: the answers of a cohort's managers to one lesson's knowledge check, or to one
wave of the comfort check, counted (one answer per person). Counts only: nobody's answer
and nobody's name leaves this module. What of them a projector may show, and when, is decided by
:func:`workbook.evaluation.disclosure.live_step`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select

from workbook.evaluation.disclosure import live_step
from workbook.manager.content import KnowledgeCheck, instrument, lesson_scope, lessons
from workbook.models import Answer, RoleGrant, Score
from workbook.store import Store, StoreError

COMFORT_WAVES = {
    "pre": "before the course (pre)",
    "post": "after the course (post)",
    "then": "looking back to before the course (then)",
}


@dataclass(frozen=True)
class RoomQuestion:
    """Something the room can be shown: a lesson's knowledge check or a wave of the comfort check."""

    key: str  # "check:<lesson>:<block>" or "comfort:<wave>"
    label: str  # what the facilitator picks
    title: str  # the heading on the projector
    bars: tuple[tuple[str, str], ...]  # (id, label) of each bar: an option, or an item of the check
    levels: tuple[tuple[int, str], ...] = ()  # the rating scale of a comfort question, else empty

    @property
    def is_comfort(self) -> bool:
        return bool(self.levels)


@dataclass(frozen=True)
class RoomState:
    """What the room may see of one question in one cohort, as the disclosure rule allows."""

    question: str
    answered: int  # people who have answered so far (completion, not answers)
    waiting_for: int  # more answers before the chart changes (or first appears)
    shown_answers: int  # people whose answers the chart shows
    counts: tuple[tuple[int, ...], ...] | None  # per bar: (count,) or one count per level; None: nothing


def room_questions() -> tuple[RoomQuestion, ...]:
    """Every question the room view offers, in course order, then the comfort check's waves."""
    found = []
    for number, lesson in enumerate(lessons().lessons, start=1):
        checks = [b for b in lesson.blocks if isinstance(b, KnowledgeCheck)]
        for index, check in enumerate(checks, start=1):
            found.append(
                RoomQuestion(
                    f"check:{lesson.id}:{check.id}",
                    f"Lesson {number}, check {index}: {check.question}",
                    check.question,
                    tuple((o.id, f"{chr(ord('A') + k)}. {o.label}") for k, o in enumerate(check.options)),
                )
            )
    inst = instrument()
    levels = tuple((value, inst.scale.anchor(value)) for value in inst.scale.points)
    for wave, words in COMFORT_WAVES.items():
        found.append(
            RoomQuestion(
                f"comfort:{wave}",
                f"Comfort check {words}",
                f"How comfortable we feel: {words}",
                tuple((item.id, item.short) for item in inst.items),
                levels,
            )
        )
    return tuple(found)


def room_question(key: object) -> RoomQuestion:
    """The question with this key; StoreError (naming none of the others) for anything else."""
    for question in room_questions():
        if question.key == key:
            return question
    raise StoreError("choose a question from the list")


def _managers(cohort_id: int):
    return select(RoleGrant.participant_id).where(
        RoleGrant.withdrawn_at.is_(None), RoleGrant.cohort_id == cohort_id, RoleGrant.role == "manager"
    )


def room_state(store: Store, cohort: str, question: RoomQuestion, threshold: int) -> RoomState:
    """The cohort's managers' answers to ``question`` in the order they were saved, stepped by
    :func:`~workbook.evaluation.disclosure.live_step` and counted (one short read)."""
    with store.read() as session:
        cohort_id = store.cohort_id(session, cohort, create=False)
        managers = _managers(cohort_id)
        if question.is_comfort:
            wave = question.key.split(":", 1)[1]
            rows = session.execute(
                select(Score.participant_id, Score.answered_at, Score.item, Score.score)
                .where(Score.participant_id.in_(managers), Score.wave == wave)
                .order_by(Score.id)
            ).all()
        else:
            _, lesson_id, block_id = question.key.split(":", 2)
            rows = session.execute(
                select(Answer.participant_id, Answer.value)
                .where(
                    Answer.participant_id.in_(managers),
                    Answer.scope == lesson_scope(lesson_id),
                    Answer.key == block_id,
                )
                .order_by(Answer.id)
            ).all()
    events = _comfort_events(rows) if question.is_comfort else _check_events(rows)
    step = live_step(events, threshold)
    counts = None if step.shown is None else _counts(question, list(step.shown.values()))
    return RoomState(question.key, step.answered, step.waiting_for, step.shown_answers, counts)


def _check_events(rows) -> list[tuple[int, str]]:
    """(person, option chosen) per save, in order; a save that holds no choice is no answer."""
    events = []
    for pk, value in rows:
        saved = json.loads(value) if value else None
        choice = saved.get("choice") if isinstance(saved, dict) else None
        if isinstance(choice, str) and choice:
            events.append((pk, choice))
    return events


def _comfort_events(rows) -> list[tuple[int, dict[str, int]]]:
    """(person, their ratings by item) per submission (the rows saved together), in order."""
    events: list[tuple[int, dict[str, int]]] = []
    ratings: dict[int, dict[str, int]] = {}
    last: tuple[int, object] | None = None
    for pk, saved_at, item, score in rows:
        current = ratings.setdefault(pk, {})
        current[item] = int(score)
        if last == (pk, saved_at):
            events[-1] = (pk, dict(current))
        else:
            events.append((pk, dict(current)))
        last = (pk, saved_at)
    return events


def _counts(question: RoomQuestion, answers: list) -> tuple[tuple[int, ...], ...]:
    if question.is_comfort:
        levels = {value: k for k, (value, _) in enumerate(question.levels)}
        counts = [[0] * len(question.levels) for _ in question.bars]
        for ratings in answers:
            for k, (item, _) in enumerate(question.bars):
                if ratings.get(item) in levels:
                    counts[k][levels[ratings[item]]] += 1
        return tuple(tuple(c) for c in counts)
    return tuple((sum(1 for a in answers if a == option),) for option, _ in question.bars)
