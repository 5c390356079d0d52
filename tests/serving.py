"""A served copy of the apps for server tests, with its own settings, and a look at its kernels.

Set WORKBOOK_TEST_PLAIN_VOILA=1 to run the same tests against plain Voila started the way
`workbook serve` used to start it (`python -m voila notebooks/` with the repository's voila.json):
that is how the server tests are shown to fail without the workbook's guards.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

from workbook.config import REPO_ROOT
from workbook.devtools import free_port
from workbook.store import Store

PLAIN_VOILA = os.environ.get("WORKBOOK_TEST_PLAIN_VOILA") == "1"
CONNECTION_FILE = re.compile(r"kernel-([0-9a-f-]{36})\.json")


def kernel_ids_under(pid: int) -> set[str]:
    """Ids of the kernels running under a server process (from their connection files)."""
    ids: set[str] = set()
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return ids
    for child in children:
        try:
            found = CONNECTION_FILE.search(" ".join(child.cmdline()))
        except psutil.Error:
            continue
        if found:
            ids.add(found.group(1))
    return ids


class ServedApps:
    """`workbook serve` (or plain Voila) on a free port with a fresh store and extra settings."""

    def __init__(self, data_dir: Path, settings: dict[str, str], voila_options: tuple[str, ...] = ()) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "WORKBOOK_DATA_DIR": str(data_dir), "WORKBOOK_BASE_URL": self.base, **settings}
        env.pop("WORKBOOK_DATABASE_URL", None)
        if PLAIN_VOILA:
            command = [
                sys.executable,
                "-m",
                "voila",
                "notebooks",
                "--no-browser",
                "--Voila.ip=127.0.0.1",
                f"--Voila.port={self.port}",
                "--Voila.port_retries=0",
                *voila_options,
            ]
        else:
            command = [
                sys.executable,
                "-m",
                "workbook.cli",
                "serve",
                "--port",
                str(self.port),
                "--",
                *voila_options,
            ]
        self.log_path = data_dir / "serve.log"
        self._log = self.log_path.open("w")
        Store(f"sqlite:///{data_dir / 'workbook.sqlite'}").close()  # the store exists before kernels start
        self.proc = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        self.started = time.monotonic()
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{self.base}/voila/static/voila.js", timeout=5)
                break
            except OSError as exc:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"server did not start: {self.log_path.read_text()}") from exc
                time.sleep(0.3)
        self.store = Store(f"sqlite:///{data_dir / 'workbook.sqlite'}")

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text()

    def kernel_ids(self) -> set[str]:
        return kernel_ids_under(self.proc.pid)

    def wait_until(self, condition, timeout: float, step: float = 0.5) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(step)
        return condition()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5 if PLAIN_VOILA else 20)
            except subprocess.TimeoutExpired:  # a frozen server does not answer its stop signal
                for child in psutil.Process(self.proc.pid).children(recursive=True):
                    child.kill()
                self.proc.kill()
                self.proc.wait()
        self._log.close()
