"""What the facilitator's tabs share: the home page's interface, a confirmation step for acts that
cannot be undone (reissuing links, removing a person, switching a wave) and the clock of live tabs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import ipywidgets as widgets

from workbook.apps.common import css
from workbook.apps.facilitator.templates import message
from workbook.identity import Person
from workbook.store import Store


class Home(Protocol):
    """What a tab needs of the page it sits in (so no tab imports the home page)."""

    store: Store
    person: Person

    @property
    def cohort(self) -> str: ...


class Confirm:
    """Says what an act will do and runs it only when the facilitator confirms; one at a time."""

    def __init__(self, name: str) -> None:
        self.text = widgets.HTML(_dom_classes=css("wb-confirm-text"))
        self.yes = widgets.Button(
            button_style="danger", _dom_classes=css("wb-confirm-yes", f"wb-confirm-{name}")
        )
        self.no = widgets.Button(description="Cancel", _dom_classes=css("wb-confirm-no"))
        self.widget = widgets.VBox([], _dom_classes=css("wb-confirm"))
        self._action: Callable[[], None] | None = None
        self.yes.on_click(lambda _b: self._run())
        self.no.on_click(lambda _b: self.cancel())

    def ask(self, text: str, button: str, action: Callable[[], None]) -> None:
        self._action = action
        self.text.value = message("confirm", text)
        self.yes.description = button
        self.widget.children = [self.text, widgets.HBox([self.yes, self.no])]

    @property
    def pending(self) -> bool:
        return self._action is not None

    def cancel(self) -> None:
        self._action = None
        self.widget.children = []

    def _run(self) -> None:
        action, self._action = self._action, None
        self.widget.children = []
        if action is not None:
            action()
