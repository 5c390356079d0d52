"""Time to interactive of the participant app against a bare Voila page, in headless Chromium.

The participant page is opened by a personal link (a participant with every question answered);
the bare page is a notebook with one `ipywidgets.Text()`, served by Voila with the same command,
working directory (so the same voila.json) and flags. Runs alternate A, B, A, B... each in a fresh
browser context; the figure is the time from `page.goto` until the app's `.wb-workbook` (or the bare
page's `.widget-text`) is visible. Goal: median(participant) / median(bare) <= 1.1 (the page builds
only its first section at start; the others when first opened).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import nbformat
from common import (
    chromium,
    descendant_kernels,
    header,
    median,
    report,
    seed_participant,
    voila_serve,
    workbook_serve,
)

GOAL_RATIO = 1.1
TIMEOUT_MS = 120_000
BARE_SOURCE = "import ipywidgets\n\nipywidgets.Text()"


def write_bare_notebook(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(BARE_SOURCE)]
    notebook.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    path = folder / "bare.ipynb"
    nbformat.write(notebook, path)
    return path


def time_to_visible(browser, url: str, selector: str) -> float:
    """Seconds from page.goto until `selector` is visible, in a fresh context."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.wait_for_selector(selector, state="visible")
        elapsed = time.perf_counter() - start
        page.goto("about:blank")  # leave the page as a visitor would (Voila keeps its kernel, see README)
        return elapsed
    finally:
        context.close()


def alternate(browser, pages: dict[str, tuple[str, str]], runs: int, warmup: int) -> dict[str, list[float]]:
    """Visit each (url, selector) page in turn, A, B, A, B...; the timed runs of each, after warm-up."""
    times: dict[str, list[float]] = {name: [] for name in pages}
    for run in range(warmup + runs):
        for name, (url, selector) in pages.items():
            elapsed = time_to_visible(browser, url, selector)
            if run >= warmup:
                times[name].append(elapsed)
    for name, values in times.items():
        print(f"  {name} runs (s): " + ", ".join(f"{v:.2f}" for v in values))
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each page (default 7)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs of each page first (default 1)")
    args = parser.parse_args(argv)

    header(f"participant page: time to interactive, {args.runs} alternating runs each, {args.warmup} warm-up")
    with tempfile.TemporaryDirectory(prefix="wb-bench-page-") as tmp:
        root = Path(tmp)
        app_data, bare_data = root / "app-data", root / "bare-data"
        app_data.mkdir()
        bare_data.mkdir()
        code = seed_participant(app_data)
        write_bare_notebook(root / "bare-notebooks")
        with workbook_serve(app_data) as app, voila_serve(root / "bare-notebooks", bare_data) as bare:
            link = app.url(f"/voila/render/participant.ipynb?code={quote(code)}")
            pages = {
                "participant": (link, ".wb-workbook"),
                "bare": (bare.url("/voila/render/bare.ipynb"), ".widget-text"),
            }
            with chromium() as browser:
                times = alternate(browser, pages, args.runs, args.warmup)
            servers = {"participant": app, "bare": bare}
            left = {name: len(descendant_kernels(server.proc.pid)) for name, server in servers.items()}
            print(f"  kernels still running after the visits (Voila culls idle ones after 30 min): {left}")
    app_median, bare_median = median(times["participant"]), median(times["bare"])
    report("participant page, median", app_median, "s", baseline=bare_median)
    report("bare Voila page (one Text), median", bare_median, "s")
    report("ratio participant / bare", app_median / bare_median, "x", goal=f"<= {GOAL_RATIO}", baseline=1.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
