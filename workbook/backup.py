"""Backups of the store and upgrades of its schema: `workbook backup`, `workbook restore`, `workbook migrate`.

An SQLite store is copied with SQLite's online backup, page by page, while the apps keep saving: the copy
is the store as it stood at one moment. A PostgreSQL store is backed up with PostgreSQL's own tools
(`pg_dump --format=custom`, `pg_restore`; README, "Backups"), which these commands name rather than
imitate."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from workbook.models import Answer, Participant
from workbook.store import SCHEMA_HEAD, Store, StoreError

POSTGRES_BACKUP = (
    "on PostgreSQL use its own tools: `pg_dump --format=custom --file FILE DATABASE` to back up and "
    "`pg_restore --dbname DATABASE FILE` into an empty database to restore (README, Backups)"
)


@dataclass(frozen=True)
class Upgrade:
    before: str | None
    after: str

    def __str__(self) -> str:
        if self.before == self.after:
            return f"The store is already at the newest schema ({self.after}); nothing changed."
        return f"The store was upgraded from schema {self.before or 'none (empty)'} to {self.after}."


def migrate(url: str | None = None) -> Upgrade:
    """Upgrade the store's schema to the newest (the one step an operator runs on a database server)."""
    store = Store(url, migrate=False)
    try:
        before = store.upgrade()
        return Upgrade(before, SCHEMA_HEAD)
    finally:
        store.close()


def _sqlite_path(store: Store, doing: str) -> Path:
    if not store.is_sqlite:
        raise StoreError(f"`workbook {doing}` works on an SQLite store; {POSTGRES_BACKUP}")
    database = store.engine.url.database
    if not database or database == ":memory:":
        raise StoreError(f"`workbook {doing}` needs a store in a file")
    return Path(database)


def backup(out: Path, url: str | None = None, *, overwrite: bool = False) -> int:
    """Copy the store to `out` (an SQLite file) while it is in use; returns the copy's size in bytes.

    Refuses to replace an existing file unless `overwrite`; the copy is written beside `out` and moved
    into place only when complete, so a failed backup never leaves half a file under that name."""
    out = Path(out)
    if out.exists() and not overwrite:
        raise StoreError(f"{out} exists already: choose another name, or add --force to replace it")
    if not out.parent.is_dir():
        raise StoreError(f"the folder {out.parent} does not exist")
    store = Store(url, migrate=False)
    try:
        source = _sqlite_path(store, "backup")
        if not source.exists():
            raise StoreError(f"there is no store at {source} to back up")
    finally:
        store.close()
    partial = out.with_name(f".{out.name}.partial")
    with sqlite3.connect(source) as src, sqlite3.connect(partial) as dst:
        src.backup(dst)
    dst.close()
    src.close()
    os.replace(partial, out)
    return out.stat().st_size


def backup_revision(file: Path) -> str:
    """The schema revision of a backup file; StoreError naming the problem if it is not a workbook store."""
    file = Path(file)
    if not file.is_file():
        raise StoreError(f"{file} does not exist")
    try:
        with sqlite3.connect(f"file:{file}?mode=ro", uri=True) as conn:
            tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            revision = (
                conn.execute("SELECT version_num FROM alembic_version").fetchone()
                if "alembic_version" in tables
                else None
            )
        conn.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{file} is not a workbook backup (not an SQLite database: {exc})") from None
    if revision is None or "participants" not in tables:
        raise StoreError(f"{file} is not a workbook backup (it has no workbook tables)")
    known = _revisions()
    if revision[0] not in known:
        raise StoreError(
            f"{file} is at schema {revision[0]}, which this version of the workbook does not know "
            f"(newest known: {SCHEMA_HEAD}): restore it with the version that made it"
        )
    return revision[0]


def _revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from workbook.store import _alembic_config

    return {script.revision for script in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


def restore(file: Path, url: str | None = None, *, replace: bool = False) -> str:
    """Put a backup in place of the store (upgraded to the newest schema if it is older); what was done.

    Refuses, changing nothing, if the file is not a workbook backup or the store already holds people
    or answers and `replace` is not given."""
    revision = backup_revision(file)
    store = Store(url, migrate=False)
    try:
        target = _sqlite_path(store, "restore")
        if target.exists() and store.schema_version() is not None:
            with store.read() as session:
                people = session.scalar(select(func.count()).select_from(Participant)) or 0
                answers = session.scalar(select(func.count()).select_from(Answer)) or 0
            if (people or answers) and not replace:
                raise StoreError(
                    f"the store at {target} is not empty ({people} people, {answers} saved answers): "
                    "back it up first, then add --replace to overwrite it with the backup"
                )
    finally:
        store.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(f"file:{file}?mode=ro", uri=True) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    dst.close()
    src.close()
    upgraded = migrate(url)
    note = "" if revision == SCHEMA_HEAD else f", then upgraded from schema {revision} to {upgraded.after}"
    return f"Restored {file} into {target}{note}."
