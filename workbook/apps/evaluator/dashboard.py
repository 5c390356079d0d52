"""The evaluator's dashboard: filters, headline, summary table, charts and downloads for one evaluator.

Data flow one way: store -> long scores frame (pseudonymous ids) -> ``score_tables`` and the disclosure
plan (once, :mod:`.data`) -> ``select_cohorts`` / ``evaluate_tables`` -> HTML (:mod:`.views`), charts
(:mod:`workbook.evaluation.charts`, :mod:`workbook.evaluation.level_charts`) and files (:mod:`.downloads`).

Inside a kernel the slow steps run on the :class:`~.runner.Runner`'s worker thread and their results are
put into the widgets on the event loop: a filter change shows "Updating…" until the new figures are in.
"""

from __future__ import annotations

import asyncio
import base64
import threading
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from workbook.apps.common import css
from workbook.apps.evaluator.data import (
    NO_COHORT,
    NO_COHORT_LABEL,
    PHASE_OPTIONS,
    Computed,
    Loaded,
    Selection,
    behaviour_of,
    invited,
    load,
    reaction_of,
)
from workbook.apps.evaluator.demo_choice import DemoChoice
from workbook.apps.evaluator.runner import Runner
from workbook.apps.evaluator.templates import render
from workbook.apps.markup import html
from workbook.evaluation.format import CHART_TITLES

CHART_DPI = 100
FILTER_DELAY_S = 0.3  # a burst of filter changes (clicks in the cohort list) recomputes once
HEADLINE_FIRST_S = 3.0  # on opening, the charts wait (at most this long) until the headline is on screen
WIDE_CHARTS = ("items", "answers")  # long item labels: these take the page's full width
WIDE_INCHES = 10.5
LEVEL_CHARTS = ("reaction", "behaviour")  # shown in their own section, next to their tables


class EvaluatorDashboard:
    """Filters, headline, summary table, charts and downloads for one evaluator."""

    def __init__(
        self,
        store: Any = None,
        *,
        runner: Runner | None = None,
        still_allowed: Callable[[], bool] | None = None,
        on_withdrawn: Callable[[], None] | None = None,
    ) -> None:
        self._store = store
        # Asked before each refresh and download: whether the viewer may still see the figures (under a
        # hub, their name still tied and the evaluator role still held); if not, `on_withdrawn` runs.
        self._still_allowed = still_allowed
        self._on_withdrawn = on_withdrawn
        self.withdrawn = False
        self.runner = runner or Runner()
        self.loaded: Loaded | None = None
        self.computed: Computed | None = None
        self.generation = 0
        self._pending: asyncio.TimerHandle | None = None

        self.demo = DemoChoice(self._on_include_demo)  # the synthetic demo cohorts: in or out
        self.title, self.banner, self.include_demo = self.demo.title, self.demo.banner, self.demo.box
        self.status = widgets.HTML(_dom_classes=css("wb-eval-status"))
        self.cohorts = widgets.SelectMultiple(
            options=[],
            rows=4,
            description="Cohorts",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="360px"),
            _dom_classes=css("wb-eval-cohorts"),
        )
        self.phase = widgets.Dropdown(
            options=[(label, key) for key, label in PHASE_OPTIONS.items()],
            value="pre",
            description="Programme phase",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto", max_width="100%"),
            _dom_classes=css("wb-eval-phase"),
        )
        self.filter_note = widgets.HTML(_dom_classes=css("wb-eval-filter-note"))
        self.protection = widgets.HTML(_dom_classes=css("wb-eval-protection-box"))
        self.filters = widgets.HBox(
            [
                self.cohorts,
                widgets.VBox([self.phase, self.filter_note, self.protection]),
            ],
            _dom_classes=css("wb-eval-filters"),
        )
        self.headline = widgets.HTML(
            '<p class="wb-muted">Working out the figures of this selection…</p>',
            _dom_classes=css("wb-eval-headline-box"),
        )
        # The page's views report themselves (_view_count), so the first charts can wait until the
        # headline is on screen: drawing them earlier competes with the browser for the CPU.
        self.headline._view_count = 0
        self._headline_seen = threading.Event()
        self.headline.observe(self._on_headline_view, names="_view_count")
        self.summary = widgets.HTML(_dom_classes=css("wb-eval-summary"))
        self.reaction = widgets.HTML(_dom_classes=css("wb-eval-reaction"))
        self.behaviour = widgets.HTML(_dom_classes=css("wb-eval-behaviour"))

        self.images: dict[str, widgets.HTML] = {}  # an <img> with its description as alt text
        self.captions: dict[str, widgets.HTML] = {}
        self.chart_boxes: dict[str, widgets.VBox] = {}
        for name, title in CHART_TITLES.items():
            image = widgets.HTML(
                layout=widgets.Layout(width="100%", height="auto"),
                _dom_classes=css("wb-eval-image", f"wb-eval-image-{name}"),
            )
            caption = widgets.HTML(_dom_classes=css("wb-eval-caption-box"))
            if name in WIDE_CHARTS:
                image.layout.max_width = f"{int(WIDE_INCHES * CHART_DPI)}px"
            box = widgets.VBox(
                [widgets.HTML(render("chart_heading.html", title=title)), image, caption],
                _dom_classes=css(
                    "wb-eval-chart",
                    f"wb-eval-chart-{name}",
                    *(["wb-eval-wide"] if name in WIDE_CHARTS else []),
                ),
                layout=widgets.Layout(display="none"),
            )
            self.images[name], self.captions[name], self.chart_boxes[name] = image, caption, box
        two_columns = widgets.Layout(grid_template_columns="repeat(2, minmax(0, 1fr))", grid_gap="14px")
        self.charts = widgets.GridBox(  # one column on a narrow screen (the shared style)
            [box for name, box in self.chart_boxes.items() if name not in LEVEL_CHARTS],
            layout=widgets.Layout(grid_template_columns="repeat(2, minmax(0, 1fr))", grid_gap="14px"),
            _dom_classes=css("wb-eval-charts"),
        )

        self.prepare = widgets.Button(
            description="Prepare downloads",
            icon="download",
            button_style="primary",
            disabled=True,
            layout=widgets.Layout(width="auto", align_self="flex-start"),
            _dom_classes=css("wb-eval-prepare"),
        )
        self.prepare.on_click(lambda _b: self.prepare_downloads())
        self.downloads = widgets.HTML(_dom_classes=css("wb-eval-downloads"))

        self.body = widgets.VBox(
            [
                self.filters,
                self.status,
                widgets.HTML("<h2>What changed</h2>"),
                self.headline,
                widgets.HTML("<h2>Summary: the scale, each item, each cohort</h2>"),
                self.summary,
                widgets.HTML("<h2>Charts</h2>"),
                self.charts,
                widgets.HTML("<h2>Reaction and behaviour</h2>"),
                widgets.GridBox(
                    [
                        widgets.VBox(
                            [
                                widgets.HTML("<h3>Reaction to the programme (Kirkpatrick level 1)</h3>"),
                                self.reaction,
                                self.chart_boxes["reaction"],
                            ],
                            _dom_classes=css("wb-eval-section"),
                        ),
                        widgets.VBox(
                            [
                                widgets.HTML("<h3>Career conversations held (Kirkpatrick level 3)</h3>"),
                                self.behaviour,
                                self.chart_boxes["behaviour"],
                            ],
                            _dom_classes=css("wb-eval-section"),
                        ),
                    ],
                    layout=two_columns,
                    _dom_classes=css("wb-eval-levels"),
                ),
                widgets.HTML(
                    "<h2>Downloads</h2><p>The summary as CSV and Excel, the report as HTML and PDF, "
                    "and every chart as PNG and SVG, for the current selection.</p>"
                ),
                self.prepare,
                self.downloads,
            ],
            layout=widgets.Layout(display="none"),
            _dom_classes=css("wb-eval-body"),
        )
        self.widget = widgets.VBox(
            [self.title, self.banner, self.include_demo, self.body], _dom_classes=css("wb-evaluator")
        )
        for control in (self.cohorts, self.phase):
            control.observe(self._on_filter, names="value")
        self._busy("Loading the scores…")
        self.runner.submit(self._load_job, self._failed)

    # -- status ----------------------------------------------------------------------------------
    def _busy(self, message: str) -> None:
        self.status.value = render("message.html", kind="busy", text=message)

    def _ready(self, message: str) -> None:
        self.status.value = render("message.html", kind="ready", text=message)

    def _problem(self, message: str) -> None:
        self.status.value = render("message.html", kind="problem", text=message)

    def _failed(self, exc: BaseException) -> None:
        from workbook.config import ConfigError

        if isinstance(exc, ConfigError):
            self._problem(str(exc))
        else:  # no traceback on the page: it could carry data
            self._problem(f"The figures could not be computed ({type(exc).__name__}).")

    # -- loading ---------------------------------------------------------------------------------
    def _load_job(self, include_demo: bool = False) -> None:
        if self._store is None:
            from workbook.store import Store

            self._store = Store()
        self.runner.post(self._show_loaded, load(self._store, include_demo=include_demo))

    def _on_include_demo(self, include: bool) -> None:
        """Read the scores again with the synthetic demo cohorts in or out."""
        if self.loaded is None or not self.allowed():
            return
        self.generation += 1  # figures of the other choice are dropped when they come back
        self.prepare.disabled, self.downloads.value = True, ""
        self._busy("Loading the scores…")
        self.runner.submit(lambda: self._load_job(include), self._failed)

    def _show_loaded(self, loaded: Loaded) -> None:
        if loaded.scope.include_demo != self.demo.include:
            return  # the other choice is on its way
        self.loaded = loaded
        self.demo.show(loaded)
        if len(loaded.frame) == 0:
            self.body.layout.display = "none"
            self._ready("No scores yet.")
            return
        selectable = set(loaded.plan.selectable())
        options = [
            ((NO_COHORT_LABEL if c == NO_COHORT else c) + ("" if c in selectable else " (figures hidden)"), c)
            for c in loaded.cohorts
        ]
        self.cohorts.unobserve(self._on_filter, names="value")
        self.cohorts.options = options
        self.cohorts.rows = max(2, min(6, len(options)))
        self.cohorts.value = tuple(loaded.cohorts)
        self.cohorts.observe(self._on_filter, names="value")
        hidden = [label for label, c in options if c not in selectable]
        self.filter_note.value = render("filter_note.html", hidden=", ".join(hidden))
        self.protection.value = render("protection.html", threshold=loaded.threshold)
        self.body.layout.display = None
        self.refresh()

    # -- filtering -------------------------------------------------------------------------------
    def selection(self) -> Selection:
        """The filter values, checked: a visitor can send any value to any widget."""
        assert self.loaded is not None
        known = set(self.loaded.cohorts)
        chosen = self.cohorts.value
        if not isinstance(chosen, tuple | list) or any(
            not isinstance(c, str) or c not in known for c in chosen
        ):
            raise ValueError("Choose cohorts from the list.")
        phase = self.phase.value
        if not isinstance(phase, str) or phase not in PHASE_OPTIONS:
            raise ValueError("Choose a programme phase from the list.")
        cohorts = (
            None
            if not chosen or set(chosen) == known
            else tuple(c for c in self.loaded.cohorts if c in chosen)
        )
        return Selection(cohorts, phase)

    def _on_filter(self, _change: dict) -> None:
        if self.loaded is None:
            return
        if self._pending is not None:
            self._pending.cancel()
        self._busy("Updating…")
        self._pending = self.runner.later(FILTER_DELAY_S, self.refresh)

    def allowed(self) -> bool:
        """Whether the viewer may still see the figures; once not, the page is closed for good."""
        if not self.withdrawn and self._still_allowed is not None and not self._still_allowed():
            self.withdrawn = True
            self.generation += 1  # figures being computed are dropped when they come back
            if self._on_withdrawn is not None:
                self._on_withdrawn()
        return not self.withdrawn

    def refresh(self, *, now: bool = False) -> None:
        """Recompute for the current filters (on the worker thread inside a kernel unless ``now``)."""
        self._pending = None
        if self.loaded is None or not self.allowed():
            return
        try:
            selection = self.selection()
        except ValueError as exc:
            self._problem(str(exc))
            return
        self.generation += 1
        generation = self.generation
        self.prepare.disabled = True
        self.downloads.value = ""
        self._busy("Updating…")
        self.runner.submit(lambda: self._compute_job(generation, selection), self._failed, now=now)

    def _on_headline_view(self, change: dict) -> None:
        if self.computed is not None and change["new"]:
            self._headline_seen.set()

    def _stale(self, generation: int) -> bool:
        return generation != self.generation

    # -- figures ---------------------------------------------------------------------------------
    def _compute_job(self, generation: int, selection: Selection) -> None:
        from workbook.apps.evaluator.views import (
            behaviour_html,
            headline_html,
            reaction_html,
            refusal_html,
            summary_html,
        )
        from workbook.evaluation.stats import (
            METHOD,
            evaluate_tables,
            item_answer_distribution,
            paired_scale_scores,
            phase_tables,
            select_cohorts,
        )
        from workbook.evaluation.summary import summary_table

        loaded = self.loaded
        assert loaded is not None
        if self._stale(generation):
            return
        threshold = loaded.threshold
        refusal = loaded.plan.refusal(selection.cohorts, label={NO_COHORT: NO_COHORT_LABEL})
        # a refused selection computes nothing of its own: its figures never reach the kernel
        cohorts = () if refusal is not None else selection.cohorts
        tables = select_cohorts(loaded.tables, cohorts)
        result = evaluate_tables(
            tables,
            scale_min=loaded.scale_min,
            scale_max=loaded.scale_max,
            threshold=threshold,
            plan=loaded.plan,
            cohorts=cohorts,
            phase=selection.phase,
        )
        shown = result.with_item_names(loaded.item_labels)
        compared = phase_tables(tables, selection.phase)
        distribution = item_answer_distribution(
            compared,
            scale_min=loaded.scale_min,
            scale_max=loaded.scale_max,
            threshold=threshold,
            result=result,
        )
        if len(distribution) and len(set(loaded.item_labels.values())) == len(loaded.item_labels):
            distribution["item"] = distribution["item"].map(lambda i: loaded.item_labels.get(i, i))
        invited_count = invited(self._store, loaded, selection.cohorts)
        reaction = reaction_of(self._store, loaded, cohorts)
        behaviour = behaviour_of(self._store, loaded, cohorts)
        refused = refusal.message if refusal is not None else None
        computed = Computed(
            generation=generation,
            selection=selection,
            result=result,
            shown=shown,
            pairs=paired_scale_scores(compared),
            distribution=distribution,
            invited=invited_count,
            reaction=reaction,
            behaviour=behaviour,
            refused=refused,
            label=loaded.label(selection.cohorts),
            headline=refusal_html(refused, headline=True)
            if refused
            else headline_html(shown, result.method or METHOD, invited=invited_count),
            table=refusal_html(refused) if refused else summary_html(summary_table(shown), threshold),
            reaction_table=refusal_html(refused)
            if refused
            else reaction_html(reaction, loaded.reaction_wording),
            behaviour_table=refusal_html(refused) if refused else behaviour_html(behaviour),
        )
        self.runner.post(self._show_figures, computed)
        self.runner.submit(lambda: self._chart_job(computed), self._failed)

    def _chart_job(self, computed: Computed) -> None:
        if self.runner.background and computed.generation == 1:
            self._headline_seen.wait(HEADLINE_FIRST_S)
        self._draw_charts(computed)

    def _show_figures(self, computed: Computed) -> None:
        if self._stale(computed.generation):
            return
        self.computed = computed
        self.demo.titled(computed.label)
        self.headline.value = computed.headline
        if self.headline._view_count:  # the page shows it now: the charts may start
            self._headline_seen.set()
        self.summary.value = computed.table
        self.reaction.value = computed.reaction_table
        self.behaviour.value = computed.behaviour_table
        names = computed.chart_names()
        for name, box in self.chart_boxes.items():
            box.layout.display = None if name in names else "none"
            if name in names:
                self.captions[name].value = '<p class="wb-eval-caption">Drawing…</p>'
        self._busy("Drawing the charts…")

    def _draw_charts(self, computed: Computed) -> None:
        from workbook.apps.evaluator.describe import chart_description
        from workbook.evaluation.charts import evaluation_figures, figure_to_png_bytes, title_data
        from workbook.evaluation.level_charts import behaviour_chart, reaction_chart

        names = computed.chart_names()
        figures = evaluation_figures(
            computed.shown, computed.pairs, computed.distribution, invited=computed.invited
        )
        if "reaction" in names:
            figures["reaction"] = reaction_chart(computed.reaction)
        if "behaviour" in names:
            figures["behaviour"] = behaviour_chart(computed.behaviour)
        extra = {"invited": computed.invited, "reaction": computed.reaction, "behaviour": computed.behaviour}
        for name in names:
            if self._stale(computed.generation):
                return
            if name in WIDE_CHARTS:
                figures[name].set_size_inches(WIDE_INCHES, figures[name].get_figheight())
            title_data(figures[name], computed.label)
            png = figure_to_png_bytes(figures[name], dpi=CHART_DPI)
            computed.figures[name] = figures[name]
            computed.pngs[name] = png
            description = chart_description(name, computed.shown, extra)
            self.runner.post(self._show_chart, computed.generation, name, png, description)
        self.runner.post(self._charts_done, computed.generation)

    def _show_chart(self, generation: int, name: str, png: bytes, description: str) -> None:
        if self._stale(generation):
            return
        data = base64.b64encode(png).decode("ascii")
        image = '<img alt="{alt}" src="data:image/png;base64,{png}">'
        self.images[name].value = html(image, alt=description, png=data)
        self.captions[name].value = render("caption.html", text=description)

    def _charts_done(self, generation: int) -> None:
        if self._stale(generation):
            return
        assert self.computed is not None
        self.prepare.disabled = bool(self.computed.refused)
        if self.computed.refused:
            self.downloads.value = '<p class="wb-muted">No downloads: this selection is not shown.</p>'
            self._problem(f"{self.computed.selection.describe()}: not shown. {self.computed.refused}")
            return
        self._ready(f"Up to date. {self.computed.selection.describe()}.")

    # -- downloads -------------------------------------------------------------------------------
    def prepare_downloads(self) -> None:
        if not self.allowed():
            return
        computed = self.computed
        if computed is not None and computed.refused:
            self._problem("No downloads: this selection is not shown.")
            return
        if (
            computed is None
            or self._stale(computed.generation)
            or len(computed.pngs) < len(computed.chart_names())
        ):
            self._problem("The figures are still being prepared; try again in a moment.")
            return
        self.prepare.disabled = True
        self._busy("Preparing the downloads…")
        self.runner.submit(lambda: self._downloads_job(computed), self._failed)

    def _downloads_job(self, computed: Computed) -> None:
        from workbook.apps.evaluator.downloads import downloads_html

        assert self.loaded is not None
        self.runner.post(self._show_downloads, computed.generation, downloads_html(self.loaded, computed))

    def _show_downloads(self, generation: int, html: str) -> None:
        if self._stale(generation):
            return
        self.downloads.value = html
        self.prepare.disabled = False
        assert self.computed is not None
        self._ready(f"Downloads ready. {self.computed.selection.describe()}.")
