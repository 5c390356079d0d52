"""The evaluator's HTML, rendered from the Jinja templates next to this module (see
:mod:`workbook.apps.templates`: autoescape on, every value escaped by the engine, never by hand)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbook.apps import templates
from workbook.apps.registry import app

APP_TITLE = app("evaluator.ipynb").title  # the page's title, as the landing page lists it

FOLDER = Path(__file__).with_name("templates")


def render(template: str, /, **values: Any) -> str:
    """The template ``template`` (in ``templates/``) filled with ``values``."""
    return templates.render(template, FOLDER, **values)
