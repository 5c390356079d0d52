"""The evaluator's side: paired pre/post statistics, charts, reports and the ``workbook evaluate`` command.

Charts and reports only read the result of :func:`run_evaluation` (and the per-participant scale scores
for the charts that draw individuals); nothing here reads the store directly.
"""

from workbook.config import DEFAULT_THRESHOLD, MIN_THRESHOLD, check_threshold
from workbook.evaluation.stats import (
    METHOD,
    STAT_KEYS,
    ScoreTables,
    cronbach_alpha,
    evaluate_tables,
    filter_scores,
    item_answer_distribution,
    paired_scale_scores,
    paired_stats,
    run_evaluation,
    score_tables,
    summary_frame,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "METHOD",
    "MIN_THRESHOLD",
    "STAT_KEYS",
    "ScoreTables",
    "check_threshold",
    "cronbach_alpha",
    "evaluate_tables",
    "filter_scores",
    "item_answer_distribution",
    "paired_scale_scores",
    "paired_stats",
    "run_evaluation",
    "score_tables",
    "summary_frame",
]
