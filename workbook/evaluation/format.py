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


P_DECIMALS = 3
P_FLOOR = 10.0**-P_DECIMALS  # a p below this is written "< 0.001", not as 0.000


def fmt_p(value: Any) -> str:
    """A p-value: three decimals, or "< 0.001"."""
    if missing(value):
        return DASH
    return f"< {P_FLOOR:.{P_DECIMALS}f}" if value < P_FLOOR else f"{value:.{P_DECIMALS}f}"


def p_number_format() -> str:
    """What :func:`fmt_p` writes, as a spreadsheet number format: the cell keeps the exact p and shows
    "< 0.001" below the floor, three decimals otherwise (Excel's and LibreOffice's conditional format)."""
    floor = f"{P_FLOOR:.{P_DECIMALS}f}"
    return f'[<{floor}]"< {floor}";0.{"0" * P_DECIMALS}'


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


# What each figure means, in words for the page and the reports. The exact method of each (formulas, the
# test's options) is in ``stats.METHOD``, which the page shows under "Method" and the JSON file carries.
IN_WORDS: dict[str, str] = {
    "t": (
        "Is the average change bigger than chance would give? The paired t-test compares each person's "
        "change with no change at all; a small p (below 0.05) means the change is unlikely to be chance."
    ),
    "wilcoxon": (
        "The same question asked without assuming the changes follow a bell curve: it uses only whether "
        "each change is up or down and how large it is compared with the others."
    ),
    "d_z": "How big the average change is compared with how much the changes differ from person to person.",
    "d_av": "How big the average change is compared with how much the scores themselves differ.",
    "g_z": "The same as d_z, corrected so that it does not overstate the effect in a small group.",
    "normalized_gain": (
        "How much of the room left for improvement was used: 0 means none, 1 means everyone reached the top "
        "of the scale. Below 0.3 is usually called low, 0.3 to 0.7 medium, above 0.7 high."
    ),
    "pct_change_of_means": (
        "How much the average score rose, as a percentage of the average before. It depends on how the "
        "answers are numbered, so compare it only with figures from the same scale."
    ),
    "alpha": (
        "How consistently the questions measure one thing (Cronbach's alpha): 0.7 or more is usually "
        "taken as good enough to add the answers up into one score."
    ),
    "pct_improved": "The share of people whose score went up, stayed the same or went down.",
    "pct_at_ceiling_pre": (
        "The share of people who already gave the highest answers before: their score cannot show a rise."
    ),
    "scale_score": (
        "Each person's score is the average of their answers in that round; if they changed an answer, "
        "the last one counts."
    ),
    "matched": (
        "Only people who answered both rounds are compared; everyone else is counted in the flow but left "
        "out of the before-and-after figures."
    ),
    "late": (
        "An answer given to a round after the next round had opened (for example a 'before' answer given "
        "after the programme) is kept but left out, so the answer given on time counts; it is counted in "
        "the flow as late."
    ),
    "then": (
        "'Then' is asked at the end: 'looking back, how confident were you before?'. People often rate "
        "their start lower once they know more; the gap between 'then' and the first answer shows how much."
    ),
    "suppression": (
        "Figures of a group smaller than the anonymity threshold are not shown, and neither are figures from "
        "which such a group could be worked out by subtraction; the counts stay."
    ),
}
