"""Helpers for driving apps without a browser: find widgets, read what a kernel holds."""

from __future__ import annotations

import json

import ipywidgets as widgets
from ipywidgets.widgets.widget import _instances


def find(root: widgets.Widget, dom_class: str) -> list[widgets.Widget]:
    """Every widget below `root` (itself included) carrying `dom_class`."""
    found, stack = [], [root]
    while stack:
        node = stack.pop()
        if dom_class in getattr(node, "_dom_classes", ()):
            found.append(node)
        stack.extend(getattr(node, "children", ()) or ())
    return found


def live_widget_state() -> str:
    """The state of every widget alive in this process, as a page visitor could request it."""
    return json.dumps([w.get_state() for w in list(_instances.values())], default=str)


def expected_evaluation(frame, **filters) -> dict:
    """What the evaluator app should show for `frame` under `filters`, computed without the app."""
    from workbook.evaluation.stats import filter_scores, run_evaluation
    from workbook.manager.content import instrument

    scale = instrument().scale
    return run_evaluation(
        filter_scores(frame, **filters) if filters else frame,
        scale_min=scale.min,
        scale_max=scale.max,
        threshold=5,
        item_order=instrument().item_ids,
    )
