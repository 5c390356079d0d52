"""The individual development plan (IDP) as a document to download: Markdown, Word or PDF.

The plan holds people's own words, typed into the workbook, so every renderer treats the text as
data: Markdown escapes anything that would change the structure (or smuggle in HTML), Word gets
plain runs, and the PDF uses a Unicode font with a last-resort fallback so no character can make
the export fail. All three formats share one layout, meant to be printed and brought to the
conversation: title, sections with who can see them, the answers, then the goals as a table.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.table import Table as DocxTable
from fpdf import FPDF, FontFace

from workbook.content import VISIBILITY_LABELS
from workbook.pdf import BODY_PT, FONT, LINE_MM, DocumentPDF, keep_with_next, text_height, write_text
from workbook.preparation import DevelopmentPlan, PlanSection
from workbook.text import html, joined, md_inline, md_line, slugify

FORMATS = ("docx", "pdf", "md")
# Each format's media type and its name for people, for the links that offer the plan.
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "md": "text/markdown",
}
FORMAT_NAMES = {"docx": "Word (.docx)", "pdf": "PDF", "md": "Markdown"}
NOT_ANSWERED = "Not answered yet."
NO_GOALS = "No goals yet."
GOALS_HEADING = "Goals"
# Filled in by hand at the conversation: what the manager agreed to support, when to look at the plan
# again, and both signatures. The printed plan is what the two of them keep.
AGREEMENT_HEADING = "Agreed in the conversation"
AGREEMENT_PROMPTS = ("Support agreed with my manager", "Review date")
SIGNATURES = ("Team member", "Manager")
BLANK = "_" * 28


# -- shared ---------------------------------------------------------------------------------------
def _plain(text: str) -> str:
    """Text safe for every format: Unix newlines, tabs as spaces, no other control characters.

    Answers are checked on input, but a plan may be built from older data; Word refuses XML-illegal
    characters outright, so they are dropped here rather than failing the whole export.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return "".join(
        c
        for c in text
        if c == "\n" or (unicodedata.category(c) not in ("Cc", "Cs") and c not in "\ufffe\uffff")
    ).strip()


def _visibility_line(section: PlanSection | DevelopmentPlan) -> str:
    """Who can see a section (or, given the plan, its goals): the level the owner chose for it."""
    level = section.goals_visibility if isinstance(section, DevelopmentPlan) else section.visibility
    return f"Who can see this: {VISIBILITY_LABELS.get(level, level)}"


def _goal_columns(plan: DevelopmentPlan) -> tuple[tuple[str, str], ...]:
    """The goal table's columns; plans built by hand may leave goal_fields empty."""
    if plan.goal_fields:
        return plan.goal_fields
    ids: list[str] = []
    for goal in plan.goals:
        ids.extend(k for k in goal if k not in ids)
    return tuple((i, i.replace("_", " ").capitalize()) for i in ids)


def _goal_rows(plan: DevelopmentPlan) -> tuple[tuple[str, ...], list[list[str]]]:
    columns = _goal_columns(plan)
    if not columns:  # only goals without any parts: nothing to tabulate
        return (), []
    header = tuple(_plain(label) for _, label in columns)
    rows = [[_plain(goal.get(field_id, "") or "") for field_id, _ in columns] for goal in plan.goals]
    return header, rows


def _paragraphs(text: str) -> list[str]:
    """Blank lines separate paragraphs; single newlines inside one are kept as line breaks."""
    return [p.strip("\n") for p in re.split(r"\n\s*\n", _plain(text)) if p.strip()]


# -- Markdown -------------------------------------------------------------------------------------
def _md_block(text: str) -> str:
    """Paragraphs as typed; line breaks inside a paragraph become hard breaks (two spaces)."""
    return "\n\n".join(
        "  \n".join(md_line(line) for line in paragraph.split("\n")) for paragraph in _paragraphs(text)
    )


def _md_cell(text: str) -> str:
    lines = [md_inline(line.strip()) for line in _plain(text).split("\n")]
    return "<br>".join(line for line in lines if line)


def render_markdown(plan: DevelopmentPlan) -> str:
    """The plan as Markdown, safe to show in any viewer whatever people typed."""
    out = [f"# {md_inline(_plain(plan.document_title))}", "", f"*{md_inline(_plain(plan.title))}*", ""]
    for section in plan.sections:
        visibility = md_inline(_visibility_line(section))
        out += [f"## {md_inline(_plain(section.title))}", "", f"*{visibility}*", ""]
        if not section.entries:
            out += [NOT_ANSWERED, ""]
        for entry in section.entries:
            out += [f"### {md_inline(_plain(entry.question))}", "", _md_block(entry.answer) or "", ""]
    out += [f"## {GOALS_HEADING}", "", f"*{md_inline(_visibility_line(plan))}*", ""]
    header, rows = _goal_rows(plan)
    if not rows:
        out += [NO_GOALS, ""]
    else:
        out.append("| " + " | ".join(md_inline(h) for h in header) + " |")
        out.append("| " + " | ".join("---" for _ in header) + " |")
        out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
        out.append("")
    out += [f"## {AGREEMENT_HEADING}", ""]
    out += [f"**{prompt}:** {BLANK}  " for prompt in AGREEMENT_PROMPTS]
    out += [""] + [f"**{who}:** signed {BLANK} date {BLANK[:12]}  " for who in SIGNATURES] + [""]
    return "\n".join(out)


# -- HTML preview ---------------------------------------------------------------------------------
def render_html(plan: DevelopmentPlan) -> str:
    """The plan as an HTML fragment for the in-app preview; every piece of text is escaped."""
    title, subtitle = _plain(plan.document_title), _plain(plan.title)
    out = [html("<h2>{title}</h2><p><em>{subtitle}</em></p>", title=title, subtitle=subtitle)]
    for section in plan.sections:
        out.append(
            html(
                '<h3>{title}</h3><p class="wb-muted">{visibility}</p>',
                title=_plain(section.title),
                visibility=_visibility_line(section),
            )
        )
        if not section.entries:
            out.append(html("<p>{text}</p>", text=NOT_ANSWERED))
        for entry in section.entries:
            out.append(html("<h4>{question}</h4>", question=_plain(entry.question)))
            for paragraph in _paragraphs(entry.answer):
                lines = joined((html("{line}", line=line) for line in paragraph.split("\n")), "<br>")
                out.append(html("<p>{lines}</p>", lines=lines))
    out.append(
        html(
            '<h3>{heading}</h3><p class="wb-muted">{visibility}</p>',
            heading=GOALS_HEADING,
            visibility=_visibility_line(plan),
        )
    )
    header, rows = _goal_rows(plan)
    if not rows:
        out.append(html("<p>{text}</p>", text=NO_GOALS))
    else:
        cells = joined(html("<th>{cell}</th>", cell=h) for h in header)
        body = joined(
            html("<tr>{cells}</tr>", cells=joined(html("<td>{cell}</td>", cell=cell) for cell in row))
            for row in rows
        )
        table = "<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"
        out.append(html(table, cells=cells, body=body))
    out.append(
        html(
            '<h3>{heading}</h3><p class="wb-muted">The printed plan has room for what you agree with your '
            "manager, a date to look at it again, and both your signatures.</p>",
            heading=AGREEMENT_HEADING,
        )
    )
    return joined(out, "\n")


# -- Word -----------------------------------------------------------------------------------------
_MUTED = RGBColor(0x59, 0x59, 0x59)


def _repeat_header_row(table: DocxTable) -> None:
    """Mark the first row as a header so Word repeats it on every printed page of the table."""
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def render_docx(plan: DevelopmentPlan) -> bytes:
    """The plan as a Word document with real heading styles, so it has an outline and prints well."""
    doc = Document()
    doc.core_properties.title = _plain(plan.document_title)
    doc.core_properties.author = _plain(plan.owner)
    doc.add_heading(_plain(plan.document_title), level=0)
    doc.add_paragraph(_plain(plan.title), style="Subtitle")
    for section in plan.sections:
        doc.add_heading(_plain(section.title), level=1)
        note = doc.add_paragraph()
        run = note.add_run(_visibility_line(section))
        run.italic = True
        run.font.size = Pt(9)
        run.font.color.rgb = _MUTED
        if not section.entries:
            doc.add_paragraph(NOT_ANSWERED)
        for entry in section.entries:
            doc.add_heading(_plain(entry.question), level=2)
            for paragraph in _paragraphs(entry.answer):
                doc.add_paragraph(paragraph)  # python-docx turns "\n" into a line break
    doc.add_heading(GOALS_HEADING, level=1)
    note = doc.add_paragraph()
    run = note.add_run(_visibility_line(plan))
    run.italic = True
    run.font.size = Pt(9)
    run.font.color.rgb = _MUTED
    header, rows = _goal_rows(plan)
    if not rows:
        doc.add_paragraph(NO_GOALS)
    else:
        table = doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for cell, label in zip(table.rows[0].cells, header, strict=True):
            cell.paragraphs[0].add_run(label).bold = True
        _repeat_header_row(table)
        for row in rows:
            for cell, text in zip(table.add_row().cells, row, strict=True):
                cell.text = text
    doc.add_heading(AGREEMENT_HEADING, level=1)
    for prompt in AGREEMENT_PROMPTS:
        line = doc.add_paragraph()
        line.add_run(f"{prompt}: ").bold = True
        line.add_run(BLANK)
    for who in SIGNATURES:
        line = doc.add_paragraph()
        line.add_run(f"{who}: ").bold = True
        line.add_run(f"signed {BLANK}   date {BLANK[:12]}")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# -- PDF ------------------------------------------------------------------------------------------
def _first_lines(pdf: FPDF, paragraphs: list[str]) -> float:
    """The height of a block's first two lines (or all of it if shorter): what must follow a heading."""
    if not paragraphs:
        return LINE_MM
    return min(text_height(pdf, paragraphs[0], BODY_PT), 2 * LINE_MM)


def _all_text(plan: DevelopmentPlan) -> str:
    """Every string the PDF will show, to know which characters need a fallback font."""
    parts = [plan.document_title, plan.title, NOT_ANSWERED, NO_GOALS, GOALS_HEADING, "Page of 0123456789"]
    parts += [
        AGREEMENT_HEADING,
        *AGREEMENT_PROMPTS,
        *SIGNATURES,
        ": signature and date",
        _visibility_line(plan),
    ]
    for section in plan.sections:
        parts += [section.title, _visibility_line(section)]
        parts += [text for entry in section.entries for text in (entry.question, entry.answer)]
    header, rows = _goal_rows(plan)
    parts += [*header, *(cell for row in rows for cell in row)]
    return "".join(parts)


def render_pdf(plan: DevelopmentPlan) -> bytes:
    """The plan as an A4 PDF for printing; any Unicode text renders, missing glyphs as boxes."""
    title = _plain(plan.document_title)
    pdf = DocumentPDF(footer_text=title, content=_all_text(plan))
    pdf.set_title(title)
    pdf.set_author(_plain(plan.owner))
    pdf.set_creator("Career workbook")
    pdf.set_lang("en")
    pdf.add_page()
    write_text(pdf, title, 18, "B", line=8.5, after=1)
    write_text(pdf, _plain(plan.title), 12, color=90, line=6, after=4)
    for section in plan.sections:
        title = _plain(section.title)
        visibility = _visibility_line(section)
        heading = 3 + text_height(pdf, title, 14, "B", 7) + text_height(pdf, visibility, 8.5, "I", 4.5) + 2
        if section.entries:
            first = section.entries[0]
            following = text_height(pdf, _plain(first.question), BODY_PT, "B") + 1
            following += _first_lines(pdf, _paragraphs(first.answer))
        else:
            following = LINE_MM
        keep_with_next(pdf, heading + following)
        pdf.ln(3)
        write_text(pdf, title, 14, "B", line=7)
        write_text(pdf, _visibility_line(section), 8.5, "I", color=100, line=4.5, after=2)
        if not section.entries:
            write_text(pdf, NOT_ANSWERED, BODY_PT, "I", color=90, after=2)
        for entry in section.entries:
            question = _plain(entry.question)
            paragraphs = _paragraphs(entry.answer)
            keep_with_next(pdf, text_height(pdf, question, BODY_PT, "B") + 1 + _first_lines(pdf, paragraphs))
            write_text(pdf, question, BODY_PT, "B", after=1)
            for paragraph in paragraphs:
                write_text(pdf, paragraph, BODY_PT, after=1.5)
            pdf.ln(1.5)
    keep_with_next(pdf, 3 + 7 + 4.5 + 2 + 25)  # the heading, who can see it, the header and first row
    pdf.ln(3)
    write_text(pdf, GOALS_HEADING, 14, "B", line=7)
    write_text(pdf, _visibility_line(plan), 8.5, "I", color=100, line=4.5, after=2)
    header, rows = _goal_rows(plan)
    if not rows:
        write_text(pdf, NO_GOALS, BODY_PT, "I", color=90)
    else:
        pdf.set_font(FONT, "", 9.5)
        headings = FontFace(emphasis="BOLD", fill_color=(230, 230, 230))
        with pdf.table(
            col_widths=tuple(1.5 if field_id == "target_date" else 2 for field_id, _ in _goal_columns(plan)),
            text_align="LEFT",
            v_align="TOP",
            headings_style=headings,
            line_height=4.8,
            padding=1.5,
            repeat_headings=1,
        ) as table:
            table.row(header)
            for row in rows:
                table.row(row)
    _pdf_agreement(pdf)
    return bytes(pdf.output())


def _pdf_agreement(pdf: FPDF) -> None:
    """Room to write what was agreed, the review date and both signatures, kept on one page."""
    keep_with_next(pdf, 3 + 7 + 2 + len(AGREEMENT_PROMPTS) * 12 + len(SIGNATURES) * 14)
    pdf.ln(3)
    write_text(pdf, AGREEMENT_HEADING, 14, "B", line=7, after=2)
    for prompt in AGREEMENT_PROMPTS:
        write_text(pdf, f"{prompt}:", BODY_PT, "B", after=5)
        _rule(pdf)
    for who in SIGNATURES:
        write_text(pdf, f"{who}: signature and date", BODY_PT, "B", after=7)
        _rule(pdf)


def _rule(pdf: FPDF) -> None:
    """A line to write on, the width of the text."""
    y = pdf.get_y()
    pdf.set_draw_color(120)
    pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
    pdf.set_draw_color(0)
    pdf.ln(4)


# -- choosing a format ----------------------------------------------------------------------------
_RENDERERS: dict[str, Callable[[DevelopmentPlan], bytes]] = {
    "docx": render_docx,
    "pdf": render_pdf,
    "md": lambda plan: render_markdown(plan).encode("utf-8"),
}


def render(plan: DevelopmentPlan, fmt: str) -> bytes:
    """The plan as a file's bytes in one of FORMATS (Markdown as UTF-8)."""
    try:
        renderer = _RENDERERS[fmt]
    except (KeyError, TypeError):
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}") from None
    return renderer(plan)


def filename(plan: DevelopmentPlan, fmt: str) -> str:
    """A download name that is safe on every system whatever the owner's name contains."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    owner = slugify(plan.owner, max_length=60, default="team-member")
    return f"development-plan-{owner}-{plan.prepared_on.isoformat()}.{fmt}"
