"""A scripted page visitor for tests and benchmarks: fetches a page as a browser does, opens its
kernel websocket (v1 as browsers negotiate it, or the legacy protocol) and speaks the widget
protocol (request every widget's state, send value updates).

It talks to 127.0.0.1 only in this project's tests and benchmarks; nothing here runs in a server.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
import uuid
from collections.abc import Callable
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


def fetch_page(base: str, path: str, jar: CookieJar | None = None, timeout: float = 120) -> Page:
    """GET a page with a cookie jar (the visit); the kernel id comes from the page's config."""
    jar = jar if jar is not None else CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    try:
        response = opener.open(base + path, timeout=timeout)
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
            origin=base,
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
