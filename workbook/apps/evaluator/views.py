"""The HTML of the evaluator's figures, from the templates in ``templates/`` (autoescaped).

These functions only arrange figures computed by :mod:`workbook.evaluation`; the words of a summary row
come from :func:`workbook.evaluation.summary.summary_table`, as in the reports.
"""

from __future__ import annotations

from typing import Any

from workbook.apps.evaluator.templates import render
from workbook.evaluation.format import IN_WORDS, fmt, fmt_ci, hake_band, p_phrase
from workbook.evaluation.result import EvaluationResult, ScaleResult
from workbook.evaluation.summary import SummaryCells, then_lines

# (heading, SummaryCells field) of the page's summary table, in order.
SUMMARY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Group", "group"),
    ("Measure", "measure"),
    ("Comparison", "comparison"),
    ("n matched / any answer", "n"),
    ("Pre mean (sd)", "pre"),
    ("Post mean (sd)", "post"),
    ("Mean change", "change"),
    ("95% CI", "ci"),
    ("t", "t"),
    ("df", "df"),
    ("p", "p"),
    ("Wilcoxon p", "wilcoxon_p"),
    ("d_z", "d_z"),
    ("d_av", "d_av"),
    ("g_z", "g_z"),
    ("Normalised gain", "gain"),
    ("% improved / same / declined", "improved"),
    ("% at maximum before", "ceiling"),
    ("alpha pre / post", "alpha"),
)


def message_html(kind: str, text: str) -> str:
    """A status line: ``busy``, ``ready`` or ``problem``."""
    return render("message.html", kind=kind, text=text)


def refusal_html(message: str, *, headline: bool = False) -> str:
    """Why a selection is not shown at all (it would let a small group be worked out)."""
    return render("refusal.html", message=message, wrap=headline)


def protection_html(threshold: int) -> str:
    """The page's explanation of what is protected and how."""
    return render("protection.html", threshold=threshold)


def _meanings(scale: ScaleResult, method: dict[str, str]) -> list[dict[str, str]]:
    return [
        {
            "key": "pct",
            "title": "1. Percent change of the mean score",
            "value": f"{fmt(scale.pct_change_of_means, 1, signed=True)}%",
            "detail": f"Mean {fmt(scale.pre_mean)} before, {fmt(scale.post_mean)} after.",
            "definition": IN_WORDS["pct_change_of_means"],
            "method": method["pct_change_of_means"],
        },
        {
            "key": "improved",
            "title": "2. Managers who improved",
            "value": f"{fmt(scale.pct_improved, 0)}%",
            "detail": f"{fmt(scale.pct_same, 0)}% stayed the same, {fmt(scale.pct_declined, 0)}% "
            f"declined (n = {scale.n}).",
            "definition": IN_WORDS["pct_improved"],
            "method": method["pct_improved"],
        },
        {
            "key": "gain",
            "title": "3. Normalised gain",
            "value": fmt(scale.normalized_gain),
            "detail": (hake_band(scale.normalized_gain) or "Undefined: the pre mean is the scale maximum.")
            + ".",
            "definition": IN_WORDS["normalized_gain"],
            "method": method["normalized_gain"],
        },
    ]


def _explained(key: str, method: dict[str, str]) -> tuple[str, str]:
    """A figure's meaning in words and its exact method (shown under "Method")."""
    return IN_WORDS[key], method[key]


def _stat_rows(result: EvaluationResult, method: dict[str, str]) -> list[tuple[str, str, str, str]]:
    scale, flow = result.scale, result.flow
    rows = [
        ("n matched / participants", f"{scale.n} / {flow.participants}", *_explained("matched", method)),
        (
            "Mean change (post − pre), 95% CI",
            f"{fmt(scale.mean_change, signed=True)} ({fmt_ci(scale.ci95)})",
            *_explained("scale_score", method),
        ),
        (
            "Paired t-test",
            f"t({fmt(scale.df)}) = {fmt(scale.t)}, {p_phrase(scale.p)}",
            *_explained("t", method),
        ),
        ("Wilcoxon signed-rank test", p_phrase(scale.wilcoxon_p), *_explained("wilcoxon", method)),
        ("d_z", fmt(scale.d_z), *_explained("d_z", method)),
        ("d_av", fmt(scale.d_av), *_explained("d_av", method)),
        ("g_z", fmt(scale.g_z), *_explained("g_z", method)),
        (
            "At the scale maximum before",
            f"{fmt(scale.pct_at_ceiling_pre, 0)}%",
            *_explained("pct_at_ceiling_pre", method),
        ),
        (
            "Cronbach's alpha, pre / post",
            f"{fmt(scale.alpha_pre)} (n = {scale.alpha_pre_n}) / "
            f"{fmt(scale.alpha_post)} (n = {scale.alpha_post_n})",
            *_explained("alpha", method),
        ),
    ]
    return rows + _then_rows(result, method)


def _then_rows(result: EvaluationResult, method: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """Each 'then' figure with its own decision and group (shown even when the pre/post ones are not)."""
    return [(line.label, line.value, *_explained("then", method)) for line in then_lines(result)]


def headline_html(result: EvaluationResult, method: dict[str, str], *, invited: int | None) -> str:
    """The three meanings of "an increase" side by side, then the paired statistics, each named."""
    scale, flow = result.scale, result.flow
    counts = f"{flow.matched} matched (answered before and after) of {flow.participants} who answered" + (
        f", {invited} in the chosen cohorts" if invited is not None else ""
    )
    if flow.late:
        counts += f"; {flow.late} answered a wave late (after a later wave had opened): " + (
            "those answers count" if result.late_included else "those answers are left out"
        )
    suppressed = bool(scale.suppressed)
    return render(
        "headline.html",
        counts=counts,
        scale_min=fmt(result.scale_min),
        scale_max=fmt(result.scale_max),
        then_phase=result.phase == "then",
        suppressed=suppressed,
        why=scale.hidden_text,
        meanings=[] if suppressed else _meanings(scale, method),
        rows=_then_rows(result, method) if suppressed else _stat_rows(result, method),
    )


def summary_html(rows: list[SummaryCells], threshold: int) -> str:
    """The summary rows (one per scale, item and cohort) as an HTML table."""
    return render("summary.html", columns=SUMMARY_COLUMNS, rows=rows, threshold=threshold)


def reaction_html(reaction: dict[str, Any], wording: dict[str, str]) -> str:
    """The reaction ratings per question: n, mean and the count of each rating; never a comment."""
    rows = [
        {
            "label": wording.get(key, key),
            "n": block["n"],
            "suppressed": bool(block["suppressed"]),
            "why": block.get("hidden_text"),
            "mean": fmt(block.get("mean")),
            "counts": [block["counts"][level] for level in sorted(block.get("counts") or {})],
        }
        for key, block in reaction["questions"].items()
    ]
    return render("reaction.html", rows=rows if reaction["respondents"] else [])


def behaviour_html(behaviour: dict[str, Any]) -> str:
    """The conversation counts of the chosen cohorts, or why they are hidden, with what each count means."""
    from workbook.manager.behaviour import DEFINITIONS

    return render(
        "behaviour.html",
        conversations=behaviour["conversations"],
        suppressed=bool(behaviour["suppressed"]),
        managers=behaviour["managers_with_conversation"],
        why=behaviour.get("hidden_text"),
        rows=[
            ("Managers who logged at least one conversation", behaviour["managers_with_conversation"]),
            ("Conversations held", behaviour["conversations"]),
            ("Development plans started", behaviour["idps_started"]),
            ("Follow-ups planned", behaviour["follow_ups_planned"]),
        ],
        definitions=[
            ("Conversations held", DEFINITIONS["conversations"]),
            ("Development plans started", DEFINITIONS["idps_started"]),
            ("Follow-ups planned", DEFINITIONS["follow_ups_planned"]),
        ],
    )
