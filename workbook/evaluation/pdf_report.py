"""The evaluation report as a landscape A4 PDF (fpdf2): the headline figures, the summary table and every
chart. Written by the evaluator's page and by ``workbook evaluate --pdf``, from the same (already
suppressed) result, with the rows worded by :func:`workbook.evaluation.summary.summary_table`.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from workbook.evaluation.format import CHART_TITLES, fmt, fmt_ci, hake_band, p_phrase, sentence
from workbook.evaluation.result import EvaluationResult
from workbook.evaluation.summary import summary_table, then_lines

DEFAULT_TITLE = "Career-conversation coaching: evaluation report"
# (heading, width in mm, SummaryCells field) of the PDF's summary table: the columns that fit a page.
PDF_COLUMNS: tuple[tuple[str, float, str], ...] = (
    ("Group", 26, "group"),
    ("Measure", 34, "measure"),
    ("Comparison", 18, "comparison"),
    ("n / any", 14, "n"),
    ("Pre (sd)", 20, "pre"),
    ("Post (sd)", 20, "post"),
    ("Change", 14, "change"),
    ("95% CI", 24, "ci"),
    ("p", 13, "p"),
    ("Wilcoxon p", 15, "wilcoxon_p"),
    ("d_z", 11, "d_z"),
    ("d_av", 11, "d_av"),
    ("Gain", 11, "gain"),
    ("% up/same/down", 22, "improved"),
)
_SHOWN_WHEN_HIDDEN = 4  # group, measure, comparison and counts; then the reason


def render_pdf_report(
    result: EvaluationResult,
    pngs: dict[str, bytes],
    *,
    title: str = DEFAULT_TITLE,
    selection: str = "Selection: all cohorts",
    synthetic: bool = False,
    generated: dt.datetime | None = None,
    hidden_charts: Mapping[str, str] | None = None,
) -> bytes:
    """The PDF's bytes; ``pngs`` are the charts by name (titles from :data:`CHART_TITLES`).

    ``hidden_charts``: why each chart whose figure is hidden draws no data (by default the result's own
    decisions); the page of such a chart says it under the title."""
    from fpdf import FPDF, FontFace, XPos, YPos

    from workbook.pdf import add_fonts

    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    add_fonts(pdf)
    pdf.set_margins(14, 14, 14)
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.set_title(title)
    pdf.set_creator("Career workbook")
    pdf.set_lang("en")

    def text(body: str, size: float = 10, style: str = "", line: float = 5.0, after: float = 1.0) -> None:
        pdf.set_font("DejaVu", style, size)
        pdf.multi_cell(0, line, body, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if after:
            pdf.ln(after)

    generated = generated or dt.datetime.now(dt.UTC)
    hidden = result.hidden_charts() if hidden_charts is None else hidden_charts
    threshold, scale, flow = result.threshold, result.scale, result.flow
    pdf.add_page()
    text(title, 16, "B", 8)
    if synthetic:
        text("Synthetic demo data: these figures describe invented participants, not real people.", 10, "B")
    text(
        f"{selection}. Generated {generated.strftime('%Y-%m-%d %H:%M UTC')}. "
        f"Scale {fmt(result.scale_min)} to {fmt(result.scale_max)}. "
        f"Anonymity threshold {threshold}: a group with fewer matched "
        "participants shows counts only (too few people), and further figures are hidden where a smaller "
        "group could otherwise be worked out.",
        9,
    )
    text('"An increase": three different numbers', 13, "B", 7)
    text(f"{flow.matched} matched of {flow.participants} participants who answered.", 10)
    if scale.suppressed:
        text(sentence(scale.hidden_text or "hidden"), 11, "B")
    else:
        method = result.method or {}
        text(
            f"1. Percent change of the mean score: {fmt(scale.pct_change_of_means, 1, signed=True)}% "
            f"(mean {fmt(scale.pre_mean)} before, {fmt(scale.post_mean)} after)",
            11,
            "B",
        )
        text(method.get("pct_change_of_means", ""), 8.5)
        text(
            f"2. Managers who improved: {fmt(scale.pct_improved, 0)}% (same {fmt(scale.pct_same, 0)}%, "
            f"declined {fmt(scale.pct_declined, 0)}%)",
            11,
            "B",
        )
        text(method.get("pct_improved", ""), 8.5)
        text(
            f"3. Normalised gain: {fmt(scale.normalized_gain)} {hake_band(scale.normalized_gain)}",
            11,
            "B",
        )
        text(method.get("normalized_gain", ""), 8.5)
        text(
            f"Mean change {fmt(scale.mean_change, signed=True)} (95% CI {fmt_ci(scale.ci95)}); paired "
            f"t({fmt(scale.df)}) = {fmt(scale.t)}, {p_phrase(scale.p)}; Wilcoxon signed-rank "
            f"{p_phrase(scale.wilcoxon_p)}; d_z = {fmt(scale.d_z)}, d_av = {fmt(scale.d_av)}, "
            f"g_z = {fmt(scale.g_z)}.",
            10,
        )

    if lines := then_lines(result):
        pdf.ln(2)
        text("Response shift", 13, "B", 7)
        for line in lines:
            text(f"{line.label}: {line.value}.", 10)

    pdf.ln(2)
    text("Summary", 13, "B", 7)
    pdf.set_font("DejaVu", "", 7)
    with pdf.table(
        col_widths=tuple(width for _, width, _ in PDF_COLUMNS),
        text_align="LEFT",
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
        line_height=3.6,
        padding=1,
        repeat_headings=1,
    ) as table:
        table.row([heading for heading, _, _ in PDF_COLUMNS])
        for cells in summary_table(result):
            values = [str(getattr(cells, field)) for _, _, field in PDF_COLUMNS]
            if cells.suppressed:
                values = values[:_SHOWN_WHEN_HIDDEN] + [cells.why] + [""] * (len(values) - 5)
            table.row(values)

    for name, png in pngs.items():
        pdf.add_page()
        text(CHART_TITLES.get(name, name), 12, "B", 6)
        if why := hidden.get(name):
            text(f"Not drawn: {why}.", 10)
        room = pdf.eph - (pdf.get_y() - pdf.t_margin) - 1  # what is left of the page under the title
        pdf.image(io.BytesIO(png), x=pdf.l_margin, h=room, keep_aspect_ratio=True, w=pdf.epw)
    return bytes(pdf.output())


def write_pdf_report(
    result: EvaluationResult,
    path: str | os.PathLike[str],
    *,
    pairs: Any = None,
    distribution: Any = None,
    invited: int | None = None,
    **options: Any,
) -> Path:
    """Draw the evaluation's charts and write the PDF to ``path`` (``options`` as for the renderer)."""
    from workbook.evaluation.charts import evaluation_figures, figure_to_png_bytes

    figures = evaluation_figures(result, pairs, distribution, invited=invited)
    pngs = {name: figure_to_png_bytes(figures[name]) for name in CHART_TITLES if name in figures}
    path = Path(path)
    path.write_bytes(render_pdf_report(result, pngs, **options))
    return path
