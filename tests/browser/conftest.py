"""A real `workbook serve` and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbook.devtools import CHROMIUM, CHROMIUM_FLAGS, free_port, wait_until_serving
from workbook.store import Store

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


class Server:
    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "WORKBOOK_DATA_DIR": str(data_dir),
            "WORKBOOK_BASE_URL": self.base,
        }
        self.env.pop("WORKBOOK_DATABASE_URL", None)
        self.env["WORKBOOK_EVALUATOR_KEY"] = "browser-test-evaluator-key-0123456789"
        self.db_url = f"sqlite:///{data_dir / 'workbook.sqlite'}"
        self.log = (data_dir / "serve.log").open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "workbook.cli", "serve", "--port", str(self.port)],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_until_serving(f"{self.base}/voila/tree", self.proc, data_dir / "serve.log")
        self.store = Store(self.db_url)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/ensure-chromium.sh (make test does)")
    running = Server(tmp_path_factory.mktemp("served"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def chromium():
    """One browser for the run. (Playwright's sync API keeps an event loop running in the process while it
    is open: the browser tests run in a process of their own, see scripts/run-tests.sh.)"""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=list(CHROMIUM_FLAGS), headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, request):
    context = chromium.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    opened = context.new_page()
    opened.set_default_timeout(60_000)
    dialogs: list[str] = []
    opened.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    opened.dialogs = dialogs  # type: ignore[attr-defined]
    yield opened
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        opened.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    finally:
        context.close()


def forget_sign_in_failures(store: Store) -> None:
    """Every browser comes from 127.0.0.1: one test's wrong codes must not lock the next test out. (A
    module's pages opened in a module-scoped fixture start before the per-test clean-up: call it there.)"""
    from sqlalchemy import delete

    from workbook.models import SignInFailure

    with store.write() as session:
        session.execute(delete(SignInFailure))


@pytest.fixture(autouse=True)
def no_earlier_sign_in_failures(server):
    forget_sign_in_failures(server.store)
    yield


@pytest.fixture(autouse=True)
def links_point_at_the_server(server, monkeypatch):
    """Personal links made in a test lead to the server under test."""
    monkeypatch.setenv("WORKBOOK_BASE_URL", server.base)
