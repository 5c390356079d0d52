"""The manager's home: lessons, the comfort and skill check, their own before and after, their reaction
to the programme, the conversation planner and the log of conversations held.

Behind the same sign-in as every app. The kernel holds only the signed-in manager's own data; every
value from the page goes through the manager-track domain functions, which check it on the server and
raise InputError (shown in the status line, nothing stored). Text a person wrote is escaped in HTML."""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd

from workbook.apps.common import (
    SignIn,
    css,
    esc,
)
from workbook.apps.lazy import Deferred, LazyTabs, Shown, View
from workbook.apps.lessons import (
    app_href,
    manager_style,
)
from workbook.apps.manager.comfort import ComfortCheck, SummaryTab
from workbook.apps.manager.conversations import ConversationsTab
from workbook.apps.manager.planner import PlannerTab
from workbook.apps.manager.reaction import ReactionTab
from workbook.apps.manager.shared import (
    TITLE,
    Home,
)
from workbook.apps.registry import HOME_NOTEBOOK, LESSON_NOTEBOOKS
from workbook.identity import Person
from workbook.manager.content import lesson_progress, lesson_scope, lessons
from workbook.manager.scores import my_scores
from workbook.manager.waves import open_waves
from workbook.store import Store


# -- Lessons ---------------------------------------------------------------------------------------------
class LessonsTab:
    """Each lesson with the manager's progress and a link that opens it with the manager's own code."""

    def __init__(self, home: Home) -> None:
        self.home = home
        self.course = lessons()
        self.list = widgets.HTML(_dom_classes=css("wb-lesson-list"))
        self.widget = widgets.VBox(
            [widgets.HTML(f"<h3>{esc(self.course.title)}</h3><p>{esc(self.course.intro)}</p>"), self.list],
            _dom_classes=css("wb-tab-lessons"),
        )
        self.refresh()

    def progress(self) -> dict[str, tuple[int, int]]:
        store, person = self.home.store, self.home.person
        return {
            lesson.id: lesson_progress(lesson, store.current_answers(person.id, lesson_scope(lesson.id)))
            for lesson in self.course.lessons
        }

    def refresh(self) -> None:
        items = []
        for number, lesson in enumerate(self.course.lessons, start=1):
            done, total = self.progress()[lesson.id]
            state = "done" if done == total else ("started" if done else "todo")
            href = app_href(LESSON_NOTEBOOKS.get(lesson.id, ""), self.home.code)
            items.append(
                f'<li class="wb-lesson-item wb-progress-{state}" data-lesson="{esc(lesson.id)}">'
                f'<a class="wb-lesson-link" href="{esc(href)}">Lesson {number}: {esc(lesson.title)}</a>'
                f' <span class="wb-lesson-progress">({done} of {total} activities done)</span>'
                f'<br><span class="wb-muted">{esc(lesson.summary)}</span></li>'
            )
        self.list.value = f'<ol class="wb-lessons">{"".join(items)}</ol>'


# -- the home ---------------------------------------------------------------------------------------------
class ManagerHome:
    """Everything of one signed-in manager; holds only that manager's own data.

    The lessons tab is built when the page opens; every other tab when it is first opened (or first
    asked for, as `home.planner`)."""

    def __init__(self, store: Store, person: Person, code: str = "") -> None:
        self.store = store
        self.person = person
        self.code = code  # the viewer's own code, for links to their lessons only
        self.waves: dict[str, bool] | None = open_waves(store, person.cohort) if person.cohort else None
        self.scores: pd.DataFrame = my_scores(store, person)
        self.lessons_tab = LessonsTab(self)
        self._comfort = Deferred(lambda: ComfortCheck(self))
        self._summary = Deferred(lambda: SummaryTab(self))
        self._reaction = Deferred(lambda: ReactionTab(self)) if self._reaction_due() else None
        self._planner = Deferred(lambda: PlannerTab(self))
        self._conversations = Deferred(lambda: ConversationsTab(self))
        pages: list[tuple[str, View]] = [
            ("Lessons", Shown(self.lessons_tab.widget)),
            ("Comfort check", self._comfort),
            ("My before and after", self._summary),
        ]
        if self._reaction is not None:
            pages.append(("Reaction", self._reaction))
        pages += [("Planner", self._planner), ("Conversations held", self._conversations)]
        self.tabs = LazyTabs(pages, "wb-tabs").widget
        self.tabs.observe(self._on_tab, "selected_index")
        header = widgets.HTML(
            f'<h2 class="wb-title">{esc(TITLE)}</h2>'
            f'<p class="wb-whoami">Signed in as <strong>{esc(person.name)}</strong>'
            + (f" · cohort {esc(person.cohort)}" if person.cohort else "")
            + "</p>"
        )
        self.widget = widgets.VBox([manager_style(), header, self.tabs], _dom_classes=css("wb-manager-home"))

    @property
    def comfort(self) -> ComfortCheck:
        return self._comfort.content

    @property
    def summary(self) -> SummaryTab:
        return self._summary.content

    @property
    def reaction(self) -> ReactionTab | None:
        return self._reaction.content if self._reaction is not None else None

    @property
    def planner(self) -> PlannerTab:
        return self._planner.content

    @property
    def conversations(self) -> ConversationsTab:
        return self._conversations.content

    def _reaction_due(self) -> bool:
        return bool(self.waves and self.waves["post"]) or bool((self.scores["wave"] == "post").any())

    def _on_tab(self, change: dict) -> None:
        if change["new"] == 0:
            self.lessons_tab.refresh()

    def after_scores(self) -> None:
        self.scores = my_scores(self.store, self.person)
        summary = self._summary.content_if_built
        if summary is not None:  # one not built yet reads the scores when it is
            summary.refresh()


def manager_app(store: Store | None = None) -> widgets.Widget:
    """The manager's home, behind sign-in with an access code."""
    store = store or Store()
    return SignIn(
        store,
        lambda page: ManagerHome(page.store, page.person, page.code).widget,
        title=TITLE,
        notebook=HOME_NOTEBOOK,
    ).start()


__all__ = ["manager_app", "ManagerHome"]
