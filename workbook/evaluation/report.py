"""The evaluation as files an evaluator can share: a self-contained HTML report, an xlsx workbook and a CSV.

All three are built from the result of :func:`workbook.evaluation.stats.run_evaluation` (suppression has
already been applied there), so a small group is as empty in a file as it is on screen. Text that came
from the data (item ids, cohort names) is HTML-escaped by the template engine, and neutralised in
spreadsheets so that a cohort called ``=HYPERLINK(...)`` stays text.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from workbook.evaluation.charts import evaluation_figures, figure_to_png_bytes
from workbook.evaluation.format import CHART_TITLES, fmt, fmt_ci, fmt_p, hake_band, p_number_format
from workbook.evaluation.result import EvaluationResult, Flow
from workbook.evaluation.stats import METHOD
from workbook.evaluation.summary import summary_frame, summary_table, then_lines
from workbook.scores_frame import titled
from workbook.spreadsheet import spreadsheet_safe
from workbook.templating import render_string

P_COLUMNS = ("p", "wilcoxon_p")  # shown as the page writes a p (fmt_p): "< 0.001" or three decimals
_TEXT_COLUMNS = ("scope", "cohort", "measure", "comparison", "group", "why_hidden")


def _safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.columns:
        if column in _TEXT_COLUMNS:
            frame[column] = frame[column].map(spreadsheet_safe)
    return frame


def flow_frame(result: EvaluationResult) -> pd.DataFrame:
    """Flow counts (and completers' / non-completers' mean pre score) for everyone and per cohort."""
    rows = [{"group": "All participants", "scope": "overall", **result.flow.model_dump()}]
    rows += [
        {"group": name, "scope": "cohort", **entry.flow.model_dump()}
        for name, entry in result.cohorts.items()
    ]
    columns = ["scope", "group", *Flow.model_fields]
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("pre_mean_completers", "pre_mean_noncompleters"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def method_frame(result: EvaluationResult | None = None) -> pd.DataFrame:
    """The plain-language definitions, one per row."""
    method = result.method if result is not None else METHOD
    return pd.DataFrame({"figure": list(method), "definition": list(method.values())})


def _labelled(frame: pd.DataFrame, data_label: str | None) -> pd.DataFrame:
    """A table of figures with synthetic demo data in them says so first, in a ``data`` column."""
    if data_label:
        frame.insert(0, "data", data_label)
    return frame


def write_summary_csv(
    result: EvaluationResult, path: str | os.PathLike[str], *, data_label: str | None = None
) -> Path:
    """The summary table (one row per scale, item and cohort) as UTF-8 CSV; empty cells are suppressed
    or undefined figures, told apart by the ``suppressed`` column. ``data_label`` ("includes synthetic
    demo data") leads every row of figures with synthetic demo data in them."""
    path = Path(path)
    _labelled(_safe_frame(summary_frame(result)), data_label).to_csv(path, index=False, encoding="utf-8")
    return path


def write_xlsx(
    result: EvaluationResult,
    path: str | os.PathLike[str],
    *,
    item_labels: dict[str, str] | None = None,
    data_label: str | None = None,
) -> Path:
    """A workbook with the summary, the flow and the method definitions on separate sheets.

    Cells keep every digit of a figure and show it rounded (two decimals, p-values as the page writes
    them: three decimals or "< 0.001"), so a reader
    sees what the page shows and a formula computes with the exact value. ``item_labels`` puts each item's
    wording beside its code. ``data_label`` titles the workbook and leads the summary's rows when the
    figures hold synthetic demo data."""
    path = Path(path)
    summary = _labelled(_safe_frame(summary_frame(result)), data_label)
    if item_labels:
        wording = summary["measure"].map(
            lambda code: item_labels.get(code, "the whole scale" if code == "scale" else "")
        )
        summary.insert(summary.columns.get_loc("measure") + 1, "wording", wording.map(spreadsheet_safe))
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        writer.book.properties.title = titled("Evaluation summary", data_label)
        summary.to_excel(writer, sheet_name="Summary", index=False)
        _safe_frame(flow_frame(result)).to_excel(writer, sheet_name="Flow", index=False)
        method_frame(result).to_excel(writer, sheet_name="Method", index=False)
        pd.DataFrame(
            {
                "setting": ["anonymity threshold", "scale minimum", "scale maximum"],
                "value": [result.threshold, result.scale_min, result.scale_max],
            }
        ).to_excel(writer, sheet_name="Settings", index=False)
        for sheet in writer.sheets.values():
            _shown_rounded(sheet)
    return path


def _shown_rounded(sheet: Any) -> None:
    """Round what a sheet shows (not what it holds), freeze its header and fit its columns."""
    header = [cell.value for cell in sheet[1]]
    for column, name in enumerate(header, start=1):
        number_format = p_number_format() if name in P_COLUMNS else "0.00"
        width = len(str(name))
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            if isinstance(cell.value, float):
                cell.number_format = number_format
                width = max(width, 8)
            else:
                width = max(width, min(len(str(cell.value or "")), 60))
        sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = width + 2
    sheet.freeze_panes = "A2"


# --------------------------------------------------------------------------------------------------
# HTML


def _headline(result: EvaluationResult) -> dict[str, Any]:
    scale = result.scale
    if scale.suppressed:
        return {"suppressed": True, "n": scale.n, "why": scale.hidden_text or "hidden"}
    return {
        "suppressed": False,
        "n": scale.n,
        "pre_mean": fmt(scale.pre_mean),
        "post_mean": fmt(scale.post_mean),
        "pct_change": fmt(scale.pct_change_of_means, 1, signed=True),
        "pct_improved": fmt(scale.pct_improved, 0),
        "pct_same": fmt(scale.pct_same, 0),
        "pct_declined": fmt(scale.pct_declined, 0),
        "gain": fmt(scale.normalized_gain),
        "band": hake_band(scale.normalized_gain),
        "change": fmt(scale.mean_change, signed=True),
        "ci": fmt_ci(scale.ci95),
        "t": fmt(scale.t),
        "df": scale.df,
        "p": fmt_p(scale.p),
        "wilcoxon_p": fmt_p(scale.wilcoxon_p),
        "d_z": fmt(scale.d_z),
        "d_av": fmt(scale.d_av),
        "g_z": fmt(scale.g_z),
        "ceiling": fmt(scale.pct_at_ceiling_pre, 0),
        "alpha_pre": fmt(scale.alpha_pre),
        "alpha_post": fmt(scale.alpha_post),
        "alpha_pre_n": scale.alpha_pre_n,
        "alpha_post_n": scale.alpha_post_n,
    }


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 72rem;
       padding: 0 1rem; color: #1a1a1a; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; }
.banner { background: #F0E442; color: #000; padding: 0.6rem 1rem; font-weight: 600; border-radius: 4px; }
.meanings { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 1rem; }
.meaning { border: 1px solid #bbb; border-radius: 6px; padding: 0.8rem 1rem; }
.meaning .value { font-size: 1.8rem; font-weight: 700; }
.formula { font-family: ui-monospace, monospace; font-size: 0.9rem; color: #333; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.45rem; text-align: right; vertical-align: top; }
th { background: #f2f2f2; }
td.text, th.text { text-align: left; }
tr.suppressed td { color: #666; background: #fafafa; }
figure { margin: 1rem 0 2rem; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
dl dt { font-weight: 600; margin-top: 0.6rem; }
.note { color: #444; font-size: 0.9rem; }
li.suppressed { color: #555; }
</style>
</head>
<body>
{% if synthetic %}<p class="banner" role="note">Synthetic demo data: these figures describe invented
participants, not real people.</p>{% endif %}
<h1>{{ title }}</h1>
<p class="note">Generated {{ generated }}. Scale {{ scale_min }} to {{ scale_max }}. Anonymity threshold
{{ threshold }}: a group with fewer matched participants shows counts only ("too few people"), and further
figures are hidden where a smaller group could otherwise be worked out by taking one figure from another
("hidden so that a smaller group cannot be worked out").</p>

<h2>"An increase": three different numbers</h2>
{% if headline.suppressed %}
<p>No figures are shown for everyone: {{ headline.why }}.</p>
{% else %}
<div class="meanings">
  <div class="meaning"><div>1. Percent change of the mean score</div>
    <div class="value">{{ headline.pct_change }}%</div>
    <div class="formula">100 × (post mean − pre mean) / pre mean</div>
    <div class="note">Mean {{ headline.pre_mean }} before, {{ headline.post_mean }} after. Depends on how the
    answers are coded (1–5 or 0–4 give different percentages for the same answers).</div></div>
  <div class="meaning"><div>2. Share of participants who improved</div>
    <div class="value">{{ headline.pct_improved }}%</div>
    <div class="formula">improved / matched participants</div>
    <div class="note">{{ headline.pct_same }}% stayed the same, {{ headline.pct_declined }}% declined
    (n = {{ headline.n }}).</div></div>
  <div class="meaning"><div>3. Normalised gain</div>
    <div class="value">{{ headline.gain }}</div>
    <div class="formula">(post mean − pre mean) / (scale maximum − pre mean)</div>
    <div class="note">The share of the room for improvement that was used{% if headline.band %}:
    {{ headline.band }}{% endif %}.</div></div>
</div>
<p>Mean change of the scale score {{ headline.change }} (95% CI {{ headline.ci }}), paired
t({{ headline.df }}) = {{ headline.t }}, p {{ "" if headline.p.startswith("<") else "= " }}{{ headline.p }};
Wilcoxon signed-rank p {{ "" if headline.wilcoxon_p.startswith("<") else "= " }}{{ headline.wilcoxon_p }}.
Effect sizes: d_z = {{ headline.d_z }}, d_av = {{ headline.d_av }}, g_z = {{ headline.g_z }}.
{{ headline.ceiling }}% were already at the scale maximum before. Cronbach's alpha {{ headline.alpha_pre }}
before (n = {{ headline.alpha_pre_n }}) and {{ headline.alpha_post }} after
(n = {{ headline.alpha_post_n }}).</p>
{% endif %}

{% if then_lines %}
<h2>Response shift</h2>
<p>The retrospective 'then' questions ask, after the programme, how it was before. Each figure below rests on
its own group and is shown or hidden on its own; the real pre-test stays the primary comparison.</p>
<ul class="then-figures">
{% for line in then_lines %}<li{% if line.suppressed %} class="suppressed"{% endif %}>{{ line.label }}:
{{ line.value }}.</li>
{% endfor %}</ul>
{% endif %}

<h2>Who answered</h2>
<table>
<thead><tr><th class="text">Group</th><th>Any answer</th><th>Pre</th><th>Post</th><th>Then</th>
<th>Matched</th><th>Pre without post</th><th>Late ({{ "counted" if late_included else "left out" }})</th>
<th>Mean pre, completers</th>
<th>Mean pre, non-completers</th></tr></thead>
<tbody>
{% for row in flows %}<tr><td class="text">{{ row.group }}</td><td>{{ row.participants }}</td>
<td>{{ row.pre }}</td><td>{{ row.post }}</td><td>{{ row.then }}</td><td>{{ row.matched }}</td>
<td>{{ row.pre_without_post }}</td><td>{{ row.late }}</td>
<td>{{ row.completers }}</td><td>{{ row.noncompleters }}</td></tr>
{% endfor %}</tbody></table>
<p class="note">The paired figures use matched participants only (both waves answered). A mean of a group
under the threshold is left empty. Compare the completers' and non-completers' starting scores to judge
whether those who left differed. Late: participants who answered a wave after a later wave had opened
(a facilitator reopened it); {% if late_included %}their latest answers count{% else %}those answers are
left out, so the answer given in time counts{% endif %}.</p>

<h2>Summary</h2>
<table>
<thead><tr><th class="text">Group</th><th class="text">Measure</th><th class="text">Comparison</th>
<th>n matched / any answer</th><th>Pre mean (sd)</th><th>Post mean (sd)</th><th>Mean change</th>
<th>95% CI</th>
<th>t</th><th>df</th><th>p</th><th>Wilcoxon p</th><th>d_z</th><th>d_av</th><th>Normalised gain</th>
<th>% improved / same / declined</th><th>% at maximum before</th><th>alpha pre / post</th>
<th class="text">Suppressed</th></tr></thead>
<tbody>
{% for row in table %}<tr{% if row.suppressed %} class="suppressed"{% endif %}>
<td class="text">{{ row.group }}</td><td class="text">{{ row.measure }}</td>
<td class="text">{{ row.comparison }}</td><td>{{ row.n }}</td><td>{{ row.pre }}</td><td>{{ row.post }}</td>
<td>{{ row.change }}</td><td>{{ row.ci }}</td><td>{{ row.t }}</td><td>{{ row.df }}</td><td>{{ row.p }}</td>
<td>{{ row.wilcoxon_p }}</td><td>{{ row.d_z }}</td><td>{{ row.d_av }}</td><td>{{ row.gain }}</td>
<td>{{ row.improved }}</td><td>{{ row.ceiling }}</td><td>{{ row.alpha }}</td>
<td class="text">{{ row.why }}</td>
</tr>
{% endfor %}</tbody></table>

<h2>Charts</h2>
{% for chart in charts %}<figure>
<img src="data:image/png;base64,{{ chart.png }}" alt="{{ chart.hidden or chart.title }}">
<figcaption>{{ chart.title }}</figcaption>
{% if chart.hidden %}<p class="note">Not drawn: {{ chart.hidden }}.</p>{% endif %}</figure>
{% endfor %}

<h2>How each figure is computed</h2>
<dl>
{% for name, text in method.items() %}<dt>{{ name }}</dt><dd>{{ text }}</dd>
{% endfor %}</dl>
</body>
</html>
"""


def render_html_report(
    result: EvaluationResult,
    *,
    pairs: pd.DataFrame | None = None,
    distribution: pd.DataFrame | None = None,
    synthetic: bool = False,
    title: str = "Career-conversation coaching: evaluation report",
    invited: int | None = None,
    generated: dt.datetime | None = None,
    pngs: dict[str, bytes] | None = None,
    hidden_charts: Mapping[str, str] | None = None,
) -> str:
    """A single self-contained HTML page (charts embedded as PNG); every data string is escaped.

    ``pngs``: the charts already drawn (by name), as the evaluator's page and its PDF show them, with the
    reaction and conversation charts. Otherwise the charts are drawn here: ``pairs`` (per-participant
    scale scores) and ``distribution`` (answers per level) add the charts that draw individuals.
    ``hidden_charts``: why each chart whose figure is hidden draws no data (by default the result's own
    decisions, :meth:`EvaluationResult.hidden_charts`); the report prints it beside the placeholder.
    """
    hidden = result.hidden_charts() if hidden_charts is None else hidden_charts
    if pngs is None:
        figures = evaluation_figures(result, pairs, distribution, invited=invited)
        pngs = {name: figure_to_png_bytes(fig) for name, fig in figures.items()}
    charts = [
        {
            "title": CHART_TITLES[name],
            "png": base64.b64encode(pngs[name]).decode("ascii"),
            "hidden": hidden.get(name),
        }
        for name in CHART_TITLES
        if name in pngs
    ]
    flows = [
        {
            **row,
            "completers": fmt(row["pre_mean_completers"]),
            "noncompleters": fmt(row["pre_mean_noncompleters"]),
        }
        for row in flow_frame(result).to_dict("records")
    ]
    generated = generated or dt.datetime.now(dt.UTC)
    return render_string(
        _TEMPLATE,
        title=title,
        synthetic=synthetic,
        generated=generated.strftime("%Y-%m-%d %H:%M UTC"),
        threshold=result.threshold,
        scale_min=result.scale_min,
        scale_max=result.scale_max,
        headline=_headline(result),
        then_lines=then_lines(result),
        flows=flows,
        late_included=result.late_included,
        table=summary_table(result),
        charts=charts,
        method=result.method or METHOD,
    )


def write_html_report(result: EvaluationResult, path: str | os.PathLike[str], **options: Any) -> Path:
    """Write :func:`render_html_report` to ``path`` as UTF-8."""
    path = Path(path)
    path.write_text(render_html_report(result, **options), encoding="utf-8")
    return path
