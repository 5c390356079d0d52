"""The parts of the 1:1 page, each a view over one concern: the shared or private notes (saved as one
types, the shared ones re-read from the other side), the agenda and the actions. Each gets the page's
services (the store, the thread, the status line) when it is made, holds its values in its widgets, and
never holds the page. Every fragment of HTML is built with :func:`workbook.apps.markup.html`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import ipywidgets as widgets

from workbook.apps.choices import SubmitButton
from workbook.apps.common import (
    Autosaver,
    SaveStatus,
    close_tree,
    css,
    full_width,
    label,
    named,
    when,
    wide_button,
)
from workbook.apps.markup import html, joined
from workbook.store import Store
from workbook.team.actions import (
    add_action,
    add_agenda_item,
    carry_over_action,
    remove_agenda_item,
    update_action,
)
from workbook.team.conversation import (
    SHARED,
    Notes,
    NoteVersion,
    Thread,
    note_history,
    restore_note_version,
    save_notes,
)
from workbook.team.items import OWNERS, STATUSES
from workbook.team.snapshot import ConversationState
from workbook.validation import InputError

NOTE_ROWS = 8


def _day(moment: date | None) -> str:
    return f"{moment.day} {moment.strftime('%B %Y')}" if moment else "no date"


class NotesView:
    """The shared notes (both sides read and write; re-read from the other side at every refresh) or the
    viewer's private notes. Each save carries the version this page started from, so a clash keeps both."""

    def __init__(
        self, store: Store, thread: Thread, conversation_id: int, kind: str, autosaver: Autosaver
    ) -> None:
        self.store, self.thread, self.kind = store, thread, kind
        self.conversation_id = conversation_id
        self.autosaver = autosaver
        self.based_on: int | None = None  # the version this page last read or saved
        self.loaded = ""  # its text: what the box holds when nothing is typed since
        self._quiet = False
        shared = kind == SHARED
        name = (
            "Shared notes (you both see and edit these)"
            if shared
            else "Your private notes (only you see these)"
        )
        self.box = named(
            widgets.Textarea(rows=NOTE_ROWS, layout=full_width(), _dom_classes=css(f"wb-notes-{kind}")), name
        )
        self.box.observe(self._typed, names="value")
        self.saved_line = widgets.HTML(_dom_classes=css("wb-notes-saved"))
        self.also = widgets.HTML(_dom_classes=css("wb-also-written"))
        parts: list[widgets.Widget] = [label(name), self.box, self.saved_line]
        # every version of the shared notes, read when asked for: each with its author and time, and
        # any one restorable as a new version
        self.versions_button = widgets.ToggleButton(
            description="Show every version", layout=wide_button(), _dom_classes=css("wb-notes-versions-show")
        )
        self.versions_button.observe(lambda _c: self._show_versions(), "value")
        self.versions_list = widgets.VBox(_dom_classes=css("wb-notes-versions"))
        self.versions_note = widgets.HTML(_dom_classes=css("wb-field-note"))
        self._versions_shown: tuple = ()
        extra = [self.also, self.versions_button, self.versions_note, self.versions_list] if shared else []
        self.widget = widgets.VBox(parts + extra, _dom_classes=css(f"wb-notes-part-{kind}"))
        self._count = 0

    @property
    def typing(self) -> bool:
        """Whether the box holds text not saved yet (a refresh must not overwrite it)."""
        return self.box.value != self.loaded

    def show(self, notes: Notes) -> None:
        """What the store holds now: into the box unless the person is typing, and the clash if any."""
        if not self.typing:
            self._quiet = True
            try:
                self.box.value = notes.text
            finally:
                self._quiet = False
            self.loaded, self.based_on = notes.text, notes.version_id
        if notes.latest is None:
            self.saved_line.value = html('<p class="wb-muted">Nothing written yet.</p>')
        else:
            self.saved_line.value = html(
                '<p class="wb-muted">Last saved by {who}, {moment} · {count} kept</p>',
                who=notes.latest.author,
                moment=when(notes.latest.written_at),
                count=f"{notes.versions} version{'s' if notes.versions != 1 else ''}",
            )
        self.also.value = (
            html(
                '<div class="wb-also" role="note"><h4>Also written</h4><p>Saved at the same time as the '
                "notes above and overwritten by them; nothing is lost. Copy what you need into the notes."
                "</p>{items}</div>",
                items=joined(
                    html(
                        '<blockquote class="wb-also-version"><p class="wb-muted">{who}, {moment}</p>'
                        '<p class="wb-note-text">{text}</p></blockquote>',
                        who=v.author,
                        moment=when(v.written_at),
                        text=v.text,
                    )
                    for v in notes.also_written
                ),
            )
            if notes.also_written
            else ""
        )
        self._count = notes.versions
        if self.kind == SHARED and self.versions_button.value:
            self._show_versions()

    def _show_versions(self) -> None:
        """The list of every version while the button is down (read again when a version was added)."""
        self.versions_button.description = (
            "Hide the versions" if self.versions_button.value else ("Show every version")
        )
        if not self.versions_button.value:
            old = list(self.versions_list.children)
            self.versions_list.children, self._versions_shown = [], ()
            for widget in old:
                close_tree(widget)
            return
        versions = note_history(self.store, self.thread, self.conversation_id)
        shown = tuple(v.id for v in versions)
        if shown == self._versions_shown:
            return
        self._versions_shown = shown
        old = list(self.versions_list.children)
        rows: list[widgets.Widget] = []
        for number, version in reversed(list(enumerate(versions, start=1))):
            rows.append(self._version_row(number, version, latest=number == len(versions)))
        self.versions_list.children = rows or [widgets.HTML(html('<p class="wb-muted">No versions yet.</p>'))]
        for widget in old:
            close_tree(widget)

    def _version_row(self, number: int, version: NoteVersion, *, latest: bool) -> widgets.Widget:
        text = html(
            '<div class="wb-note-version"><p class="wb-muted">Version {number}{now}: {who}, {moment}</p>'
            '<p class="wb-note-text">{text}</p></div>',
            number=number,
            now=" (the notes now)" if latest else "",
            who=version.author,
            moment=when(version.written_at),
            text=version.text or "(empty)",
        )
        row: list[widgets.Widget] = [widgets.HTML(text)]
        if not latest and not self.box.disabled:
            restore = widgets.Button(
                description=f"Restore version {number}",
                tooltip=f"Make version {number} the notes again (a new version; nothing is lost)",
                layout=wide_button(),
                _dom_classes=css("wb-notes-restore"),
            )
            restore.on_click(lambda _b, key=version.id: self.restore(key))
            row.append(restore)
        return widgets.VBox(row, _dom_classes=css("wb-note-version-row"))

    def restore(self, version_id: object) -> None:
        """Make an earlier version the notes again (the page's typing is saved first)."""
        self.autosaver.flush()
        try:
            notes = restore_note_version(self.store, self.thread, self.conversation_id, version_id)
        except InputError as exc:
            self.versions_note.value = html(
                '<p class="wb-field-error" role="alert">{problem}</p>', problem=str(exc)
            )
            return
        self.versions_note.value = html(
            '<p class="wb-field-info" role="status">Restored as a new version.</p>'
        )
        self.loaded = self.box.value  # what the box holds is saved: show the restored text
        self.show(notes)

    def _typed(self, change: dict) -> None:
        if self._quiet:
            return
        text, based_on = change["new"], self.based_on
        self.autosaver.schedule(f"{self.kind}-{self.conversation_id}", lambda: self._save(text, based_on))

    def _save(self, text: object, based_on: int | None) -> datetime:
        notes = save_notes(self.store, self.thread, self.conversation_id, self.kind, text, based_on)
        if self.box.value == text:  # nothing typed since this save was scheduled
            self.loaded = text  # type: ignore[assignment]
        self.based_on = notes.version_id
        self.show(notes)
        assert notes.latest is not None  # a save leaves at least one version
        return notes.latest.written_at


class AgendaView:
    """The agenda: the team member's shared preparation, their topics, then the manager's; a box to add
    one."""

    def __init__(self, store: Store, thread: Thread, status: SaveStatus, changed: Callable[[], None]) -> None:
        self.store, self.thread, self.status, self.changed = store, thread, status, changed
        self.conversation_id = 0
        self.list = widgets.VBox(_dom_classes=css("wb-agenda-list"))
        self.topic = named(
            widgets.Text(layout=full_width(), _dom_classes=css("wb-agenda-new")),
            "A topic to add to the agenda",
        )
        # The click carries the box's text as the page shows it: a plain button's click could reach the
        # kernel before the last keystrokes.
        self.add = SubmitButton(
            "Add to agenda", [self.topic], classes=css("wb-agenda-add"), primary=False, layout=wide_button()
        )
        self.add.on_submit(self._submitted)
        self.note = widgets.HTML(_dom_classes=css("wb-field-note"))
        self._shown: tuple = ()
        self.widget = widgets.VBox(
            [self.list, label("A topic to add to the agenda"), self.topic, self.add, self.note],
            _dom_classes=css("wb-agenda"),
        )

    def _submitted(self, problem: str | None) -> None:
        if problem is not None:
            self.note.value = html('<p class="wb-field-error" role="alert">{problem}</p>', problem=problem)
            return
        self.add_topic(self.topic.value)

    def add_topic(self, text: object) -> None:
        try:
            add_agenda_item(self.store, self.thread, self.conversation_id, text)
        except InputError as exc:
            self.note.value = html('<p class="wb-field-error" role="alert">{problem}</p>', problem=str(exc))
            return
        self.note.value, self.topic.value = "", ""
        self.changed()

    def remove(self, item: str) -> None:
        try:
            remove_agenda_item(self.store, self.thread, item)
        except InputError as exc:
            self.status.error(str(exc))
            return
        self.changed()

    def show(self, state: ConversationState) -> None:
        self.conversation_id = state.conversation_id
        self.add.disabled = self.topic.disabled = not state.is_current
        shown = (state.conversation_id, state.shared_preparation, state.agenda)
        if shown == self._shown:
            return
        self._shown = shown
        prep = [
            html(
                '<li class="wb-agenda-prep"><strong>{title}</strong> <span class="wb-muted">'
                "(shared preparation, shared {when})</span><ul>{answers}</ul></li>",
                title=s.title,
                when=_day(s.shared_at.date()),
                answers=joined(html("<li>{q}: {a}</li>", q=q, a=a) for q, a in s.answers)
                if s.answers
                else html("<li>Nothing written in it yet.</li>"),
            )
            for s in state.shared_preparation
        ]
        old = list(self.list.children)
        rows: list[widgets.Widget] = [
            widgets.HTML(
                html('<ol class="wb-agenda-items">{items}</ol>', items=joined(prep))
                if prep
                else html(
                    '<p class="wb-muted">Nothing of the preparation is shared with the manager yet.</p>'
                ),
                _dom_classes=css("wb-agenda-shared"),
            )
        ]
        for item in state.agenda:
            text = html(
                '<p class="wb-agenda-item"><strong>{text}</strong> '
                '<span class="wb-muted">added by {who}</span></p>',
                text=item.text,
                who=state.who(item.added_by_id),
            )
            row: list[widgets.Widget] = [widgets.HTML(text)]
            if item.added_by_id == self.thread.viewer_id and state.is_current:
                drop = widgets.Button(
                    description="Take off the agenda",
                    tooltip=f"Take off the agenda: {item.text[:60]}",
                    layout=wide_button(),
                    _dom_classes=css("wb-agenda-remove"),
                )
                drop.on_click(lambda _b, key=item.item: self.remove(key))
                row.append(drop)
            rows.append(widgets.VBox(row, _dom_classes=css("wb-agenda-row")))
        self.list.children = rows
        for widget in old:
            close_tree(widget)


class ActionsView:
    """The actions: every open one of the pair's series (carried over until done) and those closed in this
    1:1, each with a status to change; a form to add one with its owner and due date; and, on the team
    member's page after a change of manager, her open actions from the earlier manager's 1:1s, each to bring
    into this 1:1 if she chooses (the manager's page never holds them)."""

    def __init__(self, store: Store, thread: Thread, status: SaveStatus, changed: Callable[[], None]) -> None:
        self.store, self.thread, self.status, self.changed = store, thread, status, changed
        self.conversation_id = 0
        self.list = widgets.VBox(_dom_classes=css("wb-action-list"))
        self.text = named(widgets.Text(layout=full_width(), _dom_classes=css("wb-action-new")), "New action")
        self.owner = named(
            widgets.Dropdown(
                options=[(v, k) for k, v in OWNERS.items()], _dom_classes=css("wb-action-owner")
            ),
            "Owner",
        )
        self.due = named(widgets.DatePicker(_dom_classes=css("wb-action-due")), "Due date")
        self.add = SubmitButton(  # its click carries the form's values as the page shows them
            "Add action",
            [self.text, self.owner, self.due],
            classes=css("wb-action-add"),
            layout=wide_button(),
        )
        self.add.on_submit(self._submitted)
        self.note = widgets.HTML(_dom_classes=css("wb-field-note"))
        self._shown: tuple = ()
        self.form = widgets.VBox(
            [
                label("New action"),
                self.text,
                label("Owner"),
                self.owner,
                label("Due date"),
                self.due,
                self.add,
                self.note,
            ],
            _dom_classes=css("wb-action-form"),
        )
        self.carry_list = widgets.VBox(_dom_classes=css("wb-carry-list"))
        self.carry_note = widgets.HTML(_dom_classes=css("wb-field-note"))
        self.carry_box = widgets.VBox(
            [
                widgets.HTML(
                    html(
                        "<h3>Your open actions from an earlier manager's 1:1s</h3><p>They are yours. Your "
                        "manager now sees none of your earlier 1:1s: bring into this 1:1 the actions you "
                        "want to go on with here, and leave the others where they are.</p>"
                    )
                ),
                self.carry_list,
                self.carry_note,
            ],
            _dom_classes=css("wb-carry-over"),
        )
        self.carry_box.layout.display = "none"
        self._carry_shown: tuple = ()
        self.widget = widgets.VBox([self.list, self.carry_box, self.form], _dom_classes=css("wb-actions"))

    def _submitted(self, problem: str | None) -> None:
        if problem is not None:
            self.note.value = html('<p class="wb-field-error" role="alert">{problem}</p>', problem=problem)
            return
        self.add_action(self.text.value, self.owner.value, self.due.value)

    def add_action(self, text: object, owner: object, due: object) -> None:
        try:
            add_action(self.store, self.thread, self.conversation_id, text, owner, due)
        except InputError as exc:
            self.note.value = html('<p class="wb-field-error" role="alert">{problem}</p>', problem=str(exc))
            return
        self.note.value = html('<p class="wb-field-info" role="status">Added.</p>')
        self.text.value = ""
        self.changed()

    def set_status(self, item: str, value: object) -> None:
        try:
            update_action(self.store, self.thread, item, status=value)
        except InputError as exc:
            self.status.error(str(exc))
            return
        self.changed()

    def carry_over(self, item: str) -> None:
        """Bring one of the team member's actions from an earlier manager's 1:1 into this one."""
        try:
            carried = carry_over_action(self.store, self.thread, self.conversation_id, item)
        except InputError as exc:
            self.carry_note.value = html(
                '<p class="wb-field-error" role="alert">{problem}</p>', problem=str(exc)
            )
            return
        self.carry_note.value = html(
            '<p class="wb-field-info" role="status">Brought into this 1:1: {text}</p>', text=carried.text
        )
        self.changed()

    def _show_carry_over(self, state: ConversationState) -> None:
        self.carry_box.layout.display = None if state.carry_over else "none"
        shown = (state.conversation_id, state.carry_over)
        if shown == self._carry_shown:
            return
        self._carry_shown = shown
        old = list(self.carry_list.children)
        rows: list[widgets.Widget] = []
        for action in state.carry_over:
            bring = widgets.Button(
                description="Bring into this 1:1",
                tooltip=f"Bring into this 1:1: {action.text[:60]}",
                layout=wide_button(),
                _dom_classes=css("wb-carry-bring"),
            )
            bring.on_click(lambda _b, key=action.item: self.carry_over(key))
            summary = html(
                '<p class="wb-action-text"><strong>{text}</strong><br>'
                '<span class="wb-muted">{status} · due {due}</span></p>',
                text=action.text,
                status=STATUSES[action.status],
                due=_day(action.due_on),
            )
            rows.append(widgets.VBox([widgets.HTML(summary), bring], _dom_classes=css("wb-carry-row")))
        self.carry_list.children = rows
        for widget in old:
            close_tree(widget)

    def show(self, state: ConversationState) -> None:
        if state.conversation_id != self.conversation_id:
            self.note.value = ""  # what was said about the last 1:1's form
            self.carry_note.value = ""
        self._show_carry_over(state)
        self.conversation_id = state.conversation_id
        self.form.layout.display = None if state.is_current else "none"
        shown = (state.conversation_id, state.actions)
        if shown == self._shown:
            return
        self._shown = shown
        old = list(self.list.children)
        rows: list[widgets.Widget] = []
        if not state.actions:
            rows.append(widgets.HTML(html('<p class="wb-muted">No actions yet.</p>')))
        for action in state.actions:
            carried = action.conversation_id != state.conversation_id
            summary = html(
                '<p class="wb-action-text"><strong>{text}</strong><br>'
                '<span class="wb-muted">{owner} · due {due}{carried}</span></p>',
                text=action.text,
                owner=OWNERS.get(action.owner or "", "no owner"),
                due=_day(action.due_on),
                carried=" · carried over from an earlier 1:1"
                if carried
                else " · brought by the team member from a 1:1 with an earlier manager"
                if action.carried_from
                else "",
            )
            choice = named(
                widgets.Dropdown(
                    options=[(v, k) for k, v in STATUSES.items()],
                    value=action.status,
                    disabled=not state.is_current,
                    _dom_classes=css("wb-action-status"),
                ),
                f"Status of: {action.text[:80]}",
            )
            choice.observe(lambda change, key=action.item: self.set_status(key, change["new"]), names="value")
            rows.append(widgets.VBox([widgets.HTML(summary), choice], _dom_classes=css("wb-action-row")))
        self.list.children = rows
        for widget in old:
            close_tree(widget)
