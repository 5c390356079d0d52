"""The one Jinja set-up of the project: autoescape on (every value from the data, a name, an answer, a
cohort, is escaped by the engine, never by hand), undefined names an error, tidy whitespace. Views of the
apps (:mod:`workbook.apps.templates`) and documents (lesson handouts, the evaluation report) render through
it."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2


@cache
def environment(*folders: Path) -> jinja2.Environment:
    """The template environment reading ``folders`` in order (none: templates given as strings)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(folders)) if folders else None,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def render(template: str, *folders: Path, **values: Any) -> str:
    """The template ``template``, found in ``folders``, filled with ``values``."""
    return environment(*folders).get_template(template).render(**values)


def render_string(source: str, **values: Any) -> str:
    """A template written in the code, filled with ``values``."""
    return environment().from_string(source).render(**values)
