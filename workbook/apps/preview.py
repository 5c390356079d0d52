"""The content preview: a lesson as the draft in the content folder has it, for a facilitator editing the
YAML (in JupyterLab, beside the file). It checks the drafts every few seconds and shows each problem with
its file and key, or the lesson re-rendered; nothing here is seen by participants until
`workbook content publish`."""

from __future__ import annotations

import ipywidgets as widgets

from workbook import config
from workbook.apps.common import SaveStatus, css, full_width
from workbook.apps.lessons import block_views
from workbook.apps.live import Ticker
from workbook.apps.markup import section_head, status_line
from workbook.apps.signin import SignIn
from workbook.content import check_all, content_files
from workbook.content.course import lesson_parts, lessons
from workbook.content.publish import draft_changes
from workbook.store import Store
from workbook.text import html, joined

PREVIEW_NOTEBOOK = "preview.ipynb"
PREVIEW_TITLE = "Content preview"
CHECK_EVERY_S = 2.0


class ContentPreview:
    """One lesson of the draft content, re-rendered when a content file changes."""

    def __init__(self, *, published_elsewhere: bool = False) -> None:
        self.folder = config.content_dir()
        self.published_elsewhere = published_elsewhere  # an author's server cannot see the published copy
        self.choice = widgets.Dropdown(
            description="Lesson", options=[], _dom_classes=css("wb-preview-lesson")
        )
        self.state = widgets.HTML(_dom_classes=css("wb-preview-state"))
        self.problems = widgets.HTML(_dom_classes=css("wb-preview-problems"))
        self.body = widgets.VBox(layout=full_width(), _dom_classes=css("wb-preview-body"))
        self.status = SaveStatus()  # the views want one; a preview never saves
        self._seen: tuple | None = None
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    section_head(
                        PREVIEW_TITLE,
                        "The lesson as your draft in the content folder has it. Save the file and this "
                        "page follows within seconds; participants see it only once you publish it.",
                        level=1,
                    )
                ),
                self.state,
                self.choice,
                self.problems,
                self.body,
            ],
            layout=full_width(),
            _dom_classes=css("wb-preview"),
        )
        self._choosing = False
        self.choice.observe(lambda _change: None if self._choosing else self.render(), "value")
        self.refresh()
        self.ticker = Ticker(CHECK_EVERY_S, self.refresh_if_changed, self.widget)

    def _stamp(self) -> tuple:
        return tuple(
            (name, path.stat().st_mtime_ns if (path := self.folder / name).exists() else 0)
            for name in content_files()
        )

    def refresh_if_changed(self) -> None:
        if self._stamp() != self._seen:
            self.refresh()

    def _publication_note(self) -> str:
        if self.published_elsewhere:
            return status_line(
                "Participants see these drafts once the operator publishes them (workbook content publish).",
                "wb-preview-drafts",
                "note",
            )
        waiting = draft_changes()
        return status_line(
            f"Not published yet: {', '.join(waiting)}. Publish with: workbook content publish"
            if waiting
            else "The drafts are what participants see (published).",
            "wb-preview-drafts" if waiting else "wb-preview-published",
            "note",
        )

    def refresh(self) -> None:
        """Check every draft; show the problems, or the chosen lesson as it now reads."""
        self._seen = self._stamp()
        self.state.value = self._publication_note()
        problems = check_all(self.folder)
        if problems:
            self.problems.value = html(
                '<div class="wb-error" role="alert"><p>{intro}</p><ul>{items}</ul></div>',
                intro="The drafts have mistakes; publishing would refuse them. The preview below is the "
                "last version without mistakes.",
                items=joined(html("<li>{problem}</li>", problem=p) for p in problems),
            )
            return
        self.problems.value = ""
        course = lessons(self.folder)
        options = [(lesson.title, lesson.id) for lesson in course.lessons]
        chosen = self.choice.value
        if options != list(self.choice.options):
            self._choosing = True  # one render below, not one per change of the list
            try:
                self.choice.options = options
                self.choice.value = chosen if chosen in [o[1] for o in options] else options[0][1]
            finally:
                self._choosing = False
        self.render()

    def render(self) -> None:
        course = lessons(self.folder)
        lesson = next((item for item in course.lessons if item.id == self.choice.value), None)
        if lesson is None:
            return
        parts = []
        for blocks in lesson_parts(lesson.blocks):
            views = block_views(lesson, blocks, {}, self.status)
            parts.extend(view.widget for view in views.values())
        self.body.children = [widgets.HTML(html("<h2>{title}</h2>", title=lesson.title)), *parts]


def preview_app(store: Store | None = None) -> widgets.Widget:
    """The content preview, behind sign-in (facilitators only); in a content author's server under a hub,
    which holds no store, without it (the hub admitted only content authors, and the drafts are theirs)."""
    if store is None and config.author_server():
        return ContentPreview(published_elsewhere=True).widget
    store = store or Store()
    return SignIn(
        store, lambda _page: ContentPreview().widget, title=PREVIEW_TITLE, notebook=PREVIEW_NOTEBOOK
    ).start()
