"""The evaluator's app: before-and-after analysis of the comfort and skill check, with every figure
defined, filters by whole cohort and programme phase, charts and downloads.

What the page may show: aggregated figures only, as :mod:`workbook.evaluation.disclosure` decides
(nothing for a group under the anonymity threshold, nor anything from which such a group could be
worked out by difference; a selection is made of whole cohorts whose figures are shown, or refused
with the reason); no names, no free text. It needs no
per-person code, but it is not open to participants: the visitor must give the evaluator key
(``WORKBOOK_EVALUATOR_KEY``) as ``?key=`` in the URL or on the page, and nothing is read from the
store before the key checks out.

Data flow one way: store -> long scores frame (pseudonymous ids) -> ``score_tables`` and the
disclosure plan (once) -> ``select_cohorts`` / ``evaluate_tables`` -> charts and reports of
``workbook.evaluation``. This module
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


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def hidden_note(why: str | None) -> str:
    """A hidden figure's reason, in the words of the disclosure module."""
    return f'<span class="wb-eval-hidden">{esc(why or "hidden")}</span>'


def refusal_note(message: str) -> str:
    """Why a selection is not shown at all (it would let a small group be worked out)."""
    return f'<p class="wb-eval-refused" role="note"><span class="wb-eval-hidden">{esc(message)}</span></p>'


PROTECTION_HTML = """
<details class="wb-eval-protection"><summary>How small groups are protected</summary>
<ul>
<li>A group with fewer matched participants than the anonymity threshold ({threshold}) shows its counts
only: <em>too few people</em>.</li>
<li>When a table shows everyone and some of its groups, the hidden groups together must hold no one or at
least {threshold} people; otherwise more groups are hidden, smallest first, until they do: <em>hidden so
that a smaller group cannot be worked out</em>. Participants without a cohort count as a group here.</li>
<li>Two figures of the same scores (for example the post score of those who answered pre and of those who
answered 'then', in either phase) must not rest on groups that differ by 1 to {threshold_1} people; otherwise
the second one is hidden for the same reason.</li>
<li>A selection is made of whole cohorts and a fixed programme phase, never of dates. A cohort whose figures
are hidden cannot be chosen: a selection with it and the same one without it would differ by that small
group. A figure of a selection is shown only when every cohort in it shows that figure.</li>
</ul></details>
"""


def protection_html(threshold: int) -> str:
    """The page's explanation of what is protected and how."""
    return PROTECTION_HTML.format(threshold=threshold, threshold_1=threshold - 1)


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
    threshold: int | None = None,
) -> str:
    """The three meanings of "an increase" side by side, then the paired statistics, each named."""
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
    if result.get("phase") == "then":
        parts.append(
            '<p class="wb-eval-phase-note">Phase: looking back and after. "Before" (pre) below is the '
            "retrospective 'then' rating, asked after the programme.</p>"
        )
    if scale["suppressed"]:
        parts.append(
            f'<p class="wb-eval-suppressed" role="note">{hidden_note(scale.get("hidden_text"))}. No '
            "figures are shown for this selection; the counts above are.</p>"
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
            why = then.get("hidden_text") if then["suppressed"] else shift.get("hidden_text")
            value = f"{why} (with a 'then' answer: {then['n']})"
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
                f"{hidden_note(row.get('why_hidden'))}</td>"
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
        f'<p class="wb-muted">Empty cells are figures that are undefined for these data. A hidden row '
        f"shows its counts only and says why: too few people (under {threshold}), or hidden so that a "
        "smaller group cannot be worked out.</p>"
    )


def reaction_html(reaction: dict[str, Any], wording: dict[str, str]) -> str:
    if reaction["respondents"] == 0:
        return '<p class="wb-muted">No reaction ratings in this selection.</p>'
    rows = []
    for key, block in reaction["questions"].items():
        label = esc(wording.get(key, key))
        if block["suppressed"]:
            rows.append(
                f'<tr class="wb-suppressed"><td class="wb-text">{label}</td><td>{block["n"]}</td>'
                f'<td class="wb-text" colspan="6">{hidden_note(block.get("hidden_text"))}</td></tr>'
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
    managers = behaviour["managers_with_conversation"]
    if behaviour["conversations"] == 0:
        return '<p class="wb-muted">No career conversations logged in the chosen cohorts.</p>'
    if behaviour["suppressed"]:
        return (
            f"<p>Managers who logged a conversation: {managers}; "
            f"{hidden_note(behaviour.get('hidden_text'))}.</p>"
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
    scale, flow = shown["scale"], shown["flow"]
    hidden = _sentence(scale.get("hidden_text") or "hidden")
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
        hidden_items = [item for item, block in shown["items"].items() if block["suppressed"]]
        return "Share of answers at each level of the scale, pre and post, for each item" + (
            f"; hidden: {', '.join(hidden_items)}." if hidden_items else "."
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
            return f"Participants with all three waves: {three.get('hidden_text') or 'hidden'}."
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
            return f"Managers with a logged conversation: {behaviour.get('hidden_text') or 'hidden'}."
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
            ax.text(1, yi, block.get("hidden_text") or "hidden", va="center", fontsize=8)
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
            _sentence(behaviour.get("hidden_text") or "hidden"),
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
        f"to {fmt(shown['scale_max'])}. Anonymity threshold {threshold}: a group with fewer matched "
        "participants shows counts only (too few people), and further figures are hidden where a smaller "
        "group could otherwise be worked out.",
        9,
    )
    text('"An increase": three different numbers', 13, "B", 7)
    text(f"{flow['matched']} matched of {flow['participants']} participants who answered.", 10)
    if scale["suppressed"]:
        text(_sentence(scale.get("hidden_text") or "hidden"), 11, "B")
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
                    + [row.get("why_hidden") or "hidden"]
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


# The fixed programme phases (which wave is "before"); the same keys as workbook.evaluation.stats.PHASES,
# written here so that the page can be built before the statistics are imported.
PHASE_OPTIONS: dict[str, str] = {
    "pre": "Before and after (pre-test → post-test)",
    "then": "Looking back and after ('then' → post-test)",
}


@dataclass
class Selection:
    cohorts: tuple[str, ...] | None  # None: every cohort
    phase: str = "pre"

    def describe(self) -> str:
        cohorts = (
            "all cohorts"
            if self.cohorts is None
            else "cohort " + ", ".join(NO_COHORT_LABEL if c == NO_COHORT else c for c in self.cohorts)
        )
        return f"Selection: {cohorts}, {PHASE_OPTIONS[self.phase][0].lower()}{PHASE_OPTIONS[self.phase][1:]}"


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
    tables: Any  # ScoreTables of everyone
    plan: Any  # the DisclosurePlan of every figure this page can show, for every selection


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
    refused: str | None  # why the selection is not shown, when it would let a small group be worked out
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
        for control in (self.cohorts, self.phase):
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
        from workbook.evaluation.stats import score_tables
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
        tables = score_tables(frame, item_order=inst.item_ids)
        plan = self._plan(tables, threshold)
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
            tables=tables,
            plan=plan,
        )
        self.runner.post(self._show_loaded, loaded)

    def _plan(self, tables: Any, threshold: int) -> Any:
        """The disclosure plan of everything this page can show: the scores in both phases, the reaction
        ratings and the conversation counts, for everyone and per cohort."""
        from sqlalchemy import select

        from workbook.evaluation.disclosure import ALL, Figure
        from workbook.evaluation.stats import PHASES, scores_plan
        from workbook.manager.content import REACTION_IDS
        from workbook.manager.reaction_summary import reaction_summary
        from workbook.models import Cohort

        with self._store.read() as session:
            every_cohort = [NO_COHORT, *session.scalars(select(Cohort.name))]
        per_cohort = {c: reaction_summary(self._store, [c], threshold=threshold) for c in every_cohort}
        extra = [
            Figure(
                f"reaction:{question}",
                frozenset({f"reaction:{question}"}),
                counts={c: summary["questions"][question]["n"] for c, summary in per_cohort.items()},
            )
            for question in REACTION_IDS
        ]
        behaviour = {c: self._behaviour_counts((c,))["managers_with_conversation"] for c in every_cohort}
        behaviour[ALL] = self._behaviour_counts(None)["managers_with_conversation"]
        extra.append(Figure("behaviour", frozenset({"behaviour"}), counts=behaviour))
        return scores_plan(tables, threshold, phases=tuple(PHASES), extra=extra, groups=every_cohort)

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
        self.filter_note.value = (
            '<p class="wb-muted">Ctrl- or Shift-click to choose several cohorts; none chosen means all. '
            "A selection is made of whole cohorts and one programme phase."
            + (
                f" Cohorts marked (figures hidden) cannot be chosen on their own or with others: "
                f"{esc(', '.join(hidden))}."
                if hidden
                else ""
            )
            + "</p>"
        )
        self.protection.value = protection_html(loaded.threshold)
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

    def _behaviour_counts(self, cohorts: tuple[str, ...] | None) -> dict[str, int]:
        """Conversation counts of the chosen cohorts ("" = managers without one; None = everyone)."""
        from sqlalchemy import select

        from workbook.manager.behaviour import behaviour_counts
        from workbook.models import Cohort

        if cohorts is None:
            return behaviour_counts(self._store)
        parts = [behaviour_counts(self._store, c) for c in cohorts if c != NO_COHORT]
        if NO_COHORT in cohorts:
            everyone = behaviour_counts(self._store)
            with self._store.read() as session:
                names = list(session.scalars(select(Cohort.name)))
            named = [behaviour_counts(self._store, c) for c in names]
            parts.append({k: everyone[k] - sum(p[k] for p in named) for k in everyone})
        keys = ("conversations", "managers_with_conversation", "idps_started", "follow_ups_planned")
        return {k: sum(p[k] for p in parts) for k in keys}

    def _behaviour(self, cohorts: tuple[str, ...] | None) -> dict[str, Any]:
        """The conversation counts of a selection, hidden as the disclosure plan says."""
        from workbook.evaluation.disclosure import mark

        loaded = self.loaded
        assert loaded is not None
        totals = self._behaviour_counts(cohorts)
        hidden = loaded.plan.for_selection("behaviour", cohorts, totals["managers_with_conversation"])
        return mark(
            {**totals, "threshold": loaded.threshold},
            hidden,
            keep=("conversations", "managers_with_conversation", "threshold"),
        )

    def _reaction(self, cohorts: tuple[str, ...] | None) -> dict[str, Any]:
        """The reaction ratings of a selection, each question hidden as the disclosure plan says."""
        from workbook.evaluation.disclosure import mark, too_few
        from workbook.manager.reaction_summary import reaction_summary

        loaded = self.loaded
        assert loaded is not None
        reaction = reaction_summary(self._store, cohorts, threshold=loaded.threshold)
        for key, block in reaction["questions"].items():
            hidden = loaded.plan.for_selection(f"reaction:{key}", cohorts, block["n"])
            reaction["questions"][key] = mark(block, hidden)
        reaction["suppressed"] = too_few(reaction["respondents"], loaded.threshold) is not None
        return reaction

    def _compute_job(self, generation: int, selection: Selection) -> None:
        from workbook.evaluation.stats import (
            METHOD,
            evaluate_tables,
            item_answer_distribution,
            paired_scale_scores,
            phase_tables,
            select_cohorts,
            summary_frame,
        )

        loaded = self.loaded
        assert loaded is not None
        if self._stale(generation):
            return
        threshold = loaded.threshold
        labels = {NO_COHORT: NO_COHORT_LABEL}
        refusal = loaded.plan.refusal(selection.cohorts, label=labels)
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
        shown = with_item_labels(result, loaded.item_labels)
        summary = summary_frame(shown)
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
        invited = self._invited(selection.cohorts)
        reaction = self._reaction(cohorts)
        behaviour = self._behaviour(cohorts)
        method = result.get("method") or METHOD
        refused = refusal.message if refusal is not None else None
        computed = Computed(
            generation=generation,
            selection=selection,
            result=result,
            shown=shown,
            summary=summary,
            pairs=paired_scale_scores(compared),
            distribution=distribution,
            invited=invited,
            reaction=reaction,
            behaviour=behaviour,
            refused=refused,
            headline=f'<div class="wb-eval-headline">{refusal_note(refused)}</div>'
            if refused
            else headline_html(shown, method, invited=invited),
            table=refusal_note(refused) if refused else summary_html(summary, threshold),
            reaction_table=refusal_note(refused)
            if refused
            else reaction_html(reaction, loaded.reaction_wording),
            behaviour_table=refusal_note(refused) if refused else behaviour_html(behaviour),
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
        if computed.refused:
            return []
        names = ["flow", "slope", "change", "baseline", "cohorts"]
        if computed.shown["items"]:
            names += ["items", "answers"]
        if computed.shown["scale"].get("response_shift") is not None:
            names.append("response_shift")
        if computed.reaction["respondents"] > 0:
            names.append("reaction")
        if computed.behaviour["conversations"] > 0:
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
        self.prepare.disabled = bool(self.computed.refused)
        if self.computed.refused:
            self.downloads.value = '<p class="wb-muted">No downloads: this selection is not shown.</p>'
            self._problem(f"{self.computed.selection.describe()}: not shown. {self.computed.refused}")
            return
        self._ready(f"Up to date. {self.computed.selection.describe()}.")

    # -- downloads -------------------------------------------------------------------------------
    def prepare_downloads(self) -> None:
        computed = self.computed
        if computed is not None and computed.refused:
            self._problem("No downloads: this selection is not shown.")
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
    """Opens the dashboard for an evaluator: a person with the evaluator role (their access code) or
    anyone with the shared evaluator key. Nothing is read from the programme's data before that.

    Failed tries count per page and per address, like every sign-in (`workbook.signin_guard`)."""

    def __init__(self, store: Any = None, *, runner: Runner | None = None) -> None:
        from workbook.signin_guard import SignInGuard

        self.store = store
        self.runner = runner
        self.dashboard: EvaluatorDashboard | None = None
        self.message = widgets.HTML(_dom_classes=css("wb-key-message"))
        self._guard: SignInGuard | None = None
        style = widgets.HTML(EVALUATOR_STYLE)
        self.key = widgets.Password(
            description="Access code or evaluator key",
            placeholder="your access code, or the evaluator key",
            style={"description_width": "initial"},
            _dom_classes=css("wb-key"),
        )
        self.button = widgets.Button(
            description="Open", button_style="primary", _dom_classes=css("wb-key-open")
        )
        self.button.on_click(lambda _b: self.try_key(self.key.value))
        problem = self.key_problem()
        setup = (
            '<div class="wb-eval-nokey" role="note">'
            f"<p><strong>The shared evaluator key is not usable on this server:</strong> {esc(problem)}</p>"
            "<p>Evaluators can still open this page with their own access code.</p></div>"
            if problem
            else ""
        )
        self.form = widgets.VBox(
            [
                widgets.HTML(
                    f"<h2>{esc(APP_TITLE)}</h2><p>This page is for the programme's evaluators. Enter your "
                    "access code, or the evaluator key.</p>" + setup
                ),
                widgets.HBox([self.key, self.button]),
                self.message,
            ],
            _dom_classes=css("wb-eval-gate"),
        )
        self.widget = widgets.VBox(
            [app_style(), style, self.form], _dom_classes=css("wb-app", "wb-evaluator-app")
        )

    @staticmethod
    def key_problem() -> str | None:
        """Why the shared key cannot be used (unset, or too weak), or None when it can."""
        expected = configured_key()
        if expected is None:
            return (
                f"none is set. To set one, start the server with {KEY_ENV} holding a random key made with: "
                f"{config.MAKE_KEY_COMMAND}"
            )
        try:
            config.check_evaluator_key(expected)
        except config.ConfigError as exc:
            return str(exc)
        return None

    def _store(self) -> Any:
        if self.store is None:
            from workbook.store import Store

            self.store = Store()
        return self.store

    def guard(self) -> Any:
        if self._guard is None:
            from workbook.signin_guard import SignInGuard

            self._guard = SignInGuard(self._store(), "evaluator")
        return self._guard

    def try_key(self, given: object) -> bool:
        """Open the dashboard for the evaluator key or an evaluator's access code."""
        from workbook.identity import NOT_VALID, AccessDenied, authenticate
        from workbook.signin_guard import wait_message

        guard = self.guard()
        wait = guard.wait()
        if wait is not None:
            self._refuse(wait_message(wait))
            return False
        expected = configured_key()
        if expected is not None and self.key_problem() is None and key_matches(given, expected):
            return self._open()
        try:
            person = authenticate(self._store(), given if isinstance(given, str) else "")
        except AccessDenied:
            guard.failed()
            self._refuse(NOT_VALID.replace("access code", "access code or evaluator key", 1))
            return False
        if not person.holds("evaluator"):
            self._refuse(
                "This page is for the programme's evaluators, so it does not open with your code. "
                "Open the link from your invitation to reach your own pages."
            )
            return False
        return self._open()

    def _open(self) -> bool:
        self.key.value = ""
        page.current().signed_in()
        start_prefetch()  # the heavy imports start only once the key or code checks out
        self.dashboard = EvaluatorDashboard(self._store(), runner=self.runner)
        self.widget.children = [self.widget.children[0], self.widget.children[1], self.dashboard.widget]
        return True

    def _refuse(self, message: str) -> None:
        self.message.value = f'<p class="wb-error" role="alert">{esc(message)}</p>'

    def start(self) -> widgets.Widget:
        """Try the key or code from the URL, if any; otherwise show the form."""
        given = query_key() or query_param("code")
        if given is not None:
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
