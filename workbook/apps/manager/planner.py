"""The conversation planner: one card per planned career conversation, saved part by part, with
calendar invitations."""

from __future__ import annotations

from datetime import date, datetime

import ipywidgets as widgets

from workbook.apps.clock import visitor_zone
from workbook.apps.common import (
    Autosaver,
    CheckedParts,
    SaveStatus,
    css,
    full_width,
    label,
    named,
    wide_button,
)
from workbook.apps.downloads import download, links_html
from workbook.apps.manager.shared import (
    PLAN_AHEAD,
    Home,
    day_text,
)
from workbook.apps.markup import html
from workbook.identity import app_address
from workbook.manager.planner import (
    SEND_AHEAD,
    PlanItem,
    clean_plan_part,
    delete_plan_entry,
    plan_entries,
    plan_markdown,
    restore_plan_entry,
    save_plan_entry,
    team_members,
    to_ics,
)
from workbook.store import utcnow
from workbook.validation import InputError


# -- Planner -------------------------------------------------------------------------------------------
class PlanCard:
    """One planned conversation, saved as it is edited; a new card is stored once it has an alias."""

    def __init__(self, planner: PlannerTab, item: PlanItem | None) -> None:
        self.planner = planner
        self.item = item
        self.entry_id = item.id if item else None
        self.header = widgets.HTML(_dom_classes=css("wb-plan-title"))
        self.alias = widgets.Text(
            value=item.alias if item else "",
            placeholder="initials or a nickname, not a full name",
            layout=full_width(),
            _dom_classes=css("wb-plan-alias"),
        )
        self.day = widgets.DatePicker(
            value=item.proposed_on if item else date.today() + PLAN_AHEAD, _dom_classes=css("wb-plan-date")
        )
        self.time = widgets.Text(
            value=(item.time or "") if item else "",
            placeholder="e.g. 14:30, optional",
            _dom_classes=css("wb-plan-time"),
        )
        self.send = widgets.Dropdown(
            options=[(text[0].upper() + text[1:], key) for key, text in SEND_AHEAD.items()],
            value=item.send_ahead if item else "both",
            layout=widgets.Layout(width="auto"),
            _dom_classes=css("wb-plan-send"),
        )
        self.questions = widgets.Textarea(
            value=item.questions if item else "",
            rows=3,
            layout=full_width(),
            _dom_classes=css("wb-plan-questions"),
        )
        self.support = widgets.Textarea(
            value=item.support_ideas if item else "",
            rows=3,
            layout=full_width(),
            _dom_classes=css("wb-plan-support"),
        )
        members = planner.members
        chosen = item.member if item and item.member in members else ""
        self.member = widgets.Dropdown(
            options=[("Nobody: I send the invitation myself", "")]
            + [(f"{m.name} ({m.email})", pid) for pid, m in members.items()],
            value=chosen,
            layout=widgets.Layout(width="auto"),
            _dom_classes=css("wb-plan-member"),
        )
        self.inputs: dict[str, widgets.ValueWidget] = {
            "member": self.member,
            "alias": self.alias,
            "proposed_on": self.day,
            "time": self.time,
            "send_ahead": self.send,
            "questions": self.questions,
            "support_ideas": self.support,
        }
        for part, name in {
            "alias": "Team member (alias)",
            "proposed_on": "Proposed date",
            "time": "Time (optional)",
            "send_ahead": "Send ahead",
            "questions": "Questions to explore",
            "support_ideas": "Support ideas",
            "member": "Invite from your team in the workbook",
        }.items():
            named(self.inputs[part], name)
        self.parts = CheckedParts(
            planner.status,
            "plan",
            {
                "alias": self.alias.value.strip(),
                "proposed_on": self.day.value.isoformat(),
                "time": self.time.value or None,
                "send_ahead": self.send.value,
                "questions": self.questions.value,
                "support_ideas": self.support.value,
                "member": chosen or None,
            },
        )
        notes = {part: self.parts.note(part, box) for part, box in self.inputs.items()}
        for part, box in self.inputs.items():
            box.observe(lambda change, part=part: self.changed(part, change["new"]), "value")
        self.links = widgets.HTML(_dom_classes=css("wb-plan-links"))
        self.delete_button = widgets.Button(
            description="Delete", icon="trash", _dom_classes=css("wb-plan-delete")
        )
        self.delete_button.on_click(lambda _b: self.ask_to_delete())
        self.confirm_delete = widgets.Button(
            description="Yes, delete", button_style="danger", _dom_classes=css("wb-plan-delete-confirm")
        )
        self.confirm_delete.on_click(lambda _b: self.planner.delete(self))
        self.keep = widgets.Button(description="Keep it", _dom_classes=css("wb-plan-delete-keep"))
        self.keep.on_click(lambda _b: self.set_asking(False))
        self.question = widgets.HTML(_dom_classes=css("wb-plan-delete-question"))
        self.asking = widgets.HBox(
            [self.question, self.confirm_delete, self.keep],
            layout=widgets.Layout(display="none", flex_flow="row wrap", align_items="center"),
            _dom_classes=css("wb-plan-delete-ask"),
        )
        self.widget = widgets.VBox(
            [
                self.header,
                label("Team member (alias)"),
                self.alias,
                notes["alias"].widget,
                widgets.HBox(
                    [
                        widgets.VBox([label("Proposed date"), self.day, notes["proposed_on"].widget]),
                        widgets.VBox([label("Time (optional)"), self.time, notes["time"].widget]),
                        widgets.VBox([label("Send ahead"), self.send, notes["send_ahead"].widget]),
                    ]
                ),
                label("Questions to explore"),
                self.questions,
                notes["questions"].widget,
                label("Support ideas"),
                self.support,
                notes["support_ideas"].widget,
                widgets.VBox(
                    [label("Invite from your team in the workbook"), self.member, notes["member"].widget],
                    layout=widgets.Layout(display=None if members else "none"),
                    _dom_classes=css("wb-plan-member-box"),
                ),
                self.links,
                self.delete_button,
                self.asking,
            ],
            layout=full_width(),
            _dom_classes=css("wb-plan-entry", "wb-goal-card"),
        )
        self.render()

    def ask_to_delete(self) -> None:
        """Deleting asks first, naming the conversation; an empty new card goes at once."""
        if self.entry_id is None:
            self.planner.delete(self)
            return
        self.question.value = html("<p>Delete the conversation with {alias}?</p>", alias=self.saved_alias())
        self.set_asking(True)

    def saved_alias(self) -> str:
        """The alias as saved (the box may hold an edit that was refused)."""
        home = self.planner.home
        saved = [e.alias for e in plan_entries(home.store, home.person) if e.id == self.entry_id]
        return saved[0] if saved else self.alias.value.strip() or "this team member"

    def set_asking(self, asking: bool) -> None:
        self.asking.layout.display = "flex" if asking else "none"
        self.delete_button.layout.display = "none" if asking else None

    def changed(self, part: str, value: object) -> None:
        """Check the changed part at once; save the entry (with every good part) after a pause."""
        if part == "proposed_on" and value is None:
            self.parts.note(part).refuse(InputError("Proposed date: choose a date"))
            return
        if self.parts.check(part, lambda v: clean_plan_part(part, v), value) and self.parts.good["alias"]:
            self.planner.autosaver.schedule(f"card:{id(self)}", self.commit)

    def commit(self) -> datetime:
        good = self.parts.good
        item = save_plan_entry(
            self.planner.home.store,
            self.planner.home.person,
            good["alias"],
            good["proposed_on"],
            good["send_ahead"],
            good["questions"],
            good["support_ideas"],
            start_time=good["time"],
            entry_id=self.entry_id,
            member=good["member"],
            time_zone=visitor_zone().key,
        )
        self.item, self.entry_id = item, item.id
        self.render()
        self.planner.refresh_markdown()
        return item.saved_at or utcnow()

    def render(self) -> None:
        item = self.item
        if item is None:
            self.header.value = (
                "<h4>New conversation</h4>"
                '<p class="wb-muted">Give the team member an alias: the entry is saved once it has one.</p>'
            )
            self.links.value = ""
            return
        moment = day_text(item.proposed_on) + (f", {item.time} ({item.zone})" if item.time else "")
        self.header.value = html("<h4>{alias}: {moment}</h4>", alias=item.alias, moment=moment)
        person = self.planner.home.person
        ics = to_ics(
            item,
            person.name,
            organiser_email=person.email,
            include_private_notes=self.planner.include_notes.value,
            workbook_address=app_address(),
            attendee=self.planner.members.get(item.member or ""),
        )
        self.links.value = html(
            '<p>{link} <span class="wb-muted">with the preparation outline for your team member</span></p>',
            link=links_html(
                [
                    download(
                        "ics",
                        "text/calendar",
                        f"career-conversation-{item.id}-{item.proposed_on.isoformat()}.ics",
                        ics,
                        "Download the calendar invitation (.ics)",
                    )
                ]
            ),
        )


class PlannerTab:
    """The manager's private plan of conversations ahead."""

    def __init__(self, home: Home) -> None:
        self.home = home
        self.status = SaveStatus()
        self.status.widget.add_class("wb-planner-status")
        self.autosaver = Autosaver(self.status)
        self.include_notes = widgets.Checkbox(
            value=False,
            description="Put my questions and support ideas in the invitations too",
            indent=False,
            layout=full_width(),
            _dom_classes=css("wb-plan-include-notes"),
        )
        self.include_notes.observe(lambda _c: self._rerender(), "value")
        self.members = team_members(home.store, home.person)  # the manager's own team, for invitations
        self.cards: list[PlanCard] = [PlanCard(self, item) for item in plan_entries(home.store, home.person)]
        self.list = widgets.VBox(_dom_classes=css("wb-plan-list"))
        self.add_button = widgets.Button(
            description="Plan a conversation",
            layout=wide_button(),
            icon="plus",
            button_style="primary",
            _dom_classes=css("wb-plan-add"),
        )
        self.add_button.on_click(lambda _b: self.add())
        self.markdown = widgets.HTML(_dom_classes=css("wb-plan-markdown"))
        self.deleted_id: str | None = None
        self.deleted_note = widgets.HTML(_dom_classes=css("wb-plan-deleted-note"))
        self.undo_button = widgets.Button(description="Undo", icon="undo", _dom_classes=css("wb-plan-undo"))
        self.undo_button.on_click(lambda _b: self.undo_delete())
        self.undo_bar = widgets.HBox(
            [self.deleted_note, self.undo_button],
            layout=widgets.Layout(display="none", flex_flow="row wrap", align_items="center"),
            _dom_classes=css("wb-plan-undo-bar"),
        )
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    html(
                        "<h3>Conversation planner</h3>"
                        '<p class="wb-private">Your plan is private: only you can see it. '
                        "Refer to team members by an alias. The calendar invitation goes to your team "
                        "member, so it carries the alias, the date and the preparation outline, and your own "
                        "notes only if you tick the box.</p>"
                        '<p class="wb-workbook-address">Your team member prepares in the workbook at '
                        '<a href="{address}">{address}</a>. Send them this address '
                        "(the invitations that send a link carry it); they sign in with their own access "
                        "code, which only they and the programme facilitator have.</p>",
                        address=app_address(),
                    )
                ),
                self.include_notes,
                self.status.widget,
                self.undo_bar,
                self.list,
                self.add_button,
                self.markdown,
            ],
            _dom_classes=css("wb-tab-planner"),
        )
        self._show_cards()
        self.refresh_markdown()

    def _show_cards(self) -> None:
        if self.cards:
            self.list.children = [card.widget for card in self.cards]
        else:
            self.list.children = [widgets.HTML('<p class="wb-muted">No conversations planned yet.</p>')]

    def _rerender(self) -> None:
        for card in self.cards:
            card.render()

    def add(self) -> PlanCard:
        card = PlanCard(self, None)
        self.cards.append(card)
        self._show_cards()
        return card

    def delete(self, card: PlanCard) -> None:
        if card.entry_id is not None:
            alias = card.saved_alias()
            try:
                delete_plan_entry(self.home.store, self.home.person, card.entry_id)
            except InputError as exc:
                self.status.error(str(exc))
                return
            self.status.saved(utcnow())
            self.deleted_id = card.entry_id
            self.deleted_note.value = html(
                '<p role="status">Deleted the conversation with {alias}.</p>', alias=alias
            )
            self.undo_bar.layout.display = "flex"
        card.parts.forget_problems()
        if card in self.cards:
            self.cards.remove(card)
        self._show_cards()
        self.refresh_markdown()

    def undo_delete(self) -> None:
        """Bring back the conversation deleted last, as it was."""
        if self.deleted_id is None:
            return
        try:
            item = restore_plan_entry(self.home.store, self.home.person, self.deleted_id)
        except InputError as exc:
            self.status.error(str(exc))
            return
        self.deleted_id = None
        self.undo_bar.layout.display = "none"
        self.cards.append(PlanCard(self, item))
        self._show_cards()
        self.refresh_markdown()
        self.status.saved(utcnow())

    def refresh_markdown(self) -> None:
        entries = plan_entries(self.home.store, self.home.person)
        text = plan_markdown(self.home.person.name, entries)
        self.markdown.value = html(
            '<p>{link} <span class="wb-muted">({count} planned)</span></p>',
            link=links_html(
                [
                    download(
                        "md",
                        "text/markdown",
                        "career-conversation-plan.md",
                        text,
                        "Download the whole plan (Markdown)",
                    )
                ]
            ),
            count=len(entries),
        )
