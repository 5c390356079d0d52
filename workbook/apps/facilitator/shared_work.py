"""What participants shared with the facilitator, and the facilitator's feedback on each item.

The text comes only from `workbook.facilitator.shared.shared_with_facilitator`, read again every few
seconds while the page is open: an item its owner unshares leaves the page (its widgets are closed, so
the kernel no longer holds its text) within one refresh. Feedback is written through `write_feedback`,
which checks at that moment that the item is still shared with this facilitator."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import ipywidgets as widgets

from workbook.apps.common import close_tree, css, full_width, named, when
from workbook.apps.facilitator.shared import Home
from workbook.apps.facilitator.templates import message, render
from workbook.apps.live import Ticker, refresh_cards
from workbook.facilitator.shared import (
    FEEDBACK_MAX,
    ItemRef,
    NotShared,
    SharedItem,
    shared_with_facilitator,
    write_feedback,
)
from workbook.store import StoreError
from workbook.validation import InputError

REFRESH_S = 5.0  # unsharing shows within 10 s: a refresh every 5 s and the time one takes


class SharedItemView:
    """One shared item: its text, feedback by co-facilitators, and a box for this facilitator's feedback."""

    def __init__(
        self, item: SharedItem, me: str, anchor: int, save: Callable[[ItemRef, object], None]
    ) -> None:
        self.ref = item.ref  # kept in Python: a page visitor cannot point the box at another item
        self.me = me
        self.anchor = anchor
        self.card = widgets.HTML()
        mine = item.feedback_by(me)
        self.box = widgets.Textarea(
            value=mine.text if mine else "",
            rows=3,
            continuous_update=False,  # sent whole when the box is left (as a click on Save does)
            placeholder=f"Up to {FEEDBACK_MAX} characters",
            layout=full_width(),
            _dom_classes=css("wb-fac-feedback-input"),
        )
        named(self.box, f"Your feedback to {item.owner} on {item.title}")
        self.button = widgets.Button(
            description="Save feedback", button_style="primary", _dom_classes=css("wb-fac-feedback-save")
        )
        self.button.on_click(lambda _b: save(self.ref, self.box.value))
        self.message = widgets.HTML(_dom_classes=css("wb-fac-feedback-message"))
        self.widget = widgets.VBox(
            [self.card, self.box, self.button, self.message], _dom_classes=css("wb-shared-item")
        )
        self.show(item)

    def show(self, item: SharedItem) -> None:
        """Show the item as it stands now (what the facilitator is typing is left alone); an item that has
        not changed since the last refresh is left as it is."""
        if getattr(self, "item", None) == item:
            return
        self.item = item
        mine = item.feedback_by(self.me)
        self.card.value = render(
            "shared_item.html",
            item=item,
            anchor=self.anchor,
            shared=when(item.shared_at),
            changed=when(item.changed_at),
            others=[
                {"author": n.author, "when": when(n.written_at), "text": n.text}
                for n in item.feedback
                if n.author_pid != self.me
            ],
            mine=when(mine.written_at) if mine else "",
        )

    def close(self) -> None:
        close_tree(self.widget)


class SharedWorkTab:
    """Everything the people of the chosen cohort share with their facilitators, live."""

    def __init__(self, home: Home, *, refresh_every: float = REFRESH_S) -> None:
        self.home = home
        self.every = refresh_every
        self.views: dict[ItemRef, SharedItemView] = {}
        self._made = 0
        self.stamp = widgets.HTML(_dom_classes=css("wb-shared-status"))
        self.result = widgets.HTML(_dom_classes=css("wb-shared-result"))
        self.list = widgets.VBox(_dom_classes=css("wb-shared-list"))
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    "<h3>Shared with you</h3><p>What participants chose to share with their facilitator: "
                    "the latest version of each. Write feedback on any of it; they see it beside the item "
                    "in their own app, with your name and the date.</p>"
                ),
                self.stamp,
                self.result,
                self.list,
            ],
            _dom_classes=css("wb-tab-shared"),
        )
        self.refresh()
        self.ticker = Ticker(self.every, self.refresh, self.widget)

    def stop(self) -> None:
        self.ticker.stop()

    def refresh(self) -> None:
        """Read what is shared now: new items appear, changed ones update, unshared ones go."""
        try:
            items = shared_with_facilitator(self.home.store, self.home.person, self.home.cohort)
        except StoreError as exc:  # no longer a facilitator of this cohort: show nothing of it
            self.clear()
            self.stamp.value = message("error", f"Nothing to show: {exc}.")
            return
        self.views = refresh_cards(self.views, items, lambda item: item.ref, self._new_view, self.list)
        self.stamp.value = render(
            "shared_stamp.html",
            count=len(self.views),
            updated=dt.datetime.now(dt.UTC).strftime("%H:%M:%S"),
            every=int(self.every),
        )

    def _new_view(self, item: SharedItem) -> SharedItemView:
        self._made += 1
        return SharedItemView(item, self.home.person.pid, self._made, self.save)

    def clear(self) -> None:
        """Forget the items of the cohort shown so far (another cohort is being picked)."""
        for view in self.views.values():
            view.close()
        self.views = {}
        self.list.children = []
        self.result.value = ""

    def save(self, ref: object, text: object) -> None:
        """Store the facilitator's feedback on one item; a clear message, and nothing stored, if the text
        is bad or the item is not shared with them (any more)."""
        view = self.views.get(ref) if isinstance(ref, ItemRef) else None
        shown = view.message if view is not None else self.result
        try:
            before = view.item.feedback_by(self.home.person.pid) if view is not None else None
            note = write_feedback(self.home.store, self.home.person, self.home.cohort, ref, text)
        except InputError as exc:
            shown.value = message("error", f"Not saved: {exc.problem}")
            return
        except NotShared as exc:
            self.result.value = message("error", f"Not saved: {exc}")
            self.refresh()
            return
        except StoreError as exc:
            self.result.value = message("error", f"Not saved: {exc}")
            return
        if before is not None and before.id == note.id:
            shown.value = message("info", "No change: your feedback is as it was.")
            return
        shown.value = message("done", f"Feedback saved at {when(note.written_at)}.")
        self.refresh()
