"""A chart as a file (PNG for the page and the reports, SVG for a download), its titles never cut.

A title is centred over its axes, which long tick labels push to one side (the item chart), so a title
that fits the figure can still run past its edge: after drawing, such a title is wrapped and the figure
drawn again. A chart whose titles fit, nearly every one, is drawn once.
"""

from __future__ import annotations

import io
import textwrap
from typing import Any

from matplotlib.figure import Figure


def _wrap_title(line: str, chars: int) -> str:
    """A title line in lines of at most ``chars`` characters, the group's "(n = …)" on a line of its
    own when it fits there."""
    if len(line) <= chars:
        return line
    head, sep, tail = line.rpartition(" (")
    if sep and len(head) <= chars and len(tail) + 1 <= chars:
        return f"{head}\n({tail}"
    return textwrap.fill(line, chars, break_long_words=False)


def wrap_cut_titles(fig: Figure) -> bool:
    """Wrap every axes title that ran past the figure's edge when it was last drawn (a title centred
    over an axes that long tick labels push to one side, as in the item chart); True if one changed, and
    the figure must be drawn again (a title of two lines takes more height)."""
    width = fig.bbox.width
    changed = False
    for ax in fig.axes:
        title = ax.title
        text = title.get_text()
        if not text:
            continue
        box = title.get_window_extent()
        if box.x0 >= 0 and box.x1 <= width:
            continue
        centre = (box.x0 + box.x1) / 2
        room = 2 * min(centre, width - centre) * 0.9
        lines = text.split("\n")
        chars = max(12, int(max(len(line) for line in lines) * room / max(box.width, 1.0)))
        wrapped = "\n".join(_wrap_title(line, chars) for line in lines)
        if wrapped != text:
            title.set_text(wrapped)
            changed = True
    return changed


def _saved(fig: Figure, **options: Any) -> bytes:
    """The figure saved, with its titles wrapped to fit if the first drawing cut one: a chart whose titles
    fit (nearly all) is drawn once."""

    def save() -> bytes:
        buffer = io.BytesIO()
        fig.savefig(buffer, **options)
        return buffer.getvalue()

    saved = save()
    for _ in range(2):
        if not wrap_cut_titles(fig):
            break
        saved = save()
    return saved


def _title(fig: Figure) -> dict[str, str]:
    """The file's Title: the figure's own title (what synthetic data it holds, `charts.title_data`)."""
    title = fig.get_suptitle()
    return {"Title": title} if title else {}


def figure_to_png_bytes(fig: Figure, *, dpi: int = 110) -> bytes:
    """PNG bytes of a figure, for an ipywidgets Image or an HTML report (titles wrapped to fit)."""
    return _saved(fig, format="png", dpi=dpi, metadata=_title(fig))


def figure_to_svg_bytes(fig: Figure) -> bytes:
    """SVG bytes of a figure; text is drawn as paths (matplotlib's default), so no markup leaks through."""
    return _saved(fig, format="svg", metadata={"Date": None, **_title(fig)})
