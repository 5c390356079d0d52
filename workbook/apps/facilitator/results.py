"""Cohort results: the before-and-after figures the evaluator sees, for the facilitator's chosen cohort
only, under the same disclosure rules (the plan of every figure of every cohort decides; a cohort whose
figures are hidden shows why and nothing else; never a name or free text).

The figures are the evaluator's own (:mod:`workbook.apps.evaluator.data` reads and plans,
:mod:`workbook.evaluation` computes, :mod:`workbook.apps.evaluator.views` words them). Everyone's scores
are read to apply the rules, inside one function on a worker thread; only the chosen cohort's aggregated
figures leave it. Person-level charts (one line or dot per manager) are left out: a facilitator knows
the people of a small cohort by name. Computed when the tab is first opened, and again on request.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as widgets

from workbook.apps.common import css
from workbook.apps.evaluator.data import PHASE_OPTIONS
from workbook.apps.evaluator.runner import Runner
from workbook.apps.facilitator.shared import Home
from workbook.apps.facilitator.templates import message, render

EVALUATOR_STYLE = (Path(__file__).parents[1] / "evaluator" / "templates" / "style.html").read_text(
    encoding="utf-8"
)


@dataclass(frozen=True)
class CohortFigures:
    """What the tab shows for one cohort and phase: HTML of aggregated, already suppressed figures."""

    cohort: str
    phase: str
    hidden: str | None  # why the cohort's figures are not shown at all
    headline: str
    summary: str
    chart_png: bytes | None
    chart_text: str
    label: str | None = None  # "synthetic demo data" for a cohort of `workbook demo`


def cohort_figures(store: object, cohort: str, phase: str) -> CohortFigures:
    """The evaluator's figures of one cohort, as the disclosure plan of all the data allows.

    The plan is the evaluator's default one: of the real cohorts only, once there are any (the rule of
    :class:`workbook.scores_frame.CohortScope`); a demo cohort is shown with the demo, marked synthetic."""
    from workbook.apps.evaluator.data import invited, load
    from workbook.apps.evaluator.describe import chart_description
    from workbook.apps.evaluator.views import headline_html, summary_html
    from workbook.evaluation.charts import dumbbell_chart, figure_to_png_bytes, title_data
    from workbook.evaluation.stats import METHOD, evaluate_tables, measure_name, select_cohorts
    from workbook.evaluation.summary import summary_table
    from workbook.manager.scores import cohort_scope

    loaded = load(store, include_demo=cohort in cohort_scope(store).demo)
    label = loaded.label((cohort,))
    if cohort not in loaded.cohorts:
        return CohortFigures(
            cohort, phase, "nobody in this cohort has answered the comfort check yet", "", "", None, "", label
        )
    hidden = loaded.plan.hidden(measure_name(phase, "scale"), cohort)
    if hidden is not None:
        return CohortFigures(cohort, phase, hidden.text, "", "", None, "", label)
    result = evaluate_tables(
        select_cohorts(loaded.tables, (cohort,)),
        scale_min=loaded.scale_min,
        scale_max=loaded.scale_max,
        threshold=loaded.threshold,
        plan=loaded.plan,
        cohorts=(cohort,),
        phase=phase,
    )
    shown = result.with_item_names(loaded.item_labels)
    headline = headline_html(shown, result.method or METHOD, invited=invited(store, loaded, (cohort,)))
    summary = summary_html(summary_table(shown), loaded.threshold)
    png = figure_to_png_bytes(title_data(dumbbell_chart(shown), label), dpi=100) if shown.items else None
    text = chart_description("items", shown, {}) if png else ""
    return CohortFigures(cohort, phase, None, headline, summary, png, text, label)


class ResultsTab:
    """The cohort's before-and-after figures, worked out when the tab is opened."""

    def __init__(self, home: Home, *, runner: Runner | None = None) -> None:
        self.home = home
        self.runner = runner or Runner()
        self.phase = widgets.Dropdown(
            description="Compare",
            options=[(label, key) for key, label in PHASE_OPTIONS.items()],
            value="pre",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto", max_width="100%"),
            _dom_classes=css("wb-results-phase"),
        )
        self.phase.observe(lambda _c: self.refresh(), "value")
        self.status = widgets.HTML(_dom_classes=css("wb-results-status"))
        self.headline = widgets.HTML(_dom_classes=css("wb-results-headline"))
        self.summary = widgets.HTML(_dom_classes=css("wb-results-summary"))
        self.chart = widgets.HTML(_dom_classes=css("wb-results-chart"))
        self.intro = widgets.HTML(render("results_intro.html", label=None))
        self.figures: CohortFigures | None = None
        self._asked = 0
        self.widget = widgets.VBox(
            [
                widgets.HTML(EVALUATOR_STYLE),
                self.intro,
                self.phase,
                self.status,
                self.headline,
                self.summary,
                self.chart,
            ],
            _dom_classes=css("wb-tab-results", "wb-evaluator"),
        )

    def clear(self) -> None:
        self.figures = None
        self.intro.value = render("results_intro.html", label=None)
        self.status.value = self.headline.value = self.summary.value = self.chart.value = ""

    def refresh(self) -> None:
        """Work out the figures of the page's cohort (on the worker thread inside a kernel)."""
        cohort, phase = self.home.cohort, self.phase.value
        if phase not in PHASE_OPTIONS:
            self.status.value = message("error", "Choose a comparison from the list.")
            return
        self._asked += 1
        asked = self._asked
        self.status.value = message("info", f"Working out the figures of {cohort}…")
        self.runner.submit(
            lambda: self.runner.post(self._show, asked, cohort_figures(self.home.store, cohort, phase)),
            self._failed,
        )

    def _failed(self, exc: BaseException) -> None:
        self.status.value = message("error", f"The figures could not be worked out ({type(exc).__name__}).")

    def _show(self, asked: int, figures: CohortFigures) -> None:
        if asked != self._asked or figures.cohort != self.home.cohort:
            return  # a later choice is on its way
        self.figures = figures
        self.intro.value = render("results_intro.html", label=figures.label)
        if figures.hidden:
            self.status.value = message(
                "info", f"No figures are shown for {figures.cohort}: {figures.hidden}."
            )
            self.headline.value = self.summary.value = self.chart.value = ""
            return
        described = f"{figures.cohort} ({figures.label})" if figures.label else figures.cohort
        self.status.value = message("done", f"The figures of {described}, as an evaluator sees them.")
        self.headline.value = figures.headline
        self.summary.value = figures.summary
        self.chart.value = (
            render(
                "results_chart.html",
                text=figures.chart_text,
                png=base64.b64encode(figures.chart_png).decode("ascii"),
            )
            if figures.chart_png
            else ""
        )
