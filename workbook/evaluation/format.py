"""How figures are written, in one place for the page, the HTML report, the PDF and the spreadsheets.

Light on purpose (no pandas, no scipy): the evaluator's page builds its chart boxes from
:data:`CHART_TITLES` before the statistics are imported.
"""

from __future__ import annotations

from typing import Any

DASH = "—"

# Every chart in page order, with its title: one definition for the page, the HTML report and the PDF.
CHART_TITLES: dict[str, str] = {
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


def missing(value: Any) -> bool:
    """True for None, NaN and pandas' missing values (whose truth is undefined)."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except TypeError:  # pandas.NA
        return True


def fmt(value: Any, digits: int = 2, *, signed: bool = False) -> str:
    """A figure as text: a dash when missing, yes/no for a flag, integers without decimals."""
    if missing(value):
        return DASH
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:+d}" if signed else str(value)
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def fmt_p(value: Any) -> str:
    """A p-value: three decimals, or "< 0.001"."""
    if missing(value):
        return DASH
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def p_phrase(value: Any) -> str:
    """A p-value in a sentence: "p = 0.012" or "p < 0.001"."""
    text = fmt_p(value)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def fmt_ci(ci: Any) -> str:
    """A 95% confidence interval as "+0.12 to +0.56"."""
    if not ci or missing(ci[0]) or missing(ci[1]):
        return DASH
    return f"{ci[0]:+.2f} to {ci[1]:+.2f}"


def hake_band(gain: Any) -> str:
    """Where a normalised gain falls on Hake's bands (empty when the gain is undefined)."""
    if missing(gain):
        return ""
    if gain < 0.3:
        return "low on Hake's bands (below 0.3)"
    if gain <= 0.7:
        return "medium on Hake's bands (0.3 to 0.7)"
    return "high on Hake's bands (above 0.7)"


def sentence(text: str) -> str:
    """A phrase as a sentence: capital first letter, full stop."""
    return text[:1].upper() + text[1:] + "."


def reaction_label(question: str) -> str:
    """A short name of a reaction question ("confidence_to_apply" -> "Confidence to apply")."""
    return question.replace("_", " ").capitalize()
