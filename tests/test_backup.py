"""Backups, restores and schema upgrades (`workbook backup`, `restore`, `migrate`), and the rule that apps on
a database server never migrate by themselves."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from serving import ServedApps
from store_copies import POSTGRES_TEMPLATE

from workbook import identity
from workbook.backup import backup, restore
from workbook.cli import main
from workbook.store import SCHEMA_HEAD, SchemaOutOfDate, Store, StoreError
from workbook.store_in_use import apps_stopped, marker, sqlite_file

FIRST_RELEASE_STORE = Path(__file__).parent / "data" / "store-first-release.sqlite"


def _answers(store: Store, pid: str) -> dict:
    person = store.participant(pid)
    return {key: saved.value for key, saved in store.current_answers(person.id, "prep").items()}


def test_a_backup_restores_the_store_as_it_was(store, tmp_path):
    person = identity.add_participant(store, "Ana", pid="ana").person
    store.save_answer(person.id, "prep", "a.b", "kept")
    out = tmp_path / "backup.sqlite"
    assert backup(out, store.url) > 0
    store.save_answer(person.id, "prep", "a.b", "after the backup")
    identity.add_participant(store, "Later", pid="later")
    with pytest.raises(StoreError, match=r"not empty \(2 people, 2 saved answers\).*--replace"):
        restore(out, store.url)
    assert _answers(store, "ana") == {"a.b": "after the backup"}  # refused: nothing changed
    store.close()  # restore needs the store to itself
    done = restore(out, store.url, replace=True)
    assert "Restored" in done and "(1 people, 1 saved answers)" in done
    assert _answers(store, "ana") == {"a.b": "kept"}
    with pytest.raises(StoreError, match="unknown participant 'later'"):
        store.participant("later")
    store.close()
    # the store it replaced is kept beside it, whole (its WAL included), and the message says where
    target = Path(store.engine.url.database)
    (kept,) = target.parent.glob(f"{target.name}.before-restore-*")
    assert f"kept at {kept}" in done
    old = Store(f"sqlite:///{kept}")
    assert _answers(old, "ana") == {"a.b": "after the backup"} and old.participant("later").name == "Later"
    old.close()
    # the restored store is a file of its own: no WAL or shared memory of the old store beside it
    assert not target.with_name(target.name + "-wal").exists()
    assert not target.with_name(target.name + "-shm").exists()
    assert not list(target.parent.glob(".restore-*"))  # no copy left behind
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("backup")) == ["backup.sqlite"]


def test_backup_never_replaces_a_file_unless_told(store, tmp_path):
    out = tmp_path / "backup.sqlite"
    out.write_text("precious")
    with pytest.raises(StoreError, match="exists already.*--force"):
        backup(out, store.url)
    assert out.read_text() == "precious"
    backup(out, store.url, overwrite=True)
    assert out.read_bytes().startswith(b"SQLite format 3")


# -- a broken backup is refused, and the store stays as it was -------------------------------------------
class Kept:
    """A store with data, closed (its WAL folded in), and what it holds, to show that a refused restore
    changed nothing: the file's bytes and what it holds are the same afterwards."""

    def __init__(self, store: Store) -> None:
        person = identity.add_participant(store, "Ana", pid="ana").person
        for n in range(300):  # pages enough to damage one in the middle of a backup
            store.save_answer(person.id, "prep", f"k{n}", f"answer {n} " + "x" * 200)
        self.url = store.url
        self.path = Path(store.engine.url.database)
        store.close()
        self.digest = self.fingerprint()
        self.answers = self.read_answers()

    def fingerprint(self) -> tuple[str, list[str]]:
        folder = sorted(
            p.name
            for p in self.path.parent.iterdir()
            if p.name.startswith(self.path.name) and p != marker(self.path)  # the lock file stays
        )
        return hashlib.sha256(self.path.read_bytes()).hexdigest(), folder

    def read_answers(self) -> dict:
        opened = Store(self.url, migrate=False)
        try:
            return _answers(opened, "ana")
        finally:
            opened.close()

    def refuses(self, file: Path, message: str) -> None:
        with pytest.raises(StoreError, match=message) as refused:
            restore(file, self.url, replace=True)
        assert "sqlalchemy" not in str(refused.value).lower() and "[SQL:" not in str(refused.value)
        self.unchanged()

    def unchanged(self) -> None:
        assert self.fingerprint() == self.digest  # byte for byte, and no file added beside it
        assert self.read_answers() == self.answers


@pytest.fixture
def kept(store) -> Kept:
    return Kept(store)


@pytest.fixture
def good_backup(kept, tmp_path) -> Path:
    out = tmp_path / "good.sqlite"
    backup(out, kept.url)
    kept.digest = kept.fingerprint()  # the backup opened the store; its bytes are what they are now
    return out


def _edited(backup_file: Path, *statements: str) -> Path:
    with sqlite3.connect(backup_file) as conn:
        for statement in statements:
            conn.execute(statement)
    conn.close()
    return backup_file


def _retyped(backup_file: Path, table: str, column_sql: str, new_sql: str) -> Path:
    """The backup with `table` made again with one column's definition changed (its indexes kept)."""
    with sqlite3.connect(backup_file) as conn:
        (create,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
        indexes = [
            sql
            for (sql,) in conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                (table,),
            )
        ]
        assert column_sql in create
        conn.execute(f"DROP TABLE {table}")
        conn.execute(create.replace(column_sql, new_sql))
        for sql in indexes:
            conn.execute(sql)
    conn.close()
    return backup_file


BROKEN = {
    "no answers table": (("DROP TABLE answers",), "it has no table `answers`"),
    "a trigger": (
        (
            "CREATE TRIGGER copy_codes AFTER INSERT ON access_codes BEGIN "
            "INSERT INTO answers (participant_id, scope, key, value, saved_at) "
            "VALUES (NEW.participant_id, 'loot', 'code', NEW.code_hash, NEW.created_at); END",
        ),
        "it has a trigger `copy_codes` of its own",
    ),
    "a trigger under a name of SQLite's": (
        (
            "PRAGMA writable_schema=ON",
            "INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES ('trigger', "
            "'sqlite_copy', 'access_codes', 0, "
            "'CREATE TRIGGER sqlite_copy AFTER INSERT ON access_codes BEGIN SELECT 1; END')",
        ),
        "it has a trigger `sqlite_copy` of its own",
    ),
    "a view": (
        ("CREATE VIEW codes AS SELECT code_hash FROM access_codes",),
        "it has a view `codes` of its own",
    ),
    "a table": (("CREATE TABLE loot (code_hash TEXT)",), "it has a table `loot` of its own"),
    "an index": (
        ("CREATE INDEX ix_loot ON access_codes (code_hash, id)",),
        "it has a index `ix_loot` of its own",
    ),
    "a column dropped": (
        ("ALTER TABLE participants DROP COLUMN email",),
        "table `participants` has no column `email`",
    ),
    "a column added": (
        ("ALTER TABLE answers ADD COLUMN extra TEXT",),
        "table `answers` has a column `extra` of its own",
    ),
}


@pytest.mark.parametrize("broken", BROKEN, ids=list(BROKEN))
def test_a_backup_whose_schema_is_not_the_workbooks_is_refused_and_the_store_kept(kept, good_backup, broken):
    statements, message = BROKEN[broken]
    kept.refuses(
        _edited(good_backup, *statements), f"does not have the workbook's schema {SCHEMA_HEAD}: .*{message}"
    )


def test_a_backup_with_a_column_of_another_type_is_refused(kept, good_backup):
    clashing = _retyped(
        good_backup, "workshop_sessions", "title VARCHAR(200) NOT NULL", "title INTEGER NOT NULL"
    )
    kept.refuses(
        clashing,
        r"column `workshop_sessions.title` is INTEGER NOT NULL, where the workbook's is VARCHAR\(200\)",
    )


def test_a_damaged_backup_is_refused_and_the_store_kept(kept, good_backup):
    data = bytearray(good_backup.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 3000] = b"\xa5" * 3000
    good_backup.write_bytes(bytes(data))
    kept.refuses(good_backup, "is damaged")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a database at all, just some words" * 40, "not an SQLite database"),
        (None, "has no workbook tables"),
    ],
)
def test_restore_refuses_what_is_not_a_workbook_backup(kept, tmp_path, content, message):
    bad = tmp_path / "bad.sqlite"
    if content is None:
        with sqlite3.connect(bad) as conn:
            conn.execute("CREATE TABLE other (x)")
        conn.close()
    else:
        bad.write_bytes(content)
    kept.refuses(bad, message)


def test_an_old_backup_is_checked_against_its_own_schema_before_it_is_upgraded(kept, tmp_path):
    old = Path(shutil.copy(FIRST_RELEASE_STORE, tmp_path / "first-release.sqlite"))
    _edited(old, "CREATE TRIGGER steal AFTER INSERT ON participants BEGIN SELECT 1; END")
    kept.refuses(old, "does not have the workbook's schema 0001: it has a trigger `steal` of its own")


def test_a_backup_whose_rows_point_at_missing_rows_is_refused(kept, tmp_path, capsys, monkeypatch):
    old = Path(shutil.copy(FIRST_RELEASE_STORE, tmp_path / "first-release.sqlite"))
    _edited(
        old,
        "INSERT INTO answers (participant_id, scope, key, value, saved_at) "
        "VALUES (9999, 'prep', 'x', '\"y\"', '2024-01-01 00:00:00')",
    )
    kept.refuses(old, r"has rows that point at rows it does not hold \(in answers\)")
    monkeypatch.setenv("WORKBOOK_DATABASE_URL", kept.url)
    assert main(["restore", "--replace", str(old)]) == 2  # the command says so in one line, and exits 2
    err = capsys.readouterr().err
    assert "point at rows it does not hold" in err and "Traceback" not in err
    kept.unchanged()


def test_a_backup_whose_upgrade_fails_is_refused_in_the_databases_words(kept, tmp_path, monkeypatch):
    import sqlalchemy.exc

    from workbook import backup as backups

    def failing(database: Path, revision: str) -> None:
        if revision == "head":  # the reference schemas are built; the backup's own upgrade fails
            raise sqlalchemy.exc.OperationalError(
                "ALTER TABLE x", {}, sqlite3.OperationalError("disk I/O error")
            )
        real(database, revision)

    real = backups._migrate_to
    monkeypatch.setattr(backups, "_migrate_to", failing)
    old = Path(shutil.copy(FIRST_RELEASE_STORE, tmp_path / "first-release.sqlite"))
    kept.refuses(old, f"could not be upgraded from schema 0001 to {SCHEMA_HEAD}: disk I/O error$")


def test_restore_refuses_while_another_program_has_the_store_open(kept, good_backup):
    holder = Store(kept.url, migrate=False)
    holder.schema_version()  # a pooled connection stays open, as in a running kernel or command
    try:
        with pytest.raises(StoreError, match="open in another program.*nothing was changed"):
            restore(good_backup, kept.url, replace=True)
    finally:
        holder.close()
    kept.unchanged()


# what a server does as it starts: hold the mark (and say where), then run
HOLD = (
    "import sys, time\nfrom workbook.store_in_use import hold_store_for_apps\n"
    "print(hold_store_for_apps(sys.argv[1]), flush=True)\ntime.sleep(60)"
)


# a single-user server under a hub, as the workbook's server extension loads in it
EXTENSION_HOLDS = (
    "import time\nfrom workbook.server.extension import _hold_the_store\n"
    "_hold_the_store()\nprint('held .in-use', flush=True)\ntime.sleep(60)"
)


@pytest.mark.parametrize(
    "holding", [HOLD, EXTENSION_HOLDS], ids=["workbook serve or lab", "server extension"]
)
def test_restore_refuses_while_the_apps_hold_the_store(kept, good_backup, holding):
    holder = subprocess.Popen(
        [sys.executable, "-c", holding, kept.url],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "WORKBOOK_DATABASE_URL": kept.url},
    )
    try:
        assert holder.stdout.readline().strip().endswith(".in-use")
        kept.refuses(good_backup, r"the apps are running on the store .*`workbook serve`.*stop them first")
    finally:
        holder.kill()  # as kill -9 would: the operating system lets go of the mark
        holder.wait()
    assert "Restored" in restore(good_backup, kept.url, replace=True)


def test_a_server_starting_during_a_restore_waits_for_it(kept):
    with apps_stopped(kept.path):
        starting = subprocess.Popen([sys.executable, "-c", HOLD, kept.url], stdout=subprocess.PIPE, text=True)
        try:
            assert starting.stdout.readline().startswith("Waiting for `workbook restore` to finish")
        except BaseException:
            starting.kill()
            raise
    try:
        assert starting.stdout.readline().strip() == str(marker(kept.path))  # held once the restore is done
    finally:
        starting.kill()
        starting.wait()


@pytest.mark.slow
def test_restore_refuses_while_workbook_serve_runs_and_goes_ahead_once_it_is_killed(tmp_path):
    data = tmp_path / "served"
    data.mkdir()
    served = ServedApps(data, {})
    url = served.store.url
    try:
        identity.add_participant(served.store, "Ana", pid="ana")
        served.store.close()
        out = tmp_path / "b.sqlite"
        backup(out, url)
        before = hashlib.sha256(Path(served.store.engine.url.database).read_bytes()).hexdigest()
        with pytest.raises(StoreError, match="the apps are running on the store.*`workbook serve`"):
            restore(out, url, replace=True)
        assert hashlib.sha256(Path(served.store.engine.url.database).read_bytes()).hexdigest() == before
        served.proc.kill()  # kill -9: no exit handler runs, the mark goes with the process
        served.proc.wait()
    finally:
        served.stop()
    assert "Restored" in restore(out, url, replace=True)


def test_the_apps_mark_reads_an_sqlite_url_as_sqlalchemy_does(tmp_path):
    from sqlalchemy import make_url

    for url in (
        f"sqlite:///{tmp_path}/a.sqlite",
        f"sqlite+pysqlite:///{tmp_path}/b.sqlite?timeout=5",
        "sqlite:///relative.sqlite",
    ):
        assert sqlite_file(url) == Path(make_url(url).database).resolve()
    assert sqlite_file("sqlite://") is None and sqlite_file("sqlite:///:memory:") is None
    assert sqlite_file("postgresql+psycopg://u@h/db") is None


def test_an_old_backup_is_upgraded_as_it_is_restored(tmp_path, capsys, monkeypatch):
    old = tmp_path / "first-release.sqlite"
    shutil.copy(FIRST_RELEASE_STORE, old)
    monkeypatch.setenv("WORKBOOK_DATABASE_URL", f"sqlite:///{tmp_path / 'new' / 'store.sqlite'}")
    assert main(["restore", str(old)]) == 0
    assert f"upgraded from schema 0001 to {SCHEMA_HEAD}" in capsys.readouterr().out
    store = Store()
    assert _answers(store, "p-theo")["aspirations.in_two_years"] == "Lead the support team"
    store.close()


def test_the_commands_report_and_refuse_plainly(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WORKBOOK_DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    assert main(["migrate"]) == 0
    assert f"upgraded from schema none (empty) to {SCHEMA_HEAD}" in capsys.readouterr().out
    assert main(["migrate"]) == 0
    assert "already at the newest schema" in capsys.readouterr().out
    assert main(["backup", "--out", str(tmp_path / "b.sqlite")]) == 0
    assert "workbook restore" in capsys.readouterr().out
    assert main(["backup", "--out", str(tmp_path / "b.sqlite")]) == 2
    assert "exists already" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "missing.sqlite")]) == 2
    assert "does not exist" in capsys.readouterr().err


# -- PostgreSQL -----------------------------------------------------------------------------------------
@pytest.fixture
def empty_postgres_url(postgres) -> str:
    return postgres.create_database(f"empty_{uuid.uuid4().hex[:12]}")


def test_on_a_database_server_the_apps_never_migrate_and_name_the_command(
    empty_postgres_url, capsys, monkeypatch
):
    with pytest.raises(SchemaOutOfDate, match="run `workbook migrate`"):
        Store(empty_postgres_url)
    monkeypatch.setenv("WORKBOOK_DATABASE_URL", empty_postgres_url)
    assert main(["serve", "--port", "9"]) == 2  # refused before anything starts
    assert "needs " + SCHEMA_HEAD in capsys.readouterr().err
    assert main(["migrate"]) == 0
    store = Store()
    assert store.schema_version() == SCHEMA_HEAD
    store.close()
    assert main(["backup", "--out", "x.sqlite"]) == 2
    assert "pg_dump --format=custom" in capsys.readouterr().err


def test_pg_dump_and_pg_restore_carry_the_whole_store(postgres, tmp_path):
    any_store = Store(postgres.create_database(f"dumped_{uuid.uuid4().hex[:12]}", template=POSTGRES_TEMPLATE))
    person = identity.add_participant(any_store, "Ana", pid="ana", email="ana@example.org").person
    any_store.save_answer(person.id, "prep", "a.b", {"text": "Grüße <b>"})
    source = any_store.engine.url.database
    dump = tmp_path / "store.dump"
    postgres.tool("pg_dump", "--format=custom", "--file", str(dump), source)
    target_url = postgres.create_database(f"restored_{uuid.uuid4().hex[:12]}")
    postgres.tool("pg_restore", "--dbname", target_url.rsplit("/", 1)[1], str(dump))
    restored = Store(target_url)
    assert _answers(restored, "ana") == {"a.b": {"text": "Grüße <b>"}}
    assert restored.participant("ana").email == "ana@example.org"
    restored.close()
    any_store.close()
