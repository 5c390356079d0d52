"""The evaluator's side: paired pre/post statistics, charts, reports and the ``workbook evaluate`` command.

Charts and reports only read the result of :func:`run_evaluation` (and the per-participant scale scores
for the charts that draw individuals); nothing here reads the store directly.

The names below load on first use, so that importing a light module of this package (``format``) does
not import pandas and scipy.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "DEFAULT_THRESHOLD": "workbook.config",
    "MIN_THRESHOLD": "workbook.config",
    "check_threshold": "workbook.config",
    "EvaluationResult": "workbook.evaluation.result",
    "METHOD": "workbook.evaluation.stats",
    "PairedStats": "workbook.evaluation.result",
    "STAT_KEYS": "workbook.evaluation.stats",
    "ScoreTables": "workbook.evaluation.stats",
    "cronbach_alpha": "workbook.evaluation.stats",
    "evaluate_tables": "workbook.evaluation.stats",
    "filter_scores": "workbook.evaluation.stats",
    "item_answer_distribution": "workbook.evaluation.stats",
    "paired_scale_scores": "workbook.evaluation.stats",
    "paired_stats": "workbook.evaluation.stats",
    "run_evaluation": "workbook.evaluation.stats",
    "score_tables": "workbook.evaluation.stats",
    "summary_frame": "workbook.evaluation.summary",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
