"""Printable lesson handouts: every lesson's title, parts, checks and scenarios in the PDF (read back) and
the HTML, text escaped, headings on the page of their text; from the facilitator's page and the CLI."""

from __future__ import annotations

import base64
import io
import re

import pypdf
import pytest

from workbook import identity
from workbook.apps.facilitator import FacilitatorHome
from workbook.content.course import KnowledgeCheck, Lessons, Scenario, lesson_parts
from workbook.facilitator.lesson_handouts import handout_lessons, handouts_html, handouts_pdf
from workbook.manager.content import lessons


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_pages(data: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in pypdf.PdfReader(io.BytesIO(data)).pages]


@pytest.fixture(scope="module")
def pdf() -> list[str]:
    return pdf_pages(handouts_pdf())


def test_every_lesson_its_parts_checks_and_scenarios_are_in_the_pdf(pdf):
    text = " ".join(pdf)
    course = lessons()
    assert flat(course.title) in text
    for number, lesson in enumerate(course.lessons, start=1):
        assert f"Lesson {number}: {flat(lesson.title)}" in text
        parts = lesson_parts(lesson.blocks)
        for index in range(1, len(parts) + 1):
            assert f"Part {index} of {len(parts)}" in text
        for block in lesson.blocks:
            if isinstance(block, KnowledgeCheck):
                assert flat(block.question) in text
                for k, option in enumerate(block.options):
                    assert f"{'ABCDEF'[k]}. {flat(option.label)}" in text
                assert flat(block.correct_option.feedback) in text
            if isinstance(block, Scenario):
                assert (
                    flat(block.title) in text and flat(block.situation) in text and flat(block.prompt) in text
                )
                assert all(flat(item) in text for item in block.checklist)
                assert flat(block.example) in text
    assert "Only you can see this answer" not in text  # the app's privacy note means nothing on paper


def test_each_lesson_starts_a_page_and_no_heading_ends_one(pdf):
    course = lessons()
    for number, lesson in enumerate(course.lessons, start=1):
        starts = [i for i, page in enumerate(pdf) if f"Lesson {number}: {flat(lesson.title)}" in page]
        assert starts and (pdf[starts[0]].startswith(f"Lesson {number}") or number == 1)
    for page in pdf:
        body = re.sub(r" Page \d+ of \d+$", "", page).removesuffix(flat(course.title)).strip()  # the footer
        assert body != page
        for heading in ("Answers and examples", "KNOWLEDGE CHECK", "REFLECTION", "SCENARIO"):
            assert not body.endswith(heading), page[-200:]
        assert not re.search(r"Part \d+ of \d+$", body), page[-200:]


def test_text_is_escaped_in_the_html_and_printed_as_text_in_the_pdf():
    course = lessons().model_dump()
    course["title"] = "Lessons <script>alert(1)</script>"
    course["lessons"][0]["title"] = 'Why <img src=x onerror="alert(1)"> matters'
    tampered = Lessons.model_validate(course)
    html = handouts_html(tampered)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html and "Why &lt;img src=x" in html
    assert html.count("<h1>") == 1 and "<title>Lessons &lt;script&gt;" in html
    text = " ".join(pdf_pages(handouts_pdf(tampered)))
    assert 'Lesson 1: Why <img src=x onerror="alert(1)"> matters' in text


def test_the_html_holds_every_lesson_in_its_parts():
    html = handouts_html()
    for lesson in handout_lessons():
        assert f'id="lesson-{lesson.id}"' in html
        assert f"Part {len(lesson.parts)} of {len(lesson.parts)}" in html
        assert html.count('class="block block-scenario"') >= len(lesson.scenarios)


def test_the_facilitator_downloads_them_and_the_cli_writes_them(store, tmp_path, capsys):
    fay = identity.add_participant(store, "Fay", roles=["facilitator:Paper"], allow_privileged=True)
    home = FacilitatorHome(store, fay.person)
    home.handouts.lessons_button.click()
    html = home.handouts.lessons_result.value
    found = re.search(
        r'wb-download-lessons-pdf" download="lesson-handouts.pdf" href="data:application/pdf;base64,([^"]+)"',
        html,
    )
    assert found and pdf_pages(base64.b64decode(found.group(1)))[0].startswith(flat(lessons().title))
    assert "wb-download-lessons-html" in html and "links are in these files only" not in html

    from workbook.cli import main

    assert main(["lessons", "export", "--out", str(tmp_path / "paper")]) == 0
    assert (tmp_path / "paper" / "lesson-handouts.pdf").read_bytes().startswith(b"%PDF")
    assert "<h1>" in (tmp_path / "paper" / "lesson-handouts.html").read_text(encoding="utf-8")
    (tmp_path / "file").write_text("x")
    assert main(["lessons", "export", "--out", str(tmp_path / "file")]) == 2
    assert "give a folder" in capsys.readouterr().err
