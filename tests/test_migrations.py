"""Every migration, from the first to the newest, on SQLite and on PostgreSQL, with a row in every table
at every step: nothing saved is lost on the way up, and the way down leaves an empty schema."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, MetaData, String, Text, func, select

from workbook.models import Base
from workbook.store import SCHEMA_HEAD, Store, _alembic_config


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite'}"
    return request.getfixturevalue("postgres").create_database(f"mig_{uuid.uuid4().hex[:12]}")


def _value(column, conn, tables):
    """A plausible value for one column: an existing row's id for a foreign key, else by type."""
    for key in column.foreign_keys:
        target = tables[key.column.table.name]
        return conn.scalar(select(func.min(target.c[key.column.name])))
    kind = column.type
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, Integer):
        return 1
    if isinstance(kind, Float):
        return 3.0
    if isinstance(kind, DateTime):
        return datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    if isinstance(kind, Date):
        return date(2030, 1, 2)
    if isinstance(kind, String | Text):
        return '"x"'[: kind.length] if getattr(kind, "length", None) else '"x"'
    raise AssertionError(f"no test value for {column.table.name}.{column.name} ({kind!r})")


def _tables(conn) -> dict:
    reflected = MetaData()
    reflected.reflect(conn)
    return {t.name: t for t in reflected.sorted_tables if t.name != "alembic_version"}  # parents first


def _counts(conn) -> dict[str, int]:
    return {name: conn.scalar(select(func.count()).select_from(t)) for name, t in _tables(conn).items()}


def _fill_empty_tables(conn) -> dict[str, int]:
    """Put one row in every table that has none; the row count of every table after."""
    tables = _tables(conn)
    for table in tables.values():
        if conn.scalar(select(func.count()).select_from(table)):
            continue
        row = {
            column.name: _value(column, conn, tables)
            for column in table.columns
            if not (column.primary_key and isinstance(column.type, Integer))
        }
        conn.execute(table.insert().values(**row))
    return _counts(conn)


def test_every_migration_keeps_the_data_of_every_table_and_goes_back_down(empty_url):
    revisions = [s.revision for s in ScriptDirectory.from_config(_alembic_config()).walk_revisions()]
    revisions.reverse()  # the first to the newest
    assert revisions[-1] == SCHEMA_HEAD
    store = Store(empty_url, migrate=False)
    cfg = _alembic_config()
    counts: dict[str, int] = {}
    for revision in revisions:
        with store.migration_connection() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            now = _counts(conn)
            lost = {
                table: (count, now.get(table)) for table, count in counts.items() if now.get(table, 0) < count
            }
            assert not lost, f"rows lost in the upgrade to {revision}: {lost}"
            counts = _fill_empty_tables(conn)
    assert set(counts) == set(Base.metadata.tables), "the newest schema is the models' schema"
    assert all(counts.values())
    reopened = Store(empty_url)  # at the newest schema: opens without migrating
    assert reopened.schema_version() == SCHEMA_HEAD
    reopened.close()
    with store.migration_connection() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
        assert _tables(conn) == {}
    store.close()


def test_the_waves_migration_marks_the_answers_already_given_out_of_order(empty_url):
    """0012 marks as late every stored answer to a wave given at or after a later wave first opened for
    the participant's cohort; answers in time, later waves' answers and other cohorts' stay as they were."""
    store = Store(empty_url, migrate=False)
    cfg = _alembic_config()
    day = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)

    def at(hours: int) -> datetime:
        return day.replace(hour=9 + hours)

    with store.migration_connection() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0009")
        tables = _tables(conn)
        cohorts, people, events, scores = (
            tables[n] for n in ("cohorts", "participants", "wave_events", "scores")
        )
        conn.execute(
            cohorts.insert(),
            [{"id": 1, "name": "A", "created_at": day}, {"id": 2, "name": "B", "created_at": day}],
        )
        conn.execute(
            people.insert(),
            [
                {"id": k, "pid": f"m-{k}", "name": f"M {k}", "cohort_id": c, "created_at": day}
                for k, c in ((1, 1), (2, 1), (3, 2))
            ],
        )
        conn.execute(
            events.insert(),
            [
                {"cohort_id": 1, "wave": "pre", "is_open": True, "changed_at": at(0)},
                {"cohort_id": 1, "wave": "post", "is_open": True, "changed_at": at(2)},
                {"cohort_id": 1, "wave": "post", "is_open": False, "changed_at": at(3)},
                {"cohort_id": 1, "wave": "post", "is_open": True, "changed_at": at(5)},  # not the first
                {"cohort_id": 2, "wave": "pre", "is_open": True, "changed_at": at(0)},
            ],
        )
        answers = [
            (1, 1, "pre", at(1)),  # in time
            (2, 1, "pre", at(2)),  # the moment post opened: late
            (3, 2, "pre", at(4)),  # after post opened (and closed again): late
            (4, 1, "post", at(4)),  # post is the last wave: never late
            (5, 1, "then", at(4)),
            (6, 3, "pre", at(6)),  # cohort B never opened post
        ]
        conn.execute(
            scores.insert(),
            [
                {"id": i, "participant_id": p, "wave": w, "item": "x", "score": 3.0, "answered_at": t}
                for i, p, w, t in answers
            ],
        )
        command.upgrade(cfg, "0012")
        after = _tables(conn)
        marked = dict(conn.execute(select(after["scores"].c.id, after["scores"].c.late)).all())
        reasons = set(conn.scalars(select(after["wave_events"].c.reason)))
    assert {i for i, late in marked.items() if late} == {2, 3}
    assert reasons == {None}
    store.close()
