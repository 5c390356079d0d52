"""The retrospective 'then' figures: one disclosure decision per figure, read by every output.

Each 'then' figure rests on its own group: the change from 'then' to post (who answered then and post),
the response shift, 'then' minus pre (who answered pre and then), and the "Pre, then and post" chart
(who answered all three). Whatever the plan decides for a figure, the page, its chart, the HTML and PDF
reports, the PNG/SVG downloads, ``workbook evaluate``'s JSON, the CSV and the Excel file say the same,
with that group's n.
"""

from __future__ import annotations

import html
import io
import json
import re

import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader
from widget_helpers import download_links

from workbook import identity
from workbook.apps.evaluator import KEY_ENV, EvaluatorGate
from workbook.evaluation.command import main as evaluate
from workbook.manager.content import instrument
from workbook.manager.scores import insert_score_rows, scores_frame
from workbook.store import utcnow

KEY = "unit-test-evaluator-key-0123456789"
SHIFT = "Response shift ('then' minus pre)"
THEN = "Change from 'then' to post"
THREE = "Pre, retrospective 'then' and post"


@pytest.fixture(autouse=True)
def keyed(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    monkeypatch.delenv("WORKBOOK_ANONYMITY_THRESHOLD", raising=False)  # the default, 5


def seed(store, waves_of: list[tuple[str, ...]], cohort: str = "Spring 2025") -> None:
    """One manager per entry of ``waves_of`` in ``cohort``, answering every item in those waves: pre 2 or
    3, 'then' one lower, post 4 or 5 (so that the changes differ from person to person)."""
    items = instrument().item_ids
    people = [
        identity.add_participant(store, f"Manager {k}", cohort=cohort).person for k in range(len(waves_of))
    ]
    score = {"pre": lambda k: 2 + k % 2, "then": lambda k: 1 + k % 2, "post": lambda k: 4 + (k % 3 == 0)}
    rows = [
        {
            "participant_id": person.id,
            "wave": wave,
            "item": item,
            "score": float(score[wave](k)),
            "answered_at": utcnow(),
        }
        for k, (person, waves) in enumerate(zip(people, waves_of, strict=True))
        for wave in waves
        for item in items
    ]
    with store.write() as session:
        insert_score_rows(session, rows)


def with_then(matched: int, then: int) -> list[tuple[str, ...]]:
    """``matched`` managers with pre and post, the first ``then`` of them with 'then' as well."""
    return [("pre", "post", "then") if k < then else ("pre", "post") for k in range(matched)]


def words(text: str) -> str:
    """Text as read: tags out, entities decoded, every run of white space one space."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def outputs(store, tmp_path) -> dict:
    """Everything that shows the figures: the page (headline, summary, chart, caption), its downloads, and
    ``workbook evaluate``'s JSON, CSV and Excel file of the same store."""
    gate = EvaluatorGate(store)
    assert gate.try_key(KEY)
    board = gate.dashboard
    assert board.computed is not None and board.computed.refused is None
    board.prepare_downloads()
    files = download_links(board.downloads.value)
    assert files, board.status.value
    out = tmp_path / "result.json"
    argv = ["--json", str(out), "--summary-csv", str(tmp_path / "s.csv"), "--xlsx", str(tmp_path / "s.xlsx")]
    assert evaluate(argv, store_loader=lambda: scores_frame(store)) == 0
    pdf = PdfReader(io.BytesIO(files["pdf"][2]))
    return {
        "board": board,
        "page": words(str(board.headline.value) + str(board.summary.value)),
        "caption": words(
            str(board.captions["response_shift"].value) + str(board.images["response_shift"].value)
        ),
        "chart": board.computed.figures["response_shift"],
        "files": files,
        "downloads": words(board.downloads.value),
        "html": words(files["html"][2].decode("utf-8")),
        "pdf": " ".join(" ".join(page.extract_text() for page in pdf.pages).split()),
        "json": json.loads(out.read_text(encoding="utf-8")),
        "csv": [pd.read_csv(io.BytesIO(files["csv"][2])), pd.read_csv(tmp_path / "s.csv")],
        "xlsx": [
            openpyxl.load_workbook(io.BytesIO(files["xlsx"][2]))["Summary"],
            openpyxl.load_workbook(tmp_path / "s.xlsx")["Summary"],
        ],
    }


def chart_texts(fig) -> str:
    ax = fig.axes[0]
    return " ".join([ax.get_title(), *(t.get_text() for t in ax.texts)]).replace("\n", " ")


def summary_row(frame: pd.DataFrame, comparison: str) -> pd.Series:
    [row] = frame[(frame.measure == "scale") & (frame.comparison == comparison)].to_dict("records")
    return pd.Series(row)


def sheet_row(sheet, comparison: str) -> dict:
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    [row] = [
        dict(zip(header, r, strict=True)) for r in rows[1:] if r[header.index("comparison")] == comparison
    ]
    return row


def test_a_then_group_below_the_threshold_is_hidden_in_every_output_at_once(store, tmp_path):
    seed(store, with_then(10, 4))  # pre and post: 10 people, shown; 'then': 4, too few
    got = outputs(store, tmp_path)
    hidden = "hidden: too few people (n = 4, fewer than 5)"
    shift_line = f"{SHIFT}, n = 4 who answered pre and then: {hidden}"
    then_line = f"{THEN}, n = 4 who answered then and post: {hidden}"
    not_drawn = f"Not drawn: {THREE} (n = 4 who answered pre, then and post): {hidden}."
    shift = got["board"].computed.result.scale.response_shift

    # the page: each figure's own line, with its own group, and no figure of it
    page = got["page"]
    assert f"{SHIFT}, n = 4 who answered pre and then {hidden}" in page
    assert f"{THEN}, n = 4 who answered then and post {hidden}" in page
    assert "scale then vs pre 4 / 10 " + hidden in page and "scale post vs then 4 / 10 " + hidden in page
    assert got["board"].computed.result.scale.mean_change is not None  # the pre/post figures are shown
    # the chart: its placeholder, no bar, and why
    assert not got["chart"].axes[0].patches
    assert "n = 4 who answered pre, then and post" in chart_texts(got["chart"])
    assert "Hidden: too few people (n = 4, fewer than 5)." in chart_texts(got["chart"])
    assert not_drawn in got["caption"]
    # the downloads: no picture of it, and the list says why
    assert {"slope-png", "slope-svg"} <= set(got["files"])
    assert "response_shift-png" not in got["files"] and "response_shift-svg" not in got["files"]
    assert not_drawn in got["downloads"]  # the list of files says why that one is not there
    # the reports
    for report in (got["html"], got["pdf"]):
        assert f"{shift_line}." in report and f"{then_line}." in report
        assert not_drawn in report
    # the JSON, the CSV and the Excel file
    data = got["json"]["scale"]
    assert data["response_shift"]["suppressed"] is True and data["response_shift"]["n"] == 4
    assert (
        data["response_shift"]["mean_shift"] is None and data["response_shift"]["three_waves"]["suppressed"]
    )
    assert data["then"]["suppressed"] is True and data["then"]["n"] == 4
    assert shift.suppressed and shift.three_waves.suppressed
    for frame in got["csv"]:
        for comparison in ("then vs pre", "post vs then"):
            row = summary_row(frame, comparison)
            assert row.suppressed and row.n == 4 and row.why_hidden == hidden and pd.isna(row.mean_change)
    for sheet in got["xlsx"]:
        for comparison in ("then vs pre", "post vs then"):
            row = sheet_row(sheet, comparison)
            assert row["suppressed"] is True and row["n"] == 4 and row["why_hidden"] == hidden
            assert row["mean_change"] is None and row["p"] is None


def test_the_same_store_with_the_then_group_at_the_threshold_shows_it_everywhere(store, tmp_path):
    seed(store, with_then(10, 5))
    got = outputs(store, tmp_path)
    shift = got["board"].computed.result.scale.response_shift
    assert not shift.suppressed and shift.n == 5 and not shift.three_waves.suppressed
    change = f"{shift.mean_shift:+.2f}"
    three = shift.three_waves
    means = f"pre {three.pre_mean:.2f}, then {three.then_mean:.2f}, post {three.post_mean:.2f}"

    assert f"{SHIFT}, n = 5 who answered pre and then {change} (95% CI" in got["page"]
    assert f"{THREE}, n = 5 who answered pre, then and post {means}" in got["page"]
    bars = got["chart"].axes[0].patches
    assert len(bars) == 3 and "n = 5 who answered pre, then and post" in chart_texts(got["chart"])
    assert [round(bar.get_height(), 6) for bar in bars] == [
        round(v, 6) for v in (three.pre_mean, three.then_mean, three.post_mean)
    ]
    assert "Not drawn" not in got["caption"] and means in got["caption"]
    assert got["files"]["response_shift-png"][2].startswith(b"\x89PNG")
    assert b"<svg" in got["files"]["response_shift-svg"][2][:500]
    assert "Not drawn" not in got["downloads"]
    for report in (got["html"], got["pdf"]):
        assert f"{SHIFT}, n = 5 who answered pre and then: {change} (95% CI" in report
        assert f"{THREE}, n = 5 who answered pre, then and post: {means}." in report
        assert "Not drawn" not in report
    data = got["json"]["scale"]["response_shift"]
    assert (
        data["suppressed"] is False
        and data["n"] == 5
        and data["mean_shift"] == pytest.approx(shift.mean_shift)
    )
    for frame in got["csv"]:
        row = summary_row(frame, "then vs pre")
        assert not row.suppressed and row.n == 5 and row.mean_change == pytest.approx(shift.mean_shift)
        assert row.pre_mean == pytest.approx(shift.pre_mean) and row.post_mean == pytest.approx(
            shift.then_mean
        )
    for sheet in got["xlsx"]:
        row = sheet_row(sheet, "then vs pre")
        assert row["suppressed"] is False and row["mean_change"] == pytest.approx(shift.mean_shift)


def test_each_then_figure_states_the_n_of_its_own_group(store, tmp_path):
    """The issue's cohort: 6 answered pre and then, 7 then and post. The change from 'then' to post
    (7 people) is hidden, so that the seventh person's post score cannot be worked out from the pre/post
    figures of 6; the response shift (6) and the three waves (6) are shown, each with its own n."""
    seed(store, [("pre", "post", "then")] * 6 + [("post", "then"), ()])
    got = outputs(store, tmp_path)
    result = got["board"].computed.result
    assert result.scale.n == 6 and result.scale.then.n == 7 and result.scale.response_shift.n == 6
    hidden = "hidden so that a smaller group cannot be worked out (n = 7)"
    shift = result.scale.response_shift
    change = f"{shift.mean_shift:+.2f}"

    assert f"{THEN}, n = 7 who answered then and post {hidden}" in got["page"]
    assert f"{SHIFT}, n = 6 who answered pre and then {change}" in got["page"]
    assert "Response shift: hidden" not in got["page"] and "(with a 'then' answer" not in got["page"]
    assert len(got["chart"].axes[0].patches) == 3
    assert "n = 6 who answered pre, then and post" in chart_texts(got["chart"])
    for report in (got["html"], got["pdf"]):
        assert f"{THEN}, n = 7 who answered then and post: {hidden}." in report
        assert f"{SHIFT}, n = 6 who answered pre and then: {change}" in report
    data = got["json"]["scale"]
    assert data["then"]["suppressed"] is True and data["then"]["n"] == 7
    assert data["response_shift"]["suppressed"] is False and data["response_shift"]["n"] == 6
    for frame in got["csv"]:
        assert summary_row(frame, "post vs then").suppressed and summary_row(frame, "post vs then").n == 7
        assert not summary_row(frame, "then vs pre").suppressed and summary_row(frame, "then vs pre").n == 6


def test_the_excel_file_shows_a_p_as_the_page_does(store, tmp_path):
    seed(store, with_then(10, 5))
    got = outputs(store, tmp_path)
    scale = got["board"].computed.result.scale
    assert scale.p < 0.001 and "p < 0.001" in got["page"]
    for sheet in got["xlsx"]:
        header = [cell.value for cell in sheet[1]]
        cell = sheet.cell(row=2, column=header.index("p") + 1)
        assert cell.value == pytest.approx(scale.p)  # the exact value stays for formulas
        assert cell.number_format == '[<0.001]"< 0.001";0.000'  # shows "< 0.001"; 0.012 as "0.012"
        wilcoxon = sheet.cell(row=2, column=header.index("wilcoxon_p") + 1)
        assert wilcoxon.number_format == cell.number_format
        assert sheet.cell(row=2, column=header.index("mean_change") + 1).number_format == "0.00"
    from workbook.evaluation.format import fmt_p, p_number_format

    assert p_number_format() == cell.number_format  # one definition of how a p is written
    assert fmt_p(0.0004) == "< 0.001" and fmt_p(0.0123) == "0.012"


def test_download_names_carry_the_cohorts_and_the_phase(store):
    seed(store, with_then(6, 0), cohort="Spring 2025")
    seed(store, with_then(5, 0), cohort="Équipe <b>nord</b>")
    gate = EvaluatorGate(store)
    assert gate.try_key(KEY)
    board = gate.dashboard

    def names() -> list[str]:
        board.prepare_downloads()
        return [name for name, _mime, _data in download_links(board.downloads.value).values()]

    everyone = names()
    assert everyone and all("-all-cohorts-pre-post-" in name for name in everyone), everyone
    assert any(name.startswith("evaluation-summary-all-cohorts-pre-post-") for name in everyone)
    board.cohorts.value = ("Équipe <b>nord</b>",)
    one = names()
    assert all(re.fullmatch(r"[a-z0-9_.+-]+", name) for name in one), one
    assert any(name.startswith("evaluation-report-equipe-b-nord-b-pre-post-") for name in one), one
    board.cohorts.value = ("Spring 2025",)
    board.phase.value = "then"
    assert any(name.startswith("evaluation-summary-spring-2025-then-post-") for name in names())


def test_a_then_figure_shown_while_the_pre_post_ones_are_hidden_is_on_the_page_as_in_the_report(store):
    """3 answered pre and post (too few), 10 then and post: the change from 'then' to post is shown
    in the reports, and so on the page, which used to drop every 'then' line with the pre/post ones."""
    from workbook.evaluation.report import render_html_report

    seed(store, [("pre", "post", "then")] * 3 + [("post", "then")] * 7)
    gate = EvaluatorGate(store)
    assert gate.try_key(KEY)
    computed = gate.dashboard.computed
    result = computed.result
    assert result.scale.suppressed and not result.scale.then.suppressed and result.scale.then.n == 10
    change = f"{result.scale.then.mean_change:+.2f}"
    page = words(str(gate.dashboard.headline.value))
    assert "The before-and-after figures are not shown for this selection" in page
    assert f"{THEN}, n = 10 who answered then and post {change} (95% CI" in page
    assert f"{SHIFT}, n = 3 who answered pre and then hidden: too few people (n = 3, fewer than 5)" in page
    report = words(render_html_report(computed.shown, pngs=computed.pngs))
    assert f"{THEN}, n = 10 who answered then and post: {change} (95% CI" in report
