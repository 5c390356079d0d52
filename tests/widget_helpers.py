"""Helpers for driving apps without a browser: find widgets, read what a kernel holds."""

from __future__ import annotations

import base64
import json
import re
from html import unescape

import ipywidgets as widgets
from ipywidgets.widgets.widget import _instances

from workbook.evaluation.result import EvaluationResult


def find(root: widgets.Widget, dom_class: str) -> list[widgets.Widget]:
    """Every widget below `root` (itself included) carrying `dom_class`."""
    found, stack = [], [root]
    while stack:
        node = stack.pop()
        if dom_class in getattr(node, "_dom_classes", ()):
            found.append(node)
        stack.extend(getattr(node, "children", ()) or ())
    return found


def open_tab(root: widgets.Widget, title: str) -> widgets.Widget:
    """Select the tab whose title starts with `title` in the page's tabs below `root`, as a click on it
    does (a page builds a tab's widgets when it is first opened); the tab's contents."""
    [tabs] = find(root, "wb-tabs")
    index = next(i for i, t in enumerate(tabs.titles) if t.startswith(title))
    tabs.selected_index = index
    return tabs.children[index]


def open_every_tab(root: widgets.Widget) -> None:
    """Open each tab of the page's tabs below `root` in turn, so that every part of the page is built."""
    for tabs in find(root, "wb-tabs"):
        for index in range(len(tabs.children)):
            tabs.selected_index = index
        tabs.selected_index = 0


def live_widget_state() -> str:
    """The state of every widget alive in this process, as a page visitor could request it."""
    return json.dumps([w.get_state() for w in list(_instances.values())], default=str)


def expected_evaluation(frame, cohorts=None, phase: str = "pre", threshold: int = 5) -> EvaluationResult:
    """What the evaluator app should show for `frame` with a selection of whole `cohorts` (None: all)
    in `phase`, computed without the app: the disclosure plan of every view the app offers."""
    from workbook.evaluation.stats import PHASES, evaluate_tables, score_tables, scores_plan, select_cohorts
    from workbook.manager.content import instrument

    scale = instrument().scale
    tables = score_tables(frame, item_order=instrument().item_ids)
    plan = scores_plan(tables, threshold, phases=tuple(PHASES))
    chosen = None if cohorts is None else tuple(cohorts)
    return evaluate_tables(
        select_cohorts(tables, chosen),
        scale_min=scale.min,
        scale_max=scale.max,
        threshold=threshold,
        plan=plan,
        cohorts=chosen,
        phase=phase,
    )


DOWNLOAD_LINK = re.compile(
    r'<a class="wb-download wb-download-([\w-]+)" download="([^"]+)" '
    r'href="data:([^;]+)(?:;charset=utf-8)?;base64,([^"]+)"'
)


def download_links(html: str) -> dict[str, tuple[str, str, bytes]]:
    """The download links in ``html`` (as ``apps.downloads`` writes them): kind -> (name, type, bytes)."""
    return {
        kind: (unescape(name), mime, base64.b64decode(payload))
        for kind, name, mime, payload in DOWNLOAD_LINK.findall(html)
    }
