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
shows no in-between state. Its own page (``notebooks/room.ipynb``), so that it can go full screen on the
projector.

The projector opens it with a display link the facilitator makes on their page
(:mod:`workbook.facilitator.room_display`), never with their own code: that link shows its cohort's room
view only (the question can be picked, on this page or the facilitator's), opens nothing else, and stops
at the end of its day or when the facilitator ends it. A facilitator may still open the page with their
own sign-in (it then offers each of their cohorts)."""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets

from workbook.apps.address import SignedInAddress
from workbook.apps.common import app_style, close_tree, css, query_param
from workbook.apps.facilitator.templates import ROOM_NOTEBOOK, message, render
from workbook.apps.live import Ticker
from workbook.apps.registry import app
from workbook.apps.signin import AccessWithdrawn, SignIn, query_code
from workbook.config import anonymity_threshold
from workbook.facilitator.cohorts import NotYourCohort, check_facilitates, facilitated
from workbook.facilitator.room import RoomQuestion, RoomState, room_question, room_questions, room_state
from workbook.facilitator.room_display import (
    DISPLAY_PARAMETER,
    ENDED,
    Display,
    DisplayEnded,
    display_is_live,
    live_display,
    open_display,
    set_question_on_display,
)
from workbook.identity import Person
from workbook.server import page
from workbook.server.sessions import visit_claims
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
    """Pick one of your cohorts and a question; the chart follows the answers while the page is open.

    Opened with a display link (`display`), it shows that link's cohort only and follows the question
    chosen for it on either page; once the link has ended it shows nothing more."""

    def __init__(
        self,
        store: Store,
        person: Person | None,
        *,
        display: Display | None = None,
        refresh_every: float = REFRESH_S,
    ) -> None:
        self.store = store
        self.person = person
        self.display = display
        self._following = False  # the question is being set from the display's row, not by this page
        self.threshold = anonymity_threshold()
        self.cohorts = [display.cohort] if display is not None else facilitated(person) if person else []
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
            value=self._first_question(),
            _dom_classes=css("wb-room-question-pick"),
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto", max_width="100%"),
        )
        self.controls = widgets.VBox([self.cohort, self.question], _dom_classes=css("wb-room-controls"))
        self.message = widgets.HTML(_dom_classes=css("wb-room-message"))
        self.chart = widgets.HTML(_dom_classes=css("wb-room-chart"))
        self.cohort.observe(lambda _c: self.choose(), "value")
        self.question.observe(lambda _c: self.choose(), "value")
        self.widget = widgets.VBox(
            [
                widgets.HTML(STYLE),
                title,
                self.controls,
                self.message,
                self.chart,
            ],
            _dom_classes=css("wb-room"),
        )
        self.choose()
        self.ticker = Ticker(refresh_every, self.refresh, self.widget)

    def _first_question(self) -> str:
        keys = [q.key for q in self.questions]
        chosen = self.display.question if self.display is not None else None
        return chosen if chosen in keys else keys[0]

    def _check_cohort(self, cohort: object) -> str:
        """The cohort if this page may show it: the display link's own, or one the person facilitates."""
        if self.display is not None:
            if cohort != self.display.cohort:
                raise NotYourCohort("that cohort is not this room link's")
            return self.display.cohort
        if self.person is None:
            raise NotYourCohort("nobody signed in")
        return check_facilitates(self.person, cohort)

    def choose(self) -> None:
        """Start the chart afresh for the chosen cohort and question, both checked (any widget value can
        be sent by the page): nothing is read for a cohort this person does not facilitate, or that is
        not the display link's."""
        self.state = None
        self._cohort = self._question = None
        self.chart.value = ""
        try:
            cohort = self._check_cohort(self.cohort.value)
            question = room_question(self.question.value)
            if self.display is not None and not self._following:
                self.display = set_question_on_display(self.store, self.display.id, question.key)
        except DisplayEnded:
            self.ended()
            return
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

    def follow_display(self) -> bool:
        """A display link's page: whether the link is still live (else the page ends), and the question
        chosen for it on the facilitator's page, if it changed."""
        if self.display is None:
            return True
        if self.controls.comm is None:  # ended before
            return False
        try:
            self.display = live_display(self.store, self.display.id)
        except DisplayEnded:
            self.ended()
            return False
        chosen = self.display.question
        if chosen and chosen != self.question.value and chosen in {q.key for q in self.questions}:
            self._following = True
            try:
                self.question.value = chosen
            finally:
                self._following = False
        return True

    def ended(self) -> None:
        """The display link ended (its day is over, or the facilitator ended it): nothing more is read
        or shown, and no control is left to send anything to."""
        self._cohort = self._question = None
        if (ticker := getattr(self, "ticker", None)) is not None:
            ticker.stop()
        self.message.value = message("error", ENDED)
        self.chart.value = ""
        self.widget.children = [self.widget.children[0], self.widget.children[1], self.message]
        close_tree(self.controls)  # no control is left to send anything to
        close_tree(self.chart)

    def refresh(self) -> None:
        """Count the answers now and move the chart if the disclosure rule lets it."""
        if not self.follow_display() or self._cohort is None or self._question is None:
            return
        try:
            state = room_state(self.store, self._cohort, self._question, self.threshold)
        except (AccessWithdrawn, DisplayEnded):  # the page's access was withdrawn: stop reading
            if self.display is not None:
                self.ended()
                return
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


class DisplayPage:
    """The room page opened with a display link (or the visit's display session): that cohort's room
    view, nothing else. Failed links count against the address like failed codes."""

    def __init__(self, store: Store) -> None:
        from workbook.signin_guard import SignInGuard

        self.store = store
        self.guard = SignInGuard(store, "room")
        self.view: RoomView | None = None
        self.setup = app_style()
        self.widget = widgets.VBox([self.setup], _dom_classes=css("wb-app", "wb-room-display"))

    def open_link(self, token: object) -> RoomView | None:
        from workbook.signin_guard import wait_message

        wait = self.guard.wait()
        if wait is not None:
            return self._refuse(wait_message(wait))
        try:
            display = open_display(self.store, token)
        except DisplayEnded:
            self.guard.failed()
            return self._refuse(ENDED)
        return self._open(display, carry=True)

    def open_session(self, display_id: int) -> RoomView | None:
        try:
            display = live_display(self.store, display_id)
        except DisplayEnded:
            return self._refuse(ENDED)
        return self._open(display, carry=False)

    def _open(self, display: Display, *, carry: bool) -> RoomView:
        session = {"display": display.id, "ends": display.ends_at.timestamp()} if carry else None
        page.current().signed_in(session)
        self.setup.children = (*self.setup.children, SignedInAddress(carry=carry))

        def still_live(session: object) -> None:
            if not display_is_live(session, display.id):  # type: ignore[arg-type]
                raise DisplayEnded(ENDED)

        self.view = RoomView(self.store.guarded(still_live), None, display=display)
        self.widget.children = [self.setup, self.view.widget]
        return self.view

    def _refuse(self, text: str) -> None:
        """Say why the link opens nothing (no form: a display link is not a sign-in)."""
        self.widget.children = [
            self.setup,
            widgets.HTML(render("room_title.html", title=ROOM_TITLE), _dom_classes=css("wb-room-title")),
            widgets.HTML(message("error", text), _dom_classes=css("wb-room-message")),
        ]
        return None


def room_app(store: Store | None = None) -> widgets.Widget:
    """The room view's page: for a display link (in the address, or the visit's display session), else
    behind sign-in (facilitators only)."""
    store = store or Store()
    token = query_param(DISPLAY_PARAMETER)
    if token is not None:
        shown = DisplayPage(store)
        shown.open_link(token)
        return shown.widget
    claims = visit_claims()
    if query_code() is None and claims is not None and claims.display is not None:
        shown = DisplayPage(store)
        shown.open_session(claims.display)
        return shown.widget
    return SignIn(
        store,
        lambda page: RoomView(page.store, page.person).widget,
        title=ROOM_TITLE,
        notebook=ROOM_NOTEBOOK,
    ).start()
