"""The facilitator's HTML, rendered from the Jinja templates next to this module with autoescape on:
names, emails and cohort names are escaped by the engine, never by hand."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from workbook.apps.registry import app

NOTEBOOK = "facilitator.ipynb"
ROOM_NOTEBOOK = "room.ipynb"
APP_TITLE = app(NOTEBOOK).title

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.globals["dash"] = lambda value: "–" if value is None else value


def render(template: str, **values: Any) -> str:
    """The template ``template`` (in ``templates/``) filled with ``values``."""
    return _ENV.get_template(template).render(**values)


@dataclass(frozen=True)
class Download:
    kind: str  # the link's class (wb-download-<kind>), for styles and tests
    mime: str
    filename: str
    payload: str  # base64
    text: str


def download(kind: str, mime: str, filename: str, data: bytes, text: str) -> Download:
    return Download(kind, mime, filename, base64.b64encode(data).decode("ascii"), text)


def message(kind: str, text: str, **extra: Any) -> str:
    """A status line: "error" (with `problems`), "done" (with a `link` shown once), "confirm" or "info"."""
    return render(
        "message.html", kind=kind, text=text, problems=extra.get("problems"), link=extra.get("link")
    )
