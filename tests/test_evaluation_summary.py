"""One summary row, typed once and worded once for the page, the HTML report and the PDF; the evaluator's
gate imports nothing heavy."""

from __future__ import annotations

import subprocess
import sys

from workbook.demo_scores import synthetic_scores
from workbook.evaluation import run_evaluation
from workbook.evaluation.format import DASH, hake_band
from workbook.evaluation.report import render_html_report
from workbook.evaluation.summary import (
    SUMMARY_COLUMNS,
    SummaryRow,
    summary_cells,
    summary_frame,
    summary_rows,
)


def result():
    return run_evaluation(synthetic_scores(), threshold=5)


def test_rows_are_typed_and_the_frame_keeps_its_columns():
    evaluation = result()
    rows = summary_rows(evaluation)
    assert all(isinstance(row, SummaryRow) for row in rows)
    assert rows[0].group == "All participants" and rows[0].measure == "scale"
    frame = summary_frame(evaluation)
    assert list(frame.columns) == list(SUMMARY_COLUMNS) and len(frame) == len(rows)
    assert str(frame["df"].dtype) == "Int64" and frame["suppressed"].dtype == bool
    assert frame["pre_mean"].iloc[0] == evaluation.scale.pre_mean


def test_a_hidden_row_keeps_its_counts_and_says_why():
    evaluation = result()
    hidden = next(row for row in summary_rows(evaluation) if row.stats.suppressed)
    cells = summary_cells(hidden)
    assert cells.n == f"{hidden.stats.n} / {hidden.participants}"
    assert cells.why == hidden.stats.hidden_text
    assert cells.why.startswith(("too few people", "hidden so that"))
    assert cells.pre == cells.post == cells.improved == cells.change == DASH


def test_the_html_report_words_rows_and_bands_as_the_formatter_does():
    evaluation = result()
    report = render_html_report(evaluation)
    shown = summary_cells(summary_rows(evaluation)[0])
    for text in (shown.pre, shown.post, shown.ci, shown.improved):
        assert text in report
    band = hake_band(evaluation.scale.normalized_gain)
    assert band and band.replace("'", "&#39;") in report


def test_the_gate_imports_nothing_heavy():
    code = (
        "import sys\n"
        "from workbook.apps.evaluator import KEY_ENV, EvaluatorGate, evaluator_app, key_matches\n"
        "heavy = ('scipy', 'pandas', 'matplotlib', 'workbook.evaluation.stats',\n"
        "         'workbook.apps.evaluator.dashboard')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_definition_has_words_for_people_without_code():
    """The page explains each figure in words; the exact method (formulas, options) stays in METHOD."""
    from workbook.evaluation.format import IN_WORDS
    from workbook.evaluation.stats import METHOD

    assert set(IN_WORDS) == set(METHOD)
    for key, text in IN_WORDS.items():
        for code in ("scipy", "ddof", "zero_method", "=", "sqrt", "×", "correction"):
            assert code not in text, (key, code)
