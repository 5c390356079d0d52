"""The landing page: one card per audience, each with a clear link to its app."""

from __future__ import annotations

import ipywidgets as widgets
from markupsafe import Markup

from workbook.apps.common import app_style, css
from workbook.apps.markup import html, joined
from workbook.apps.registry import App, available_apps

LANDING_STYLE = """
<style>
.wb-audiences { list-style: none; padding: 0; margin: 16px 0; display: grid; gap: 16px;
  grid-template-columns: repeat(auto-fit, minmax(min(100%, 300px), 1fr)); }
.wb-audience { border: 1px solid #949494; border-radius: 8px; padding: 14px 16px; background: #fff; }
.wb-audience h2 { font-size: 1.15em; margin: 0 0 8px; }
.wb-audience a.wb-app-link { display: inline-block; margin: 6px 0 4px; padding: 8px 14px; border-radius: 6px;
  background: #005a8c; color: #fff; font-weight: 600; text-decoration: none; }
.wb-audience a.wb-app-link:hover { background: #00436a; text-decoration: underline; }
.wb-audience a.wb-app-link:focus-visible { outline: 3px solid #1a3d6d; outline-offset: 2px; }
.wb-audience ul { padding-left: 20px; margin: 6px 0 0; }
.wb-audience li { margin: 4px 0; }
</style>
"""


def _audience_card(audience: str, apps: list[App]) -> Markup:
    """The card of one audience: its starting app as a button-like link, its other apps as links."""
    home = next((a for a in apps if a.home), apps[0])
    others = [a for a in apps if a is not home]
    links = joined(
        html('<li><a class="wb-more-link" href="{href}">{title}</a></li>', href=a.notebook, title=a.title)
        for a in others
    )
    more = html("<p>Or go straight to:</p><ul>{links}</ul>", links=links) if others else ""
    return html(
        '<li class="wb-audience"><h2>For {audience}</h2><p>{summary}</p>'
        '<a class="wb-app-link" href="{href}">{title}</a>{more}</li>',
        audience=audience.lower(),
        summary=home.summary,
        href=home.notebook,
        title=home.title,
        more=more,
    )


def landing_page() -> widgets.Widget:
    by_audience: dict[str, list[App]] = {}
    for app in available_apps():
        by_audience.setdefault(app.audience, []).append(app)
    cards = joined(_audience_card(audience, apps) for audience, apps in by_audience.items())
    return widgets.VBox(
        [
            app_style(),
            widgets.HTML(
                LANDING_STYLE
                + html(
                    "<h1>Career conversations workbook</h1>"
                    "<p>Choose the app for your role. Participants open their own link from their "
                    "invitation, or enter their access code on the page.</p>"
                    '<ul class="wb-audiences">{cards}</ul>',
                    cards=cards,
                ),
                _dom_classes=css("wb-landing"),
            ),
        ],
        _dom_classes=css("wb-app"),
    )
