"""Pages that keep themselves up to date while they are open (the facilitator's board, the room view):
a callback run every few seconds on the kernel's event loop, until the page or the view goes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable, Iterable
from typing import Protocol, TypeVar

import ipywidgets as widgets

from workbook.server import page


class Card(Protocol):
    """One item's part of a live list: shown again with the item's new state, closed when it goes."""

    widget: widgets.Widget

    def show(self, item: object) -> None: ...

    def close(self) -> None: ...


K = TypeVar("K", bound=Hashable)
C = TypeVar("C", bound=Card)
T = TypeVar("T")


def refresh_cards(
    cards: dict[K, C], items: Iterable[T], key: Callable[[T], K], make: Callable[[T], C], box: widgets.Box
) -> dict[K, C]:
    """A live list read again: a card for each new item, the same card shown again for an item still
    there (so what a person is typing in it stays), and the cards of items gone closed. Returns the cards
    now shown in `box`, in the items' order."""
    kept: dict[K, C] = {}
    for item in items:
        card = cards.get(key(item))
        if card is None:
            card = make(item)
        else:
            card.show(item)
        kept[key(item)] = card
    for name, card in cards.items():
        if name not in kept:
            card.close()
    box.children = [card.widget for card in kept.values()]
    return kept


class Ticker:
    """Runs ``tick`` every ``every`` seconds inside a kernel while ``view`` is on an open page.

    Outside a kernel (plain Python, tests) it does nothing: the tests call the view's refresh directly.
    """

    def __init__(self, every: float, tick: Callable[[], None], view: widgets.Widget) -> None:
        self.every = every
        self._tick = tick
        self._view = view
        self._timer: asyncio.TimerHandle | None = None
        try:
            self._loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            self._loop = None
        self._schedule()

    @property
    def running(self) -> bool:
        return self._timer is not None

    def _schedule(self) -> None:
        if self._loop is not None:
            self._timer = self._loop.call_later(self.every, self._run)

    def _run(self) -> None:
        if page.current().closed_reason is not None or self._view.comm is None:
            self._timer = None
            return
        try:
            self._tick()
        finally:
            self._schedule()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
