from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import inspect

from workbook.store import Store, StoreError


def test_store_is_created_on_first_use_with_wal(tmp_path):
    path = tmp_path / "new" / "x.sqlite"
    path.parent.mkdir()
    store = Store(f"sqlite:///{path}")
    assert {"participants", "answers", "scores", "alembic_version"} <= set(
        inspect(store.engine).get_table_names()
    )
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_default_store_lives_in_the_data_dir_not_the_repo(isolated_env):
    store = Store()
    assert store.url.endswith(str(isolated_env / "workbook.sqlite"))
    assert (isolated_env / "workbook.sqlite").exists()


def test_database_url_setting_is_honoured(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBOOK_DATABASE_URL", f"sqlite:///{tmp_path / 'elsewhere.sqlite'}")
    Store()
    assert (tmp_path / "elsewhere.sqlite").exists()


def test_answers_keep_history_and_latest_wins(any_store):
    store = any_store
    from workbook.identity import add_participant

    person = add_participant(store, "Ana").person
    store.save_answer(person.id, "prep", "a.b", "first")
    store.save_answer(person.id, "prep", "a.b", "second")
    assert store.current_answers(person.id, "prep")["a.b"].value == "second"
    assert [h.value for h in store.answer_history(person.id, "prep", "a.b")] == ["first", "second"]


def test_reopening_an_existing_store_keeps_data_and_does_not_migrate_again(store_url):
    url = store_url
    from workbook.identity import add_participant

    first = Store(url)
    person = add_participant(first, "Ana").person
    first.save_answer(person.id, "prep", "k", {"x": 1})
    first.close()
    again = Store(url)
    assert again.current_answers(person.id, "prep")["k"].value == {"x": 1}
    again.close()


def test_failed_write_changes_nothing(any_store):
    store = any_store
    from workbook.identity import add_participant

    person = add_participant(store, "Ana").person
    with pytest.raises(RuntimeError), store.write() as session:
        from workbook.models import Answer
        from workbook.store import utcnow

        session.add(Answer(participant_id=person.id, scope="s", key="k", value='"v"', saved_at=utcnow()))
        session.flush()
        raise RuntimeError("boom")
    assert store.current_answers(person.id, "s") == {}


def test_unknown_participant_is_named(any_store):
    store = any_store
    with pytest.raises(StoreError, match="nobody"):
        store.participant("nobody")


def test_schema_head_constant_matches_the_migrations():
    from alembic.script import ScriptDirectory

    from workbook.store import SCHEMA_HEAD, _alembic_config

    assert ScriptDirectory.from_config(_alembic_config()).get_current_head() == SCHEMA_HEAD
