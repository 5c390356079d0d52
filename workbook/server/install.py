"""Fitting the guards into a running tornado application (standalone Voila or a Jupyter server)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import voila.notebook_renderer
from jupyter_server.services.kernels.handlers import KernelActionHandler, KernelHandler
from jupyter_server.services.kernels.websocket import KernelWebsocketHandler
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.routing import Rule, RuleRouter
from voila.execute import VoilaExecutor
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

from workbook import config
from workbook.privacy import PRIVACY_PATH
from workbook.server.handlers import (
    PAGE_TARGET,
    Guard,
    GuardedKernelActionHandler,
    GuardedKernelHandler,
    GuardedKernelWebsocketHandler,
    GuardedShutdownHandler,
    PrivacyPageHandler,
    SessionHandler,
    WorkbookRenderHandler,
)
from workbook.server.lifecycle import KernelRegistry, Reaper, RedactKernelIds
from workbook.server.sessions import SESSION_PATH

REPLACEMENTS: dict[type, type] = {
    TornadoVoilaHandler: WorkbookRenderHandler,
    VoilaKernelWebsocketHandler: GuardedKernelWebsocketHandler,
    KernelWebsocketHandler: GuardedKernelWebsocketHandler,
    KernelHandler: GuardedKernelHandler,
    KernelActionHandler: GuardedKernelActionHandler,
    VoilaShutdownKernelHandler: GuardedShutdownHandler,
}


class VisitorClockExecutor(VoilaExecutor):
    """Voila's executor, except that a preheated kernel's wait for its visitor is not timed.

    ``VoilaExecutor.timeout`` bounds a cell from the moment it is sent; a pool kernel's cell waits
    inside for the visitor's request, so an unvisited pool kernel used to fail its first visitor with
    "Cell execution timed out". Its cells run without that limit here; the page handler applies the
    limit from the visitor's arrival instead (``WorkbookRenderHandler.limit_from_now``).

    A page that signs in while it renders (a personal link, a hub user) announces it on the
    ``workbook.page`` comm before any websocket is open: the executor, which reads the kernel's messages
    then, hands the announcement to the guard (``announced``, set by :func:`install`).
    """

    announced: Callable[[str, Any], None] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.comm_open_handlers[PAGE_TARGET] = self._page_announced

    def _page_announced(self, msg: dict[str, Any]) -> None:
        kernel_id = getattr(self.km, "kernel_id", None)
        if kernel_id and VisitorClockExecutor.announced is not None:
            VisitorClockExecutor.announced(kernel_id, (msg.get("content") or {}).get("data"))
        return None

    def _get_timeout(self, cell: Any) -> int | None:
        launch = getattr(self.km, "_launch_args", None) or {}
        if (launch.get("env") or {}).get("VOILA_PREHEAT") == "True":
            return None
        return super()._get_timeout(cell)


def _swap(router: Any) -> int:
    swapped = 0
    for rule in getattr(router, "rules", []):
        if isinstance(rule, Rule):
            target = rule.target
            if isinstance(target, type) and target in REPLACEMENTS:
                rule.target = REPLACEMENTS[target]
                swapped += 1
            elif isinstance(target, RuleRouter):
                swapped += _swap(target)
    return swapped


def redact_logs(*loggers: logging.Logger) -> None:
    """Kernel ids never appear in INFO logs (handlers of these loggers, the root and tornado's)."""
    wanted = [*loggers, logging.getLogger(), logging.getLogger("tornado.access")]
    for logger in wanted:
        for handler in logger.handlers:
            if not any(isinstance(f, RedactKernelIds) for f in handler.filters):
                handler.addFilter(RedactKernelIds())
        if not any(isinstance(f, RedactKernelIds) for f in logger.filters):
            logger.addFilter(RedactKernelIds())


def _dropped(_message: Any) -> None:
    """What a page's kernel sends while no websocket of the page is open: nobody will read it."""


def drop_replies_to_gone_pages(kernel_manager: Any, guard: Guard) -> None:
    """What a page's kernel sends while none of its websockets is open is read and dropped.

    jupyter_server keeps it in memory, unbounded, for a reconnect (a flood made that 700 MB); closing the
    kernel's channels instead makes the event loop log a line for each event still due on them. Here
    the channels stay open, as the server's own buffering keeps them, but what arrives is dropped.
    Kernels that are not a page's (JupyterLab's, under a Jupyter server) keep the server's buffering."""
    original = kernel_manager.start_buffering

    def start_buffering(kernel_id: str, session_key: str, channels: dict[str, Any]) -> None:
        original(kernel_id, session_key, channels)
        if guard.is_page_kernel(kernel_id):
            for stream in channels.values():
                if stream is not None and not stream.closed():
                    stream.on_recv(_dropped)

    kernel_manager.start_buffering = start_buffering


class QuietClosedChannels(logging.Filter):
    """pyzmq logs "Got events for closed stream" for each event still due on a kernel channel that
    jupyter_server closed (a page's websocket gone, a reconnect under a new session): a line per
    event, hundreds under a flood, none of them actionable. They are left out of the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Got events for closed stream")


def install(web_app: web.Application, kernel_manager: Any, log: logging.Logger, *, strict: bool) -> Guard:
    """Guard an application whose Voila handlers are already added; returns the shared guard.

    `strict` (the standalone server): a kernel no page owns can be reached by nobody and is shut
    down like a page that never connected. Under a Jupyter server (not strict) the server's own
    authentication covers kernels that Voila pages did not start (JupyterLab's).
    """
    voila.notebook_renderer.VoilaExecutor = VisitorClockExecutor  # noqa: B010 (the renderer's name)
    registry = KernelRegistry()
    reaper = Reaper(kernel_manager, registry, config.page_gone_after(), strict, log)
    guard = Guard(registry=registry, reaper=reaper, strict=strict, max_kernels=config.max_kernels(), log=log)
    web_app.settings["workbook_guard"] = guard
    VisitorClockExecutor.announced = guard.page_announced
    drop_replies_to_gone_pages(kernel_manager, guard)
    quiet = logging.getLogger("tornado.general")
    if not any(isinstance(f, QuietClosedChannels) for f in quiet.filters):
        quiet.addFilter(QuietClosedChannels())
    swapped = _swap(web_app.default_router) + _swap(web_app.wildcard_router)
    base_url = web_app.settings.get("base_url", "/") or "/"
    web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base_url, PRIVACY_PATH), PrivacyPageHandler),
            (url_path_join(base_url, SESSION_PATH), SessionHandler),
        ],
    )
    log.info("Workbook guards installed on %s handlers (kernel cap %s)", swapped, guard.max_kernels)
    redact_logs(log)
    reaper.start()
    return guard
