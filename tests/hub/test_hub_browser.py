"""The workbook under a real JupyterHub, in Chromium: each person signs in on the hub and reaches their own
home app in their own apps-only server, signed in as themselves with no code; nobody reaches another
person's server; a person's server serves the apps and nothing else (no JupyterLab, files, terminals, or
code run through the kernel websocket); a hub user the workbook does not know is told so; content authors
get JupyterLab in a second server that holds none of the store's settings."""

from __future__ import annotations

import json
import re
import urllib.request
from dataclasses import dataclass
from typing import Any

import pytest
import websocket

from workbook.server.visitor import KERNEL_ID, KernelSocket

from .conftest import (
    ARTIFACTS,
    MANAGER,
    PASSWORD,
    SERVICE_TOKEN,
    STRANGER,
    TEAM_MEMBER,
    TEAM_MEMBER_ANSWER,
)

pytestmark = pytest.mark.hub

SIGN_IN_TIMEOUT_MS = 240_000  # the hub starts the person's server, then the page's kernel runs the app


@dataclass
class Person:
    context: Any
    page: Any
    landing_headers: dict[str, str]


def sign_in(chromium, hub, user: str, landing: str) -> Person:
    """Sign in on the hub's login page and follow it to the URL the person lands on."""
    context = chromium.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(120_000)
    headers: dict[str, str] = {}

    def keep_landing_headers(response: Any) -> None:
        if re.search(landing, response.url) and response.request.resource_type == "document":
            headers.update(response.headers)

    page.on("response", keep_landing_headers)
    page.goto(hub.url("/hub/login"))
    page.fill("#username_input", user)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    try:
        page.wait_for_url(re.compile(landing), timeout=SIGN_IN_TIMEOUT_MS)
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"hub-sign-in-{user}.png"), full_page=True)
        raise
    return Person(context, page, headers)


def kernel_of(person: Person) -> str:
    found = KERNEL_ID.search(person.page.content())
    assert found, "the page names no kernel"
    return found.group(1)


def cookies_for(person: Person, url: str) -> str:
    return "; ".join(f"{c['name']}={c['value']}" for c in person.context.cookies(url))


@pytest.fixture(scope="module")
def ana(chromium, hub):
    person = sign_in(chromium, hub, TEAM_MEMBER, rf"/user/{TEAM_MEMBER}/voila/render/participant\.ipynb$")
    person.page.wait_for_selector(".wb-workbook", timeout=SIGN_IN_TIMEOUT_MS)
    yield person
    person.context.close()


@pytest.fixture(scope="module")
def mo(chromium, hub):
    person = sign_in(chromium, hub, MANAGER, rf"/user/{MANAGER}/voila/render/manager\.ipynb$")
    person.page.wait_for_selector(".wb-manager-home", timeout=SIGN_IN_TIMEOUT_MS)
    yield person
    person.context.close()


def test_each_person_reaches_their_own_home_app_signed_in_by_the_hub(hub, ana, mo):
    page = ana.page
    assert "Ana Teammember" in page.inner_text(".wb-whoami")
    assert page.locator(".wb-code, .wb-signin input").count() == 0  # no code to type under a hub
    assert TEAM_MEMBER_ANSWER in page.locator(".wb-field-self_awareness-strengths textarea").input_value()
    assert "Mo Managerperson" not in page.content()

    page = mo.page
    assert "Mo Managerperson" in page.inner_text(".wb-whoami")
    links = page.locator(".wb-lesson-link")
    assert links.count() >= 3
    assert links.first.get_attribute("href") == "lesson-why.ipynb"  # no code in any link under a hub
    html = page.content()
    assert TEAM_MEMBER_ANSWER not in html and "Ana Teammember" not in html


def test_the_single_user_server_runs_with_the_workbooks_voila_settings(hub, ana):
    """The headers of voila.json are on the page, and the server says the rest is in force (it stops
    otherwise: tests/test_apps_only.py)."""
    headers = ana.landing_headers
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers.get("referrer-policy") == "no-referrer"
    assert headers.get("x-frame-options") == "SAMEORIGIN"
    log = hub.log_path.read_text()
    assert "the workbook's Voila and kernel settings are in force" in log
    assert "Workbook guards installed" in log


def test_nobody_reaches_another_persons_server_or_page_kernel(hub, ana, mo):
    mo_kernel = kernel_of(mo)
    probe = ana.context.new_page()
    try:
        response = probe.goto(hub.url(f"/user/{MANAGER}/voila/render/manager.ipynb"))
        assert response.status == 403 or f"/user/{TEAM_MEMBER}/" in probe.url
        assert "Mo Managerperson" not in probe.content() and probe.locator(".wb-manager-home").count() == 0
    finally:
        probe.close()
    for path in (f"/user/{MANAGER}/api/kernels/{mo_kernel}", f"/user/{MANAGER}/workbook/home"):
        response = ana.context.request.get(hub.url(path))
        assert response.status in (403, 404), path
        assert mo_kernel not in response.text() and "Mo Managerperson" not in response.text()
    # nor through a websocket to the other person's page kernel, with every cookie the browser holds
    with pytest.raises(websocket.WebSocketException):
        KernelSocket(hub.url(f"/user/{MANAGER}"), mo_kernel, cookies_for(ana, hub.url(f"/user/{MANAGER}/")))


REFUSED_ROUTES = (
    "/lab",
    "/lab/tree/participant.ipynb",
    "/tree",
    "/notebooks/participant.ipynb",
    "/edit/participant.ipynb",
    "/api/contents",
    "/api/contents/participant.ipynb",
    "/terminals/1",
    "/api/terminals",
    "/api/sessions",
    "/api/kernels",
    "/api/kernelspecs",
    "/files/participant.ipynb",
    "/nbconvert/html/participant.ipynb",
    "/voila/tree",
    "/voila/api/contents",
    "/api/status",
    "/api/events/subscribe",
)


def test_a_team_members_server_serves_the_apps_only(hub, ana):
    base = f"/user/{TEAM_MEMBER}"
    request = ana.context.request
    for path in REFUSED_ROUTES:
        response = request.get(hub.url(base + path), max_redirects=0)
        assert response.status in (403, 404), f"{path} answered {response.status}"
    xsrf = next((c["value"] for c in ana.context.cookies(hub.url(base + "/")) if c["name"] == "_xsrf"), "")
    for path in ("/api/kernels", "/api/sessions", "/api/terminals", "/api/contents/new.ipynb"):
        response = request.post(
            hub.url(base + path), data=json.dumps({"name": "python3"}), headers={"X-XSRFToken": xsrf}
        )
        assert response.status in (403, 404), f"POST {path} answered {response.status}"
    # what a page needs is served: its own kernel's model, to the visit that owns it
    own = request.get(hub.url(f"{base}/api/kernels/{kernel_of(ana)}"))
    assert own.status == 200 and own.json()["id"] == kernel_of(ana)


def test_a_raw_websocket_client_cannot_run_code_on_the_page_kernel(hub, ana, tmp_path):
    marker = tmp_path / "code-ran"
    socket = KernelSocket(
        hub.url(f"/user/{TEAM_MEMBER}"), kernel_of(ana), cookies_for(ana, hub.url(f"/user/{TEAM_MEMBER}/"))
    )
    seen = []
    try:
        assert socket.widget_states()  # the page's own socket, open and answering the widget protocol
        sent = socket.send(
            "execute_request",
            {
                "code": f"open({str(marker)!r}, 'w').write('ran')",
                "silent": False,
                "store_history": False,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
        )
        try:
            seen = socket.collect(8)
        except websocket.WebSocketException:
            pass  # refusing may close the connection: nothing ran either way
    finally:
        socket.close()
    replies = [m for m in seen if m.parent_header.get("msg_id") == sent and m.msg_type == "execute_reply"]
    assert replies == []
    assert not marker.exists()


def test_a_hub_user_not_in_the_workbook_is_told_so(hub, chromium):
    stranger = sign_in(chromium, hub, STRANGER, rf"/user/{STRANGER}/workbook/home")
    try:
        message = stranger.page.inner_text("[role=alert]")
        assert f"Your hub account {STRANGER} is not in the workbook yet" in message
        stranger.page.goto(hub.url(f"/user/{STRANGER}/voila/render/participant.ipynb"))
        stranger.page.wait_for_selector(".wb-signin-message .wb-error", timeout=SIGN_IN_TIMEOUT_MS)
        assert "is not in the workbook yet" in stranger.page.inner_text(".wb-signin-message")
        assert stranger.page.locator(".wb-workbook").count() == 0
    finally:
        stranger.context.close()


def printed_by(socket: KernelSocket, code: str, timeout: float = 90) -> str:
    """Run code on a kernel (a JupyterLab kernel: the author's) and return what it printed."""
    sent = socket.send("execute_request", {"code": code, "silent": False, "stop_on_error": True})
    printed: list[str] = []

    def finished(message: Any) -> bool:
        if message.parent_header.get("msg_id") != sent:
            return False
        if message.msg_type == "stream":
            printed.append(message.content["text"])
        if message.msg_type == "error":
            raise AssertionError(f"{message.content['ename']}: {message.content['evalue']}")
        return message.msg_type == "status" and message.content.get("execution_state") == "idle"

    socket.wait_for(finished, timeout)
    return "".join(printed)


def test_content_authors_get_jupyterlab_without_the_store(hub, ana, mo):
    refused = ana.context.request.get(hub.url(f"/hub/spawn/{TEAM_MEMBER}/author"), max_redirects=0)
    assert refused.status == 403

    lab = mo.context.new_page()
    lab.goto(hub.url(f"/hub/spawn/{MANAGER}/author"))
    lab.wait_for_url(re.compile(rf"/user/{MANAGER}/author/lab"), timeout=SIGN_IN_TIMEOUT_MS)
    lab.wait_for_selector('.jp-DirListing-item:has-text("lessons.yaml")', timeout=120_000)

    # the author server's kernel environment, read through the hub with the tests' service token
    base = f"/user/{MANAGER}/author"
    request = hub.api(f"{base}/api/kernels", method="POST")
    request.add_header("Content-Type", "application/json")
    request.data = json.dumps({"name": "python3"}).encode()
    kernel = json.load(urllib.request.urlopen(request, timeout=60))["id"]
    socket = KernelSocket(hub.url(base), kernel, headers=(f"Authorization: token {SERVICE_TOKEN}",))
    code = (
        "import json, os\n"
        "from workbook.apps.preview import preview_app\n"
        "page = preview_app()\n"
        "print(json.dumps({'environment': dict(os.environ), 'classes': list(page._dom_classes)}))\n"
    )
    try:
        shown = json.loads(printed_by(socket, code))
    finally:
        socket.close()
    environment = shown["environment"]
    assert "wb-preview" in shown["classes"]  # the content preview opens there, without the store
    store_settings = {"WORKBOOK_DATABASE_URL", "WORKBOOK_DATA_DIR", "WORKBOOK_PUBLISHED_CONTENT_DIR"}
    assert not store_settings & set(environment)
    assert "WORKBOOK_EVALUATOR_KEY" not in environment and "WORKBOOK_APPS_ONLY" not in environment
    store_folder = hub.env["WORKBOOK_DATA_DIR"]
    assert not any(store_folder in value for value in environment.values())
    lab.close()


def test_a_room_link_the_hub_user_makes_opens_the_room_view_only(hub, mo):
    """Under a hub there are no codes: the facilitator's own room link (a token of their server's store)
    opens the room view on the projector tab, leaves its address, and opens nothing else."""
    page = mo.context.new_page()
    page.set_default_timeout(120_000)
    page.goto(hub.url(f"/user/{MANAGER}/voila/render/facilitator.ipynb"))
    page.wait_for_selector(".wb-room-make", timeout=SIGN_IN_TIMEOUT_MS)
    page.click(".wb-room-make")
    page.wait_for_selector(".wb-room-link a")
    with mo.context.expect_page() as opened:
        page.click(".wb-room-link a")
    room = opened.value
    room.set_default_timeout(120_000)
    room.wait_for_selector(".wb-room-question-pick", timeout=SIGN_IN_TIMEOUT_MS)
    room.wait_for_function("() => document.body.dataset.wbSession === 'carried'", timeout=60_000)
    assert "display=" not in room.evaluate("location.href")
    assert room.locator(".wb-facilitator-app, .wb-whoami").count() == 0
    assert "Mo Managerperson" not in room.inner_text("body")
    room.reload()
    room.wait_for_selector(".wb-room-question-pick", timeout=SIGN_IN_TIMEOUT_MS)
    page.click(".wb-room-end")  # ended on her page: the open room page stops at its next check
    room.wait_for_selector(".wb-room-message:has-text('has ended')", timeout=30_000)
    room.close()
    page.close()
