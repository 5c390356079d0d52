"""Time to interactive of the manager's home against a bare Voila page, in headless Chromium.

A manager (with a cohort whose first check is open, some lesson answers saved) opens their home by
personal link; the bare page is a notebook with one `ipywidgets.Text()` served with the same command,
working directory (so the same voila.json) and flags. Runs alternate A, B, A, B..., each in a fresh
browser context; the figure is the time from `page.goto` until the home's lesson list (its first tab)
is visible, or the bare page's `.widget-text`. Goal: median(manager) / median(bare) <= 1.1.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

from bench_lesson_page import seed_manager
from bench_participant_page import alternate, write_bare_notebook
from common import chromium, header, median, report, sqlite_url, voila_serve, workbook_serve

GOAL_RATIO = 1.1
READY = ".wb-manager-home .wb-lesson-list"  # the first tab's content: the page is ready


def open_first_check(data_dir: Path) -> None:
    """Open the check at the start for the bench cohort, so the home builds its questions too."""
    from workbook.manager.waves import set_wave
    from workbook.store import Store

    store = Store(sqlite_url(data_dir))
    try:
        set_wave(store, "Bench cohort", "pre", True)
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each page (default 7)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs of each page first (default 1)")
    args = parser.parse_args(argv)

    header(f"manager page: time to interactive, {args.runs} alternating runs each, {args.warmup} warm-up")
    with tempfile.TemporaryDirectory(prefix="wb-bench-manager-") as tmp:
        root = Path(tmp)
        app_data, bare_data = root / "app-data", root / "bare-data"
        app_data.mkdir()
        bare_data.mkdir()
        code = seed_manager(app_data)
        open_first_check(app_data)
        write_bare_notebook(root / "bare-notebooks")
        with workbook_serve(app_data) as app, voila_serve(root / "bare-notebooks", bare_data) as bare:
            pages = {
                "manager": (app.url(f"/voila/render/manager.ipynb?code={quote(code)}"), READY),
                "bare": (bare.url("/voila/render/bare.ipynb"), ".widget-text"),
            }
            with chromium() as browser:
                times = alternate(browser, pages, args.runs, args.warmup)
    manager_median, bare_median = median(times["manager"]), median(times["bare"])
    report("manager page, median", manager_median, "s", baseline=bare_median)
    report("bare Voila page (one Text), median", bare_median, "s")
    report("ratio manager / bare", manager_median / bare_median, "x", goal=f"<= {GOAL_RATIO}", baseline=1.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
