"""The conversation planner: one card per planned career conversation, saved part by part, with
calendar invitations."""

from __future__ import annotations

from datetime import date, datetime

import ipywidgets as widgets

from workbook.apps.common import (
    Autosaver,
    CheckedParts,
    SaveStatus,
    css,
    esc,
    full_width,
    named,
)
from workbook.apps.lessons import (
    label,
    wide_button,
)
from workbook.apps.manager.shared import (
    PLAN_AHEAD,
    Home,
    day_text,
    download_link,
)
from workbook.manager.planner import (
    SEND_AHEAD,
    PlanItem,
    clean_plan_part,
    delete_plan_entry,
    plan_entries,
    plan_markdown,
    save_plan_entry,
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
            placeholder="HH:MM, optional",
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
        self.inputs: dict[str, widgets.ValueWidget] = {
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
            },
        )
        notes = {part: self.parts.note(part, box) for part, box in self.inputs.items()}
        for part, box in self.inputs.items():
            box.observe(lambda change, part=part: self.changed(part, change["new"]), "value")
        self.links = widgets.HTML(_dom_classes=css("wb-plan-links"))
        self.delete_button = widgets.Button(
            description="Delete", icon="trash", _dom_classes=css("wb-plan-delete")
        )
        self.delete_button.on_click(lambda _b: self.planner.delete(self))
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
                self.links,
                self.delete_button,
            ],
            layout=full_width(),
            _dom_classes=css("wb-plan-entry", "wb-goal-card"),
        )
        self.render()

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
        moment = day_text(item.proposed_on) + (f", {item.time}" if item.time else "")
        self.header.value = f"<h4>{esc(item.alias)}: {esc(moment)}</h4>"
        ics = to_ics(
            item, self.planner.home.person.name, include_private_notes=self.planner.include_notes.value
        )
        self.links.value = (
            "<p>"
            + download_link(
                "wb-download-ics",
                f"career-conversation-{item.id}-{item.proposed_on.isoformat()}.ics",
                "text/calendar",
                ics,
                "Download the calendar invitation (.ics)",
            )
            + ' <span class="wb-muted">with the preparation outline for your team member</span></p>'
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
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    "<h3>Conversation planner</h3>"
                    '<p class="wb-private">Your plan is private: only you can see it. '
                    "Refer to team members by an alias. The calendar invitation goes to your team member, "
                    "so it carries the alias, the date and the preparation outline, and your own notes "
                    "only if you tick the box.</p>"
                ),
                self.include_notes,
                self.status.widget,
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
            try:
                delete_plan_entry(self.home.store, self.home.person, card.entry_id)
            except InputError as exc:
                self.status.error(str(exc))
                return
            self.status.saved(utcnow())
        card.parts.forget_problems()
        if card in self.cards:
            self.cards.remove(card)
        self._show_cards()
        self.refresh_markdown()

    def refresh_markdown(self) -> None:
        entries = plan_entries(self.home.store, self.home.person)
        text = plan_markdown(self.home.person.name, entries)
        self.markdown.value = (
            "<p>"
            + download_link(
                "wb-download-md",
                "career-conversation-plan.md",
                "text/markdown",
                text,
                "Download the whole plan (Markdown)",
            )
            + f' <span class="wb-muted">({len(entries)} planned)</span></p>'
        )


