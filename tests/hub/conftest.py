"""A real JupyterHub (deploy/jupyterhub/jupyterhub_config.py, with only the authenticator, ports and folders
set through its environment knobs) on a temporary store, and Debian's Chromium driven by Playwright.

The tier runs in a pytest process of its own (scripts/run-tests.sh): Playwright's sync API keeps an event
loop running while it is open. Every process the hub starts (the proxy, the single-user servers and their
kernels) is found and ended when the module is done, even when a test fails.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

from workbook import identity
from workbook.config import REPO_ROOT
from workbook.devtools import CHROMIUM, CHROMIUM_FLAGS, free_port
from workbook.preparation import SCOPE
from workbook.store import Store

CONFIG = REPO_ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
PROXY = REPO_ROOT / "tests" / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
ARTIFACTS = REPO_ROOT / "test-artifacts"
PASSWORD = "hub-test-password-" + secrets.token_hex(4)
SERVICE_TOKEN = secrets.token_hex(32)

# The people: two tied to hub users, one hub user the workbook does not know.
TEAM_MEMBER, MANAGER, STRANGER = "ana", "mo", "zed"
TEAM_MEMBER_ANSWER = "ANA-OWN-STRENGTH-7731"

# What the tests add to the hub through WORKBOOK_HUB_EXTRA_CONFIG: a service whose token may reach any
# server, standing in for an operator's script (the tests start the servers side by side with it, and read
# the author server's kernel).
EXTRA_CONFIG = """
c.JupyterHub.services.append({{"name": "workbook-tests", "api_token": "{token}"}})
c.JupyterHub.load_roles.append(
    {{
        "name": "workbook-tests",
        "scopes": ["access:servers", "servers", "read:users"],
        "services": ["workbook-tests"],
    }}
)
"""


class Hub:
    """One JupyterHub with its proxy, started from the project's config; `stop` ends every process."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        data = folder / "store"
        data.mkdir()
        (folder / "state").mkdir()
        extra = folder / "extra_config.py"
        extra.write_text(EXTRA_CONFIG.format(token=SERVICE_TOKEN))
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("WORKBOOK_", "JUPYTERHUB_", "JUPYTER_"))
        }
        self.env.update(
            {
                "WORKBOOK_DATA_DIR": str(data),
                "WORKBOOK_EVALUATOR_KEY": secrets.token_urlsafe(24),  # a secret the author must not get
                "WORKBOOK_HUB_AUTHENTICATOR": "dummy",
                "WORKBOOK_HUB_DUMMY_PASSWORD": PASSWORD,
                "WORKBOOK_HUB_ALLOWED_USERS": f"{TEAM_MEMBER},{MANAGER},{STRANGER}",
                "WORKBOOK_HUB_AUTHORS": MANAGER,
                "WORKBOOK_HUB_SPAWNER": "simple",
                "WORKBOOK_HUB_HOME_TEMPLATE": str(folder / "home" / "{username}"),
                "WORKBOOK_HUB_PORT": str(self.port),
                "WORKBOOK_HUB_INTERNAL_PORT": str(free_port()),
                "WORKBOOK_HUB_PROXY_API_PORT": str(free_port()),
                "WORKBOOK_HUB_STATE_DIR": str(folder / "state"),
                "WORKBOOK_HUB_PROXY_COMMAND": str(PROXY),
                "WORKBOOK_HUB_SINGLEUSER": str(Path(sys.executable).parent / "jupyterhub-singleuser"),
                "WORKBOOK_HUB_EXTRA_CONFIG": str(extra),
            }
        )
        self.store = Store(f"sqlite:///{data / 'workbook.sqlite'}")
        self.people = seed_people(self.store)  # before any server starts
        self.log_path = folder / "hub.log"
        self.log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)],
            cwd=folder / "state",
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_until_up()

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def _wait_until_up(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(self.url("/hub/api"), timeout=5)
                return
            except (OSError, urllib.error.HTTPError) as exc:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"the hub did not start:\n{self.log_path.read_text()}") from exc
                time.sleep(0.3)

    def api(self, path: str, method: str = "GET") -> urllib.request.Request:
        """A request to the hub or a server with the tests' service token."""
        request = urllib.request.Request(self.url(path), method=method)
        request.add_header("Authorization", f"token {SERVICE_TOKEN}")
        return request

    def start_servers(self, *servers: str) -> None:
        """Ask the hub to start these servers ("user" or "user/name") now, side by side, so that a person
        signing in later finds theirs starting or ready."""
        for server in servers:
            user, _, name = server.partition("/")
            path = f"/hub/api/users/{user}/servers/{name}" if name else f"/hub/api/users/{user}/server"
            urllib.request.urlopen(self.api(path, method="POST"), timeout=60)

    def processes(self) -> list[psutil.Process]:
        """The hub and everything it started, found by working folder (the hub and proxy run in the state
        folder, each single-user server in its home below this folder) and by descent (the kernels), so
        that none is missed even if the hub itself has died."""
        found: dict[int, psutil.Process] = {}
        for proc in psutil.process_iter(["cwd"]):
            cwd = proc.info.get("cwd") or ""
            if cwd == str(self.folder) or cwd.startswith(f"{self.folder}/"):
                found[proc.pid] = proc
        for proc in list(found.values()):
            try:
                found.update({child.pid: child for child in proc.children(recursive=True)})
            except psutil.NoSuchProcess:
                pass
        return list(found.values())

    def stop(self) -> None:
        started = self.processes()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # the hub stops the servers and the proxy
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        for proc in started:  # whatever is left, even after a failure
            try:
                proc.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(started, timeout=10)
        self.log.close()


def seed_people(store: Store) -> dict[str, identity.Person]:
    """A team member with a saved answer and a manager (also a facilitator, and a content author on the
    hub), each tied to their hub user name."""
    ana = identity.add_participant(store, "Ana Teammember", hub_user=TEAM_MEMBER).person
    store.save_answer(ana.id, SCOPE, "self_awareness.strengths", TEAM_MEMBER_ANSWER)
    mo = identity.add_participant(
        store,
        "Mo Managerperson",
        roles=["manager:North", "facilitator:North"],
        hub_user=MANAGER,
        allow_privileged=True,
    ).person
    return {TEAM_MEMBER: ana, MANAGER: mo}


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/ensure-chromium.sh (make test does)")
    if not PROXY.exists():
        pytest.fail(f"{PROXY} is missing: run scripts/ensure-hub.sh (make setup-test does)")
    running = Hub(tmp_path_factory.mktemp("hub"))
    try:
        running.start_servers(TEAM_MEMBER, MANAGER, STRANGER, f"{MANAGER}/author")
    except Exception:
        running.stop()
        raise
    yield running
    running.stop()
    assert running.processes() == [], "a process the hub started outlived it"


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=list(CHROMIUM_FLAGS), headless=True
        )
        yield browser
        browser.close()
