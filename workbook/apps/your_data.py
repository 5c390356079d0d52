"""The "Your data" part of the participant's and the manager's page: download everything you wrote (PDF
and JSON, through the one download link) and delete it, with a confirmation that says what goes and what
stays.

Built when first opened. The person is the page's signed-in person, fixed when the page signed in: no
value from the page names whose data is exported or deleted, so a crafted widget message cannot reach
anyone else's. Deleting takes two actions (tick that you understand, then delete), and the page then
shows an empty workbook (``on_deleted``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import ipywidgets as widgets

from workbook.apps.common import css, wide_button
from workbook.apps.markup import html, joined, section_head, status_line
from workbook.identity import Person
from workbook.store import Store

if TYPE_CHECKING:
    from workbook.apps.downloads import Prepared
    from workbook.data_rights import PersonalData

INTRO = (
    "Everything you wrote here is yours. Download it to keep or take elsewhere, or delete it. "
    "Until you delete it, every saved version is kept."
)
WHAT_STAYS = (
    "What stays: your name, your access code and your roles (so you can start again), and a record that a "
    "deletion happened (when, and how many entries) without any of its content. Figures an evaluator "
    "already exported are files outside the workbook and do not change."
)


def exported_content(data: PersonalData) -> object:
    """What an export holds that can go from the store (not when it was made)."""
    return (data.tables, data.shared)


NOTHING_TO_DELETE = "There is nothing of yours to delete: you have not saved anything yet."


class YourData:
    """Download and delete, for the signed-in person only."""

    def __init__(
        self,
        store: Store,
        person: Person,
        *,
        before_delete: Callable[[], None] = lambda: None,
        on_deleted: Callable[[int], None] = lambda _rows: None,
    ) -> None:
        self.store = store
        self.person = person
        self.before_delete = before_delete
        self.on_deleted = on_deleted
        self.downloads = widgets.HTML(_dom_classes=css("wb-data-downloads"))
        self.files = self._prepared()
        prepare = widgets.Button(
            description="Prepare my download",
            icon="download",
            button_style="primary",
            layout=wide_button(),
            _dom_classes=css("wb-data-export"),
        )
        prepare.on_click(lambda _b: self.export())
        self.ask = widgets.Button(
            description="Delete my answers…",
            icon="trash",
            layout=wide_button(),
            _dom_classes=css("wb-data-delete-ask"),
        )
        self.ask.on_click(lambda _b: self.ask_to_confirm())
        self.confirm_panel = widgets.VBox(_dom_classes=css("wb-data-confirm"))
        self.message = widgets.HTML(_dom_classes=css("wb-data-message"))
        self.widget = widgets.VBox(
            [
                widgets.HTML(section_head("Your data", INTRO)),
                widgets.HTML(
                    html(
                        "<h4>Download everything you wrote</h4><p>A PDF to read and a JSON file for other "
                        "programs: every saved version with its time, feedback written to you, and who "
                        "you share each part with.</p>"
                    )
                ),
                prepare,
                self.downloads,
                widgets.HTML(html("<h4>Delete your answers</h4>")),
                self.ask,
                self.confirm_panel,
                self.message,
            ],
            _dom_classes=css("wb-section", "wb-your-data"),
        )

    # -- export ---------------------------------------------------------------------------------------
    def export(self) -> None:
        """Make the PDF and the JSON of everything the person wrote, as download links."""
        from workbook import data_export
        from workbook.apps.downloads import download, links_html
        from workbook.data_rights import collect

        data = collect(self.store, self.person)
        files = [
            download(
                "data-pdf",
                data_export.PDF_MIME,
                data_export.filename(data, "pdf"),
                data_export.render_pdf(data),
                "Download as PDF",
            ),
            download(
                "data-json",
                data_export.JSON_MIME,
                data_export.filename(data, "json"),
                data_export.render_json(data),
                "Download as JSON",
            ),
        ]
        self.files.offer(
            html(
                '<p class="wb-download-links">{links}</p><p class="wb-muted">{count} saved entries.</p>',
                links=links_html(files),
                count=data.row_count,
            ),
            exported_content(data),
        )

    def _prepared(self) -> Prepared:
        """The export follows the store: once something it holds is deleted (here, at once; in another
        open tab, at its next check), its links go."""
        from workbook.apps.downloads import FOLLOW_S, Prepared
        from workbook.data_rights import collect

        return Prepared(
            self.downloads, lambda: exported_content(collect(self.store, self.person)), every=FOLLOW_S
        )

    # -- deletion -------------------------------------------------------------------------------------
    def ask_to_confirm(self) -> None:
        """The first step: say plainly what goes and what stays; deleting needs a second action."""
        from workbook.data_rights import count_person_data
        from workbook.personal_data import co_written_rules, kind_of

        counts = {name: n for name, n in count_person_data(self.store, self.person.id).items() if n}
        self.message.value = ""
        if not counts:
            self.confirm_panel.children = []
            self.message.value = status_line(NOTHING_TO_DELETE, "wb-data-nothing", "status")
            return
        goes = joined(html("<li>{kind}: {n}</li>", kind=kind_of(name), n=n) for name, n in counts.items())
        together = joined(html("<li>{rule}</li>", rule=rule) for rule in co_written_rules())
        self.understood = widgets.Checkbox(
            value=False,
            description="I understand that this cannot be undone",
            indent=False,
            _dom_classes=css("wb-data-understood"),
        )
        self.delete_button = widgets.Button(
            description="Delete everything I wrote",
            icon="trash",
            button_style="danger",
            disabled=True,
            layout=wide_button(),
            _dom_classes=css("wb-data-delete"),
        )
        cancel = widgets.Button(
            description="Keep my answers", layout=wide_button(), _dom_classes=css("wb-data-cancel")
        )
        self.understood.observe(self._ticked, "value")
        self.delete_button.on_click(lambda _b: self.delete())
        cancel.on_click(lambda _b: self.cancel())
        self.confirm_panel.children = [
            widgets.HTML(
                html(
                    '<div class="wb-data-warning" role="alert"><p><strong>What goes:</strong> every saved '
                    "version of everything you wrote or scored, at once:</p><ul>{goes}</ul>"
                    '<p><strong>What you wrote with someone else:</strong></p><ul class="wb-co-written">'
                    "{together}</ul><p>{stays}</p></div>",
                    goes=goes,
                    together=together,
                    stays=WHAT_STAYS,
                )
            ),
            self.understood,
            widgets.HBox([self.delete_button, cancel]),
        ]

    def _ticked(self, change: dict) -> None:
        self.delete_button.disabled = change["new"] is not True

    def cancel(self) -> None:
        self.confirm_panel.children = []
        self.message.value = status_line("Nothing was deleted.", "wb-data-kept", "status")

    def delete(self) -> None:
        """The second step: delete, if the box is ticked (a click sent without it does nothing)."""
        from workbook.data_rights import BY_THEMSELVES, delete_person_data
        from workbook.validation import InputError

        understood = getattr(self, "understood", None)
        if understood is None or understood.value is not True or not self.confirm_panel.children:
            self.message.value = status_line(
                "Tick that you understand before deleting; nothing was deleted.", "wb-error", "alert"
            )
            return
        self.before_delete()
        try:
            removed = delete_person_data(self.store, self.person, by=BY_THEMSELVES)
        except InputError as exc:  # the page's code was withdrawn meanwhile
            self.message.value = status_line(f"Nothing was deleted: {exc}", "wb-error", "alert")
            return
        self.confirm_panel.children = []
        self.files.drop()
        self.message.value = status_line(
            f"Deleted: {removed.rows} saved entries. Your workbook is empty now.", "wb-data-deleted", "status"
        )
        self.on_deleted(removed.rows)
