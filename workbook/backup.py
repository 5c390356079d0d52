"""Backups of the store and upgrades of its schema: `workbook backup`, `workbook restore`, `workbook migrate`.

An SQLite store is copied with SQLite's online backup, page by page, while the apps keep saving: the copy
is the store as it stood at one moment. A PostgreSQL store is backed up with PostgreSQL's own tools
(`pg_dump --format=custom`, `pg_restore`; README, "Backups"), which these commands name rather than
imitate."""

from __future__ import annotations

import functools
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import create_engine, inspect

from workbook.store import SCHEMA_HEAD, Store, StoreError
from workbook.store_in_use import apps_stopped

SQLITE_HEADER = b"SQLite format 3\x00"  # how every SQLite database file begins
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


def _read_only(file: Path) -> sqlite3.Connection:
    """A connection that only reads a backup file and leaves nothing beside it: SQLite is told the file is
    immutable, unless a WAL beside it holds part of it, which a read-only connection then reads too."""
    has_wal = file.with_name(file.name + "-wal").exists()
    return sqlite3.connect(f"file:{quote(str(file))}?{'mode=ro' if has_wal else 'immutable=1'}", uri=True)


def backup_revision(file: Path) -> str:
    """The schema revision of a backup file; StoreError naming the problem if it is not a workbook store."""
    file = Path(file)
    if not file.is_file():
        raise StoreError(f"{file} does not exist")
    try:
        with _read_only(file) as conn:
            tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            versions = (
                conn.execute("SELECT version_num FROM alembic_version").fetchall()
                if "alembic_version" in tables
                else []
            )
        conn.close()
    except sqlite3.DatabaseError as exc:
        with file.open("rb") as opened:
            if opened.read(len(SQLITE_HEADER)) == SQLITE_HEADER:
                raise StoreError(f"{file} is damaged (SQLite: {exc})") from None
        raise StoreError(f"{file} is not a workbook backup (not an SQLite database: {exc})") from None
    if not versions or "participants" not in tables:
        raise StoreError(f"{file} is not a workbook backup (it has no workbook tables)")
    if len(versions) != 1:
        raise StoreError(f"{file} is not a workbook backup (it names {len(versions)} schema revisions)")
    (revision,) = versions[0]
    if revision not in _revisions():
        raise StoreError(
            f"{file} is at schema {revision}, which this version of the workbook does not know "
            f"(newest known: {SCHEMA_HEAD}): restore it with the version that made it"
        )
    return revision


def _revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from workbook.store import _alembic_config

    return {script.revision for script in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


# -- the schema a backup must have ------------------------------------------------------------------------
@dataclass(frozen=True)
class Schema:
    """What SQLite and SQLAlchemy's inspection show of a store's schema: every named object (tables,
    indexes, triggers, views) and, per table, its columns (name, type, nullability, primary key, default)
    in order, and its keys, indexes and constraints."""

    objects: frozenset[tuple[str, str]]  # (type, name) from sqlite_master, SQLite's own objects left out
    tables: dict[str, dict[str, Any]]

    @classmethod
    def of(cls, database: Path) -> Schema:
        engine = create_engine(f"sqlite:///{database}")
        try:
            with engine.connect() as conn:
                objects = frozenset(
                    (kind, name)
                    for kind, name in conn.exec_driver_sql("SELECT type, name FROM sqlite_master")
                    if not _sqlites_own(kind, name)
                )
                inspector = inspect(conn)
                tables = {name: _table_shape(inspector, name) for name in inspector.get_table_names()}
        finally:
            engine.dispose()
        return cls(objects, tables)

    def differences(self, expected: Schema) -> list[str]:
        """What is not as in `expected`, in words that name each table, column or object."""
        found: list[str] = []
        for kind, name in sorted(expected.objects - self.objects):
            found.append(f"it has no {kind} `{name}`")
        for kind, name in sorted(self.objects - expected.objects):
            found.append(f"it has a {kind} `{name}` of its own")
        for table in sorted(expected.tables.keys() & self.tables.keys()):
            found.extend(_table_differences(table, self.tables[table], expected.tables[table]))
        return found


# Tables SQLite makes by itself (AUTOINCREMENT's counters, ANALYZE's statistics). Its indexes for UNIQUE
# and PRIMARY KEY constraints are compared as those constraints, whatever their numbering.
SQLITE_TABLES = frozenset({"sqlite_sequence", "sqlite_stat1", "sqlite_stat2", "sqlite_stat3", "sqlite_stat4"})


def _sqlites_own(kind: str, name: str) -> bool:
    """Whether an object is SQLite's own, by kind as well as name: a file made by hand may call a trigger
    or a view `sqlite_...`, and that is still one of its own."""
    if kind == "table":
        return name in SQLITE_TABLES
    return kind == "index" and name.startswith("sqlite_autoindex_")


def _table_shape(inspector: Any, table: str) -> dict[str, Any]:
    def names(items: list[dict[str, Any]], *keys: str) -> list[str]:
        return sorted(repr(tuple(_plain(item.get(key)) for key in keys)) for item in items)

    return {
        "columns": [
            (
                col["name"],
                str(col["type"]),
                bool(col["nullable"]),
                bool(col.get("primary_key")),
                col.get("default"),
            )
            for col in inspector.get_columns(table)
        ],
        "primary key": names([inspector.get_pk_constraint(table)], "constrained_columns"),
        "foreign keys": names(
            inspector.get_foreign_keys(table),
            "name",
            "constrained_columns",
            "referred_table",
            "referred_columns",
        ),
        "indexes": names(inspector.get_indexes(table), "name", "column_names", "unique"),
        "unique constraints": names(inspector.get_unique_constraints(table), "name", "column_names"),
        "check constraints": names(inspector.get_check_constraints(table), "name", "sqltext"),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, str):
        return " ".join(value.split())
    return value


def _column_words(column: tuple) -> str:
    _name, kind, nullable, primary, default = column
    words = [kind, "NULL" if nullable else "NOT NULL"]
    if primary:
        words.append("PRIMARY KEY")
    if default is not None:
        words.append(f"DEFAULT {default}")
    return " ".join(words)


def _table_differences(table: str, found: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    have = {column[0]: column for column in found["columns"]}
    want = {column[0]: column for column in expected["columns"]}
    for name in want.keys() - have.keys():
        problems.append(f"table `{table}` has no column `{name}`")
    for name in have.keys() - want.keys():
        problems.append(f"table `{table}` has a column `{name}` of its own")
    for name in sorted(want.keys() & have.keys()):
        if have[name] != want[name]:
            problems.append(
                f"column `{table}.{name}` is {_column_words(have[name])}, where the workbook's is "
                f"{_column_words(want[name])}"
            )
    if not problems and [c[0] for c in found["columns"]] != [c[0] for c in expected["columns"]]:
        problems.append(f"table `{table}` has its columns in another order")
    for part in ("primary key", "foreign keys", "indexes", "unique constraints", "check constraints"):
        if found[part] != expected[part]:
            problems.append(
                f"table `{table}` has other {part} ({', '.join(found[part]) or 'none'}; the workbook's: "
                f"{', '.join(expected[part]) or 'none'})"
            )
    return problems


def _migrate_to(database: Path, revision: str) -> None:
    """Upgrade the SQLite file at `database` to `revision` with the workbook's migrations."""
    from alembic import command

    from workbook.store import _alembic_config

    store = Store(f"sqlite:///{database}", migrate=False)
    try:
        cfg = _alembic_config()
        with store.migration_connection() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        store.close()


@functools.lru_cache(maxsize=4)
def expected_schema(revision: str) -> Schema:
    """The schema the workbook's migrations build at `revision`, from an empty store in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="workbook-schema-") as folder:
        reference = Path(folder) / "reference.sqlite"
        _migrate_to(reference, revision)
        return Schema.of(reference)


# -- restore -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Contents:
    people: int
    answers: int

    def __str__(self) -> str:
        return f"{self.people} people, {self.answers} saved answers"


def _contents(conn: sqlite3.Connection) -> Contents:
    (people,) = conn.execute("SELECT count(*) FROM participants").fetchone()
    (answers,) = conn.execute("SELECT count(*) FROM answers").fetchone()
    return Contents(people, answers)


def _reason(exc: BaseException) -> str:
    """The database's own words for a failure (never SQLAlchemy's wrapping, its SQL or its links)."""
    cause = getattr(exc, "orig", None) or exc
    return str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__


def _one_file(database: Path) -> None:
    """Fold the WAL into the database file and leave it in rollback-journal mode, a file of its own: its
    -wal and -shm files are gone (the store switches back to WAL when the apps open it)."""
    conn = sqlite3.connect(database, timeout=5, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=DELETE").fetchone()
    finally:
        conn.close()


SIDE_FILES = ("-wal", "-shm", "-journal")


def _remove_with_side_files(database: Path) -> None:
    for path in (database, *(database.with_name(database.name + suffix) for suffix in SIDE_FILES)):
        path.unlink(missing_ok=True)


def _check_integrity(conn: sqlite3.Connection, file: Path) -> None:
    rows = [row[0] for row in conn.execute("PRAGMA integrity_check(20)")]
    if rows != ["ok"]:
        raise StoreError(f"{file} is damaged (SQLite's integrity check: {'; '.join(rows[:3])})")
    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({row[0] for row in broken})
        raise StoreError(f"{file} has rows that point at rows it does not hold (in {', '.join(tables)})")


def _check_schema(copy: Path, revision: str, file: Path) -> None:
    problems = Schema.of(copy).differences(expected_schema(revision))
    if problems:
        shown = "; ".join(problems[:6]) + (f"; and {len(problems) - 6} more" if len(problems) > 6 else "")
        raise StoreError(f"{file} does not have the workbook's schema {revision}: {shown}")


@contextmanager
def checked_copy(file: Path, folder: Path) -> Iterator[tuple[Path, str, Contents]]:
    """A copy of the backup `file` in `folder`, upgraded to the newest schema and checked: SQLite's
    integrity check and foreign keys, and the schema alembic builds (before the upgrade at the backup's
    revision, after it at the newest), with no table, index, trigger or view of its own. Yields the copy,
    the backup's revision and what it holds; the copy is removed on leaving unless it was moved away.
    StoreError names the first problem found; the backup itself is only read."""
    revision = backup_revision(file)
    handle, name = tempfile.mkstemp(prefix=".restore-", suffix=".sqlite", dir=folder)
    os.close(handle)
    copy = Path(name)
    try:
        try:
            with _read_only(file) as src, sqlite3.connect(copy) as dst:
                src.backup(dst)
            src.close()
            with sqlite3.connect(copy) as conn:
                _check_integrity(conn, file)
            conn.close()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{file} is damaged (SQLite: {_reason(exc)})") from None
        _check_schema(copy, revision, file)  # before any migration runs on it (a trigger would fire)
        if revision != SCHEMA_HEAD:
            try:
                _migrate_to(copy, "head")
            except Exception as exc:  # whatever stops a migration, the copy goes and the store stays
                # (SQLAlchemy's and SQLite's errors, the migrations' own checks on the data)
                raise StoreError(
                    f"{file} could not be upgraded from schema {revision} to {SCHEMA_HEAD}: {_reason(exc)}"
                ) from None
            _check_schema(copy, SCHEMA_HEAD, file)
        _one_file(copy)
        with sqlite3.connect(copy) as conn:
            _check_integrity(conn, file)
            (version,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            if version != SCHEMA_HEAD:
                raise StoreError(f"{file} is at schema {version} after its upgrade, not {SCHEMA_HEAD}")
            contents = _contents(conn)
        conn.close()
        yield copy, revision, contents
    finally:
        _remove_with_side_files(copy)


def _current_contents(target: Path) -> Contents | None:
    """What the store at `target` holds (None if it is not a readable workbook store), read without
    writing to it."""
    try:
        with sqlite3.connect(target, timeout=5) as conn:  # reads only: the file stays as it is
            contents = _contents(conn)
        conn.close()
    except sqlite3.DatabaseError:
        return None
    return contents


def _kept_name(target: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    kept = target.with_name(f"{target.name}.before-restore-{stamp}")
    serial = 1
    while kept.exists():
        serial += 1
        kept = target.with_name(f"{target.name}.before-restore-{stamp}-{serial}")
    return kept


def _swap_in(copy: Path, target: Path) -> Path | None:
    """Put `copy` in place of the store at `target` in one rename, keeping the store it replaces beside it
    (returned), with its WAL folded in, so the restored store is never read with the old store's WAL.

    Refuses, changing nothing, while another program has the store open: leaving WAL mode, as the swap
    does first, needs the store to itself."""
    if not target.exists():
        os.replace(copy, target)
        return None
    conn = sqlite3.connect(target, timeout=2, isolation_level=None)
    try:
        try:
            mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
            conn.execute("BEGIN EXCLUSIVE")  # nobody opens the old store until the new one is in place
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise StoreError(
                    f"the store at {target} cannot be read ({exc}); nothing was changed"
                ) from None
            mode = None
        except sqlite3.DatabaseError:  # a damaged store, which is what a restore is for: kept as it is
            mode = "delete"
        if mode != "delete":
            raise StoreError(
                f"the store at {target} is open in another program (a `workbook` command, a notebook or a "
                "kernel left running): close it, then restore; nothing was changed"
            )
        kept = _kept_name(target)
        try:
            os.link(target, kept)
        except OSError:  # a file system without hard links
            shutil.copy2(target, kept)
        for suffix in SIDE_FILES:  # left only by a damaged store
            side = target.with_name(target.name + suffix)
            if side.exists():
                os.replace(side, kept.with_name(kept.name + suffix))
        os.replace(copy, target)
    finally:
        conn.close()
    return kept


def restore(file: Path, url: str | None = None, *, replace: bool = False) -> str:
    """Put a backup in place of the store (upgraded to the newest schema if it is older); what was done.

    The backup is copied beside the store, upgraded and checked there (`checked_copy`), and swapped in with
    one rename only when every check has passed, the old store kept beside it. Refuses, leaving the store
    as it was, if the backup fails a check, the apps are running on the store, another program has it open,
    or it already holds people or answers and `replace` is not given."""
    file = Path(file)
    store = Store(url, migrate=False)
    try:
        target = _sqlite_path(store, "restore").resolve()
    finally:
        store.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    with apps_stopped(target):
        current = _current_contents(target) if target.exists() else None
        if current is not None and (current.people or current.answers) and not replace:
            backup_revision(file)  # a file that is no backup at all is named as such first
            raise StoreError(
                f"the store at {target} is not empty ({current}): "
                "back it up first, then add --replace to overwrite it with the backup"
            )
        with checked_copy(file, target.parent) as (copy, revision, contents):
            kept = _swap_in(copy, target)
    upgraded = "" if revision == SCHEMA_HEAD else f", upgraded from schema {revision} to {SCHEMA_HEAD}"
    beside = f"; the store it replaced is kept at {kept}" if kept is not None else ""
    return f"Restored {file} into {target} ({contents}{upgraded}){beside}."
