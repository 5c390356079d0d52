"""Charts, the HTML report and the spreadsheet exports: escaping, suppression, self-containment."""

from __future__ import annotations

import re

import matplotlib
import openpyxl
import pandas as pd
import pytest
from matplotlib.figure import Figure

from workbook.demo_scores import synthetic_scores
from workbook.evaluation import charts, item_answer_distribution, paired_scale_scores, run_evaluation
from workbook.evaluation.report import (
    render_html_report,
    spreadsheet_safe,
    write_html_report,
    write_summary_csv,
    write_xlsx,
)
from workbook.evaluation.result import PairedStats

EVIL = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def evil_frame() -> pd.DataFrame:
    frame = synthetic_scores()
    frame.loc[frame["cohort"] == "Cohort B", "cohort"] = EVIL
    frame.loc[frame["item"] == "follow_up", "item"] = EVIL
    frame.loc[frame["item"] == "org_support", "item"] = '=HYPERLINK("http://x")'
    frame.loc[frame["cohort"] == "Cohort A", "cohort"] = "Team $x$ & co"
    return frame


@pytest.fixture(scope="module")
def evil_result(evil_frame):
    return run_evaluation(evil_frame)


def all_texts(fig: Figure) -> str:
    parts = [fig.get_suptitle() or ""]
    for ax in fig.axes:
        parts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        parts += [t.get_text() for t in ax.texts]
        parts += [t.get_text() for t in ax.get_yticklabels()]
    return " ".join(parts)


@pytest.fixture(scope="module")
def full_report(evil_frame, evil_result) -> str:
    return render_html_report(
        evil_result,
        pairs=paired_scale_scores(evil_frame),
        distribution=item_answer_distribution(evil_frame),
        synthetic=True,
    )


def test_report_escapes_data_strings(full_report):
    assert EVIL not in full_report
    assert "<script" not in full_report.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in full_report
    assert "Team $x$ &amp; co" in full_report


def test_report_is_self_contained_and_complete(full_report):
    html = full_report
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html)
    assert html.count('src="data:image/png;base64,') == 8
    assert "Synthetic demo data" in html
    assert "Percent change of the mean score" in html
    assert "Share of participants who improved" in html
    assert "Normalised gain" in html
    assert "(post mean − pre mean) / (scale maximum − pre mean)" in html
    assert "Who answered" in html and "Response shift" in html
    for name in ("d_z", "d_av", "g_z", "wilcoxon", "alpha"):
        assert f"<dt>{name}</dt>" in html
    assert "hidden: too few people (n = 3, fewer than 5)" in html  # Cohort C
    # Cohort B is large enough, but overall minus A would give C's 3 people: it says so, not "fewer than 5"
    assert "hidden so that a smaller group cannot be worked out (n = " in html
    assert "fewer than 5 (n = 16)" not in html
    assert "demo-m" not in html  # no participant ids in the report


def test_report_without_synthetic_label_and_without_individual_charts(evil_result, tmp_path):
    path = write_html_report(evil_result, tmp_path / "r.html")
    html = path.read_text(encoding="utf-8")
    assert "Synthetic demo data" not in html
    assert html.count("data:image/png;base64,") == 4  # flow, items, cohorts, response shift


def test_report_for_a_fully_suppressed_group(evil_frame):
    small = evil_frame[evil_frame["cohort"] == "Cohort C"]
    result = run_evaluation(small)
    html = render_html_report(
        result, pairs=paired_scale_scores(small), distribution=item_answer_distribution(small)
    )
    assert "No figures are shown for everyone: hidden: too few people (n = 3, fewer than 5)." in html
    # every numeric figure in the summary rows is empty
    summary_section = html.split("<h2>Summary</h2>")[1].split("<h2>Charts</h2>")[0]
    assert not re.search(r"<td>[+-]?\d+\.\d+", summary_section)


def test_summary_csv_and_xlsx(evil_result, tmp_path):
    csv_path = write_summary_csv(evil_result, tmp_path / "summary.csv")
    table = pd.read_csv(csv_path, keep_default_na=False, dtype=str)
    assert '\'=HYPERLINK("http://x")' in set(table["measure"])
    assert EVIL in set(table["measure"]) and EVIL in set(table["cohort"])
    suppressed = table[table["suppressed"] == "True"]
    assert len(suppressed) >= 1 and (suppressed["mean_change"] == "").all()

    xlsx_path = write_xlsx(evil_result, tmp_path / "summary.xlsx")
    book = openpyxl.load_workbook(xlsx_path)
    sheet = book["Summary"]
    header = [cell.value for cell in sheet[1]]
    measure_col = header.index("measure")
    values = [row[measure_col].value for row in sheet.iter_rows(min_row=2)]
    types = [row[measure_col].data_type for row in sheet.iter_rows(min_row=2)]
    assert '\'=HYPERLINK("http://x")' in values
    assert "f" not in types  # nothing became a formula
    flow_sheet = book["Flow"]
    assert flow_sheet.max_row == 1 + 1 + 3
    methods = [row[0].value for row in book["Method"].iter_rows(min_row=2)]
    assert "d_av" in methods


def test_spreadsheet_safe():
    assert spreadsheet_safe("=1+1") == "'=1+1"
    assert spreadsheet_safe("-x") == "'-x"
    assert spreadsheet_safe("Cohort A") == "Cohort A"
    assert spreadsheet_safe(3.5) == 3.5


# --------------------------------------------------------------------------------------------------
# charts


def test_every_chart_has_title_labels_and_n(evil_frame, evil_result):
    figures = charts.evaluation_figures(
        evil_result,
        paired_scale_scores(evil_frame),
        item_answer_distribution(evil_frame),
        invited=50,
    )
    assert set(figures) == {
        "flow",
        "slope",
        "change",
        "baseline",
        "items",
        "answers",
        "cohorts",
        "response_shift",
    }
    for name, fig in figures.items():
        assert isinstance(fig, Figure)
        ax = fig.axes[0]
        assert ax.get_title(), name
        assert ax.get_xlabel() and ax.get_ylabel(), name
        assert "n = " in all_texts(fig), name
        png = charts.figure_to_png_bytes(fig)
        assert png.startswith(b"\x89PNG")
        box = ax.title.get_window_extent()  # the title fits the picture: nothing of it is cut
        assert 0 <= box.x0 and box.x1 <= fig.bbox.width, name
    svg = charts.figure_to_svg_bytes(figures["cohorts"])
    assert svg.lstrip().startswith(b"<?xml") and b"<script" not in svg


def test_charts_do_not_switch_the_global_backend(evil_result):
    before = matplotlib.get_backend()
    charts.flow_chart(evil_result)
    assert matplotlib.get_backend() == before


def test_okabe_ito_direction_colours():
    pairs = pd.DataFrame({"pre": [1, 2, 3, 4, 2, 3], "post": [2, 2, 2, 5, 3, 3]})
    fig = charts.slope_chart(pairs, threshold=5, scale_min=1, scale_max=5)
    lines = fig.axes[0].collections[0]
    colours = {matplotlib.colors.to_hex(c).upper() for c in lines.get_colors()}
    assert colours == {charts.UP, charts.SAME, charts.DOWN}
    assert "n = 6" in fig.axes[0].get_title()


@pytest.mark.parametrize("chart", ["slope", "change", "baseline"])
def test_suppressed_individual_charts_draw_no_data(chart):
    pairs = pd.DataFrame({"pre": [1.0, 2.0, 3.0, None], "post": [2.0, 2.0, 4.0, 3.0]})
    if chart == "slope":
        fig = charts.slope_chart(pairs, threshold=5, scale_min=1, scale_max=5)
    elif chart == "change":
        fig = charts.change_histogram(pairs, threshold=5)
    else:
        fig = charts.baseline_change_scatter(pairs, threshold=5, scale_min=1, scale_max=5)
    ax = fig.axes[0]
    assert not ax.lines and not ax.collections and not ax.patches
    assert "Hidden: too few people (n = 3, fewer than 5)." in all_texts(fig)


def test_individual_charts_follow_a_secondary_decision():
    """Enough people, but the evaluation hid the group so that a smaller one cannot be worked out."""
    pairs = pd.DataFrame({"pre": [1.0, 2.0, 3.0, 2.0, 1.0], "post": [2.0, 2.0, 4.0, 3.0, 3.0]})
    scale = PairedStats(
        n=5, suppressed=True, hidden_text="hidden so that a smaller group cannot be worked out (n = 5)"
    )
    fig = charts.slope_chart(pairs, threshold=5, scale_min=1, scale_max=5, scale=scale)
    assert not fig.axes[0].collections
    text = all_texts(fig)
    assert "Hidden so that a smaller group cannot be worked out (n = 5)." in text and "5 < 5" not in text


def test_suppressed_groups_in_aggregate_charts(evil_frame):
    small = evil_frame[evil_frame["cohort"] == "Cohort C"]
    result = run_evaluation(small)
    dumbbell = charts.dumbbell_chart(result)
    assert not dumbbell.axes[0].collections  # no points
    assert "hidden: too few people (n = 3, fewer than 5)" in all_texts(dumbbell)
    bars = charts.diverging_bars_chart(item_answer_distribution(small))
    assert not bars.axes[0].patches
    cohorts = charts.cohort_chart(result)
    assert "hidden: too few people" in all_texts(cohorts)
    shift = charts.response_shift_chart(result)
    assert "Hidden: too few people" in all_texts(shift) and not shift.axes[0].patches


def test_a_cohort_hidden_by_the_complement_rule_says_so_in_the_charts(evil_result):
    texts = all_texts(charts.cohort_chart(evil_result))
    assert "hidden so that a smaller group cannot be worked out (n = 16)" in texts  # Cohort B
    assert "hidden: too few people (n = 3, fewer than 5)" in texts  # Cohort C
    assert "< 5)" not in texts


def test_dollar_signs_do_not_start_mathtext(evil_result):
    fig = charts.cohort_chart(evil_result)
    charts.figure_to_png_bytes(fig)  # would raise on unbalanced mathtext
    assert r"Team \$x\$ & co" in all_texts(fig)


def test_response_shift_chart_without_then(evil_frame):
    result = run_evaluation(evil_frame[evil_frame["wave"] != "then"])
    fig = charts.response_shift_chart(result)
    assert "No 'then'" in all_texts(fig)


def test_the_change_histogram_counts_whole_people():
    pairs = pd.DataFrame({"pre": [1.0, 2.0, 3.0, 2.0, 1.0, 3.0], "post": [2.0, 2.5, 4.0, 3.0, 3.0, 3.5]})
    fig = charts.change_histogram(pairs, threshold=5)
    fig.canvas.draw()
    ticks = [tick for tick in fig.axes[0].get_yticks() if tick >= 0]
    assert ticks and all(float(tick).is_integer() for tick in ticks), ticks


def test_xlsx_shows_figures_rounded_keeps_every_digit_and_names_items(tmp_path):
    result = run_evaluation(synthetic_scores(), threshold=5)
    labels = {item: f"Wording of {item}" for item in result.items}
    labels[next(iter(labels))] = "=CMD()"  # wording is text, never a formula
    book = openpyxl.load_workbook(write_xlsx(result, tmp_path / "s.xlsx", item_labels=labels))
    sheet = book["Summary"]
    header = [cell.value for cell in sheet[1]]
    assert header[header.index("measure") + 1] == "wording"
    rows = list(sheet.iter_rows(min_row=2))
    overall = rows[0]
    assert overall[header.index("wording")].value == "the whole scale"
    mean = overall[header.index("mean_change")]
    assert mean.value == result.scale.mean_change  # full precision kept
    assert mean.number_format == "0.00"
    assert overall[header.index("p")].number_format == '[<0.001]"< 0.001";0.000'  # as the page writes a p
    wordings = {row[header.index("measure")].value: row[header.index("wording")].value for row in rows}
    first = next(iter(result.items))
    assert wordings[first] == "'=CMD()" and all(row[header.index("wording")].data_type != "f" for row in rows)
    assert sheet.freeze_panes == "A2"
