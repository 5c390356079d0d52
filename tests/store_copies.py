"""Stores copied from a template file, so that tests needing the same starting data (an empty store at the
newest schema, the demo) build it once instead of once per test."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from workbook.store import Store

POSTGRES_TEMPLATE = "workbook_template"  # the migrated database each PostgreSQL test database copies


def store_file(store: Store) -> Path:
    """Close a SQLite store with everything in its main file, so that copying that one file copies the
    store (a template many tests start from)."""
    path = Path(store.engine.url.database)
    store.close()
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return path


def store_copy(template: Path, folder: Path) -> Store:
    """A store of one's own, starting as a copy of `template`."""
    path = folder / "store.sqlite"
    shutil.copyfile(template, path)
    return Store(f"sqlite:///{path}")
