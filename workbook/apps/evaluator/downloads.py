"""The evaluator's downloads for one selection: the summary (CSV, Excel), the report (HTML, PDF) and every
chart (PNG, SVG), as links that carry the file in a data URI. Built on the worker thread from figures
the page already shows; nothing here computes a statistic.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from workbook.apps.clock import local_time
from workbook.apps.downloads import download
from workbook.apps.evaluator.templates import render
from workbook.evaluation.format import CHART_TITLES

if TYPE_CHECKING:
    from workbook.apps.evaluator.data import Computed, Loaded

REPORT_TITLE = "Career-conversation coaching: evaluation report"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def downloads_html(loaded: Loaded, computed: Computed, *, now: dt.datetime | None = None) -> str:
    """Every file of the selection as a link list."""
    from workbook.evaluation.charts import figure_to_svg_bytes
    from workbook.evaluation.pdf_report import render_pdf_report
    from workbook.evaluation.report import render_html_report, write_summary_csv, write_xlsx
    from workbook.scores_frame import MIXED_LABEL, SYNTHETIC_LABEL, titled

    stamp = now or dt.datetime.now(dt.UTC)
    tail = f"{computed.selection.file_part()}-{stamp.strftime('%Y%m%d')}"  # which cohorts and waves, when
    # every file of a selection with synthetic demo data in it says so in its title and its name
    label = computed.label
    prefix = {SYNTHETIC_LABEL: "synthetic-demo-", MIXED_LABEL: "includes-synthetic-demo-"}.get(label, "")
    hidden = computed.hidden_charts()
    selection = computed.selection.describe()
    title = titled(f"{REPORT_TITLE} ({selection[len('Selection: ') :]})", label)
    with tempfile.TemporaryDirectory(prefix="wb-evaluator-") as tmp:
        csv_bytes = write_summary_csv(
            computed.result, Path(tmp) / "summary.csv", data_label=label
        ).read_bytes()
        xlsx_bytes = write_xlsx(
            computed.result, Path(tmp) / "summary.xlsx", item_labels=loaded.item_labels, data_label=label
        ).read_bytes()
    report = render_html_report(
        computed.shown,
        pairs=computed.pairs,
        distribution=computed.distribution,
        synthetic=label == SYNTHETIC_LABEL,
        title=title,
        invited=computed.invited,
        generated=stamp,
        pngs=computed.pngs,
        hidden_charts=hidden,
    ).encode("utf-8")
    pdf = render_pdf_report(
        computed.shown,
        computed.pngs,
        title=title,
        selection=selection,
        synthetic=label == SYNTHETIC_LABEL,
        generated=stamp,
        hidden_charts=hidden,
    )
    groups = [
        (
            "Summary table",
            True,
            [
                download("csv", "text/csv", f"{prefix}evaluation-summary-{tail}.csv", csv_bytes, "CSV"),
                download(
                    "xlsx", XLSX, f"{prefix}evaluation-summary-{tail}.xlsx", xlsx_bytes, "Excel (.xlsx)"
                ),
            ],
        ),
        (
            "Whole report",
            True,
            [
                download("html", "text/html", f"{prefix}evaluation-report-{tail}.html", report, "HTML"),
                download("pdf", "application/pdf", f"{prefix}evaluation-report-{tail}.pdf", pdf, "PDF"),
            ],
        ),
    ]
    for name, png in computed.pngs.items():
        if name in hidden:  # its figure is hidden: no picture of it leaves the page
            continue
        svg = figure_to_svg_bytes(computed.figures[name])
        groups.append(
            (
                CHART_TITLES[name],
                False,
                [
                    download(f"{name}-png", "image/png", f"{prefix}chart-{name}-{tail}.png", png, "PNG"),
                    download(f"{name}-svg", "image/svg+xml", f"{prefix}chart-{name}-{tail}.svg", svg, "SVG"),
                ],
            )
        )
    not_drawn = [f"Not drawn: {why}" for why in hidden.values()]
    return render(
        "downloads.html",
        selection=selection,
        label=label,
        prepared=local_time(stamp),
        groups=groups,
        not_drawn=not_drawn,
    )
