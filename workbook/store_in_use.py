"""The apps' mark on an SQLite store while they run on it, so that `workbook restore` never swaps a store
under a running server.

The mark is an advisory lock (flock) on a file beside the store (`<store>.in-use`): every server running
the apps (`workbook serve`, `workbook lab`, a single-user server under a hub) holds it shared for as long
as its process lives, and the operating system releases it when the process ends, however it ends (kill -9
included), so no stale mark outlives a server. A restore takes it exclusively, and refuses if it cannot.
This module imports nothing heavy: a hub's single-user server takes the mark as it starts."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from workbook import config

_HELD: list[IO[bytes]] = []  # the marks this process holds, open until it ends


def marker(database: Path) -> Path:
    """The file whose lock says that the apps run on the store at `database`."""
    return database.with_name(f"{database.name}.in-use")


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL (`sqlite:///relative`, `sqlite:////absolute`, any driver, any query), read
    as SQLAlchemy reads it; None for another database or an in-memory one."""
    scheme, separator, rest = url.partition("://")
    if not separator or scheme.split("+", 1)[0] != "sqlite":
        return None
    database = rest.split("?", 1)[0]
    database = database[1:] if database.startswith("/") else database  # the empty host before the path
    if not database or database == ":memory:":
        return None
    return Path(database).resolve()


def hold_store_for_apps(url: str | None = None) -> Path | None:
    """Mark the SQLite store (the configured one, or `url`'s) as in use by the apps until this process ends;
    returns the marker (None for a database server, or a store whose folder does not exist yet). While a
    restore holds the mark, this waits for it to finish."""
    database = sqlite_file(url or config.database_url())
    if database is None or not database.parent.is_dir():
        return None
    path = marker(database)
    held = path.open("ab")
    try:
        fcntl.flock(held, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"Waiting for `workbook restore` to finish with the store at {database}", flush=True)
        fcntl.flock(held, fcntl.LOCK_SH)
    _HELD.append(held)
    return path


@contextmanager
def apps_stopped(database: Path) -> Iterator[None]:
    """Hold the store's mark exclusively (no server starts on it meanwhile), or refuse, naming the servers,
    while any of them runs on it."""
    from workbook.store import StoreError  # only a restore asks, which has the store open anyway

    with marker(database).open("ab") as held:
        try:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(
                f"the apps are running on the store at {database} (a `workbook serve`, `workbook lab` or "
                "single-user server holds it): stop them first, then restore; nothing was changed"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)
