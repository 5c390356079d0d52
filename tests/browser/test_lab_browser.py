"""`workbook lab`: JupyterLab on the notebooks; an app run in it works as it does in Voila."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest

from workbook import identity
from workbook.devtools import free_port, wait_until_serving
from workbook.preparation import SCOPE
from workbook.store import Store

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    data = tmp_path_factory.mktemp("lab")
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "WORKBOOK_DATA_DIR": str(data), "JUPYTER_TOKEN": token}
    env.pop("WORKBOOK_DATABASE_URL", None)
    log = data / "lab.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "workbook.cli",
                "lab",
                "--port",
                str(port),
                "--",
                "--LabApp.expose_app_in_browser=True",
                "--allow-root",  # a CI machine runs the tests as root
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(f"{base}/api/status?token={token}", proc, log)
        yield base, token, Store(f"sqlite:///{data / 'workbook.sqlite'}"), log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_the_participant_notebook_runs_in_jupyterlab_and_saves(lab, page):
    base, token, store, log = lab
    issued = identity.add_participant(store, "Lab Visitor")
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda r: elsewhere.append(r.url) if not r.url.startswith((base, "data:", "blob:")) else None,
    )
    page.goto(f"{base}/lab/tree/notebooks/participant.ipynb?token={token}")
    page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget", timeout=90_000)
    page.wait_for_selector(
        ".jp-Notebook-ExecutionIndicator[data-status='idle'], .jp-Notebook", timeout=90_000
    )
    page.evaluate(
        """async () => {
            const app = window.jupyterapp;
            await app.shell.currentWidget.context.sessionContext.ready;
            await app.commands.execute('notebook:run-all-cells');
        }"""
    )
    page.wait_for_selector(".wb-signin", timeout=90_000)
    page.fill(".wb-code input", issued.code)
    page.click(".wb-open button, button.wb-open")
    page.wait_for_selector(".wb-workbook", timeout=90_000)
    assert "Lab Visitor" in page.inner_text(".wb-whoami")
    field = page.locator(".wb-field-self_awareness-strengths textarea")
    field.fill("Written inside JupyterLab")
    field.press("Tab")
    page.wait_for_selector(".wb-section-self_awareness :text('Last changed')", timeout=30_000)
    saved = {}
    for _ in range(60):
        saved = store.current_answers(issued.person.id, SCOPE)
        if "self_awareness.strengths" in saved:
            break
        page.wait_for_timeout(500)
    assert saved["self_awareness.strengths"].value == "Written inside JupyterLab"
    assert elsewhere == [], elsewhere
