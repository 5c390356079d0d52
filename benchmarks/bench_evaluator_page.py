"""Time to the headline of the evaluator app against a bare Voila page, in headless Chromium.

The evaluator page is opened with the evaluator key in its URL on a store holding the synthetic demo
(14 managers in three cohorts, `workbook.manager.demo`); the bare page is a notebook with one
`ipywidgets.Text()`, served by Voila with the same command, working directory (so the same voila.json)
and flags (the helpers of `first_page.py` and `common.py`). Runs alternate A, B, A, B...
each in a fresh browser context; the figure is the time from `page.goto` until the headline's first
figure (`.wb-eval-headline .wb-eval-value`) is visible, or the bare page's `.widget-text`. The time
until every chart is drawn (the status turns to "Up to date") is printed too, for information.
Goal: median(evaluator) / median(bare) <= 1.5.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

from common import child_pids, chromium, header, median, report, sqlite_url, voila_serve, workbook_serve
from first_page import TIMEOUT_MS, time_to_visible, write_bare_notebook

GOAL_RATIO = 1.5
KEY_ENV = "WORKBOOK_EVALUATOR_KEY"
HEADLINE = ".wb-eval-headline .wb-eval-value"
CHARTS_DONE = ".wb-eval-status .wb-eval-ready"


def seed_demo(data_dir: Path) -> None:
    from workbook.manager.demo import seed_manager_demo
    from workbook.store import Store

    store = Store(sqlite_url(data_dir))
    try:
        seed_manager_demo(store)
    finally:
        store.close()


def stop_orphans(pids: list[int]) -> None:
    """`workbook serve` exits on SIGTERM without stopping its Voila child: stop that child ourselves."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


def time_evaluator(browser, url: str) -> tuple[float, float]:
    """Seconds from page.goto until the headline is visible, and until every chart is drawn."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.wait_for_selector(HEADLINE, state="visible")
        headline = time.perf_counter() - start
        page.wait_for_selector(CHARTS_DONE, state="visible")
        charts = time.perf_counter() - start
        page.goto("about:blank")
        return headline, charts
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each page (default 7)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs of each page first (default 1)")
    args = parser.parse_args(argv)

    key = os.environ.setdefault(KEY_ENV, "bench-evaluator-key-0123456789abcdef")  # both servers inherit it
    header(f"evaluator page: time to the headline, {args.runs} alternating runs each, {args.warmup} warm-up")
    with tempfile.TemporaryDirectory(prefix="wb-bench-evaluator-") as tmp:
        root = Path(tmp)
        app_data, bare_data = root / "app-data", root / "bare-data"
        app_data.mkdir()
        bare_data.mkdir()
        seed_demo(app_data)
        write_bare_notebook(root / "bare-notebooks")
        voila_children: list[int] = []
        with workbook_serve(app_data) as app, voila_serve(root / "bare-notebooks", bare_data) as bare:
            voila_children = child_pids(app.proc.pid)
            evaluator_url = app.url(f"/voila/render/evaluator.ipynb?key={key}")
            bare_url = bare.url("/voila/render/bare.ipynb")
            headline: list[float] = []
            charts: list[float] = []
            bare_times: list[float] = []
            with chromium() as browser:
                for run in range(args.warmup + args.runs):
                    first, done = time_evaluator(browser, evaluator_url)
                    plain = time_to_visible(browser, bare_url, ".widget-text")
                    if run >= args.warmup:
                        headline.append(first)
                        charts.append(done)
                        bare_times.append(plain)
            print("  evaluator headline runs (s): " + ", ".join(f"{v:.2f}" for v in headline))
            print("  evaluator all charts (s):    " + ", ".join(f"{v:.2f}" for v in charts))
            print("  bare runs (s):               " + ", ".join(f"{v:.2f}" for v in bare_times))
        stop_orphans(voila_children)
    app_median, bare_median = median(headline), median(bare_times)
    report("evaluator headline, median", app_median, "s", baseline=bare_median)
    report("evaluator all charts drawn, median", median(charts), "s")
    report("bare Voila page (one Text), median", bare_median, "s")
    report("ratio evaluator / bare", app_median / bare_median, "x", goal=f"<= {GOAL_RATIO}", baseline=1.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
