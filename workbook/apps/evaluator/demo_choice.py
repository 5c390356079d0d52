"""What the evaluator's page says of the synthetic cohorts of `workbook demo`: the page's title, the banner
and the box that includes them, offered once real cohorts exist next to them (the rule of which cohorts
count is :class:`workbook.scores_frame.CohortScope`; this view only shows it and passes the choice on).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import ipywidgets as widgets

from workbook.apps.common import css
from workbook.apps.evaluator.templates import APP_TITLE, render

if TYPE_CHECKING:
    from workbook.apps.evaluator.data import Loaded


class DemoChoice:
    """The title, the banner and the "Include the synthetic demo cohorts" box of one page."""

    def __init__(self, on_change: Callable[[bool], None]) -> None:
        self.title = widgets.HTML(render("dashboard_title.html", title=APP_TITLE))
        self.banner = widgets.HTML(_dom_classes=css("wb-eval-banner-box"))
        self.box = widgets.Checkbox(  # a Bool trait: a crafted message can send nothing but True or False
            value=False,
            description="Include the synthetic demo cohorts (invented managers) in the figures",
            indent=False,
            layout=widgets.Layout(width="auto", max_width="100%", display="none"),
            _dom_classes=css("wb-eval-include-demo"),
        )
        self.box.observe(lambda change: on_change(bool(change["new"])), names="value")

    @property
    def include(self) -> bool:
        """Whether the viewer asked for the demo cohorts."""
        return bool(self.box.value)

    def show(self, loaded: Loaded) -> None:
        """Say which cohorts the figures count, and offer the box where there is a choice."""
        scope = loaded.scope
        self.box.layout.display = None if scope.choice_offered else "none"
        self.titled(scope.label_for())
        self.banner.value = render(
            "banner.html",
            synthetic=scope.demo_counted and not scope.real,
            included=", ".join(scope.demo) if scope.demo_counted and scope.real else "",
            left_out=", ".join(scope.left_out),
            empty=len(loaded.frame) == 0,
        )

    def titled(self, label: str | None) -> None:
        """The page's title, with what the figures shown hold of synthetic demo data."""
        title = f"{APP_TITLE} ({label})" if label else APP_TITLE  # scores_frame.titled, without pandas
        self.title.value = render("dashboard_title.html", title=title)
