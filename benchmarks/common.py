"""Helpers the benchmarks share: a Voila server started exactly like `workbook serve`, Chromium
launched like the browser tests launch it, percentiles, and one aligned line per figure."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"

if str(REPO_ROOT) not in sys.path:  # `python benchmarks/x.py` puts benchmarks/, not the repo, on the path
    sys.path.insert(0, str(REPO_ROOT))

from workbook.devtools import CHROMIUM, CHROMIUM_FLAGS, free_port, wait_until_serving  # noqa: E402


# -- figures ---------------------------------------------------------------------------------------
def percentile(values: Sequence[float], pct: float) -> float:
    """The pct-th percentile (0..100) by linear interpolation between closest ranks."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def timed_ms(action: Callable[[], object], runs: int) -> list[float]:
    """How long `action` takes, in milliseconds, `runs` times over."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return times


def header(title: str) -> None:
    print(f"\n== {title}", flush=True)


def report(
    name: str,
    value: float,
    unit: str,
    goal: str | None = None,
    baseline: float | str | None = None,
) -> bool:
    """Print one aligned line: figure, unit, baseline and PASS/MISS against `goal`.

    `goal` is a comparison such as "<= 1.2", "< 50" or "== 0" (or None for an informational line);
    returns whether the goal is met (True when there is no goal).
    """
    text = f"{value:,.3f}" if isinstance(value, float) else f"{value:,}"
    line = f"  {name:<38} {text:>12} {unit:<5}"
    if baseline is not None:
        base = f"{baseline:,.3f}" if isinstance(baseline, float) else str(baseline)
        line += f"  baseline {base:>10} {unit:<5}"
    else:
        line += " " * (10 + 11 + 6)
    met = True
    if goal:
        met = _meets(value, goal)
        line += f"  goal {goal:<8} {'PASS' if met else 'MISS'}"
    print(line, flush=True)
    return met


def _meets(value: float, goal: str) -> bool:
    op, _, bound = goal.strip().partition(" ")
    limit = float(bound)
    checks = {
        "<": value < limit,
        "<=": value <= limit,
        ">": value > limit,
        ">=": value >= limit,
        "==": value == limit,
    }
    if op not in checks:
        raise ValueError(f"goal must look like '<= 1.2', got {goal!r}")
    return checks[op]


# -- servers ---------------------------------------------------------------------------------------
def voila_command(notebooks: Path, port: int) -> list[str]:
    """Plain Voila on any notebook folder, with the flags `workbook serve` passes (it runs Voila in its own
    process with the workbook's guards added: workbook/server/app.py)."""
    return [
        PYTHON,
        "-m",
        "voila",
        str(notebooks),
        "--no-browser",
        f"--Voila.ip={HOST}",
        f"--Voila.port={port}",
        "--Voila.port_retries=0",
    ]


class Server:
    """A running Voila server; always run from the repo root so that its voila.json applies."""

    def __init__(self, command: list[str], port: int, env: dict[str, str], log: Path) -> None:
        self.port = port
        self.base = f"http://{HOST}:{port}"
        self.log_path = log
        self._log = log.open("w")
        self.proc = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        try:
            wait_until_serving(f"{self.base}/voila/tree", self.proc, log)
        except RuntimeError:
            self.stop()
            raise

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


def bench_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "WORKBOOK_DATA_DIR": str(data_dir), **extra}
    env.pop("WORKBOOK_DATABASE_URL", None)
    return env


@contextmanager
def workbook_serve(data_dir: Path) -> Iterator[Server]:
    """The real `workbook serve` on a free port, its store in `data_dir`."""
    port = free_port()
    env = bench_env(data_dir, WORKBOOK_BASE_URL=f"http://{HOST}:{port}")
    command = [PYTHON, "-m", "workbook.cli", "serve", "--host", HOST, "--port", str(port)]
    server = Server(command, port, env, data_dir / "serve.log")
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def voila_serve(notebooks: Path, data_dir: Path) -> Iterator[Server]:
    """Plain Voila on a free port serving `notebooks` with the flags, cwd and config of `workbook serve`."""
    port = free_port()
    env = bench_env(data_dir, WORKBOOK_BASE_URL=f"http://{HOST}:{port}")
    server = Server(voila_command(notebooks, port), port, env, data_dir / f"voila-{notebooks.name}.log")
    try:
        yield server
    finally:
        server.stop()


# -- browser ---------------------------------------------------------------------------------------
@contextmanager
def chromium() -> Iterator[object]:
    """Headless Chromium (Debian's) through Playwright, with the browser tests' flags."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        raise SystemExit(f"Chromium not found at {CHROMIUM}: run scripts/ensure-chromium.sh")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=list(CHROMIUM_FLAGS), headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


# -- processes -------------------------------------------------------------------------------------
def rss_mib(pid: int) -> float:
    """Resident set size of a process in MiB, from /proc/<pid>/status (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


# -- data ------------------------------------------------------------------------------------------
def sqlite_url(data_dir: Path) -> str:
    """The default store's URL for WORKBOOK_DATA_DIR=data_dir (see workbook.config.database_url)."""
    return f"sqlite:///{data_dir / 'workbook.sqlite'}"


def seed_participant(data_dir: Path) -> str:
    """A participant with every preparation question answered in the store of `data_dir`; their code."""
    from workbook import content, identity
    from workbook.preparation import GOALS_FIELD, SCOPE, answer_key
    from workbook.store import Store

    store = Store(sqlite_url(data_dir))
    try:
        issued = identity.add_participant(store, "Bench Participant", roles=["team_member"])
        pid = issued.person.id
        for section in content.preparation().sections:
            for prep_field in section.fields:
                key = answer_key(section.id, prep_field.id)
                if prep_field.kind == "choices":
                    store.save_answer(pid, SCOPE, key, [c.id for c in prep_field.choices[:2]])
                else:
                    store.save_answer(pid, SCOPE, key, f"A considered answer to {prep_field.label}. " * 3)
            if section.goals is not None:
                goals = [
                    {
                        f.id: ("2030-01-31" if f.id == "target_date" else f"{f.label} {n}")
                        for f in section.goals.fields
                    }
                    for n in range(section.goals.recommended_min)
                ]
                store.save_answer(pid, SCOPE, answer_key(section.id, GOALS_FIELD), goals)
        return issued.code
    finally:
        store.close()


def child_pids(pid: int) -> list[int]:
    """Direct children of a process (Linux /proc)."""
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(c) for c in (task / "children").read_text().split()]
    return children


def descendant_kernels(pid: int) -> list[int]:
    """Pids of the ipykernel processes below a process (Voila's kernels)."""
    found: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            kids = child_pids(current)
        except FileNotFoundError:
            continue
        for kid in kids:
            try:
                cmdline = Path(f"/proc/{kid}/cmdline").read_bytes()
            except FileNotFoundError:
                continue
            if b"ipykernel" in cmdline:
                found.append(kid)
            todo.append(kid)
    return found
