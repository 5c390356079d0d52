"""Reading kernel websocket frames by the protocol the client actually negotiated, with bounds.

Jupyter speaks two websocket protocols to a kernel's page:
- ``v1.kernel.websocket.jupyter.org`` (what browsers negotiate): every frame is binary, an 8-byte
  little-endian count of offsets, the offsets (8 bytes each), then channel, header, parent header,
  metadata, content and buffers;
- the legacy protocol (no subprotocol): JSON text frames, or, for messages with buffers, a binary
  frame of a 4-byte big-endian count, 4-byte offsets, the JSON message and the buffers.

Voila 0.5 reads every binary frame as v1; a legacy frame's first 8 bytes then make an offset count
of about 10^17 and the server loops on its only event loop. Here a frame is read only by its own
protocol, every count and offset is checked against the frame's length before it is used, and a
frame that does not add up raises ``FrameError`` (the caller closes that one connection).
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from typing import Any

V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"
MAX_PARTS = 64  # channel, four message parts and the buffers; widgets send a handful of buffers


# What a widget page's front-end ever sends to its kernel: kernel info, and the widget comms. A page never
# runs code: its notebook ran on the server. Anything else (execute, complete, inspect, history, shutdown,
# debug, input replies), on any channel, is refused before it reaches the kernel, which holds the store's
# credentials. A page opens one kind of comm itself: ipywidgets' control comm, to ask for every widget's
# state; every other widget is opened by the kernel.
PAGE_MESSAGES = frozenset({"kernel_info_request", "comm_info_request", "comm_open", "comm_msg", "comm_close"})
PAGE_COMM_TARGETS = frozenset({"jupyter.widget.control"})


class FrameError(ValueError):
    """A websocket frame that does not follow the protocol of its connection."""


@dataclass(frozen=True)
class Message:
    """The parts of a kernel message the server looks at; content is read only when asked."""

    channel: str | None
    header: dict[str, Any]
    _content: bytes | dict[str, Any]

    @property
    def msg_type(self) -> str:
        return str(self.header.get("msg_type", ""))

    def content(self) -> dict[str, Any]:
        if isinstance(self._content, dict):
            return self._content
        try:
            value = json.loads(self._content or b"{}")
        except ValueError as exc:
            raise FrameError("message content is not JSON") from exc
        if not isinstance(value, dict):
            raise FrameError("message content is not an object")
        return value


def _offsets(frame: bytes, count: int, width: int, order: str, first: int) -> list[int]:
    """`count` offsets of `width` bytes starting at byte `first`, each inside the frame, in order."""
    if count < 1 or count > MAX_PARTS + 2:
        raise FrameError(f"frame claims {count} parts")
    end = first + count * width
    if end > len(frame):
        raise FrameError("frame is shorter than its offset table")
    offsets = [
        int.from_bytes(frame[first + i * width : first + (i + 1) * width], order) for i in range(count)
    ]
    previous = end
    for offset in offsets:
        if offset < previous or offset > len(frame):
            raise FrameError("frame offsets are out of order or outside the frame")
        previous = offset
    return offsets


def split_v1(frame: bytes) -> tuple[str, list[bytes]]:
    """Channel and message parts (header, parent header, metadata, content, buffers) of a v1 frame."""
    if not isinstance(frame, bytes | bytearray | memoryview):
        raise FrameError("a v1 connection sent a text frame")
    frame = bytes(frame)
    if len(frame) < 8:
        raise FrameError("v1 frame is shorter than its offset count")
    count = int.from_bytes(frame[:8], "little")
    offsets = _offsets(frame, count, 8, "little", 8)
    if count < 6:
        raise FrameError("v1 frame has fewer parts than a message")
    try:
        channel = frame[offsets[0] : offsets[1]].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FrameError("v1 channel is not text") from exc
    parts = [frame[offsets[i] : offsets[i + 1]] for i in range(1, count - 1)]
    return channel, parts


def split_legacy_binary(frame: bytes) -> tuple[dict[str, Any], list[bytes]]:
    """The JSON message and the buffers of a legacy binary frame."""
    frame = bytes(frame)
    if len(frame) < 4:
        raise FrameError("legacy frame is shorter than its part count")
    (count,) = struct.unpack("!I", frame[:4])
    offsets = _offsets(frame, count, 4, "big", 4)
    bounds = [*offsets, len(frame)]
    blobs = [frame[bounds[i] : bounds[i + 1]] for i in range(count)]
    try:
        message = json.loads(blobs[0].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FrameError("legacy frame does not start with a JSON message") from exc
    if not isinstance(message, dict):
        raise FrameError("legacy message is not an object")
    return message, blobs[1:]


def read(frame: str | bytes, subprotocol: str | None) -> Message:
    """The message in a frame, read by the connection's negotiated protocol (None is legacy)."""
    if subprotocol == V1_PROTOCOL:
        channel, parts = split_v1(frame)  # type: ignore[arg-type]
        try:
            header = json.loads(parts[0] or b"{}")
        except ValueError as exc:
            raise FrameError("v1 header is not JSON") from exc
        if not isinstance(header, dict):
            raise FrameError("v1 header is not an object")
        return Message(channel, header, parts[3])
    if subprotocol:
        raise FrameError(f"unknown subprotocol {subprotocol!r}")
    if isinstance(frame, str):
        try:
            message = json.loads(frame)
        except ValueError as exc:
            raise FrameError("legacy text frame is not JSON") from exc
        if not isinstance(message, dict):
            raise FrameError("legacy message is not an object")
    else:
        message, _buffers = split_legacy_binary(frame)
    header = message.get("header") or {}
    content = message.get("content") or {}
    if not isinstance(header, dict) or not isinstance(content, dict):
        raise FrameError("legacy header or content is not an object")
    return Message(message.get("channel"), header, content)


def refused_from_page(msg: Message) -> str | None:
    """Why a page may not send this message to its kernel, or None if it may (see PAGE_MESSAGES)."""
    kind = msg.msg_type
    if msg.channel != "shell":
        return f"{kind or 'a message'} on the {msg.channel!r} channel"
    if kind not in PAGE_MESSAGES:
        return f"{kind or 'a message without a type'}, which a page never sends"
    if kind == "comm_open":
        target = msg.content().get("target_name")
        if target not in PAGE_COMM_TARGETS:
            return f"a comm opened for target {str(target)[:80]!r}"
    return None
