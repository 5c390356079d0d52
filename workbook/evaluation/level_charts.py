"""The charts of the other Kirkpatrick levels: reaction to the programme (level 1) and the conversations
the managers logged (level 3). Same conventions as :mod:`workbook.evaluation.charts`: Agg figures,
Okabe-Ito colours, a hidden group says why instead of being drawn.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from workbook.evaluation.charts import OKABE_ITO, _figure, label
from workbook.evaluation.format import reaction_label, sentence


def reaction_chart(reaction: dict[str, Any]) -> Figure:
    """Stacked shares of the ratings 1-5 per question, the mean at the end; suppressed ones say so."""
    questions = list(reaction["questions"].items())
    fig = _figure(7.0, 1.6 + 0.55 * len(questions))
    ax = fig.add_subplot()
    cmap = LinearSegmentedColormap.from_list(
        "okabe_ito_diverging",
        [OKABE_ITO["vermillion"], OKABE_ITO["orange"], "#DDDDDD", OKABE_ITO["sky_blue"], OKABE_ITO["blue"]],
    )
    colours = [cmap(x) for x in np.linspace(0, 1, 5)]
    y = np.arange(len(questions))[::-1]
    for yi, (_key, block) in zip(y, questions, strict=True):
        if block["suppressed"]:
            ax.text(1, yi, block.get("hidden_text") or "hidden", va="center", fontsize=8)
            continue
        left = 0.0
        for k, level in enumerate(sorted(block["counts"])):
            share = 100 * block["counts"][level] / block["n"]
            ax.barh(yi, share, left=left, color=colours[k], edgecolor="white", height=0.6)
            left += share
        ax.text(101, yi, f"mean {block['mean']:.2f}", va="center", fontsize=8)
    ax.set_yticks(y, [f"{label(reaction_label(k))} (n = {b['n']})" for k, b in questions], fontsize=9)
    ax.set_xlim(0, 118)
    ax.set_xlabel("Percent of the ratings")
    ax.set_ylabel("Question")
    ax.set_title(f"Reaction to the programme (n = {reaction['respondents']} managers)")
    ax.legend(
        handles=[Line2D([], [], color=colours[k], lw=8, label=str(k + 1)) for k in range(5)],
        title="Rating",
        ncols=5,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.18),
        frameon=False,
        fontsize=8,
    )
    return fig


def behaviour_chart(behaviour: dict[str, Any]) -> Figure:
    """Counts of the conversation log (Kirkpatrick level 3); a message when the group is too small."""
    fig = _figure(7.0, 4.0)
    ax = fig.add_subplot()
    managers = behaviour["managers_with_conversation"]
    title = "Career conversations logged"
    if behaviour["suppressed"]:
        ax.set_title(f"{title} (n = {managers} managers)")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.text(
            0.5,
            0.5,
            sentence(behaviour.get("hidden_text") or "hidden"),
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
        return fig
    names = [
        "Managers with a\nconversation",
        "Conversations",
        "Development\nplans started",
        "Follow-ups\nplanned",
    ]
    values = [
        managers,
        behaviour["conversations"],
        behaviour["idps_started"],
        behaviour["follow_ups_planned"],
    ]
    bars = ax.bar(
        names, values, color=[OKABE_ITO["grey"], OKABE_ITO["blue"], OKABE_ITO["green"], OKABE_ITO["orange"]]
    )
    ax.bar_label(bars, labels=[str(v) for v in values], padding=2)
    ax.set_xlabel("What was logged")
    ax.set_ylabel("Count")
    ax.set_title(f"{title} (n = {managers} managers)")
    ax.margins(y=0.15)
    return fig
