"""Names for groups of controls that ipywidgets draws as plain boxes.

A set of checkboxes answering one question ("Who is in your support network?") is a group, and a
screen reader should say its question before each box. ipywidgets' boxes take no ARIA attributes, so a
group's box carries two classes instead: ``wb-named-group`` and ``wb-labelledby-<id>``, naming the
element that holds its visible question. A tiny widget in every page turns those classes into
``role="group"`` and ``aria-labelledby`` as the boxes appear (a MutationObserver), so the question is
the group's name for axe and assistive technology alike. It draws nothing and sends nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import anywidget
import ipywidgets as widgets

from workbook.apps.markup import html

GROUP_CLASS = "wb-named-group"
LABELLEDBY_PREFIX = "wb-labelledby-"
_ids = itertools.count(1)


class GroupNames(anywidget.AnyWidget):
    """Gives every box marked as a named group its role and name (see the module's docstring)."""

    _esm = """
    const PREFIX = "wb-labelledby-";
    function name(group) {
      const by = Array.from(group.classList).find(c => c.startsWith(PREFIX));
      if (!by) return;
      if (group.getAttribute("role") !== "group") group.setAttribute("role", "group");
      const id = by.slice(PREFIX.length);
      if (group.getAttribute("aria-labelledby") !== id) group.setAttribute("aria-labelledby", id);
    }
    function render({ el }) {
      el.hidden = true;
      if (window.__wbGroupNames) return;  // one observer per page, however many pages' setups
      window.__wbGroupNames = true;
      const all = () => document.querySelectorAll(".wb-named-group").forEach(name);
      new MutationObserver(all).observe(document.body, {
        childList: true, subtree: true, attributes: true, attributeFilter: ["class"],
      });
      all();
    }
    export default { render };
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.add_class("wb-group-names")


def labelled_group(
    question: str, controls: Sequence[widgets.Widget], *classes: str, row: bool = False
) -> tuple[widgets.HTML, widgets.Box]:
    """The question as a visible label, and a box of the controls named by it (to be shown one above
    the other); the controls stand in a column, or side by side with `row`."""
    label_id = f"wb-group-label-{next(_ids)}"
    heading = widgets.HTML(
        html('<p class="wb-label wb-group-label" id="{id}">{text}</p>', id=label_id, text=question)
    )
    box = widgets.HBox if row else widgets.VBox
    group = box(list(controls), _dom_classes=(*classes, GROUP_CLASS, LABELLEDBY_PREFIX + label_id))
    if row:
        group.layout.flex_flow = "row wrap"
    return heading, group
