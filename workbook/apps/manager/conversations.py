"""The log of career conversations held (counts only ever leave this page)."""

from __future__ import annotations

from datetime import date

import ipywidgets as widgets

from workbook.apps.common import (
    FieldNote,
    css,
    full_width,
    label,
    named,
    scrolling_table,
    wide_button,
)
from workbook.apps.manager.shared import (
    Home,
    SubmitStatus,
    day_text,
)
from workbook.apps.markup import html, joined
from workbook.manager.behaviour import conversations, log_conversation
from workbook.validation import InputError


# -- Conversations held -----------------------------------------------------------------------------------
class ConversationsTab:
    """Log a career conversation held, and see the ones logged so far."""

    def __init__(self, home: Home) -> None:
        self.home = home
        self.day = widgets.DatePicker(value=date.today(), _dom_classes=css("wb-log-date"))
        self.alias = widgets.Text(
            placeholder="initials or a nickname, not a full name",
            layout=full_width(),
            _dom_classes=css("wb-log-alias"),
        )
        self.idp = widgets.Checkbox(
            description="The team member has started a development plan (IDP)",
            indent=False,
            layout=full_width(),
            _dom_classes=css("wb-log-idp"),
        )
        self.follow = widgets.Checkbox(
            description="We planned a follow-up conversation",
            indent=False,
            layout=full_width(),
            _dom_classes=css("wb-log-follow"),
        )
        named(self.day, "Date of the conversation")
        named(self.alias, "Team member (alias)")
        self.button = widgets.Button(
            description="Log this conversation",
            layout=wide_button(),
            icon="check",
            button_style="primary",
            _dom_classes=css("wb-log"),
        )
        self.button.on_click(lambda _b: self.log())
        self.status = SubmitStatus("A conversation is added to your log when you press the button.")
        self.status.widget.add_class("wb-log-status")
        self.notes = {
            "Date of the conversation": FieldNote(self.status, "log-date", self.day),
            "Team member (alias)": FieldNote(self.status, "log-alias", self.alias),
        }
        self.list = widgets.HTML(_dom_classes=css("wb-conversation-list"))
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    "<h3>Conversations held</h3><p>Log each career conversation you hold. Your facilitator "
                    "and the evaluators only ever see counts, never the aliases.</p>"
                ),
                label("Date of the conversation"),
                self.day,
                self.notes["Date of the conversation"].widget,
                label("Team member (alias)"),
                self.alias,
                self.notes["Team member (alias)"].widget,
                self.idp,
                self.follow,
                self.button,
                self.status.widget,
                widgets.HTML("<h4>Your log</h4>"),
                self.list,
            ],
            _dom_classes=css("wb-tab-conversations"),
        )
        self.refresh()

    def log(self) -> bool:
        """Add the conversation to the log; a bad field is named beside itself and nothing is cleared."""
        for note in self.notes.values():
            note.accept()
        try:
            if self.day.value is None:
                raise InputError("Date of the conversation: choose a date")
            held = log_conversation(
                self.home.store,
                self.home.person,
                self.day.value,
                self.alias.value,
                self.idp.value,
                self.follow.value,
            )
        except InputError as exc:
            if exc.field in self.notes:
                self.notes[exc.field].refuse(exc)
            else:
                self.status.error(str(exc))
            return False
        self.status.done(f"Logged: your conversation with {held.alias} on {day_text(held.held_on)}.")
        self.alias.value = ""
        self.idp.value = self.follow.value = False
        self.refresh()
        return True

    def refresh(self) -> None:
        held = conversations(self.home.store, self.home.person)
        if not held:
            self.list.value = '<p class="wb-muted">No conversations logged yet.</p>'
            return

        def yes(flag: bool) -> str:
            return "yes" if flag else "no"

        rows = joined(
            html(
                "<tr><td>{day}</td><td>{alias}</td><td>{plan}</td><td>{follow_up}</td></tr>",
                day=day_text(c.held_on),
                alias=c.alias,
                plan=yes(c.idp_started),
                follow_up=yes(c.follow_up_planned),
            )
            for c in held
        )
        table = html(
            '<table class="wb-table"><tr><th>Date</th><th>Team member</th><th>Development plan started</th>'
            "<th>Follow-up planned</th></tr>{rows}</table>",
            rows=rows,
        )
        count = html(
            '<p class="wb-muted">{count} conversation{s} logged.</p>',
            count=len(held),
            s="s" if len(held) != 1 else "",
        )
        self.list.value = scrolling_table(table, "Your log of conversations held") + count


