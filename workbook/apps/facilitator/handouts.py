"""Hand out links: a mail-merge CSV and a PDF of cards (name, link, QR code) for the people of the cohort
without a live link, or, on request and after a confirmation, new links for everyone else too."""

from __future__ import annotations

import datetime as dt

import ipywidgets as widgets

from workbook.apps.common import css
from workbook.apps.downloads import DownloadOnce
from workbook.apps.facilitator.shared import Confirm, Home
from workbook.apps.facilitator.templates import download, message, render
from workbook.facilitator import people
from workbook.facilitator.handouts import HandoutBatch, cards_pdf, hand_out, links_csv
from workbook.facilitator.lesson_handouts import HTML_NAME, PDF_NAME, handouts_html, handouts_pdf
from workbook.spreadsheet import spreadsheet_safe
from workbook.store import StoreError
from workbook.text import counted


def slug(text: str) -> str:
    return (
        "".join(c if c.isalnum() else "-" for c in str(spreadsheet_safe(text)).lower()).strip("-")[:40]
        or "cohort"
    )


ONCE = (
    " Each file can be downloaded once, and goes from this page when you leave the tab: the links are in "
    "these files only (the store keeps no copy), so keep them safe and hand each one to its person."
)
GONE = (
    "The files were downloaded and are no longer in this page. If one is lost, make new links: the old "
    "ones then stop working."
)


def offer_batch(batch: HandoutBatch, stem: str, said: widgets.HTML, files: DownloadOnce) -> None:
    """What happened, in words, in `said`, and the batch's two files (CSV and PDF) in `files`, each
    downloadable once."""
    day = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M")
    name = f"{stem}-{slug(batch.cohort)}-{day}"
    files.clear()
    said.value = render("downloads.html", text=batch.describe() + (ONCE if batch.handouts else ""), items=[])
    if batch.handouts:
        files.offer(
            [
                download(
                    "links-csv",
                    "text/csv",
                    f"{name}.csv",
                    links_csv(batch.handouts).encode("utf-8"),
                    "Mail-merge list (CSV)",
                ),
                download(
                    "cards-pdf", "application/pdf", f"{name}.pdf", cards_pdf(batch), "Cards to print (PDF)"
                ),
            ],
            GONE,
        )


class HandoutsTab:
    def __init__(self, home: Home) -> None:
        self.home = home
        self.summary = widgets.HTML(_dom_classes=css("wb-links-summary"))
        self.make = widgets.Button(button_style="primary", _dom_classes=css("wb-links-make"))
        self.reissue = widgets.Button(
            description="Reissue links for everyone", _dom_classes=css("wb-links-reissue")
        )
        self.make.on_click(lambda _b: self._hand_out(reissue=False))
        self.reissue.on_click(lambda _b: self._ask_reissue())
        self.confirm = Confirm("reissue")
        self.result = widgets.HTML(_dom_classes=css("wb-links-result"))
        self.files = DownloadOnce()
        self.lessons_button = widgets.Button(
            description="Prepare the lesson handouts", _dom_classes=css("wb-lessons-make")
        )
        self.lessons_button.on_click(lambda _b: self.lesson_handouts())
        self.lessons_result = widgets.HTML(_dom_classes=css("wb-lessons-result"))
        self.widget = widgets.VBox(
            [
                self.summary,
                widgets.HBox([self.make, self.reissue]),
                self.confirm.widget,
                self.result,
                self.files,
                widgets.HTML(
                    "<h3>Lesson handouts</h3><p class='wb-muted'>Every lesson with its knowledge checks, "
                    "reflections and scenarios, with room to write and the answers at the end of each "
                    "lesson: for people who work on paper in the room.</p>"
                ),
                self.lessons_button,
                self.lessons_result,
            ],
            _dom_classes=css("wb-tab-links"),
        )
        self.refresh()

    def refresh(self) -> None:
        self.members = people.members(self.home.store, self.home.cohort)
        without = sum(not m.live_code for m in self.members)
        self.summary.value = render(
            "handouts.html", cohort=self.home.cohort, without=without, total=len(self.members)
        )
        self.make.description = (
            f"Make links for {counted(without, 'person', 'people')}" if without else "Everyone has a link"
        )
        self.make.disabled = without == 0
        self.reissue.disabled = not any(m.live_code and not m.signed_in for m in self._others())

    def clear(self) -> None:
        self.result.value = ""
        self.files.clear()
        self.confirm.cancel()

    def lesson_handouts(self) -> None:
        """The lessons as a PDF to print and an HTML page, as download links (the same for every cohort)."""
        items = [
            download("lessons-pdf", "application/pdf", PDF_NAME, handouts_pdf(), "Lesson handouts (PDF)"),
            download(
                "lessons-html",
                "text/html",
                HTML_NAME,
                handouts_html().encode("utf-8"),
                "Lesson handouts (HTML)",
            ),
        ]
        self.lessons_result.value = render(
            "downloads.html", text="The lesson handouts are ready.", items=items, links_note=False
        )

    def _others(self) -> list[people.Member]:
        """Everyone but the viewer: reissuing their own link would sign this page out."""
        return [m for m in self.members if m.id != self.home.person.id]

    def _ask_reissue(self) -> None:
        others = [m for m in self._others() if not m.signed_in]
        live = sum(m.live_code for m in others)
        signed_in = len(self._others()) - len(others)
        kept = (
            f" The {signed_in} people who have signed in keep their links: a new one goes to them alone, "
            "from the programme's operator."
            if signed_in
            else ""
        )
        self.confirm.ask(
            f"Make new links for the {counted(len(others), 'person', 'people')} of {self.home.cohort} who "
            f"have not signed in yet? The {counted(live, 'link')} of theirs that work now stop working, and "
            "every page those people have open is signed out (what they saved is kept). Your own link is "
            f"not changed.{kept}",
            "Yes, reissue every link",
            lambda: self._hand_out(reissue=True),
        )

    def _hand_out(self, *, reissue: bool) -> None:
        try:
            batch = hand_out(
                self.home.store,
                self.home.cohort,
                by=people.as_facilitator(self.home.person.id),
                reissue=reissue,
                pids=[m.pid for m in self._others()],
            )
        except StoreError as exc:
            self.result.value = message("error", f"No links made: {exc}")
            return
        offer_batch(batch, "links", self.result, self.files)
        self.refresh()
