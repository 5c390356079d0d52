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
from pathlib import Path

import psutil

from workbook.config import REPO_ROOT
from workbook.devtools import free_port, wait_until_serving
from workbook.store import Store

PLAIN_VOILA = os.environ.get("WORKBOOK_TEST_PLAIN_VOILA") == "1"
# a stylesheet, script or module on another host (XML namespaces in inline SVG are names, not requests)
FOREIGN_REFERENCE = re.compile(
    r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|["'](?:https?:)?//[^"'\s]+\.(?:m?js|css)\b"""
)
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
        try:
            wait_until_serving(f"{self.base}/voila/static/voila.js", self.proc, self.log_path)
        except RuntimeError:
            self.stop()
            raise
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
        """Stop the server; kernels still running after a few seconds are killed (a test server's
        kernels hold nothing to keep, and a frozen server does not answer its stop signal)."""
        if self.proc.poll() is None:
            try:
                kernels = psutil.Process(self.proc.pid).children(recursive=True)
            except psutil.NoSuchProcess:
                kernels = []
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            for kernel in kernels:
                try:
                    kernel.kill()
                except psutil.NoSuchProcess:
                    pass
        self._log.close()
