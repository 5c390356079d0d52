"""Running the evaluator's slow work off the kernel's event loop.

Inside a kernel (Voila), the slow steps (loading pandas, scipy and matplotlib, the statistics, the
charts, the downloads) run on one worker thread, and their results are put into the widgets on the
kernel's event loop: the page appears while the figures are being prepared. Without a running event
loop (plain Python, the tests) everything runs at once.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class Runner:
    """Runs jobs on one worker thread when the kernel's event loop runs, and at once otherwise.

    Jobs never touch widgets: they hand their results to :meth:`post`, which runs the update on the
    event loop, where widget changes are safe.
    """

    def __init__(self, *, background: bool | None = None) -> None:
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if background is False:
            loop = None
        self.loop = loop
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="wb-evaluator") if loop else None
        self._thread = threading.get_ident()

    @property
    def background(self) -> bool:
        return self._pool is not None

    def submit(
        self, job: Callable[[], None], on_error: Callable[[BaseException], None], *, now: bool = False
    ) -> None:
        """Run ``job`` on the worker thread, or at once without one or when ``now`` is set."""
        if self._pool is None or now:
            try:
                job()
            except Exception as exc:
                on_error(exc)
            return

        def finished(future: Future) -> None:
            exc = future.exception()
            if exc is not None:
                self.post(on_error, exc)

        self._pool.submit(job).add_done_callback(finished)

    def post(self, update: Callable[..., None], *args: Any) -> None:
        """Run a widget update on the event loop's thread (at once when already there)."""
        if self.loop is None or threading.get_ident() == self._thread:
            update(*args)
        else:
            self.loop.call_soon_threadsafe(update, *args)

    def later(self, delay: float, callback: Callable[[], None]) -> asyncio.TimerHandle | None:
        """Call back after ``delay`` seconds on the loop; at once (returning None) without one."""
        if self.loop is None:
            callback()
            return None
        return self.loop.call_later(delay, callback)
