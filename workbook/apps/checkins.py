"""The team member's goal check-ins, beside their goals: for each goal, where it stands (status, an
optional percentage and a short note), its history and a small progress chart.

Each card keeps its goal's id in Python (a page visitor can change a widget's value, never which goal
a card records on); every value is checked again by `team.checkins.record_checkin`."""

from __future__ import annotations

import ipywidgets as widgets

from workbook.apps.common import close_tree, css, full_width, label, named, when
from workbook.apps.goal_progress import history_table, latest_line, progress_chart
from workbook.apps.markup import html, status_line
from workbook.identity import Person
from workbook.store import Store, StoreError
from workbook.team.checkins import NOTE_MAX, STATUSES, GoalProgress, my_goal_progress, record_checkin
from workbook.validation import InputError

NO_PROGRESS = -1  # the progress menu's "not given"
PROGRESS_OPTIONS = [("Not given", NO_PROGRESS)] + [(f"{p}%", p) for p in range(0, 101, 10)]


class GoalCheckInCard:
    """One goal's check-in form, where it stands and its history."""

    def __init__(self, goal: GoalProgress, record: object) -> None:
        self.goal_id = goal.goal_id  # kept in Python: the goal this card records on
        self.heading = widgets.HTML()
        self.status = named(
            widgets.Dropdown(
                options=[(text, key) for key, text in STATUSES.items()],
                value=goal.latest.status if goal.latest and goal.latest.status in STATUSES else "not_started",
                _dom_classes=css("wb-checkin-status"),
            ),
            "Status",
        )
        self.progress = named(
            widgets.Dropdown(
                options=PROGRESS_OPTIONS, value=NO_PROGRESS, _dom_classes=css("wb-checkin-progress")
            ),
            "Progress (optional)",
        )
        self.note = named(
            widgets.Textarea(
                rows=2,
                placeholder=f"Up to {NOTE_MAX} characters",
                layout=full_width(),
                _dom_classes=css("wb-checkin-note"),
            ),
            "Note",
        )
        self.button = widgets.Button(
            description="Record check-in", button_style="primary", _dom_classes=css("wb-checkin-record")
        )
        self.button.on_click(lambda _b: record(self))  # type: ignore[operator]
        self.message = widgets.HTML(_dom_classes=css("wb-checkin-message"))
        self.history = widgets.HTML(_dom_classes=css("wb-checkin-history"))
        self._latest = goal.latest
        self.widget = widgets.VBox(
            [
                self.heading,
                label("Status"),
                self.status,
                label("Progress (optional)"),
                self.progress,
                label("Note"),
                self.note,
                self.button,
                self.message,
                self.history,
            ],
            _dom_classes=css("wb-checkin-card", f"wb-checkin-{goal.goal_id}"),
        )
        self.show(goal)

    def show(self, goal: GoalProgress) -> None:
        """The goal as it stands; after a new check-in the form starts again from its status."""
        self.goal = goal
        if goal.latest != self._latest and goal.latest is not None and goal.latest.status in STATUSES:
            self.status.value = goal.latest.status
        self._latest = goal.latest
        self.heading.value = html("<h4>{title}</h4>", title=goal.title) + latest_line(goal)
        self.history.value = progress_chart(goal) + history_table(goal)

    def close(self) -> None:
        close_tree(self.widget)


class CheckInPanel:
    """Check-ins on every goal of the person's plan as it is saved (a View: built when the goals section
    is first opened)."""

    def __init__(self, store: Store, person: Person) -> None:
        self.store = store
        self.person = person
        self.cards: dict[str, GoalCheckInCard] = {}
        self.list = widgets.VBox(_dom_classes=css("wb-checkin-list"))
        self.empty = widgets.HTML()
        self.message = widgets.HTML(_dom_classes=css("wb-checkin-panel-message"))
        self.widget = widgets.VBox(_dom_classes=css("wb-checkins"))

    @property
    def built(self) -> bool:
        return bool(self.widget.children)

    def build(self) -> None:
        if self.built:
            return
        self.widget.children = [
            widgets.HTML(
                "<h3>Check-ins on your goals</h3><p>Now and then, say how each goal is going: its status, "
                "how far along it is if you like, and a short note. Every check-in is kept, so you and "
                "whoever you share your goals with can see the way travelled.</p>"
            ),
            self.message,
            self.empty,
            self.list,
        ]
        self.refresh()

    def refresh(self) -> None:
        """Read the goals as saved now: a new goal gets a card, an edited one its new title, a removed
        one's card goes (its check-ins stay in the store)."""
        if not self.built:
            return
        goals = my_goal_progress(self.store, self.person)
        kept: dict[str, GoalCheckInCard] = {}
        for goal in goals:
            card = self.cards.get(goal.goal_id)
            if card is None:
                card = GoalCheckInCard(goal, self.record)
            else:
                card.show(goal)
            kept[goal.goal_id] = card
        for goal_id, card in self.cards.items():
            if goal_id not in kept:
                card.close()
        self.cards = kept
        self.list.children = [card.widget for card in kept.values()]
        self.empty.value = (
            ""
            if kept
            else html(
                '<p class="wb-muted wb-checkin-empty">Write a goal above; once it is saved you can '
                "check in on it here.</p>"
            )
        )

    def record(self, card: GoalCheckInCard) -> None:
        """Record the card's check-in; a clear message, and nothing stored, if a value is refused."""
        self.record_on(card.goal_id, card.status.value, card.progress.value, card.note.value, card)

    def record_on(
        self,
        goal_id: object,
        status: object,
        progress: object,
        note: object,
        card: GoalCheckInCard | None = None,
    ) -> None:
        shown = card.message if card is not None else self.message
        amount = None if progress == NO_PROGRESS else progress
        try:
            saved = record_checkin(self.store, self.person, goal_id, status, amount, note)
        except InputError as exc:
            shown.value = status_line(f"Not saved: {exc}", "wb-checkin-error", "alert")
            return
        except StoreError as exc:
            shown.value = status_line(f"Not saved: {exc}", "wb-checkin-error", "alert")
            self.refresh()
            return
        self.refresh()
        card = self.cards.get(saved.goal_id)
        if card is not None:
            card.note.value = ""
            card.message.value = status_line(
                f"Check-in saved at {when(saved.recorded_at)}.", "wb-checkin-done"
            )
