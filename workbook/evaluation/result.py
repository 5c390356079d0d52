"""The evaluation result as typed models: what :func:`~workbook.evaluation.stats.evaluate_tables` returns.

Every reader (the evaluator's page, the summary table, the charts, the HTML and PDF reports, the
``workbook evaluate`` command) reads fields, not string keys, so a renamed figure fails where it is
read instead of printing a dash. ``model_dump(mode="json")`` is the JSON contract of
``workbook evaluate``: the field order below is the key order of that file, and a hidden figure is
``None`` with ``suppressed`` and its reason (``hidden_because``, ``hidden_text``) beside it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

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

    def with_item_names(self, names: dict[str, str]) -> EvaluationResult:
        """The same result with its items renamed (e.g. by short label), if the new names are unique."""
        if len(set(names.values())) != len(names):
            return self
        items = {names.get(item, item): block for item, block in self.items.items()}
        return self.model_copy(update={"items": items})
