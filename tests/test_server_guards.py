"""The served apps survive hostile and careless visitors: a real `workbook serve` with short timings,
driven by a scripted visitor that speaks the kernel websocket protocol as a browser does.

Run with WORKBOOK_TEST_PLAIN_VOILA=1 to see these fail on plain Voila (see tests/serving.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from http.cookiejar import CookieJar

import pytest
import websocket
from jupyter_server.services.kernels.connection.base import serialize_binary_message

from tests.serving import FOREIGN_REFERENCE, PLAIN_VOILA, ServedApps
from workbook import identity
from workbook.apps.registry import NOTEBOOKS
from workbook.config import REPO_ROOT
from workbook.devtools import free_port
from workbook.server.frames import V1_PROTOCOL
from workbook.server.visitor import KernelSocket, fetch_page, models_with_class

pytestmark = pytest.mark.slow

PARTICIPANT = "/voila/render/participant.ipynb"
EVALUATOR_KEY = "server-test-evaluator-key-0123456789"
GONE_S = 2.0
IDLE_S = 12.0
SIGNIN_S = 8.0
CAP = 6
EXECUTOR_TIMEOUT_S = 6
WIDGET_VERSION = {"version": "2.1.0"}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    running = ServedApps(
        tmp_path_factory.mktemp("guarded"),
        {
            "WORKBOOK_PAGE_GONE_SECONDS": str(GONE_S),
            "WORKBOOK_IDLE_CLOSE_SECONDS": str(IDLE_S),
            "WORKBOOK_SIGNIN_CLOSE_SECONDS": str(SIGNIN_S),
            "WORKBOOK_MAX_KERNELS": str(CAP),
            "WORKBOOK_EVALUATOR_KEY": EVALUATOR_KEY,
        },
        voila_options=(f"--VoilaExecutor.timeout={EXECUTOR_TIMEOUT_S}",),
    )
    yield running
    running.stop()


def static_answer_time(served: ServedApps) -> float:
    """Seconds for a static file while whatever else runs (3 s at most: then the server is stuck)."""
    start = time.monotonic()
    try:
        urllib.request.urlopen(f"{served.base}/voila/static/voila.js", timeout=3).read()
    except OSError:
        return float("inf")
    return time.monotonic() - start


def signed_in_page(served: ServedApps, name: str):
    issued = identity.add_participant(served.store, name)
    page = fetch_page(served.base, f"{PARTICIPANT}?code={issued.code}")
    assert page.status == 200 and page.kernel_id
    return issued, page


def wait_for_idle_pool(served: ServedApps) -> None:
    """Earlier tests' kernels are given back: only the evaluator's preheated kernel remains."""
    assert served.wait_until(lambda: len(served.kernel_ids()) <= 1, timeout=GONE_S + 30)


# -- no freeze --------------------------------------------------------------------------------------
def test_legacy_binary_reply_does_not_freeze_the_server(served):
    """A legacy client makes the kernel answer with a binary frame (ipywidgets echoes an update, buffers
    and all, before it checks the value); Voila used to read that frame as v1 and loop."""
    page = fetch_page(served.base, PARTICIPANT)  # no code: the sign-in form's code field
    attacker = KernelSocket(served.base, page.kernel_id, page.cookie_header, protocol="legacy")
    try:
        states = attacker.widget_states()
        field = next(
            m for m, state in states.items() if state.get("_model_name") in ("TextModel", "PasswordModel")
        )
        header = {
            "msg_id": uuid.uuid4().hex,
            "msg_type": "comm_msg",
            "username": "visitor",
            "session": attacker.session,
            "date": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime()),
            "version": "5.3",
        }
        data = {"method": "update", "state": {"value": None}, "buffer_paths": [["value"]]}
        message = {
            "channel": "shell",
            "header": header,
            "parent_header": {},
            "metadata": {},
            "content": {"comm_id": field, "data": data},
            "buffers": [b"binary"],
        }
        attacker.send_raw(serialize_binary_message(message))
        time.sleep(1.0)  # the kernel's binary echo is on its way through the server
        assert static_answer_time(served) < 2.0
        # the echo reached the legacy client in its own protocol, buffers and all
        echo = attacker.wait_for(
            lambda m: (
                m.msg_type == "comm_msg"
                and m.content.get("comm_id") == field
                and m.content["data"].get("method") == "echo_update"
            ),
            timeout=10,
        )
        assert echo.buffers == [b"binary"]
    finally:
        attacker.close()


def test_hostile_v1_frame_closes_that_connection_only(served):
    page = fetch_page(served.base, PARTICIPANT)
    attacker = KernelSocket(served.base, page.kernel_id, page.cookie_header, protocol="v1")
    bystander_page = fetch_page(served.base, PARTICIPANT)
    bystander = KernelSocket(served.base, bystander_page.kernel_id, bystander_page.cookie_header)
    try:
        assert attacker.ws.subprotocol == V1_PROTOCOL
        attacker.send_raw((2**60).to_bytes(8, "little") + b"\x00" * 64)  # claims 10^18 offsets
        assert static_answer_time(served) < 2.0
        with pytest.raises((websocket.WebSocketConnectionClosedException, ConnectionError, OSError)):
            for _ in range(100):  # the server closes it: reading ends in an error
                attacker.ws.settimeout(5)
                attacker.recv()
        assert bystander.widget_states(timeout=20)  # the other page goes on
    finally:
        attacker.close()
        bystander.close()


REFUSED_FROM_A_PAGE = [
    ("execute_request", "shell", {}),
    ("execute_request", "control", {}),  # the control channel runs shell requests too
    ("comm_msg", "stdin", {}),
    ("complete_request", "shell", {"code": "import o", "cursor_pos": 8}),
    ("inspect_request", "shell", {"code": "open", "cursor_pos": 4, "detail_level": 1}),
    ("history_request", "shell", {"hist_access_type": "tail", "n": 10, "output": True, "raw": True}),
    ("shutdown_request", "control", {"restart": False}),
    ("comm_open", "shell", {"target_name": "jupyter.widget", "data": {"state": {}}}),
]


@pytest.mark.parametrize("protocol", ["v1", "legacy"])
def test_a_page_kernel_runs_no_code_sent_by_its_visitor(served, protocol, tmp_path):
    """The visitor owns the page's kernel, which holds the store's credentials: code they send never runs,
    whatever the channel or protocol, and only that connection is closed."""
    _issued, page = signed_in_page(served, f"Code Sender {protocol}")
    marker = tmp_path / "ran.txt"
    code = f"open({str(marker)!r}, 'w').write('ran')"
    try:
        for kind, channel, content in REFUSED_FROM_A_PAGE:
            visitor = KernelSocket(served.base, page.kernel_id, page.cookie_header, protocol=protocol)
            try:
                body = {**content, "comm_id": uuid.uuid4().hex} if kind.startswith("comm_") else content
                if kind == "execute_request":
                    body = {"code": code, "silent": False, "store_history": True, "allow_stdin": False}
                visitor.send(kind, body, channel=channel)
                with pytest.raises((websocket.WebSocketConnectionClosedException, ConnectionError, OSError)):
                    for _ in range(100):
                        visitor.ws.settimeout(5)
                        reply = visitor.recv()
                        assert (
                            not reply.msg_type.endswith("_reply") or reply.msg_type == "kernel_info_reply"
                        ), (
                            kind,
                            channel,
                            reply.msg_type,
                        )
            finally:
                visitor.close()
        time.sleep(1.0)
        assert not marker.exists()
    finally:
        owner = KernelSocket(served.base, page.kernel_id, page.cookie_header, protocol=protocol)
        try:
            assert owner.widget_states(timeout=20)  # the page itself goes on
        finally:
            owner.close()
    log = served.log()
    assert "refused execute_request, which a page never sends" in log  # the operator sees why
    assert "refused execute_request on the 'control' channel" in log
    assert page.kernel_id in served.kernel_ids() and page.kernel_id not in log


# -- kernels belong to their page -------------------------------------------------------------------
def test_another_visitor_is_refused_on_a_kernel_id(served):
    _issued, page = signed_in_page(served, "Owner Person")
    kernel = page.kernel_id
    owner = KernelSocket(served.base, kernel, page.cookie_header)  # the owner's page stays open
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        KernelSocket(served.base, kernel, cookie_header="")
    assert refused.value.status_code == 403
    stranger = fetch_page(served.base, "/voila/render/index.ipynb", CookieJar())  # a visit of their own
    with pytest.raises(websocket.WebSocketBadStatusException):
        KernelSocket(served.base, kernel, cookie_header=stranger.cookie_header)
    # a self-made _xsrf gets past the form check, but not past the owner check
    xsrf = {"Cookie": f"_xsrf=made-up; {stranger.cookie_header}", "X-XSRFToken": "made-up"}
    for method, path in (
        ("DELETE", f"/api/kernels/{kernel}"),
        ("POST", f"/voila/api/shutdown/{kernel}"),
        ("GET", f"/api/kernels/{kernel}"),
    ):
        request = urllib.request.Request(served.base + path, method=method, headers=xsrf)
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(request, timeout=10)
        assert denied.value.code == 403, (method, path)
    assert kernel in served.kernel_ids()
    try:
        assert owner.widget_states()
    finally:
        owner.close()


def test_kernel_errors_go_to_the_log_not_to_the_visitor(served):
    _issued, page = signed_in_page(served, "Error Maker")
    visitor = KernelSocket(served.base, page.kernel_id, page.cookie_header)
    try:
        # a control comm of the wrong version makes ipywidgets raise: a traceback on the kernel's stderr
        visitor.send(
            "comm_open",
            {"comm_id": uuid.uuid4().hex, "target_name": "jupyter.widget.control", "data": {}},
            metadata={"version": "0.0.1"},
        )
        seen = visitor.collect(3.0)
    finally:
        visitor.close()
    assert seen, "the kernel answered nothing at all"
    leaked = [
        m
        for m in seen
        if m.msg_type == "error" or (m.msg_type == "stream" and m.content.get("name") == "stderr")
    ]
    assert leaked == []
    log = served.log()
    assert "Incompatible widget control protocol" in log  # the operator sees it
    assert page.kernel_id not in log  # kernels are named by tag, never by id


# -- kernels given back -----------------------------------------------------------------------------
def test_kernel_of_a_page_never_connected_is_shut_down(served):
    page = fetch_page(served.base, PARTICIPANT)
    assert page.kernel_id in served.kernel_ids()
    assert served.wait_until(lambda: page.kernel_id not in served.kernel_ids(), timeout=GONE_S + 15)


def test_kernel_lives_while_its_page_is_open_and_goes_after_it_closes(served):
    _issued, page = signed_in_page(served, "Open Tab")
    visitor = KernelSocket(served.base, page.kernel_id, page.cookie_header)
    assert visitor.widget_states()
    time.sleep(GONE_S * 2)
    assert page.kernel_id in served.kernel_ids()
    visitor.close()
    assert served.wait_until(lambda: page.kernel_id not in served.kernel_ids(), timeout=GONE_S + 15)


def test_page_on_which_nobody_signs_in_closes(served):
    page = fetch_page(served.base, PARTICIPANT)
    visitor = KernelSocket(served.base, page.kernel_id, page.cookie_header)
    try:
        assert models_with_class(visitor.widget_states(), "wb-code")
        visitor.wait_for(
            lambda m: m.msg_type in ("comm_open", "comm_msg") and "nobody signed in" in json.dumps(m.content),
            timeout=SIGNIN_S + 20,
        )
    finally:
        visitor.close()
    assert served.wait_until(lambda: page.kernel_id not in served.kernel_ids(), timeout=15)


# -- the cap --------------------------------------------------------------------------------------
def test_beyond_the_cap_a_visitor_gets_the_busy_page_and_no_kernel(served):
    """When every kernel serves a signed-in page there is nothing to give back: busy, no kernel."""
    wait_for_idle_pool(served)
    open_pages = []
    try:
        n = 0
        while len(served.kernel_ids()) < CAP:
            n += 1
            _issued, page = signed_in_page(served, f"Cap Filler {n}")
            open_pages.append(KernelSocket(served.base, page.kernel_id, page.cookie_header))
        before = served.kernel_ids()
        busy = fetch_page(served.base, PARTICIPANT)
        assert busy.status == 503
        assert "The workbook is busy, try again in a minute" in busy.html
        assert busy.kernel_id is None and served.kernel_ids() == before
    finally:
        for visitor in open_pages:
            visitor.close()
    assert served.wait_until(lambda: fetch_page(served.base, PARTICIPANT).status == 200, timeout=GONE_S + 20)


# -- the preheated kernel ------------------------------------------------------------------------
def test_preheated_kernel_waits_longer_than_the_executor_timeout(served):
    waited = time.monotonic() - served.started
    if waited < EXECUTOR_TIMEOUT_S + 4:
        time.sleep(EXECUTOR_TIMEOUT_S + 4 - waited)
    page = fetch_page(served.base, f"/voila/render/evaluator.ipynb?key={EVALUATOR_KEY}")
    assert page.status == 200
    assert "timed out" not in page.html
    visitor = KernelSocket(served.base, page.kernel_id, page.cookie_header)
    try:
        assert models_with_class(visitor.widget_states(), "wb-evaluator-app")
    finally:
        visitor.close()


# -- the privacy page ----------------------------------------------------------------------------------
def assert_privacy_page(base: str, app_path: str) -> None:
    """The page the apps' privacy link leads to (resolved from an app's address) is a plain page: no
    kernel, nothing from another host, a policy that lets it load nothing."""
    from urllib.parse import urljoin

    from workbook.privacy import PRIVACY_HREF

    address = urljoin(f"{base}{app_path}", PRIVACY_HREF)
    with urllib.request.urlopen(address, timeout=10) as response:
        page = response.read().decode()
        assert response.status == 200
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "<h1>Privacy: who sees what</h1>" in page and "Your data" in page
    assert FOREIGN_REFERENCE.findall(page) == []


@pytest.mark.skipif(PLAIN_VOILA, reason="the privacy page is the workbook's")
def test_the_privacy_page_is_served_without_a_kernel(served):
    before = served.kernel_ids()
    assert_privacy_page(served.base, PARTICIPANT)
    assert served.kernel_ids() <= before


# -- nothing from another host (every notebook's HTML: tests/browser/test_server_browser.py) ----------


# -- under a Jupyter server ----------------------------------------------------------------------
@pytest.mark.skipif(PLAIN_VOILA, reason="the extension is the workbook's")
def test_guards_load_as_a_jupyter_server_extension(tmp_path):
    """JupyterHub and Binder run Voila inside a Jupyter server: the workbook extension guards it too."""
    port, token = free_port(), "extension-test-token"
    env = {
        **os.environ,
        "WORKBOOK_DATA_DIR": str(tmp_path),
        "JUPYTER_RUNTIME_DIR": str(tmp_path),
    }
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter_server",
            "--allow-root",
            "--no-browser",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            '--ServerApp.jpserver_extensions={"voila": True, "workbook": True}',
            f"--ServerApp.root_dir={NOTEBOOKS}",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while "Workbook guards installed" not in (tmp_path / "server.log").read_text():
            assert time.monotonic() < deadline and proc.poll() is None, (tmp_path / "server.log").read_text()
            time.sleep(0.5)
        page = fetch_page(base, f"/voila/render/participant.ipynb?token={token}")
        assert page.status == 200 and page.kernel_id
        assert FOREIGN_REFERENCE.findall(page.html) == []
        # the server's token alone (another visitor of the same single-user server) is not the page
        with pytest.raises(websocket.WebSocketBadStatusException):
            KernelSocket(base, page.kernel_id, cookie_header="_xsrf=x", protocol="v1").close()
        owner = KernelSocket(base, page.kernel_id, page.cookie_header)
        try:
            assert owner.widget_states()
        finally:
            owner.close()
        # the privacy page, where the apps' link leads, is served here too
        assert_privacy_page(base, "/voila/render/participant.ipynb")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


# -- a submit that overtakes the last choice ---------------------------------------------------------
def test_a_submit_sent_before_the_last_choice_stores_what_the_person_chose(served):
    """A browser sends a click at once but holds back a control's change while the kernel is busy, so
    the click can arrive first. Here the click comes before the last choice, and in one burst with the
    others: what is stored is what the page showed, and a page showing a question unanswered gets the
    "answer every question" message, never an older choice stored in silence."""
    from workbook.manager.content import instrument
    from workbook.manager.scores import my_scores
    from workbook.manager.waves import set_wave

    issued = identity.add_participant(served.store, "Timing Manager", cohort="Timing")
    set_wave(served.store, "Timing", "pre", True)
    page = fetch_page(served.base, f"/voila/render/manager.ipynb?code={issued.code}")
    visitor = KernelSocket(served.base, page.kernel_id, page.cookie_header)
    items = instrument().item_ids
    try:
        [tabs] = models_with_class(visitor.widget_states(), "wb-tabs")
        opened = {"method": "update", "state": {"selected_index": 1}, "buffer_paths": []}
        visitor.send("comm_msg", {"comm_id": tabs, "data": opened})
        deadline = time.monotonic() + 30
        while True:  # the comfort check is built when its tab is first opened
            states = visitor.widget_states()
            groups = {item: models_with_class(states, f"wb-item-pre-{item}") for item in items}
            submit = [m for m, s in states.items() if "wb-submit-pre" in s.get("classes", [])]
            if submit and all(groups.values()) or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        ids = {item: found[0] for item, found in groups.items()}
        [button] = submit
        assert set(states[button]["_groups"]) == set(ids.values())

        def click(shown: dict[str, object]) -> None:
            content = {"event": "submit", "values": {ids[item]: value for item, value in shown.items()}}
            visitor.send("comm_msg", {"comm_id": button, "data": {"method": "custom", "content": content}})

        chosen = {item: 1 + index % 5 for index, item in enumerate(items)}
        last = items[-1]
        for item in items[:-1]:
            visitor.set_value(ids[item], chosen[item])
        click(chosen)  # in the same burst, and before the last choice's own update
        visitor.set_value(ids[last], chosen[last])

        def stored() -> dict[str, float]:
            scores = my_scores(served.store, issued.person)
            return dict(zip(scores["item"], scores["score"], strict=True))

        assert served.wait_until(lambda: len(stored()) == len(items), timeout=20)
        assert stored() == {item: float(score) for item, score in chosen.items()}

        # the person changes the last answer and clears another; the click overtakes both changes
        changed = chosen | {last: 5, items[0]: None}
        click(changed)
        visitor.set_value(ids[last], 5)
        visitor.set_value(ids[items[0]], None)
        [status] = models_with_class(visitor.widget_states(), "wb-wave-status-pre")
        expected = "answer every question before submitting (not answered yet: question 1)"
        deadline = time.monotonic() + 20
        while expected not in (text := visitor.widget_states()[status]["value"]):
            assert time.monotonic() < deadline, text
            time.sleep(0.3)
        assert stored() == {item: float(score) for item, score in chosen.items()}  # nothing changed
    finally:
        visitor.close()


# -- anonymous visitors cannot starve the others --------------------------------------------------------
LIMITED_CAP = 4  # the evaluator's preheated kernel and three pages
UNSIGNED_LIMIT = 5
LIMITED_SIGNIN_S = 90.0


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    """A server with a small cap and a small limit of pages nobody signed in on per address, behind a
    trusted proxy: each test speaks from addresses of its own (X-Forwarded-For)."""
    running = ServedApps(
        tmp_path_factory.mktemp("limited"),
        {
            "WORKBOOK_PAGE_GONE_SECONDS": str(GONE_S),
            "WORKBOOK_SIGNIN_CLOSE_SECONDS": str(LIMITED_SIGNIN_S),
            "WORKBOOK_MAX_KERNELS": str(LIMITED_CAP),
            "WORKBOOK_UNSIGNED_PAGES_PER_ADDRESS": str(UNSIGNED_LIMIT),
            "WORKBOOK_TRUSTED_PROXY": "1",
        },
    )
    yield running
    running.stop()


def from_address(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def settled(served: ServedApps, most: int) -> None:
    """Kernels of earlier tests are given back (their pages are gone)."""
    assert served.wait_until(lambda: len(served.kernel_ids()) <= most, timeout=GONE_S + 30)


@pytest.mark.skipif(PLAIN_VOILA, reason="plain Voila has no cap")
def test_the_cap_holds_for_a_valid_link_while_anonymous_pages_fill_it(limited):
    """One visitor fills every kernel with sign-in pages and holds their websockets; a person with a
    valid link is served all the same, from the oldest anonymous page, until no anonymous page is left."""
    settled(limited, 1)
    held = []
    try:
        n = 0
        while len(limited.kernel_ids()) < LIMITED_CAP:
            n += 1
            page = fetch_page(limited.base, PARTICIPANT, headers=from_address(f"192.0.2.{n}"))
            assert page.status == 200
            socket = KernelSocket(limited.base, page.kernel_id, page.cookie_header)
            assert models_with_class(socket.widget_states(), "wb-code")
            held.append((page.kernel_id, socket))
        for n, (oldest, _socket) in enumerate(list(held)):
            issued = identity.add_participant(limited.store, f"Link Holder {n}")
            link = f"{PARTICIPANT}?code={issued.code}"
            page = fetch_page(limited.base, link, headers=from_address("192.0.2.50"))
            assert page.status == 200, page.html[:300]
            assert oldest not in limited.kernel_ids()  # the oldest anonymous page gave its kernel back
            assert len(limited.kernel_ids()) <= LIMITED_CAP  # the cap holds
            socket = KernelSocket(limited.base, page.kernel_id, page.cookie_header)
            held.append((page.kernel_id, socket))
            assert models_with_class(socket.widget_states(), "wb-workbook")  # signed in, their own page
        # every kernel now serves someone signed in: the next visitor, even with a link, is busy
        issued = identity.add_participant(limited.store, "One Too Many")
        link = f"{PARTICIPANT}?code={issued.code}"
        busy = fetch_page(limited.base, link, headers=from_address("192.0.2.51"))
        assert busy.status == 503 and busy.kernel_id is None
        assert "The workbook is busy" in busy.html
    finally:
        for _kernel_id, socket in held:
            socket.close()


@pytest.mark.skipif(PLAIN_VOILA, reason="plain Voila does not limit page opens")
def test_pages_nobody_signs_in_on_are_limited_per_address(limited):
    """Below the limit every page opens (a page that signed in does not count); beyond it the address gets
    a 429 with a sentence and no kernel, while another address is served."""
    settled(limited, 1)
    room = from_address("198.51.100.7")
    for _ in range(UNSIGNED_LIMIT - 1):
        assert fetch_page(limited.base, PARTICIPANT, headers=room).status == 200
    issued = identity.add_participant(limited.store, "Signs In From The Room")
    signed = fetch_page(limited.base, f"{PARTICIPANT}?code={issued.code}", headers=room)
    assert signed.status == 200  # and it signed in: it no longer counts
    visitor = KernelSocket(limited.base, signed.kernel_id, signed.cookie_header)
    try:
        assert models_with_class(visitor.widget_states(), "wb-workbook")
    finally:
        visitor.close()
    assert fetch_page(limited.base, PARTICIPANT, headers=room).status == 200  # the last one within the limit
    before = limited.kernel_ids()
    refused = fetch_page(limited.base, PARTICIPANT, headers=room)
    assert refused.status == 429 and refused.kernel_id is None
    assert "Too many pages were opened from your network without anyone signing in" in refused.html
    assert limited.kernel_ids() <= before
    assert fetch_page(limited.base, PARTICIPANT, headers=from_address("198.51.100.8")).status == 200
    assert "Too many pages nobody signed in on from client=" in limited.log()
    assert "198.51.100.7" not in limited.log()  # addresses are logged as keyed hashes only


def flood_until_closed(socket: KernelSocket, model_id: str, most: int) -> None:
    """Send value updates as fast as the socket takes them, at most `most`, and read until the server
    closes the connection (AssertionError if it never does)."""
    try:
        for sent in range(1, most + 1):
            socket.set_value(model_id, f"guess-{sent}")
        socket.ws.settimeout(10)
        while True:
            socket.recv()
    except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
        return
    raise AssertionError("the server never closed the flooding connection")


@pytest.mark.skipif(PLAIN_VOILA, reason="plain Voila takes every message")
def test_a_flooding_connection_is_closed_while_another_page_gets_its_widget_states(limited):
    from workbook.server.limits import MESSAGE_BURST, MESSAGES_PER_SECOND

    settled(limited, 1)
    tracebacks = limited.log().count("Traceback")
    bystander_page = fetch_page(limited.base, PARTICIPANT, headers=from_address("203.0.113.1"))
    bystander = KernelSocket(limited.base, bystander_page.kernel_id, bystander_page.cookie_header)
    typist_page = fetch_page(limited.base, PARTICIPANT, headers=from_address("203.0.113.2"))
    typist = KernelSocket(limited.base, typist_page.kernel_id, typist_page.cookie_header)
    attacker_page = fetch_page(limited.base, PARTICIPANT, headers=from_address("203.0.113.3"))
    attacker = KernelSocket(limited.base, attacker_page.kernel_id, attacker_page.cookie_header)
    again = None
    try:
        # a burst below the limit passes: every update reaches the kernel and the connection stays
        [field] = models_with_class(typist.widget_states(), "wb-code")
        burst = int(MESSAGE_BURST * 0.6)
        for n in range(burst):
            typist.set_value(field, f"typed-{n}")
        deadline = time.monotonic() + 30
        while typist.widget_states()[field].get("value") != f"typed-{burst - 1}":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        # a flood above it closes that one connection
        [code_field] = models_with_class(attacker.widget_states(), "wb-code")
        flood_until_closed(attacker, code_field, most=int(MESSAGE_BURST * 20))
        assert models_with_class(bystander.widget_states(timeout=20), "wb-code")  # the others go on
        assert typist.widget_states(timeout=20)[field]  # the typist's connection is still open
        # reconnecting at once buys no fresh allowance: fewer than a burst closes it again
        again = KernelSocket(limited.base, attacker_page.kernel_id, attacker_page.cookie_header)
        flood_until_closed(again, code_field, most=int(MESSAGE_BURST * 0.8))
        again.close()
        # once the allowance has refilled the page works again, and the flood's excess never reached it
        again = KernelSocket(limited.base, attacker_page.kernel_id, attacker_page.cookie_header)  # silent
        time.sleep(MESSAGE_BURST / MESSAGES_PER_SECOND + 1)
        reached = int(again.widget_states()[code_field]["value"].removeprefix("guess-"))
        assert reached < MESSAGE_BURST * 2
    finally:
        for socket in (attacker, typist, bystander, again):
            if socket is not None:
                socket.close()
    log = limited.log()
    closings = [line for line in log.splitlines() if "widget messages at once" in line]
    assert len(closings) == 2  # once per closed connection, one line each
    assert log.count("Traceback") == tracebacks


@pytest.mark.skipif(PLAIN_VOILA, reason="the workbook's guards drop replies to a gone page")
def test_replies_to_a_gone_page_are_dropped_without_a_traceback(limited):
    """A page sends a burst of updates and leaves at once: the kernel's replies find no websocket; they are
    dropped, none is kept for a reconnect, and the log holds no traceback for them."""
    from workbook.server.limits import MESSAGE_BURST

    settled(limited, 1)
    before = limited.log().count("Traceback")
    assert "Got events for closed stream" not in limited.log()
    for n in range(3):
        page = fetch_page(limited.base, PARTICIPANT, headers=from_address(f"203.0.113.{10 + n}"))
        leaver = KernelSocket(limited.base, page.kernel_id, page.cookie_header)
        [code_field] = models_with_class(leaver.widget_states(), "wb-code")
        for n in range(int(MESSAGE_BURST * 0.8)):
            leaver.set_value(code_field, f"guess-{n}-" + "x" * 200)
        leaver.ws.sock.close()  # gone without a close frame, as a tab that crashed
        time.sleep(2.0)
        # the same visit coming back gets nothing kept from before: no replay of those replies
        back = KernelSocket(limited.base, page.kernel_id, page.cookie_header)
        try:
            seen = back.collect(2.0)
            assert not [m for m in seen if m.msg_type == "comm_msg" and "guess-" in json.dumps(m.content)]
        finally:
            back.close()
    log = limited.log()
    assert log.count("Traceback") == before
    assert "WebSocketClosedError" not in log and "buffered messages" not in log
    assert "Got events for closed stream" not in log


# -- a visit's sign-in without the code in the address --------------------------------------------------
def claim_session(served: ServedApps, jar: CookieJar) -> tuple[int, str]:
    """What the page's script does once signed in: ask its own server to carry the sign-in as a cookie."""
    xsrf = next((c.value for c in jar if c.name == "_xsrf"), "")
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    request = urllib.request.Request(
        served.base + "/workbook/session", data=b"", method="POST", headers={"X-XSRFToken": xsrf}
    )
    try:
        with opener.open(request, timeout=10) as answer:
            return answer.status, answer.headers.get("Set-Cookie", "")
    except urllib.error.HTTPError as refused:
        return refused.code, ""


def opens_the_workbook(served: ServedApps, page) -> bool:
    socket = KernelSocket(served.base, page.kernel_id, page.cookie_header)
    try:
        states = socket.widget_states()
    finally:
        socket.close()
    return bool(models_with_class(states, "wb-workbook"))


@pytest.mark.skipif(PLAIN_VOILA, reason="plain Voila has no sessions")
def test_the_visits_signed_cookie_carries_the_sign_in_and_nothing_else_does(served):
    issued = identity.add_participant(served.store, "Session Person")
    jar = CookieJar()
    first = fetch_page(served.base, f"{PARTICIPANT}?code={issued.code}", jar)
    assert first.status == 200
    assert claim_session(served, CookieJar()) == (404, ""), "nothing is held for another visit"
    status, cookie = claim_session(served, jar)
    assert status == 204 and cookie.startswith("workbook_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "expires=" in cookie.lower()
    assert issued.code not in cookie
    assert claim_session(served, jar)[0] == 404, "a grant is taken once"
    reload = fetch_page(served.base, PARTICIPANT, jar)  # no code in the address
    assert opens_the_workbook(served, reload)

    value = next(c.value for c in jar if c.name == "workbook_session")
    forged = value[:-4] + ("0000" if not value.endswith("0000") else "1111")
    for headers in (
        {"Cookie": f"workbook_session={forged}"},  # a signature that does not hold
        {"Cookie": "workbook_session=" + value.replace("|", "|x", 1)},
        {sessions_header(): json.dumps({"person": issued.person.id, "code": 1})},  # the visitor's own header
    ):
        page = fetch_page(served.base, PARTICIPANT, CookieJar(), headers=headers)
        assert page.status == 200 and not opens_the_workbook(served, page), headers

    identity.revoke(served.store, issued.person.pid)
    assert not opens_the_workbook(served, fetch_page(served.base, PARTICIPANT, jar)), "a revoked code ends it"


def sessions_header() -> str:
    from workbook.server.sessions import SESSION_HEADER

    return SESSION_HEADER
