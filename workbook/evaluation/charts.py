"""Charts of the evaluation, as matplotlib Figures drawn with the Agg canvas.

Figures are built with ``matplotlib.figure.Figure`` and an Agg canvas rather than pyplot, so making a
chart never changes the global backend or leaks figures in a long-running kernel. Every chart has a
title, axis labels and its ``n``; colours are the Okabe-Ito colour-blind-safe palette. A group under
the anonymity threshold, or hidden so that a smaller group cannot be worked out, gets a message
saying which instead of its data (the words of :mod:`workbook.evaluation.disclosure`): nothing
individual is drawn for it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from workbook.evaluation.disclosure import too_few
from workbook.evaluation.figure_files import figure_to_png_bytes, figure_to_svg_bytes  # noqa: F401
from workbook.evaluation.format import CHART_TITLES
from workbook.evaluation.format import sentence as _sentence
from workbook.evaluation.result import EvaluationResult, PairedStats, ThreeWaves
from workbook.evaluation.stats import TIE_DECIMALS
from workbook.palette import OKABE_ITO

UP, SAME, DOWN = OKABE_ITO["blue"], OKABE_ITO["grey"], OKABE_ITO["vermillion"]
PRE_COLOUR, THEN_COLOUR, POST_COLOUR = OKABE_ITO["orange"], OKABE_ITO["purple"], OKABE_ITO["blue"]
MAX_LABEL = 40


def label(text: Any) -> str:
    """Data text made safe for matplotlib: ``$`` would start mathtext, long names would crowd the axes."""
    text = str(text)
    if len(text) > MAX_LABEL:
        text = text[: MAX_LABEL - 1] + "…"
    return text.replace("$", r"\$")


def _figure(width: float = 7.0, height: float = 4.5) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def why_hidden(block: PairedStats | ThreeWaves | None, n: int, threshold: int) -> str | None:
    """The words for a hidden group: the block's own reason, else 'too few people' when it is small."""
    if block is not None and block.hidden_text:
        return str(block.hidden_text)
    hidden = too_few(n, threshold)
    return None if hidden is None else hidden.text


def _suppressed(
    fig: Figure, title: str, n: int | str, why: str, *, xlabel: str = "", ylabel: str = ""
) -> Figure:
    """The placeholder of a chart whose figure is hidden: its title and group, and why; no data."""
    ax = fig.add_subplot()
    ax.set_title(f"{title} ({n if isinstance(n, str) else f'n = {n}'})")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.text(
        0.5,
        0.5,
        f"{_sentence(why)}\nOnly counts are shown.",
        ha="center",
        va="center",
        fontsize=11,
        transform=ax.transAxes,
    )
    return fig


def _matched(pairs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    both = pairs["pre"].notna() & pairs["post"].notna()
    return pairs.loc[both, "pre"].to_numpy(float), pairs.loc[both, "post"].to_numpy(float)


def _direction_colours(change: np.ndarray) -> np.ndarray:
    rounded = np.round(change, TIE_DECIMALS)
    return np.where(rounded > 0, UP, np.where(rounded < 0, DOWN, SAME))


def _direction_legend(ax, change: np.ndarray, **kwargs) -> None:
    rounded = np.round(change, TIE_DECIMALS)
    handles = [
        Line2D([], [], color=UP, lw=2, label=f"up ({int((rounded > 0).sum())})"),
        Line2D([], [], color=SAME, lw=2, label=f"same ({int((rounded == 0).sum())})"),
        Line2D([], [], color=DOWN, lw=2, label=f"down ({int((rounded < 0).sum())})"),
    ]
    ax.legend(handles=handles, title="Direction", frameon=False, **kwargs)


def _individuals(
    fig: Figure, pairs: pd.DataFrame, threshold: int, scale: PairedStats | None, title: str
) -> tuple[np.ndarray, np.ndarray, bool]:
    """The matched scores a chart of individuals draws, or ``hidden`` (the figure then says why) when the
    evaluation hid the group or it is too small: such a chart never draws a hidden person."""
    pre, post = _matched(pairs)
    if why := why_hidden(scale, len(pre), threshold):
        _suppressed(fig, title, len(pre), why)
        return pre, post, True
    return pre, post, False


def slope_chart(
    pairs: pd.DataFrame,
    *,
    threshold: int,
    scale_min: float,
    scale_max: float,
    title: str = "Scale score before and after",
    max_lines: int = 2000,
    seed: int = 0,
    scale: PairedStats | None = None,
) -> Figure:
    """One line per matched participant from pre to post, coloured by direction (a sample if very many).

    ``scale``: the evaluation's scale block, whose decision (shown or hidden, and why) the chart follows.
    """
    fig = _figure(6.0, 5.0)
    pre, post, hidden = _individuals(fig, pairs, threshold, scale, title)
    if hidden:
        return fig
    n = len(pre)
    change = post - pre
    shown = np.arange(n)
    note = ""
    if n > max_lines:
        shown = np.sort(np.random.default_rng(seed).choice(n, max_lines, replace=False))
        note = f", a random {max_lines} shown"
    segments = np.stack(
        [
            np.column_stack([np.zeros(len(shown)), pre[shown]]),
            np.column_stack([np.ones(len(shown)), post[shown]]),
        ],
        axis=1,
    )
    ax = fig.add_subplot()
    alpha = max(0.08, min(0.8, 30 / math.sqrt(len(shown)) / 3))
    ax.add_collection(LineCollection(segments, colors=_direction_colours(change[shown]), alpha=alpha, lw=1.2))
    ax.plot([0, 1], [pre.mean(), post.mean()], color=OKABE_ITO["black"], lw=3, marker="o", label="mean")
    ax.set_xlim(-0.2, 1.2)
    pad = (scale_max - scale_min) * 0.05
    ax.set_ylim(scale_min - pad, scale_max + pad)
    ax.set_xticks([0, 1], ["pre", "post"])
    ax.set_xlabel("Wave")
    ax.set_ylabel("Scale score (mean of items)")
    ax.set_title(f"{title} (n = {n}{note})")
    _direction_legend(ax, change, loc="upper left", fontsize=8)
    return fig


def dumbbell_chart(result: EvaluationResult, *, title: str = "Item means before and after") -> Figure:
    """Pre and post mean of every item joined by a bar; a suppressed item shows a note instead."""
    items = result.items
    threshold = result.threshold
    fig = _figure(7.5, 1.2 + 0.42 * max(len(items), 1))
    ax = fig.add_subplot()
    names = list(items)
    y = np.arange(len(names))[::-1]
    for yi, name in zip(y, names, strict=True):
        block = items[name]
        if block.suppressed or block.pre_mean is None or block.post_mean is None:
            ax.text(
                result.scale_min,
                yi,
                f"  {why_hidden(block, block.n, threshold) or 'no figures'}",
                va="center",
                fontsize=8,
                color=OKABE_ITO["black"],
            )
            continue
        ax.plot([block.pre_mean, block.post_mean], [yi, yi], color=OKABE_ITO["grey"], lw=2, zorder=1)
        ax.scatter([block.pre_mean], [yi], color=PRE_COLOUR, s=45, zorder=2)
        ax.scatter([block.post_mean], [yi], color=POST_COLOUR, s=45, zorder=2)
    ax.set_yticks(y, [f"{label(name)} (n = {items[name].n})" for name in names])
    ax.set_xlim(result.scale_min, result.scale_max)
    ax.set_ylim(-0.8, len(names) - 0.2)
    ax.set_xlabel("Mean score")
    ax.set_ylabel("Item (matched participants)")
    ax.set_title(f"{title} (n = {result.flow.matched} matched on the scale)")
    ax.legend(
        handles=[
            Line2D([], [], color=PRE_COLOUR, marker="o", ls="", label="pre"),
            Line2D([], [], color=POST_COLOUR, marker="o", ls="", label="post"),
        ],
        loc="lower right",
        frameon=False,
        fontsize=8,
    )
    ax.grid(axis="x", alpha=0.3)
    return fig


def _level_colours(n_levels: int) -> list:
    cmap = LinearSegmentedColormap.from_list(
        "okabe_ito_diverging",
        [OKABE_ITO["vermillion"], OKABE_ITO["orange"], "#DDDDDD", OKABE_ITO["sky_blue"], OKABE_ITO["blue"]],
    )
    return [cmap(x) for x in np.linspace(0, 1, n_levels)]


def diverging_bars_chart(
    distribution: pd.DataFrame,
    *,
    title: str = "Answers per item before and after",
) -> Figure:
    """Share of answers at each level, pre and post per item, centred on the middle of the scale.

    ``distribution`` comes from :func:`workbook.evaluation.stats.item_answer_distribution`.
    """
    items = list(dict.fromkeys(distribution["item"]))
    levels = sorted(int(v) for v in distribution["level"].unique())
    fig = _figure(8.0, 1.4 + 0.55 * max(len(items), 1))
    ax = fig.add_subplot()
    colours = _level_colours(len(levels))
    mid = (len(levels) - 1) / 2
    ticks, tick_labels = [], []
    y = 0.0
    for item in items[::-1]:
        rows = distribution[distribution["item"] == item]
        n = int(rows["n"].iloc[0])
        if bool(rows["suppressed"].iloc[0]):
            why = rows["why_hidden"].iloc[0] if "why_hidden" in rows else f"hidden (n = {n})"
            ax.text(0, y + 0.2, why, ha="center", va="center", fontsize=8)
            ticks.append(y + 0.2)
            tick_labels.append(f"{label(item)} (n = {n})")
            y += 1.2
            continue
        for offset, wave in ((0.0, "post"), (0.4, "pre")):
            part = rows[rows["wave"] == wave].set_index("level")["count"].reindex(levels).fillna(0)
            share = 100 * part.to_numpy(float) / max(n, 1)
            left = -share[: int(math.ceil(mid))].sum() - (share[int(mid)] / 2 if mid.is_integer() else 0)
            for k, value in enumerate(share):
                ax.barh(
                    y + offset, value, left=left, height=0.36, color=colours[k], edgecolor="white", lw=0.5
                )
                left += value
            ticks.append(y + offset)
            tick_labels.append(f"{label(item)} {wave} (n = {n})" if wave == "pre" else "post")
        y += 1.2
    ax.axvline(0, color=OKABE_ITO["black"], lw=0.8)
    ax.set_yticks(ticks, tick_labels, fontsize=8)
    ax.set_xlim(-100, 100)
    ax.set_xlabel("Percent of answers (below the middle of the scale to the left, above to the right)")
    ax.set_ylabel("Item and wave")
    ax.set_title(title)
    handles = [Line2D([], [], color=colours[k], lw=8, label=str(level)) for k, level in enumerate(levels)]
    ax.legend(
        handles=handles,
        title="Answer",
        ncols=len(levels),
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        frameon=False,
        fontsize=8,
    )
    return fig


def change_histogram(
    pairs: pd.DataFrame,
    *,
    threshold: int,
    title: str = "Distribution of change",
    scale: PairedStats | None = None,
) -> Figure:
    """How the individual changes (post - pre) spread around zero and the mean."""
    fig = _figure()
    pre, post, hidden = _individuals(fig, pairs, threshold, scale, title)
    if hidden:
        return fig
    n = len(pre)
    change = np.round(post - pre, TIE_DECIMALS)
    ax = fig.add_subplot()
    bins = np.histogram_bin_edges(change, bins="auto")
    if len(bins) > 60:
        bins = 60
    ax.hist(change, bins=bins, color=OKABE_ITO["sky_blue"], edgecolor="white")
    ax.axvline(0, color=OKABE_ITO["black"], lw=1, ls="--", label="no change")
    ax.axvline(change.mean(), color=OKABE_ITO["vermillion"], lw=2, label=f"mean {change.mean():+.2f}")
    ax.set_xlabel("Change in scale score (post − pre)")
    ax.set_ylabel("Participants")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # people are counted in whole numbers
    ax.set_title(f"{title} (n = {n})")
    ax.legend(frameon=False, fontsize=8)
    return fig


def baseline_change_scatter(
    pairs: pd.DataFrame,
    *,
    threshold: int,
    scale_min: float,
    scale_max: float,
    title: str = "Baseline and change",
    scale: PairedStats | None = None,
) -> Figure:
    """Change against the pre score: high starters have little room (ceiling, regression to the mean)."""
    fig = _figure()
    pre, post, hidden = _individuals(fig, pairs, threshold, scale, title)
    if hidden:
        return fig
    n = len(pre)
    change = post - pre
    ax = fig.add_subplot()
    ax.scatter(pre, change, c=_direction_colours(change), s=18, alpha=max(0.1, min(0.8, 20 / math.sqrt(n))))
    xs = np.array([scale_min, scale_max])
    ax.plot(xs, scale_max - xs, color=OKABE_ITO["black"], ls=":", lw=1, label="largest possible gain")
    ax.plot(xs, scale_min - xs, color=OKABE_ITO["grey"], ls=":", lw=1, label="largest possible loss")
    ax.axhline(0, color=OKABE_ITO["black"], lw=0.8)
    pad = (scale_max - scale_min) * 0.03
    ax.set_xlim(scale_min - pad, scale_max + pad)
    ax.set_xlabel("Pre scale score")
    ax.set_ylabel("Change (post − pre)")
    ax.set_title(f"{title} (n = {n})")
    ax.legend(frameon=False, fontsize=8, loc="upper right")
    return fig


def cohort_chart(result: EvaluationResult, *, title: str = "Mean change by cohort") -> Figure:
    """Mean change with its 95% CI, all participants and each cohort side by side."""
    threshold = result.threshold
    groups = [("All participants", result.scale)] + [
        (name, entry.scale) for name, entry in result.cohorts.items()
    ]
    fig = _figure(7.0, 1.4 + 0.45 * len(groups))
    ax = fig.add_subplot()
    y = np.arange(len(groups))[::-1]
    for yi, (_, block) in zip(y, groups, strict=True):
        if block.suppressed or block.mean_change is None:
            ax.text(
                0.02,
                yi,
                why_hidden(block, block.n, threshold) or "no figures",
                va="center",
                ha="left",
                fontsize=8,
                transform=ax.get_yaxis_transform(),
            )
            continue
        low, high = block.ci95 or (block.mean_change, block.mean_change)
        ax.errorbar(
            block.mean_change,
            yi,
            xerr=[[block.mean_change - low], [high - block.mean_change]],
            fmt="o",
            color=POST_COLOUR,
            ecolor=OKABE_ITO["black"],
            capsize=4,
        )
    ax.axvline(0, color=OKABE_ITO["grey"], ls="--", lw=1)
    ax.set_yticks(y, [f"{label(name)} (n = {block.n})" for name, block in groups])
    ax.set_ylim(-0.8, len(groups) - 0.2)
    ax.set_xlabel("Mean change in scale score (post − pre), 95% CI")
    ax.set_ylabel("Group (matched participants)")
    ax.set_title(title)
    return fig


def flow_chart(
    result: EvaluationResult, *, invited: int | None = None, title: str = "Who answered"
) -> Figure:
    """Counts at each stage, to show attrition and how many pairs the paired figures rest on."""
    flow = result.flow
    stages = ([("Invited", invited)] if invited is not None else []) + [
        ("Any answer", flow.participants),
        ("Answered pre", flow.pre),
        ("Answered post", flow.post),
        ("Answered then", flow.then),
        ("Matched pre-post", flow.matched),
    ]
    fig = _figure(7.0, 4.0)
    ax = fig.add_subplot()
    x = np.arange(len(stages))
    colours = [OKABE_ITO["grey"]] * (len(stages) - 1) + [OKABE_ITO["blue"]]
    bars = ax.bar(x, [count for _, count in stages], color=colours)
    ax.bar_label(bars, labels=[str(count) for _, count in stages], padding=2)
    ax.set_xticks(x, [name for name, _ in stages], rotation=15)
    ax.set_xlabel("Stage")
    ax.set_ylabel("Participants")
    ax.set_title(f"{title} (n = {flow.participants} with any answer)")
    ax.margins(y=0.15)
    return fig


def response_shift_chart(result: EvaluationResult, *, title: str = CHART_TITLES["response_shift"]) -> Figure:
    """Mean pre, retrospective 'then' and post score of those who answered all three waves."""
    fig = _figure(6.0, 4.0)
    shift = result.scale.response_shift
    if shift is None:
        ax = fig.add_subplot()
        ax.set_title(f"{title} (n = 0)")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("Wave")
        ax.set_ylabel("Mean scale score")
        ax.text(
            0.5,
            0.5,
            "No 'then' (retrospective pre) answers.",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
        return fig
    decision = result.chart_decision("response_shift")
    assert decision is not None
    three = shift.three_waves
    if decision.suppressed:
        return _suppressed(
            fig,
            title,
            decision.n_text,
            decision.hidden_text or "hidden",
            xlabel="Wave",
            ylabel="Mean scale score",
        )
    ax = fig.add_subplot()
    names = ["pre", "then (looking back)", "post"]
    values = [three.pre_mean, three.then_mean, three.post_mean]
    bars = ax.bar(names, values, color=[PRE_COLOUR, THEN_COLOUR, POST_COLOUR])
    ax.bar_label(bars, labels=[f"{v:.2f}" for v in values], padding=2)
    ax.set_ylim(result.scale_min, result.scale_max)
    ax.set_xlabel("Wave")
    ax.set_ylabel("Mean scale score")
    ax.set_title(f"{title} ({decision.n_text})")
    return fig


def evaluation_figures(
    result: EvaluationResult,
    pairs: pd.DataFrame | None = None,
    distribution: pd.DataFrame | None = None,
    *,
    invited: int | None = None,
) -> dict[str, Figure]:
    """Every chart of the report, by name; charts of individuals need ``pairs`` / ``distribution``."""
    threshold, low, high = result.threshold, result.scale_min, result.scale_max
    figures: dict[str, Figure] = {"flow": flow_chart(result, invited=invited)}
    if pairs is not None:
        scale = result.scale
        figures["slope"] = slope_chart(pairs, threshold=threshold, scale_min=low, scale_max=high, scale=scale)
        figures["change"] = change_histogram(pairs, threshold=threshold, scale=scale)
        figures["baseline"] = baseline_change_scatter(
            pairs, threshold=threshold, scale_min=low, scale_max=high, scale=scale
        )
    if result.items:
        figures["items"] = dumbbell_chart(result)
    if distribution is not None and len(distribution):
        figures["answers"] = diverging_bars_chart(distribution)
    figures["cohorts"] = cohort_chart(result)
    figures["response_shift"] = response_shift_chart(result)
    return figures


def title_data(fig: Figure, data_label: str | None) -> Figure:
    """A chart of figures with synthetic demo data says so in the figure's own title, above the chart's
    ("Includes synthetic demo data"); the PNG and SVG files carry it as their Title too
    (`figure_files`)."""
    if data_label:
        fig.suptitle(data_label[:1].upper() + data_label[1:], fontsize="medium", fontweight="bold")
    return fig
