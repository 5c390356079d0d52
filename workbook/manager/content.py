"""Answers to the lessons' interactions (knowledge checks, reflections, scenarios): checked, stored
privately, counted towards progress. The course's content models live in `workbook.content.course`;
they are re-exported here for the modules that use both."""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral
from typing import Any

from workbook.content.course import (
    COURSE_FILES,
    INTERACTIVE,
    ITEM_IDS,
    MAX_TEXT_RUN,
    REACTION_IDS,
    REFLECTION_MAX,
    SCENARIO_MAX,
    Instrument,
    Item,
    KnowledgeCheck,
    Lesson,
    Lessons,
    Option,
    Reaction,
    ReactionComment,
    ReactionQuestion,
    Reflection,
    Scale,
    Scenario,
    TextBlock,
    instrument,
    lessons,
)
from workbook.identity import Person
from workbook.store import Store
from workbook.validation import InputError, clean_choice, clean_text

MANAGER_CONTENT_FILES = COURSE_FILES


# -- answers to lesson interactions ---------------------------------------------------------------------
def lesson_scope(lesson_id: str) -> str:
    """Store scope of one lesson's answers; the key is the block id."""
    return f"lesson:{lesson_id}"


def clean_lesson_answer(lesson: Lesson, block_id: Any, value: Any) -> Any:
    """The value to store for one interaction, or InputError naming the block.

    check: {"choice": option_id}; reflection: text; scenario: {"response": text, "ticked": [index, ...]}.
    """
    try:
        block = lesson.block(block_id) if isinstance(block_id, str) else None
    except KeyError:
        block = None
    if block is None or isinstance(block, TextBlock):
        raise InputError(f"{lesson.title}: {block_id!r} is not a question of this lesson")
    if isinstance(block, KnowledgeCheck):
        choice = value.get("choice") if isinstance(value, Mapping) and set(value) == {"choice"} else value
        return {"choice": clean_choice(block.question, choice, [o.id for o in block.options])}
    if isinstance(block, Reflection):
        return clean_text(block.prompt, value, max_length=REFLECTION_MAX)
    if not isinstance(value, Mapping) or not set(value) <= {"response", "ticked"}:
        raise InputError(f"{block.title}: expected a response and the ticked checklist items")
    response = clean_scenario_response(block, value.get("response", ""))
    ticked = value.get("ticked", [])
    if not isinstance(ticked, list | tuple):
        raise InputError(f"{block.title} / checklist: expected a list of ticked items")
    for index in ticked:
        if (
            isinstance(index, bool)
            or not isinstance(index, Integral)
            or not 0 <= index < len(block.checklist)
        ):
            raise InputError(f"{block.title} / checklist: {index!r} is not an item of the checklist")
    return {"response": response, "ticked": sorted({int(i) for i in ticked})}


def clean_scenario_response(block: Scenario, value: Any) -> str:
    """A scenario's written response on its own, so a bad response never holds back the ticks."""
    return clean_text(f"{block.title} / your response", value, max_length=SCENARIO_MAX)


def is_done(block: KnowledgeCheck | Reflection | Scenario, value: Any) -> bool:
    """Whether a saved answer counts towards progress (a check counts once answered, right or wrong)."""
    if isinstance(block, KnowledgeCheck):
        return isinstance(value, Mapping) and bool(value.get("choice"))
    if isinstance(block, Reflection):
        return isinstance(value, str) and bool(value.strip())
    return isinstance(value, Mapping) and bool(str(value.get("response", "")).strip())


def lesson_progress(lesson: Lesson, answers: Mapping[str, Any]) -> tuple[int, int]:
    """(done, total) interactions of a lesson, from `store.current_answers(...)` values or plain values."""
    blocks = lesson.interactive
    done = 0
    for block in blocks:
        saved = answers.get(block.id)
        value = getattr(saved, "value", saved)
        done += saved is not None and is_done(block, value)
    return done, len(blocks)


def save_lesson_answer(store: Store, person: Person, lesson_id: str, block_id: str, value: Any) -> Any:
    """Check and record a new version of one lesson answer (private to its author); returns it."""
    try:
        lesson = lessons().lesson(lesson_id)
    except KeyError:
        raise InputError(f"{lesson_id!r} is not a lesson") from None
    cleaned = clean_lesson_answer(lesson, block_id, value)
    store.save_answer(person.id, lesson_scope(lesson_id), block_id, cleaned)
    return cleaned


__all__ = [
    "COURSE_FILES",
    "INTERACTIVE",
    "ITEM_IDS",
    "Instrument",
    "Item",
    "KnowledgeCheck",
    "Lesson",
    "Lessons",
    "MANAGER_CONTENT_FILES",
    "MAX_TEXT_RUN",
    "Option",
    "REACTION_IDS",
    "REFLECTION_MAX",
    "Reaction",
    "ReactionComment",
    "ReactionQuestion",
    "Reflection",
    "SCENARIO_MAX",
    "Scale",
    "Scenario",
    "TextBlock",
    "clean_lesson_answer",
    "clean_scenario_response",
    "instrument",
    "is_done",
    "lesson_progress",
    "lesson_scope",
    "lessons",
    "save_lesson_answer",
]
