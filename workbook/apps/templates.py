"""The apps' HTML comes from Jinja templates with autoescape on: every value from the data (a name, a goal,
a cohort) is escaped by the engine, never by hand. One environment per folder of templates, each able to use
the shared macros in ``apps/templates/`` (download links)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

SHARED = Path(__file__).with_name("templates")


@cache
def environment(folder: Path = SHARED) -> jinja2.Environment:
    """The template environment of ``folder`` (falling back to the shared templates)."""
    folders = [folder] if folder == SHARED else [folder, SHARED]
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def render(template: str, folder: Path = SHARED, /, **values: Any) -> str:
    """The template ``template`` of ``folder`` filled with ``values``."""
    return environment(folder).get_template(template).render(**values)


def render_macro(template: str, macro: str, *args: Any) -> Markup:
    """One macro of a shared template, e.g. ``render_macro("links.html", "links", items)``."""
    return Markup(getattr(environment().get_template(template).module, macro)(*args))
