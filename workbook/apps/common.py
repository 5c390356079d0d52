"""Conventions every app shares: sign-in by access code, the visible save state, debounced
autosave, and escaping of any text that becomes HTML."""

from __future__ import annotations

import asyncio
import html
import os
from collections.abc import Callable
from datetime import datetime
from urllib.parse import parse_qs

import ipywidgets as widgets

from workbook.identity import AccessDenied, Person, authenticate
from workbook.server import page
from workbook.store import Store
from workbook.validation import InputError

AUTOSAVE_DELAY_S = 0.6


def esc(text: object) -> str:
    """Escape text written by a person (or by a content editor) before it becomes HTML."""
    return html.escape(str(text), quote=True)


def when(moment: datetime | None) -> str:
    return moment.strftime("%d %b %Y, %H:%M UTC") if moment else "not yet"


def css(*names: str) -> list[str]:
    """DOM classes that tests and styles can find a widget by."""
    return list(names)


APP_STYLE = """
<style>
.wb-app .lm-TabBar-tab, .wb-app .p-TabBar-tab { max-width: none !important; min-width: 0 !important;
  flex: 0 1 auto !important; }
.wb-status { padding: 4px 8px; border-radius: 4px; display: inline-block; }
.wb-status-saved { background: #e6f2ea; color: #0b5a2a; }
.wb-status-saving { background: #fff6d6; color: #5c4400; }
.wb-status-error { background: #fde8e8; color: #8a1010; font-weight: bold; }
.wb-error { color: #8a1010; font-weight: bold; }
.wb-muted { color: #555; }
.wb-download { color: #0072B2; text-decoration: underline; font-weight: 600; }
.wb-label { font-weight: 600; display: block; margin-top: 6px; }
.wb-goal-card { border-left: 4px solid #0072B2; padding-left: 10px; margin: 8px 0; }
.wb-plan-preview { border: 1px solid #ccc; padding: 0 12px; }
.wb-plan-preview table { border-collapse: collapse; }
.wb-plan-preview td, .wb-plan-preview th { border: 1px solid #999; padding: 4px 6px; vertical-align: top; }
</style>
"""


def app_style() -> widgets.HTML:
    """Shared look of the apps (tab titles in full, save-state colours)."""
    return widgets.HTML(APP_STYLE)


def query_param(name: str) -> str | None:
    """A parameter of the page's URL (Voila passes the query string to the kernel).

    A preheated kernel runs the notebook before anyone asks for it; `wait_for_request` pauses here
    until the visitor's request arrives, so everything above (imports, content) is ready in advance
    and nothing about the visitor is read before they come. Outside a preheated kernel it returns
    at once.
    """
    if os.environ.get("VOILA_PREHEAT", "False") != "False":
        from voila.utils import wait_for_request  # costs seconds to import: only when preheated

        wait_for_request()
    page.page_opened(_kernel_loop())  # the visitor is here: the page's idle clocks start
    values = parse_qs(os.environ.get("QUERY_STRING", "")).get(name)
    return values[0] if values else None


def query_code() -> str | None:
    """The access code from the page's URL."""
    return query_param("code")


class SaveStatus:
    """A status line that tells the person whether their work is saved."""

    def __init__(self) -> None:
        self.widget = widgets.HTML(value="", _dom_classes=css("wb-save-status"))
        self.state = "idle"
        self._show("idle", "Answers save automatically as you type.")

    def _show(self, state: str, message: str) -> None:
        self.state = state
        self.widget.value = (
            f'<div class="wb-status wb-status-{state}" role="status" aria-live="polite">{esc(message)}</div>'
        )

    def saving(self) -> None:
        self._show("saving", "Saving…")

    def saved(self, moment: datetime) -> None:
        self._show("saved", f"All changes saved ({moment.strftime('%H:%M:%S')} UTC)")

    def error(self, message: str) -> None:
        self._show("error", f"Not saved: {message}")

    @property
    def text(self) -> str:
        return html.unescape(self.widget.value.split(">", 1)[1].rsplit("<", 1)[0])


def _kernel_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop of the Jupyter kernel we run in, or None outside a kernel (plain Python, tests)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return None
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Autosaver:
    """Saves each changed answer shortly after the person stops typing.

    Inside a kernel the save runs on the event loop after `delay` seconds without a further
    change to the same answer; without a running loop (plain Python, tests) it runs at once.
    """

    def __init__(self, status: SaveStatus, delay: float = AUTOSAVE_DELAY_S) -> None:
        self.status = status
        self.delay = delay
        self._pending: dict[str, tuple[asyncio.TimerHandle | None, Callable[[], datetime]]] = {}
        page.current().track_autosaver(self)  # written before the page closes for inactivity

    def schedule(self, key: str, save: Callable[[], datetime]) -> None:
        previous = self._pending.pop(key, None)
        if previous and previous[0] is not None:
            previous[0].cancel()
        loop = _kernel_loop()
        if loop is None or self.delay <= 0:
            self._run(save)
            return
        self.status.saving()
        handle = loop.call_later(self.delay, self._fire, key)
        self._pending[key] = (handle, save)

    def _fire(self, key: str) -> None:
        entry = self._pending.pop(key, None)
        if entry:
            self._run(entry[1])

    def flush(self) -> None:
        """Save everything still waiting (used before building downloads)."""
        for key in list(self._pending):
            handle, _ = self._pending[key]
            if handle is not None:
                handle.cancel()
            self._fire(key)

    def _run(self, save: Callable[[], datetime]) -> None:
        try:
            moment = save()
        except InputError as exc:
            self.status.error(str(exc))
        except Exception as exc:  # the store is down or full: say so, keep the text on the page
            problem = type(exc).__name__
            self.status.error(f"the store could not be reached ({problem}); your text is still on the page")
        else:
            self.status.saved(moment)


class SignIn:
    """Opens the app for the person whose access code is in the link or typed on the page.

    Nothing about anyone is loaded into the kernel until a code checks out.
    """

    def __init__(self, store: Store, on_success: Callable[[Person], widgets.Widget], title: str) -> None:
        self.store = store
        self.on_success = on_success
        self.code = widgets.Password(
            description="Access code", placeholder="from your invitation", _dom_classes=css("wb-code")
        )
        self.button = widgets.Button(description="Open", button_style="primary", _dom_classes=css("wb-open"))
        self.message = widgets.HTML(_dom_classes=css("wb-signin-message"))
        self.button.on_click(lambda _b: self.try_code(self.code.value))
        self.form = widgets.VBox(
            [
                widgets.HTML(f"<h2>{esc(title)}</h2><p>Enter the access code from your invitation.</p>"),
                widgets.HBox([self.code, self.button]),
                self.message,
            ],
            _dom_classes=css("wb-signin"),
        )
        self.widget = widgets.VBox([app_style(), self.form], _dom_classes=css("wb-app"))

    def try_code(self, code: object) -> Person | None:
        if not isinstance(code, str):
            self._refuse("That access code is not valid.")
            return None
        try:
            person = authenticate(self.store, code)
        except AccessDenied as exc:
            self._refuse(str(exc))
            return None
        self.code.value = ""
        page.current().signed_in()
        self.widget.children = [app_style(), self.on_success(person)]
        return person

    def _refuse(self, message: str) -> None:
        self.message.value = f'<p class="wb-error" role="alert">{esc(message)}</p>'

    def start(self) -> widgets.Widget:
        """Try the code from the URL, if any; otherwise show the form."""
        code = query_code()
        if code is not None:
            self.try_code(code)
        return self.widget
