"""Printable lesson handouts for people who work on paper in the room: every lesson in its parts (as the
lesson pages show them), its knowledge checks with their options, reflections and scenarios with room to
write (without the on-screen note on who can see an answer), and at the end of each lesson the checks'
answers and an example response to each scenario.

One outline (:func:`handout_lessons`), two formats: HTML from a Jinja template (autoescaped) and an A4 PDF
(fpdf2, the fonts and page furniture of the development plan), where a heading always stays on the page
of the text it introduces. The facilitator's app and ``workbook lessons export`` both call these.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

from workbook.content.course import (
    KnowledgeCheck,
    Lessons,
    Reflection,
    Scenario,
    TextBlock,
    lesson_parts,
    lessons,
)
from workbook.pdf import BODY_PT, LINE_MM, DocumentPDF, keep_with_next, text_height, write_text
from workbook.templating import render

LETTERS = "ABCDEF"
HTML_NAME = "lesson-handouts.html"
PDF_NAME = "lesson-handouts.pdf"
TEMPLATES = Path(__file__).with_name("templates")


@dataclass(frozen=True)
class HandoutLesson:
    id: str
    number: int
    title: str
    summary: str
    parts: tuple[tuple[object, ...], ...]
    checks: tuple[KnowledgeCheck, ...]
    scenarios: tuple[Scenario, ...]


def handout_lessons(course: Lessons | None = None) -> list[HandoutLesson]:
    """Every lesson of the course, numbered, in the parts its page shows."""
    course = course or lessons()
    return [
        HandoutLesson(
            lesson.id,
            number,
            lesson.title,
            lesson.summary,
            tuple(lesson_parts(lesson.blocks)),
            tuple(b for b in lesson.blocks if isinstance(b, KnowledgeCheck)),
            tuple(b for b in lesson.blocks if isinstance(b, Scenario)),
        )
        for number, lesson in enumerate(course.lessons, start=1)
    ]


def handouts_html(course: Lessons | None = None) -> str:
    """The handouts as one HTML document (every text escaped by the template engine)."""
    course = course or lessons()
    return render("lesson_handouts.html", TEMPLATES, course=course, lessons=handout_lessons(course))


# -- PDF ----------------------------------------------------------------------------------------------
_TITLE_PT, _LESSON_PT, _PART_PT, _KIND_PT = 18, 15, 12, 8.5
_WRITE_MM = 8.0  # one ruled line to write on


def _all_text(course: Lessons) -> str:
    """Every string the PDF shows, so that characters DejaVu lacks get a fallback font."""
    parts = [course.title, course.intro, "Page of 0123456789 ☐ Answers and examples"]
    for lesson in course.lessons:
        parts += [lesson.title, lesson.summary]
        for block in lesson.blocks:
            parts += [str(v) for v in block.model_dump().values() if isinstance(v, str)]
            if isinstance(block, KnowledgeCheck):
                parts += [f"{o.label} {o.feedback}" for o in block.options]
            if isinstance(block, Scenario):
                parts += list(block.checklist)
    return "".join(parts)


def _kind(pdf: FPDF, label: str) -> float:
    return text_height(pdf, label, _KIND_PT, "B") + 1


def _write_lines(pdf: FPDF, count: int) -> None:
    pdf.set_draw_color(150)
    for _ in range(count):
        keep_with_next(pdf, _WRITE_MM)
        pdf.ln(_WRITE_MM)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.set_draw_color(0)
    pdf.ln(2)


def _text_block(pdf: FPDF, block: TextBlock) -> None:
    for paragraph in block.runs():
        for bullet, lines in paragraph:
            if bullet:
                for item in lines:
                    keep_with_next(pdf, LINE_MM)
                    write_text(pdf, f"•  {item}", BODY_PT)
            else:
                write_text(pdf, " ".join(lines), BODY_PT)
        pdf.ln(2)


def _lead(pdf: FPDF, block: object) -> float:
    """How much of a block must stay on the page of the heading above it (its opening, whole for a check)."""
    if isinstance(block, TextBlock):
        return min(text_height(pdf, block.paragraphs()[0], BODY_PT), 2 * LINE_MM)
    if isinstance(block, KnowledgeCheck):
        options = [f"{LETTERS[k]}. {o.label}" for k, o in enumerate(block.options)]
        need = _kind(pdf, "KNOWLEDGE CHECK") + text_height(pdf, block.question, BODY_PT, "B")
        return need + sum(text_height(pdf, o, BODY_PT) for o in options)
    if isinstance(block, Reflection):
        return _kind(pdf, "REFLECTION") + text_height(pdf, block.prompt, BODY_PT, "B") + 2 * _WRITE_MM
    assert isinstance(block, Scenario)
    need = _kind(pdf, "SCENARIO") + text_height(pdf, block.title, _PART_PT, "B") + 2 * LINE_MM
    return need + min(text_height(pdf, block.situation, BODY_PT), 3 * LINE_MM)


def _check(pdf: FPDF, block: KnowledgeCheck) -> None:
    options = [f"{LETTERS[k]}. {o.label}" for k, o in enumerate(block.options)]
    keep_with_next(pdf, _lead(pdf, block))
    write_text(pdf, "KNOWLEDGE CHECK", _KIND_PT, "B", color=80, after=1)
    write_text(pdf, block.question, BODY_PT, "B", after=1)
    for option in options:
        write_text(pdf, option, BODY_PT)
    pdf.ln(3)


def _reflection(pdf: FPDF, block: Reflection) -> None:
    keep_with_next(pdf, _lead(pdf, block))
    write_text(pdf, "REFLECTION", _KIND_PT, "B", color=80, after=1)
    write_text(pdf, block.prompt, BODY_PT, "B")
    _write_lines(pdf, 4)


def _scenario(pdf: FPDF, block: Scenario) -> None:
    keep_with_next(pdf, _lead(pdf, block))
    write_text(pdf, "SCENARIO", _KIND_PT, "B", color=80, after=1)
    write_text(pdf, block.title, _PART_PT, "B", after=1)
    write_text(pdf, block.situation, BODY_PT, after=1)
    keep_with_next(pdf, text_height(pdf, block.prompt, BODY_PT, "B") + 2 * _WRITE_MM)
    write_text(pdf, block.prompt, BODY_PT, "B")
    _write_lines(pdf, 5)
    keep_with_next(pdf, 2 * LINE_MM + text_height(pdf, block.checklist[0], BODY_PT))
    write_text(pdf, "Then look back at what you wrote:", BODY_PT, after=1)
    for item in block.checklist:
        keep_with_next(pdf, LINE_MM)
        write_text(pdf, f"☐  {item}", BODY_PT)
    pdf.ln(3)


def _answers(pdf: FPDF, lesson: HandoutLesson) -> None:
    if not lesson.checks and not lesson.scenarios:
        return
    first = lesson.checks[0].question if lesson.checks else lesson.scenarios[0].title
    heading = text_height(pdf, "Answers and examples", _PART_PT, "B")
    keep_with_next(pdf, heading + text_height(pdf, first, BODY_PT))
    pdf.ln(2)
    write_text(pdf, "Answers and examples", _PART_PT, "B", after=1)
    for check in lesson.checks:
        right = check.correct_option
        answer = f"Answer {LETTERS[check.options.index(right)]}: {right.label}. {right.feedback}"
        keep_with_next(pdf, text_height(pdf, check.question, BODY_PT, "B") + 2 * LINE_MM)
        write_text(pdf, check.question, BODY_PT, "B")
        write_text(pdf, answer, BODY_PT, after=2)
    for scenario in lesson.scenarios:
        heading = f"{scenario.title}: one way to respond"
        keep_with_next(pdf, text_height(pdf, heading, BODY_PT, "B") + 2 * LINE_MM)
        write_text(pdf, heading, BODY_PT, "B")
        write_text(pdf, scenario.example, BODY_PT, after=2)


def handouts_pdf(course: Lessons | None = None) -> bytes:
    """The handouts as an A4 PDF: each lesson starts a page; no heading is left at the foot of one."""
    course = course or lessons()
    pdf = DocumentPDF(footer_text=course.title, content=_all_text(course))
    pdf.set_title(f"{course.title}: lesson handouts")
    pdf.set_creator("Career workbook")
    pdf.set_lang("en")
    draw = {KnowledgeCheck: _check, Reflection: _reflection, Scenario: _scenario, TextBlock: _text_block}
    for lesson in handout_lessons(course):
        pdf.add_page()
        if lesson.number == 1:
            write_text(pdf, course.title, _TITLE_PT, "B", line=8, after=2)
            write_text(pdf, course.intro, BODY_PT, after=6)
        write_text(pdf, f"Lesson {lesson.number}: {lesson.title}", _LESSON_PT, "B", line=7, after=1)
        write_text(pdf, lesson.summary, BODY_PT, "I", color=60, after=4)
        for index, part in enumerate(lesson.parts, start=1):
            heading = f"Part {index} of {len(lesson.parts)}"
            keep_with_next(pdf, text_height(pdf, heading, _PART_PT, "B") + 2 + _lead(pdf, part[0]))
            write_text(pdf, heading, _PART_PT, "B", after=2)
            for block in part:
                draw[type(block)](pdf, block)
        _answers(pdf, lesson)
    return bytes(pdf.output())
