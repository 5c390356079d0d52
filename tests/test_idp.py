"""The IDP documents: what a team member downloads must contain their plan, print well and be safe."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from workbook import content, idp
from workbook.content import VISIBILITY_LABELS, Preparation, load_model
from workbook.preparation import DevelopmentPlan, PlanEntry, PlanSection, answer_key, build_plan
from workbook.store import SavedAnswer

DATA = Path(__file__).resolve().parents[1] / "data"
SAVED_AT = datetime(2026, 11, 20, 9, 30)

ANSWERS = {
    ("self_awareness", "evidence"): (
        "My last review said I am reliable under pressure.\n"
        "The 360 survey pointed to stakeholder communication as a gap.\n\n"
        "A retrospective showed I take on too much alone."
    ),
    ("self_awareness", "strengths"): "Structured problem solving; calm in incidents.",
    ("aspirations", "in_two_years"): "Leading a small platform team.",
    ("support", "network"): ["manager", "mentor"],
    ("support", "support_details"): "A mentor who has led a product launch.",
}
GOALS = [
    {
        "goal": "Lead a cross-team project",
        "measure": "Project delivered and reviewed by stakeholders",
        "target_date": "2027-06-30",
        "first_step": "Ask my manager which projects start next quarter",
    },
    {
        "goal": "Present at the engineering all-hands",
        "measure": "One talk given, feedback collected",
        "target_date": "2027-03-31",
        "first_step": "Pick a topic with my mentor",
    },
    {
        "goal": "Mentor a new joiner",
        "measure": "Monthly check-ins for six months",
        "target_date": "2027-09-30",
        "first_step": "Volunteer at the next onboarding round",
    },
]


@pytest.fixture(scope="module")
def prep() -> Preparation:
    return load_model(DATA / "preparation.yaml", Preparation)


@pytest.fixture(scope="module")
def plan(prep: Preparation) -> DevelopmentPlan:
    answers = {answer_key(s, f): SavedAnswer(v, SAVED_AT) for (s, f), v in ANSWERS.items()}
    answers[answer_key("goals", "goals")] = SavedAnswer(GOALS, SAVED_AT)
    visibility = {"aspirations": "manager", "support": "facilitator"}
    return build_plan(prep, answers, visibility, "Ana Silva", date(2026, 11, 26))


def _plan(**changes: object) -> DevelopmentPlan:
    """A small hand-built plan for the edge cases."""
    base: dict[str, object] = {
        "owner": "Ana Silva",
        "prepared_on": date(2026, 11, 26),
        "title": "Prepare for your career conversation",
        "sections": (
            PlanSection(
                "Where you stand today", (PlanEntry("What are your strengths?", "Focus."),), "private"
            ),
        ),
        "goals": (),
        "goal_fields": (("goal", "Goal"), ("measure", "How you will measure progress")),
    }
    base.update(changes)
    return DevelopmentPlan(**base)  # type: ignore[arg-type]


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _squash(text: str) -> str:
    """PDF extraction breaks lines where the layout wrapped them; compare without whitespace."""
    return re.sub(r"\s+", "", text)


# -- Word -------------------------------------------------------------------------------------------
def test_docx_has_title_headings_answers_and_goal_table(plan: DevelopmentPlan) -> None:
    doc = Document(io.BytesIO(idp.render_docx(plan)))
    paragraphs = doc.paragraphs
    styled = [(p.style.name, p.text) for p in paragraphs]
    assert styled[0] == ("Title", "Individual development plan: Ana Silva, 2026-11-26")
    assert styled[1] == ("Subtitle", "Prepare for your career conversation")
    sections = [text for style, text in styled if style == "Heading 1"]
    assert sections == [
        "Where you stand today",
        "Where you want to go",
        "Strengths to build on",
        "Support you need",
        "Goals",
        idp.AGREEMENT_HEADING,
    ]
    questions = [text for style, text in styled if style == "Heading 2"]
    assert "What are your strengths?" in questions
    texts = [p.text for p in paragraphs]
    assert f"Who can see this: {VISIBILITY_LABELS['manager']}" in texts
    assert f"Who can see this: {VISIBILITY_LABELS['facilitator']}" in texts
    assert "Your manager, a mentor" in texts
    # paragraphs stay paragraphs, line breaks inside one stay line breaks
    assert (
        "My last review said I am reliable under pressure.\n"
        "The 360 survey pointed to stakeholder communication as a gap."
    ) in texts
    assert "A retrospective showed I take on too much alone." in texts
    # "Strengths to build on" has no answers
    start = texts.index("Strengths to build on")
    assert texts[start + 2] == "Not answered yet."

    (table,) = doc.tables
    assert table.style.name == "Table Grid"
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0] == ["Goal", "How you will measure progress", "Target date", "First step"]
    assert all(run.bold for cell in table.rows[0].cells for run in cell.paragraphs[0].runs)
    assert cells[1:] == [[g["goal"], g["measure"], g["target_date"], g["first_step"]] for g in GOALS]


def test_docx_without_goals_says_so() -> None:
    doc = Document(io.BytesIO(idp.render_docx(_plan())))
    assert not doc.tables
    texts = [p.text for p in doc.paragraphs]
    assert texts[texts.index("Goals") + 1] == "Who can see this: Only you"
    assert texts[texts.index("Goals") + 2] == "No goals yet."


def test_every_format_says_who_can_see_the_goals_as_chosen_for_them(store) -> None:
    """The goals table says who can see it truly: the level chosen for the goals section, not "Only you"."""
    from workbook.identity import add_participant
    from workbook.preparation import SCOPE, load_plan

    tia = add_participant(store, "Tia").person
    store.save_answer(tia.id, SCOPE, "goals.goals", [{"goal": "Grow", "measure": "Promoted"}])
    store.set_visibility(tia.id, SCOPE, "goals", "manager")
    plan = load_plan(store, content.preparation(), tia, date(2027, 1, 5))
    shared = f"Who can see this: {VISIBILITY_LABELS['manager']}"
    md = idp.render_markdown(plan).splitlines()
    assert md[md.index("## Goals") + 2] == f"*{shared}*"
    assert f'<h3>Goals</h3><p class="wb-muted">{shared}</p>' in idp.render_html(plan)
    texts = [p.text for p in Document(io.BytesIO(idp.render_docx(plan))).paragraphs]
    assert texts[texts.index("Goals") + 1] == shared
    assert shared in _pdf_text(idp.render_pdf(plan))


# -- PDF --------------------------------------------------------------------------------------------
def test_pdf_contains_owner_goals_and_measures(plan: DevelopmentPlan) -> None:
    data = idp.render_pdf(plan)
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (595, 842)  # A4 in points
    text = _squash(_pdf_text(data))
    for expected in (
        "Ana Silva",
        "Who can see this: You and your manager",
        "Not answered yet.",
        GOALS[0]["goal"],
        GOALS[0]["measure"],
        GOALS[2]["first_step"],
    ):
        assert _squash(expected) in text
    assert reader.metadata is not None and reader.metadata.title == plan.document_title


def test_long_plan_runs_over_several_pages() -> None:
    answer = "\n\n".join(f"Paragraph {n}: " + "I want to grow into a broader role. " * 12 for n in range(8))
    sections = tuple(
        PlanSection(f"Section {n}", tuple(PlanEntry(f"Q {n}.{q}?", answer) for q in range(3)), "manager")
        for n in range(4)
    )
    goals = tuple({"goal": f"Goal {n}", "measure": "x" * 200} for n in range(3))
    plan = _plan(sections=sections, goals=goals)
    data = idp.render_pdf(plan)
    pages = PdfReader(io.BytesIO(data)).pages
    assert len(pages) >= 5
    assert "Page 1 of" in pages[0].extract_text()
    assert "Goal 2" in pages[-1].extract_text()


def test_pdf_survives_any_unicode_text() -> None:
    text = "Café “quotes” — naïve résumé 🎉🚀 日本語の目標 한국어 עברית ∑ \U0010ffff"
    plan = _plan(
        owner="Zoë O’Brien 山田",
        sections=(PlanSection("Où j’en suis", (PlanEntry("Forces 💪?", text),), "private"),),
        goals=({"goal": "学ぶ 📚", "measure": "Done ✅"},),
    )
    extracted = _pdf_text(idp.render_pdf(plan))
    assert "Café “quotes” — naïve résumé" in extracted
    assert "Zoë O’Brien" in extracted
    # Missing glyphs are drawn by the fallback font, but the text layer keeps the characters.
    assert "日本語" in extracted


def test_pdf_wraps_a_word_longer_than_the_line() -> None:
    url = "https://example.com/" + "a" * 400
    data = idp.render_pdf(_plan(sections=(PlanSection("Links", (PlanEntry("Where?", url),), "private"),)))
    assert "a" * 400 in _squash(_pdf_text(data))


# -- Markdown ---------------------------------------------------------------------------------------
def test_markdown_layout(plan: DevelopmentPlan) -> None:
    md = idp.render_markdown(plan)
    lines = md.splitlines()
    assert lines[0] == "# Individual development plan: Ana Silva, 2026-11-26"
    assert "## Where you want to go" in lines
    assert "*Who can see this: You and your manager*" in lines
    assert "### What are your strengths?" in lines
    assert "Not answered yet." in lines
    assert "## Goals" in lines
    table = [line for line in lines if line.startswith("|")]
    assert table[0] == "| Goal | How you will measure progress | Target date | First step |"
    assert table[1] == "| --- | --- | --- | --- |"
    assert table[2] == (
        "| Lead a cross-team project | Project delivered and reviewed by stakeholders | 2027-06-30 "
        "| Ask my manager which projects start next quarter |"
    )
    assert len(table) == 2 + len(GOALS)
    # a line break inside a paragraph is a hard break; paragraphs are separated by a blank line
    assert "My last review said I am reliable under pressure.  \nThe 360 survey" in md
    assert "as a gap.\n\nA retrospective" in md


def test_markdown_escapes_what_people_type() -> None:
    hostile = (
        "<script>alert(1)</script>\n# Not a heading\n- not a list\n1. not numbered\n[link](javascript:x)"
    )
    plan = _plan(
        sections=(PlanSection("Where you stand", (PlanEntry("A | B?", hostile),), "private"),),
        goals=({"goal": "Ship | release\nthen rest", "measure": "<b>bold</b>"},),
    )
    md = idp.render_markdown(plan)
    assert "<script>" not in md and "<b>" not in md
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md
    assert "\\# Not a heading" in md
    assert "\\- not a list" in md
    assert "1\\. not numbered" in md
    assert "\\[link\\](javascript:x)" in md
    assert "### A \\| B?" in md
    goal_row = next(line for line in md.splitlines() if line.startswith("| Ship"))
    assert goal_row == "| Ship \\| release<br>then rest | &lt;b&gt;bold&lt;/b&gt; |"
    assert goal_row.count(" | ") == 1  # two cells: the typed pipe did not add a column


def test_markdown_without_goals() -> None:
    expected = f"## Goals\n\n*Who can see this: Only you*\n\nNo goals yet.\n\n## {idp.AGREEMENT_HEADING}"
    assert expected in idp.render_markdown(_plan())


# -- dispatch and file names ------------------------------------------------------------------------
def test_render_dispatches_each_format(plan: DevelopmentPlan) -> None:
    assert idp.FORMATS == ("docx", "pdf", "md")
    assert idp.render(plan, "md") == idp.render_markdown(plan).encode("utf-8")
    assert idp.render(plan, "pdf").startswith(b"%PDF")
    assert idp.render(plan, "docx").startswith(b"PK")  # a zip container


@pytest.mark.parametrize("fmt", ["xlsx", "", "PDF", "../pdf"])
def test_unknown_format_is_refused(plan: DevelopmentPlan, fmt: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(fmt))):
        idp.render(plan, fmt)
    with pytest.raises(ValueError, match="unknown format"):
        idp.filename(plan, fmt)


@pytest.mark.parametrize(
    ("owner", "expected"),
    [
        ("Ana Silva", "development-plan-ana-silva-2026-11-26.docx"),
        ("José Müller-Łukasz", "development-plan-jose-muller-lukasz-2026-11-26.docx"),
        ("../../etc/passwd", "development-plan-etc-passwd-2026-11-26.docx"),
        ("<script>alert(1)</script>", "development-plan-script-alert-1-script-2026-11-26.docx"),
        ("山田 太郎", "development-plan-team-member-2026-11-26.docx"),
        ("", "development-plan-team-member-2026-11-26.docx"),
    ],
)
def test_filename_is_safe(owner: str, expected: str) -> None:
    name = idp.filename(_plan(owner=owner), "docx")
    assert name == expected
    assert re.fullmatch(r"[a-z0-9.-]+", name) and ".." not in name


def test_filename_is_short_for_a_very_long_name() -> None:
    name = idp.filename(_plan(owner="Maria " * 100), "pdf")
    assert len(name) < 100 and name.endswith("-2026-11-26.pdf")


@pytest.mark.parametrize("fmt", idp.FORMATS)
def test_characters_word_refuses_are_dropped_not_fatal(fmt: str) -> None:
    odd = "a\x00b\x0bc\ufffed\uffffe\ud800f"
    plan = _plan(
        owner=odd,
        sections=(PlanSection("S", (PlanEntry("Q?", odd),), "private"),),
        goals=({"goal": odd, "measure": ""},),
    )
    assert idp.render(plan, fmt)


def test_support_choices_read_as_one_phrase(plan: DevelopmentPlan) -> None:
    support = next(section for section in plan.sections if section.title == "Support you need")
    assert support.entries[0].answer == "Your manager, a mentor"
    from workbook.preparation import list_phrase

    assert list_phrase(["A coach", "HR business partner", "Learning and development"]) == (
        "A coach, HR business partner, learning and development"
    )


@pytest.mark.parametrize("fmt", ["md", "docx", "pdf"])
def test_every_format_has_room_for_the_agreement_and_both_signatures(plan: DevelopmentPlan, fmt: str) -> None:
    data = idp.render(plan, fmt)
    if fmt == "md":
        text = data.decode("utf-8")
    elif fmt == "docx":
        text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    else:
        text = _pdf_text(data)
    for words in (idp.AGREEMENT_HEADING, *idp.AGREEMENT_PROMPTS, *idp.SIGNATURES):
        assert _squash(words) in _squash(text), (fmt, words)
    assert _squash(text).rindex(_squash(idp.AGREEMENT_HEADING)) > _squash(text).rindex(
        _squash(idp.GOALS_HEADING)
    )


def _headings_of(plan: DevelopmentPlan) -> set[str]:
    headings = {idp.GOALS_HEADING, idp.AGREEMENT_HEADING}
    for section in plan.sections:
        headings.add(section.title)
        headings.update(entry.question for entry in section.entries)
    return {_squash(h) for h in headings}


def test_no_heading_is_left_alone_at_the_bottom_of_a_pdf_page() -> None:
    """Whatever the length of the answers before it, a heading starts the page its text is on."""
    checked = 0
    for lines in range(0, 48, 2):
        first = PlanEntry(
            "How did it start?", "\n".join(f"Line {n} of the first answer." for n in range(lines)) or "."
        )
        entries = (first,) + tuple(
            PlanEntry(
                f"A question {q} that is long enough to wrap onto a second line of the page when printed?",
                "Short answer. " * (q + 1),
            )
            for q in range(6)
        )
        sections = (
            PlanSection("Where you stand today", entries, "private"),
            PlanSection("Support you need", entries[:3], "manager"),
        )
        plan = _plan(sections=sections, goals=({"goal": "Grow", "measure": "Promoted"},))
        headings = _headings_of(plan)
        pages = PdfReader(io.BytesIO(idp.render_pdf(plan))).pages
        for page in pages[:-1]:
            lines_on_page = [
                line for line in page.extract_text().split("\n") if line.strip() and "Page " not in line
            ]
            body = [line for line in lines_on_page if _squash(line) != _squash(plan.document_title)]
            last = _squash(body[-1])
            tail = _squash("".join(body[-2:]))
            assert last not in headings and tail not in headings, (lines, body[-3:])
            checked += 1
    assert checked >= 10  # the sweep did reach page ends
