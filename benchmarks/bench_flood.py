"""Widget messages under a flood: what normal use sends, and what a flood does to the other pages.

1. Normal use, measured in headless Chromium on a bare Voila page (a Password field, as the sign-in
   form's code field, and an IntSlider): every websocket frame the page sends is counted in the browser
   (WebSocket.send wrapped by an init script) while Playwright types as fast as the browser takes keys
   (no delay between keys), types at 25 ms a key (a very fast typist: 40 keys a second) and drags the
   slider (a hundred mouse moves, as fast as the browser takes them). The figures are the most frames
   in any one second and in any ten seconds, which the server's limit must never reach
   (`workbook.server.limits.MESSAGES_PER_SECOND`; in ten seconds, that rate and `MESSAGE_BURST`).
2. A flood: one visitor sends `update` messages to the sign-in form's code field as fast as the socket
   takes them, for `--flood-seconds`, while a bystander page (another visit) asks for its widget states
   once a second. The figures are the bystander's median and worst time to its widget states, before the
   flood (the baseline), during it and after it; whether the flooding connection was closed; the CPU the
   flooded kernel used in the ten seconds after the flooder left; and the server log's traceback lines.
   Run under the real `workbook serve`, and with `--plain` also under plain Voila (the server without the
   workbook's guards, how it was before them) for comparison.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil
from common import (
    KernelSocket,
    chromium,
    fetch_page,
    header,
    median,
    models_with_class,
    report,
    voila_serve,
    workbook_serve,
)

PAGE_SOURCE = """import ipywidgets
ipywidgets.VBox([ipywidgets.Password(description="Access code"), ipywidgets.IntSlider(max=1000)])"""
COUNT_FRAMES = """
window.__sent = [];
const send = WebSocket.prototype.send;
WebSocket.prototype.send = function (data) {
  window.__sent.push(performance.now());
  return send.call(this, data);
};
"""
TIMEOUT_MS = 120_000


def write_page(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(PAGE_SOURCE)]
    notebook.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nbformat.write(notebook, folder / "widgets.ipynb")


def most_in_window(stamps_ms: list[float], window_ms: float) -> int:
    """The most frames sent within any `window_ms` milliseconds."""
    best, start = 0, 0
    for end, stamp in enumerate(stamps_ms):
        while stamp - stamps_ms[start] > window_ms:
            start += 1
        best = max(best, end - start + 1)
    return best


def measure_normal_use(browser, url: str) -> dict[str, tuple[int, int]]:
    """Frames sent by the page for each kind of use: (most in one second, most in ten seconds)."""
    figures: dict[str, tuple[int, int]] = {}
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.add_init_script(COUNT_FRAMES)
        page.goto(url)
        field = page.locator("input[type=password]")
        handle = page.locator(".noUi-handle").first
        field.wait_for(state="visible")
        handle.wait_for(state="visible")
        time.sleep(2)  # the page's own start-up messages are sent

        def measured(name: str, action) -> None:
            page.evaluate("window.__sent = []")
            action()
            time.sleep(1.0)  # the last coalesced updates go out
            stamps = page.evaluate("window.__sent")
            figures[name] = (most_in_window(stamps, 1000), most_in_window(stamps, 10_000))

        measured("typing, no delay (200 keys)", lambda: field.press_sequentially("x" * 200, delay=0))
        measured("typing, 25 ms a key (200 keys)", lambda: field.press_sequentially("y" * 200, delay=25))

        def drag() -> None:
            box = handle.bounding_box()
            track = page.locator(".noUi-target").first
            width = track.bounding_box()["width"]
            y = box["y"] + box["height"] / 2
            page.mouse.move(box["x"] + box["width"] / 2, y)
            page.mouse.down()
            for sweep in range(4):
                for step in range(100):
                    fraction = step / 99 if sweep % 2 == 0 else 1 - step / 99
                    page.mouse.move(box["x"] + fraction * width, y)
            page.mouse.up()

        measured("slider drags (400 moves)", drag)
    finally:
        context.close()
    return figures


# -- the flood --------------------------------------------------------------------------------------
class Bystander(threading.Thread):
    """Another visit's page asking for its widget states once a second; records each time it took."""

    def __init__(self, base: str, path: str) -> None:
        super().__init__(daemon=True)
        page = fetch_page(base, path)
        self.socket = KernelSocket(base, page.kernel_id, page.cookie_header)
        self.times: list[tuple[float, float]] = []  # (when, seconds to widget states)
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            start = time.monotonic()
            try:
                self.socket.widget_states(timeout=60)
                self.times.append((start, time.monotonic() - start))
            except Exception:
                self.times.append((start, float("inf")))
            self.stop.wait(max(0.0, 1.0 - (time.monotonic() - start)))

    def between(self, start: float, end: float) -> list[float]:
        return [took for when, took in self.times if start <= when < end]


def flood(base: str, path: str, seconds: float) -> tuple[int, bool, str]:
    """Send code-field updates as fast as the socket takes them; (sent, closed by the server, kernel)."""
    page = fetch_page(base, path)
    attacker = KernelSocket(base, page.kernel_id, page.cookie_header)
    [code_field] = models_with_class(attacker.widget_states(), "wb-code")
    sent, closed = 0, False
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            attacker.set_value(code_field, f"guess-{sent}")
            sent += 1
    except Exception:  # the server closed the connection
        closed = True
    finally:
        attacker.close()
    return sent, closed, page.kernel_id


def kernel_process(server_pid: int, kernel_id: str) -> psutil.Process | None:
    for child in psutil.Process(server_pid).children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if kernel_id in " ".join(child.cmdline()):
                return child
    return None


def run_flood(server, label: str, seconds: float) -> None:
    header(f"flood under {label}: {seconds:.0f} s of code-field updates on one connection")
    path = "/voila/render/participant.ipynb"
    bystander = Bystander(server.base, path)
    bystander.start()
    time.sleep(5)
    flood_start = time.monotonic()
    sent, closed, kernel_id = flood(server.base, path, seconds)
    left = time.monotonic()
    process = kernel_process(server.proc.pid, kernel_id)
    cpu_before = sum(process.cpu_times()[:2]) if process else 0.0
    time.sleep(10)
    cpu_after = sum(process.cpu_times()[:2]) if process and process.is_running() else cpu_before
    bystander.stop.set()
    bystander.join(timeout=70)
    bystander.socket.close()
    before = bystander.between(0, flood_start)
    during = bystander.between(flood_start, left)
    after = bystander.between(left, float("inf"))
    base_median = median(before)
    report("bystander: widget states, median before", base_median, "s")
    if during:
        report("bystander: median during the flood", median(during), "s", "<= 1.5", base_median)
        report("bystander: worst during the flood", max(during), "s", None, max(before))
    report("bystander: median after the flood", median(after), "s", None, base_median)
    report("updates sent before the close was seen", sent, "msgs")
    guarded = label != "plain"
    report("flooding connection closed by the server", int(closed), "", "== 1" if guarded else None)
    report("flooded kernel CPU in 10 s after", (cpu_after - cpu_before) / 10 * 100, "%", "< 20")
    tracebacks = server.log_path.read_text().count("Traceback")
    report("traceback lines in the server log", tracebacks, "", "== 0" if guarded else None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flood-seconds", type=float, default=20)
    parser.add_argument("--plain", action="store_true", help="also flood plain Voila (no guards)")
    args = parser.parse_args(argv)

    from workbook.server import limits

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pages"
        write_page(folder)
        header("normal use: frames a page sends (most in 1 s / most in 10 s)")
        with voila_serve(folder, Path(tmp)) as server, chromium() as browser:
            figures = measure_normal_use(browser, server.url("/voila/render/widgets.ipynb"))
        for name, (per_second, per_ten) in figures.items():
            report(f"{name}, in 1 s", per_second, "msgs", f"< {limits.MESSAGES_PER_SECOND:.0f}")
            allowed_ten = limits.MESSAGE_BURST + 10 * limits.MESSAGES_PER_SECOND
            report(f"{name}, in 10 s", per_ten, "msgs", f"< {allowed_ten:.0f}")

        guarded = Path(tmp) / "guarded"
        guarded.mkdir()
        with workbook_serve(guarded) as server:
            run_flood(server, "workbook serve", args.flood_seconds)
        if args.plain:
            plain = Path(tmp) / "plain"
            plain.mkdir()
            with voila_serve(Path(__file__).resolve().parent.parent / "notebooks", plain) as server:
                run_flood(server, "plain", args.flood_seconds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
