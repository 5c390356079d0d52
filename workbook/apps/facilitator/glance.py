"""The cohort at a glance, live: per person, signed in or not and how far they have got (completion
only, never answers), refreshed every few seconds while the page is open; a filter "not yet done X" and
that list as a download for reminders, with new links on request."""

from __future__ import annotations

import datetime as dt

import ipywidgets as widgets

from workbook.apps.clock import local_time
from workbook.apps.common import css
from workbook.apps.downloads import DownloadOnce
from workbook.apps.facilitator.handouts import GONE, ONCE, slug
from workbook.apps.facilitator.shared import Confirm, Home
from workbook.apps.facilitator.templates import download, message, render
from workbook.apps.live import Ticker
from workbook.facilitator.glance import FILTERS, Board, BoardReader, reminder_csv, still_to_do
from workbook.facilitator.handouts import hand_out
from workbook.facilitator.people import as_facilitator
from workbook.store import StoreError
from workbook.text import counted

REFRESH_S = 10.0
EVERYONE = ""


class GlanceTab:
    def __init__(self, home: Home, *, refresh_every: float = REFRESH_S) -> None:
        self.home = home
        self.every = refresh_every
        self.filter = widgets.Dropdown(
            description="Show",
            options=[("Everyone", EVERYONE)] + [(label, key) for key, (label, _) in FILTERS.items()],
            _dom_classes=css("wb-board-filter"),
            style={"description_width": "initial"},
        )
        self.filter.observe(lambda _c: self._on_filter(), "value")
        self.table = widgets.HTML(_dom_classes=css("wb-board-table"))
        self.list_button = widgets.Button(
            description="Download this list", _dom_classes=css("wb-board-download")
        )
        self.relink_button = widgets.Button(
            description="Download with new links", _dom_classes=css("wb-board-relink")
        )
        self.list_button.on_click(lambda _b: self._download(links=False))
        self.relink_button.on_click(lambda _b: self._ask_relink())
        self.confirm = Confirm("relink")
        self.result = widgets.HTML(_dom_classes=css("wb-board-result"))
        self.files = DownloadOnce()
        self.widget = widgets.VBox(
            [
                widgets.HTML("<h3>The cohort at a glance</h3>"),
                self.filter,
                self.table,
                widgets.HBox([self.list_button, self.relink_button]),
                self.confirm.widget,
                self.result,
                self.files,
            ],
            _dom_classes=css("wb-tab-glance"),
        )
        self.reader: BoardReader | None = None
        self.refresh()
        self.ticker = Ticker(self.every, self.refresh, self.widget)  # live while the page is open

    def stop(self) -> None:
        self.ticker.stop()

    def refresh(self) -> None:
        if self.reader is None or self.reader.cohort != self.home.cohort:
            self.reader = BoardReader(self.home.store, self.home.cohort)  # then only what is new
        self.board: Board = self.reader.read()
        self.updated = dt.datetime.now(dt.UTC)
        self.show()

    def clear(self) -> None:
        self.result.value = ""
        self.files.clear()
        self.confirm.cancel()

    def _on_filter(self) -> None:
        """A list made for another filter, or a question about it, no longer fits what is shown."""
        self.clear()
        self.show()

    def rows(self) -> list:
        return still_to_do(self.board, self.filter.value or None)

    def show(self) -> None:
        key = self.filter.value or None
        rows = self.rows()
        self.table.value = render(
            "board.html",
            board=self.board,
            rows=rows,
            shown=len(rows),
            total=len(self.board.rows),
            label=FILTERS[key][0] if key else "",
            updated=local_time(self.updated),
            every=int(self.every),
        )
        self.list_button.disabled = self.relink_button.disabled = not rows

    # -- the list for reminders -----------------------------------------------------------------------------
    def _download(self, *, links: bool) -> None:
        rows = [r for r in self.rows() if r.pid != self.home.person.pid or not links]
        found: dict[str, str] | None = None
        said = f"The list of {counted(len(rows), 'person', 'people')} is ready."
        if links:
            try:
                batch = hand_out(
                    self.home.store,
                    self.home.cohort,
                    by=as_facilitator(self.home.person.id),
                    reissue=True,
                    pids=[r.pid for r in rows],
                )
            except StoreError as exc:
                self.result.value = message("error", f"No list made: {exc}")
                return
            found = {h.pid: h.link for h in batch.handouts}
            said = batch.describe()
        key = self.filter.value or "everyone"
        day = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M")
        item = download(
            "reminder-csv",
            "text/csv",
            f"reminders-{key}-{slug(self.home.cohort)}-{day}.csv",
            reminder_csv(rows, found).encode("utf-8"),
            "Reminder list (CSV)",
        )
        self.files.clear()
        if links:  # the list holds live links: downloadable once, and gone when the tab is left
            self.result.value = render("downloads.html", text=said + ONCE, items=[])
            self.files.offer([item], GONE)
            self.refresh()
        else:
            self.result.value = render("downloads.html", text=said, items=[item])

    def _ask_relink(self) -> None:
        rows = [r for r in self.rows() if r.pid != self.home.person.pid]
        fresh = sum(not r.signed_in for r in rows)
        kept = (
            f" The {len(rows) - fresh} who have signed in keep their links: a new one goes to them alone, "
            "from the programme's operator."
            if fresh < len(rows)
            else ""
        )
        self.confirm.ask(
            f"Make new links for the {fresh} people on this list who have not signed in yet? Their current "
            f"links stop working and any page they have open is signed out (what they saved is kept).{kept}",
            "Yes, make new links",
            lambda: self._download(links=True),
        )
