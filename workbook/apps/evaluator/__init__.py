"""The evaluator's app: before-and-after analysis of the comfort and skill check, with every figure
defined, filters by whole cohort and programme phase, charts and downloads.

What the page may show: aggregated figures only, as :mod:`workbook.evaluation.disclosure` decides
(nothing for a group under the anonymity threshold, nor anything from which such a group could be
worked out by difference; a selection is made of whole cohorts whose figures are shown, or refused
with the reason); no names, no free text.

The package, one job per module:

- ``gate``: the key or access code check, and :func:`evaluator_app` (imports nothing heavy);
- ``dashboard``: the widgets, their filters and status, loaded once the gate opens;
- ``data``: what is read from the store (scores, cohorts, reaction, conversation counts) and hidden as
  the disclosure plan says;
- ``views`` and ``templates/``: the HTML of the figures (Jinja, autoescaped), ``describe``: the charts'
  text equivalents;
- ``downloads``: the files (CSV, Excel, HTML and PDF report, charts) as links;
- ``runner``: slow work on a worker thread inside a kernel.

Statistics, charts and reports are :mod:`workbook.evaluation`'s; this package formats and shows them.
"""

from __future__ import annotations

from typing import Any

from workbook.apps.evaluator.gate import KEY_ENV, EvaluatorGate, evaluator_app, key_matches

__all__ = ["EvaluatorDashboard", "EvaluatorGate", "KEY_ENV", "evaluator_app", "key_matches"]


def __getattr__(name: str) -> Any:
    """The dashboard loads on first use: importing the gate must stay light."""
    if name == "EvaluatorDashboard":
        from workbook.apps.evaluator.dashboard import EvaluatorDashboard

        return EvaluatorDashboard
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
