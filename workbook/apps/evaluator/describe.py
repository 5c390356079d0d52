"""A text equivalent of each chart (its alt text and caption), from the same aggregated figures."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from workbook.evaluation.format import CHART_TITLES, fmt, fmt_ci, reaction_label
from workbook.evaluation.result import EvaluationResult


def _listing(lead: str, groups: Iterable[tuple[str, int, str | None]]) -> str:
    """``lead`` then "name: figures" per group, or "name: hidden (n = …)" where the figures are None."""
    parts = [f"{name}: hidden (n = {n})" if text is None else f"{name}: {text}" for name, n, text in groups]
    return lead + "; ".join(parts) + "."


def behaviour_hidden(behaviour: dict[str, Any]) -> str | None:
    """Why the conversation chart draws no data, naming its group (None when it is shown)."""
    if not behaviour["suppressed"]:
        return None
    return (
        f"Career conversations logged (n = {behaviour['managers_with_conversation']} managers who logged "
        f"one): {behaviour.get('hidden_text') or 'hidden'}"
    )


def chart_description(name: str, shown: EvaluationResult, extra: dict[str, Any]) -> str:
    """A text equivalent of each chart (its alt text), from the same aggregated figures."""
    scale, flow = shown.scale, shown.flow
    if (decision := shown.chart_decision(name)) is not None and decision.reason:
        return f"Not drawn: {decision.reason}."
    if name == "flow":
        invited = extra.get("invited")
        lead = f"{invited} in the chosen cohorts, " if invited is not None else ""
        return (
            f"Bar chart of counts: {lead}{flow.participants} with any answer, {flow.pre} answered pre, "
            f"{flow.post} answered post, {flow.then} answered then, {flow.matched} matched."
        )
    if name == "slope":
        return (
            f"One line per matched participant (n = {scale.n}) from the pre to the post score: "
            f"{fmt(scale.pct_improved, 0)}% up, {fmt(scale.pct_same, 0)}% the same, "
            f"{fmt(scale.pct_declined, 0)}% down; the mean moved from {fmt(scale.pre_mean)} to "
            f"{fmt(scale.post_mean)}."
        )
    if name == "change":
        return (
            f"Histogram of the individual changes (post − pre) of {scale.n} matched participants; "
            f"mean change {fmt(scale.mean_change, signed=True)}."
        )
    if name == "baseline":
        return (
            f"Scatter of each matched participant's change against their pre score (n = {scale.n}), "
            f"with the largest possible gain and loss; {fmt(scale.pct_at_ceiling_pre, 0)}% started "
            "at the maximum."
        )
    if name == "items":
        return _listing(
            "Pre and post mean of each item. ",
            (
                (
                    item,
                    block.n,
                    None if block.suppressed else f"{fmt(block.pre_mean)} to {fmt(block.post_mean)}",
                )
                for item, block in shown.items.items()
            ),
        )
    if name == "answers":
        hidden_items = [item for item, block in shown.items.items() if block.suppressed]
        return "Share of answers at each level of the scale, pre and post, for each item" + (
            f"; hidden: {', '.join(hidden_items)}." if hidden_items else "."
        )
    if name == "cohorts":
        groups = [("All participants", scale)] + [(k, v.scale) for k, v in shown.cohorts.items()]
        return _listing(
            "Mean change with its 95% CI. ",
            (
                (
                    group,
                    block.n,
                    None
                    if block.suppressed
                    else f"{fmt(block.mean_change, signed=True)} ({fmt_ci(block.ci95)})",
                )
                for group, block in groups
            ),
        )
    if name == "response_shift":
        shift = scale.response_shift
        if not shift:
            return "No retrospective 'then' answers."
        three = shift.three_waves
        assert decision is not None
        return (
            f"Mean scale score ({decision.n_text}): pre "
            f"{fmt(three.pre_mean)}, then {fmt(three.then_mean)}, post {fmt(three.post_mean)}."
        )
    if name == "reaction":
        reaction = extra["reaction"]
        return _listing(
            "Share of ratings 1 to 5 for each reaction question. ",
            (
                (
                    reaction_label(key),
                    block["n"],
                    None if block["suppressed"] else f"mean {fmt(block['mean'])} (n = {block['n']})",
                )
                for key, block in reaction["questions"].items()
            ),
        )
    if name == "behaviour":
        behaviour = extra["behaviour"]
        if behaviour["suppressed"]:
            return f"Not drawn: {behaviour_hidden(behaviour)}."
        return (
            f"Counts: {behaviour['conversations']} conversations by "
            f"{behaviour['managers_with_conversation']} managers, "
            f"{behaviour['idps_started']} development plans started, "
            f"{behaviour['follow_ups_planned']} follow-ups planned."
        )
    return CHART_TITLES.get(name, name)
