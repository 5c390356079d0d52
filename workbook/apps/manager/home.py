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
    """Everything of one signed-in manager; holds only that manager's own data."""

    def __init__(self, store: Store, person: Person, code: str = "") -> None:
        self.store = store
        self.person = person
        self.code = code  # the viewer's own code, for links to their lessons only
        self.waves: dict[str, bool] | None = open_waves(store, person.cohort) if person.cohort else None
        self.scores: pd.DataFrame = my_scores(store, person)
        self.lessons_tab = LessonsTab(self)
        self.comfort = ComfortCheck(self)
        self.summary = SummaryTab(self)
        self.reaction: ReactionTab | None = ReactionTab(self) if self._reaction_due() else None
        self.planner = PlannerTab(self)
        self.conversations = ConversationsTab(self)
        pages = [
            ("Lessons", self.lessons_tab.widget),
            ("Comfort check", self.comfort.widget),
            ("My before and after", self.summary.widget),
        ]
        if self.reaction is not None:
            pages.append(("Reaction", self.reaction.widget))
        pages += [("Planner", self.planner.widget), ("Conversations held", self.conversations.widget)]
        self.tabs = widgets.Tab(
            children=[page for _, page in pages],
            titles=[title for title, _ in pages],
            _dom_classes=css("wb-tabs"),
        )
        self.tabs.observe(self._on_tab, "selected_index")
        header = widgets.HTML(
            f'<h1 class="wb-title">{esc(TITLE)}</h1>'
            f'<p class="wb-whoami">Signed in as <strong>{esc(person.name)}</strong>'
            + (f" · cohort {esc(person.cohort)}" if person.cohort else "")
            + "</p>"
        )
        self.widget = widgets.VBox([manager_style(), header, self.tabs], _dom_classes=css("wb-manager-home"))

    def _reaction_due(self) -> bool:
        return bool(self.waves and self.waves["post"]) or bool((self.scores["wave"] == "post").any())

    def _on_tab(self, change: dict) -> None:
        if change["new"] == 0:
            self.lessons_tab.refresh()

    def after_scores(self) -> None:
        self.scores = my_scores(self.store, self.person)
        self.summary.refresh()


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
