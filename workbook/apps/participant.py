"""The team member's app: prepare for a career conversation, section by section, and leave
with a development plan. Every answer saves as it is typed.

Each section is a view (`SectionView`) whose checked answers, visibility and last change live in
traits; the workbook observes them to save, and builds a section's widgets when it is first opened."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING

import ipywidgets as widgets
import traitlets

from workbook import content
from workbook.apps.aria import labelled_group
from workbook.apps.checkins import CheckInPanel
from workbook.apps.common import (
    Autosaver,
    FieldNote,
    SaveStatus,
    close_tree,
    css,
    full_width,
    label,
    named,
    one_on_one_href,
    when,
)
from workbook.apps.feedback import FeedbackPanel
from workbook.apps.goals import GoalsEditor
from workbook.apps.lazy import Deferred, LazyTabs, Shown, View
from workbook.apps.markup import help_text, html, joined, signed_in_as
from workbook.apps.registry import PARTICIPANT_NOTEBOOK
from workbook.apps.signin import SignIn
from workbook.content import Preparation, PrepField, PrepSection, visibility_options
from workbook.identity import Person
from workbook.preparation import (
    GOALS_FIELD,
    SCOPE,
    answer_key,
    clean_field,
    clean_goals,
    clean_visibility,
    load_plan,
    saved_goals,
    section_progress,
)
from workbook.store import SavedAnswer, Store
from workbook.validation import InputError

if TYPE_CHECKING:
    from workbook.apps.downloads import Prepared
    from workbook.apps.your_data import YourData

TEXTAREA_ROWS = 3


class SectionView(traitlets.HasTraits):
    """One section of the preparation: its questions, who can see it, when it last changed.

    Its values live in traits the workbook observes: `answers` (answer key -> checked value, only good
    values ever get there), `level` (who can see the section). The workbook sets `changed_at` after a
    save. Its widgets are made by `build()`, when the section is first opened. Not a widget itself, so
    a page visitor cannot set these traits: only its inputs, whose values are checked here first.
    """

    answers = traitlets.Dict(help="this section's checked answers by answer key, as they are to be stored")
    level = traitlets.Unicode(help="who can see this section, as chosen on the page")
    changed_at = traitlets.Any(None, allow_none=True, help="when an answer of this section last changed")

    def __init__(
        self,
        section: PrepSection,
        saved: Mapping[str, SavedAnswer],
        level: str,
        status: SaveStatus,
        extra: View | None = None,
        has_manager: bool = True,
    ) -> None:
        super().__init__()
        self.section = section
        self.has_manager = has_manager  # the "manager" choice says so when nobody is named yet
        self.extra = extra  # a view shown under the questions (the goals' check-ins), built with them
        self.status = status
        keys = [answer_key(section.id, f.id) for f in section.fields]
        if section.goals is not None:
            keys.append(answer_key(section.id, GOALS_FIELD))
        self._saved = {key: saved[key] for key in keys if key in saved}
        self.inputs: dict[str, widgets.Widget] = {}
        self.notes: dict[str, FieldNote] = {}
        self.goals_editor: GoalsEditor | None = None
        self.visibility: widgets.Dropdown | None = None
        self.last_changed: widgets.HTML | None = None
        self.feedback = widgets.HTML(_dom_classes=css("wb-section-feedback"))  # the facilitator's, if any
        self.widget = widgets.VBox(_dom_classes=css("wb-section", f"wb-section-{section.id}"))
        self.answers = {key: answer.value for key, answer in self._saved.items()}
        self.level = level
        self.changed_at = section_progress(section, self._saved).last_changed

    @property
    def built(self) -> bool:
        return self.last_changed is not None

    def build(self) -> None:
        """Make the section's widgets from what was saved when the page opened, and what changed since."""
        if self.built:
            return
        section = self.section
        self.visibility = widgets.Dropdown(
            options=visibility_options(self.has_manager),
            value=self.level,
            description="Who can see this",
            style={"description_width": "initial"},
            _dom_classes=css("wb-visibility", f"wb-visibility-{section.id}"),
        )
        self.visibility.observe(lambda change: setattr(self, "level", change["new"]), names="value")
        self.last_changed = widgets.HTML(_dom_classes=css("wb-last-changed"))
        rows: list[widgets.Widget] = [
            widgets.HTML(
                html(
                    '<h3 class="wb-section-title">{title}</h3>'
                    '<p class="wb-why"><strong>Why this matters:</strong> {why}</p>',
                    title=section.title,
                    why=section.why,
                )
                + (html("<p>{intro}</p>", intro=section.intro) if section.intro else "")
            ),
            widgets.HBox([self.visibility, self.last_changed]),
            self.feedback,
        ]
        for prep_field in section.fields:
            rows.append(self._field(prep_field, self._saved.get(answer_key(section.id, prep_field.id))))
        if section.goals is not None:
            self.goals_editor = GoalsEditor(section.goals, saved_goals(section, self._saved), self.status)
            self.goals_editor.observe(self._goals_changed, names="goals")
            rows.append(self.goals_editor.widget)
        if self.extra is not None:
            self.extra.build()
            rows.append(self.extra.widget)
        self.widget.children = rows
        self._show_changed_at()

    def _field(self, prep_field: PrepField, saved: SavedAnswer | None) -> widgets.Widget:
        key = answer_key(self.section.id, prep_field.id)
        classes = css("wb-field", f"wb-field-{self.section.id}-{prep_field.id}")
        if prep_field.kind == "choices":
            chosen = set(saved.value) if saved else set()
            boxes = [
                widgets.Checkbox(
                    value=choice.id in chosen,
                    description=choice.label,
                    indent=False,
                    _dom_classes=css(f"wb-choice-{choice.id}"),
                )
                for choice in prep_field.choices
            ]

            def on_choice(_change: object) -> None:
                value = [c.id for c, box in zip(prep_field.choices, boxes, strict=True) if box.value]
                self.typed(prep_field, value)

            for box in boxes:
                box.observe(on_choice, names="value")
            heading, group = labelled_group(prep_field.label, boxes, *classes)
            self.inputs[prep_field.id] = group
            note = self.notes[prep_field.id] = FieldNote(self.status, key, group)
            return widgets.VBox([heading, group, note.widget])
        if prep_field.kind == "long_text":
            box = widgets.Textarea(rows=TEXTAREA_ROWS, layout=full_width())
        else:
            box = widgets.Text(layout=full_width())
        named(box, prep_field.label)
        box.value = saved.value if saved else ""
        box.placeholder = prep_field.placeholder
        box.tooltip = prep_field.label
        box.add_class(classes[0])
        box.add_class(classes[1])
        box.observe(lambda change: self.typed(prep_field, change["new"]), names="value")
        self.inputs[prep_field.id] = box
        note = self.notes[prep_field.id] = FieldNote(self.status, key, box)
        parts: list[widgets.Widget] = [label(prep_field.label), box, note.widget]
        if prep_field.help:
            parts.append(widgets.HTML(help_text(prep_field.help)))
        return widgets.VBox(parts, layout=full_width())

    def typed(self, prep_field: PrepField, value: object) -> None:
        """Check a value from the page at once: a bad one is shown beside its field and kept out of
        `answers`; a good one becomes the field's answer (a good one before it is saved all the same)."""
        note = self.notes[prep_field.id]
        try:
            cleaned = clean_field(self.section, prep_field, value)
        except InputError as exc:
            note.refuse(exc)
            return
        note.accept()
        self.answers = {**self.answers, answer_key(self.section.id, prep_field.id): cleaned}

    def _goals_changed(self, change: dict) -> None:
        try:
            cleaned = clean_goals(self.section, change["new"])
        except InputError as exc:
            self.status.error(str(exc))
            return
        self.answers = {**self.answers, answer_key(self.section.id, GOALS_FIELD): cleaned}

    @traitlets.observe("changed_at")
    def _on_changed_at(self, _change: dict) -> None:
        self._show_changed_at()

    def _show_changed_at(self) -> None:
        if self.last_changed is not None:
            self.last_changed.value = html(
                '<span class="wb-muted">Last changed: {moment}</span>', moment=when(self.changed_at)
            )


class PreparationWorkbook:
    """The whole preparation for one signed-in person. Holds only that person's answers.

    Every section is a view the workbook observes; only the first is built when the page opens, the
    others when they are first opened. Progress, status and the plan come from the store, so they are
    right for sections never opened."""

    def __init__(
        self,
        store: Store,
        person: Person,
        prep: Preparation,
        on_deleted: Callable[[int], None] | None = None,
    ) -> None:
        self.store = store
        self.on_deleted = on_deleted
        self.person = person
        self.prep = prep
        self.status = SaveStatus()
        self.autosaver = Autosaver(self.status)
        self.answers: dict[str, SavedAnswer] = store.current_answers(person.id, SCOPE)
        self.visibility: dict[str, str] = store.visibilities(person.id, SCOPE)
        self.progress = widgets.HTML(_dom_classes=css("wb-progress"))
        self.views: dict[str, SectionView] = {}
        self.checkins = CheckInPanel(store, person)
        self.has_manager = self._has_manager()
        for section in prep.sections:
            level = self.visibility.get(section.id, section.default_visibility)
            extra = self.checkins if section.goals is not None else None
            view = SectionView(section, self.answers, level, self.status, extra, self.has_manager)
            view.observe(self._answers_changed, names="answers")
            view.observe(self._level_changed, names="level")
            self.views[section.id] = view
        self.feedback = FeedbackPanel(
            store,
            person,
            {(SCOPE, s.id): s.title for s in prep.sections},
            lambda place: self.open_section(place[1]),
        )
        for section_id, view in self.views.items():
            view.feedback.value = self.feedback.html((SCOPE, section_id))
        self._plan = Deferred(self._make_plan_tab)
        self._data = Deferred(self._make_data_tab)
        pages = [(f"{i}. {s.title}", self.views[s.id]) for i, s in enumerate(prep.sections, start=1)]
        self.sections = LazyTabs([*pages, ("Your plan", self._plan), ("Your data", self._data)], "wb-tabs")
        self.tabs = self.sections.widget
        self.tabs.observe(self._on_section, "selected_index")
        header = widgets.HTML(
            html(
                '<h1 class="wb-title">{title}</h1>{whoami}<p>{intro}</p>{one_on_one}',
                title=prep.title,
                whoami=signed_in_as(person.name),
                intro=prep.intro,
                one_on_one=self._one_on_one_link(),
            )
        )
        self.widget = widgets.VBox(
            [header, self.feedback.notice, self.progress, self.status.widget, self.tabs],
            _dom_classes=css("wb-workbook"),
        )
        self._update_progress()

    def _has_manager(self) -> bool:
        """Whether the person has a manager in the workbook as the page opens."""
        from workbook.team.relation import manager_id_of

        with self.store.read() as session:
            return manager_id_of(session, self.person.id) is not None

    def _one_on_one_link(self) -> str:
        """A link to the 1:1 page, once the person has a manager in the workbook."""
        if not self.has_manager:
            return ""
        return html(
            '<p class="wb-1on1-link"><a href="{href}">Your 1:1 page with your manager</a>: the agenda, '
            "shared notes and actions of your career conversations.</p>",
            href=one_on_one_href(),
        )

    def _make_plan_tab(self) -> Shown:
        """The plan tab, made when it is first opened (or a plan is first asked for)."""
        self.plan_preview = widgets.HTML(_dom_classes=css("wb-plan-preview"))
        self.downloads = widgets.HTML(_dom_classes=css("wb-downloads"))
        self.plan_files = self._prepared_plan()
        make = widgets.Button(
            description="Build my plan",
            icon="file",
            button_style="primary",
            _dom_classes=css("wb-build-plan"),
        )
        make.on_click(lambda _b: self.build_plan())
        plan_tab = widgets.VBox(
            [
                widgets.HTML(
                    "<h3>Your development plan</h3><p>Your plan is assembled from your answers. "
                    "Build it to see a preview and download it as Word, PDF or Markdown.</p>"
                ),
                make,
                self.downloads,
                self.plan_preview,
            ],
            _dom_classes=css("wb-section", "wb-section-plan"),
        )
        return Shown(plan_tab)

    def _prepared_plan(self) -> Prepared:
        """The plan's downloads follow the answers: once something they hold is deleted (in another tab of
        this person's) or changed, the links and the preview go at the next check."""
        from workbook.apps.downloads import FOLLOW_S, Prepared

        def preview_gone() -> None:
            self.plan_preview.value = ""

        return Prepared(
            self.downloads,
            lambda: load_plan(self.store, self.prep, self.person, date.today()),
            every=FOLLOW_S,
            dropped=preview_gone,
        )

    def _make_data_tab(self) -> YourData:
        """The "Your data" tab (download and delete), made when it is first opened."""
        from workbook.apps.your_data import YourData

        return YourData(
            self.store,
            self.person,
            before_delete=self.autosaver.discard,
            on_deleted=self.on_deleted or (lambda _rows: None),
        )

    @property
    def your_data(self) -> YourData:
        return self._data.content

    def open_section(self, section_id: str) -> SectionView:
        """Show a section, as a click on its tab does (building it the first time)."""
        index = [s.id for s in self.prep.sections].index(section_id)
        self.sections.select(index)
        return self.views[section_id]

    def _on_section(self, change: dict) -> None:
        """A section opened: its facilitator's feedback, shown beside it, is no longer new."""
        if change["new"] is not None and change["new"] < len(self.prep.sections):
            self.feedback.seen((SCOPE, self.prep.sections[change["new"]].id))

    # -- saving -------------------------------------------------------------------------------
    def _answers_changed(self, change: dict) -> None:
        """A section's checked answers changed: save the ones that differ, after a pause in typing."""
        section: PrepSection = change["owner"].section
        old, new = change["old"], change["new"]
        for key, value in new.items():
            if key in old and old[key] == value:
                continue
            field_id = key.split(".", 1)[1]
            if field_id == GOALS_FIELD:
                self.save_goals(section, value)
            else:
                self.save(section, next(f for f in section.fields if f.id == field_id), key, value)

    def _level_changed(self, change: dict) -> None:
        self.save_visibility(change["owner"].section, change["new"])

    def _record(self, key: str, value: object) -> datetime:
        moment = self.store.save_answer(self.person.id, SCOPE, key, value)
        self.answers[key] = SavedAnswer(value, moment)
        self._after_save(key.split(".", 1)[0])
        if key.endswith(f".{GOALS_FIELD}"):
            self.checkins.refresh()
        return moment

    def save(self, section: PrepSection, prep_field: PrepField, key: str, value: object) -> None:
        """Check a value once more in the kernel, then save it after a pause in typing (the section
        shows a bad value beside its field; one sent past it is refused in the status line)."""
        try:
            cleaned = clean_field(section, prep_field, value)
        except InputError as exc:
            self.status.error(str(exc))
            return
        self.autosaver.schedule(key, lambda: self._record(key, cleaned))

    def save_goals(self, section: PrepSection, goals: list[dict[str, str]]) -> None:
        """Store the goals (built from the good parts of every card) after a pause in typing."""
        key = answer_key(section.id, GOALS_FIELD)
        try:
            cleaned = clean_goals(section, goals)
        except InputError as exc:
            self.status.error(str(exc))
            return
        self.autosaver.schedule(key, lambda: self._record(key, cleaned))

    def save_visibility(self, section: PrepSection, level: object) -> None:
        try:
            level = clean_visibility(section, level)
        except ValueError as exc:
            self.status.error(str(exc))
            return
        moment = self.store.set_visibility(self.person.id, SCOPE, section.id, level)
        self.visibility[section.id] = level
        self.status.saved(moment)

    def _after_save(self, section_id: str) -> None:
        if section_id in self.views:
            view = self.views[section_id]
            view.changed_at = section_progress(view.section, self.answers).last_changed
        self._update_progress()

    def _update_progress(self) -> None:
        items = []
        complete = 0
        for section in self.prep.sections:
            progress = section_progress(section, self.answers)
            complete += progress.complete
            mark = "✓" if progress.complete else f"{progress.answered}/{progress.total}"
            state = "done" if progress.complete else ("started" if progress.answered else "todo")
            items.append(
                html(
                    '<li class="wb-progress-{state}" data-section="{id}">'
                    "{title}: <strong>{mark}</strong></li>",
                    state=state,
                    id=section.id,
                    title=section.title,
                    mark=mark,
                )
            )
        total = len(self.prep.sections)
        self.progress.value = html(
            '<div class="wb-progress-summary"><strong>{complete} of {total} sections complete.</strong> '
            'Do them in any order, a little at a time.</div><ul class="wb-progress-list">{items}</ul>',
            complete=complete,
            total=total,
            items=joined(items),
        )

    # -- the plan -------------------------------------------------------------------------------
    def build_plan(self) -> None:
        from workbook import idp
        from workbook.apps.downloads import links_html, plan_downloads

        self._plan.build()
        self.autosaver.flush()
        plan = load_plan(self.store, self.prep, self.person, date.today())
        self.plan_preview.value = idp.render_html(plan)
        files = plan_downloads(plan)
        self.plan_files.offer(html('<p class="wb-download-links">{links}</p>', links=links_html(files)), plan)


class PreparationPage:
    """The signed-in page: the person's workbook, made afresh (empty) after they delete their answers."""

    def __init__(self, store: Store, person: Person, prep: Preparation) -> None:
        self.store, self.person, self.prep = store, person, prep
        self.book = PreparationWorkbook(store, person, prep, on_deleted=self._deleted)
        self.widget = widgets.VBox([self.book.widget], _dom_classes=css("wb-preparation-page"))

    def _deleted(self, rows: int) -> None:
        old = self.book
        self.book = PreparationWorkbook(self.store, self.person, self.prep, on_deleted=self._deleted)
        self.book.status.widget.value = html(
            '<div class="wb-status wb-status-deleted" role="status">Your answers were deleted '
            "({rows} saved entries). This is your workbook, empty.</div>",
            rows=rows,
        )
        self.widget.children = [self.book.widget]
        close_tree(old.widget)


def participant_app(store: Store | None = None) -> widgets.Widget:
    """The team member's preparation app, behind sign-in with an access code."""
    store = store or Store()
    prep = content.preparation()
    return SignIn(
        store,
        lambda page: PreparationPage(page.store, page.person, prep).widget,
        title=prep.title,
        notebook=PARTICIPANT_NOTEBOOK,
    ).start()
