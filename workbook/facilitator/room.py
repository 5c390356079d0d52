"""The room view's figures: the answers of a cohort's managers to one lesson's knowledge check, or to one
wave of the comfort check, counted (each person's latest answer, once). Counts only: nobody's answer
and nobody's name leaves this module. What of these counts a projector may show, and when, is decided
by :func:`workbook.evaluation.disclosure.live_step`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select

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
class Tally:
    """The counts of one question in one cohort: per option (a check) or per item and rating (comfort)."""

    question: str
    answered: int  # people whose answers are counted
    counts: tuple[tuple[int, ...], ...]  # per bar: (count,) for a check, one count per level for comfort


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


def tally(store: Store, cohort: str, question: RoomQuestion) -> Tally:
    """The cohort's managers' latest answers to ``question``, counted (one short read)."""
    with store.read() as session:
        cohort_id = store.cohort_id(session, cohort, create=False)
        managers = _managers(cohort_id)
        if question.is_comfort:
            wave = question.key.split(":", 1)[1]
            latest = (
                select(func.max(Score.id))
                .where(Score.participant_id.in_(managers), Score.wave == wave)
                .group_by(Score.participant_id, Score.item)
            )
            rows = session.execute(
                select(Score.participant_id, Score.item, Score.score).where(Score.id.in_(latest))
            ).all()
        else:
            _, lesson_id, block_id = question.key.split(":", 2)
            latest = (
                select(func.max(Answer.id))
                .where(
                    Answer.participant_id.in_(managers),
                    Answer.scope == lesson_scope(lesson_id),
                    Answer.key == block_id,
                )
                .group_by(Answer.participant_id)
            )
            rows = session.execute(
                select(Answer.participant_id, Answer.value).where(Answer.id.in_(latest))
            ).all()
    if question.is_comfort:
        bar = {item: k for k, (item, _) in enumerate(question.bars)}
        level = {value: k for k, (value, _) in enumerate(question.levels)}
        counts = [[0] * len(question.levels) for _ in question.bars]
        people = set()
        for pk, item, score in rows:
            if item in bar and int(score) in level:
                counts[bar[item]][level[int(score)]] += 1
                people.add(pk)
        return Tally(question.key, len(people), tuple(tuple(c) for c in counts))
    option = {oid: k for k, (oid, _) in enumerate(question.bars)}
    per_option = [0] * len(question.bars)
    answered = 0
    for _pk, value in rows:
        saved = json.loads(value) if value else None
        choice = saved.get("choice") if isinstance(saved, dict) else None
        if choice in option:
            per_option[option[choice]] += 1
            answered += 1
    return Tally(question.key, answered, tuple((c,) for c in per_option))
