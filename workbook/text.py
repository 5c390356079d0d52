"""Text written by people, made safe where it goes: a file name or an id (``slugify``), Markdown
(``md_inline``, ``md_line``) and HTML (``html``, ``joined``), so that what someone typed shows literally and
changes no structure."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from markupsafe import Markup

# Latin letters that Unicode does not decompose into a base letter and a mark, so NFKD alone would drop
# them from a file name ("Łucja" -> "ucja"): written as the letters people write for them.
_LATIN = str.maketrans(
    {
        "Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d", "Ð": "D", "ð": "d", "Ħ": "H",
        "ħ": "h", "ı": "i", "Ŧ": "T", "ŧ": "t", "Ŀ": "L", "ŀ": "l", "ß": "ss", "ẞ": "SS", "Æ": "AE",
        "æ": "ae", "Œ": "OE", "œ": "oe", "Þ": "Th", "þ": "th", "Ŋ": "N", "ŋ": "n", "ĸ": "k",
    }
)  # fmt: skip
_MD_INLINE = re.compile(r"([\\`*_{}\[\]|~#!])")
_MD_LINE_START = re.compile(r"^([-+=]|\d+[.)])")


def slugify(text: str, max_length: int = 40, default: str = "") -> str:
    """Lower-case ASCII letters and digits joined by hyphens ("Ana-María B." -> "ana-maria-b", "Łucja
    Øberg" -> "lucja-oberg": every Latin letter kept, transliterated), at most ``max_length`` characters;
    ``default`` when nothing is left (a name in another script)."""
    ascii_text = (
        unicodedata.normalize("NFKD", text.translate(_LATIN)).encode("ascii", "ignore").decode("ascii")
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].strip("-") or default


def md_inline(text: str) -> str:
    """Text that shows literally in Markdown: no emphasis, links, code, pipes, images or raw HTML."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_INLINE.sub(r"\\\1", text)


def md_line(line: str) -> str:
    """One line of a paragraph: escaped, and its leading marker (-, +, =, 1.) unable to start a list or a
    heading. Leading spaces are dropped because four of them would start a code block."""
    line = md_inline(line.lstrip())
    return _MD_LINE_START.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], line)


def html(template: str, /, **values: object) -> Markup:
    """``template`` (fixed HTML written in the code) with ``values`` put in its ``{name}`` fields, each
    escaped by markupsafe (the escaping Jinja's autoescape uses); a value that is itself a fragment made
    here goes in as it is. Nothing can be put in unescaped by forgetting to escape it."""
    return Markup(template).format(**values)


def joined(fragments: Iterable[Markup], separator: str = "") -> Markup:
    """Fragments made by :func:`html`, one after another."""
    return Markup(separator).join(fragments)


def counted(count: int, one: str, many: str | None = None) -> str:
    """``count`` with its noun in the right number: "1 problem", "2 problems", "1 person", "3 people"."""
    return f"{count} {one if count == 1 else (many or one + 's')}"
