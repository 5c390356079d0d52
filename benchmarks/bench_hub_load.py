"""100 people sign in on the JupyterHub over 5 minutes and open their home app, each in a single-user
server the hub spawns for them on this machine; then the same 100 open their personal links on
`workbook serve`, the baseline.

The hub is the real deployment: deploy/jupyterhub/jupyterhub_config.py, with only its environment knobs
set (the dummy authenticator with one shared password, every server as this user under a temp home, free
ports, the proxy tests/hub installs, a temp SQLite store). The store holds 100 people tied to hub users:
mostly team members with a saved answer, one in seven a manager. Each simulated person is a thread acting
as a browser (workbook.server.visitor.HubBrowser): opens the hub's login page, posts its form with the
`_xsrf` it carries, follows the redirects to the spawn-pending page, reads its progress stream until the
hub says the server is ready, reloads, follows the sign-in to their server and its redirect to their home
app, then opens the page's kernel websocket (v1) and receives every widget's state (interactive: the page
must be the app itself, and a team member's first field must hold their saved answer). Team members then
type `--edits` edits (one a second, each autosaves) and the store is read back.

Figures: p50/p95 sign-in to interactive (the sign-in form posted until the widget states are in) and the
spawn part of it, spawn failures, other errors, lost saves, peak memory of the hub + proxy + every
single-user server + kernels (psutil RSS over the hub's process tree, twice a second) and what it is made
of, the CPU time per person and how long the two cores were saturated; then every person stops their
server (what the idle culler does after its timeout) and the memory that comes back. Goals: 0 failures,
p95 < 20 s, peak < 24 GB. Run it alone on the machine (about 15 minutes at full size).
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from common import (
    PYTHON,
    REPO_ROOT,
    Outcome,
    ResourceSampler,
    arrive_evenly,
    become_interactive_and_type,
    bench_env,
    header,
    kernel_count,
    open_link_and_type,
    percentile,
    report,
    sqlite_url,
    stop_processes,
    tree_processes,
    workbook_serve,
)

from workbook import identity
from workbook.devtools import free_port, wait_until_serving
from workbook.preparation import SCOPE
from workbook.server.visitor import HubBrowser, SpawnFailed, models_with_class
from workbook.store import Store

HUB_CONFIG = REPO_ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
PROJECT_PROXY = REPO_ROOT / "tests" / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
P95_GOAL_S = 20.0
PERSON_MIB = 256  # a person's single-user server and page kernel (measured: about 160 + 90 MiB RSS)
PEAK_GOAL_MIB = 24 * 1024
SERVER_MODULES = (
    "jupyter_server.serverapp",
    "jupyterhub.singleuser",
    "voila.app",
    "workbook.server.extension",
)
HOME = {  # role -> (home app, the DOM class that shows the app itself is open, not its sign-in)
    "team_member": ("participant.ipynb", "wb-workbook"),
    "manager": ("manager.ipynb", "wb-manager-home"),
}


@dataclass
class Person:
    hub_user: str
    role: str
    code: str
    person_id: int
    pid: str

    @property
    def home(self) -> str:
        return HOME[self.role][0]


@dataclass
class Run:
    name: str
    people: list[Person]
    outcomes: list[Outcome] = field(default_factory=list)
    sampler: ResourceSampler | None = None
    began: float = 0.0
    arrived: float = 0.0  # the last sign-in started
    ended: float = 0.0  # the last person left
    not_started: int = 0  # arrivals never started: the machine's memory fell below the floor
    lost_saves: int | None = None
    after_stop_mib: float | None = None
    stop_s: float | None = None
    kernels_before_stop: int | None = None

    def times(self, pick) -> list[float]:
        return [value for o in self.outcomes if (value := pick(o)) is not None]


def hub_tools_missing() -> str | None:
    """Why the hub benchmark cannot run here (None when it can): jupyterhub, its deploy config and the
    proxy tests/hub installs are needed."""
    if shutil.which("jupyterhub", path=str(Path(PYTHON).parent)) is None:
        return "jupyterhub is not installed in this environment (the `test` extra installs it)"
    if not HUB_CONFIG.exists():
        return f"{HUB_CONFIG.relative_to(REPO_ROOT)} is missing"
    if proxy_command() is None:
        return "configurable-http-proxy is not installed (run scripts/ensure-hub.sh)"
    return None


def proxy_command() -> str | None:
    if PROJECT_PROXY.exists():
        return str(PROJECT_PROXY)
    return shutil.which("configurable-http-proxy")


# -- the people ------------------------------------------------------------------------------------
def first_text_field() -> tuple[str, str]:
    """The answer key and the DOM class of the first text field of the preparation content (the
    participant app builds its first section when the page opens)."""
    from workbook import content
    from workbook.preparation import answer_key

    for section in content.preparation().sections:
        for prep_field in section.fields:
            if prep_field.kind != "choices":
                return answer_key(section.id, prep_field.id), f"wb-field-{section.id}-{prep_field.id}"
    raise RuntimeError("the preparation content has no text field")


def seed_people(data_dir: Path, count: int, manager_every: int, answer_key: str) -> list[Person]:
    """`count` people tied to hub users bench-000...: one in `manager_every` a manager (cohort
    hub-load), the others team members of those managers, each with a saved answer."""
    store = Store(sqlite_url(data_dir))
    people: list[Person] = []
    managers: list[Person] = []
    try:
        for n in range(count):
            user = f"bench-{n:03d}"
            if n % manager_every == 0:
                issued = identity.add_participant(
                    store, f"Manager {n}", cohort="hub-load", roles=["manager"], hub_user=user
                )
                person = Person(user, "manager", issued.code, issued.person.id, issued.person.pid)
                managers.append(person)
            else:
                manager = managers[n % len(managers)] if managers else None
                issued = identity.add_participant(
                    store,
                    f"Team Member {n}",
                    roles=["team_member"],
                    hub_user=user,
                    manager_pid=manager.pid if manager else None,
                )
                person = Person(user, "team_member", issued.code, issued.person.id, issued.person.pid)
                store.save_answer(person.person_id, SCOPE, answer_key, saved_answer(person))
            people.append(person)
    finally:
        store.close()
    return people


def saved_answer(person: Person) -> str:
    return f"What {person.hub_user} wrote before the session."


def edit_texts(run: str, edits: int) -> list[str]:
    return [f"{run} edit {n} of {edits}: what I want to learn next" for n in range(1, edits + 1)]


def lost_saves(data_dir: Path, run: Run, key: str, texts: list[str]) -> int:
    """Team members who typed every edit but whose stored answer is not the last of them (a person
    whose page never opened typed nothing: counted as a failure, not as a lost save)."""
    store = Store(sqlite_url(data_dir))
    try:
        lost = 0
        for person, outcome in zip(run.people, run.outcomes, strict=True):
            if person.role == "team_member" and outcome.typed == len(texts):
                saved = store.current_answers(person.person_id, SCOPE).get(key)
                lost += saved is None or saved.value != texts[-1]
        return lost
    finally:
        store.close()


def stored_answers(data_dir: Path, people: list[Person], key: str) -> dict[int, str | None]:
    """What each team member's first field holds in the store now (their page must show it)."""
    store = Store(sqlite_url(data_dir))
    try:
        answers = {}
        for person in people:
            if person.role == "team_member":
                saved = store.current_answers(person.person_id, SCOPE).get(key)
                answers[person.person_id] = saved.value if saved else None
        return answers
    finally:
        store.close()


def field_finder(dom_class: str, expected: str | None):
    """Picks the first text field; with `expected`, checks it shows the person's own saved answer."""

    def find(states: dict) -> str:
        found = models_with_class(states, dom_class)
        if not found:
            raise RuntimeError(f"no .{dom_class} field on the page")
        shown = states[found[0]].get("value")
        if expected is not None and shown != expected:
            raise RuntimeError(f"the field shows {shown!r}, not the person's saved answer")
        return found[0]

    return find


# -- the hub ---------------------------------------------------------------------------------------
@dataclass
class Hub:
    proc: subprocess.Popen
    base: str
    log_path: Path
    also_stop: list = field(default_factory=list)  # psutil processes seen below the hub (a sampler's)


@contextmanager
def jupyterhub(
    state_dir: Path, data_dir: Path, password: str, extra_config: Path | None = None
) -> Iterator[Hub]:
    """The deploy config's hub on free ports, the store in `data_dir` (and `extra_config` read last, if
    given); every process it started is stopped on the way out, even if the hub leaves some behind."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBOOK_HUB_")}
    env = bench_env(
        data_dir,
        WORKBOOK_HUB_IP="127.0.0.1",
        WORKBOOK_HUB_PORT=str(port),
        WORKBOOK_HUB_INTERNAL_PORT=str(free_port()),
        WORKBOOK_HUB_PROXY_API_PORT=str(free_port()),
        WORKBOOK_HUB_STATE_DIR=str(state_dir),
        WORKBOOK_HUB_AUTHENTICATOR="dummy",
        WORKBOOK_HUB_DUMMY_PASSWORD=password,
        WORKBOOK_HUB_ALLOW_ALL="1",
        WORKBOOK_HUB_SPAWNER="simple",
        WORKBOOK_HUB_HOME_TEMPLATE=str(state_dir / "home" / "{username}"),
        WORKBOOK_HUB_PROXY_COMMAND=proxy_command() or "",
        WORKBOOK_HUB_CULL_IDLE_SECONDS="0",
    )
    if extra_config is not None:
        env["WORKBOOK_HUB_EXTRA_CONFIG"] = str(extra_config.resolve())
    env = {k: v for k, v in env.items() if k not in ("JUPYTERHUB_USER", "JUPYTERHUB_API_TOKEN")}
    log_path = state_dir / "hub.log"
    base = f"http://127.0.0.1:{port}"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [PYTHON, "-m", "jupyterhub", "-f", str(HUB_CONFIG)],
            cwd=state_dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        hub = Hub(proc, base, log_path, tree_processes(proc.pid))
        try:
            wait_until_serving(f"{base}/hub/api", proc, log_path, timeout=120)
            yield hub
        finally:
            left = tree_processes(proc.pid) + hub.also_stop
            proc.terminate()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            stop_processes(left)


def hub_visit(
    hub: Hub,
    person: Person,
    password: str,
    outcome: Outcome,
    browsers: dict[str, HubBrowser],
    texts: list[str],
    gap_s: float,
    find_field,
) -> None:
    """One person: sign in, wait through the spawn, land on their home app, become interactive, type."""
    browser = browsers[person.hub_user] = HubBrowser(hub.base, timeout=600)
    outcome.arrived_at = time.monotonic()
    try:
        arrival = browser.sign_in(person.hub_user, password)
        outcome.spawn_s = arrival.spawn_s
        server = f"{hub.base}/user/{urllib.parse.quote(person.hub_user)}"
        landed = urllib.parse.urlsplit(arrival.url).path
        if not landed.endswith(f"/voila/render/{person.home}"):
            raise RuntimeError(f"signed in to {landed}, not {person.home}")
        page = browser.page_at(arrival.url, arrival.status, arrival.html)
        become_interactive_and_type(
            server,
            page,
            arrival.posted,
            outcome,
            texts if person.role == "team_member" else (),
            gap_s,
            find_field if person.role == "team_member" else None,
            timeout=300,
            expect_class=HOME[person.role][1],
        )
    except SpawnFailed as exc:
        outcome.spawn_failed = True
        outcome.error = f"SpawnFailed: {exc}"
    except Exception as exc:  # every failure is counted, none stops the run
        outcome.error = f"{type(exc).__name__}: {exc}"
    finally:
        outcome.left_at = time.monotonic()


def guard_memory(
    sampler: ResourceSampler, outcomes: list[Outcome], floor_mib: float, done: threading.Event
) -> None:
    """Stop new sign-ins (`sampler.low_memory`) once the machine's free memory, less what the people
    still on their way in will take (`PERSON_MIB` each), would fall below the floor: on a shared
    machine a queue of spawns must not run it out of memory."""
    while not done.wait(0.5):
        latest = sampler.samples[-1] if sampler.samples else None
        if latest is None:
            continue
        coming = sum(1 for o in outcomes if o.arrived_at and o.interactive_s is None and not o.left_at)
        if latest.available_mib - coming * PERSON_MIB < floor_mib:
            sampler.low_memory.set()
            return


def load(run: Run, root_pid: int, visit, spread_s: float, floor_mib: float) -> ResourceSampler:
    """Everyone arrives evenly over `spread_s` (fewer if the machine's memory falls below the floor);
    returns the sampler, still sampling, for what follows."""
    run.outcomes = [Outcome() for _ in run.people]
    sampler = ResourceSampler(root_pid, floor_mib=floor_mib).__enter__()
    run.sampler = sampler
    run.began = time.monotonic()
    visits = [functools.partial(visit, p, o) for p, o in zip(run.people, run.outcomes, strict=True)]
    arrived = threading.Event()
    guard = threading.Thread(
        target=guard_memory, args=(sampler, run.outcomes, floor_mib, arrived), daemon=True
    )
    guard.start()
    try:
        started = arrive_evenly(visits, spread_s, halt=sampler.low_memory)
    finally:
        arrived.set()
        guard.join()
    run.not_started = len(visits) - len(started)
    run.arrived = run.began + spread_s * (len(started) - 1) / max(1, len(visits) - 1)
    run.ended = max((o.left_at for o in run.outcomes if o.left_at), default=time.monotonic())
    print(f"  the last person left {run.ended - run.began:.0f} s after the first arrived", flush=True)
    return sampler


def stop_every_server(run: Run, hub: Hub, browsers: dict[str, HubBrowser], wait_s: float = 180) -> None:
    """Every person stops their own server, as the hub's home page (or the idle culler) does; the time
    until no single-user server is left, and the memory then."""
    assert run.sampler is not None
    run.kernels_before_stop = kernel_count(hub.proc.pid)
    began = time.monotonic()
    threads = [
        threading.Thread(target=browser.stop_server, args=(user,), daemon=True)
        for user, browser in browsers.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    while time.monotonic() < began + wait_s:
        sample = run.sampler.sample()
        if "single-user server" not in sample.by_kind and "kernel" not in sample.by_kind:
            break
        time.sleep(1)
    run.stop_s = time.monotonic() - began
    run.after_stop_mib = run.sampler.sample().rss_mib


def import_cost(modules: tuple[str, ...] = SERVER_MODULES) -> tuple[float, str, float]:
    """CPU seconds a fresh Python spends importing a single-user server's modules (every spawn pays it
    before it serves), and the module that takes longest by itself, with its seconds (-X importtime)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", f"import {', '.join(modules)}"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    name, own_us = slowest_import(done.stderr)
    return spent, name, own_us / 1e6


def slowest_import(importtime: str) -> tuple[str, int]:
    """The module with the largest own import time in `python -X importtime` output, and its
    microseconds."""
    slowest = ("", 0)
    for line in importtime.splitlines():
        if not line.startswith("import time:"):
            continue
        own, _cumulative, name = (part.strip() for part in line[len("import time:") :].split("|"))
        if own.isdigit() and int(own) > slowest[1]:
            slowest = (name, int(own))
    return slowest


# -- the figures -----------------------------------------------------------------------------------
def print_run(run: Run, baseline: Run | None, goals: bool) -> None:
    header(run.name)
    sampler = run.sampler
    assert sampler is not None
    ready = run.times(lambda o: o.interactive_s)
    spawns = run.times(lambda o: o.spawn_s)
    spawn_failures = sum(o.spawn_failed for o in run.outcomes) + run.not_started
    errors = [o.error for o in run.outcomes if o.error and not o.spawn_failed]

    def base(pick):
        return pick(baseline) if baseline else None

    def base_pct(pct: float):
        return base(lambda b: percentile(b.times(lambda o: o.interactive_s) or [0.0], pct))

    if ready:
        report("sign-in to interactive p50", percentile(ready, 50), "s", baseline=base_pct(50))
        report(
            "sign-in to interactive p95",
            percentile(ready, 95),
            "s",
            goal=f"< {P95_GOAL_S:g}" if goals else None,
            baseline=base_pct(95),
        )
        report(
            "sign-in to interactive max",
            max(ready),
            "s",
            baseline=base(lambda b: max(b.times(lambda o: o.interactive_s) or [0.0])),
        )
    if spawns:
        report("  of which the spawn, p50", percentile(spawns, 50), "s")
        report("  of which the spawn, p95", percentile(spawns, 95), "s")
    report("interactive", len(ready), "", baseline=base(lambda b: len(b.times(lambda o: o.interactive_s))))
    if baseline is not None or goals:
        report("spawn failures", spawn_failures, "", goal="== 0" if goals else None)
    report(
        "other errors",
        len(errors),
        "",
        goal="== 0" if goals else None,
        baseline=base(lambda b: len([o for o in b.outcomes if o.error])),
    )
    for error in sorted(set(o.error for o in run.outcomes if o.error))[:6]:
        print(f"    e.g. {error[:200]}")
    if run.not_started:
        print(
            f"    {run.not_started} people never signed in: the machine's free memory, less what the "
            f"people still coming in would take, fell below the floor (--memory-floor)"
        )
    if run.lost_saves is not None:
        report(
            "lost saves (last edit not stored)",
            run.lost_saves,
            "",
            goal="== 0" if goals else None,
            baseline=base(lambda b: b.lost_saves),
        )
    report(
        "peak memory, all processes",
        sampler.peak_mib,
        "MiB",
        goal=f"< {PEAK_GOAL_MIB}" if goals else None,
        baseline=base(lambda b: b.sampler.peak_mib),
    )
    peak = sampler.peak
    if peak is not None:
        for kind, (count, mib) in sorted(peak.by_kind.items()):
            report(f"  {kind} x{count}, each", mib / count, "MiB")
        lowest = min(s.available_mib for s in sampler.samples)
        report("machine's free memory at its lowest", lowest, "MiB")
        report("  fall from the start (others' use too)", sampler.samples[0].available_mib - lowest, "MiB")
    people = max(1, len(run.outcomes) - run.not_started)
    report(
        "CPU time per person (all processes)",
        sampler.cpu_seconds() / people,
        "s",
        baseline=base(lambda b: b.sampler.cpu_seconds() / max(1, len(b.outcomes))),
    )
    for kind, (count, seconds) in sorted(sampler.cpu_seconds_by_kind().items()):
        report(f"  CPU time, {kind} ({count} seen), each", seconds / count, "s")
    report(
        "machine's CPU saturated, people arriving",
        100 * sampler.busy_share(run.began, run.ended),
        "%",
        baseline=base(lambda b: 100 * b.sampler.busy_share(b.began, b.ended)),
    )
    if run.after_stop_mib is not None:
        report("kernels running before the stop", run.kernels_before_stop, "")
        report("memory after every server stopped", run.after_stop_mib, "MiB")
        report("time until every server stopped", run.stop_s, "s")


def print_limits(run: Run, spread_s: float, imports: tuple[float, str, float] | None) -> None:
    """What limits the hub run, and where the next bottleneck is, from its own figures."""
    sampler = run.sampler
    assert sampler is not None and sampler.peak is not None
    people = max(1, len(run.outcomes) - run.not_started)
    cpu_each = max(sampler.cpu_seconds() / people, 0.01)
    cores = os.cpu_count() or 1
    by_kind = sampler.peak.by_kind
    servers, server_mib = by_kind.get("single-user server", (0, 0.0))
    kernels, kernel_mib = by_kind.get("kernel", (0, 0.0))
    fixed_mib = sum(mib for kind, (_n, mib) in by_kind.items() if kind in ("server", "proxy"))
    per_person = server_mib / max(1, servers) + kernel_mib / max(1, kernels)
    header("what limits it")
    print(
        f"  CPU: each person costs about {cpu_each:.1f} CPU-seconds (spawn, sign-in, page and kernel), "
        f"so {cores} cores build at most {60 * cores / cpu_each:.0f} people a minute; this run asked "
        f"for {60 * len(run.outcomes) / max(spread_s, 1):.0f} a minute and the machine's CPU was saturated "
        f"{100 * sampler.busy_share(run.began, run.ended):.0f}% of the time people arrived. When the "
        "arrival rate is above that, sign-ins queue and p95 grows with the queue.",
        flush=True,
    )
    timed_out = sum(1 for o in run.outcomes if o.spawn_failed and "didn't respond" in (o.error or ""))
    if timed_out:
        print(
            f"  {timed_out} spawns failed because the server did not answer the hub in time (the deploy "
            "config's Spawner.http_timeout) while the cores were saturated: a server that needs a few "
            "CPU-seconds to start gets a small share of two cores when many start at once; the hub then "
            "gives it up, and the CPU it used is lost, so the queue grows faster still.",
            flush=True,
        )
    spawned = sampler.cpu_seconds_by_kind().get("single-user server")
    if imports is not None and spawned:
        spent, module, own_s = imports
        print(
            f"  A single-user server uses {spawned[1] / spawned[0]:.1f} CPU-seconds; a fresh Python "
            f"importing its modules uses {spent:.1f} of them before serving anything (the slowest "
            f"module by itself: {module}, {own_s:.1f} s).",
            flush=True,
        )
    print(
        f"  Memory: a person costs about {per_person:.0f} MiB while their page is open (their own "
        f"server {server_mib / max(1, servers):.0f} MiB + their page's kernel "
        f"{kernel_mib / max(1, kernels):.0f} MiB), "
        f"the hub and proxy {fixed_mib:.0f} MiB: 24 GiB hold about "
        f"{(PEAK_GOAL_MIB - fixed_mib) / max(per_person, 1):.0f} people with a page open at once "
        "(RSS counts the shared libraries in every process, so this is an upper bound). A server stays "
        "after its page closes, until the person stops it or the idle culler does "
        "(WORKBOOK_HUB_CULL_IDLE_SECONDS, default an hour, needs jupyterhub-idle-culler).",
        flush=True,
    )
    capacity = (PEAK_GOAL_MIB - fixed_mib) / max(per_person, 1)
    rate = 60 * cores / cpu_each
    print(
        f"  Next bottleneck: with arrivals the cores keep up with ({len(run.outcomes)} people over at "
        f"least {len(run.outcomes) / rate:.0f} minutes, or more cores), memory: about {capacity:.0f} "
        "people with a page open fit in 24 GB, and a server stays until it is stopped, so the idle "
        "culler's timeout decides how many people one machine serves in a day. Every person's server "
        "is a whole Jupyter server, which `workbook serve` shares among everyone (compare its peak).",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100, help="people signing in (100)")
    parser.add_argument("--spread", type=float, default=300.0, help="seconds over which they arrive (300)")
    parser.add_argument("--edits", type=int, default=3, help="edits each team member types (3)")
    parser.add_argument("--gap", type=float, default=1.0, help="seconds between a person's edits (1.0)")
    parser.add_argument("--manager-every", type=int, default=7, help="one person in N is a manager (7)")
    parser.add_argument(
        "--memory-floor",
        type=float,
        default=3072,
        help="MiB of the machine's free memory below which no more people sign in (3072)",
    )
    parser.add_argument(
        "--extra-config",
        type=Path,
        help="a Python file of hub settings read after the deploy config (its WORKBOOK_HUB_EXTRA_CONFIG "
        "knob), to measure a variant; the figures are then not the deploy config's",
    )
    parser.add_argument("--skip-serve", action="store_true", help="only the hub run")
    parser.add_argument("--skip-stop", action="store_true", help="leave out stopping every server")
    args = parser.parse_args(argv)
    missing = hub_tools_missing()
    if missing:
        raise SystemExit(f"cannot run the hub benchmark: {missing}")

    imports = import_cost()
    password = secrets.token_urlsafe(16)
    key, dom_class = first_text_field()
    with tempfile.TemporaryDirectory(prefix="hub-load-") as tmp:
        tmp_path = Path(tmp)
        data_dir, state_dir = tmp_path / "data", tmp_path / "hub"
        data_dir.mkdir()
        state_dir.mkdir()
        people = seed_people(data_dir, args.users, args.manager_every, key)
        managers = sum(p.role == "manager" for p in people)
        print(
            f"{len(people)} people ({len(people) - managers} team members, {managers} managers) sign in "
            f"over {args.spread:.0f} s on the hub ...",
            flush=True,
        )
        hub_run = Run("JupyterHub: sign in, spawn, home app", people)
        hub_texts = edit_texts("hub", args.edits)
        if args.extra_config is not None:
            hub_run.name += f" (with {args.extra_config.name})"
        with jupyterhub(state_dir, data_dir, password, args.extra_config) as hub:
            browsers: dict[str, HubBrowser] = {}
            visit = functools.partial(hub_visit_for, hub, password, browsers, hub_texts, args.gap, dom_class)
            sampler = load(hub_run, hub.proc.pid, visit, args.spread, args.memory_floor)
            hub.also_stop.extend(list(sampler.seen.values()))
            try:
                if not args.skip_stop:
                    stop_every_server(hub_run, hub, browsers)
            finally:
                sampler.__exit__(None, None, None)
        if hub_texts:
            hub_run.lost_saves = lost_saves(data_dir, hub_run, key, hub_texts)

        serve_run = None
        if not args.skip_serve:
            print(f"the same people open their personal links on workbook serve over {args.spread:.0f} s ...")
            serve_run = Run("workbook serve: personal links (baseline)", people)
            serve_texts = edit_texts("serve", args.edits)
            shown = stored_answers(data_dir, people, key)
            with workbook_serve(data_dir) as server:
                visit = functools.partial(serve_visit, server.base, serve_texts, args.gap, dom_class, shown)
                sampler = load(serve_run, server.proc.pid, visit, args.spread, args.memory_floor)
                sampler.__exit__(None, None, None)
            if serve_texts:
                serve_run.lost_saves = lost_saves(data_dir, serve_run, key, serve_texts)

        print_run(hub_run, serve_run, goals=True)
        if serve_run is not None:
            print_run(serve_run, None, goals=False)
        print_limits(hub_run, args.spread, imports)
    return 0


def hub_visit_for(
    hub: Hub,
    password: str,
    browsers: dict[str, HubBrowser],
    texts: list[str],
    gap_s: float,
    dom_class: str,
    person: Person,
    outcome: Outcome,
) -> None:
    finder = field_finder(dom_class, saved_answer(person))
    hub_visit(hub, person, password, outcome, browsers, texts, gap_s, finder)


def serve_visit(
    base: str,
    texts: list[str],
    gap_s: float,
    dom_class: str,
    shown: dict[int, str | None],
    person: Person,
    outcome: Outcome,
) -> None:
    """One person on `workbook serve`: their personal link, interactive (a team member's field showing
    what is stored for them), then type."""
    path = f"/voila/render/{person.home}?code={person.code}"
    member = person.role == "team_member"
    open_link_and_type(
        base,
        path,
        outcome,
        texts if member else (),
        gap_s,
        field_finder(dom_class, shown.get(person.person_id)) if member else None,
        expect_class=HOME[person.role][1],
    )


if __name__ == "__main__":
    raise SystemExit(main())
