"""Time to interactive of a lesson app against a bare Voila page, in headless Chromium.

A manager (with a cohort, some lesson answers saved) opens lesson 2, the practices, by personal link;
the bare page is a notebook with one `ipywidgets.Text()` served with the same command, working
directory (so the same voila.json) and flags. Runs alternate A, B, A, B..., each in a fresh browser
context; the figure is the time from `page.goto` until the lesson's Next button (drawn after the
lesson's first part) is visible, or the bare page's `.widget-text`. Goal: median(lesson) / median(bare)
<= 1.1 (only the first part is built at start; the others when first shown).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

from bench_participant_page import alternate, write_bare_notebook
from common import chromium, header, median, report, sqlite_url, voila_serve, workbook_serve

GOAL_RATIO = 1.1
LESSON = "lesson-practices.ipynb"
READY = ".wb-lesson button.wb-part-next"  # drawn after the first part: the page is ready


def seed_manager(data_dir: Path) -> str:
    """A manager in a cohort with a reflection saved; returns their access code."""
    from workbook import identity
    from workbook.manager.content import Reflection, lessons, save_lesson_answer
    from workbook.store import Store

    store = Store(sqlite_url(data_dir))
    try:
        issued = identity.add_participant(store, "Bench Manager", cohort="Bench cohort")
        lesson = lessons().lessons[1]
        reflection = next(block for block in lesson.blocks if isinstance(block, Reflection))
        save_lesson_answer(store, issued.person, lesson.id, reflection.id, "I will ask more, tell less.")
        return issued.code
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each page (default 7)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs of each page first (default 1)")
    args = parser.parse_args(argv)

    header(f"lesson page: time to interactive, {args.runs} alternating runs each, {args.warmup} warm-up")
    with tempfile.TemporaryDirectory(prefix="wb-bench-lesson-") as tmp:
        root = Path(tmp)
        app_data, bare_data = root / "app-data", root / "bare-data"
        app_data.mkdir()
        bare_data.mkdir()
        code = seed_manager(app_data)
        write_bare_notebook(root / "bare-notebooks")
        with workbook_serve(app_data) as app, voila_serve(root / "bare-notebooks", bare_data) as bare:
            pages = {
                "lesson": (app.url(f"/voila/render/{LESSON}?code={quote(code)}"), READY),
                "bare": (bare.url("/voila/render/bare.ipynb"), ".widget-text"),
            }
            with chromium() as browser:
                times = alternate(browser, pages, args.runs, args.warmup)
    lesson_median, bare_median = median(times["lesson"]), median(times["bare"])
    report("lesson page, median", lesson_median, "s", baseline=bare_median)
    report("bare Voila page (one Text), median", bare_median, "s")
    report("ratio lesson / bare", lesson_median / bare_median, "x", goal=f"<= {GOAL_RATIO}", baseline=1.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
