"""The facilitator's page: pick one of your cohorts, then set it up, hand out links, open and close its
waves, see it at a glance and read what its people shared with you. Behind the same sign-in as every
app (the facilitator role).

The kernel holds only the facilitator's own cohorts: the picker lists them alone, each tab reads the
chosen cohort only, and every act goes through a domain call that checks the cohort and the person."""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets

from workbook.apps.common import css
from workbook.apps.facilitator.cohort_setup import CohortSetupTab
from workbook.apps.facilitator.glance import GlanceTab
from workbook.apps.facilitator.handouts import HandoutsTab
from workbook.apps.facilitator.results import ResultsTab
from workbook.apps.facilitator.room_links import RoomLinks
from workbook.apps.facilitator.shared_work import SharedWorkTab
from workbook.apps.facilitator.templates import APP_TITLE, NOTEBOOK, render
from workbook.apps.facilitator.waves import WavesTab
from workbook.apps.signin import SignIn
from workbook.facilitator.cohorts import check_facilitates, facilitated
from workbook.identity import Person
from workbook.store import Store

STYLE = (Path(__file__).with_name("templates") / "style.html").read_text(encoding="utf-8")


class FacilitatorHome:
    """Everything of one signed-in facilitator, for one of their cohorts at a time."""

    def __init__(self, store: Store, person: Person, *, refresh_every: float | None = None) -> None:
        self.store = store
        self.person = person
        self.cohorts = facilitated(person)
        self._cohort = self.cohorts[0] if self.cohorts else ""
        header = widgets.HTML(
            render(
                "header.html",
                title=APP_TITLE,
                name=person.name,
                cohorts=self.cohorts,
            )
        )
        if not self.cohorts:
            self.widget = widgets.VBox(
                [widgets.HTML(STYLE), header, widgets.HTML("<p>You facilitate no cohort yet.</p>")],
                _dom_classes=css("wb-facilitator-app"),
            )
            return
        self.picker = widgets.Dropdown(
            description="Cohort", options=self.cohorts, value=self._cohort, _dom_classes=css("wb-cohort-pick")
        )
        self.picker.observe(self._on_cohort, "value")
        self.room = RoomLinks(self)
        self.setup = CohortSetupTab(self)
        self.handouts = HandoutsTab(self)
        self.waves = WavesTab(self)
        self.glance = GlanceTab(self, **({"refresh_every": refresh_every} if refresh_every else {}))
        self.results = ResultsTab(self)  # worked out when first opened
        self.shared = SharedWorkTab(self, **({"refresh_every": refresh_every} if refresh_every else {}))
        pages = [
            ("Set up the cohort", self.setup.widget),
            ("Hand out links", self.handouts.widget),
            ("Waves", self.waves.widget),
            ("At a glance", self.glance.widget),
            ("Shared with you", self.shared.widget),
            ("Results", self.results.widget),
        ]
        self.tabs = widgets.Tab(
            children=[p for _, p in pages], titles=[t for t, _ in pages], _dom_classes=css("wb-tabs")
        )
        self.tabs.observe(self._on_tab, "selected_index")
        self.widget = widgets.VBox(
            [widgets.HTML(STYLE), header, self.picker, self.room.widget, self.tabs],
            _dom_classes=css("wb-facilitator-app"),
        )

    @property
    def cohort(self) -> str:
        return self._cohort

    def _on_cohort(self, change: dict) -> None:
        self._cohort = check_facilitates(self.person, change["new"])
        for tab in (self.room, self.handouts, self.waves, self.glance, self.shared, self.results):
            tab.clear()
        self.setup.import_message.value = self.setup.person_message.value = self.setup.dates_message.value = (
            ""
        )
        self.refresh()

    def refresh(self) -> None:
        self.setup.refresh()
        self.handouts.refresh()
        self.waves.refresh()
        self.glance.refresh()
        self.shared.refresh()
        if self.tabs.children[self.tabs.selected_index or 0] is self.results.widget:
            self.results.refresh()  # the figures are worked out only when their tab is open

    def _on_tab(self, change: dict) -> None:
        tabs = [self.setup, self.handouts, self.waves, self.glance, self.shared, self.results]
        left = tabs[change["old"]] if isinstance(change["old"], int) else None
        if left is self.handouts or left is self.glance:
            left.clear()  # links made there were downloadable until the tab was left
        elif left is self.setup:
            self.setup.forget_link()
        tab = tabs[change["new"]]
        if tab is self.setup:
            self.setup.refresh(keep=self.setup.pick.value)
        else:
            tab.refresh()


def facilitator_app(store: Store | None = None) -> widgets.Widget:
    """The facilitator's page, behind sign-in with an access code."""
    store = store or Store()
    return SignIn(
        store,
        lambda page: FacilitatorHome(page.store, page.person).widget,
        title=APP_TITLE,
        notebook=NOTEBOOK,
    ).start()
