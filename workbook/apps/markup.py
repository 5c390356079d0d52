"""The HTML fragments the widget pages share, built with :func:`workbook.text.html`: every value is
escaped by markupsafe (the escaping Jinja's autoescape uses), so a name, an answer or a content string never
becomes markup by being forgotten.

Whole views and documents (the evaluator, the facilitator, reports) use Jinja templates
(:mod:`workbook.apps.templates`); the participant, lesson and manager pages build their small fragments with
``html``, which keeps Jinja out of a page's first render.
"""

from __future__ import annotations

from markupsafe import Markup

from workbook.text import html, joined

__all__ = ["help_text", "html", "joined", "privacy_link", "section_head", "signed_in_as"]


def section_head(title: str, intro: str, level: int = 3) -> Markup:
    """A part of a page's heading and the short text under it."""
    return html("<h{level}>{title}</h{level}><p>{intro}</p>", level=level, title=title, intro=intro)


def signed_in_as(name: str, cohort: str | None = None) -> Markup:
    """The line under a page's title that says whose page it is."""
    where = html(" · cohort {cohort}", cohort=cohort) if cohort else ""
    line = '<p class="wb-whoami">Signed in as <strong>{name}</strong>{where}</p>'
    return html(line, name=name, where=where)


def help_text(text: str) -> Markup:
    """The hint under a field: what a good answer looks like."""
    return html('<p class="wb-help">{text}</p>', text=text)


def status_line(text: str, css_class: str, role: str = "status") -> Markup:
    """One line a page says about what just happened (``role`` "status", "alert" or "note")."""
    return html('<p class="{css}" role="{role}">{text}</p>', css=css_class, role=role, text=text)


def privacy_link() -> Markup:
    """The link to the privacy page (who sees what, for how long, export and delete) every app carries."""
    from workbook.privacy import PRIVACY_HREF

    return html(
        '<p class="wb-privacy-link"><a href="{href}" target="_blank" rel="noopener">'
        "Privacy: who sees what, and your data (opens in a new tab)</a></p>",
        href=PRIVACY_HREF,
    )
