"""The evaluator's HTML, rendered from the Jinja templates next to this module with autoescape on:
every value from the data is escaped by the engine, never by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from workbook.apps.registry import app

APP_TITLE = app("evaluator.ipynb").title  # the page's title, as the landing page lists it

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
)


def render(name: str, **values: Any) -> str:
    """The template ``name`` (in ``templates/``) filled with ``values``."""
    return _ENV.get_template(name).render(**values)
