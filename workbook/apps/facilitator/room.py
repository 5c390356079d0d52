"""The room view: one question's answers in the facilitator's cohort as a large bar chart for the
projector, anonymous and live. Nothing is shown until enough people have answered, and the chart then
changes only in steps of that many new answers, so nobody's answer can be read off a change; no two charts
it can show differ by fewer than that many people, whatever happens to roles, membership or answers
(:func:`workbook.evaluation.disclosure.live_chart`): when the newest state would, or when answers behind
the chart are deleted, it shows the last chart that is still safe, or nothing, and says it is waiting
for more answers. It says how many have answered, how many the chart shows and when it changes next, or,
when the next step is more answers than the cohort's managers can give, that it will not change again
(:func:`workbook.evaluation.disclosure.live.live_outlook`); there is no final chart of every answer, which
would give away the answers given since the last step. Reopening the page or choosing the question again
shows no in-between state. Its own page
(``notebooks/room.ipynb``), opened from the facilitator's app, so that it can go full screen on the
projector."""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets

from workbook.apps.common import css
from workbook.apps.facilitator.templates import ROOM_NOTEBOOK, message, render
from workbook.apps.live import Ticker
from workbook.apps.registry import app
from workbook.apps.signin import AccessWithdrawn, SignIn
from workbook.config import anonymity_threshold
from workbook.facilitator.cohorts import NotYourCohort, check_facilitates, facilitated
from workbook.facilitator.room import RoomQuestion, RoomState, room_question, room_questions, room_state
from workbook.identity import Person
from workbook.store import Store, StoreError

ROOM_TITLE = app(ROOM_NOTEBOOK).title
REFRESH_S = 1.0  # an answer shows within about a second of the step it completes
STYLE = (Path(__file__).with_name("templates") / "room_style.html").read_text(encoding="utf-8")
# Okabe-Ito, from disagreement to agreement (the evaluator's charts use the same ramp)
LEVEL_COLOURS = ("#D55E00", "#E69F00", "#DDDDDD", "#56B4E9", "#0072B2")


def level_colours(n: int) -> list[str]:
    """One colour per rating, spread over the ramp."""
    if n <= 1:
        return [LEVEL_COLOURS[-1]] * n
    last = len(LEVEL_COLOURS) - 1
    return [LEVEL_COLOURS[round(k * last / (n - 1))] for k in range(n)]


class RoomView:
    """Pick one of your cohorts and a question; the chart follows the answers while the page is open."""

    def __init__(self, store: Store, person: Person, *, refresh_every: float = REFRESH_S) -> None:
        self.store = store
        self.person = person
        self.threshold = anonymity_threshold()
        self.cohorts = facilitated(person)
        self.questions = room_questions()
        self.state: RoomState | None = None
        self._cohort: str | None = None
        self._question: RoomQuestion | None = None
        title = widgets.HTML(render("room_title.html", title=ROOM_TITLE), _dom_classes=css("wb-room-title"))
        if not self.cohorts:
            self.widget = widgets.VBox(
                [widgets.HTML(STYLE), title, widgets.HTML("<p>You facilitate no cohort yet.</p>")],
                _dom_classes=css("wb-room"),
            )
            return
        self.cohort = widgets.Dropdown(
            description="Cohort",
            options=self.cohorts,
            value=self.cohorts[0],
            _dom_classes=css("wb-room-cohort-pick"),
            style={"description_width": "initial"},
        )
        self.question = widgets.Dropdown(
            description="Question",
            options=[(q.label, q.key) for q in self.questions],
            value=self.questions[0].key,
            _dom_classes=css("wb-room-question-pick"),
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto", max_width="100%"),
        )
        self.message = widgets.HTML(_dom_classes=css("wb-room-message"))
        self.chart = widgets.HTML(_dom_classes=css("wb-room-chart"))
        self.cohort.observe(lambda _c: self.choose(), "value")
        self.question.observe(lambda _c: self.choose(), "value")
        self.widget = widgets.VBox(
            [
                widgets.HTML(STYLE),
                title,
                widgets.VBox([self.cohort, self.question], _dom_classes=css("wb-room-controls")),
                self.message,
                self.chart,
            ],
            _dom_classes=css("wb-room"),
        )
        self.choose()
        self.ticker = Ticker(refresh_every, self.refresh, self.widget)

    def choose(self) -> None:
        """Start the chart afresh for the chosen cohort and question, both checked (any widget value can
        be sent by the page): nothing is read for a cohort this person does not facilitate."""
        self.state = None
        self._cohort = self._question = None
        self.chart.value = ""
        try:
            cohort = check_facilitates(self.person, self.cohort.value)
            question = room_question(self.question.value)
        except NotYourCohort:
            self.message.value = message(
                "error", "That cohort is not one of yours: choose one of your cohorts from the list."
            )
            return
        except StoreError as exc:
            self.message.value = message("error", f"Nothing shown: {exc}.")
            return
        self.message.value = ""
        self._cohort, self._question = cohort, question
        self.refresh()

    def refresh(self) -> None:
        """Count the answers now and move the chart if the disclosure rule lets it."""
        if self._cohort is None or self._question is None:
            return
        try:
            state = room_state(self.store, self._cohort, self._question, self.threshold)
        except AccessWithdrawn:  # the page's access was withdrawn (it was signed out): stop reading
            self._cohort = self._question = None
            if (ticker := getattr(self, "ticker", None)) is not None:
                ticker.stop()
            return
        if state == self.state:
            return
        self.state = state
        self.chart.value = self.render(state)

    def render(self, state: RoomState) -> str:
        question = self._question
        assert question is not None
        rows = list(zip(question.bars, state.counts, strict=True)) if state.counts else []
        widest = max((sum(c) for _, c in rows), default=0) or 1
        if rows and not question.is_comfort:
            widest = max((c[0] for _, c in rows), default=0) or 1
        return render(
            "room_chart.html",
            question=question,
            cohort=self._cohort,
            tally=state.counts,
            rows=rows,
            widest=widest,
            shown_answers=state.shown_answers,
            waiting_for=state.waiting_for,
            held_back=state.held_back,
            answered=state.answered,
            outlook=state.outlook.value,
            next_step=state.next_step,
            can_answer=state.can_answer,
            unshown=max(state.answered - state.shown_answers, 0),
            threshold=self.threshold,
            colours=level_colours(len(question.levels)),
        )


def room_app(store: Store | None = None) -> widgets.Widget:
    """The room view's page, behind sign-in (facilitators only)."""
    store = store or Store()
    return SignIn(
        store,
        lambda page: RoomView(page.store, page.person).widget,
        title=ROOM_TITLE,
        notebook=ROOM_NOTEBOOK,
    ).start()
