"""The 1:1 page's past 1:1s: every earlier 1:1 the viewer may open, with its shared notes, the viewer's own
private notes, its actions and its outcome, to read only (`workbook.team.snapshot.PastTalk`)."""

from __future__ import annotations

from datetime import date

import ipywidgets as widgets

from workbook.apps.common import css
from workbook.apps.markup import html, joined
from workbook.team.conversation import Thread
from workbook.team.items import OWNERS, STATUSES
from workbook.team.snapshot import ConversationState, PastTalk


def long_day(moment: date | None) -> str:
    """A date with its weekday, as the page says it ("Monday 3 May 2027")."""
    return f"{moment.strftime('%A')} {moment.day} {moment.strftime('%B %Y')}" if moment else ""


def _day(moment: date | None) -> str:
    return f"{moment.day} {moment.strftime('%B %Y')}" if moment else "no date"


class HistoryView:
    """Every past 1:1 the viewer may open, the latest first: its date and outcome, its shared notes as they
    were left, the viewer's own private notes and its actions, to read (nothing in it can be changed)."""

    def __init__(self, thread: Thread) -> None:
        self.thread = thread
        self.widget = widgets.HTML(_dom_classes=css("wb-past-talks"))
        self._shown: tuple = ()

    def show(self, state: ConversationState) -> None:
        if state.history == self._shown:
            return
        self._shown = state.history
        if not state.history:
            self.widget.value = html('<p class="wb-muted">No past 1:1s yet.</p>')
            return
        self.widget.value = joined(self._talk(talk, state) for talk in state.history)

    def _talk(self, talk: PastTalk, state: ConversationState) -> str:
        earlier = talk.manager_name != state.manager_name
        when_held = (
            f"held on {_day(talk.held_on)}" if talk.held_on else f"opened {_day(talk.opened_at.date())}"
        )
        actions = joined(
            html(
                '<li>{text} <span class="wb-muted">({owner}, due {due}, {status} now)</span></li>',
                text=a.text,
                owner=OWNERS.get(a.owner or "", "no owner"),
                due=_day(a.due_on),
                status=STATUSES[a.status].lower(),
            )
            for a in talk.actions
        )
        private = (
            html(
                '<h4>Your private notes (only you see these)</h4><p class="wb-note-text">{text}</p>',
                text=talk.private.text,
            )
            if talk.private.text
            else ""
        )
        return html(
            '<section class="wb-past-talk" aria-label="{label}"><h3>{label}</h3><p>{outcome}</p>'
            "<h4>Shared notes</h4>{shared}{private}<h4>Actions agreed</h4>{actions}</section>",
            label=f"1:1 number {talk.number} with {talk.manager_name}, {when_held}"
            + (" (an earlier manager)" if earlier else ""),
            outcome=talk.outcome,
            shared=html('<p class="wb-note-text">{t}</p>', t=talk.shared.text)
            if talk.shared.text
            else html('<p class="wb-muted">No shared notes.</p>'),
            private=private,
            actions=html("<ul>{items}</ul>", items=actions)
            if talk.actions
            else html('<p class="wb-muted">No actions agreed in it.</p>'),
        )


def earlier_html(state: ConversationState) -> str:
    """On the team member's page: her 1:1s with earlier managers stay hers, and her manager now does not
    see them (a manager's state holds none)."""
    if not state.earlier:
        return ""
    talks = joined(
        html(
            "<li>with {manager}, opened {opened}: {outcome}</li>",
            manager=e.manager_name,
            opened=long_day(e.opened_at.date()),
            outcome=f"held on {long_day(e.held_on)}" if e.held_on else "open when your manager changed",
        )
        for e in state.earlier
    )
    return html(
        '<div class="wb-earlier" role="note"><p>Your 1:1s with an earlier manager stay yours, with their '
        "notes, topics and actions; your manager now does not see them.</p><ul>{talks}</ul></div>",
        talks=talks,
    )
