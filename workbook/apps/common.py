"""Conventions every app shares: the visible save state, debounced autosave, and the widget helpers the
apps have in common (sign-in is `workbook.apps.signin`). Every value put into HTML here is escaped by
:func:`workbook.apps.markup.html`."""

from __future__ import annotations

import asyncio
import html as html_text
import os
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, quote

import ipywidgets as widgets
from markupsafe import Markup

from workbook.apps.markup import html, privacy_link
from workbook.apps.style import APP_STYLE, MANAGER_STYLE
from workbook.server import page
from workbook.validation import InputError

AUTOSAVE_DELAY_S = 0.6


def when(moment: datetime | None) -> str:
    from workbook.apps.clock import local_time

    return local_time(moment, "%d %b %Y, %H:%M") if moment else "not yet"


def full_width() -> widgets.Layout:
    """Stretch to the box it is in. A fresh Layout per widget (a shared one dies with the first widget
    closed), and "auto" rather than 100% so that margins never push the right edge out of view."""
    return widgets.Layout(width="auto")


def css(*names: str) -> list[str]:
    """DOM classes that tests and styles can find a widget by."""
    return list(names)


def app_style() -> widgets.Box:
    """What every page starts with: the shared look of the apps (tabs and labels in full at any width,
    visible focus, save-state colours), the widget that tells the kernel the visitor's time zone, the
    one that names groups of controls for screen readers, and the link to the privacy page."""
    from workbook.apps.aria import GroupNames
    from workbook.apps.clock import BrowserTimeZone

    return widgets.Box(
        [widgets.HTML(APP_STYLE), BrowserTimeZone(), GroupNames(), widgets.HTML(privacy_link())],
        _dom_classes=("wb-page-setup",),
    )


def close_tree(widget: widgets.Widget) -> None:
    """Close a widget that left the page and everything inside it, so the kernel keeps no model of it
    (a page that redraws a list must not grow with every redraw)."""
    for child in getattr(widget, "children", ()):
        close_tree(child)
    for part in ("layout", "style"):  # each widget has its own (made with it, never shared here)
        model = getattr(widget, part, None)
        if isinstance(model, widgets.Widget):
            model.close()
    widget.close()


def named(control: widgets.DOMWidget, name: str) -> widgets.DOMWidget:
    """Give a control its accessible name: the words of the visible label above it, attached to the
    control itself (a `<label for>`), so that a screen reader says what the box is for. The label
    the widget draws is kept for screen readers only; the visible one stays where it is."""
    control.description = name
    control.add_class("wb-named")
    return control


def scrolling_table(table_html: str, name: str) -> str:
    """A table that scrolls sideways inside its own box on a narrow screen (its first column stays in
    view); the box can be reached and scrolled by keyboard and says what it holds."""
    return html(
        '<div class="wb-scroll" role="region" tabindex="0" aria-label="{name}">{table}</div>',
        name=name,
        table=Markup(table_html),
    )


def query_param(name: str) -> str | None:
    """A parameter of the page's URL (Voila passes the query string to the kernel).

    A preheated kernel runs the notebook before anyone asks for it; `wait_for_request` pauses here
    until the visitor's request arrives, so everything above (imports, content) is ready in advance
    and nothing about the visitor is read before they come. Outside a preheated kernel it returns
    at once.
    """
    _wait_for_the_visitor()
    values = parse_qs(os.environ.get("QUERY_STRING", "")).get(name)
    return values[0] if values else None


_visitor_arrived = False


def _wait_for_the_visitor() -> None:
    """Once per kernel: a preheated kernel waits for its visitor's request (a second wait would never
    end, since the request comes once); then the page's idle clocks start."""
    global _visitor_arrived
    if _visitor_arrived:
        return
    if os.environ.get("VOILA_PREHEAT", "False") != "False":
        from voila.utils import wait_for_request  # costs seconds to import: only when preheated

        wait_for_request()
    _visitor_arrived = True
    page.page_opened(_kernel_loop())  # the visitor is here: the page's idle clocks start


class SaveStatus:
    """A status line that tells the person whether their work is saved, and which field, if any,
    needs their attention (a bad value is never saved, but never stops the other fields saving)."""

    def __init__(self) -> None:
        self.widget = widgets.HTML(value="", _dom_classes=css("wb-save-status"))
        self.state = "idle"
        self._attention: dict[str, tuple[str, str]] = {}  # key -> (field, problem)
        self._show("idle", "Answers save automatically as you type.")

    def _show(self, state: str, message: str) -> None:
        self.state = state
        self.widget.value = html(
            '<div class="wb-status wb-status-{state}" role="status" aria-live="polite">{message}</div>',
            state=state,
            message=message,
        )

    def saving(self) -> None:
        self._show("saving", "Saving…")

    def saved(self, moment: datetime) -> None:
        from workbook.apps.clock import local_time

        stamp = local_time(moment)
        if self._attention:
            self._show("error", f"Everything else is saved ({stamp}). {self._attention_text()}")
        else:
            self._show("saved", f"All changes saved ({stamp})")

    def error(self, message: str) -> None:
        self._show("error", f"Not saved: {message}")

    def needs_attention(self, key: str, field: str, problem: str) -> None:
        """A field holds a value that was not saved; say so until it is put right."""
        self._attention[key] = (field, problem)
        others = self._attention_text(skip=key, lead="Also needs your attention")
        message = f"Not saved: {field} needs your attention ({problem}). Your other answers still save."
        self._show("error", f"{message} {others}".strip())

    def put_right(self, key: str) -> None:
        """The field is fine again (its value is saved, or about to be)."""
        if self._attention.pop(key, None) is not None and self.state == "error":
            if self._attention:
                self._show("error", self._attention_text())
            else:
                self._show("idle", "Answers save automatically as you type.")

    def _attention_text(self, skip: str = "", lead: str = "Needs your attention") -> str:
        fields = [field for key, (field, _) in self._attention.items() if key != skip]
        if not fields:
            return ""
        return f"{lead}: {'; '.join(fields)}."

    @property
    def attention(self) -> list[str]:
        """The fields whose typed value is not saved yet."""
        return [field for field, _ in self._attention.values()]

    @property
    def text(self) -> str:
        return html_text.unescape(self.widget.value.split(">", 1)[1].rsplit("<", 1)[0])


class FieldNote:
    """The line beside one input: what is wrong with its value (announced to screen readers), or how
    a value was understood. The input keeps what the person typed; only a good value is saved."""

    def __init__(self, status: SaveStatus, key: str, target: widgets.DOMWidget | None = None) -> None:
        self.status = status
        self.key = key
        self.target = target
        self.widget = widgets.HTML(_dom_classes=css("wb-field-note"))
        self.problem = ""

    def refuse(self, exc: InputError) -> None:
        self.problem = exc.problem
        problem = exc.problem[:1].upper() + exc.problem[1:]
        self.widget.value = html('<p class="wb-field-error" role="alert">{problem}</p>', problem=problem)
        if self.target is not None:
            self.target.add_class("wb-invalid")
        self.status.needs_attention(self.key, exc.field or self.key, exc.problem)

    def accept(self, info: str = "") -> None:
        self.problem = ""
        self.widget.value = html('<p class="wb-field-info">{info}</p>', info=info) if info else ""
        if self.target is not None:
            self.target.remove_class("wb-invalid")
        self.status.put_right(self.key)


class CheckedParts:
    """The parts of a record that is saved as one unit (a goal, a planned conversation, a scenario),
    each checked on its own as it changes. A part with a bad value is shown beside its input and
    keeps its last good value in the record, so every other part still saves."""

    def __init__(self, status: SaveStatus, key: str, good: dict[str, Any]) -> None:
        self.status = status
        self.key = key
        self.good: dict[str, Any] = dict(good)
        self.notes: dict[str, FieldNote] = {}

    def note(self, part: str, target: widgets.DOMWidget | None = None) -> FieldNote:
        """The note shown beside a part's input (made once per part)."""
        if part not in self.notes:
            self.notes[part] = FieldNote(self.status, f"{self.key}:{id(self)}:{part}", target)
        return self.notes[part]

    def check(self, part: str, clean: Callable[[Any], Any], value: Any, info: str = "") -> bool:
        """Keep `clean(value)` as the part's good value, or show why it cannot be kept."""
        try:
            self.good[part] = clean(value)
        except InputError as exc:
            self.note(part).refuse(exc)
            return False
        self.note(part).accept(info)
        return True

    @property
    def has_problems(self) -> bool:
        return any(note.problem for note in self.notes.values())

    def forget_problems(self) -> None:
        """The record is gone from the page: its bad values no longer need attention."""
        for note in self.notes.values():
            if note.problem:
                note.accept()


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

    def discard(self) -> None:
        """Drop every save still waiting, unwritten (before the person's data is deleted)."""
        for handle, _ in self._pending.values():
            if handle is not None:
                handle.cancel()
        self._pending.clear()

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


# -- widget helpers shared by the apps ---------------------------------------------------------------
def wide_button() -> widgets.Layout:
    """A button as wide as its words, so labels are never cut off."""
    return widgets.Layout(width="auto", min_width="120px", align_self="flex-start")


def manager_style() -> widgets.HTML:
    """The look of the manager's apps, on top of the shared app style."""
    return widgets.HTML(MANAGER_STYLE)


def app_href(notebook: str) -> str:
    """A relative link to another app (they are served side by side). It carries no code: the visit's
    signed session opens it (``workbook.server.sessions``)."""
    return notebook


def one_on_one_href(member_pid: str | None = None) -> str:
    """A relative link to the 1:1 page; a manager's link names the team member by their pid (never by
    anything secret of theirs)."""
    from workbook.apps.registry import CONVERSATION_NOTEBOOK

    href = app_href(CONVERSATION_NOTEBOOK)
    if member_pid:
        href += f"?member={quote(member_pid, safe='')}"
    return href


def label(text: str, *classes: str) -> widgets.HTML:
    """A visible label above an input."""
    return widgets.HTML(html('<label class="wb-label">{text}</label>', text=text), _dom_classes=css(*classes))
