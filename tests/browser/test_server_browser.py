"""What a visitor's browser sees of the server's guards: nothing loaded from another host, and an idle
page that closes with its text saved."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

from tests.serving import ServedApps, kernel_ids_under
from workbook import identity
from workbook.apps.registry import available_apps
from workbook.preparation import SCOPE

pytestmark = pytest.mark.browser

IDLE_S = 10


def test_no_app_loads_anything_from_another_host(server, page):
    """Every app, signed in where there is a sign-in: every request goes to the server itself."""
    foreign: list[str] = []
    requests: list[str] = []

    def note(request) -> None:
        requests.append(request.url)
        if urlsplit(request.url).hostname not in ("127.0.0.1", None) and not request.url.startswith("data:"):
            foreign.append(request.url)

    page.on("request", note)
    participant = identity.add_participant(server.store, "Offline Reader")
    key = server.env["WORKBOOK_EVALUATOR_KEY"]
    visits = [(server.url("/voila/render/index.ipynb"), ".wb-landing"), (participant.url, ".wb-workbook")]
    for app in available_apps():
        query = f"?key={key}" if app.notebook == "evaluator.ipynb" else ""
        visits.append((server.url(f"{app.path}{query}"), ".wb-app"))
    for url, ready in visits:
        page.goto(url)
        page.wait_for_selector(ready, timeout=90_000)
        page.wait_for_load_state("networkidle")
    assert len(requests) > 50  # the pages really loaded their scripts, styles and fonts
    assert foreign == [], f"{len(foreign)} requests to other hosts"


def test_closing_the_tab_gives_the_kernel_back_at_once(server, chromium):
    """Voila's unload beacon is accepted from the page's own browser (no need to wait for the 2 minutes)."""
    context = chromium.new_context()
    try:
        tab = context.new_page()
        before = kernel_ids_under(server.proc.pid)
        tab.goto(server.url("/voila/render/participant.ipynb"))
        tab.wait_for_selector(".wb-signin", timeout=90_000)
        mine = kernel_ids_under(server.proc.pid) - before
        assert len(mine) == 1
        tab.close(run_before_unload=True)
        deadline = time.monotonic() + 20
        while mine & kernel_ids_under(server.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not mine & kernel_ids_under(server.proc.pid)
    finally:
        context.close()


@pytest.fixture(scope="module")
def short_idle(tmp_path_factory):
    served = ServedApps(
        tmp_path_factory.mktemp("idle"),
        {"WORKBOOK_IDLE_CLOSE_SECONDS": str(IDLE_S), "WORKBOOK_PAGE_GONE_SECONDS": "5"},
    )
    yield served
    served.stop()


def test_idle_page_closes_with_its_text_saved_and_reload_shows_it(short_idle, page):
    issued = identity.add_participant(short_idle.store, "Long Lunch")
    link = f"{short_idle.base}/voila/render/participant.ipynb?code={issued.code}"
    page.goto(link)
    page.wait_for_selector(".wb-workbook", timeout=90_000)
    kernels_with_page = short_idle.kernel_ids()
    box = page.locator(".wb-field-self_awareness-strengths textarea")
    box.fill("Patient with new colleagues")
    page.wait_for_selector(".wb-page-closed", timeout=(IDLE_S + 30) * 1000)
    assert "without activity: reload to go on" in page.inner_text(".wb-page-closed")
    assert short_idle.wait_until(lambda: len(short_idle.kernel_ids()) < len(kernels_with_page), timeout=20)
    assert short_idle.store.current_answers(issued.person.id, SCOPE)["self_awareness.strengths"].value == (
        "Patient with new colleagues"
    )
    page.reload()
    page.wait_for_selector(".wb-workbook", timeout=90_000)
    assert box.input_value() == "Patient with new colleagues"
