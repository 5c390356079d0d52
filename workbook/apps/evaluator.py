"""The evaluator's app: before-and-after analysis of the comfort and skill check, with every figure
defined, filters by cohort and date, charts and downloads.

What the page may show: aggregated figures only, and nothing for a group under the anonymity
threshold (the statistics suppress it after every filter); no names, no free text. It needs no
per-person code, but it is not open to participants: the visitor must give the evaluator key
(``WORKBOOK_EVALUATOR_KEY``) as ``?key=`` in the URL or on the page, and nothing is read from the
store before the key checks out.

Data flow one way: store -> long scores frame (pseudonymous ids) -> ``filter_scores`` ->
``score_tables`` / ``evaluate_tables`` -> charts and reports of ``workbook.evaluation``. This module
formats their results; it computes no statistic itself.

Inside a kernel (Voila), the slow steps (loading pandas, scipy and matplotlib, the statistics, the
charts, the downloads) run on one worker thread, and their results are put into the widgets on the
kernel's event loop: the page appears while the figures are being prepared, and a filter change shows
"Updating…" until the new figures are in. Without a running event loop (plain Python, the tests)
everything runs at once.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hmac
import io
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from workbook import config
from workbook.apps.common import app_style, css, esc, query_param
from workbook.server import page

KEY_ENV = "WORKBOOK_EVALUATOR_KEY"
MIN_KEY_LENGTH = 16
CHART_DPI = 100
NO_COHORT = ""  # the cohort value of participants who are in none
NO_COHORT_LABEL = "(no cohort)"
FILTER_DELAY_S = 0.3  # a burst of filter changes (clicks in the cohort list) recomputes once
HEADLINE_FIRST_S = 3.0  # on opening, the charts wait (at most this long) until the headline is on screen
APP_TITLE = "Programme evaluation"
WIDE_CHARTS = ("items", "answers")  # long item labels: these take the page's full width
WIDE_INCHES = 10.5
LEVEL_CHARTS = ("reaction", "behaviour")  # shown in their own section, next to their tables
DASH = "—"

# The charts in page order: (title, short description of what is drawn).
CHARTS: dict[str, str] = {
    "flow": "Who answered at each stage",
    "slope": "Each participant's scale score before and after",
    "items": "Item means before and after",
    "answers": "Answers per item before and after",
    "change": "How the individual changes are spread",
    "baseline": "Change against the starting score",
    "cohorts": "Mean change by cohort with 95% confidence interval",
    "response_shift": "Pre, retrospective 'then' and post",
    "reaction": "Reaction to the programme (ratings 1 to 5)",
    "behaviour": "Career conversations logged by the managers",
}

EVALUATOR_STYLE = """
<style>
.wb-evaluator { max-width: 1240px; }
.wb-evaluator .widget-html, .wb-evaluator .widget-html-content { max-width: 100%; }
.wb-eval-headline, .wb-eval-summary, .wb-eval-scroll { box-sizing: border-box; }
.wb-eval-wide { grid-column: 1 / -1; }
.wb-eval-section { min-width: 0; }
.wb-eval-banner { background: #F0E442; color: #000; padding: 6px 12px; font-weight: 600;
  border-radius: 4px; display: inline-block; margin: 4px 0; }
.wb-eval-filters { border: 1px solid #ddd; border-radius: 6px; padding: 8px 12px; margin: 6px 0 10px;
  background: #fafafa; align-items: flex-start; gap: 16px; }
.wb-eval-status { min-height: 1.6em; }
.wb-eval-busy { display: inline-block; padding: 4px 10px; border-radius: 4px; background: #fff6d6;
  color: #5c4400; font-weight: 600; }
.wb-eval-busy::before { content: ""; display: inline-block; width: 10px; height: 10px; margin-right: 6px;
  border: 2px solid #5c4400; border-right-color: transparent; border-radius: 50%;
  animation: wb-spin 0.8s linear infinite; vertical-align: -1px; }
@keyframes wb-spin { to { transform: rotate(360deg); } }
.wb-eval-ready { display: inline-block; padding: 4px 10px; border-radius: 4px; background: #e6f2ea;
  color: #0b5a2a; }
.wb-eval-meanings { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 12px;
  margin: 8px 0 12px; }
.wb-eval-meaning { border: 1px solid #bbb; border-radius: 6px; padding: 10px 12px; background: #fff; }
.wb-eval-meaning-title { font-weight: 600; }
.wb-eval-value { font-size: 2em; font-weight: 700; color: #0072B2; line-height: 1.3; }
.wb-eval-formula { font-size: 0.85em; color: #333; margin-top: 6px; }
.wb-eval-formula code { font-size: 0.95em; }
.wb-eval-stats, .wb-eval-table { border-collapse: collapse; font-size: 0.88em; margin: 6px 0 12px; }
.wb-eval-stats td, .wb-eval-stats th, .wb-eval-table td, .wb-eval-table th { border: 1px solid #ccc;
  padding: 3px 6px; vertical-align: top; line-height: 1.35; }
.wb-eval-table { font-size: 0.84em; }
.wb-eval-table thead th { vertical-align: bottom; }
.wb-eval-table td.wb-text { min-width: 7em; }
.wb-eval-table td.wb-measure { min-width: 15em; }
.wb-eval-stats th, .wb-eval-table th { background: #f2f2f2; text-align: left; }
.wb-eval-table td { text-align: right; white-space: nowrap; }
.wb-eval-table td.wb-text { text-align: left; white-space: normal; }
.wb-eval-table tr.wb-suppressed td { color: #555; background: #f7f7f7; }
.wb-eval-stats td.wb-def { color: #444; font-size: 0.92em; max-width: 640px; }
.wb-eval-scroll { overflow-x: auto; max-width: 100%; }
.wb-eval-hidden { color: #5c4400; background: #fff6d6; padding: 2px 6px; border-radius: 3px; }
.wb-eval-chart { border: 1px solid #e3e3e3; border-radius: 6px; padding: 6px 8px; background: #fff; }
.wb-eval-chart h4 { margin: 2px 0 4px; }
.wb-eval-chart img { width: 100%; height: auto; }
.wb-eval-caption { font-size: 0.85em; color: #444; }
.wb-eval-downloads a { margin-right: 4px; }
.wb-eval-downloads li { margin: 3px 0; }
</style>
"""


# --------------------------------------------------------------------------------------------------
# The evaluator key


def configured_key() -> str | None:
    """The evaluator key from the environment, or None when it is unset or empty."""
    return config.evaluator_key()


def key_matches(given: object, expected: str) -> bool:
    """Constant-time comparison of a key from the page with the configured one."""
    if not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(given.strip().encode("utf-8"), expected.encode("utf-8"))


def query_key() -> str | None:
    """The ``key`` parameter of the page's URL (Voila passes the query string to the kernel)."""
    return query_param("key")


# --------------------------------------------------------------------------------------------------
# Running slow work off the event loop


class Runner:
    """Runs jobs on one worker thread when the kernel's event loop runs, and at once otherwise.

    Jobs never touch widgets: they hand their results to :meth:`post`, which runs the update on the
    event loop, where widget changes are safe.
    """

    def __init__(self, *, background: bool | None = None) -> None:
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if background is False:
            loop = None
        self.loop = loop
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="wb-evaluator") if loop else None
        self._thread = threading.get_ident()

    @property
    def background(self) -> bool:
        return self._pool is not None

    def submit(
        self, job: Callable[[], None], on_error: Callable[[BaseException], None], *, now: bool = False
    ) -> None:
        """Run ``job`` on the worker thread, or at once without one or when ``now`` is set."""
        if self._pool is None or now:
            try:
                job()
            except Exception as exc:
                on_error(exc)
            return

        def finished(future: Future) -> None:
            exc = future.exception()
            if exc is not None:
                self.post(on_error, exc)

        self._pool.submit(job).add_done_callback(finished)

    def post(self, update: Callable[..., None], *args: Any) -> None:
        """Run a widget update on the event loop's thread (at once when already there)."""
        if self.loop is None or threading.get_ident() == self._thread:
            update(*args)
        else:
            self.loop.call_soon_threadsafe(update, *args)

    def later(self, delay: float, callback: Callable[[], None]) -> asyncio.TimerHandle | None:
        """Call back after ``delay`` seconds on the loop; at once (returning None) without one."""
        if self.loop is None:
            callback()
            return None
        return self.loop.call_later(delay, callback)


# --------------------------------------------------------------------------------------------------
# Formatting (of figures computed elsewhere)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def fmt(value: Any, digits: int = 2, *, signed: bool = False) -> str:
    if _missing(value):
        return DASH
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:+d}" if signed else str(value)
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def fmt_p(value: Any) -> str:
    if _missing(value):
        return DASH
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def _p_phrase(value: Any) -> str:
    text = fmt_p(value)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def fmt_ci(ci: Any) -> str:
    if not ci or _missing(ci[0]) or _missing(ci[1]):
        return DASH
    return f"{ci[0]:+.2f} to {ci[1]:+.2f}"


def hake_band(gain: Any) -> str:
    if _missing(gain):
        return ""
    if gain < 0.3:
        return "low on Hake's bands (below 0.3)"
    if gain <= 0.7:
        return "medium on Hake's bands (0.3 to 0.7)"
    return "high on Hake's bands (above 0.7)"


def hidden_note(threshold: int, n: int, what: str = "matched participants") -> str:
    return f'<span class="wb-eval-hidden">fewer than {threshold} {esc(what)} (n = {n}): hidden</span>'


def withheld_note(left_out: int, threshold: int, what: str = "matched participants") -> str:
    """Why a selection's figures are hidden although the selection itself is large enough."""
    return (
        f'<p class="wb-eval-withheld" role="note"><span class="wb-eval-hidden">Hidden for this selection: it '
        f"leaves out {left_out} {esc(what)}, fewer than {threshold}.</span> The figures for everyone are "
        "shown when no filter is set, so the difference between the two would describe those few people. "
        f"Choose a selection that leaves out none of them or at least {threshold}.</p>"
    )


def with_item_labels(result: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    """A copy of the result whose items are named by their short labels (for charts and reports).

    Labels are used only if they are unique; otherwise the item ids stay.
    """
    if len(set(labels.values())) != len(labels):
        return result
    shown = dict(result)
    shown["items"] = {labels.get(item, item): block for item, block in result["items"].items()}
    return shown


# --------------------------------------------------------------------------------------------------
# HTML of the figures (every string from the data goes through esc)


def headline_html(
    result: dict[str, Any],
    method: dict[str, str],
    *,
    invited: int | None,
    withheld: int | None = None,
    threshold: int | None = None,
) -> str:
    """The three meanings of "an increase" side by side, then the paired statistics, each named.

    ``withheld``: the number of matched participants the filter leaves out, when their figures would
    follow by difference; the figures are then replaced by a note (with the anonymity ``threshold``).
    """
    threshold = threshold or result["threshold"]
    scale, flow = result["scale"], result["flow"]
    counts = (
        f"{flow['matched']} matched (answered before and after) of {flow['participants']} who answered"
        + (f", {invited} in the chosen cohorts" if invited is not None else "")
    )
    parts = [
        '<h3 class="wb-eval-headline-title">"An increase": three different numbers</h3>',
        f'<p class="wb-eval-counts">Participants: {esc(counts)}. Scale {fmt(result["scale_min"])} to '
        f"{fmt(result['scale_max'])}.</p>",
    ]
    if withheld:
        parts.append(withheld_note(withheld, threshold))
        return '<div class="wb-eval-headline">' + "".join(parts) + "</div>"
    if scale["suppressed"]:
        parts.append(
            f'<p class="wb-eval-suppressed" role="note">{hidden_note(threshold, scale["n"])}. Groups '
            f"with fewer than {threshold} matched participants show counts only, so no figures are "
            "shown for this selection.</p>"
        )
        return '<div class="wb-eval-headline">' + "".join(parts) + "</div>"

    meanings = [
        (
            "pct",
            "1. Percent change of the mean score",
            f"{fmt(scale['pct_change_of_means'], 1, signed=True)}%",
            f"Mean {fmt(scale['pre_mean'])} before, {fmt(scale['post_mean'])} after.",
            method["pct_change_of_means"],
        ),
        (
            "improved",
            "2. Managers who improved",
            f"{fmt(scale['pct_improved'], 0)}%",
            f"{fmt(scale['pct_same'], 0)}% stayed the same, {fmt(scale['pct_declined'], 0)}% declined "
            f"(n = {scale['n']}).",
            method["pct_improved"],
        ),
        (
            "gain",
            "3. Normalised gain",
            fmt(scale["normalized_gain"]),
            (hake_band(scale["normalized_gain"]) or "Undefined: the pre mean is the scale maximum.") + ".",
            method["normalized_gain"],
        ),
    ]
    cards = "".join(
        f'<div class="wb-eval-meaning wb-eval-meaning-{key}"><div class="wb-eval-meaning-title">{esc(title)}'
        f'</div><div class="wb-eval-value">{esc(value)}</div><div>{esc(detail)}</div>'
        f'<div class="wb-eval-formula">{esc(definition)}</div></div>'
        for key, title, value, detail, definition in meanings
    )
    parts.append(f'<div class="wb-eval-meanings">{cards}</div>')

    rows = [
        ("n matched / participants", f"{scale['n']} / {flow['participants']}", method["matched"]),
        (
            "Mean change (post − pre), 95% CI",
            f"{fmt(scale['mean_change'], signed=True)} ({fmt_ci(scale['ci95'])})",
            method["scale_score"],
        ),
        (
            "Paired t-test",
            f"t({fmt(scale['df'])}) = {fmt(scale['t'])}, {_p_phrase(scale['p'])}",
            method["t"],
        ),
        ("Wilcoxon signed-rank test", _p_phrase(scale["wilcoxon_p"]), method["wilcoxon"]),
        ("d_z", fmt(scale["d_z"]), method["d_z"]),
        ("d_av", fmt(scale["d_av"]), method["d_av"]),
        ("g_z", fmt(scale["g_z"]), method["g_z"]),
        (
            "At the scale maximum before",
            f"{fmt(scale['pct_at_ceiling_pre'], 0)}%",
            method["pct_at_ceiling_pre"],
        ),
        (
            "Cronbach's alpha, pre / post",
            f"{fmt(scale.get('alpha_pre'))} (n = {scale.get('alpha_pre_n')}) / "
            f"{fmt(scale.get('alpha_post'))} (n = {scale.get('alpha_post_n')})",
            method["alpha"],
        ),
    ]
    then, shift = scale.get("then"), scale.get("response_shift")
    if then is not None and shift is not None:
        if then["suppressed"] or shift["suppressed"]:
            value = f"fewer than {threshold} with a 'then' answer (n = {then['n']}): hidden"
        else:
            value = (
                f"post − then {fmt(then['mean_change'], signed=True)} (n = {then['n']}); then − pre "
                f"{fmt(shift['mean_shift'], signed=True)} ({fmt_ci(shift['ci95'])}, n = {shift['n']})"
            )
        rows.append(("Response shift", value, method["then"]))
    body = "".join(
        f'<tr><th scope="row">{esc(name)}</th><td class="wb-eval-stat">{esc(value)}</td>'
        f'<td class="wb-def">{esc(definition)}</td></tr>'
        for name, value, definition in rows
    )
    parts.append(
        '<table class="wb-eval-stats"><thead><tr><th>Figure</th><th>Value</th><th>How it is computed'
        f"</th></tr></thead><tbody>{body}</tbody></table>"
    )
    return '<div class="wb-eval-headline">' + "".join(parts) + "</div>"


SUMMARY_HEADINGS = (
    "Group",
    "Measure",
    "Comparison",
    "n matched / any answer",
    "Pre mean (sd)",
    "Post mean (sd)",
    "Mean change",
    "95% CI",
    "t",
    "df",
    "p",
    "Wilcoxon p",
    "d_z",
    "d_av",
    "g_z",
    "Normalised gain",
    "% improved / same / declined",
    "% at maximum before",
    "alpha pre / post",
)


def summary_html(summary: Any, threshold: int) -> str:
    """The summary frame (one row per scale, item and cohort) as an HTML table."""
    head = "".join(
        f'<th class="wb-text">{esc(h)}</th>' if i < 3 else f"<th>{esc(h)}</th>"
        for i, h in enumerate(SUMMARY_HEADINGS)
    )
    rows = []
    for row in summary.to_dict("records"):
        group = row["cohort"] if row["scope"] == "cohort" else "All participants"
        n = f"{int(row['n'])} / {int(row['participants'])}"
        cells = [
            f'<td class="wb-text">{esc(group)}</td>',
            f'<td class="wb-text wb-measure">{esc(row["measure"])}</td>',
            f'<td class="wb-text">{esc(row["comparison"])}</td>',
            f"<td>{esc(n)}</td>",
        ]
        if row["suppressed"]:
            cells.append(
                f'<td class="wb-text" colspan="{len(SUMMARY_HEADINGS) - 4}">'
                f"{hidden_note(threshold, int(row['n']))}</td>"
            )
            rows.append(f'<tr class="wb-suppressed">{"".join(cells)}</tr>')
            continue
        df = row["df"]
        values = [
            f"{fmt(row['pre_mean'])} ({fmt(row['pre_sd'])})",
            f"{fmt(row['post_mean'])} ({fmt(row['post_sd'])})",
            fmt(row["mean_change"], signed=True),
            fmt_ci((row["ci95_low"], row["ci95_high"])),
            fmt(row["t"]),
            DASH if df is None or df != df or str(df) == "<NA>" else str(int(df)),
            fmt_p(row["p"]),
            fmt_p(row["wilcoxon_p"]),
            fmt(row["d_z"]),
            fmt(row["d_av"]),
            fmt(row["g_z"]),
            fmt(row["normalized_gain"]),
            " / ".join(fmt(row[k], 0) for k in ("pct_improved", "pct_same", "pct_declined")),
            fmt(row["pct_at_ceiling_pre"], 0),
            ""
            if _missing(row["alpha_pre"]) and _missing(row["alpha_post"])
            else f"{fmt(row['alpha_pre'])} / {fmt(row['alpha_post'])}",
        ]
        cells += [f"<td>{esc(v)}</td>" for v in values]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        '<div class="wb-eval-scroll"><table class="wb-eval-table"><thead><tr>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        f'<p class="wb-muted">Empty cells are figures that are undefined for these data. A row under the '
        f"anonymity threshold ({threshold}) shows its counts only.</p>"
    )


def reaction_html(reaction: dict[str, Any], wording: dict[str, str]) -> str:
    threshold = reaction["threshold"]
    if reaction["respondents"] == 0:
        return '<p class="wb-muted">No reaction ratings in this selection.</p>'
    if reaction.get("withheld"):
        return withheld_note(reaction["withheld"], threshold, "managers who rated the programme")
    rows = []
    for key, block in reaction["questions"].items():
        label = esc(wording.get(key, key))
        if block["suppressed"]:
            rows.append(
                f'<tr class="wb-suppressed"><td class="wb-text">{label}</td><td>{block["n"]}</td>'
                f'<td class="wb-text" colspan="6">{hidden_note(threshold, block["n"], "ratings")}</td></tr>'
            )
            continue
        counts = "".join(f"<td>{block['counts'][level]}</td>" for level in sorted(block["counts"]))
        rows.append(
            f'<tr><td class="wb-text">{label}</td><td>{block["n"]}</td><td>{esc(fmt(block["mean"]))}</td>'
            f"{counts}</tr>"
        )
    return (
        '<div class="wb-eval-scroll"><table class="wb-eval-table wb-eval-reaction-table"><thead><tr>'
        '<th class="wb-text">Question</th><th>n</th><th>Mean</th><th>1</th><th>2</th><th>3</th><th>4</th>'
        f"<th>5</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        '<p class="wb-muted">The latest rating of each manager counts; comments are never shown here.</p>'
    )


def behaviour_html(behaviour: dict[str, Any]) -> str:
    threshold, managers = behaviour["threshold"], behaviour["managers_with_conversation"]
    if behaviour["conversations"] == 0:
        return '<p class="wb-muted">No career conversations logged in the chosen cohorts.</p>'
    if behaviour.get("withheld"):
        return withheld_note(behaviour["withheld"], threshold, "managers with a logged conversation")
    if behaviour["suppressed"]:
        return (
            f"<p>Managers who logged a conversation: {managers}; "
            f"{hidden_note(threshold, managers, 'managers with a logged conversation')}.</p>"
        )
    rows = [
        ("Managers who logged at least one conversation", managers),
        ("Conversations held", behaviour["conversations"]),
        ("Development plans started", behaviour["idps_started"]),
        ("Follow-ups planned", behaviour["follow_ups_planned"]),
    ]
    body = "".join(f'<tr><td class="wb-text">{esc(k)}</td><td>{v}</td></tr>' for k, v in rows)
    return (
        f'<table class="wb-eval-table wb-eval-behaviour-table"><tbody>{body}</tbody></table>'
        '<p class="wb-muted">Counts of the chosen cohorts over all dates (the log has no date filter).</p>'
    )


def chart_description(name: str, shown: dict[str, Any], extra: dict[str, Any]) -> str:
    """A text equivalent of each chart (its alt text), from the same aggregated figures."""
    threshold, scale, flow = shown["threshold"], shown["scale"], shown["flow"]
    hidden = f"Hidden: fewer than {threshold} matched participants (n = {scale['n']})."
    if name == "flow":
        invited = extra.get("invited")
        lead = f"{invited} in the chosen cohorts, " if invited is not None else ""
        return (
            f"Bar chart of counts: {lead}{flow['participants']} with any answer, {flow['pre']} answered pre, "
            f"{flow['post']} answered post, {flow['then']} answered then, {flow['matched']} matched."
        )
    if name in ("slope", "change", "baseline") and scale["suppressed"]:
        return hidden
    if name == "slope":
        return (
            f"One line per matched participant (n = {scale['n']}) from the pre to the post score: "
            f"{fmt(scale['pct_improved'], 0)}% up, {fmt(scale['pct_same'], 0)}% the same, "
            f"{fmt(scale['pct_declined'], 0)}% down; the mean moved from {fmt(scale['pre_mean'])} to "
            f"{fmt(scale['post_mean'])}."
        )
    if name == "change":
        return (
            f"Histogram of the individual changes (post − pre) of {scale['n']} matched participants; "
            f"mean change {fmt(scale['mean_change'], signed=True)}."
        )
    if name == "baseline":
        return (
            f"Scatter of each matched participant's change against their pre score (n = {scale['n']}), "
            f"with the largest possible gain and loss; {fmt(scale['pct_at_ceiling_pre'], 0)}% started "
            "at the maximum."
        )
    if name == "items":
        parts = [
            f"{item}: hidden (n = {block['n']})"
            if block["suppressed"]
            else f"{item}: {fmt(block['pre_mean'])} to {fmt(block['post_mean'])}"
            for item, block in shown["items"].items()
        ]
        return "Pre and post mean of each item. " + "; ".join(parts) + "."
    if name == "answers":
        return (
            "Share of answers at each level of the scale, pre and post, for each item; items with "
            f"fewer than {threshold} matched participants are hidden."
        )
    if name == "cohorts":
        groups = [("All participants", scale)] + [(k, v["scale"]) for k, v in shown["cohorts"].items()]
        parts = [
            f"{group}: hidden (n = {block['n']})"
            if block["suppressed"]
            else f"{group}: {fmt(block['mean_change'], signed=True)} ({fmt_ci(block['ci95'])})"
            for group, block in groups
        ]
        return "Mean change with its 95% CI. " + "; ".join(parts) + "."
    if name == "response_shift":
        shift = scale.get("response_shift")
        if not shift:
            return "No retrospective 'then' answers."
        three = shift["three_waves"]
        if three["suppressed"]:
            return f"Hidden: fewer than {threshold} participants with all three waves (n = {three['n']})."
        return (
            f"Mean scale score of the {three['n']} participants with all three waves: pre "
            f"{fmt(three['pre_mean'])}, then {fmt(three['then_mean'])}, post {fmt(three['post_mean'])}."
        )
    if name == "reaction":
        reaction = extra["reaction"]
        parts = [
            f"{reaction_label(key)}: hidden (n = {b['n']})"
            if b["suppressed"]
            else f"{reaction_label(key)}: mean {fmt(b['mean'])} (n = {b['n']})"
            for key, b in reaction["questions"].items()
        ]
        return "Share of ratings 1 to 5 for each reaction question. " + "; ".join(parts) + "."
    if name == "behaviour":
        behaviour = extra["behaviour"]
        if behaviour["suppressed"]:
            return (
                f"Hidden: fewer than {threshold} managers with a logged conversation "
                f"(n = {behaviour['managers_with_conversation']})."
            )
        return (
            f"Counts: {behaviour['conversations']} conversations by "
            f"{behaviour['managers_with_conversation']} managers, "
            f"{behaviour['idps_started']} development plans started, "
            f"{behaviour['follow_ups_planned']} follow-ups planned."
        )
    return CHARTS.get(name, name)


# --------------------------------------------------------------------------------------------------
# The two charts the evaluation module does not draw (reaction, behaviour)


def reaction_label(question: str) -> str:
    """A short name of a reaction question for charts ("confidence_to_apply" -> "Confidence to apply")."""
    return question.replace("_", " ").capitalize()


def reaction_chart(reaction: dict[str, Any]):
    """Stacked shares of the ratings 1-5 per question, the mean at the end; suppressed ones say so."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import LinearSegmentedColormap
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from workbook.evaluation.charts import OKABE_ITO, label

    questions = list(reaction["questions"].items())
    fig = Figure(figsize=(7.0, 1.6 + 0.55 * len(questions)), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    cmap = LinearSegmentedColormap.from_list(
        "okabe_ito_diverging",
        [OKABE_ITO["vermillion"], OKABE_ITO["orange"], "#DDDDDD", OKABE_ITO["sky_blue"], OKABE_ITO["blue"]],
    )
    colours = [cmap(x) for x in np.linspace(0, 1, 5)]
    y = np.arange(len(questions))[::-1]
    for yi, (_key, block) in zip(y, questions, strict=True):
        if block["suppressed"]:
            ax.text(
                1, yi, f"suppressed (n = {block['n']} < {reaction['threshold']})", va="center", fontsize=8
            )
            continue
        left = 0.0
        for k, level in enumerate(sorted(block["counts"])):
            share = 100 * block["counts"][level] / block["n"]
            ax.barh(yi, share, left=left, color=colours[k], edgecolor="white", height=0.6)
            left += share
        ax.text(101, yi, f"mean {block['mean']:.2f}", va="center", fontsize=8)
    ax.set_yticks(y, [f"{label(reaction_label(k))} (n = {b['n']})" for k, b in questions], fontsize=9)
    ax.set_xlim(0, 118)
    ax.set_xlabel("Percent of the ratings")
    ax.set_ylabel("Question")
    ax.set_title(f"Reaction to the programme (n = {reaction['respondents']} managers)")
    ax.legend(
        handles=[Line2D([], [], color=colours[k], lw=8, label=str(k + 1)) for k in range(5)],
        title="Rating",
        ncols=5,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.18),
        frameon=False,
        fontsize=8,
    )
    return fig


def behaviour_chart(behaviour: dict[str, Any]):
    """Counts of the conversation log (Kirkpatrick level 3); a message when the group is too small."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from workbook.evaluation.charts import OKABE_ITO

    fig = Figure(figsize=(7.0, 4.0), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    managers = behaviour["managers_with_conversation"]
    title = "Career conversations logged"
    if behaviour["suppressed"]:
        ax.set_title(f"{title} (n = {managers} managers)")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.text(
            0.5,
            0.5,
            f"Suppressed: fewer than {behaviour['threshold']} managers with a logged conversation "
            f"(n = {managers}).",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
        return fig
    names = [
        "Managers with a\nconversation",
        "Conversations",
        "Development\nplans started",
        "Follow-ups\nplanned",
    ]
    values = [
        managers,
        behaviour["conversations"],
        behaviour["idps_started"],
        behaviour["follow_ups_planned"],
    ]
    bars = ax.bar(
        names, values, color=[OKABE_ITO["grey"], OKABE_ITO["blue"], OKABE_ITO["green"], OKABE_ITO["orange"]]
    )
    ax.bar_label(bars, labels=[str(v) for v in values], padding=2)
    ax.set_xlabel("What was logged")
    ax.set_ylabel("Count")
    ax.set_title(f"{title} (n = {managers} managers)")
    ax.margins(y=0.15)
    return fig


# --------------------------------------------------------------------------------------------------
# PDF of the report


def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def render_pdf_report(
    shown: dict[str, Any],
    summary: Any,
    pngs: dict[str, bytes],
    *,
    title: str,
    selection: str,
    synthetic: bool,
    generated: dt.datetime | None = None,
) -> bytes:
    """A landscape A4 PDF: the headline figures, the summary table and every chart (fpdf2)."""
    from fpdf import FPDF, FontFace, XPos, YPos

    fonts = _font_dir()
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
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
    threshold, scale, flow = shown["threshold"], shown["scale"], shown["flow"]
    pdf.add_page()
    text(title, 16, "B", 8)
    if synthetic:
        text("Synthetic demo data: these figures describe invented participants, not real people.", 10, "B")
    text(
        f"{selection}. Generated {generated.strftime('%Y-%m-%d %H:%M UTC')}. Scale {fmt(shown['scale_min'])} "
        f"to {fmt(shown['scale_max'])}. Anonymity threshold: groups with fewer than {threshold} matched "
        "participants show counts only.",
        9,
    )
    text('"An increase": three different numbers', 13, "B", 7)
    text(f"{flow['matched']} matched of {flow['participants']} participants who answered.", 10)
    if scale["suppressed"]:
        text(f"Fewer than {threshold} matched participants (n = {scale['n']}): hidden.", 11, "B")
    else:
        method = shown.get("method") or {}
        text(
            f"1. Percent change of the mean score: {fmt(scale['pct_change_of_means'], 1, signed=True)}% "
            f"(mean {fmt(scale['pre_mean'])} before, {fmt(scale['post_mean'])} after)",
            11,
            "B",
        )
        text(method.get("pct_change_of_means", ""), 8.5)
        text(
            f"2. Managers who improved: {fmt(scale['pct_improved'], 0)}% (same {fmt(scale['pct_same'], 0)}%, "
            f"declined {fmt(scale['pct_declined'], 0)}%)",
            11,
            "B",
        )
        text(method.get("pct_improved", ""), 8.5)
        text(
            f"3. Normalised gain: {fmt(scale['normalized_gain'])} {hake_band(scale['normalized_gain'])}",
            11,
            "B",
        )
        text(method.get("normalized_gain", ""), 8.5)
        text(
            f"Mean change {fmt(scale['mean_change'], signed=True)} (95% CI {fmt_ci(scale['ci95'])}); paired "
            f"t({fmt(scale['df'])}) = {fmt(scale['t'])}, {_p_phrase(scale['p'])}; Wilcoxon signed-rank "
            f"{_p_phrase(scale['wilcoxon_p'])}; d_z = {fmt(scale['d_z'])}, d_av = {fmt(scale['d_av'])}, "
            f"g_z = {fmt(scale['g_z'])}.",
            10,
        )

    pdf.ln(2)
    text("Summary", 13, "B", 7)
    headings = [
        "Group",
        "Measure",
        "Comparison",
        "n / any",
        "Pre (sd)",
        "Post (sd)",
        "Change",
        "95% CI",
        "p",
        "Wilcoxon p",
        "d_z",
        "d_av",
        "Gain",
        "% up/same/down",
    ]
    pdf.set_font("DejaVu", "", 7)
    with pdf.table(
        col_widths=(26, 34, 18, 14, 20, 20, 14, 24, 13, 15, 11, 11, 11, 22),
        text_align="LEFT",
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
        line_height=3.6,
        padding=1,
        repeat_headings=1,
    ) as table:
        table.row(headings)
        for row in summary.to_dict("records"):
            group = row["cohort"] if row["scope"] == "cohort" else "All participants"
            n = f"{int(row['n'])} / {int(row['participants'])}"
            if row["suppressed"]:
                cells = (
                    [group, row["measure"], row["comparison"], n]
                    + [f"fewer than {threshold}: hidden"]
                    + [""] * 9
                )
            else:
                cells = [
                    group,
                    row["measure"],
                    row["comparison"],
                    n,
                    f"{fmt(row['pre_mean'])} ({fmt(row['pre_sd'])})",
                    f"{fmt(row['post_mean'])} ({fmt(row['post_sd'])})",
                    fmt(row["mean_change"], signed=True),
                    fmt_ci((row["ci95_low"], row["ci95_high"])),
                    fmt_p(row["p"]),
                    fmt_p(row["wilcoxon_p"]),
                    fmt(row["d_z"]),
                    fmt(row["d_av"]),
                    fmt(row["normalized_gain"]),
                    " / ".join(fmt(row[k], 0) for k in ("pct_improved", "pct_same", "pct_declined")),
                ]
            table.row([str(c) for c in cells])

    for name, png in pngs.items():
        pdf.add_page()
        text(CHARTS.get(name, name), 12, "B", 6)
        pdf.image(io.BytesIO(png), x=pdf.l_margin, h=pdf.eph - 12, keep_aspect_ratio=True, w=pdf.epw)
    return bytes(pdf.output())


# --------------------------------------------------------------------------------------------------
# The dashboard


@dataclass
class Selection:
    cohorts: tuple[str, ...] | None  # None: every cohort
    start: dt.date | None
    end: dt.date | None

    def describe(self) -> str:
        cohorts = (
            "all cohorts"
            if self.cohorts is None
            else "cohort " + ", ".join(NO_COHORT_LABEL if c == NO_COHORT else c for c in self.cohorts)
        )
        dates = []
        if self.start:
            dates.append(f"from {self.start.isoformat()}")
        if self.end:
            dates.append(f"until {self.end.isoformat()}")
        return "Selection: " + cohorts + (", answered " + " ".join(dates) if dates else ", all dates")


@dataclass
class Loaded:
    """What is read from the store once, when the app opens."""

    frame: Any  # the long scores frame
    cohorts: list[str]
    threshold: int
    scale_min: int
    scale_max: int
    item_order: tuple[str, ...]
    item_labels: dict[str, str]
    reaction_wording: dict[str, str]
    synthetic: bool
    demo_cohorts: list[str]
    first: dt.date | None
    last: dt.date | None


@dataclass
class Computed:
    """Everything shown for one selection (aggregated, suppressed) plus what the downloads need."""

    generation: int
    selection: Selection
    result: dict[str, Any]  # run_evaluation's result, items by id
    shown: dict[str, Any]  # the same with items by short label
    summary: Any
    pairs: Any
    distribution: Any
    invited: int | None
    reaction: dict[str, Any]
    behaviour: dict[str, Any]
    withheld: int | None  # matched participants left out by the filter, when fewer than the threshold
    headline: str
    table: str
    reaction_table: str
    behaviour_table: str
    figures: dict[str, Any] = field(default_factory=dict)
    pngs: dict[str, bytes] = field(default_factory=dict)


def _data_link(kind: str, mime: str, filename: str, payload: bytes, text: str) -> str:
    encoded = base64.b64encode(payload).decode("ascii")
    return (
        f'<a class="wb-download wb-download-{esc(kind)}" download="{esc(filename)}" '
        f'href="data:{mime};base64,{encoded}">{esc(text)}</a>'
    )


class EvaluatorDashboard:
    """Filters, headline, summary table, charts and downloads for one evaluator."""

    def __init__(self, store: Any = None, *, runner: Runner | None = None) -> None:
        self._store = store
        self.runner = runner or Runner()
        self.loaded: Loaded | None = None
        self.computed: Computed | None = None
        self.generation = 0
        self._pending: asyncio.TimerHandle | None = None
        self._downloads_for = -1
        self._overall_counts: dict[str, int] | None = None

        self.banner = widgets.HTML(_dom_classes=css("wb-eval-banner-box"))
        self.status = widgets.HTML(_dom_classes=css("wb-eval-status"))
        self.cohorts = widgets.SelectMultiple(
            options=[],
            rows=4,
            description="Cohorts",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="360px"),
            _dom_classes=css("wb-eval-cohorts"),
        )
        self.start = widgets.DatePicker(
            description="Answered from",
            style={"description_width": "110px"},
            _dom_classes=css("wb-eval-start"),
        )
        self.end = widgets.DatePicker(
            description="Answered until",
            style={"description_width": "110px"},
            _dom_classes=css("wb-eval-end"),
        )
        self.filter_note = widgets.HTML(_dom_classes=css("wb-eval-filter-note"))
        self.filters = widgets.HBox(
            [
                self.cohorts,
                widgets.VBox([self.start, self.end, self.filter_note]),
            ],
            _dom_classes=css("wb-eval-filters"),
        )
        self.headline = widgets.HTML(_dom_classes=css("wb-eval-headline-box"))
        # The page's views report themselves (_view_count), so the first charts can wait until the
        # headline is on screen: drawing them earlier competes with the browser for the CPU.
        self.headline._view_count = 0
        self._headline_seen = threading.Event()
        self.headline.observe(self._on_headline_view, names="_view_count")
        self.summary = widgets.HTML(_dom_classes=css("wb-eval-summary"))
        self.reaction = widgets.HTML(_dom_classes=css("wb-eval-reaction"))
        self.behaviour = widgets.HTML(_dom_classes=css("wb-eval-behaviour"))

        self.images: dict[str, widgets.Image] = {}
        self.captions: dict[str, widgets.HTML] = {}
        self.chart_boxes: dict[str, widgets.VBox] = {}
        for name, title in CHARTS.items():
            image = widgets.Image(
                format="png",
                layout=widgets.Layout(width="100%", height="auto"),
                _dom_classes=css("wb-eval-image", f"wb-eval-image-{name}"),
            )
            caption = widgets.HTML(_dom_classes=css("wb-eval-caption-box"))
            if name in WIDE_CHARTS:
                image.layout.max_width = f"{int(WIDE_INCHES * CHART_DPI)}px"
            box = widgets.VBox(
                [widgets.HTML(f"<h4>{esc(title)}</h4>"), image, caption],
                _dom_classes=css(
                    "wb-eval-chart",
                    f"wb-eval-chart-{name}",
                    *(["wb-eval-wide"] if name in WIDE_CHARTS else []),
                ),
                layout=widgets.Layout(display="none"),
            )
            self.images[name], self.captions[name], self.chart_boxes[name] = image, caption, box
        two_columns = widgets.Layout(grid_template_columns="repeat(2, minmax(0, 1fr))", grid_gap="14px")
        self.charts = widgets.GridBox(
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
                widgets.HTML("<h2>Headline</h2>"),
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
            [
                widgets.HTML(
                    f'<h2 class="wb-title">{esc(APP_TITLE)}</h2><p>Before-and-after analysis of the '
                    "managers' comfort and skill check. Every figure is defined next to it; groups under "
                    "the anonymity threshold show counts only, and no names or free text are shown.</p>"
                ),
                self.banner,
                self.body,
            ],
            _dom_classes=css("wb-evaluator"),
        )
        for control in (self.cohorts, self.start, self.end):
            control.observe(self._on_filter, names="value")
        self._busy("Loading the scores…")
        self.runner.submit(self._load_job, self._failed)

    # -- status ----------------------------------------------------------------------------------
    def _busy(self, message: str) -> None:
        self.status.value = (
            f'<span class="wb-eval-busy" role="status" aria-live="polite">{esc(message)}</span>'
        )

    def _ready(self, message: str) -> None:
        self.status.value = (
            f'<span class="wb-eval-ready" role="status" aria-live="polite">{esc(message)}</span>'
        )

    def _problem(self, message: str) -> None:
        self.status.value = f'<span class="wb-error" role="alert">{esc(message)}</span>'

    def _failed(self, exc: BaseException) -> None:
        from workbook.config import ConfigError

        if isinstance(exc, ConfigError):
            self._problem(str(exc))
        else:  # no traceback on the page: it could carry data
            self._problem(f"The figures could not be computed ({type(exc).__name__}).")

    # -- loading ---------------------------------------------------------------------------------
    def _load_job(self) -> None:
        from workbook.config import anonymity_threshold
        from workbook.manager.content import instrument
        from workbook.manager.demo import COHORTS as DEMO
        from workbook.manager.scores import scores_frame
        from workbook.store import Store

        threshold = anonymity_threshold()
        if self._store is None:
            self._store = Store()
        frame = scores_frame(self._store)
        inst = instrument()
        cohorts = sorted(set(frame["cohort"]), key=lambda c: (c == NO_COHORT, c))
        demo = {c.name for c in DEMO}
        named = [c for c in cohorts if c != NO_COHORT]
        dates = frame["answered_at"] if len(frame) else None
        loaded = Loaded(
            frame=frame,
            cohorts=cohorts,
            threshold=threshold,
            scale_min=inst.scale.min,
            scale_max=inst.scale.max,
            item_order=inst.item_ids,
            item_labels={item.id: item.short for item in inst.items},
            reaction_wording={q.id: q.wording for q in inst.reaction.questions},
            synthetic=bool(named) and all(c in demo for c in cohorts),
            demo_cohorts=[c for c in named if c in demo],
            first=dates.min().date() if dates is not None else None,
            last=dates.max().date() if dates is not None else None,
        )
        self.runner.post(self._show_loaded, loaded)

    def _show_loaded(self, loaded: Loaded) -> None:
        self.loaded = loaded
        if loaded.synthetic:
            self.banner.value = (
                '<p class="wb-eval-banner" role="note">Synthetic demo data: these figures describe '
                "invented managers (the demo cohorts), not real people.</p>"
            )
        elif loaded.demo_cohorts:
            self.banner.value = (
                '<p class="wb-eval-banner" role="note">The store holds synthetic demo cohorts as well as '
                f"real ones: {esc(', '.join(loaded.demo_cohorts))}.</p>"
            )
        if len(loaded.frame) == 0:
            self.body.layout.display = "none"
            self._ready("No scores yet.")
            self.banner.value += (
                '<div class="wb-eval-empty" role="note"><h3>No scores yet</h3><p>Nobody has answered the '
                "comfort and skill check. The figures appear here once managers answer the pre and post "
                "checks (or a facilitator imports scores with <code>workbook scores import</code>).</p></div>"
            )
            return
        options = [(NO_COHORT_LABEL if c == NO_COHORT else c, c) for c in loaded.cohorts]
        self.cohorts.unobserve(self._on_filter, names="value")
        self.cohorts.options = options
        self.cohorts.rows = max(2, min(6, len(options)))
        self.cohorts.value = tuple(loaded.cohorts)
        self.cohorts.observe(self._on_filter, names="value")
        self.filter_note.value = (
            f'<p class="wb-muted">Answers from {loaded.first} to {loaded.last}. Ctrl- or Shift-click to '
            f"choose several cohorts; none chosen means all. Groups under {loaded.threshold} are hidden "
            "after every filter.</p>"
        )
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
        start, end = self.start.value, self.end.value
        for label, value in (("start", start), ("end", end)):
            if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
                raise ValueError(f"The {label} date is not a date.")
        if start is not None and end is not None and start > end:
            raise ValueError("The 'answered from' date is after the 'answered until' date.")
        cohorts = (
            None
            if not chosen or set(chosen) == known
            else tuple(c for c in self.loaded.cohorts if c in chosen)
        )
        return Selection(cohorts, start, end)

    def _on_filter(self, _change: dict) -> None:
        if self.loaded is None:
            return
        if self._pending is not None:
            self._pending.cancel()
        self._busy("Updating…")
        self._pending = self.runner.later(FILTER_DELAY_S, self.refresh)

    def refresh(self, *, now: bool = False) -> None:
        """Recompute for the current filters (on the worker thread inside a kernel unless ``now``)."""
        self._pending = None
        if self.loaded is None:
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

    def _invited(self, cohorts: tuple[str, ...] | None) -> int | None:
        """Participants in the chosen (named) cohorts: the 'invited' stage of the flow."""
        from sqlalchemy import func, select

        from workbook.models import Cohort, Participant

        assert self.loaded is not None
        names = [c for c in (cohorts if cohorts is not None else self.loaded.cohorts) if c != NO_COHORT]
        if (cohorts is not None and NO_COHORT in cohorts) or not names:
            return None
        with self._store.read() as session:
            return int(
                session.scalar(
                    select(func.count(Participant.id))
                    .join(Cohort, Participant.cohort_id == Cohort.id)
                    .where(Cohort.name.in_(names))
                )
            )

    def _behaviour(self, cohorts: tuple[str, ...] | None, threshold: int) -> dict[str, Any]:
        from workbook.manager.behaviour import behaviour_counts

        assert self.loaded is not None
        if cohorts is None:
            totals = behaviour_counts(self._store)
        else:
            parts = [behaviour_counts(self._store, c) for c in cohorts if c != NO_COHORT]
            if NO_COHORT in cohorts:
                everyone = behaviour_counts(self._store)
                named = [behaviour_counts(self._store, c) for c in self.loaded.cohorts if c != NO_COHORT]
                parts.append({k: everyone[k] - sum(p[k] for p in named) for k in everyone})
            totals = {
                k: sum(p[k] for p in parts)
                for k in ("conversations", "managers_with_conversation", "idps_started", "follow_ups_planned")
            }
        return {
            **totals,
            "threshold": threshold,
            "suppressed": totals["managers_with_conversation"] < threshold,
        }

    def _overall(self) -> dict[str, int]:
        """Counts behind the unfiltered figures (matched, reaction respondents, managers who logged)."""
        if self._overall_counts is None:
            from workbook.evaluation.stats import evaluate_tables, score_tables
            from workbook.manager.reaction_summary import reaction_summary

            loaded = self.loaded
            assert loaded is not None
            everyone = evaluate_tables(
                score_tables(loaded.frame, item_order=loaded.item_order),
                scale_min=loaded.scale_min,
                scale_max=loaded.scale_max,
                threshold=loaded.threshold,
            )
            self._overall_counts = {
                "matched": everyone["scale"]["n"],
                "respondents": reaction_summary(self._store, threshold=loaded.threshold)["respondents"],
                "managers": self._behaviour(None, loaded.threshold)["managers_with_conversation"],
            }
        return self._overall_counts

    def _compute_job(self, generation: int, selection: Selection) -> None:
        from workbook.evaluation.stats import (
            METHOD,
            evaluate_tables,
            filter_scores,
            item_answer_distribution,
            paired_scale_scores,
            score_tables,
            summary_frame,
        )
        from workbook.manager.reaction_summary import reaction_summary

        loaded = self.loaded
        assert loaded is not None
        if self._stale(generation):
            return
        threshold = loaded.threshold
        partial = selection.cohorts is not None or selection.start is not None or selection.end is not None
        frame = filter_scores(loaded.frame, selection.cohorts, selection.start, selection.end)
        tables = score_tables(frame, item_order=loaded.item_order)
        result = evaluate_tables(
            tables, scale_min=loaded.scale_min, scale_max=loaded.scale_max, threshold=threshold
        )
        # The unfiltered figures are always one click away: a filter that leaves out a few matched
        # participants would reveal them by difference, so its figures are suppressed as a whole.
        overall = self._overall() if partial else None
        withheld = None
        if overall is not None and not result["scale"]["suppressed"]:
            left_out = overall["matched"] - result["scale"]["n"]
            if 0 < left_out < threshold:
                withheld = left_out
                result = evaluate_tables(
                    tables,
                    scale_min=loaded.scale_min,
                    scale_max=loaded.scale_max,
                    threshold=result["scale"]["n"] + 1,
                )
        shown = with_item_labels(result, loaded.item_labels)
        summary = summary_frame(shown)
        distribution = item_answer_distribution(
            tables, scale_min=loaded.scale_min, scale_max=loaded.scale_max, threshold=loaded.threshold
        )
        if len(distribution) and len(set(loaded.item_labels.values())) == len(loaded.item_labels):
            distribution["item"] = distribution["item"].map(lambda i: loaded.item_labels.get(i, i))
        invited = self._invited(selection.cohorts)
        reaction = reaction_summary(
            self._store, selection.cohorts, start=selection.start, end=selection.end, threshold=threshold
        )
        if overall is not None and not reaction["suppressed"]:
            left_out = overall["respondents"] - reaction["respondents"]
            if 0 < left_out < threshold:
                reaction = reaction_summary(
                    self._store,
                    selection.cohorts,
                    start=selection.start,
                    end=selection.end,
                    threshold=reaction["respondents"] + 1,
                )
                reaction.update(threshold=threshold, suppressed=True, withheld=left_out)
        behaviour = self._behaviour(selection.cohorts, threshold)
        if overall is not None and not behaviour["suppressed"]:
            left_out = overall["managers"] - behaviour["managers_with_conversation"]
            if 0 < left_out < threshold:
                behaviour = {
                    "conversations": behaviour["conversations"],
                    "managers_with_conversation": behaviour["managers_with_conversation"],
                    "threshold": threshold,
                    "suppressed": True,
                    "withheld": left_out,
                }
        method = result.get("method") or METHOD
        computed = Computed(
            generation=generation,
            selection=selection,
            result=result,
            shown=shown,
            summary=summary,
            pairs=paired_scale_scores(tables),
            distribution=distribution,
            invited=invited,
            reaction=reaction,
            behaviour=behaviour,
            withheld=withheld,
            headline=headline_html(shown, method, invited=invited, withheld=withheld, threshold=threshold),
            table=withheld_note(withheld, threshold) if withheld else summary_html(summary, threshold),
            reaction_table=reaction_html(reaction, loaded.reaction_wording),
            behaviour_table=behaviour_html(behaviour),
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
        self.headline.value = computed.headline
        if self.headline._view_count:  # the page shows it now: the charts may start
            self._headline_seen.set()
        self.summary.value = computed.table
        self.reaction.value = computed.reaction_table
        self.behaviour.value = computed.behaviour_table
        for name, box in self.chart_boxes.items():
            present = name in self._chart_names(computed)
            box.layout.display = None if present else "none"
            if present:
                self.captions[name].value = '<p class="wb-eval-caption">Drawing…</p>'
        self._busy("Drawing the charts…")

    @staticmethod
    def _chart_names(computed: Computed) -> list[str]:
        names = ["flow"]
        if not computed.withheld:
            names += ["slope", "change", "baseline", "cohorts"]
            if computed.shown["items"]:
                names += ["items", "answers"]
            if computed.shown["scale"].get("response_shift") is not None:
                names.append("response_shift")
        if computed.reaction["respondents"] > 0 and not computed.reaction.get("withheld"):
            names.append("reaction")
        if computed.behaviour["conversations"] > 0 and not computed.behaviour.get("withheld"):
            names.append("behaviour")
        return [name for name in CHARTS if name in names]

    def _draw_charts(self, computed: Computed) -> None:
        from workbook.evaluation.charts import evaluation_figures, figure_to_png_bytes

        names = self._chart_names(computed)
        figures = evaluation_figures(
            computed.shown, computed.pairs, computed.distribution, invited=computed.invited
        )
        loaded = self.loaded
        assert loaded is not None
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
            png = figure_to_png_bytes(figures[name], dpi=CHART_DPI)
            computed.figures[name] = figures[name]
            computed.pngs[name] = png
            self.runner.post(
                self._show_chart,
                computed.generation,
                name,
                png,
                chart_description(name, computed.shown, extra),
            )
        self.runner.post(self._charts_done, computed.generation)

    def _show_chart(self, generation: int, name: str, png: bytes, description: str) -> None:
        if self._stale(generation):
            return
        self.images[name].value = png
        self.images[name].tooltip = description
        self.captions[name].value = f'<p class="wb-eval-caption">{esc(description)}</p>'

    def _charts_done(self, generation: int) -> None:
        if self._stale(generation):
            return
        assert self.computed is not None
        self.prepare.disabled = bool(self.computed.withheld)
        if self.computed.withheld:
            self.downloads.value = (
                '<p class="wb-muted">No downloads: the figures of this selection are hidden.</p>'
            )
        self._ready(f"Up to date. {self.computed.selection.describe()}.")

    # -- downloads -------------------------------------------------------------------------------
    def prepare_downloads(self) -> None:
        computed = self.computed
        if computed is not None and computed.withheld:
            self._problem("No downloads: the figures of this selection are hidden.")
            return
        if (
            computed is None
            or self._stale(computed.generation)
            or len(computed.pngs) < len(self._chart_names(computed))
        ):
            self._problem("The figures are still being prepared; try again in a moment.")
            return
        self.prepare.disabled = True
        self._busy("Preparing the downloads…")
        self.runner.submit(lambda: self._downloads_job(computed), self._failed)

    def _downloads_job(self, computed: Computed) -> None:
        from workbook.evaluation.charts import figure_to_svg_bytes
        from workbook.evaluation.report import render_html_report, write_summary_csv, write_xlsx

        loaded = self.loaded
        assert loaded is not None
        stamp = dt.datetime.now(dt.UTC)
        day = stamp.strftime("%Y%m%d")
        prefix = "synthetic-demo-" if loaded.synthetic else ""
        selection = computed.selection.describe()
        title = f"Career-conversation coaching: evaluation report ({selection[len('Selection: ') :]})"
        with tempfile.TemporaryDirectory(prefix="wb-evaluator-") as tmp:
            csv_bytes = write_summary_csv(computed.result, Path(tmp) / "summary.csv").read_bytes()
            xlsx_bytes = write_xlsx(computed.result, Path(tmp) / "summary.xlsx").read_bytes()
        report = render_html_report(
            computed.shown,
            pairs=computed.pairs,
            distribution=computed.distribution,
            synthetic=loaded.synthetic,
            title=title,
            invited=computed.invited,
            generated=stamp,
        ).encode("utf-8")
        pdf = render_pdf_report(
            computed.shown,
            computed.summary,
            computed.pngs,
            title=title,
            selection=selection,
            synthetic=loaded.synthetic,
            generated=stamp,
        )
        links = [
            "<li><strong>Summary table:</strong> "
            + _data_link("csv", "text/csv", f"{prefix}evaluation-summary-{day}.csv", csv_bytes, "CSV")
            + " · "
            + _data_link(
                "xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                f"{prefix}evaluation-summary-{day}.xlsx",
                xlsx_bytes,
                "Excel (.xlsx)",
            )
            + "</li>",
            "<li><strong>Whole report:</strong> "
            + _data_link("html", "text/html", f"{prefix}evaluation-report-{day}.html", report, "HTML")
            + " · "
            + _data_link("pdf", "application/pdf", f"{prefix}evaluation-report-{day}.pdf", pdf, "PDF")
            + "</li>",
        ]
        for name, png in computed.pngs.items():
            svg = figure_to_svg_bytes(computed.figures[name])
            links.append(
                f"<li>{esc(CHARTS[name])}: "
                + _data_link(f"{name}-png", "image/png", f"{prefix}chart-{name}-{day}.png", png, "PNG")
                + " · "
                + _data_link(f"{name}-svg", "image/svg+xml", f"{prefix}chart-{name}-{day}.svg", svg, "SVG")
                + "</li>"
            )
        html = (
            f'<p class="wb-muted">{esc(selection)}. Prepared {stamp.strftime("%H:%M:%S")} UTC.</p>'
            f'<ul class="wb-eval-download-list">{"".join(links)}</ul>'
        )
        self.runner.post(self._show_downloads, computed.generation, html)

    def _show_downloads(self, generation: int, html: str) -> None:
        if self._stale(generation):
            return
        self.downloads.value = html
        self.prepare.disabled = False
        assert self.computed is not None
        self._ready(f"Downloads ready. {self.computed.selection.describe()}.")


# --------------------------------------------------------------------------------------------------
# The gate


class EvaluatorGate:
    """Opens the dashboard for a visitor who gives the evaluator key; nothing is read before that."""

    def __init__(self, store: Any = None, *, runner: Runner | None = None) -> None:
        self.store = store
        self.runner = runner
        self.dashboard: EvaluatorDashboard | None = None
        self.message = widgets.HTML(_dom_classes=css("wb-key-message"))
        style = widgets.HTML(EVALUATOR_STYLE)
        if configured_key() is None:
            self.key = None
            self.form = widgets.HTML(
                f'<div class="wb-eval-nokey" role="note"><h2>{esc(APP_TITLE)}</h2>'
                "<p><strong>The evaluator app is not set up on this server.</strong> It opens only with the "
                "evaluator key, a secret that the person running the server chooses.</p>"
                f"<p>To set it up, start the server with the environment variable <code>{KEY_ENV}</code> "
                f"holding a long random secret (at least {MIN_KEY_LENGTH} characters), for example:</p>"
                f"<pre>export {KEY_ENV}=$(python -c 'import secrets; print(secrets.token_urlsafe(32))')\n"
                "workbook serve</pre>"
                "<p>Then give the key to the evaluators only; they open this page with "
                "<code>?key=THE-KEY</code> at the end of its address, or type the key here.</p></div>",
                _dom_classes=css("wb-eval-gate"),
            )
        else:
            self.key = widgets.Password(
                description="Evaluator key",
                placeholder="from the person who runs the server",
                style={"description_width": "initial"},
                _dom_classes=css("wb-key"),
            )
            self.button = widgets.Button(
                description="Open", button_style="primary", _dom_classes=css("wb-key-open")
            )
            self.button.on_click(lambda _b: self.try_key(self.key.value if self.key else None))
            self.form = widgets.VBox(
                [
                    widgets.HTML(
                        f"<h2>{esc(APP_TITLE)}</h2><p>This page is for the programme's evaluators. Enter the "
                        "evaluator key.</p>"
                    ),
                    widgets.HBox([self.key, self.button]),
                    self.message,
                ],
                _dom_classes=css("wb-eval-gate"),
            )
        self.widget = widgets.VBox(
            [app_style(), style, self.form], _dom_classes=css("wb-app", "wb-evaluator-app")
        )

    def try_key(self, given: object) -> bool:
        expected = configured_key()
        if expected is None:
            return False
        if len(expected) < MIN_KEY_LENGTH:
            self._refuse(
                f"The evaluator key set on the server is too short (at least {MIN_KEY_LENGTH} characters); "
                "ask the person who runs the server to set a longer one."
            )
            return False
        if not key_matches(given, expected):
            self._refuse("That evaluator key is not right.")
            return False
        if self.key is not None:
            self.key.value = ""
        page.current().signed_in()
        start_prefetch()  # the heavy imports start only once the key checks out
        self.dashboard = EvaluatorDashboard(self.store, runner=self.runner)
        self.widget.children = [self.widget.children[0], self.widget.children[1], self.dashboard.widget]
        return True

    def _refuse(self, message: str) -> None:
        self.message.value = f'<p class="wb-error" role="alert">{esc(message)}</p>'

    def start(self) -> widgets.Widget:
        """Try the key from the URL, if any; otherwise show the form."""
        given = query_key()
        if given is not None and configured_key() is not None:
            self.try_key(given)
        return self.widget


def _prefetch() -> None:
    """Import what the figures need (pandas, scipy, the store's tables); reads no data."""
    import workbook.evaluation.stats  # noqa: F401
    import workbook.manager.demo  # noqa: F401
    import workbook.manager.reaction_summary  # noqa: F401
    import workbook.manager.scores  # noqa: F401


def start_prefetch() -> threading.Thread | None:
    """Inside a kernel, start the slow imports at once on a thread: they then overlap with Voila
    sending the page and the browser loading it, instead of starting after the key is checked."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return None
    thread = threading.Thread(target=_prefetch, name="wb-evaluator-prefetch", daemon=True)
    thread.start()
    return thread


def evaluator_app(store: Any = None) -> widgets.Widget:
    """The evaluator's app, behind the evaluator key (``WORKBOOK_EVALUATOR_KEY``)."""
    return EvaluatorGate(store).start()


__all__ = ["EvaluatorDashboard", "EvaluatorGate", "KEY_ENV", "evaluator_app", "key_matches"]
