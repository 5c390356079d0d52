"""What the browser tests and the benchmarks share: where Chromium is, how to start it here, ports.

Debian's Chromium is used (nothing downloads a browser); the flags keep it from reaching for the
network, which this machine's closed network would refuse.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

CHROMIUM = os.environ.get("WORKBOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now, for a server under test."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_until_serving(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90.0) -> None:
    """Return once `url` answers; RuntimeError with the server's log if it dies or takes too long."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except OSError as exc:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"server did not start: {log.read_text()}") from exc
            time.sleep(0.3)
