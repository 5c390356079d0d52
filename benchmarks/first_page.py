"""One way to measure a first page: an app opened by personal link against a bare Voila page (one
`ipywidgets.Text()`) served with the same command, working directory (so the same voila.json) and flags.
Runs alternate A, B, A, B..., each in a fresh browser context; a figure is the time from `page.goto` until
the page's ready selector is visible. The page benchmarks differ only in whom they seed and what they open."""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import nbformat
from common import chromium, descendant_kernels, header, median, report, voila_serve, workbook_serve

GOAL_RATIO = 1.1
TIMEOUT_MS = 120_000
BARE_SOURCE = "import ipywidgets\n\nipywidgets.Text()"
BARE_READY = ".widget-text"


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


def compare_with_bare(
    name: str,
    notebook: str,
    ready: str,
    seed: Callable[[Path], str],
    argv: list[str] | None = None,
    description: str = "",
) -> int:
    """Seed a store with ``seed`` (which returns the visitor's code), open ``notebook`` by personal link
    and the bare page in turn, and print both medians and their ratio against the goal."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each page (default 7)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs of each page first (default 1)")
    args = parser.parse_args(argv)

    header(f"{name} page: time to interactive, {args.runs} alternating runs each, {args.warmup} warm-up")
    with tempfile.TemporaryDirectory(prefix=f"wb-bench-{name}-") as tmp:
        root = Path(tmp)
        app_data, bare_data = root / "app-data", root / "bare-data"
        app_data.mkdir()
        bare_data.mkdir()
        code = seed(app_data)
        write_bare_notebook(root / "bare-notebooks")
        with workbook_serve(app_data) as app, voila_serve(root / "bare-notebooks", bare_data) as bare:
            pages = {
                name: (app.url(f"/voila/render/{notebook}?code={quote(code)}"), ready),
                "bare": (bare.url("/voila/render/bare.ipynb"), BARE_READY),
            }
            with chromium() as browser:
                times = alternate(browser, pages, args.runs, args.warmup)
            servers = {name: app, "bare": bare}
            left = {label: len(descendant_kernels(server.proc.pid)) for label, server in servers.items()}
            print(f"  kernels still running after the visits (Voila culls idle ones after 30 min): {left}")
    app_median, bare_median = median(times[name]), median(times["bare"])
    report(f"{name} page, median", app_median, "s", baseline=bare_median)
    report("bare Voila page (one Text), median", bare_median, "s")
    report(f"ratio {name} / bare", app_median / bare_median, "x", goal=f"<= {GOAL_RATIO}", baseline=1.0)
    return 0
