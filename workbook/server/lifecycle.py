"""Which page owns which kernel, whether the page is still there, and giving kernels back.

A kernel belongs to the visit (the per-visit cookie) whose page started it or took it from the pool.
A page is gone once its kernel websocket has been closed, or was never opened, for
``config.page_gone_after()`` seconds; its kernel is then shut down. A page that the kernel itself
closed (an hour without activity, or three minutes without anyone signing in: see
``workbook.server.page``) announces it, and its kernel is shut down a moment later, once the
closing message has reached the browser. A page also announces that it signed in; at the kernel cap,
the kernels of pages that never did (anonymous pages) are given back first, oldest first, to serve
a new visitor (``KernelRegistry.anonymous``). Preheated kernels waiting in Voila's pool are never
touched.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jupyter_core.utils import ensure_async

CLOSED_GRACE_S = 2.0  # after a page announced its close, time for the message to reach the browser
KERNEL_ID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")


def kernel_tag(kernel_id: str) -> str:
    """A short name for a kernel in logs that does not reveal its id (ids open kernel websockets)."""
    return "kernel#" + hashlib.sha256(kernel_id.encode()).hexdigest()[:8]


class RedactKernelIds(logging.Filter):
    """Log lines name kernels by tag, never by id: logs are widely shared, and an id opened a kernel."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # a broken log call is not ours to fix
            return True
        if KERNEL_ID.search(text):
            record.msg = KERNEL_ID.sub(lambda match: kernel_tag(match.group(0)), text)
            record.args = ()
        return True


@dataclass
class KernelRecord:
    """What the server knows about one kernel's page."""

    visit: str | None  # the per-visit token of the page that owns it; None: not a page's kernel
    since: float  # since when nothing is connected (or when the page was handed over)
    connections: int = 0
    closed: bool = False
    rendering: bool = False  # the page is still being rendered: not gone, whatever the clock says
    signed_in: bool = False  # the page announced a sign-in (a code, a key or a hub user checked out)
    bound_at: float = 0.0  # when the page took the kernel


@dataclass
class KernelRegistry:
    """The server's book of kernels and their pages (one per server process)."""

    clock: Callable[[], float] = time.monotonic
    records: dict[str, KernelRecord] = field(default_factory=dict)

    def bind(self, kernel_id: str, visit: str) -> None:
        """The page of `visit` now owns the kernel (it was started or taken from the pool for it)."""
        earlier = self.records.get(kernel_id)  # a sign-in announced while the page was rendering
        now = self.clock()
        signed_in = bool(earlier and earlier.signed_in)
        self.records[kernel_id] = KernelRecord(
            visit=visit, since=now, rendering=True, signed_in=signed_in, bound_at=now
        )

    def owner(self, kernel_id: str) -> str | None:
        record = self.records.get(kernel_id)
        return record.visit if record else None

    def rendered(self, kernel_id: str) -> None:
        """The page is in the browser: the wait for its websocket starts now."""
        record = self.records.get(kernel_id)
        if record:
            record.rendering = False
            if record.connections == 0:
                record.since = self.clock()

    def connected(self, kernel_id: str) -> None:
        record = self.records.setdefault(kernel_id, KernelRecord(visit=None, since=self.clock()))
        record.connections += 1

    def disconnected(self, kernel_id: str) -> None:
        record = self.records.get(kernel_id)
        if record is None:
            return
        record.connections = max(0, record.connections - 1)
        if record.connections == 0:
            record.since = self.clock()

    def closed(self, kernel_id: str) -> None:
        """The page's kernel announced that it closed the page."""
        record = self.records.get(kernel_id)
        if record is not None:
            record.closed = True

    def signed_in(self, kernel_id: str) -> None:
        """The page's kernel announced a sign-in: the page is no longer anonymous."""
        record = self.records.setdefault(kernel_id, KernelRecord(visit=None, since=self.clock()))
        record.signed_in = True

    def is_signed_in(self, kernel_id: str) -> bool:
        record = self.records.get(kernel_id)
        return bool(record and record.signed_in)

    def anonymous(self, running: set[str], pooled: set[str]) -> list[str]:
        """Running kernels of pages that never signed in, oldest first: what is given back first at the
        cap. A page still rendering is left alone (a personal link signs in while it renders)."""
        found = [
            (record.bound_at, kernel_id)
            for kernel_id, record in self.records.items()
            if kernel_id in running - pooled
            and record.visit is not None
            and not record.signed_in
            and not record.rendering
        ]
        return [kernel_id for _bound_at, kernel_id in sorted(found)]

    def forget(self, kernel_id: str) -> None:
        self.records.pop(kernel_id, None)

    def due(self, running: set[str], pooled: set[str], gone_after: float, strict: bool) -> list[str]:
        """Running kernels whose page is gone. `strict` (standalone server): a kernel that no page
        owns and that is not waiting in the pool is treated as a page that never connected."""
        now = self.clock()
        for kernel_id in list(self.records):
            if kernel_id not in running:
                self.forget(kernel_id)
        due = []
        for kernel_id in running - pooled:
            record = self.records.get(kernel_id)
            if record is None:
                if not strict:
                    continue
                record = self.records[kernel_id] = KernelRecord(visit=None, since=now)
            if not record.rendering and record.connections == 0 and now - record.since >= gone_after:
                due.append(kernel_id)
        return due


def pooled_kernel_ids(kernel_manager: Any) -> set[str]:
    """Kernels waiting in Voila's preheat pool for a visitor (they must not be shut down)."""
    waiting: set[str] = set()
    for pool in getattr(kernel_manager, "_pools", {}).values():
        for task in list(pool):
            if task.done() and not task.cancelled() and task.exception() is None:
                result = task.result()
                if isinstance(result, dict) and result.get("kernel_id"):
                    waiting.add(result["kernel_id"])
    return waiting


class Reaper:
    """Every few seconds, shuts down the kernels whose page is gone."""

    def __init__(
        self,
        kernel_manager: Any,
        registry: KernelRegistry,
        gone_after: float,
        strict: bool,
        log: logging.Logger,
    ) -> None:
        self.kernel_manager = kernel_manager
        self.registry = registry
        self.gone_after = gone_after
        self.strict = strict
        self.log = log
        self.interval = max(0.5, min(15.0, gone_after / 4))
        self._task: asyncio.Task | None = None
        self._closing: set[str] = set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_event_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.sweep()
            except Exception:  # never let one bad sweep stop the next ones
                self.log.exception("kernel sweep failed")

    async def sweep(self) -> list[str]:
        running = set(self.kernel_manager.list_kernel_ids())
        pooled = pooled_kernel_ids(self.kernel_manager)
        gone = self.registry.due(running, pooled, self.gone_after, self.strict)
        for kernel_id in gone:
            await self.shut_down(kernel_id, "its page is gone")
        return gone

    def closing(self, kernel_id: str) -> bool:
        return kernel_id in self._closing

    def page_closed(self, kernel_id: str) -> None:
        """The kernel closed its page (saved, message shown): shut it down after a short grace."""
        self.registry.closed(kernel_id)
        loop = asyncio.get_event_loop()
        loop.call_later(
            CLOSED_GRACE_S,
            lambda: loop.create_task(self.shut_down(kernel_id, "its page was closed for inactivity")),
        )

    async def shut_down(self, kernel_id: str, why: str) -> None:
        if kernel_id in self._closing or kernel_id not in set(self.kernel_manager.list_kernel_ids()):
            return
        self._closing.add(kernel_id)
        try:
            self.log.info("Shutting down %s: %s", kernel_tag(kernel_id), why)
            await ensure_async(self.kernel_manager.shutdown_kernel(kernel_id))
        except Exception:
            self.log.warning("could not shut down %s", kernel_tag(kernel_id), exc_info=True)
        finally:
            self._closing.discard(kernel_id)
            self.registry.forget(kernel_id)
