"""Inside a page's kernel: closing the page after an hour without activity, or after three minutes
when nobody signed in (said a minute before), with every pending save written first.

The apps call three hooks (from ``workbook.apps.common``): ``track_autosaver`` for each Autosaver,
``signed_in`` when a code or key checks out, and ``page_opened`` once the visitor is there. Activity
is any message the page's browser sends to a widget. Closing flushes the autosavers, puts the closing
message in place of every app on the page, and announces the close on the ``workbook.page`` comm;
the server (``workbook.server.handlers``) then shuts the kernel down. A sign-in is announced on the
same comm: the server then no longer counts the page as anonymous (``workbook.server.limits``) nor
reclaims its kernel at the cap. Outside a kernel (plain Python, tests) nothing runs by itself:
``PageLife.check`` is called directly.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Callable
from typing import Any, Protocol

from workbook import config

PAGE_TARGET = "workbook.page"
ROOT_CLASS = "wb-app"  # every app's outermost box carries it
CLOSING_CLASS = "wb-page-closing"  # the warning that a page nobody signed in on closes soon
SIGNIN_WARNING_S = 60.0  # how long before closing a page nobody signed in on says so


class Flushable(Protocol):
    def flush(self) -> None: ...


def _minutes(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = int(seconds // 3600)
        return "an hour" if hours == 1 else f"{hours} hours"
    if seconds >= 60:
        minutes = round(seconds / 60)
        return "a minute" if minutes == 1 else f"{minutes} minutes"
    return f"{round(seconds)} seconds"


class PageLife:
    """The timers of one page (one kernel serves one page)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.opened_at = clock()
        self.last_activity = self.opened_at
        self.is_signed_in = False
        self.closed_reason: str | None = None
        self.warned = False
        self._autosavers: weakref.WeakSet[Any] = weakref.WeakSet()
        self._timer: asyncio.TimerHandle | None = None

    # -- hooks ------------------------------------------------------------------------------------
    def track_autosaver(self, saver: Flushable) -> None:
        self._autosavers.add(saver)

    def signed_in(self, session: dict[str, Any] | None = None) -> None:
        """The page signed in; `session` (``workbook.server.sessions.Claims`` as a dict, with a display
        link's ``ends``) is what the check found, for the server to carry as the visit's cookie."""
        if not self.is_signed_in or session:
            _announce({"signed_in": True, **({"session": session} if session else {})})
        self.is_signed_in = True
        self.touch()

    def touch(self) -> None:
        self.last_activity = self.clock()

    # -- the rules --------------------------------------------------------------------------------
    def due(self) -> str | None:
        """Why the page must close now, or None."""
        now = self.clock()
        if self.closed_reason is not None:
            return None
        idle = config.idle_close_after()
        if now - self.last_activity >= idle:
            return f"This page was closed after {_minutes(idle)} without activity: reload to go on."
        if not self.is_signed_in and now - self.opened_at >= config.signin_close_after():
            wait = _minutes(config.signin_close_after())
            return f"This page was closed because nobody signed in for {wait}: reload to go on."
        return None

    def warning_due(self) -> str | None:
        """The warning a page nobody signed in on shows a minute before it closes (a third of the
        time, when that is less than three minutes), once; None when not due."""
        close_after = config.signin_close_after()
        lead = min(SIGNIN_WARNING_S, close_after / 3)
        if self.warned or self.is_signed_in or self.closed_reason is not None:
            return None
        if self.clock() - self.opened_at < close_after - lead:
            return None
        return (
            f"Nobody has signed in on this page: it closes in {_minutes(lead)}. Enter your access code "
            "to keep it open, or reload the page later."
        )

    def check(self) -> str | None:
        reason = self.due()
        if reason is not None:
            self.close(reason)
            return reason
        warning = self.warning_due()
        if warning is not None:
            self.warned = True
            _warn_everywhere(warning)
        return None

    def close(self, reason: str) -> None:
        """Write what is pending, show why the page closed, and tell the server."""
        self.closed_reason = reason
        for saver in list(self._autosavers):
            try:
                saver.flush()
            except Exception:  # one failing save must not keep the others from being written
                pass
        _show_everywhere(reason)
        _announce({"closed": reason})

    # -- inside a kernel --------------------------------------------------------------------------
    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        _count_browser_messages(self)
        self._schedule(loop)

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        close_after = config.signin_close_after()
        interval = max(0.5, min(30.0, config.idle_close_after() / 10, close_after / 10))
        if not self.is_signed_in and not self.warned:  # the warning comes on time, give or take a second
            interval = min(interval, max(0.5, min(SIGNIN_WARNING_S, close_after / 3) / 30))

        def tick() -> None:
            if self.check() is None:
                self._schedule(loop)

        self._timer = loop.call_later(interval, tick)


def _show_everywhere(reason: str) -> None:
    import html

    import ipywidgets as widgets
    from ipywidgets.widgets.widget import _instances

    notice = widgets.HTML(
        f'<div class="wb-page-closed" role="alert"><h2>Page closed</h2><p>{html.escape(reason)}</p></div>'
    )
    for widget in list(_instances.values()):
        if isinstance(widget, widgets.Box) and ROOT_CLASS in widget._dom_classes:
            widget.children = [notice]


def _warn_everywhere(warning: str) -> None:
    """Add the warning below every app on the page (a sign-in replaces the app's children, and the
    warning with them)."""
    import html

    import ipywidgets as widgets
    from ipywidgets.widgets.widget import _instances

    notice = widgets.HTML(
        f'<p class="wb-warning" role="alert">{html.escape(warning)}</p>', _dom_classes=[CLOSING_CLASS]
    )
    for widget in list(_instances.values()):
        if isinstance(widget, widgets.Box) and ROOT_CLASS in widget._dom_classes:
            widget.children = (*widget.children, notice)


def _announce(data: dict[str, Any]) -> None:
    """Tell the server about the page (``{"closed": reason}`` or ``{"signed_in": True}``)."""
    try:
        from comm import create_comm

        create_comm(target_name=PAGE_TARGET, data=data)
    except Exception:  # outside a kernel there is nobody to tell
        pass


def _count_browser_messages(life: PageLife) -> None:
    """Every widget message from the browser counts as activity."""
    from IPython import get_ipython

    kernel = getattr(get_ipython(), "kernel", None)
    if kernel is None:
        return
    original = kernel.shell_handlers.get("comm_msg")
    if original is None or getattr(original, "_workbook_counts", False):
        return

    def counted(*args: Any, **kwargs: Any) -> Any:
        life.touch()
        return original(*args, **kwargs)

    counted._workbook_counts = True  # type: ignore[attr-defined]
    kernel.shell_handlers["comm_msg"] = counted


_life: PageLife | None = None


def current() -> PageLife:
    """This kernel's page (created on first use)."""
    global _life
    if _life is None:
        _life = PageLife()
    return _life


def page_opened(loop: asyncio.AbstractEventLoop | None) -> PageLife:
    """The visitor is here: the clocks start now; inside a kernel (`loop` given) they run by themselves."""
    life = current()
    if life._timer is None and loop is not None:
        life.opened_at = life.last_activity = life.clock()
        life.start(loop)
    return life
