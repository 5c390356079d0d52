"""The landing page: one link per app, grouped by who it is for."""

from __future__ import annotations

import ipywidgets as widgets

from workbook.apps.common import css, esc
from workbook.apps.registry import available_apps


def landing_page() -> widgets.Widget:
    cards = [
        f'<li class="wb-app-link"><a href="{esc(app.notebook)}">{esc(app.title)}</a>'
        f' <span class="wb-muted">for {esc(app.audience.lower())}</span><br>{esc(app.summary)}</li>'
        for app in available_apps()
    ]
    return widgets.HTML(
        "<h1>Career conversations workbook</h1>"
        "<p>Choose the app for your role. Participants open their own link from their invitation, "
        "or enter their access code on the page.</p>"
        f'<ul class="wb-app-list">{"".join(cards)}</ul>',
        _dom_classes=css("wb-landing"),
    )
