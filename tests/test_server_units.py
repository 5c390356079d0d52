"""The server guards' logic without a server: frames, page assets, the kernel book, page timers."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
import time

import pytest
from jupyter_server.services.kernels.connection.base import serialize_binary_message, serialize_msg_to_ws_v1
from widget_helpers import find

from workbook import config, identity
from workbook.apps import common
from workbook.apps.participant import participant_app
from workbook.preparation import SCOPE
from workbook.server import frames
from workbook.server.handlers import strip_foreign_assets
from workbook.server.lifecycle import KernelRegistry, RedactKernelIds, kernel_tag
from workbook.server.limits import MessageAllowance, UnsignedPages
from workbook.server.page import PageLife
from workbook.signin_guard import address_from, client_address

KERNEL = "1ebb3b8e-990a-45ab-ac1c-f49f91afbf7d"


def v1_frame(msg_type: str, content: dict, buffers: tuple[bytes, ...] = ()) -> bytes:
    parts = [
        json.dumps({"msg_type": msg_type}).encode(),
        b"{}",
        b"{}",
        json.dumps(content).encode(),
        *buffers,
    ]
    return serialize_msg_to_ws_v1(parts, "iopub")


def legacy_binary(msg_type: str, content: dict) -> bytes:
    message = {"header": {"msg_type": msg_type}, "parent_header": {}, "metadata": {}, "content": content}
    return serialize_binary_message({**message, "buffers": [b"\x89PNG"], "channel": "iopub"})


# -- frames -----------------------------------------------------------------------------------------
def test_v1_frames_are_read_with_their_buffers():
    message = frames.read(v1_frame("stream", {"name": "stderr", "text": "x"}, (b"buf",)), frames.V1_PROTOCOL)
    assert (message.channel, message.msg_type, message.content()["name"]) == ("iopub", "stream", "stderr")


def test_legacy_binary_frames_are_read_as_legacy():
    message = frames.read(legacy_binary("comm_msg", {"comm_id": "c"}), None)
    assert message.msg_type == "comm_msg" and message.content() == {"comm_id": "c"}


@pytest.mark.parametrize(
    "frame",
    [
        legacy_binary("comm_msg", {"comm_id": "c"}),  # Voila's freeze: a legacy frame read as v1
        (2**60).to_bytes(8, "little") + b"\x00" * 64,  # a count of 10^18 offsets
        (7).to_bytes(8, "little") + (9999).to_bytes(8, "little") * 7,  # offsets beyond the frame
        b"\x01\x02",
        "a text frame",
    ],
)
def test_hostile_or_foreign_frames_on_v1_are_refused_at_once(frame):
    start = time.perf_counter()
    with pytest.raises(frames.FrameError):
        frames.read(frame, frames.V1_PROTOCOL)
    assert time.perf_counter() - start < 0.1


@pytest.mark.parametrize(
    "frame",
    [(2**31).to_bytes(4, "big") + b"\x00" * 16, b"\x00\x00\x00\x01\x00\x00\x00\x08[1]", "not json", "[1, 2]"],
)
def test_malformed_legacy_frames_are_refused(frame):
    with pytest.raises(frames.FrameError):
        frames.read(frame, None)


# -- assets ---------------------------------------------------------------------------------------
def test_page_keeps_only_assets_of_its_own_server():
    page = (
        '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@^5/css/all.min.css"'
        ' type="text/css" />\n<link rel="stylesheet" href="/voila/static/index.css">\n'
        '<script type="module">const m = await import("https://cdnjs.cloudflare.com/x/mermaid.esm.min.mjs");</script>\n'
        '<script src="//cdn.example.org/lib.js"></script>\n'
        '<script src="/voila/static/voila.js"></script><script>var ns = "http://www.w3.org/2000/svg";</script>'
    )
    kept = strip_foreign_assets(page)
    assert "cdn" not in kept
    assert (
        "/voila/static/index.css" in kept and "/voila/static/voila.js" in kept and "w3.org/2000/svg" in kept
    )


# -- the kernel book ------------------------------------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_kernel_is_due_once_its_page_has_been_gone_long_enough():
    clock = Clock()
    book = KernelRegistry(clock=clock)
    book.bind("k1", "visit-a")
    clock.now += 500
    assert book.due({"k1"}, set(), 120, strict=True) == []  # still rendering
    book.rendered("k1")
    clock.now += 119
    assert book.due({"k1"}, set(), 120, strict=True) == []
    clock.now += 1
    assert book.due({"k1"}, set(), 120, strict=True) == ["k1"]  # never connected
    book.connected("k1")
    clock.now += 10_000
    assert book.due({"k1"}, set(), 120, strict=True) == []  # open page
    book.disconnected("k1")
    clock.now += 119
    assert book.due({"k1"}, set(), 120, strict=True) == []
    clock.now += 1
    assert book.due({"k1"}, set(), 120, strict=True) == ["k1"]


def test_pool_kernels_are_never_due_and_unowned_ones_only_on_the_standalone_server():
    clock = Clock()
    book = KernelRegistry(clock=clock)
    assert book.due({"pool", "lab"}, {"pool"}, 120, strict=False) == []
    assert book.due({"pool", "lab"}, {"pool"}, 120, strict=True) == []
    clock.now += 120
    assert book.due({"pool", "lab"}, {"pool"}, 120, strict=True) == ["lab"]
    book.bind("gone", "v")
    book.due(set(), set(), 120, strict=True)
    assert book.owner("gone") is None  # no longer running: forgotten


def test_log_lines_name_kernels_by_tag_not_id():
    record = logging.LogRecord("Voila", logging.INFO, __file__, 1, "Kernel started: %s", (KERNEL,), None)
    RedactKernelIds().filter(record)
    assert KERNEL not in record.getMessage() and kernel_tag(KERNEL) in record.getMessage()


# -- the page's timers (inside the kernel) --------------------------------------------------------
def test_idle_page_writes_pending_saves_then_shows_why_it_closed(store, monkeypatch):
    loop = asyncio.new_event_loop()  # autosaves wait on it, as they do in a kernel, but it never runs
    monkeypatch.setattr(common, "_kernel_loop", lambda: loop)
    issued = identity.add_participant(store, "Lunch Break")
    monkeypatch.setenv("QUERY_STRING", f"code={issued.code}")
    clock = Clock()
    life = PageLife(clock=clock)
    monkeypatch.setattr("workbook.server.page._life", life)
    app = participant_app(store)
    [box] = find(app, "wb-field-self_awareness-strengths")  # this page's box, not one left by another test
    box.value = "typed, not yet saved"
    assert store.current_answers(issued.person.id, SCOPE) == {}  # the autosave is pending
    clock.now += config.idle_close_after() - 1
    assert life.check() is None
    clock.now += 1
    reason = life.check()
    assert reason == "This page was closed after an hour without activity: reload to go on."
    saved = [a.value for a in store.current_answers(issued.person.id, SCOPE).values()]
    assert saved == ["typed, not yet saved"]
    assert "closed after an hour without activity" in app.children[0].value
    loop.close()


def test_page_without_sign_in_closes_after_three_minutes_and_a_signed_in_one_does_not(monkeypatch):
    clock = Clock()
    anonymous, signed = PageLife(clock=clock), PageLife(clock=clock)
    monkeypatch.setattr("workbook.server.page._show_everywhere", lambda reason: None)
    monkeypatch.setattr("workbook.server.page._warn_everywhere", lambda warning: None)
    monkeypatch.delenv("WORKBOOK_SIGNIN_CLOSE_SECONDS", raising=False)
    signed.signed_in()
    clock.now += 180
    assert (
        anonymous.check() == "This page was closed because nobody signed in for 3 minutes: reload to go on."
    )
    assert signed.check() is None


def test_a_page_nobody_signed_in_on_warns_a_minute_before_it_closes(store, monkeypatch):
    """The sign-in form itself shows the warning (visible text), a minute before the close, once."""
    monkeypatch.delenv("WORKBOOK_SIGNIN_CLOSE_SECONDS", raising=False)
    monkeypatch.setenv("QUERY_STRING", "")
    clock = Clock()
    life = PageLife(clock=clock)
    monkeypatch.setattr("workbook.server.page._life", life)
    app = participant_app(store)
    assert find(app, "wb-code")  # the sign-in form
    clock.now += 119
    assert life.check() is None and not find(app, "wb-page-closing")
    clock.now += 1
    assert life.check() is None  # warned, not closed
    [warning] = find(app, "wb-page-closing")
    assert "Nobody has signed in on this page: it closes in a minute" in warning.value
    assert find(app, "wb-code")  # the form stays usable
    assert life.check() is None and len(find(app, "wb-page-closing")) == 1  # once
    clock.now += 60
    assert "nobody signed in for 3 minutes" in (life.check() or "")


def test_a_sign_in_is_announced_once_and_takes_the_warning_away(store, monkeypatch):
    announced = []
    monkeypatch.setattr("workbook.server.page._announce", announced.append)
    issued = identity.add_participant(store, "Late Arrival")
    monkeypatch.setenv("QUERY_STRING", "")
    clock = Clock()
    life = PageLife(clock=clock)
    monkeypatch.setattr("workbook.server.page._life", life)
    app = participant_app(store)
    clock.now += config.signin_close_after() - 30
    life.check()
    assert find(app, "wb-page-closing")
    [code] = find(app, "wb-code")
    [button] = find(app, "wb-open")
    code.value = issued.code
    button.click()
    [sign_in] = announced  # with what the sign-in checked, for the visit's cookie: ids, never the code
    assert sign_in["signed_in"] is True and sign_in["session"]["person"] == issued.person.id
    assert set(sign_in["session"]) == {"person", "code"} and issued.code not in str(sign_in)
    assert not find(app, "wb-page-closing") and life.is_signed_in
    life.signed_in()
    assert announced == [sign_in]


# -- what one visitor may take ---------------------------------------------------------------------
def test_pages_nobody_signed_in_on_are_limited_per_address_and_a_sign_in_strikes_one_out():
    clock = Clock()
    pages = UnsignedPages(limit=3, window=600, clock=clock)
    for n in range(3):
        assert pages.wait("room") is None
        pages.opened("room", f"k{n}")
    assert pages.wait("room") == 600
    assert pages.wait("elsewhere") is None  # another address is not held up
    pages.signed_in("k1")  # that page signed in: it no longer counts
    assert pages.wait("room") is None
    pages.opened("room", "k3")
    clock.now += 100
    assert pages.wait("room") == 500  # until the oldest page falls out of the window
    clock.now += 500
    assert pages.wait("room") is None


def test_a_room_of_thirty_behind_one_address_passes_the_default_limit(monkeypatch):
    monkeypatch.delenv("WORKBOOK_UNSIGNED_PAGES_PER_ADDRESS", raising=False)
    pages = UnsignedPages(limit=config.unsigned_pages_per_address(), clock=Clock())
    for n in range(30 * 2 + 1):  # each of 30 opens the sign-in page twice, and one more
        assert pages.wait("company network") is None, n
        pages.opened("company network", f"k{n}")
    assert config.unsigned_pages_per_address() > 2 * 60


def test_widget_messages_beyond_the_allowance_are_refused_and_it_refills():
    clock = Clock()
    allowance = MessageAllowance(rate=100, burst=500, clock=clock)
    assert all(allowance.take() for _ in range(500))  # a burst below the limit passes
    assert not allowance.take()
    clock.now += 0.0625
    assert sum(allowance.take() for _ in range(10)) == 6  # 100 a second come back
    for _ in range(600):  # a steady 60 a second (faster than the screen draws) never runs out
        clock.now += 1 / 60
        assert allowance.take()


def test_anonymous_kernels_are_reclaimed_oldest_first():
    clock = Clock()
    book = KernelRegistry(clock=clock)
    for kernel_id in ("old", "signed", "newer", "rendering"):
        book.bind(kernel_id, f"visit-{kernel_id}")
        clock.now += 1
    for kernel_id in ("old", "signed", "newer"):
        book.rendered(kernel_id)
    book.signed_in("signed")
    running = {"old", "signed", "newer", "rendering", "pool"}
    assert book.anonymous(running, {"pool"}) == ["old", "newer"]
    book.signed_in("early")  # announced while rendering, before the page took the kernel
    book.bind("early", "visit-early")
    assert book.is_signed_in("early")


@pytest.mark.parametrize(
    ("trusted", "forwarded", "direct", "expected"),
    [
        ("", "203.0.113.9", "10.0.0.1", "10.0.0.1"),  # a forged header is not believed
        ("1", "203.0.113.9, 10.0.0.2", "10.0.0.1", "203.0.113.9"),
        ("1", None, "10.0.0.1", "10.0.0.1"),
        ("", None, "", None),
    ],
)
def test_one_rule_reads_the_visitors_address(monkeypatch, trusted, forwarded, direct, expected):
    monkeypatch.setenv("WORKBOOK_TRUSTED_PROXY", trusted)
    assert address_from(forwarded, direct) == expected
    monkeypatch.setenv("HTTP_X_WORKBOOK_CLIENT", direct)
    if forwarded is None:
        monkeypatch.delenv("HTTP_X_FORWARDED_FOR", raising=False)
    else:
        monkeypatch.setenv("HTTP_X_FORWARDED_FOR", forwarded)
    assert client_address() == expected  # inside a page's kernel, the same rule


# -- settings -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "raw", "reader"),
    [
        ("WORKBOOK_MAX_KERNELS", "many", config.max_kernels),
        ("WORKBOOK_MAX_KERNELS", "0", config.max_kernels),
        ("WORKBOOK_PAGE_GONE_SECONDS", "-5", config.page_gone_after),
        ("WORKBOOK_IDLE_CLOSE_SECONDS", "an hour", config.idle_close_after),
        ("WORKBOOK_SIGNIN_CLOSE_SECONDS", "0", config.signin_close_after),
        ("WORKBOOK_UNSIGNED_PAGES_PER_ADDRESS", "lots", config.unsigned_pages_per_address),
    ],
)
def test_bad_server_settings_are_named(monkeypatch, name, raw, reader):
    monkeypatch.setenv(name, raw)
    with pytest.raises(config.ConfigError, match=name):
        reader()


def test_server_settings_have_production_defaults(monkeypatch):
    for name in (
        "WORKBOOK_MAX_KERNELS",
        "WORKBOOK_PAGE_GONE_SECONDS",
        "WORKBOOK_IDLE_CLOSE_SECONDS",
        "WORKBOOK_SIGNIN_CLOSE_SECONDS",
        "WORKBOOK_UNSIGNED_PAGES_PER_ADDRESS",
    ):
        monkeypatch.delenv(name, raising=False)
    assert (config.max_kernels(), config.page_gone_after()) == (120, 120)
    assert (config.idle_close_after(), config.signin_close_after()) == (3600, 180)
    assert config.unsigned_pages_per_address() == 180


# -- the evaluator before its key -----------------------------------------------------------------
@pytest.mark.parametrize("query", ["", "key=not-the-key"])
def test_evaluator_imports_nothing_heavy_before_its_key_checks_out(query, tmp_path):
    probe = (
        "import sys, asyncio\n"
        "from workbook.apps.evaluator import evaluator_app\n"
        "async def visit():\n"
        "    evaluator_app()\n"  # inside a running loop, as in a kernel
        "    await asyncio.sleep(0.5)\n"
        "asyncio.run(visit())\n"
        "heavy = ('scipy', 'pandas', 'matplotlib', 'workbook.evaluation')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m.startswith(heavy)))\n"
    )
    env = {
        "WORKBOOK_EVALUATOR_KEY": "the-right-evaluator-key-0123456789",
        "QUERY_STRING": query,
        "WORKBOOK_DATA_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _message(kind: str, channel: str = "shell", content: dict | None = None) -> frames.Message:
    return frames.Message(channel, {"msg_type": kind}, content or {})


def test_a_page_may_send_only_what_a_widget_page_sends():
    for kind in ("kernel_info_request", "comm_info_request", "comm_msg", "comm_close"):
        assert frames.refused_from_page(_message(kind)) is None
    control = {"target_name": "jupyter.widget.control", "comm_id": "c"}
    assert frames.refused_from_page(_message("comm_open", content=control)) is None
    refusals = {
        "execute_request": _message("execute_request"),
        "on the 'control' channel": _message("execute_request", "control"),
        "on the 'stdin' channel": _message("input_reply", "stdin"),
        "a message without a type": _message(""),
        "target 'jupyter.widget'": _message("comm_open", content={"target_name": "jupyter.widget"}),
        "target 'None'": _message("comm_open"),
    }
    for expected, message in refusals.items():
        assert expected in (frames.refused_from_page(message) or ""), expected
