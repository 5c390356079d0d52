"""On the facilitator's page: the room's display links of the chosen cohort. Make one for the projector
(it opens that cohort's room view only, until midnight), pick the question each one shows, end one.
Every act goes through :mod:`workbook.facilitator.room_display`, which checks the person and the cohort
again, whatever the page sends."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from workbook.apps.common import close_tree, css, when, wide_button
from workbook.apps.facilitator.templates import message, render
from workbook.facilitator.room import room_questions
from workbook.facilitator.room_display import Display, end_display, live_displays, make_display, set_question
from workbook.store import StoreError


class RoomLinks:
    """The room links of the facilitator's chosen cohort."""

    def __init__(self, home: Any) -> None:
        self.home = home
        self.questions = [(q.label, q.key) for q in room_questions()]
        self.make = widgets.Button(
            description="Make a room link for the projector",
            layout=wide_button(),
            _dom_classes=css("wb-room-make"),
        )
        self.make.on_click(lambda _b: self.make_link())
        self.made = widgets.HTML(_dom_classes=css("wb-room-made"))
        self.rows = widgets.VBox(_dom_classes=css("wb-room-displays"))
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    '<h2 class="wb-section">Room view</h2><p class="wb-muted">A live chart of the cohort\'s '
                    "answers for the projector. Its link opens that room view only, never this page, and "
                    "stops working at midnight or when you end it.</p>"
                ),
                self.make,
                self.made,
                self.rows,
            ],
            _dom_classes=css("wb-room-links"),
        )
        self.refresh()

    def make_link(self) -> None:
        try:
            issued = make_display(self.home.store, self.home.person, self.home.cohort)
        except StoreError as exc:
            self.made.value = message("error", f"No room link made: {exc}.")
            return
        self.made.value = render(
            "room_link.html",
            href=issued.href,
            cohort=issued.display.cohort,
            ends=when(issued.display.ends_at),
        )
        self.refresh()

    def refresh(self) -> None:
        """The live links of the chosen cohort, read again."""
        for old in self.rows.children:
            close_tree(old)
        try:
            shown = live_displays(self.home.store, self.home.person, self.home.cohort)
        except StoreError as exc:
            self.rows.children = [widgets.HTML(message("error", f"Room links not shown: {exc}."))]
            return
        self.rows.children = [self._row(display) for display in shown]

    def clear(self) -> None:
        """Another cohort was chosen: the link made for the last one leaves the page."""
        self.made.value = ""
        self.refresh()

    def _row(self, display: Display) -> widgets.Widget:
        keys = {key for _, key in self.questions}
        question = widgets.Dropdown(
            description="Question on the projector",
            options=self.questions,
            value=display.question if display.question in keys else self.questions[0][1],
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto", max_width="100%"),
            _dom_classes=css("wb-room-display-question"),
        )
        end = widgets.Button(
            description="End this room link", layout=wide_button(), _dom_classes=css("wb-room-end")
        )
        note = widgets.HTML(_dom_classes=css("wb-room-display-message"))

        def pick(change: dict) -> None:
            try:
                set_question(self.home.store, self.home.person, display.id, change["new"])
            except StoreError as exc:
                note.value = message("error", f"Not changed: {exc}.")
            else:
                note.value = message("info", "The projector shows this question within a second or two.")

        def finish(_b: object) -> None:
            try:
                end_display(self.home.store, self.home.person, display.id)
            except StoreError as exc:
                note.value = message("error", f"Not ended: {exc}.")
                return
            self.made.value = ""
            self.refresh()

        question.observe(pick, "value")
        end.on_click(finish)
        facts = widgets.HTML(
            render(
                "room_display.html",
                made=when(display.made_at),
                by=display.made_by,
                ends=when(display.ends_at),
            )
        )
        return widgets.VBox([facts, question, end, note], _dom_classes=css("wb-room-display"))
