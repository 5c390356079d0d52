"""The one way the project makes a PDF page of text: A4, DejaVu fonts (bundled with matplotlib, so nothing is
downloaded) with fallbacks for the characters DejaVu lacks, a footer with a title and page numbers, text
that wraps, and headings kept with what follows them. The plan, the lesson handouts, the link cards and
the evaluation report use it."""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF, XPos, YPos
from fpdf.enums import MethodReturnValue

FONT = "DejaVu"
_FALLBACK_FONT = "LastResort"
MARGIN = 20  # mm; A4 with room for hole punches and notes
BODY_PT = 10.5
LINE_MM = 5.2

# Real fonts for scripts DejaVu lacks, used when the system happens to have one (CJK mostly).
_SYSTEM_FALLBACKS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)


@lru_cache(maxsize=1)
def font_dir() -> Path:
    """Matplotlib's bundled fonts: DejaVu covers Latin, Greek, Cyrillic and most symbols.

    Matplotlib is a dependency anyway; find_spec locates it without the cost of importing it.
    """
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("PDF export needs matplotlib for its bundled DejaVu fonts")
    return Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"


def add_fonts(pdf: FPDF, content: str = "") -> None:
    """DejaVu (regular, bold, italic) and, for the characters of ``content`` DejaVu lacks, fallback fonts.

    Fallbacks are loaded only for those characters: Last Resort maps all of Unicode and takes seconds to
    load in full, and CJK system fonts are just as large.
    """
    fonts = font_dir()
    pdf.add_font(FONT, "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.add_font(FONT, "I", str(fonts / "DejaVuSans-Oblique.ttf"))
    missing = {ord(c) for c in content if not c.isspace()}
    for style in ("", "B", "I"):
        missing -= set(pdf.fonts[f"{FONT.lower()}{style}"].cmap)
    fallbacks: list[str] = []
    candidates = [(f"System{n}", Path(p)) for n, p in enumerate(_SYSTEM_FALLBACKS) if Path(p).is_file()]
    # Last Resort draws a labelled box for any code point (emoji, rare scripts) and keeps the
    # real character in the text layer, so copy and paste still give what the person typed.
    candidates.append((_FALLBACK_FONT, fonts / "LastResortHE-Regular.ttf"))
    for family, path in candidates:
        if not missing:
            break
        try:
            pdf.add_font(family, "", str(path), unicode_range=sorted(missing))
        except Exception:  # an unreadable optional font must not stop the export
            continue
        fallbacks.append(family)
        missing -= set(pdf.fonts[family.lower()].cmap)
    if fallbacks:
        pdf.set_fallback_fonts(fallbacks, exact_match=False)


class DocumentPDF(FPDF):
    """A4 pages with the document's title and page numbers in the footer, for when pages get separated."""

    def __init__(self, footer_text: str, content: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        add_fonts(self, content)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN)

    def footer(self) -> None:
        self.set_y(-MARGIN + 6)
        self.set_font(FONT, "", 8)
        self.set_text_color(110)
        self.cell(0, 4, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0)


def write_text(
    pdf: FPDF,
    text: str,
    size: float,
    style: str = "",
    *,
    color: int = 0,
    line: float = LINE_MM,
    after: float = 0,
) -> None:
    """A block of wrapped text at the left margin."""
    pdf.set_font(FONT, style, size)
    pdf.set_text_color(color)
    pdf.multi_cell(0, line, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0)
    if after:
        pdf.ln(after)


def keep_with_next(pdf: FPDF, height: float) -> None:
    """Start a new page rather than leave a heading alone at the bottom of one."""
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()


def text_height(pdf: FPDF, text: str, size: float, style: str = "", line: float = LINE_MM) -> float:
    """How tall ``text`` will be, measured without drawing it."""
    pdf.set_font(FONT, style, size)
    return float(
        pdf.multi_cell(0, line, text, align="L", dry_run=True, output=MethodReturnValue.HEIGHT)  # type: ignore[arg-type]
    )
