"""The goals of a development plan: two or three cards, each checked part by part, kept as one record
in the editor's `goals` trait."""

from __future__ import annotations

from datetime import date
from typing import Any

import ipywidgets as widgets
import traitlets

from workbook.apps.common import CheckedParts, FieldNote, SaveStatus, css, full_width, label, named
from workbook.apps.markup import html
from workbook.content import GoalGuidance, PrepField
from workbook.preparation import (
    GOAL_ID,
    GOALS_FIELD,
    clean_part,
    goal_is_complete,
    goal_is_empty,
    goal_label,
    new_goal_id,
)
from workbook.validation import long_date


class GoalCard(traitlets.HasTraits):
    """One goal on the page; its parts are checked and saved one by one (see CheckedParts).

    `goal` holds the card's good parts and `problems` how many parts hold a value not kept: the
    editor observes both."""

    goal = traitlets.Dict(help="the good value of each part of the goal")
    problems = traitlets.Int(0, help="parts whose value on the page was refused")

    def __init__(self, guidance: GoalGuidance, saved: dict[str, str], status: SaveStatus, key: str) -> None:
        super().__init__()
        self.fields = {f.id: f for f in guidance.fields}
        self.goal_id = str(saved.get(GOAL_ID) or new_goal_id())  # kept in Python: its check-ins follow it
        good = {f.id: str(saved.get(f.id, "") or "") for f in guidance.fields}
        self.parts = CheckedParts(status, key, good)
        self.goal = dict(good)
        self.inputs: dict[str, widgets.ValueWidget] = {}
        self.number = 0
        for goal_field in guidance.fields:
            box = named(self._input(goal_field, self.good[goal_field.id]), goal_field.label)
            box.add_class(f"wb-goal-{goal_field.id}")
            box.observe(lambda change, f=goal_field: self.changed(f, change["new"]), names="value")
            self.inputs[goal_field.id] = box
            note = self.parts.note(goal_field.id, box)
            if goal_field.kind == "date" and self.good[goal_field.id]:
                note.accept(understood(date.fromisoformat(self.good[goal_field.id])))

    @property
    def good(self) -> dict[str, str]:
        return self.parts.good

    @property
    def notes(self) -> dict[str, FieldNote]:
        return self.parts.notes

    @staticmethod
    def _input(goal_field: PrepField, value: str) -> widgets.ValueWidget:
        if goal_field.kind == "date":
            return widgets.DatePicker(
                value=date.fromisoformat(value) if value else None, layout=widgets.Layout(width="auto")
            )
        return widgets.Text(
            value=value, placeholder=goal_field.placeholder, tooltip=goal_field.label, layout=full_width()
        )

    def changed(self, goal_field: PrepField, value: Any) -> None:
        """A part changed on the page (or was sent as a crafted client might): check it, and show it in
        the traits."""
        self.check(goal_field, value)
        self.problems = sum(1 for note in self.notes.values() if note.problem)
        self.goal = dict(self.good)

    def check(self, goal_field: PrepField, value: Any) -> bool:
        """Check one part; a good value becomes the goal's, a bad one is shown beside its input."""
        label = goal_label(self.number, goal_field)
        kept = self.parts.check(goal_field.id, lambda v: clean_part(label, goal_field, v), value)
        cleaned = self.good[goal_field.id]
        if kept and goal_field.kind == "date" and cleaned:
            self.notes[goal_field.id].accept(understood(date.fromisoformat(cleaned)))
        return kept

    def is_empty(self) -> bool:
        """Nothing in the goal and nothing (not even a bad value) waiting on the page."""
        return goal_is_empty(self.good) and not self.parts.has_problems

    def forget_problems(self) -> None:
        self.parts.forget_problems()


def understood(moment: date) -> str:
    """What a chosen date was read as, in words nobody can misread (the picker's order is the browser's)."""
    return f"Understood as {long_date(moment)}."


class GoalsEditor(traitlets.HasTraits):
    """Two or three goals, each with a measure, a target date and a first step.

    The goals are one record (the `goals` trait), rebuilt from every card's good parts at each change;
    cards with nothing in them are not stored and never stop a new goal being added.
    """

    goals = traitlets.List(help="the goals to store: each card's good parts, empty cards left out")

    def __init__(
        self, guidance: GoalGuidance, saved: list[dict[str, str]], status: SaveStatus, key: str = GOALS_FIELD
    ) -> None:
        super().__init__()
        self.guidance = guidance
        self.status = status
        self.key = key
        self.cards: list[GoalCard] = []
        self._waiting = 0  # the number of an empty card "Add a goal" pointed to
        self.list_box = widgets.VBox(_dom_classes=css("wb-goals"))
        self.add_button = widgets.Button(
            description="Add a goal", icon="plus", _dom_classes=css("wb-add-goal")
        )
        self.add_button.on_click(lambda _b: self.add_goal())
        self.advice = widgets.HTML(_dom_classes=css("wb-goal-advice"))
        self.widget = widgets.VBox(
            [
                widgets.HTML(html("<p>{why}</p>", why=guidance.why)),
                self.list_box,
                self.add_button,
                self.advice,
            ]
        )
        for goal in saved[: guidance.max]:
            self._add_card(goal)
        while len(self.cards) < guidance.recommended_min:
            self._add_card({})
        self.goals = self.values()
        self._render()

    def _add_card(self, goal: dict[str, str]) -> GoalCard:
        card = GoalCard(self.guidance, goal, self.status, self.key)
        card.observe(self._card_changed, names=["goal", "problems"])
        self.cards.append(card)
        return card

    def _card_changed(self, _change: dict) -> None:
        self.goals = self.values()
        self._update_controls()

    def add_goal(self) -> None:
        """A new empty card while there is room; at the most goals, point to a card still empty."""
        if len(self.cards) >= self.guidance.max:
            self._waiting = next((card.number for card in self.cards if card.is_empty()), 0)
            self._update_controls()
            return
        self._add_card({})
        self._render()

    def remove_goal(self, index: int) -> None:
        if 0 <= index < len(self.cards):
            self.cards.pop(index).forget_problems()
            self._render()
            self.goals = self.values()

    def values(self) -> list[dict[str, str]]:
        """The goals to store: each card's good parts, empty cards left out."""
        return [{GOAL_ID: card.goal_id, **card.good} for card in self.cards if not goal_is_empty(card.good)]

    def _render(self) -> None:
        labels = {f.id: f.label for f in self.guidance.fields}
        cards = []
        for index, card in enumerate(self.cards):
            card.number = index + 1
            remove = widgets.Button(
                description="Remove",
                icon="trash",
                tooltip=f"Remove goal {index + 1}",
                _dom_classes=css("wb-remove-goal"),
            )
            remove.on_click(lambda _b, i=index: self.remove_goal(i))
            parts: list[widgets.Widget] = [widgets.HTML(f"<h4>Goal {index + 1}</h4>")]
            for key, box in card.inputs.items():
                parts += [label(labels[key]), box, card.notes[key].widget]
            parts.append(remove)
            cards.append(widgets.VBox(parts, _dom_classes=css("wb-goal-card")))
        self.list_box.children = cards
        self._update_controls()

    def _update_controls(self) -> None:
        """ "Add a goal" is offered until the plan holds its most goals; the advice counts complete ones."""
        filled = sum(not card.is_empty() for card in self.cards)
        self.add_button.disabled = filled >= self.guidance.max
        done = sum(1 for goal in self.values() if goal_is_complete(goal))
        low, high = self.guidance.recommended_min, self.guidance.max
        empty = next((card.number for card in self.cards if card.is_empty()), 0)
        if self._waiting and self._waiting == empty:
            text = f"Goal {empty} is still empty: write your new goal there."
        elif done < low:
            text = f"{done} goal(s) with a measure so far. Aim for {low} to {high}: give each one a measure."
        elif done >= high:
            text = f"{done} goals: that is the most this plan holds, so each one gets real attention."
        else:
            text = f"{done} goals: a focused plan. You can add one more if it really matters."
        self.advice.value = html('<p class="wb-muted">{text}</p>', text=text)
