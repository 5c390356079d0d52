"""The evaluation result as typed models: what :func:`~workbook.evaluation.stats.evaluate_tables` returns.

Every reader (the evaluator's page, the summary table, the charts, the HTML and PDF reports, the
``workbook evaluate`` command) reads fields, not string keys, so a renamed figure fails where it is
read instead of printing a dash. ``model_dump(mode="json")`` is the JSON contract of
``workbook evaluate``: the field order below is the key order of that file, and a hidden figure is
``None`` with ``suppressed`` and its reason (``hidden_because``, ``hidden_text``) beside it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from workbook.evaluation.format import CHART_TITLES

Number = int | float


class _Figures(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PairedStats(_Figures):
    """The paired figures of one group (scale, item or cohort) comparing two waves."""

    n: int
    suppressed: bool
    pre_mean: float | None = None
    pre_sd: float | None = None
    post_mean: float | None = None
    post_sd: float | None = None
    mean_change: float | None = None
    ci95: tuple[float, float] | None = None
    t: float | None = None
    df: int | None = None
    p: float | None = None
    wilcoxon_p: float | None = None
    d_z: float | None = None
    d_av: float | None = None
    g_z: float | None = None
    pct_change_of_means: float | None = None
    pct_improved: float | None = None
    pct_same: float | None = None
    pct_declined: float | None = None
    normalized_gain: float | None = None
    pct_at_ceiling_pre: float | None = None
    hidden_because: str | None = None
    hidden_text: str | None = None


class ThreeWaves(_Figures):
    """Mean pre, 'then' and post score of those who answered all three waves."""

    n: int
    pre_mean: float | None = None
    then_mean: float | None = None
    post_mean: float | None = None
    suppressed: bool
    hidden_because: str | None = None
    hidden_text: str | None = None


class ResponseShift(_Figures):
    """How far the retrospective 'then' moved from the 'pre' answer: a changed yardstick."""

    n: int
    pre_mean: float | None = None
    then_mean: float | None = None
    mean_shift: float | None = None
    sd: float | None = None
    ci95: tuple[float, float] | None = None
    t: float | None = None
    df: int | None = None
    p: float | None = None
    three_waves: ThreeWaves
    suppressed: bool
    hidden_because: str | None = None
    hidden_text: str | None = None

    def paired(self) -> PairedStats:
        """The shift as a paired comparison ('then' against 'pre'), for the summary table's row."""
        return PairedStats(
            n=self.n,
            suppressed=self.suppressed,
            pre_mean=self.pre_mean,
            post_mean=self.then_mean,
            mean_change=self.mean_shift,
            ci95=self.ci95,
            t=self.t,
            df=self.df,
            p=self.p,
            hidden_because=self.hidden_because,
            hidden_text=self.hidden_text,
        )


class ScaleResult(PairedStats):
    """The scale's paired figures, its reliability in each wave and the 'then' comparisons."""

    alpha_pre: float | None = None
    alpha_pre_n: int
    alpha_post: float | None = None
    alpha_post_n: int
    then: PairedStats | None = None
    response_shift: ResponseShift | None = None


class Flow(_Figures):
    """Who answered at each stage, and the mean pre score of those who stayed and those who left."""

    participants: int
    pre: int
    post: int
    then: int
    matched: int
    pre_without_post: int
    late: int = 0  # gave an answer after a later wave had opened (left out unless late_included)
    pre_mean_completers: float | None = None
    pre_mean_noncompleters: float | None = None


class CohortResult(_Figures):
    flow: Flow
    scale: PairedStats


class FigureDecision(_Figures):
    """What every output says of one figure: shown or hidden (and why), and the group it rests on.

    The decision itself is the disclosure plan's, recorded in the figure's block of the result; this is
    that block's decision read in one place, with the group named, so that the page, the charts, the
    reports and the files state the same n for the same figure."""

    key: str  # the figure: "scale", "then", "response_shift", "three_waves"
    label: str  # what the figure is, in words
    n: int
    who: str  # the group, after "n = 6 ": "who answered pre and then"
    suppressed: bool
    hidden_text: str | None = None

    @property
    def n_text(self) -> str:
        """ "n = 6 who answered pre and then" """
        return f"n = {self.n} {self.who}"

    @property
    def reason(self) -> str | None:
        """Why the figure is not shown, naming it and its group (None when it is shown)."""
        if not self.suppressed:
            return None
        return f"{self.label} ({self.n_text}): {self.hidden_text or 'hidden'}"


# The figure behind each chart that shows it as a whole (a chart of several figures, such as the item or
# cohort charts, says so for each of its rows instead).
CHART_FIGURE: dict[str, str] = {
    "slope": "scale",
    "change": "scale",
    "baseline": "scale",
    "response_shift": "three_waves",
}


class EvaluationResult(_Figures):
    """Everything one evaluation publishes; already cleared by the disclosure rules."""

    threshold: int
    scale_min: Number
    scale_max: Number
    phase: str
    late_included: bool = False  # whether answers given after a later wave had opened count
    method: dict[str, str]
    flow: Flow
    scale: ScaleResult
    items: dict[str, PairedStats]
    cohorts: dict[str, CohortResult]

    def decision(self, key: str) -> FigureDecision | None:
        """The decision on one figure of the scale (None when the result has no such figure)."""
        scale, base = self.scale, self.phase
        shift = scale.response_shift
        blocks: dict[str, tuple[str, str, PairedStats | ResponseShift | ThreeWaves | None]] = {
            "scale": (f"Change from {base} to post", f"who answered {base} and post", scale),
            "then": ("Change from 'then' to post", "who answered then and post", scale.then),
            "response_shift": ("Response shift ('then' minus pre)", "who answered pre and then", shift),
            "three_waves": (
                CHART_TITLES["response_shift"],  # the figure that chart draws
                "who answered pre, then and post",
                shift.three_waves if shift is not None else None,
            ),
        }
        label, who, block = blocks[key]
        if block is None:
            return None
        return FigureDecision(
            key=key,
            label=label,
            n=block.n,
            who=who,
            suppressed=block.suppressed,
            hidden_text=block.hidden_text if block.suppressed else None,
        )

    def chart_decision(self, chart: str) -> FigureDecision | None:
        """The decision on the figure a chart shows as a whole (None: the chart shows several figures,
        each with its own decision, or the figure is absent)."""
        key = CHART_FIGURE.get(chart)
        return None if key is None else self.decision(key)

    def hidden_charts(self) -> dict[str, str]:
        """Why each chart whose figure is hidden draws no data (by chart name): its placeholder says so,
        no picture of it is offered for download, and the reports print the reason beside it."""
        return {
            chart: decision.reason
            for chart in CHART_FIGURE
            if (decision := self.chart_decision(chart)) is not None and decision.reason
        }

    def with_item_names(self, names: dict[str, str]) -> EvaluationResult:
        """The same result with its items renamed (e.g. by short label), if the new names are unique."""
        if len(set(names.values())) != len(names):
            return self
        items = {names.get(item, item): block for item, block in self.items.items()}
        return self.model_copy(update={"items": items})
