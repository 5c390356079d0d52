"""A lesson's parts and its end: the message under its last part, saying what the manager has done,
what is still open, and where to go next (the next lesson, or the course home after the last one)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from workbook.apps.common import app_href
from workbook.apps.registry import HOME_NOTEBOOK, LESSON_NOTEBOOKS
from workbook.apps.templates import render
from workbook.manager.content import Lesson, TextBlock, is_done, lesson_progress, lessons


def lesson_parts(blocks: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The lesson in parts: the text blocks leading up to each activity, with that activity.

    Text after the last activity joins the last part.
    """
    parts: list[list[Any]] = []
    current: list[Any] = []
    for block in blocks:
        current.append(block)
        if not isinstance(block, TextBlock):
            parts.append(current)
            current = []
    if current:
        if parts:
            parts[-1].extend(current)
        else:
            parts.append(current)
    return [tuple(part) for part in parts]


def _done(block: Any, answers: Mapping[str, Any]) -> bool:
    return block.id in answers and is_done(block, answers[block.id])


def open_parts(lesson: Lesson, answers: Mapping[str, Any]) -> list[int]:
    """The numbers of the parts whose activity is not done yet."""
    return [
        number
        for number, blocks in enumerate(lesson_parts(lesson.blocks), start=1)
        if any(not isinstance(b, TextBlock) and not _done(b, answers) for b in blocks)
    ]


def lesson_ending(lesson: Lesson, answers: Mapping[str, Any], code: str) -> str:
    """The end of a lesson as HTML; links carry the viewer's own code."""
    course = lessons().lessons
    number = next(i for i, item in enumerate(course, start=1) if item.id == lesson.id)
    following = course[number] if number < len(course) else None
    done, total = lesson_progress(lesson, answers)
    return render(
        "lesson_end.html",
        number=number,
        title=lesson.title,
        done=done,
        total=total,
        open_parts=open_parts(lesson, answers),
        next_href=app_href(LESSON_NOTEBOOKS[following.id], code) if following else None,
        next_title=following.title if following else "",
        home_href=app_href(HOME_NOTEBOOK, code),
    )
