"""The load benchmarks' own helpers: the scripted browser's way through a JupyterHub sign-in (login form
and its `_xsrf`, the spawn's progress stream, cookies by path) against a small stand-in hub on
127.0.0.1, and the shared pieces in benchmarks/common.py. No timings are asserted."""

from __future__ import annotations

import json
import os
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from workbook.server.visitor import (
    HubBrowser,
    SpawnFailed,
    login_xsrf,
    origin_of,
    progress_events,
    progress_source,
    spawn_outcome,
)

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

import common  # noqa: E402  (benchmarks/common.py)

LOGIN_PAGE = """<form action="/hub/login?next=" method="post" role="form">
  <input type="hidden" name="_xsrf" value="{xsrf}" />
  <input id="username_input" type="text" name="username" />
  <input type="password" name="password" id="password_input" />
</form>"""
PENDING_PAGE = """<div class="progress"></div><script>
  var evtSource = new EventSource("/hub/api/users/{user}/server/progress?_xsrf={xsrf}&amp;x=1");
</script>"""
APP_PAGE = '<script id="jupyter-config-data">{"kernelId": "0f0e0d0c-0b0a-0908-0706-050403020100"}</script>'
XSRF = "2|a1b2&c3"
PASSWORD = "shared-secret"


def test_the_login_forms_xsrf_is_read_and_unescaped():
    assert login_xsrf(LOGIN_PAGE.format(xsrf="2|a1b2&amp;c3")) == XSRF
    assert login_xsrf("<input value='tok' name='_xsrf' type='hidden'>") == "tok"


def test_a_login_page_without_xsrf_is_named_as_such():
    with pytest.raises(ValueError, match="_xsrf"):
        login_xsrf('<form><input name="username"></form>')
    with pytest.raises(ValueError, match="_xsrf"):
        login_xsrf('<input type="hidden" name="_xsrf" value="" />')


def test_the_spawn_pages_progress_stream_is_found_only_there():
    source = progress_source(PENDING_PAGE.format(user="ann", xsrf="tok"))
    assert source == "/hub/api/users/ann/server/progress?_xsrf=tok&x=1"
    assert progress_source(LOGIN_PAGE.format(xsrf="tok")) is None


def test_progress_events_are_the_data_lines_of_the_stream():
    lines = [b": keepalive\n", b"\n", b'data: {"progress": 50}\n', b"\n", 'data:{"ready": true}\n']
    assert list(progress_events(lines)) == [{"progress": 50}, {"ready": True}]


def test_a_spawn_is_over_at_ready_and_failed_at_failed_or_at_the_streams_end():
    assert spawn_outcome([{"progress": 0}, {"ready": True, "url": "/user/a/"}, {"never": "read"}]) == [
        {"progress": 0},
        {"ready": True, "url": "/user/a/"},
    ]
    with pytest.raises(SpawnFailed, match="Timeout"):
        spawn_outcome([{"progress": 50}, {"failed": True, "message": "Timeout waiting for server"}])
    with pytest.raises(SpawnFailed, match="Spawning server"):
        spawn_outcome([{"progress": 50, "message": "Spawning server..."}])


def test_a_pages_origin_has_no_path():
    assert origin_of("http://127.0.0.1:8000/user/ann") == "http://127.0.0.1:8000"
    assert origin_of("https://hub.example.org/user/ann/voila/render/x.ipynb") == "https://hub.example.org"


# -- a stand-in hub: the redirects, cookies and checks of JupyterHub's sign-in, nothing else ---------
class StandInHub(BaseHTTPRequestHandler):
    spawn_fails = False
    posted_forms: list[dict] = []
    deleted: list[tuple[str, str]] = []

    def log_message(self, *args):  # quiet
        pass

    def _cookies(self) -> dict[str, str]:
        pairs = [p.strip().split("=", 1) for p in self.headers.get("Cookie", "").split(";") if "=" in p]
        return dict(pairs)

    def _send(self, status: int, body: str = "", headers: dict | None = None, cookies: list = ()) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        for cookie in cookies:
            self.send_header("Set-Cookie", cookie)
        data = body.encode()
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        cookies = self._cookies()
        user = cookies.get("hub-login", "")  # the hub knows its user by the hub's cookie (path /hub/)
        if path.startswith("/user/"):
            user = path.split("/")[2]  # a person's server, at its own path, with its own cookie
        if path == "/hub/login":
            self._send(200, LOGIN_PAGE.format(xsrf="2|a1b2&amp;c3"), cookies=["_xsrf=x1; Path=/hub/"])
        elif path == "/hub/spawn":
            self._send(302, headers={"Location": f"/hub/spawn-pending/{user}"})
        elif path == f"/hub/spawn-pending/{user}" and user:
            if cookies.get("spawned") == "1":
                self._send(302, headers={"Location": f"/user/{user}/"})
            else:
                self._send(200, PENDING_PAGE.format(user=user, xsrf="x1"))
        elif path == f"/hub/api/users/{user}/server/progress":
            assert urllib.parse.parse_qs(query)["_xsrf"] == ["x1"]
            last = (
                {"failed": True, "message": "Spawn failed: timeout"} if self.spawn_fails else {"ready": True}
            )
            events = [{"progress": 0, "message": "Server requested"}, {"progress": 100, **last}]
            stream = "".join(f"data: {json.dumps(e)}\n\n" for e in events)
            cookie = [] if self.spawn_fails else ["spawned=1; Path=/hub/"]
            self._send(200, stream, {"Content-Type": "text/event-stream"}, cookie)
        elif path == f"/user/{user}/":
            self._send(
                302,
                headers={"Location": f"/user/{user}/workbook/home"},
                cookies=[f"u={user}; Path=/user/{user}/"],
            )
        elif path == f"/user/{user}/workbook/home" and cookies.get("u") == user:
            self._send(302, headers={"Location": f"/user/{user}/voila/render/participant.ipynb"})
        elif path == f"/user/{user}/voila/render/participant.ipynb":
            self._send(200, APP_PAGE)
        else:
            self._send(404, "not found")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(length).decode()).items()}
        type(self).posted_forms.append(form)
        if form.get("_xsrf") != XSRF:
            self._send(403, "XSRF cookie does not match POST argument")
        elif form.get("password") != PASSWORD:
            self._send(200, LOGIN_PAGE.format(xsrf="x"))
        else:
            self._send(
                302, headers={"Location": "/hub/spawn"}, cookies=[f"hub-login={form['username']}; Path=/hub/"]
            )

    def do_DELETE(self) -> None:
        type(self).deleted.append((self.path, self.headers.get("X-XSRFToken", "")))
        self._send(202)


@pytest.fixture
def hub() -> Iterator[str]:
    StandInHub.spawn_fails = False
    StandInHub.posted_forms = []
    StandInHub.deleted = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandInHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_sign_in_posts_the_forms_xsrf_waits_for_the_spawn_and_lands_on_the_app(hub):
    browser = HubBrowser(hub, timeout=30)
    arrival = browser.sign_in("ann", PASSWORD)
    assert StandInHub.posted_forms == [{"username": "ann", "password": PASSWORD, "_xsrf": XSRF}]
    assert urllib.parse.urlsplit(arrival.url).path == "/user/ann/voila/render/participant.ipynb"
    assert arrival.spawn_s is not None and arrival.events[-1]["ready"] is True
    page = browser.page_at(arrival.url, arrival.status, arrival.html)
    assert page.kernel_id == "0f0e0d0c-0b0a-0908-0706-050403020100"
    # the websocket carries the server's cookie, not the hub's (a browser sends cookies by path)
    assert page.cookie_header == "u=ann"


def test_a_refused_password_and_a_failed_spawn_are_told_apart(hub):
    with pytest.raises(PermissionError, match="ann"):
        HubBrowser(hub, timeout=30).sign_in("ann", "wrong")
    StandInHub.spawn_fails = True
    with pytest.raises(SpawnFailed, match="timeout"):
        HubBrowser(hub, timeout=30).sign_in("ann", PASSWORD)


def test_a_person_stops_their_server_with_the_hubs_xsrf_cookie(hub):
    browser = HubBrowser(hub, timeout=30)
    browser.sign_in("ann", PASSWORD)
    assert browser.stop_server("ann") == 202
    assert StandInHub.deleted == [("/hub/api/users/ann/server", "x1")]


# -- benchmarks/common.py ------------------------------------------------------------------------------
def test_processes_are_told_apart_by_their_command_line():
    assert common.process_kind(["python", "-m", "ipykernel_launcher", "-f", "k.json"]) == "kernel"
    assert common.process_kind(["/venv/bin/jupyterhub-singleuser", "--config=x"]) == "single-user server"
    assert common.process_kind(["node", "/x/.bin/configurable-http-proxy", "--ip"]) == "proxy"
    assert common.process_kind(["node", "/x/jupyter_builder/yarn.js", "config", "--json"]) == "other"


def test_the_sampler_counts_this_process_and_stops_on_low_memory():
    sampler = common.ResourceSampler(os.getpid(), floor_mib=float("inf"))
    sample = sampler.sample()
    assert sample.by_kind["server"][0] >= 1 and sample.rss_mib > 0
    assert sampler.low_memory.is_set()  # no machine has infinite free memory
    assert sampler.peak_mib == sample.rss_mib and sampler.cpu_seconds() > 0
    roomy = common.ResourceSampler(os.getpid(), floor_mib=0)
    roomy.sample()
    assert not roomy.low_memory.is_set()


def test_arrivals_stop_once_halted():
    seen: list[int] = []
    halt = threading.Event()

    def visit(n: int) -> None:
        seen.append(n)
        if n == 1:
            halt.set()

    started = common.arrive_evenly([lambda n=n: visit(n) for n in range(5)], 0.0, halt)
    assert 1 in seen and len(started) == len(seen) < 5


def test_the_slowest_import_is_read_from_importtime_output():
    import bench_hub_load

    output = """import time: self [us] | cumulative | imported package
import time:       405 |    2742256 |         jsonschema
import time:   2573138 |    2604421 |               rfc3987_syntax.syntax_helpers
import time:     20705 |    3336640 | jupyter_server.serverapp
some other line on stderr"""
    assert bench_hub_load.slowest_import(output) == ("rfc3987_syntax.syntax_helpers", 2573138)
    assert bench_hub_load.slowest_import("") == ("", 0)


def test_sign_ins_stop_before_the_people_coming_in_would_fill_the_machine():
    import bench_hub_load

    def run(available_mib: float, coming: int) -> bool:
        sampler = common.ResourceSampler(os.getpid())
        sampler.samples.append(common.Sample(0.0, 0.0, {}, 0.0, available_mib))
        outcomes = [common.Outcome(arrived_at=1.0) for _ in range(coming)]
        outcomes += [common.Outcome(arrived_at=1.0, interactive_s=2.0), common.Outcome()]  # in, not yet
        done = threading.Event()
        guard = threading.Thread(target=bench_hub_load.guard_memory, args=(sampler, outcomes, 1000, done))
        guard.start()
        stopped = sampler.low_memory.wait(timeout=5)
        done.set()
        guard.join()
        return stopped

    person = bench_hub_load.PERSON_MIB
    assert run(1000 + 3 * person - 1, coming=3)  # three spawns on their way would take it below
    assert not run(1000 + 3 * person + 1000, coming=3)
