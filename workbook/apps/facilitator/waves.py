"""Open and close the comfort check's waves for the cohort, in their order, each after a confirmation
that says what it will do (opening a wave closes the earlier ones; reopening a passed wave needs a
reason), showing when each was last switched, by whom and why."""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets

from workbook.apps.common import css, when
from workbook.apps.facilitator.shared import Confirm, Home
from workbook.apps.facilitator.templates import message, render
from workbook.manager.waves import (
    ORDER,
    SWITCHED_WAVES,
    WAVE_OF,
    Wave,
    WaveChange,
    earlier,
    last_changes,
    plan_switch,
    set_wave,
    waves_of,
)
from workbook.store import StoreError
from workbook.validation import InputError


# every wave of the order gets its line and button from `ORDER`: adding a wave needs nothing here
def _label(wave: Wave) -> str:
    with_ = f", with {', '.join(wave.asks[1:])}" if wave.asks[1:] else ""
    return f"{wave.title} ({wave.name}{with_})"


LABELS = {w.name: _label(w) for w in ORDER}


def _what(wave: Wave, to_open: bool, cohort: str) -> str:
    """What a switch lets the cohort's managers do, in the words of the confirmation."""
    also = f" (and the {', '.join(wave.asks[1:])} questions asked with it)" if wave.asks[1:] else ""
    if to_open:
        return f"managers of {cohort} can answer the {wave.name} check{also}"
    return f"managers of {cohort} can no longer answer the {wave.name} check"


@dataclass(frozen=True)
class WaveLine:
    wave: str
    label: str
    is_open: bool
    change: WaveChange | None
    when: str
    passed_by: str | None  # the later wave whose opening closed this one to new answers


def _answered(plan, wave: str) -> str:
    n, of = plan.answered.get(wave, 0), plan.managers
    return f"{n} of {of} manager{'' if of == 1 else 's'} {'has' if n == 1 else 'have'} answered it"


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
        self.confirm.no.on_click(lambda _b: self._hide_reason())
        self.reason = widgets.Textarea(
            description="Reason for reopening (required; kept with your name and the time)",
            placeholder="Why this wave must take answers again",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="100%"),
            _dom_classes=css("wb-wave-reason"),
        )
        self.reason_box = widgets.VBox([], _dom_classes=css("wb-wave-reason-box"))
        self.message = widgets.HTML(_dom_classes=css("wb-wave-message"))
        self.widget = widgets.VBox(
            [
                self.states,
                widgets.HBox(list(self.buttons.values())),
                self.reason_box,
                self.confirm.widget,
                self.message,
            ],
            _dom_classes=css("wb-tab-waves"),
        )
        self.refresh()

    def refresh(self) -> None:
        cohort = self.home.cohort
        state = waves_of(self.home.store, cohort)
        self.open = dict(state.open)
        self.passed = {w: state.passed_by(w) for w in SWITCHED_WAVES}
        changes = last_changes(self.home.store, cohort)
        lines = [
            WaveLine(
                w,
                LABELS[w],
                self.open[w],
                changes.get(w),
                when(changes[w].changed_at) if w in changes else "",
                self.passed[w],
            )
            for w in SWITCHED_WAVES
        ]
        self.states.value = render("waves.html", cohort=cohort, waves=lines)
        for wave, button in self.buttons.items():
            if self.open[wave]:
                button.description, button.button_style = f"Close the {wave} check", ""
            elif self.passed[wave]:
                button.description = f"Reopen the {wave} check (needs a reason)"
                button.button_style = "warning"
            else:
                button.description, button.button_style = f"Open the {wave} check", "primary"

    def clear(self) -> None:
        self.message.value = ""
        self.confirm.cancel()
        self._hide_reason()

    def _hide_reason(self) -> None:
        self.reason.value = ""
        self.reason_box.children = []

    def _ask(self, wave: str) -> None:
        """Say what switching `wave` will do, in the order's terms, before the facilitator confirms."""
        self.message.value = ""
        self._hide_reason()
        cohort = self.home.cohort
        try:
            plan = plan_switch(self.home.store, cohort, wave, not self.open[wave])
        except (InputError, StoreError) as exc:
            self.message.value = message("error", f"Nothing changed: {exc}")
            return
        to_open = plan.to_open
        what = _what(WAVE_OF[wave], to_open, cohort)
        verb = "Reopen" if plan.needs_reason else ("Open" if to_open else "Close")
        text = f"{verb} the {wave} check for {cohort}? Then {what}."
        for closing in plan.closes:
            text += (
                f" This also closes the {closing} check ({_answered(plan, closing)}): once the {wave} check "
                f"has opened, the {closing} check takes no new answers, and reopening it needs a reason."
            )
        if plan.needs_reason:
            text += (
                f" The {plan.passed_by} check has opened already ({_answered(plan, plan.passed_by)}), so an "
                f"answer to the {wave} check given now would describe a manager after the course: it is "
                "kept but marked late, and left out of the before-and-after figures unless an evaluation "
                "includes late answers. Give the reason below; it is kept with your name and the time."
            )
            self.reason_box.children = [self.reason]
        self.confirm.ask(text, f"Yes, {verb.lower()} it", lambda: self._switch(wave, to_open))

    def _switch(self, wave: str, to_open: bool) -> None:
        reason = self.reason.value if self.reason_box.children else None
        closes = [w for w in earlier(wave) if self.open[w]] if to_open else []
        try:
            changed = set_wave(
                self.home.store,
                self.home.cohort,
                wave,
                to_open,
                by_person_id=self.home.person.id,
                reason=reason,
            )
        except (InputError, StoreError) as exc:
            self.refresh()
            self.message.value = message("error", f"Nothing changed: {exc}")
            return
        self._hide_reason()
        state = "opened" if to_open else "closed"
        said = f"The {wave} check is now {state}." if changed else f"The {wave} check was already {state}."
        self.refresh()
        closed = [w for w in closes if not self.open[w]] if changed else []
        if closed:
            said += f" The {' and '.join(closed)} check{'s' if len(closed) > 1 else ''} closed with it."
        self.message.value = message("done", said)
