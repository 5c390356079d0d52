"""Files a page offers for download (a plan, an invitation, a report, a chart) as links that carry the file
in a data URI: the file is made in the kernel from what the page may show, and nothing is stored on the
server for it. One definition of such a link for every app."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import anywidget
import traitlets
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


class DownloadOnce(anywidget.AnyWidget):
    """Files that hold a secret (personal links): each link works once. A click saves the file in the
    browser and tells the kernel, which takes that file out of the widget, so that nothing in the page
    holds it afterwards; `clear()` takes them all out (the page calls it when the tab is left). What the
    page sends names only which file went: an unknown name changes nothing."""

    _esm = """
    function render({ model, el }) {
      const draw = () => {
        el.replaceChildren();
        const items = model.get("items") || [];
        if (!items.length) {
          const gone = model.get("gone");
          if (gone) {
            const p = document.createElement("p");
            p.className = "wb-muted wb-download-gone";
            p.textContent = gone;
            el.append(p);
          }
          return;
        }
        const p = document.createElement("p");
        items.forEach((item, index) => {
          if (index) p.append(" · ");
          const a = document.createElement("a");
          a.className = `wb-download wb-download-${item.kind}`;
          a.download = item.filename;
          a.href = item.href;
          a.textContent = item.text;
          a.addEventListener("click", () => {
            setTimeout(() => model.send({ event: "downloaded", kind: item.kind }), 0);
          });
          p.append(a);
        });
        el.append(p);
      };
      model.on("change:items", draw);
      model.on("change:gone", draw);
      draw();
    }
    export default { render };
    """
    items = traitlets.List(traitlets.Dict()).tag(sync=True)
    gone = traitlets.Unicode("").tag(sync=True)  # said once every file has gone
    _gone_text = traitlets.Unicode("")  # what `gone` becomes then (kept in the kernel until needed)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.add_class("wb-download-once")
        self.on_msg(self._on_message)

    def offer(self, files: Iterable[Download], gone: str) -> None:
        """Offer `files`, each downloadable once; `gone` is what the page says when none is left."""
        self.gone = ""
        self.items = [{"kind": f.kind, "filename": f.filename, "href": f.href, "text": f.text} for f in files]
        self._gone_text = gone

    def clear(self) -> None:
        self.items = []
        self.gone = ""

    @property
    def kinds(self) -> list[str]:
        return [item["kind"] for item in self.items]

    def _on_message(self, _widget: object, content: object, _buffers: object) -> None:
        if not isinstance(content, dict) or content.get("event") != "downloaded":
            return
        left = [item for item in self.items if item["kind"] != content.get("kind")]
        if len(left) == len(self.items):
            return
        self.items = left
        if not left:
            self.gone = self._gone_text
