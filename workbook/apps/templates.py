"""The apps' views come from Jinja templates (:mod:`workbook.templating`: autoescape on, every value from the
data escaped by the engine, never by hand). An app's folder of templates can use the shared macros in
``apps/templates/`` (download links)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from workbook import templating

SHARED = Path(__file__).with_name("templates")


def environment(folder: Path = SHARED) -> jinja2.Environment:
    """The template environment of ``folder`` (falling back to the shared templates)."""
    return templating.environment(*([folder] if folder == SHARED else [folder, SHARED]))


def render(template: str, folder: Path = SHARED, /, **values: Any) -> str:
    """The template ``template`` of ``folder`` filled with ``values``."""
    return environment(folder).get_template(template).render(**values)


def render_macro(template: str, macro: str, *args: Any) -> Markup:
    """One macro of a shared template, e.g. ``render_macro("links.html", "links", items)``."""
    return Markup(getattr(environment().get_template(template).module, macro)(*args))
