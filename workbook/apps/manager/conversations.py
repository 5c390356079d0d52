"""The log of career conversations held (counts only ever leave this page). Each entry can be edited
and deleted by the manager who logged it; the store keeps every version, and a delete can be undone."""

from __future__ import annotations

from datetime import date

import ipywidgets as widgets

from workbook.apps.common import (
    FieldNote,
    close_tree,
    css,
    full_width,
    label,
    named,
    one_on_one_href,
    wide_button,
)
from workbook.apps.manager.shared import (
    Home,
    SubmitStatus,
    day_text,
)
from workbook.apps.markup import html, status_line
from workbook.manager.behaviour import (
    PARTS,
    Conversation,
    conversations,
    delete_conversation,
    edit_conversation,
    log_conversation,
    restore_conversation,
)
from workbook.team.conversation import log_entry_links
from workbook.validation import InputError

DATE, ALIAS = PARTS["held_on"], PARTS["alias"]


class EntryFields:
    """The inputs of one conversation (date, alias, two ticks) with a note beside each that can be wrong."""

    def __init__(self, status: SubmitStatus, key: str, entry: Conversation | None = None) -> None:
        self.day = widgets.DatePicker(
            value=entry.held_on if entry else date.today(), _dom_classes=css("wb-log-date")
        )
        self.alias = widgets.Text(
            value=entry.alias if entry else "",
            placeholder="initials or a nickname, not a full name",
            layout=full_width(),
            _dom_classes=css("wb-log-alias"),
        )
        self.idp = widgets.Checkbox(
            value=entry.idp_started if entry else False,
            description="The team member has started a development plan (IDP)",
            indent=False,
            layout=full_width(),
            _dom_classes=css("wb-log-idp"),
        )
        self.follow = widgets.Checkbox(
            value=entry.follow_up_planned if entry else False,
            description="We planned a follow-up conversation",
            indent=False,
            layout=full_width(),
            _dom_classes=css("wb-log-follow"),
        )
        named(self.day, DATE)
        named(self.alias, ALIAS)
        self.notes = {
            DATE: FieldNote(status, f"{key}-date", self.day),
            ALIAS: FieldNote(status, f"{key}-alias", self.alias),
        }
        self.widgets: list[widgets.Widget] = [
            label(DATE),
            self.day,
            self.notes[DATE].widget,
            label(ALIAS),
            self.alias,
            self.notes[ALIAS].widget,
            self.idp,
            self.follow,
        ]

    def values(self) -> tuple[object, object, object, object]:
        """(date, alias, IDP, follow-up) as on the page; InputError when no date is chosen."""
        for note in self.notes.values():
            note.accept()
        if self.day.value is None:
            raise InputError(f"{DATE}: choose a date")
        return self.day.value, self.alias.value, self.idp.value, self.follow.value

    def refuse(self, exc: InputError, status: SubmitStatus) -> None:
        """Show the problem beside its input (or in the status line when it is not about one)."""
        if exc.field in self.notes:
            self.notes[exc.field].refuse(exc)
        else:
            status.error(str(exc))

    def forget_problems(self) -> None:
        for note in self.notes.values():
            if note.problem:
                note.accept()


class LoggedEntry:
    """One entry of the log: what it says, Edit (an inline form) and Delete (asks first)."""

    def __init__(self, tab: ConversationsTab, entry: Conversation) -> None:
        self.tab = tab
        self.entry = entry
        member = tab.one_on_ones.get(entry.id)  # the team member whose 1:1 page recorded it, if one did
        back = (
            html(
                '<br><a class="wb-log-1on1" href="{href}">Open the 1:1 page</a>',
                href=one_on_one_href(member),
            )
            if member
            else ""
        )
        self.summary = widgets.HTML(
            html(
                '<p class="wb-log-summary"><strong>{day}</strong> · {alias}<br><span class="wb-muted">'
                "Development plan started: {idp} · Follow-up planned: {follow}</span>{back}</p>",
                day=day_text(entry.held_on),
                alias=entry.alias,
                idp="yes" if entry.idp_started else "no",
                follow="yes" if entry.follow_up_planned else "no",
                back=back,
            ),
            _dom_classes=css("wb-log-entry-text"),
        )
        self.edit_button = widgets.Button(
            description="Edit",
            icon="pencil",
            tooltip=f"Edit the conversation with {entry.alias}",
            _dom_classes=css("wb-log-edit"),
        )
        self.delete_button = widgets.Button(
            description="Delete",
            icon="trash",
            tooltip=f"Delete the conversation with {entry.alias}",
            _dom_classes=css("wb-log-delete"),
        )
        self.edit_button.on_click(lambda _b: self.start_editing())
        self.delete_button.on_click(lambda _b: self.ask_to_delete())
        self.actions = widgets.HBox(
            [self.edit_button, self.delete_button], layout=widgets.Layout(flex_flow="row wrap")
        )
        self.question = widgets.HTML(_dom_classes=css("wb-log-confirm-question"))
        confirm = widgets.Button(
            description="Delete it", button_style="danger", _dom_classes=css("wb-log-confirm-delete")
        )
        keep = widgets.Button(description="Keep it", _dom_classes=css("wb-log-keep"))
        confirm.on_click(lambda _b: self.tab.delete(self.entry.id))
        keep.on_click(lambda _b: self.set_mode("view"))
        self.asking = widgets.HBox(
            [self.question, confirm, keep],
            layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
            _dom_classes=css("wb-log-asking"),
        )
        self.fields: EntryFields | None = None
        self.form = widgets.VBox(_dom_classes=css("wb-log-edit-form"))
        self.widget = widgets.VBox(
            [self.summary, self.actions, self.asking, self.form],
            layout=full_width(),
            _dom_classes=css("wb-log-entry", f"wb-log-entry-{entry.id}"),
        )
        self.set_mode("view")

    def set_mode(self, mode: str) -> None:
        """ "view" (the entry and its buttons), "asking" (confirm a delete) or "editing" (the form)."""
        self.actions.layout.display = "flex" if mode == "view" else "none"
        self.asking.layout.display = "flex" if mode == "asking" else "none"
        self.form.layout.display = "flex" if mode == "editing" else "none"
        if mode != "editing" and self.fields is not None:
            self.fields.forget_problems()
            form, (self.fields, self.form.children) = self.form.children, (None, ())
            for widget in form:
                close_tree(widget)

    def ask_to_delete(self) -> None:
        self.question.value = status_line(
            f"Delete the conversation with {self.entry.alias} on {day_text(self.entry.held_on)}?",
            "wb-log-question",
            "alert",
        )
        self.set_mode("asking")

    def start_editing(self) -> None:
        self.fields = EntryFields(self.tab.status, f"log-edit-{self.entry.id}", self.entry)
        save = widgets.Button(
            description="Save changes",
            button_style="primary",
            icon="check",
            layout=wide_button(),
            _dom_classes=css("wb-log-save"),
        )
        cancel = widgets.Button(description="Cancel", _dom_classes=css("wb-log-cancel"))
        save.on_click(lambda _b: self.save())
        cancel.on_click(lambda _b: self.set_mode("view"))
        self.form.children = [*self.fields.widgets, widgets.HBox([save, cancel])]
        self.set_mode("editing")

    def save(self) -> bool:
        fields = self.fields
        if fields is None:
            return False
        try:
            values = fields.values()
        except InputError as exc:
            fields.refuse(exc, self.tab.status)
            return False
        return self.tab.edit(self.entry.id, *values, fields=fields)


# -- Conversations held -----------------------------------------------------------------------------------
class ConversationsTab:
    """Log a career conversation held, and see, edit or delete the ones logged so far."""

    def __init__(self, home: Home) -> None:
        self.home = home
        self.status = SubmitStatus("A conversation is added to your log when you press the button.")
        self.status.widget.add_class("wb-log-status")
        self.fields = EntryFields(self.status, "log")
        self.day, self.alias, self.idp, self.follow = (
            self.fields.day,
            self.fields.alias,
            self.fields.idp,
            self.fields.follow,
        )
        self.notes = self.fields.notes
        self.button = widgets.Button(
            description="Log this conversation",
            layout=wide_button(),
            icon="check",
            button_style="primary",
            _dom_classes=css("wb-log"),
        )
        self.button.on_click(lambda _b: self.log())
        self.entries: dict[int, LoggedEntry] = {}
        self.one_on_ones: dict[int, str] = {}  # log entry -> pid of the team member, for a link back
        self.list = widgets.VBox(_dom_classes=css("wb-conversation-list"))
        self.count = widgets.HTML(_dom_classes=css("wb-log-count"))
        self.deleted_id: int | None = None
        self.deleted_note = widgets.HTML(_dom_classes=css("wb-log-deleted-note"))
        self.undo_button = widgets.Button(description="Undo", icon="undo", _dom_classes=css("wb-log-undo"))
        self.undo_button.on_click(lambda _b: self.undo_delete())
        self.undo_bar = widgets.HBox(
            [self.deleted_note, self.undo_button],
            layout=widgets.Layout(display="none", flex_flow="row wrap", align_items="center"),
            _dom_classes=css("wb-log-undo-bar"),
        )
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    "<h3>Conversations held</h3><p>Log each career conversation you hold. Your facilitator "
                    "and the evaluators only ever see counts, never the aliases.</p>"
                ),
                *self.fields.widgets,
                self.button,
                self.status.widget,
                widgets.HTML("<h4>Your log</h4>"),
                self.undo_bar,
                self.list,
                self.count,
            ],
            _dom_classes=css("wb-tab-conversations"),
        )
        self.refresh()

    def log(self) -> bool:
        """Add the conversation to the log; a bad field is named beside itself and nothing is cleared."""
        try:
            held = log_conversation(self.home.store, self.home.person, *self.fields.values())
        except InputError as exc:
            self.fields.refuse(exc, self.status)
            return False
        self.status.done(f"Logged: your conversation with {held.alias} on {day_text(held.held_on)}.")
        self.alias.value = ""
        self.idp.value = self.follow.value = False
        self.refresh()
        return True

    def edit(
        self,
        conversation_id: object,
        held_on: object,
        alias: object,
        idp_started: object,
        follow_up_planned: object,
        fields: EntryFields | None = None,
    ) -> bool:
        """Change one of the manager's own entries (a new version in the store); a bad part is shown
        beside its input, anyone else's entry is refused, and nothing changes."""
        try:
            held = edit_conversation(
                self.home.store,
                self.home.person,
                conversation_id,  # type: ignore[arg-type]
                held_on,  # type: ignore[arg-type]
                alias,  # type: ignore[arg-type]
                idp_started,  # type: ignore[arg-type]
                follow_up_planned,  # type: ignore[arg-type]
            )
        except InputError as exc:
            if fields is not None:
                fields.refuse(exc, self.status)
            else:
                self.status.error(str(exc))
            return False
        if fields is not None:
            fields.forget_problems()
        self.status.done(
            f"Saved your changes to the conversation with {held.alias} on {day_text(held.held_on)}."
        )
        self.refresh()
        return True

    def delete(self, conversation_id: object) -> bool:
        """Delete one of the manager's own entries (kept in the store's history); Undo brings it back."""
        try:
            gone = delete_conversation(self.home.store, self.home.person, conversation_id)  # type: ignore[arg-type]
        except InputError as exc:
            self.status.error(str(exc))
            return False
        self.deleted_id = gone.id
        self.deleted_note.value = status_line(
            f"Deleted the conversation with {gone.alias} on {day_text(gone.held_on)}.",
            "wb-log-deleted",
            "status",
        )
        self.undo_bar.layout.display = "flex"
        self.status.idle("A conversation is added to your log when you press the button.")
        self.refresh()
        return True

    def undo_delete(self) -> bool:
        """Bring back the conversation deleted last, as it was."""
        if self.deleted_id is None:
            return False
        try:
            back = restore_conversation(self.home.store, self.home.person, self.deleted_id)
        except InputError as exc:
            self.status.error(str(exc))
            return False
        self.deleted_id = None
        self.undo_bar.layout.display = "none"
        self.status.done(f"Brought back the conversation with {back.alias} on {day_text(back.held_on)}.")
        self.refresh()
        return True

    def refresh(self) -> None:
        held = conversations(self.home.store, self.home.person)
        self.one_on_ones = log_entry_links(self.home.store, self.home.person)
        gone = list(self.entries.values())
        for entry in gone:
            entry.set_mode("view")  # an open form's problems no longer need attention
        self.entries = {c.id: LoggedEntry(self, c) for c in held}
        shown = self.list.children
        if not held:
            self.list.children = [widgets.HTML('<p class="wb-muted">No conversations logged yet.</p>')]
            self.count.value = ""
        else:
            self.list.children = [entry.widget for entry in self.entries.values()]
            self.count.value = status_line(
                f"{len(held)} conversation{'s' if len(held) != 1 else ''} logged.",
                "wb-muted",
                "note",
            )
        for widget in shown:  # what was drawn before leaves the kernel too
            close_tree(widget)
