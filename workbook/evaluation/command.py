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
from workbook.evaluation.stats import (
    evaluate_tables,
    item_answer_distribution,
    paired_scale_scores,
    score_tables,
)
from workbook.scores_frame import ScoresInputError, latest_scores, read_scores_csv, validate_scores_frame

PROG = "workbook evaluate"


def load_store_scores() -> pd.DataFrame:
    """The store's scores in the long format (pseudonymous ids), for a run without --scores."""
    from workbook.manager.scores import scores_frame
    from workbook.store import Store

    return scores_frame(Store())


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
    parser.add_argument("--xlsx", metavar="OUT.xlsx", help="also write the summary as an Excel workbook")
    parser.add_argument("--summary-csv", metavar="OUT.csv", help="also write the summary table as CSV")
    parser.add_argument(
        "--synthetic", action="store_true", help="label the report as synthetic demo data (not real people)"
    )
    return parser


def _error(message: str) -> None:
    sys.stderr.write(f"{PROG}: error: {' '.join(str(message).split())}\n")


def _write_json(result: dict[str, Any], path: Path) -> None:
    text = json.dumps(result, allow_nan=False, indent=2, ensure_ascii=False)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    os.replace(tmp, path)


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

    try:
        threshold = check_threshold(anonymity_threshold() if args.threshold is None else args.threshold)
        if args.scale_min >= args.scale_max:
            raise ValueError(
                f"--scale-min ({args.scale_min:g}) must be below --scale-max ({args.scale_max:g})"
            )
        if args.scores:
            frame = read_scores_csv(args.scores, scale_min=args.scale_min, scale_max=args.scale_max)
        else:
            loader = store_loader or load_store_scores
            frame = validate_scores_frame(
                loader(),
                scale_min=args.scale_min,
                scale_max=args.scale_max,
                allow_duplicates=True,
                source="store",
            )
            frame = latest_scores(frame)
        tables = score_tables(frame)
        result = evaluate_tables(
            tables, scale_min=args.scale_min, scale_max=args.scale_max, threshold=threshold
        )
    except (ScoresInputError, ValueError) as exc:
        _error(exc)
        return 2

    outputs = [("--json", args.json)]
    try:
        _write_json(result, Path(args.json))
        if args.report:
            outputs.append(("--report", args.report))
            from workbook.evaluation.report import write_html_report

            write_html_report(
                result,
                args.report,
                pairs=paired_scale_scores(tables),
                distribution=item_answer_distribution(
                    tables, scale_min=args.scale_min, scale_max=args.scale_max, threshold=threshold
                ),
                synthetic=args.synthetic,
            )
        if args.xlsx:
            outputs.append(("--xlsx", args.xlsx))
            from workbook.evaluation.report import write_xlsx

            write_xlsx(result, args.xlsx)
        if args.summary_csv:
            outputs.append(("--summary-csv", args.summary_csv))
            from workbook.evaluation.report import write_summary_csv

            write_summary_csv(result, args.summary_csv)
    except OSError as exc:
        option, target = outputs[-1]
        _error(f"cannot write {option} {target}: {exc.strerror or exc}")
        return 1

    flow = result["flow"]
    print(
        f"Analysed {flow['participants']} participants ({flow['matched']} matched pre-post); "
        f"wrote {', '.join(str(target) for _, target in outputs)}"
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
