"""A scripted page visitor for tests and benchmarks: fetches a page as a browser does, opens its
kernel websocket (v1 as browsers negotiate it, or the legacy protocol) and speaks the widget
protocol (request every widget's state, send value updates). Under a JupyterHub it signs in on the
hub's login form and waits through the spawn as the hub's pages make a browser do (`HubBrowser`).

It talks to 127.0.0.1 only in this project's tests and benchmarks; nothing here runs in a server.
"""

from __future__ import annotations

import html
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from typing import Any

import websocket  # websocket-client
from jupyter_server.services.kernels.connection.base import (
    deserialize_binary_message,
    deserialize_msg_from_ws_v1,
    serialize_msg_to_ws_v1,
)

from workbook.server.frames import V1_PROTOCOL

KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')
CONTROL_TARGET = "jupyter.widget.control"
CONTROL_VERSION = "1.0.0"  # ipywidgets 8's control comm protocol


@dataclass
class Page:
    status: int
    html: str
    kernel_id: str | None
    cookie_header: str


def fetch_page(
    base: str, path: str, jar: CookieJar | None = None, timeout: float = 120, headers: dict | None = None
) -> Page:
    """GET a page with a cookie jar (the visit); the kernel id comes from the page's config."""
    jar = jar if jar is not None else CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    try:
        response = opener.open(urllib.request.Request(base + path, headers=headers or {}), timeout=timeout)
        status, body = response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read().decode("utf-8", "replace")
    found = KERNEL_ID.search(body)
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    return Page(status, body, found.group(1) if found else None, cookies)


@dataclass
class KernelMessage:
    channel: str
    header: dict[str, Any]
    parent_header: dict[str, Any]
    content: dict[str, Any]
    buffers: list[bytes] = field(default_factory=list)

    @property
    def msg_type(self) -> str:
        return self.header.get("msg_type", "")


class KernelSocket:
    """One kernel websocket, as the page's JavaScript would open it."""

    def __init__(
        self,
        base: str,
        kernel_id: str,
        cookie_header: str = "",
        protocol: str = "v1",
        timeout: float = 30,
        headers: tuple[str, ...] = (),
    ) -> None:
        self.protocol = protocol
        self.session = uuid.uuid4().hex
        url = base.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels?session_id={self.session}"
        sent = [*headers, f"Cookie: {cookie_header}"] if cookie_header else list(headers)
        self.ws = websocket.create_connection(
            url,
            timeout=timeout,
            header=sent,
            subprotocols=[V1_PROTOCOL] if protocol == "v1" else None,
            origin=origin_of(base),
        )

    def send(
        self, msg_type: str, content: dict[str, Any], channel: str = "shell", metadata: dict | None = None
    ) -> str:
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "msg_type": msg_type,
            "username": "visitor",
            "session": self.session,
            "date": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime()),
            "version": "5.3",
        }
        if self.protocol == "v1":
            parts = [json.dumps(part).encode() for part in (header, {}, metadata or {}, content)]
            self.ws.send_binary(serialize_msg_to_ws_v1(parts, channel))
        else:
            message = {"header": header, "parent_header": {}, "metadata": metadata or {}, "content": content}
            self.ws.send(json.dumps({**message, "channel": channel}))
        return msg_id

    def send_raw(self, frame: bytes | str) -> None:
        if isinstance(frame, bytes):
            self.ws.send_binary(frame)
        else:
            self.ws.send(frame)

    def recv(self) -> KernelMessage:
        frame = self.ws.recv()
        if frame in ("", b"", None):  # what websocket-client returns for the server's close frame
            raise websocket.WebSocketConnectionClosedException("the server closed the connection")
        if self.protocol == "v1":
            channel, parts = deserialize_msg_from_ws_v1(frame)
            header, parent, _meta, content = (json.loads(p or b"{}") for p in parts[:4])
            return KernelMessage(channel, header, parent, content, list(parts[4:]))
        if isinstance(frame, bytes):
            message = deserialize_binary_message(frame)
        else:
            message = json.loads(frame)
        return KernelMessage(
            message.get("channel", ""),
            message.get("header", {}),
            message.get("parent_header", {}),
            message.get("content", {}),
            list(message.get("buffers", [])),
        )

    def wait_for(self, wanted: Callable[[KernelMessage], bool], timeout: float = 30) -> KernelMessage:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the kernel did not send the expected message")
            self.ws.settimeout(left)
            message = self.recv()
            if wanted(message):
                return message

    def collect(self, seconds: float) -> list[KernelMessage]:
        """Every message that arrives within `seconds`."""
        seen: list[KernelMessage] = []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self.ws.settimeout(left)
            try:
                seen.append(self.recv())
            except (websocket.WebSocketTimeoutException, TimeoutError):
                break
        return seen

    # -- the widget protocol, as ipywidgets' JavaScript manager speaks it --------------------------
    def widget_states(self, timeout: float = 30) -> dict[str, dict[str, Any]]:
        """Every widget's state (model id -> state), from the control comm's `request_states`."""
        comm_id = uuid.uuid4().hex
        self.send(
            "comm_open",
            {"comm_id": comm_id, "target_name": CONTROL_TARGET, "data": {}},
            metadata={"version": CONTROL_VERSION},
        )
        self.send("comm_msg", {"comm_id": comm_id, "data": {"method": "request_states"}})
        reply = self.wait_for(
            lambda m: (
                m.msg_type == "comm_msg"
                and m.content.get("comm_id") == comm_id
                and m.content.get("data", {}).get("method") == "update_states"
            ),
            timeout,
        )
        states = reply.content["data"]["states"]
        return {model_id: entry.get("state", entry) for model_id, entry in states.items()}

    def set_value(self, model_id: str, value: Any) -> str:
        """What the browser sends when a person types into a text field."""
        data = {"method": "update", "state": {"value": value}, "buffer_paths": []}
        return self.send("comm_msg", {"comm_id": model_id, "data": data})

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:
            pass


def models_with_class(states: dict[str, dict[str, Any]], dom_class: str) -> list[str]:
    """Model ids of the widgets that carry a DOM class (how the apps name their controls)."""
    return [model_id for model_id, state in states.items() if dom_class in state.get("_dom_classes", [])]


def origin_of(url: str) -> str:
    """The Origin a browser sends for a page under `url`: scheme, host and port, never a path (a hub
    serves each person's server under /user/NAME/)."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# -- JupyterHub: the login form, the spawn, the way to the person's server ---------------------------
LOGIN_XSRF = re.compile(r"<input\b[^>]*\bname=[\"']_xsrf[\"'][^>]*>", re.IGNORECASE)
INPUT_VALUE = re.compile(r"\bvalue=[\"']([^\"']*)[\"']", re.IGNORECASE)
PROGRESS_SOURCE = re.compile(r"new\s+EventSource\(\s*[\"']([^\"']+)[\"']\s*\)")
MAX_REDIRECTS = 20


class SpawnFailed(RuntimeError):
    """The hub said the person's server could not start (or never said it was ready)."""


def login_xsrf(page_html: str) -> str:
    """The `_xsrf` token of the hub's login form (a POST without it is refused with 403)."""
    field_tag = LOGIN_XSRF.search(page_html)
    value = INPUT_VALUE.search(field_tag.group(0)) if field_tag else None
    if not value or not value.group(1):
        raise ValueError("the hub's login page has no _xsrf field in its form")
    return html.unescape(value.group(1))


def progress_source(page_html: str) -> str | None:
    """The progress event stream the hub's spawn-pending page listens to (None on any other page)."""
    found = PROGRESS_SOURCE.search(page_html)
    return html.unescape(found.group(1)) if found else None


def progress_events(lines: Iterable[bytes | str]) -> Iterator[dict[str, Any]]:
    """The events of a server-sent event stream (`data: {json}` lines), as the spawn page reads them."""
    for raw in lines:
        line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        line = line.strip()
        if line.startswith("data:"):
            yield json.loads(line[len("data:") :])


def spawn_outcome(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Read spawn progress events until the hub says ready; SpawnFailed with its message if it says failed
    or the stream ends first. Returns the events seen."""
    seen: list[dict[str, Any]] = []
    for event in events:
        seen.append(event)
        if event.get("failed"):
            raise SpawnFailed(event.get("message") or "the hub reported a failed spawn")
        if event.get("ready"):
            return seen
    last = seen[-1].get("message") if seen else "no event"
    raise SpawnFailed(f"the spawn's progress stream ended before the server was ready (last: {last})")


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the browser below follows each hop itself, to see where it is


@dataclass
class HubArrival:
    """Where a person's sign-in ended: the page their browser shows, and how long the spawn took."""

    url: str
    status: int
    html: str
    posted: float  # time.monotonic() when the sign-in form was posted
    spawn_s: float | None  # sign-in posted until the hub said the server is ready (None: it was running)
    events: list[dict[str, Any]] = field(default_factory=list)


class HubBrowser:
    """One person's browser on a JupyterHub: a cookie jar, redirects followed hop by hop."""

    def __init__(self, hub_base: str, timeout: float = 300) -> None:
        self.hub_base = hub_base.rstrip("/")
        self.timeout = timeout
        self.jar = CookieJar()
        cookies = urllib.request.HTTPCookieProcessor(self.jar)
        self._opener = urllib.request.build_opener(cookies, _KeepRedirects)

    def request(
        self, url: str, data: bytes | None = None, method: str | None = None, headers: dict | None = None
    ) -> tuple[int, str | None, str]:
        """One request: status, Location header (for a redirect) and body."""
        request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        try:
            response = self._opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            response = exc
        with response:
            body = response.read().decode("utf-8", "replace")
            return response.status, response.headers.get("Location"), body

    def follow(self, url: str, data: bytes | None = None) -> tuple[int, str, str]:
        """Request `url` and follow its redirects as a browser does (a POST's redirect becomes a GET):
        status, final URL and body."""
        for _ in range(MAX_REDIRECTS):
            status, location, body = self.request(url, data)
            if status not in (301, 302, 303, 307, 308) or not location:
                return status, url, body
            url, data = urllib.parse.urljoin(url, location), None
        raise RuntimeError(f"more than {MAX_REDIRECTS} redirects, last to {url}")

    def sign_in(self, username: str, password: str) -> HubArrival:
        """Open the login page, post its form with its `_xsrf`, and wait through the spawn-pending page
        (its progress stream) until the hub sends the browser on to the person's server."""
        _status, login_url, body = self.follow(f"{self.hub_base}/hub/login")
        form = {"username": username, "password": password, "_xsrf": login_xsrf(body)}
        posted = time.monotonic()
        status, url, body = self.follow(login_url, urllib.parse.urlencode(form).encode())
        if urllib.parse.urlsplit(url).path.endswith("/hub/login"):
            raise PermissionError(f"the hub refused the sign-in of {username!r} ({status})")
        source = progress_source(body)
        if source is None:
            if "/hub/" in urllib.parse.urlsplit(url).path:
                raise SpawnFailed(f"the hub answered {status} at {url} instead of the person's server")
            return HubArrival(url, status, body, posted, None)
        request = urllib.request.Request(
            urllib.parse.urljoin(url, source), headers={"Accept": "text/event-stream"}
        )
        with self._opener.open(request, timeout=self.timeout) as stream:
            events = spawn_outcome(progress_events(stream))
        spawn_s = time.monotonic() - posted
        status, url, body = self.follow(url)  # the page reloads itself once ready, as here
        if "/hub/" in urllib.parse.urlsplit(url).path:
            raise SpawnFailed(f"after the spawn the hub answered {status} at {url}")
        return HubArrival(url, status, body, posted, spawn_s, events)

    def cookie_header(self, url: str) -> str:
        """The Cookie header this browser sends to `url` (only the cookies whose path matches)."""
        request = urllib.request.Request(url.replace("ws", "http", 1) if url.startswith("ws") else url)
        self.jar.add_cookie_header(request)
        return request.get_header("Cookie", "")

    def page(self, url: str) -> Page:
        """GET a page of the person's server (redirects followed) with the kernel id from its config."""
        status, final_url, body = self.follow(url)
        return self.page_at(final_url, status, body)

    def page_at(self, url: str, status: int, body: str) -> Page:
        """The page this browser shows at `url` (e.g. where a sign-in arrived), with its kernel id and
        the cookies its websocket sends."""
        found = KERNEL_ID.search(body)
        return Page(status, body, found.group(1) if found else None, self.cookie_header(url))

    def stop_server(self, username: str) -> int:
        """Stop the person's own server as the hub's home page does (DELETE with the hub's `_xsrf`
        cookie as X-XSRFToken); the response status (202 while it stops, 204 once stopped)."""
        token = next((c.value for c in self.jar if c.name == "_xsrf" and c.path.startswith("/hub")), "")
        status, _location, _body = self.request(
            f"{self.hub_base}/hub/api/users/{urllib.parse.quote(username)}/server",
            method="DELETE",
            headers={"X-XSRFToken": token},
        )
        return status
