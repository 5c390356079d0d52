"""The manager's home: lessons, the comfort and skill check, their own before and after, their reaction
to the programme, the conversation planner, the log of conversations held and "My team" (what the people
who report to them share with them).

Behind the same sign-in as every app. The kernel holds only the signed-in manager's own data; every
value from the page goes through the manager-track domain functions, which check it on the server and
raise InputError (shown in the status line, nothing stored). Text a person wrote is escaped in HTML."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import ipywidgets as widgets

from workbook.apps.common import (
    app_href,
    close_tree,
    css,
    manager_style,
    one_on_one_href,
)
from workbook.apps.feedback import FeedbackPanel
from workbook.apps.lazy import Deferred, LazyTabs, Shown, View
from workbook.apps.manager.shared import (
    TITLE,
    Home,
)
from workbook.apps.markup import html, joined, section_head, signed_in_as
from workbook.apps.registry import HOME_NOTEBOOK, LESSON_NOTEBOOKS
from workbook.apps.signin import SignIn
from workbook.identity import Person
from workbook.manager.content import lesson_progress, lesson_scope, lessons
from workbook.manager.waves import open_waves, waves_answered
from workbook.sharing import COMMENT_ITEM, COMMENT_SCOPE
from workbook.store import Store

if TYPE_CHECKING:  # the tabs after the first, and pandas, are imported when a tab is first opened
    import pandas as pd

    from workbook.apps.manager.comfort import ComfortCheck, SummaryTab
    from workbook.apps.manager.conversations import ConversationsTab
    from workbook.apps.manager.planner import PlannerTab
    from workbook.apps.manager.reaction import ReactionTab
    from workbook.apps.manager.team import TeamTab
    from workbook.apps.your_data import YourData


# -- Lessons ---------------------------------------------------------------------------------------------
class LessonsTab:
    """Each lesson with the manager's progress and a link that opens it (the visit's session signs it in)."""

    def __init__(self, home: Home) -> None:
        self.home = home
        self.course = lessons()
        self.list = widgets.HTML(_dom_classes=css("wb-lesson-list"))
        self.widget = widgets.VBox(
            [widgets.HTML(section_head(self.course.title, self.course.intro)), self.list],
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
            href = app_href(LESSON_NOTEBOOKS.get(lesson.id, ""))
            items.append(
                html(
                    '<li class="wb-lesson-item wb-progress-{state}" data-lesson="{id}">'
                    '<a class="wb-lesson-link" href="{href}">Lesson {number}: {title}</a>'
                    ' <span class="wb-lesson-progress">({done} of {total} activities done)</span>'
                    '<br><span class="wb-muted">{summary}</span></li>',
                    state=state,
                    id=lesson.id,
                    href=href,
                    number=number,
                    title=lesson.title,
                    done=done,
                    total=total,
                    summary=lesson.summary,
                )
            )
        self.list.value = html('<ol class="wb-lessons">{items}</ol>', items=joined(items))


# -- the home ---------------------------------------------------------------------------------------------
def one_on_one_link(store: Store, person: Person) -> str:
    """A link to the 1:1 page for a manager with team members in the workbook (nothing otherwise)."""
    from workbook.team.relation import reports_of

    with store.read() as session:
        reports = reports_of(session, person.id)
    if not reports:
        return ""
    return html(
        '<p class="wb-1on1-link"><a href="{href}">Your 1:1s with your team</a>: the agenda, notes and '
        "actions you share with {who}.</p>",
        href=one_on_one_href(),
        who=reports[0].name if len(reports) == 1 else f"your {len(reports)} team members",
    )


REACTION_PLACE = (COMMENT_SCOPE, COMMENT_ITEM)


class ManagerHome:
    """Everything of one signed-in manager; holds only that manager's own data.

    The lessons tab is built when the page opens; every other tab when it is first opened (or first
    asked for, as `home.planner`)."""

    def __init__(self, store: Store, person: Person, on_deleted: Callable[[int], None] | None = None) -> None:
        self.store = store
        self.on_deleted = on_deleted
        self.person = person
        self.waves: dict[str, bool] | None = open_waves(store, person.cohort) if person.cohort else None
        self._scores: pd.DataFrame | None = None  # loaded by the first tab that shows them
        self.feedback = FeedbackPanel(
            store, person, {REACTION_PLACE: "your comment on the programme"}, lambda _p: self._show_reaction()
        )
        self.lessons_tab = LessonsTab(self)
        self._comfort = Deferred(self._make_comfort)
        self._summary = Deferred(self._make_summary)
        self._reaction = Deferred(self._make_reaction) if self._reaction_due() else None
        self._planner = Deferred(self._make_planner)
        self._conversations = Deferred(self._make_conversations)
        self._team = Deferred(self._make_team)
        pages: list[tuple[str, View]] = [
            ("Lessons", Shown(self.lessons_tab.widget)),
            ("Comfort check", self._comfort),
            ("My before and after", self._summary),
        ]
        if self._reaction is not None:
            pages.append(("Reaction", self._reaction))
        self._data = Deferred(self._make_data)
        pages += [
            ("Planner", self._planner),
            ("Conversations held", self._conversations),
            ("My team", self._team),
            ("Your data", self._data),
        ]
        self._titles = [title for title, _ in pages]
        self.tabs = LazyTabs(pages, "wb-tabs").widget
        self.tabs.observe(self._on_tab, "selected_index")
        header = widgets.HTML(
            html('<h1 class="wb-title">{title}</h1>', title=TITLE)
            + signed_in_as(person.name, person.cohort)
            + one_on_one_link(store, person)
        )
        self.widget = widgets.VBox(
            [manager_style(), header, self.feedback.notice, self.tabs], _dom_classes=css("wb-manager-home")
        )

    def _make_comfort(self) -> ComfortCheck:
        from workbook.apps.manager.comfort import ComfortCheck

        return ComfortCheck(self)

    def _make_summary(self) -> SummaryTab:
        from workbook.apps.manager.comfort import SummaryTab

        return SummaryTab(self)

    def _make_reaction(self) -> ReactionTab:
        from workbook.apps.manager.reaction import ReactionTab

        return ReactionTab(self)

    def _make_planner(self) -> PlannerTab:
        from workbook.apps.manager.planner import PlannerTab

        return PlannerTab(self)

    def _make_conversations(self) -> ConversationsTab:
        from workbook.apps.manager.conversations import ConversationsTab

        return ConversationsTab(self)

    def _make_data(self) -> YourData:
        from workbook.apps.your_data import YourData

        return YourData(self.store, self.person, on_deleted=self.on_deleted or (lambda _rows: None))

    @property
    def your_data(self) -> YourData:
        return self._data.content

    def _make_team(self) -> TeamTab:
        from workbook.apps.manager.team import TeamTab

        return TeamTab(self)

    @property
    def scores(self) -> pd.DataFrame:
        """The manager's own latest scores, loaded when a tab first needs them."""
        if self._scores is None:
            from workbook.manager.scores import my_scores

            self._scores = my_scores(self.store, self.person)
        return self._scores

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

    @property
    def team(self) -> TeamTab:
        return self._team.content

    def _reaction_due(self) -> bool:
        """The reaction is asked for once the post check opens; a comment with feedback keeps its tab."""
        return (
            bool(self.waves and self.waves["post"])
            or "post" in waves_answered(self.store, self.person)
            or bool(self.feedback.notes)
        )

    def _show_reaction(self) -> None:
        if "Reaction" in self._titles:
            self.tabs.selected_index = self._titles.index("Reaction")

    def _on_tab(self, change: dict) -> None:
        if change["new"] == 0:
            self.lessons_tab.refresh()
        if change["new"] is not None and self._titles[change["new"]] == "Reaction":
            self.feedback.seen(REACTION_PLACE)

    def after_scores(self) -> None:
        self._scores = None
        summary = self._summary.content_if_built
        if summary is not None:  # one not built yet reads the scores when it is
            summary.refresh()


class ManagerPage:
    """The signed-in page: the manager's home, made afresh (empty) after they delete their answers."""

    def __init__(self, store: Store, person: Person) -> None:
        self.store, self.person = store, person
        self.home = ManagerHome(store, person, self._deleted)
        self.widget = widgets.VBox([self.home.widget], _dom_classes=css("wb-manager-page"))

    def _deleted(self, rows: int) -> None:
        old = self.home
        self.home = ManagerHome(self.store, self.person, self._deleted)
        notice = widgets.HTML(
            html(
                '<p class="wb-status wb-status-deleted" role="status">Your answers were deleted '
                "({rows} saved entries). This is your course, empty.</p>",
                rows=rows,
            )
        )
        self.widget.children = [notice, self.home.widget]
        close_tree(old.widget)


def manager_app(store: Store | None = None) -> widgets.Widget:
    """The manager's home, behind sign-in with an access code."""
    store = store or Store()
    return SignIn(
        store,
        lambda page: ManagerPage(page.store, page.person).widget,
        title=TITLE,
        notebook=HOME_NOTEBOOK,
    ).start()


__all__ = ["manager_app", "ManagerHome", "ManagerPage"]
