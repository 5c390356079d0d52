"""A lesson's parts and its end: the message under its last part, saying what the manager has done,
what is still open, and where to go next (the next lesson, or the course home after the last one)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from workbook.apps.common import app_href
from workbook.apps.markup import html
from workbook.apps.registry import HOME_NOTEBOOK, LESSON_NOTEBOOKS
from workbook.content.course import lesson_parts
from workbook.manager.content import Lesson, TextBlock, is_done, lesson_progress, lessons


def _done(block: Any, answers: Mapping[str, Any]) -> bool:
    return block.id in answers and is_done(block, answers[block.id])


def open_parts(lesson: Lesson, answers: Mapping[str, Any]) -> list[int]:
    """The numbers of the parts whose activity is not done yet."""
    return [
        number
        for number, blocks in enumerate(lesson_parts(lesson.blocks), start=1)
        if any(not isinstance(b, TextBlock) and not _done(b, answers) for b in blocks)
    ]


def lesson_ending(lesson: Lesson, answers: Mapping[str, Any]) -> Markup:
    """The end of a lesson as HTML (its links carry no code: the visit's session opens them)."""
    course = lessons().lessons
    number = next(i for i, item in enumerate(course, start=1) if item.id == lesson.id)
    following = course[number] if number < len(course) else None
    done, total = lesson_progress(lesson, answers)
    open_parts_now = open_parts(lesson, answers)
    head = f"Nearly done with lesson {number}" if open_parts_now else f"You have finished lesson {number}"
    still_open = ""
    if open_parts_now:
        which = ", ".join(f"part {part}" for part in open_parts_now)
        them = "it" if len(open_parts_now) == 1 else "them"
        still_open = html(
            '<p class="wb-lesson-open">Still open: {which}. Use Previous to go back to {them}; you can also '
            "come back later.</p>",
            which=which,
            them=them,
        )
    if following is not None:
        onward = html(
            '<p><a class="wb-next-lesson" href="{href}">Continue to lesson {next}: {title} →</a></p>',
            href=app_href(LESSON_NOTEBOOKS[following.id]),
            next=number + 1,
            title=following.title,
        )
    else:
        onward = html(
            "<p>That was the last lesson of the course. Next, on your course home: the comfort check at the "
            "end of the programme, and the planner for your next career conversation.</p>"
            '<p><a class="wb-next-lesson wb-course-home" href="{href}">Go to your course home →</a></p>',
            href=app_href(HOME_NOTEBOOK),
        )
    return html(
        '<section class="wb-lesson-end" aria-labelledby="wb-lesson-end-title">'
        '<h2 id="wb-lesson-end-title">{head}</h2>'
        '<p class="wb-lesson-done">You have done {done} of {total} activities in “{title}”. Your answers are '
        "saved.</p>{still_open}{onward}</section>",
        head=head,
        done=done,
        total=total,
        title=lesson.title,
        still_open=still_open,
        onward=onward,
    )
