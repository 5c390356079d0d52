"""The one download link every app uses: the file travels whole in the link, every value is escaped."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

from workbook.apps.downloads import download, links_html


class Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[tuple[dict[str, str | None], str]] = []
        self.inside = False

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.anchors.append((dict(attrs), ""))
            self.inside = True
        elif tag == "script":
            raise AssertionError("a script element reached the page")

    def handle_endtag(self, tag):
        self.inside = self.inside and tag != "a"

    def handle_data(self, data):
        if self.inside:
            attrs, text = self.anchors[-1]
            self.anchors[-1] = (attrs, text + data)


def parse(html: str) -> list[tuple[dict[str, str | None], str]]:
    parser = Anchors()
    parser.feed(html)
    return parser.anchors


def test_a_link_carries_the_file_byte_for_byte():
    pdf = bytes(range(256)) * 3
    html = links_html([download("pdf", "application/pdf", "plan.pdf", pdf, "Download PDF")])
    ((attrs, text),) = parse(html)
    assert attrs["class"] == "wb-download wb-download-pdf" and attrs["download"] == "plan.pdf"
    assert text == "Download PDF"
    head, payload = attrs["href"].split(",", 1)
    assert head == "data:application/pdf;base64"
    assert base64.b64decode(payload) == pdf


def test_text_is_written_as_utf8_and_says_so():
    html = links_html([download("md", "text/markdown", "plan.md", "Zoë’s plan — ✓", "Markdown")])
    ((attrs, _),) = parse(html)
    head, payload = attrs["href"].split(",", 1)
    assert head == "data:text/markdown;charset=utf-8;base64"
    assert base64.b64decode(payload).decode("utf-8") == "Zoë’s plan — ✓"


def test_hostile_names_and_captions_stay_text():
    evil = '"><script>alert(1)</script><a href="x'
    html = links_html(
        [
            download("md", "text/markdown", f"{evil}.md", "x", evil),
            download("ics", "text/calendar", "a.ics", "y", "ICS"),
        ]
    )
    anchors = parse(html)
    assert [attrs["download"] for attrs, _ in anchors] == [f"{evil}.md", "a.ics"]
    assert anchors[0][1] == evil
    assert "<script>" not in html and re.search(r"</a> · <a ", html)
