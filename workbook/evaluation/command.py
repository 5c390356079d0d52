"""``workbook evaluate``: analyse a scores CSV and write the JSON result plus optional report files.

Bad input (an unreadable CSV, a threshold below 3, a wrong scale) ends with exit status 2 and one clear
line on stderr, never a traceback; a file that cannot be written ends with status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from workbook.config import DEFAULT_THRESHOLD, anonymity_threshold, check_threshold
from workbook.evaluation.result import EvaluationResult
from workbook.evaluation.stats import (
    evaluate_tables,
    item_answer_distribution,
    paired_scale_scores,
    score_tables,
)
from workbook.progress import progress_bar
from workbook.scores_frame import (
    SYNTHETIC_LABEL,
    ScoresInputError,
    latest_scores,
    read_scores_csv,
    titled,
    validate_scores_frame,
)

PROG = "workbook evaluate"


def load_store_scores(*, include_demo: bool = False) -> tuple[pd.DataFrame, Any]:
    """The scores of the store's cohorts that count, in the long format (pseudonymous ids), with the
    CohortScope that chose them (the synthetic demo cohorts only when asked or alone), for a run
    without --scores."""
    from workbook.manager.scores import counted_scores
    from workbook.store import Store

    return counted_scores(Store(), include_demo=include_demo)


REPORT_TITLE = "Career-conversation coaching: evaluation report"


class _UsageError(Exception):
    """Raised instead of argparse's print-usage-and-exit, so every error is one line and returns 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(message)


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed so the main ``workbook`` CLI can show the same help)."""
    parser = _Parser(
        prog=PROG,
        description=(
            "Paired pre/post analysis of the comfort scores: flow, mean change with 95% CI, paired t, "
            "Wilcoxon, effect sizes, normalised gain, response shift; groups under the anonymity "
            "threshold show counts only."
        ),
    )
    parser.add_argument("--scores", metavar="FILE.csv", help="long-format scores CSV (UTF-8)")
    parser.add_argument("--scale-min", type=_number, default=1, help="lowest answer on the scale (default 1)")
    parser.add_argument(
        "--scale-max", type=_number, default=5, help="highest answer on the scale (default 5)"
    )
    parser.add_argument(
        "--threshold",
        type=int,
        default=None,
        help=(
            f"anonymity threshold, at least 3 (default: WORKBOOK_ANONYMITY_THRESHOLD or {DEFAULT_THRESHOLD})"
        ),
    )
    parser.add_argument("--json", required=True, metavar="OUT.json", help="where to write the result")
    parser.add_argument("--report", metavar="OUT.html", help="also write a self-contained HTML report")
    parser.add_argument(
        "--pdf", metavar="OUT.pdf", help="also write the report as a PDF (headline, summary table, charts)"
    )
    parser.add_argument("--xlsx", metavar="OUT.xlsx", help="also write the summary as an Excel workbook")
    parser.add_argument("--summary-csv", metavar="OUT.csv", help="also write the summary table as CSV")
    parser.add_argument(
        "--synthetic", action="store_true", help="label the report as synthetic demo data (not real people)"
    )
    parser.add_argument(
        "--include-late",
        action="store_true",
        help=(
            "count answers given after a later wave had opened (marked late; by default they are left out "
            "of the figures and counted in the flow as 'late')"
        ),
    )
    parser.add_argument(
        "--include-demo",
        action="store_true",
        help=(
            "with the store: count the synthetic cohorts of `workbook demo` next to real ones (they are "
            "left out once a real cohort exists); every output then says so in its title"
        ),
    )
    parser.add_argument(
        "--progress", action="store_true", help="show a progress bar on stderr even when it is not a terminal"
    )
    return parser


def _error(message: str) -> None:
    sys.stderr.write(f"{PROG}: error: {' '.join(str(message).split())}\n")


def _write_json(result: EvaluationResult, path: Path, demo_data: dict[str, Any]) -> None:
    """The result, then `demo_data`: whether the figures hold synthetic demo data (`label`), which demo
    cohorts they count (`included`) and which they leave out (`left_out`)."""
    document = {**result.model_dump(mode="json"), "demo_data": demo_data}
    text = json.dumps(document, allow_nan=False, indent=2, ensure_ascii=False)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    os.replace(tmp, path)


class _WriteError(Exception):
    """An output file could not be written (the message names the option and the file)."""


def _evaluate(
    args: argparse.Namespace, store_loader: Callable[[], pd.DataFrame] | None, bar: Any
) -> tuple[EvaluationResult, Any, int, dict[str, Any]]:
    """Read and check the scores, then run the evaluation; one bar step for each of the three stages.
    Also returns what the outputs say of synthetic demo data (the JSON's `demo_data`)."""
    threshold = check_threshold(anonymity_threshold() if args.threshold is None else args.threshold)
    if args.scale_min >= args.scale_max:
        raise ValueError(f"--scale-min ({args.scale_min:g}) must be below --scale-max ({args.scale_max:g})")
    if args.scores and args.include_demo:
        raise ValueError("--include-demo is for the store's scores; it cannot be used with --scores")
    bar.set_postfix_str("reading the scores")
    demo_data: dict[str, Any] = {"label": None, "included": [], "left_out": []}
    if args.scores:
        frame = read_scores_csv(args.scores, scale_min=args.scale_min, scale_max=args.scale_max)
    else:
        if store_loader is not None:
            loaded = store_loader()
        else:
            loaded, scope = load_store_scores(include_demo=args.include_demo)
            demo_data = scope.as_json()
        frame = validate_scores_frame(
            loaded,
            scale_min=args.scale_min,
            scale_max=args.scale_max,
            allow_duplicates=True,
            source="store",
        )
        frame = latest_scores(frame)
    bar.update()
    bar.set_postfix_str("tables")
    tables = score_tables(frame, include_late=args.include_late)
    bar.update()
    bar.set_postfix_str("statistics")
    result = evaluate_tables(tables, scale_min=args.scale_min, scale_max=args.scale_max, threshold=threshold)
    bar.update()
    if args.synthetic:
        demo_data["label"] = SYNTHETIC_LABEL
    return result, tables, threshold, demo_data


def _write_outputs(
    args: argparse.Namespace,
    result: EvaluationResult,
    tables: Any,
    threshold: int,
    bar: Any,
    demo_data: dict[str, Any],
) -> list[tuple[str, str]]:
    """Write the JSON and every file asked for; a file that cannot be written raises _WriteError.
    Figures with synthetic demo data say so in every file's title."""
    outputs = [("--json", args.json)]
    charts: dict[str, Any] = {}
    label = demo_data["label"]
    title = titled(REPORT_TITLE, label)
    synthetic = label == SYNTHETIC_LABEL  # the report's banner: every figure is of invented people

    def chart_data() -> dict[str, Any]:
        if not charts:
            charts["pairs"] = paired_scale_scores(tables)
            charts["distribution"] = item_answer_distribution(  # items hidden as the result hides them
                tables, scale_min=args.scale_min, scale_max=args.scale_max, threshold=threshold, result=result
            )
        return charts

    try:
        _write_json(result, Path(args.json), demo_data)
        if args.report:
            outputs.append(("--report", args.report))
            bar.set_postfix_str("HTML report")
            from workbook.evaluation.report import write_html_report

            write_html_report(result, args.report, synthetic=synthetic, title=title, **chart_data())
            bar.update()
        if args.pdf:
            outputs.append(("--pdf", args.pdf))
            bar.set_postfix_str("PDF report")
            from workbook.evaluation.pdf_report import write_pdf_report

            write_pdf_report(result, args.pdf, synthetic=synthetic, title=title, **chart_data())
            bar.update()
        if args.xlsx:
            outputs.append(("--xlsx", args.xlsx))
            from workbook.evaluation.report import write_xlsx
            from workbook.manager.content import instrument

            write_xlsx(
                result,
                args.xlsx,
                item_labels={item.id: item.short for item in instrument().items},
                data_label=label,
            )
            bar.update()
        if args.summary_csv:
            outputs.append(("--summary-csv", args.summary_csv))
            from workbook.evaluation.report import write_summary_csv

            write_summary_csv(result, args.summary_csv, data_label=label)
            bar.update()
    except OSError as exc:
        option, target = outputs[-1]
        raise _WriteError(f"cannot write {option} {target}: {exc.strerror or exc}") from exc
    return outputs


def main(argv: list[str] | None = None, *, store_loader: Callable[[], pd.DataFrame] | None = None) -> int:
    """Run ``workbook evaluate``; returns the exit status (0 ok, 1 cannot write, 2 bad input)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:
        _error(exc)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)

    steps = 3 + sum(bool(option) for option in (args.report, args.pdf, args.xlsx, args.summary_csv))
    with progress_bar(steps, "Evaluating", show=True if args.progress else None) as bar:
        try:
            result, tables, threshold, demo_data = _evaluate(args, store_loader, bar)
        except (ScoresInputError, ValueError) as exc:
            bar.close()
            _error(exc)
            return 2
        try:
            outputs = _write_outputs(args, result, tables, threshold, bar, demo_data)
        except _WriteError as exc:
            bar.close()
            _error(str(exc))
            return 1

    flow = result.flow
    late = ""
    if flow.late:
        late = f"; {flow.late} with late answers, {'included' if result.late_included else 'left out'}"
    left_out = ", ".join(demo_data["left_out"])
    print(
        f"Analysed {flow.participants} participants ({flow.matched} matched pre-post{late})"
        + (f" ({demo_data['label']})" if demo_data["label"] else "")
        + (f"; left out the synthetic demo cohorts {left_out} (--include-demo)" if left_out else "")
        + f"; wrote {', '.join(str(target) for _, target in outputs)}"
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
