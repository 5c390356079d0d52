"""The manager's own before/after: a table per item and overall, a few plain sentences and a chart.

This is one person's self-rating, so it shows no statistics: just the numbers, what moved, and an
honest word about the retrospective `then` answers (response shift) and what self-ratings can tell.
Data flows one way: the frame from `scores.my_scores` comes in; nothing here reads the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from workbook.identity import Person
from workbook.manager.content import Instrument, instrument
from workbook.manager.scores import my_scores
from workbook.store import Store

if TYPE_CHECKING:
    from matplotlib.figure import Figure

OVERALL = "overall"
# Okabe-Ito colour-blind-safe palette; each wave also has its own marker shape.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#999999",
}
WAVE_STYLE = {
    "pre": ("Before (answered at the start)", OKABE_ITO["orange"], "o"),
    "then": ("Before (looking back at the end)", OKABE_ITO["reddish_purple"], "D"),
    "post": ("After the programme", OKABE_ITO["blue"], "s"),
}
THEN_OFFSET = 0.25  # vertical shift of the look-back dot, so equal values never hide each other
SAME = 0.05  # changes smaller than this are "about the same" once rounded to one decimal


@dataclass(frozen=True)
class BeforeAfter:
    """`table`: one row per item plus "overall" (mean of the items answered in each wave);
    columns label, pre, then, post, change (post - pre), change_from_then (post - then)."""

    table: pd.DataFrame
    sentences: list[str]
    scale_min: int
    scale_max: int


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def _signed(value: float) -> str:
    return f"{value:+.1f}"


def before_after(frame: pd.DataFrame, inst: Instrument | None = None) -> BeforeAfter:
    """Summarise one manager's latest scores (columns wave, item, score)."""
    inst = inst or instrument()
    wide = (
        frame.pivot_table(index="item", columns="wave", values="score", aggfunc="last")
        if len(frame)
        else None
    )
    table = pd.DataFrame(index=[*inst.item_ids, OVERALL])
    table["label"] = [*(item.short for item in inst.items), "Overall (mean of the questions)"]
    for wave in ("pre", "then", "post"):
        column = wide[wave] if wide is not None and wave in wide else pd.Series(dtype="float64")
        values = column.reindex(inst.item_ids).astype("float64")
        table[wave] = [*values, values.mean() if values.notna().any() else float("nan")]
    table["change"] = table["post"] - table["pre"]
    table["change_from_then"] = table["post"] - table["then"]
    return BeforeAfter(table, _sentences(table, inst), inst.scale.min, inst.scale.max)


def _sentences(table: pd.DataFrame, inst: Instrument) -> list[str]:
    items = table.drop(index=OVERALL)
    overall = table.loc[OVERALL]
    scale = f"on a scale of {inst.scale.min} to {inst.scale.max}"
    has = {wave: items[wave].notna().any() for wave in ("pre", "then", "post")}
    if not has["pre"] and not has["post"]:
        return ["You have not answered the confidence check yet."]
    out: list[str] = []
    if has["pre"] and not has["post"]:
        out.append(
            f"Before the programme you rated your overall confidence {_fmt(overall['pre'])} ({scale})."
        )
        out.append(
            "You will answer the same questions again at the end, and this page will show what changed."
        )
        return out
    if has["pre"]:
        change = overall["change"]
        if abs(change) < SAME:
            out.append(
                f"Your overall confidence stayed about the same: {_fmt(overall['pre'])} before the programme "
                f"and {_fmt(overall['post'])} after it ({scale})."
            )
        else:
            verb = "rose" if change > 0 else "fell"
            out.append(
                f"Your overall confidence {verb} from {_fmt(overall['pre'])} before the programme to "
                f"{_fmt(overall['post'])} after it ({scale}), a change of {_signed(change)}."
            )
        paired = items.dropna(subset=["pre", "post"])
        if len(paired):
            best = paired.loc[paired["change"].idxmax()]
            if best["change"] >= SAME:
                out.append(f"The largest rise was for “{best['label']}” ({_signed(best['change'])}).")
            fell = paired[paired["change"] <= -SAME]
            if len(fell):
                names = ", ".join(f"“{label}”" for label in fell["label"])
                out.append(
                    f"Your rating went down for {names}; that can be worth talking over with your coach."
                )
        counts = items[["pre", "post"]].notna().sum()
        if counts["pre"] != counts["post"]:
            out.append(
                f"You answered {counts['pre']} questions before and {counts['post']} after, so the overall "
                "figures do not cover quite the same questions."
            )
    else:
        out.append(
            f"After the programme you rated your overall confidence {_fmt(overall['post'])} ({scale}). "
            "You did not answer the check at the start, so there is no starting point to compare with."
        )
    if has["then"]:
        then = overall["then"]
        if has["pre"]:
            shift = then - overall["pre"]
            if abs(shift) < SAME:
                out.append(
                    f"Looking back, you rated your starting point at {_fmt(then)}, close to the "
                    f"{_fmt(overall['pre'])} you gave at the start."
                )
            else:
                lower = shift < 0
                since_then, since_pre = _signed(overall["change_from_then"]), _signed(overall["change"])
                out.append(
                    f"Looking back, you rated your starting point at {_fmt(then)}, "
                    f"{'lower' if lower else 'higher'} than the {_fmt(overall['pre'])} "
                    "you gave at the start. "
                    "That is common: learning about a skill changes how people judge where they began. "
                    f"Measured from the look-back rating the change is {since_then}, "
                    f"{'more' if lower else 'less'} than the {since_pre} measured from your "
                    "answer at the start; neither number is the true one."
                )
        else:
            since_then = _signed(overall["change_from_then"])
            out.append(
                f"Looking back, you rated your starting point at {_fmt(then)}; measured from there the "
                f"change is {since_then}. Look-back ratings are often lower than answers given "
                "at the time, so this may overstate the change."
            )
    out.append(
        "These are your own ratings of how confident you feel, not a measure of how your conversations go; "
        "your conversation log shows what you actually did."
    )
    return out


def my_before_after(store: Store, person: Person) -> BeforeAfter:
    """The summary of one manager's own scores."""
    return before_after(my_scores(store, person))


def before_after_figure(summary: BeforeAfter) -> Figure:
    """A dumbbell chart: per question, the start, look-back and end ratings on the scale.

    Built on a bare Figure with the Agg canvas, so it never touches pyplot's global state.
    """
    table = summary.table
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # only when a chart is drawn
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 6.5), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_title("Your confidence in career conversations: before and after")
    ax.set_xlabel(
        f"Confidence ({summary.scale_min} = not at all confident, {summary.scale_max} = extremely confident)"
    )
    ax.set_ylabel("Question")
    ax.set_xlim(summary.scale_min - 0.3, summary.scale_max + 0.3)
    ax.set_xticks(range(summary.scale_min, summary.scale_max + 1))
    labels = list(table["label"])
    positions = list(range(len(labels)))[::-1]  # first item at the top, overall at the bottom
    ax.set_yticks(positions, labels)
    ax.axhline(0.5, color=OKABE_ITO["grey"], linewidth=0.8)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    if table[["pre", "then", "post"]].isna().all().all():
        ax.text(
            (summary.scale_min + summary.scale_max) / 2,
            len(labels) / 2,
            "No answers yet",
            ha="center",
            va="center",
            color=OKABE_ITO["grey"],
        )
        return fig
    for y, (_, row) in zip(positions, table.iterrows(), strict=True):
        if pd.notna(row["pre"]) and pd.notna(row["post"]):
            ax.plot([row["pre"], row["post"]], [y, y], color=OKABE_ITO["grey"], linewidth=2, zorder=1)
        if pd.notna(row["then"]) and pd.notna(row["post"]):
            ax.plot(
                [row["then"], row["post"]],
                [y - THEN_OFFSET, y],
                color=OKABE_ITO["grey"],
                linewidth=1,
                linestyle=":",
                zorder=1,
            )
    for wave, (label, colour, marker) in WAVE_STYLE.items():
        if table[wave].notna().any():
            offset = THEN_OFFSET if wave == "then" else 0.0  # the look-back dot sits just below the row
            ax.scatter(
                table[wave],
                [y - offset for y in positions],
                label=label,
                color=colour,
                marker=marker,
                s=60,
                zorder=2,
                edgecolors="black",
                linewidths=0.5,
            )
    fig.legend(loc="outside lower center", ncol=3, frameon=False, fontsize="small")
    return fig
