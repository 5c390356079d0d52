"""The facilitator's HTML, rendered from the Jinja templates next to this module (see
:mod:`workbook.apps.templates`: autoescape on, names, emails and cohort names escaped by the engine, never by
hand). Downloads are the shared :class:`workbook.apps.downloads.Download`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbook.apps import templates
from workbook.apps.downloads import Download, download
from workbook.apps.registry import app

__all__ = ["APP_TITLE", "NOTEBOOK", "Download", "download", "message", "render"]

NOTEBOOK = "facilitator.ipynb"
ROOM_NOTEBOOK = "room.ipynb"
APP_TITLE = app(NOTEBOOK).title

FOLDER = Path(__file__).with_name("templates")


def dash(value: object) -> object:
    """A missing figure shows as a dash (a team member has no lessons, a manager no preparation)."""
    return "–" if value is None else value


def render(template: str, /, **values: Any) -> str:
    """The template ``template`` (in ``templates/``) filled with ``values``."""
    return templates.render(template, FOLDER, dash=dash, **values)


def message(kind: str, text: str, **extra: Any) -> str:
    """A status line: "error" (with `problems`), "done" (with a `link` shown once), "confirm" or "info"."""
    return render(
        "message.html", kind=kind, text=text, problems=extra.get("problems"), link=extra.get("link")
    )
