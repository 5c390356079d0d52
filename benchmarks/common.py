"""Helpers the benchmarks share: a Voila server started exactly like `workbook serve`, Chromium
launched like the browser tests launch it, percentiles, one aligned line per figure, and for the load
benchmarks: visitors arriving evenly, each becoming interactive and typing, and a sampler of the memory
and CPU of the server's process tree."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"

if str(REPO_ROOT) not in sys.path:  # `python benchmarks/x.py` puts benchmarks/, not the repo, on the path
    sys.path.insert(0, str(REPO_ROOT))

from workbook.devtools import CHROMIUM, CHROMIUM_FLAGS, free_port, wait_until_serving  # noqa: E402
from workbook.server.visitor import KernelSocket, Page, fetch_page, models_with_class  # noqa: E402


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


# -- load: visitors, and the process tree they load ---------------------------------------------------
@dataclass
class Outcome:
    """One simulated visitor's fate in a load run."""

    arrived_at: float = 0.0  # time.monotonic() when the visit began (0: not yet)
    interactive_s: float | None = None  # arrival (or sign-in) until every widget's state is in
    spawn_s: float | None = None  # under a hub: sign-in until the hub said the server is ready
    typed: int = 0
    error: str | None = None
    spawn_failed: bool = False
    left_at: float = 0.0


def become_interactive_and_type(
    base: str,
    page: Page,
    started: float,
    outcome: Outcome,
    texts: Sequence[str] = (),
    gap_s: float = 1.0,
    find_field: Callable[[dict], str] | None = None,
    timeout: float = 120,
    expect_class: str | None = None,
) -> None:
    """What a browser does with a fetched app page: open its kernel websocket (v1), receive every widget's
    state (the page is interactive: `outcome.interactive_s`, counted from `started`), then type `texts`
    into the field `find_field` picks, one every `gap_s` (each autosaves after the apps' pause).
    With `expect_class`, the page only counts as open if a widget carries that DOM class (the app
    itself, not its sign-in form)."""
    if page.status != 200 or not page.kernel_id:
        raise RuntimeError(f"page answered {page.status} without a kernel")
    socket = KernelSocket(base, page.kernel_id, page.cookie_header, timeout=timeout)
    try:
        states = socket.widget_states(timeout=timeout)
        if expect_class and not models_with_class(states, expect_class):
            raise RuntimeError(f"the page opened without .{expect_class} (its sign-in form or another app)")
        outcome.interactive_s = time.monotonic() - started
        if texts and find_field is not None:
            model_id = find_field(states)
            for text in texts:
                socket.set_value(model_id, text)
                outcome.typed += 1
                time.sleep(gap_s)
    finally:
        socket.close()


def open_link_and_type(
    base: str,
    path: str,
    outcome: Outcome,
    texts: Sequence[str] = (),
    gap_s: float = 1.0,
    find_field: Callable[[dict], str] | None = None,
    expect_class: str | None = None,
) -> None:
    """One visitor of `workbook serve` (or plain Voila): open a link (a personal link carries its code),
    become interactive and type; any failure is recorded in `outcome`, none stops the run."""
    try:
        started = outcome.arrived_at = time.monotonic()
        page = fetch_page(base, path, timeout=180)
        become_interactive_and_type(
            base, page, started, outcome, texts, gap_s, find_field, expect_class=expect_class
        )
    except Exception as exc:  # every failure is counted, none stops the run
        outcome.error = f"{type(exc).__name__}: {exc}"
    finally:
        outcome.left_at = time.monotonic()


def arrive_evenly(
    visits: Sequence[Callable[[], None]], spread_s: float, halt: threading.Event | None = None
) -> list[threading.Thread]:
    """Start each visit in its own thread, evenly spread over `spread_s` (the first at once, the last at
    `spread_s`); stops starting new ones once `halt` is set. Returns the threads started, all joined."""
    threads: list[threading.Thread] = []
    step = spread_s / max(1, len(visits) - 1)
    began = time.monotonic()
    for index, visit in enumerate(visits):
        delay = began + index * step - time.monotonic()
        if delay > 0 and halt is not None:
            halt.wait(delay)
        elif delay > 0:
            time.sleep(delay)
        if halt is not None and halt.is_set():
            break
        thread = threading.Thread(target=visit, daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    return threads


def process_kind(cmdline: Sequence[str]) -> str:
    """What a process below a server is, from its command line: a kernel, a hub's single-user server,
    the hub's proxy, or another helper (e.g. the node commands JupyterLab's extension manager runs
    when a server starts). The server itself (the hub, or `workbook serve`'s Voila) is "server"."""
    text = " ".join(cmdline)
    if "ipykernel" in text:
        return "kernel"
    if "jupyterhub-singleuser" in text:
        return "single-user server"
    if "configurable-http-proxy" in text:
        return "proxy"
    return "other"


def tree_processes(pid: int) -> list:
    """A process and all its descendants (psutil), or [] once it is gone."""
    import psutil

    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MiB (psutil)."""
    import psutil

    total = 0
    for process in tree_processes(pid):
        try:
            total += process.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


def kernel_count(pid: int) -> int:
    """Kernels running below a process."""
    import psutil

    count = 0
    for process in tree_processes(pid)[1:]:
        try:
            count += process_kind(process.cmdline()) == "kernel"
        except psutil.Error:
            pass
    return count


@dataclass
class Sample:
    at: float
    rss_mib: float
    by_kind: dict[str, tuple[int, float]]  # kind -> (processes, MiB)
    cpu_percent: float  # the whole machine, 100 = every core busy
    available_mib: float  # the machine's MemAvailable


@dataclass
class ResourceSampler:
    """Samples, twice a second in a thread, the resident memory of a process tree (by kind of process),
    the CPU time it has used, the machine's CPU load and its available memory. Sets `low_memory` when
    the machine's available memory falls below `floor_mib`, so a load run can stop adding visitors
    before it starves the machine."""

    root_pid: int
    floor_mib: float = 0.0
    interval_s: float = 0.5
    samples: list[Sample] = field(default_factory=list)
    low_memory: threading.Event = field(default_factory=threading.Event)
    seen: dict[int, object] = field(default_factory=dict)  # pid -> psutil.Process, to stop stragglers
    _cpu_s: dict[int, float] = field(default_factory=dict)
    _kinds: dict[int, str] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> ResourceSampler:
        import psutil

        psutil.cpu_percent(None)  # the first reading starts the interval
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval_s)

    def sample(self) -> Sample:
        import psutil

        by_kind: dict[str, list[float]] = {}
        for process in tree_processes(self.root_pid):
            try:
                if process.pid not in self._kinds:
                    root = process.pid == self.root_pid
                    self._kinds[process.pid] = "server" if root else process_kind(process.cmdline())
                rss = process.memory_info().rss / 2**20
                times = process.cpu_times()
                self._cpu_s[process.pid] = times.user + times.system
            except psutil.Error:
                continue
            self.seen.setdefault(process.pid, process)
            by_kind.setdefault(self._kinds[process.pid], []).append(rss)
        available = psutil.virtual_memory().available / 2**20
        if available < self.floor_mib:
            self.low_memory.set()
        sample = Sample(
            time.monotonic(),
            sum(sum(v) for v in by_kind.values()),
            {kind: (len(v), sum(v)) for kind, v in by_kind.items()},
            psutil.cpu_percent(None),
            available,
        )
        self.samples.append(sample)
        return sample

    @property
    def peak(self) -> Sample | None:
        return max(self.samples, key=lambda s: s.rss_mib, default=None)

    @property
    def peak_mib(self) -> float:
        peak = self.peak
        return peak.rss_mib if peak else 0.0

    def cpu_seconds(self) -> float:
        """CPU time used by every process of the tree seen so far (a process's last reading)."""
        return sum(self._cpu_s.values())

    def cpu_seconds_by_kind(self) -> dict[str, tuple[int, float]]:
        """Processes seen and their CPU time, by kind of process (see `process_kind`)."""
        totals: dict[str, tuple[int, float]] = {}
        for pid, seconds in self._cpu_s.items():
            count, total = totals.get(self._kinds[pid], (0, 0.0))
            totals[self._kinds[pid]] = (count + 1, total + seconds)
        return totals

    def busy_share(self, since: float, until: float, busy_percent: float = 90.0) -> float:
        """Share of the samples between two moments in which the machine's CPU was at least
        `busy_percent` busy (saturated)."""
        window = [s for s in self.samples if since <= s.at <= until]
        if not window:
            return 0.0
        return sum(s.cpu_percent >= busy_percent for s in window) / len(window)

    def mean_cpu(self, since: float, until: float) -> float:
        window = [s.cpu_percent for s in self.samples if since <= s.at <= until]
        return sum(window) / len(window) if window else 0.0


def stop_processes(processes: Sequence, grace_s: float = 10) -> int:
    """Terminate these psutil processes (ones a benchmark started) if still alive, kill them after
    `grace_s`; how many were still alive. psutil refuses to signal a pid reused by another process."""
    import psutil

    alive = []
    for process in processes:
        try:
            if process.is_running():
                process.terminate()
                alive.append(process)
        except psutil.Error:
            pass
    _gone, still = psutil.wait_procs(alive, timeout=grace_s)
    for process in still:
        try:
            process.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(still, timeout=grace_s)
    return len(alive)
