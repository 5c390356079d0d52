"""Open and close the comfort check's waves for the cohort, each after a confirmation, showing when each
was last switched and by whom."""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets

from workbook.apps.common import css, when
from workbook.apps.facilitator.shared import Confirm, Home
from workbook.apps.facilitator.templates import message, render
from workbook.manager.waves import SWITCHED_WAVES, WaveChange, last_changes, open_waves, set_wave
from workbook.store import StoreError
from workbook.validation import InputError

LABELS = {"pre": "Before the course (pre)", "post": "After the course (post, with then)"}
WHAT = {
    ("pre", True): "managers of {c} can answer the comfort check before the course",
    ("pre", False): "managers of {c} can no longer answer the pre check",
    ("post", True): "managers of {c} can answer the post check (and the retrospective then questions)",
    ("post", False): "managers of {c} can no longer answer the post check",
}


@dataclass(frozen=True)
class WaveLine:
    wave: str
    label: str
    is_open: bool
    change: WaveChange | None
    when: str


class WavesTab:
    def __init__(self, home: Home) -> None:
        self.home = home
        self.states = widgets.HTML(_dom_classes=css("wb-wave-table"))
        self.buttons = {
            wave: widgets.Button(_dom_classes=css(f"wb-wave-switch-{wave}")) for wave in SWITCHED_WAVES
        }
        for wave, button in self.buttons.items():
            button.on_click(lambda _b, wave=wave: self._ask(wave))
        self.confirm = Confirm("wave")
        self.message = widgets.HTML(_dom_classes=css("wb-wave-message"))
        self.widget = widgets.VBox(
            [self.states, widgets.HBox(list(self.buttons.values())), self.confirm.widget, self.message],
            _dom_classes=css("wb-tab-waves"),
        )
        self.refresh()

    def refresh(self) -> None:
        cohort = self.home.cohort
        self.open = open_waves(self.home.store, cohort)
        changes = last_changes(self.home.store, cohort)
        lines = [
            WaveLine(
                w,
                LABELS[w],
                self.open[w],
                changes.get(w),
                when(changes[w].changed_at) if w in changes else "",
            )
            for w in SWITCHED_WAVES
        ]
        self.states.value = render("waves.html", cohort=cohort, waves=lines)
        for wave, button in self.buttons.items():
            button.description = f"{'Close' if self.open[wave] else 'Open'} the {wave} check"
            button.button_style = "" if self.open[wave] else "primary"

    def clear(self) -> None:
        self.message.value = ""
        self.confirm.cancel()

    def _ask(self, wave: str) -> None:
        to_open = not self.open[wave]
        what = WHAT[(wave, to_open)].format(c=self.home.cohort)
        verb = "Open" if to_open else "Close"
        self.confirm.ask(
            f"{verb} the {wave} check for {self.home.cohort}? Then {what}.",
            f"Yes, {verb.lower()} it",
            lambda: self._switch(wave, to_open),
        )

    def _switch(self, wave: str, to_open: bool) -> None:
        try:
            changed = set_wave(
                self.home.store, self.home.cohort, wave, to_open, by_person_id=self.home.person.id
            )
        except (InputError, StoreError) as exc:
            self.message.value = message("error", f"Nothing changed: {exc}")
            return
        state = "opened" if to_open else "closed"
        said = f"The {wave} check is now {state}." if changed else f"The {wave} check was already {state}."
        self.refresh()
        self.message.value = message("done", said)
