"""A throwaway PostgreSQL server for the tests and benchmarks: Debian's `postgresql` binaries, a cluster
in a temporary folder, listening on 127.0.0.1 only, gone when stopped.

PostgreSQL refuses to run as root; as root the cluster belongs to the `postgres` user the Debian
package creates (the tests run as root on a fresh CI machine)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import time
from pathlib import Path

from workbook.devtools import free_port

USER = "workbook"


def binaries() -> Path | None:
    """The folder of Debian's PostgreSQL server programs (the newest version), or None if not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    return Path(found[-1]).parent if found else None


class TemporaryPostgres:
    """Start a cluster in a new temporary folder; `url(name)` is a SQLAlchemy URL of a database in it.
    (Not under pytest's own temporary folder, which the postgres user may not enter.)"""

    def __init__(self) -> None:
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="workbook-postgres-"))
        bin_dir = binaries()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed: run scripts/ensure-postgres.sh (make test does)")
        self.bin = bin_dir
        self.folder = folder
        self.data = folder / "cluster"
        self.sockets = folder / "sockets"
        self.log = folder / "postgres.log"
        self.port = free_port()
        self.sockets.mkdir(parents=True, exist_ok=True)
        self._as: list[str] = []
        if os.geteuid() == 0:  # the server refuses root: run it as Debian's postgres user
            shutil.chown(folder, "postgres")
            shutil.chown(self.sockets, "postgres")
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run(
            "initdb", "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-instructions"
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.sockets} "
            "-c fsync=off -c full_page_writes=off -c max_connections=200"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def _run(self, program: str, *args: str, as_server: bool = True) -> str:
        runner = self._as if as_server else []
        done = subprocess.run(
            [*runner, str(self.bin / program), *args], capture_output=True, text=True, cwd=self.folder
        )
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed: {done.stderr or done.stdout}")
        return done.stdout

    def url(self, database: str = "postgres", driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://{USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database (a copy of `template` if given); its SQLAlchemy URL."""
        import psycopg

        with psycopg.connect(self.url(driver="postgresql"), autocommit=True) as conn:
            copy = f" TEMPLATE {template}" if template else ""
            conn.execute(f'CREATE DATABASE "{name}"{copy}')
        return self.url(name)

    def tool(self, program: str, *args: str) -> str:
        """Run one of PostgreSQL's client programs (pg_dump, pg_restore) against this cluster; its output."""
        return self._run(program, "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, *args, as_server=False)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except RuntimeError:
            pass
        deadline = time.monotonic() + 10
        while (self.data / "postmaster.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        shutil.rmtree(self.folder, ignore_errors=True)
