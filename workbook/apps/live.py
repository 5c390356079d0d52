"""Pages that keep themselves up to date while they are open (the facilitator's board, the room view):
a callback run every few seconds on the kernel's event loop, until the page or the view goes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import ipywidgets as widgets

from workbook.server import page


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
