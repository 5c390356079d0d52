"""Backups, restores and schema upgrades (`workbook backup`, `restore`, `migrate`), and the rule that apps on
a database server never migrate by themselves."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from store_copies import POSTGRES_TEMPLATE

from workbook import identity
from workbook.backup import backup, restore
from workbook.cli import main
from workbook.store import SCHEMA_HEAD, SchemaOutOfDate, Store, StoreError

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
    assert "Restored" in restore(out, store.url, replace=True)
    assert _answers(store, "ana") == {"a.b": "kept"}
    with pytest.raises(StoreError, match="unknown participant 'later'"):
        store.participant("later")


def test_backup_never_replaces_a_file_unless_told(store, tmp_path):
    out = tmp_path / "backup.sqlite"
    out.write_text("precious")
    with pytest.raises(StoreError, match="exists already.*--force"):
        backup(out, store.url)
    assert out.read_text() == "precious"
    backup(out, store.url, overwrite=True)
    assert out.read_bytes().startswith(b"SQLite format 3")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a database at all, just some words" * 40, "not an SQLite database"),
        (None, "has no workbook tables"),
    ],
)
def test_restore_refuses_what_is_not_a_workbook_backup(store, tmp_path, content, message):
    import sqlite3

    bad = tmp_path / "bad.sqlite"
    if content is None:
        with sqlite3.connect(bad) as conn:
            conn.execute("CREATE TABLE other (x)")
        conn.close()
    else:
        bad.write_bytes(content)
    identity.add_participant(store, "Ana", pid="ana")
    with pytest.raises(StoreError, match=message):
        restore(bad, store.url, replace=True)
    assert store.participant("ana").name == "Ana"


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
