"""Paired pre/post analysis of the comfort scale: the numbers behind the evaluator's report.

The long scores table is turned once into a dense array ``answers[wave, participant, item]``; every
figure is then computed for many groups at a time (the items, the cohorts) with ``np.bincount`` over
group codes, so the cost grows with the number of answers, not with the number of groups. The t and
normal distributions come from scipy; the grouped Wilcoxon statistic follows
``scipy.stats.wilcoxon(zero_method="pratt", method="approx", correction=True)`` and the tests check it
against scipy group by group.

Anonymity: which figure of which group is shown is decided by :mod:`workbook.evaluation.disclosure`
(too few people, complementary suppression, overlapping groups, selections of whole cohorts); a hidden
figure keeps only its counts, every other value is ``None``, and the block says why.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from workbook.config import DEFAULT_THRESHOLD, check_threshold
from workbook.evaluation.disclosure import DisclosurePlan, Figure, Hidden, build_plan, mark, too_few
from workbook.evaluation.paired import (  # noqa: F401 (the statistics' public names stay here too)
    STAT_KEYS,
    TIE_DECIMALS,
    _grouped_paired,
    _num,
    _stats_dict,
    _stats_dicts,
    cronbach_alpha,
    paired_stats,
)
from workbook.evaluation.result import EvaluationResult
from workbook.evaluation.tables import (  # noqa: F401
    PHASES,
    POST,
    PRE,
    THEN,
    ScoreTables,
    filter_scores,
    phase_tables,
    score_tables,
    select_cohorts,
)
from workbook.scores_frame import WAVES

FLOW_COUNT_KEYS: tuple[str, ...] = (
    *("participants", "pre", "post", "then", "matched", "pre_without_post", "late"),
)

METHOD: dict[str, str] = {
    "t": (
        "Paired t-test on the change (post minus pre) of participants who answered both waves: "
        "t = mean change / (sd of change / sqrt(n)), df = n - 1, two-sided p. "
        "95% CI of the mean change = mean change ± t(0.975, df) × sd of change / sqrt(n)."
    ),
    "wilcoxon": (
        "Wilcoxon signed-rank test on the same changes, two-sided, as scipy.stats.wilcoxon with "
        "zero_method='pratt' (zero changes are ranked, then left out of the sums), normal approximation "
        "with tie and continuity correction (method='approx', correction=True; R's default). "
        "Changes equal to 9 decimals count as ties. Empty when every change is zero."
    ),
    "d_z": "d_z = mean change / sd of change (= t / sqrt(n)): the change in units of its own spread.",
    "d_av": (
        "d_av = mean change / sqrt((sd_pre² + sd_post²) / 2): the change in units of the average spread "
        "of the pre and post scores."
    ),
    "g_z": "g_z = d_z × (1 - 3 / (4 × (n - 1) - 1)): d_z with Hedges' small-sample correction.",
    "normalized_gain": (
        "Normalised gain = (post mean - pre mean) / (scale maximum - pre mean): the share of the room "
        "for improvement that was used. Empty when the pre mean is the scale maximum. "
        "Hake's bands: below 0.3 low, 0.3 to 0.7 medium, above 0.7 high."
    ),
    "pct_change_of_means": (
        "Percent change of the means = 100 × (post mean - pre mean) / pre mean. It depends on how the "
        "answers are coded: the same answers coded 1-5 or 0-4 give different percentages."
    ),
    "alpha": (
        "Cronbach's alpha = k / (k - 1) × (1 - sum of the item variances / variance of the sum of items), "
        "k items, over the participants who answered every item in that wave (listwise deletion)."
    ),
    "pct_improved": (
        "Percent of matched participants whose score went up / stayed the same / went down "
        "(changes equal to 9 decimals count as the same)."
    ),
    "pct_at_ceiling_pre": (
        "Percent of matched participants already at the scale maximum before: they cannot show improvement."
    ),
    "scale_score": (
        "A participant's scale score in a wave is the mean of the items they answered in that wave; "
        "if an answer was saved several times, the latest one counts."
    ),
    "matched": (
        "Matched participants answered both waves being compared (pre and post, or then and post); the "
        "others are left out of the paired figures and shown in the flow. Means and sd use ddof = 1."
    ),
    "then": (
        "'then' is the retrospective pre-test asked after the programme ('looking back, how was it "
        "before?'). The then block compares post with then; then - pre estimates the response shift "
        "(a changed yardstick), over participants who answered both."
    ),
    "late": (
        "An answer is late when given to a wave after a later wave had opened for the cohort (a 'before' "
        "answer after the programme, in a wave a facilitator reopened with a reason). Late answers are "
        "counted in the flow ('late': participants with one) and left out of every figure, so the answer "
        "given in time counts; with --include-late (late_included) the latest answer counts, late or not."
    ),
    "suppression": (
        "A group with fewer matched participants than the anonymity threshold shows counts only ('too few "
        "people'). When the figures of everyone are shown, the hidden groups together must hold no one or "
        "at least the threshold, and two figures of the same scores (for example the post score of those "
        "who answered pre and of those who answered 'then') must not differ by fewer than the threshold; "
        "otherwise more figures are hidden ('hidden so that a smaller group cannot be worked out'). "
        "Selections are whole cohorts whose figures are shown. The same rules apply to tables, charts and "
        "exports alike."
    ),
}


def _check_scale(scale_min: float, scale_max: float) -> None:
    if not (math.isfinite(scale_min) and math.isfinite(scale_max)) or scale_min >= scale_max:
        raise ValueError(f"scale minimum ({scale_min}) must be below the scale maximum ({scale_max})")


# --------------------------------------------------------------------------------------------------
# The full evaluation


def _flows(
    tables: ScoreTables,
    members: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    hidden_completers: Sequence[Hidden | None],
    hidden_noncompleters: Sequence[Hidden | None],
):
    """Flow counts per group plus the completers' / non-completers' mean pre score (None where hidden)."""
    has = ~np.isnan(tables.scale[:, members])
    g = groups
    matched = has[PRE] & has[POST]
    dropped = has[PRE] & ~has[POST]
    pre_scale = tables.scale[PRE, members]

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(g, weights=mask, minlength=n_groups).astype(np.int64)

    def group_mean(mask: np.ndarray, counts: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.bincount(g[mask], weights=pre_scale[mask], minlength=n_groups) / counts

    counts = {
        "participants": np.bincount(g, minlength=n_groups).astype(np.int64),
        "pre": count(has[PRE]),
        "post": count(has[POST]),
        "then": count(has[THEN]),
        "matched": count(matched),
        "pre_without_post": count(dropped),
        "late": count(tables.late[members]),
    }
    completers = group_mean(matched, counts["matched"])
    noncompleters = group_mean(dropped, counts["pre_without_post"])
    flows = []
    for i in range(n_groups):
        flow: dict[str, Any] = {key: int(counts[key][i]) for key in FLOW_COUNT_KEYS}
        flow["pre_mean_completers"] = None if hidden_completers[i] else _num(completers[i])
        flow["pre_mean_noncompleters"] = None if hidden_noncompleters[i] else _num(noncompleters[i])
        flows.append(flow)
    return flows


def _scale_block(
    tables: ScoreTables,
    first: int,
    second: int,
    members: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    *,
    scale_max: float,
) -> dict[str, np.ndarray]:
    a = tables.scale[first, members]
    b = tables.scale[second, members]
    both = ~np.isnan(a) & ~np.isnan(b)
    return _grouped_paired(a[both], b[both], groups[both], n_groups, scale_max=scale_max)


def measure_name(phase: str, measure: str) -> str:
    """A figure's name in a disclosure plan: the measure, prefixed by its phase unless that is 'pre'."""
    return measure if phase == "pre" else f"{phase}:{measure}"


def plan_figures(tables: ScoreTables, phase: str = "pre") -> list[Figure]:
    """Every figure :func:`evaluate_tables` publishes in ``phase``, with the people each rests on and
    the scores it reveals, most important first (what :func:`disclosure.build_plan` needs)."""
    base = WAVES.index(phase)
    has = ~np.isnan(tables.scale)
    single = len(tables.items) == 1  # then the scale score is the item's score

    def scale(wave: int) -> str:
        return f"scale@{WAVES[wave]}"

    def item(j: int, wave: int) -> str:
        return scale(wave) if single else f"item:{tables.items[j]}@{WAVES[wave]}"

    figures = [
        Figure(measure_name(phase, "scale"), frozenset({scale(base), scale(POST)}), has[base] & has[POST])
    ]
    for j, name in enumerate(tables.items):
        answered = ~np.isnan(tables.answers[base, :, j]) & ~np.isnan(tables.answers[POST, :, j])
        figures.append(
            Figure(measure_name(phase, f"item:{name}"), frozenset({item(j, base), item(j, POST)}), answered)
        )
    if phase == "pre":
        figures += [
            Figure("then", frozenset({scale(THEN), scale(POST)}), has[THEN] & has[POST]),
            Figure("shift", frozenset({scale(PRE), scale(THEN)}), has[PRE] & has[THEN]),
            Figure("three", frozenset({scale(PRE), scale(THEN), scale(POST)}), has.all(axis=0)),
        ]
    figures.append(
        Figure(measure_name(phase, "noncompleters"), frozenset({scale(base)}), has[base] & ~has[POST])
    )
    return figures


def scores_plan(
    tables: ScoreTables,
    threshold: int = DEFAULT_THRESHOLD,
    *,
    phases: Sequence[str] = ("pre",),
    extra: Sequence[Figure] = (),
    groups: Iterable[str] = (),
) -> DisclosurePlan:
    """The disclosure plan of a view that publishes the evaluation of ``tables`` (everyone) and of any
    union of its whole cohorts, in each of ``phases``, plus ``extra`` figures (e.g. reaction counts,
    whose cohorts, if not in the scores, come in ``groups``)."""
    figures: list[Figure] = []
    for phase in phases:
        figures += plan_figures(tables, phase)
    return build_plan(threshold, tables.cohorts, [*figures, *extra], groups=groups)


def evaluate_tables(
    tables: ScoreTables,
    *,
    scale_min: float = 1,
    scale_max: float = 5,
    threshold: int = DEFAULT_THRESHOLD,
    plan: DisclosurePlan | None = None,
    cohorts: Sequence[str] | None = None,
    phase: str = "pre",
) -> EvaluationResult:
    """The evaluation result (see :func:`run_evaluation`) from already pivoted tables.

    Without ``plan`` the tables are everyone and the plan is made from them. A view that offers
    selections passes the plan of all its data and, in ``cohorts``, the cohorts whose participants
    ``tables`` holds (None: everyone); see :func:`select_cohorts`. ``phase`` picks the baseline wave.
    """
    threshold = check_threshold(threshold)
    _check_scale(scale_min, scale_max)
    if plan is None:
        plan, cohorts = scores_plan(tables, threshold, phases=(phase,)), None
    elif plan.threshold != threshold:
        raise ValueError(f"the disclosure plan is for threshold {plan.threshold}, not {threshold}")
    tables = phase_tables(tables, phase)

    def decide(measure: str, n: int) -> Hidden | None:
        return plan.for_selection(measure_name(phase, measure), cohorts, n)

    n_p = len(tables.participants)
    everyone = np.arange(n_p)
    zeros = np.zeros(n_p, dtype=np.int64)

    has = ~np.isnan(tables.scale)
    scale_hidden = decide("scale", int((has[PRE] & has[POST]).sum()))
    noncompleters_hidden = decide("noncompleters", int((has[PRE] & ~has[POST]).sum()))
    flow = _flows(tables, everyone, zeros, 1, [scale_hidden], [noncompleters_hidden])[0]
    scale_stats = _stats_dict(
        _scale_block(tables, PRE, POST, everyone, zeros, 1, scale_max=scale_max), 0, scale_hidden
    )
    scale: dict[str, Any] = dict(scale_stats)
    for wave, name in ((PRE, "pre"), (POST, "post")):
        matrix = tables.answers[wave]
        answered_all = int((~np.isnan(matrix).any(axis=1)).sum()) if matrix.shape[1] else 0
        alpha_ok = scale_hidden is None and too_few(answered_all, threshold) is None
        scale[f"alpha_{name}"] = cronbach_alpha(matrix) if alpha_ok else None
        scale[f"alpha_{name}_n"] = answered_all

    if flow["then"] > 0:
        then_n = int((has[THEN] & has[POST]).sum())
        scale["then"] = _stats_dict(
            _scale_block(tables, THEN, POST, everyone, zeros, 1, scale_max=scale_max),
            0,
            decide("then", then_n),
        )
        shift_hidden = decide("shift", int((has[PRE] & has[THEN]).sum()))
        shift = _stats_dict(
            _scale_block(tables, PRE, THEN, everyone, zeros, 1, scale_max=scale_max), 0, shift_hidden
        )
        three = has.all(axis=0)
        n_three = int(three.sum())
        three_hidden = decide("three", n_three)
        three_ok = three_hidden is None
        scale["response_shift"] = mark(
            {
                "n": shift["n"],
                "pre_mean": shift["pre_mean"],
                "then_mean": shift["post_mean"],
                "mean_shift": shift["mean_change"],
                "sd": None if shift["suppressed"] else _shift_sd(tables),
                "ci95": shift["ci95"],
                "t": shift["t"],
                "df": shift["df"],
                "p": shift["p"],
                "three_waves": mark(
                    {
                        "n": n_three,
                        "pre_mean": _num(tables.scale[PRE, three].mean()) if three_ok else None,
                        "then_mean": _num(tables.scale[THEN, three].mean()) if three_ok else None,
                        "post_mean": _num(tables.scale[POST, three].mean()) if three_ok else None,
                    },
                    three_hidden,
                ),
            },
            shift_hidden,
            keep=("n", "three_waves"),
        )
    else:
        scale["then"] = None
        scale["response_shift"] = None

    items: dict[str, Any] = {}
    n_i = len(tables.items)
    if n_i:
        a, b = tables.answers[PRE], tables.answers[POST]
        both = ~np.isnan(a) & ~np.isnan(b)
        item_codes = np.broadcast_to(np.arange(n_i), a.shape)
        block = _grouped_paired(a[both], b[both], item_codes[both], n_i, scale_max=scale_max)
        hidden = [decide(f"item:{item}", int(n)) for item, n in zip(tables.items, block["n"], strict=True)]
        items = dict(zip(tables.items, _stats_dicts(block, hidden), strict=True))

    cohort_results: dict[str, Any] = {}
    with_cohort = np.flatnonzero(tables.cohorts != "") if n_p else everyone
    if len(with_cohort):
        codes, names = pd.factorize(pd.Series(tables.cohorts[with_cohort], dtype=object), sort=True)
        k = len(names)
        block = _scale_block(tables, PRE, POST, with_cohort, codes, k, scale_max=scale_max)

        def cell(measure: str, name: str, n: int) -> Hidden | None:
            return plan.for_selection(measure_name(phase, measure), [str(name)], n)

        sub = has[:, with_cohort]
        n_noncompleters = np.bincount(codes, weights=sub[PRE] & ~sub[POST], minlength=k)
        scale_cells = [cell("scale", name, int(block["n"][c])) for c, name in enumerate(names)]
        flows = _flows(
            tables,
            with_cohort,
            codes,
            k,
            scale_cells,
            [cell("noncompleters", name, int(n_noncompleters[c])) for c, name in enumerate(names)],
        )
        cohort_stats = _stats_dicts(block, scale_cells)
        cohort_results = {
            str(name): {"flow": flows[c], "scale": cohort_stats[c]} for c, name in enumerate(names)
        }

    return EvaluationResult.model_validate(
        {
            "threshold": threshold,
            "scale_min": _plain(scale_min),
            "scale_max": _plain(scale_max),
            "phase": phase,
            "late_included": bool(tables.late_included),
            "method": dict(METHOD),
            "flow": flow,
            "scale": scale,
            "items": items,
            "cohorts": cohort_results,
        }
    )


def _plain(x: float) -> int | float:
    return int(x) if float(x).is_integer() else float(x)


def _shift_sd(tables: ScoreTables) -> float | None:
    d = tables.scale[THEN] - tables.scale[PRE]
    d = d[~np.isnan(d)]
    return _num(d.std(ddof=1)) if len(d) > 1 else None


def run_evaluation(
    frame: pd.DataFrame,
    *,
    scale_min: float = 1,
    scale_max: float = 5,
    threshold: int = DEFAULT_THRESHOLD,
    item_order: Sequence[str] | None = None,
    include_late: bool = False,
) -> EvaluationResult:
    """Analyse a validated long scores frame (see :mod:`workbook.evaluation.result` for the shape).

    Repeated answers to the same (participant, wave, item) count once: the latest; answers marked
    late count only with ``include_late`` (see :func:`score_tables`).
    """
    check_threshold(threshold)
    _check_scale(scale_min, scale_max)
    tables = score_tables(frame, item_order=item_order, include_late=include_late)
    return evaluate_tables(tables, scale_min=scale_min, scale_max=scale_max, threshold=threshold)


# --------------------------------------------------------------------------------------------------
# Views used by charts, exports and the app


def paired_scale_scores(data: pd.DataFrame | ScoreTables) -> pd.DataFrame:
    """Per participant: cohort and scale score in each wave (NaN if not answered), for charts."""
    tables = data if isinstance(data, ScoreTables) else score_tables(data)
    return pd.DataFrame(
        {
            "participant": pd.Series(tables.participants, dtype="str"),
            "cohort": pd.Series(tables.cohorts, dtype="str"),
            "pre": tables.scale[PRE],
            "post": tables.scale[POST],
            "then": tables.scale[THEN],
        }
    )


def item_answer_distribution(
    data: pd.DataFrame | ScoreTables,
    *,
    scale_min: float = 1,
    scale_max: float = 5,
    threshold: int = DEFAULT_THRESHOLD,
    result: EvaluationResult | None = None,
) -> pd.DataFrame:
    """Answers per level, per item, at pre and post among the item's matched participants.

    Columns ``item, wave, level, count, n, suppressed, why_hidden``; counts of a hidden item are
    missing (individual answers of a small group are not shown). An item is hidden as in ``result``
    (the evaluation these bars belong to, items by id) or, without it, when it has too few people.
    Non-integer scores go to the nearest level.
    """
    threshold = check_threshold(threshold)
    _check_scale(scale_min, scale_max)
    tables = data if isinstance(data, ScoreTables) else score_tables(data)
    low, high = math.ceil(scale_min), math.floor(scale_max)
    levels = np.arange(low, high + 1)
    rows = []
    for j, item in enumerate(tables.items):
        a, b = tables.answers[PRE, :, j], tables.answers[POST, :, j]
        both = ~np.isnan(a) & ~np.isnan(b)
        n = int(both.sum())
        block = result.items.get(item) if result is not None else None
        if block is not None:
            why = block.hidden_text or ""
        else:
            hidden = too_few(n, threshold)
            why = "" if hidden is None else hidden.text
        suppressed = bool(why)
        for wave, values in (("pre", a[both]), ("post", b[both])):
            binned = np.clip(np.rint(values), low, high).astype(np.int64) - low
            counts = np.bincount(binned, minlength=len(levels))
            for k, level in enumerate(levels):
                rows.append(
                    {
                        "item": item,
                        "wave": wave,
                        "level": int(level),
                        "count": None if suppressed else int(counts[k]),
                        "n": n,
                        "suppressed": suppressed,
                        "why_hidden": why,
                    }
                )
    frame = pd.DataFrame(rows, columns=["item", "wave", "level", "count", "n", "suppressed", "why_hidden"])
    frame["count"] = frame["count"].astype("Int64")
    return frame
