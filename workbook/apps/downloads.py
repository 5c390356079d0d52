"""Files a page offers for download (a plan, an invitation, a report, a chart) as links that carry the file
in a data URI: the file is made in the kernel from what the page may show, and nothing is stored on the
server for it. One definition of such a link for every app."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

if TYPE_CHECKING:
    from workbook.preparation import DevelopmentPlan


@dataclass(frozen=True)
class Download:
    """One file to download: ``kind`` names its link's class (``wb-download-<kind>``) for styles and tests."""

    kind: str
    mime: str
    filename: str
    data: bytes
    text: str

    @property
    def href(self) -> str:
        """The file as a data URI; text files say they are UTF-8."""
        charset = ";charset=utf-8" if self.mime.startswith("text/") else ""
        return f"data:{self.mime}{charset};base64,{base64.b64encode(self.data).decode('ascii')}"


def download(kind: str, mime: str, filename: str, data: bytes | str, text: str) -> Download:
    """A download of ``data`` (text is written as UTF-8)."""
    return Download(kind, mime, filename, data.encode("utf-8") if isinstance(data, str) else data, text)


def links_html(items: Iterable[Download]) -> Markup:
    """The links of ``items``, separated by a dot, every value escaped: built with `workbook.text.html`
    for the widget pages (no Jinja loaded); the same links as the Jinja views' macro in links.html."""
    from workbook.text import html, joined

    link = '<a class="wb-download wb-download-{kind}" download="{filename}" href="{href}">{text}</a>'
    return joined(
        (html(link, kind=i.kind, filename=i.filename, href=i.href, text=i.text) for i in items), " · "
    )


def plan_downloads(plan: DevelopmentPlan) -> list[Download]:
    """A development plan in every format it is offered in (Word, PDF, Markdown)."""
    from workbook import idp

    return [
        download(
            fmt,
            idp.MEDIA_TYPES[fmt],
            idp.filename(plan, fmt),
            idp.render(plan, fmt),
            f"Download {idp.FORMAT_NAMES[fmt]}",
        )
        for fmt in idp.FORMATS
    ]
