"""A facilitator's feedback on a person's own shared items, on that person's page: beside each item, with
who wrote it and when, and a notice at the top of the page while any of it is new, with a button that goes
to the item. Opening the item (its button, or its tab) counts as seeing it, and the notice goes.

The kernel holds the feedback on the signed-in person's own items only (`my_feedback`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import ipywidgets as widgets
from markupsafe import Markup

from workbook.apps.common import css, when
from workbook.apps.markup import html, joined
from workbook.facilitator.shared import FeedbackNote, mark_seen, my_feedback
from workbook.identity import Person
from workbook.store import Store

Place = tuple[str, str]  # (scope, item), as the person's visibility names the item


class FeedbackPanel:
    """The feedback on one person's items in `places` (place -> its title on the page); `jump(place)`
    shows the item (selects its tab)."""

    def __init__(
        self, store: Store, person: Person, places: Mapping[Place, str], jump: Callable[[Place], object]
    ) -> None:
        self.store = store
        self.person = person
        self.places = dict(places)
        self.jump = jump
        found = my_feedback(store, person, {scope for scope, _ in self.places})
        self.notes: dict[Place, list[FeedbackNote]] = {p: n for p, n in found.items() if p in self.places}
        # marked "new" beside the item for as long as this page is open, even once seen
        self._unseen_at_open = {n.id for notes in self.notes.values() for n in notes if not n.seen}
        self.notice = widgets.VBox(_dom_classes=css("wb-fac-feedback-notice"))
        self._show_notice()

    def new(self) -> list[Place]:
        """The items with feedback the person has not seen yet, in page order."""
        return [p for p in self.places if any(not n.seen for n in self.notes.get(p, ()))]

    def html(self, place: Place) -> Markup | str:
        """The feedback on one item, newest marked "new" while this page is open (empty if none)."""
        notes = self.notes.get(place, ())
        if not notes:
            return ""
        quoted = joined(
            html(
                '<blockquote class="wb-fac-feedback-note{new}"><p class="wb-fac-feedback-meta">'
                '<strong class="wb-fac-feedback-author">{author}</strong>, '
                '<span class="wb-fac-feedback-date">{when}</span>{badge}</p>'
                '<p class="wb-fac-feedback-body">{text}</p></blockquote>',
                new=" wb-fac-feedback-new" if note.id in self._unseen_at_open else "",
                author=note.author,
                when=when(note.written_at),
                badge=html(' <span class="wb-fac-feedback-badge">new</span>')
                if note.id in self._unseen_at_open
                else "",
                text=note.text,
            )
            for note in notes
        )
        return html(
            '<section class="wb-fac-feedback" aria-label="Feedback from your facilitator">'
            '<h4 class="wb-fac-feedback-heading">Feedback from your facilitator</h4>{quoted}</section>',
            quoted=quoted,
        )

    def seen(self, place: Place) -> None:
        """The person has the item in front of them: its feedback is no longer new."""
        notes = self.notes.get(place, [])
        if not any(not n.seen for n in notes):
            return
        mark_seen(self.store, self.person, notes)
        self.notes[place] = [
            FeedbackNote(n.id, n.author, n.author_pid, n.text, n.written_at, True) for n in notes
        ]
        self._show_notice()

    def _go(self, place: Place) -> None:
        self.jump(place)
        self.seen(place)

    def _show_notice(self) -> None:
        places = self.new()
        if not places:
            self.notice.children = []
            return
        buttons = []
        for place in places:
            button = widgets.Button(
                description=f"Go to {self.places[place]}",
                icon="arrow-down",
                _dom_classes=css("wb-fac-feedback-go", f"wb-fac-feedback-go-{place[1]}"),
            )
            button.on_click(lambda _b, p=place: self._go(p))
            buttons.append(button)
        titles = [self.places[p] for p in places]
        text = html(
            '<div class="wb-fac-feedback-alert" role="status" aria-live="polite"><p><strong>New feedback '
            "from your facilitator</strong> on {titles}. It is shown beside {which}:</p></div>",
            titles=", ".join(titles),
            which="it" if len(titles) == 1 else "each",
        )
        self.notice.children = [widgets.HTML(text), widgets.HBox(buttons)]
