"""The summary table: one typed row per scale, item and cohort, and one way of writing a row as text.

:func:`summary_rows` reads an evaluation result into :class:`SummaryRow` models (the numbers, for the CSV
and Excel files through :func:`summary_frame`); :func:`summary_cells` writes one row as
:class:`SummaryCells` (the text shown by the evaluator's page, the HTML report and the PDF), so every
place words a figure, a hidden row and Hake's band the same way.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict

from workbook.evaluation.format import DASH, fmt, fmt_ci, fmt_p, missing, p_phrase
from workbook.evaluation.paired import STAT_KEYS
from workbook.evaluation.result import EvaluationResult, FigureDecision, PairedStats

ALL_PARTICIPANTS = "All participants"

SUMMARY_COLUMNS: tuple[str, ...] = (
    "scope",
    "cohort",
    "measure",
    "comparison",
    "participants",
    "n",
    "suppressed",
    "why_hidden",
    *(part for key in STAT_KEYS[2:] for part in (("ci95_low", "ci95_high") if key == "ci95" else (key,))),
    "alpha_pre",
    "alpha_post",
)
_SUMMARY_NUMBERS = SUMMARY_COLUMNS[SUMMARY_COLUMNS.index("why_hidden") + 1 :]


class SummaryRow(BaseModel):
    """One row: where it stands (scope, cohort, measure, comparison) and the paired figures it shows."""

    model_config = ConfigDict(frozen=True)

    scope: Literal["overall", "cohort"]
    cohort: str
    measure: str
    comparison: str
    participants: int
    stats: PairedStats
    alpha_pre: float | None = None
    alpha_post: float | None = None

    @property
    def group(self) -> str:
        return self.cohort if self.scope == "cohort" else ALL_PARTICIPANTS

    def columns(self) -> dict[str, object]:
        """The row as the summary table's columns: the confidence interval in two, the reason in words."""
        low, high = self.stats.ci95 or (None, None)
        values: dict[str, object] = {
            **{key: getattr(self.stats, key) for key in STAT_KEYS if key != "ci95"},
            "ci95_low": low,
            "ci95_high": high,
            "why_hidden": self.stats.hidden_text or "",
            **self.model_dump(exclude={"stats"}),
        }
        return {column: values[column] for column in SUMMARY_COLUMNS}


class SummaryCells(BaseModel):
    """One row written out; a hidden row keeps its counts and says why (``why``)."""

    model_config = ConfigDict(frozen=True)

    group: str
    measure: str
    comparison: str
    n: str
    suppressed: bool
    why: str
    pre: str
    post: str
    change: str
    ci: str
    t: str
    df: str
    p: str
    wilcoxon_p: str
    d_z: str
    d_av: str
    g_z: str
    gain: str
    improved: str
    ceiling: str
    alpha: str


def summary_rows(result: EvaluationResult) -> list[SummaryRow]:
    """The rows of an evaluation result: the scale (and its 'then' comparisons: post against 'then', and
    the response shift, 'then' against pre), each item, each cohort."""
    rows: list[SummaryRow] = []

    def add(
        scope: str, cohort: str, measure: str, comparison: str, participants: int, block: PairedStats, **alpha
    ) -> None:
        rows.append(
            SummaryRow(
                scope=scope,
                cohort=cohort,
                measure=measure,
                comparison=comparison,
                participants=participants,
                stats=block,
                **alpha,
            )
        )

    everyone = result.flow.participants
    scale = result.scale
    versus = f"post vs {result.phase}"
    add(
        "overall",
        "",
        "scale",
        versus,
        everyone,
        scale,
        alpha_pre=scale.alpha_pre,
        alpha_post=scale.alpha_post,
    )
    if scale.then:
        add("overall", "", "scale", "post vs then", everyone, scale.then)
    if scale.response_shift:
        add("overall", "", "scale", "then vs pre", everyone, scale.response_shift.paired())
    for item, block in result.items.items():
        add("overall", "", item, versus, everyone, block)
    for cohort, entry in result.cohorts.items():
        add("cohort", cohort, "scale", versus, entry.flow.participants, entry.scale)
    return rows


def summary_frame(result: EvaluationResult) -> pd.DataFrame:
    """The summary rows as a frame with ``suppressed`` and ``why_hidden`` (in words): the table behind
    the CSV and Excel files."""
    frame = pd.DataFrame([row.columns() for row in summary_rows(result)], columns=list(SUMMARY_COLUMNS))
    for column in _SUMMARY_NUMBERS:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    frame["df"] = frame["df"].astype("Int64")
    frame["suppressed"] = frame["suppressed"].astype(bool)
    for column in ("scope", "cohort", "measure", "comparison", "why_hidden"):
        frame[column] = frame[column].astype("str")
    return frame


def _mean_sd(mean: float | None, sd: float | None) -> str:
    """ "2.53 (0.41)", or the mean alone for a row that has no sd (the response shift's)."""
    return fmt(mean) if missing(sd) else f"{fmt(mean)} ({fmt(sd)})"


def summary_cells(row: SummaryRow) -> SummaryCells:
    """One row as text, the same on the page, in the HTML report and in the PDF."""
    figures = row.stats
    hidden = figures.suppressed
    shares = (figures.pct_improved, figures.pct_same, figures.pct_declined)
    return SummaryCells(
        group=row.group,
        measure=row.measure,
        comparison=row.comparison,
        n=f"{figures.n} / {row.participants}",
        suppressed=hidden,
        why=(figures.hidden_text or "hidden") if hidden else "",
        pre=DASH if hidden else _mean_sd(figures.pre_mean, figures.pre_sd),
        post=DASH if hidden else _mean_sd(figures.post_mean, figures.post_sd),
        change=fmt(figures.mean_change, signed=True),
        ci=fmt_ci(figures.ci95 or (None, None)),
        t=fmt(figures.t),
        df=fmt(figures.df),
        p=fmt_p(figures.p),
        wilcoxon_p=fmt_p(figures.wilcoxon_p),
        d_z=fmt(figures.d_z),
        d_av=fmt(figures.d_av),
        g_z=fmt(figures.g_z),
        gain=fmt(figures.normalized_gain),
        improved=DASH if hidden else " / ".join(fmt(share, 0) for share in shares),
        ceiling=fmt(figures.pct_at_ceiling_pre, 0),
        alpha=""
        if missing(row.alpha_pre) and missing(row.alpha_post)
        else f"{fmt(row.alpha_pre)} / {fmt(row.alpha_post)}",
    )


def summary_table(result: EvaluationResult) -> list[SummaryCells]:
    """Every row of a result, written out."""
    return [summary_cells(row) for row in summary_rows(result)]


class FigureLine(BaseModel):
    """One figure written out as a line: what it is and its group's n, then its value or why it is
    hidden. The same words on the page, in the HTML report and in the PDF."""

    model_config = ConfigDict(frozen=True)

    key: str
    label: str  # "Response shift ('then' minus pre), n = 6 who answered pre and then"
    value: str
    suppressed: bool


def _line(decision: FigureDecision, value: str) -> FigureLine:
    return FigureLine(
        key=decision.key,
        label=f"{decision.label}, {decision.n_text}",
        value=(decision.hidden_text or "hidden") if decision.suppressed else value,
        suppressed=decision.suppressed,
    )


def then_lines(result: EvaluationResult) -> list[FigureLine]:
    """The figures of the retrospective 'then' answers, each with its own decision and its own group:
    the change from 'then' to post, the response shift ('then' minus pre) and the three means that the
    "Pre, then and post" chart draws. Empty when nobody answered 'then'."""
    scale = result.scale
    shift = scale.response_shift
    lines: list[FigureLine] = []
    if (then := result.decision("then")) is not None and scale.then is not None:
        block = scale.then
        lines.append(
            _line(
                then,
                f"{fmt(block.mean_change, signed=True)} (95% CI {fmt_ci(block.ci95)}), {p_phrase(block.p)}",
            )
        )
    if (decision := result.decision("response_shift")) is not None and shift is not None:
        lines.append(
            _line(
                decision,
                f"{fmt(shift.mean_shift, signed=True)} (95% CI {fmt_ci(shift.ci95)}), {p_phrase(shift.p)}",
            )
        )
    if (decision := result.decision("three_waves")) is not None and shift is not None:
        three = shift.three_waves
        lines.append(
            _line(
                decision,
                f"pre {fmt(three.pre_mean)}, then {fmt(three.then_mean)}, post {fmt(three.post_mean)}",
            )
        )
    return lines
