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


def test_the_demo_cohorts_of_an_existing_store_are_marked_by_their_names_once(empty_url):
    """Revision 0013: the cohorts `workbook demo` made (known then by their names) become demo cohorts;
    every other cohort, even one whose name merely looks alike, stays real."""
    store = Store(empty_url, migrate=False)
    cfg = _alembic_config()
    names = ["Demo cohort A", "Demo cohort B", "Demo cohort C", "Spring 2025", "demo cohort a", "Demo cohort"]
    with store.migration_connection() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, ScriptDirectory.from_config(cfg).get_revision("0013").down_revision)
        cohorts = _tables(conn)["cohorts"]
        moment = datetime(2030, 1, 2, tzinfo=UTC)
        conn.execute(cohorts.insert(), [{"name": name, "created_at": moment} for name in names])
        command.upgrade(cfg, "0013")
        cohorts = _tables(conn)["cohorts"]
        marked = dict(conn.execute(select(cohorts.c.name, cohorts.c.is_demo)).all())
        assert {name for name, is_demo in marked.items() if is_demo} == {
            "Demo cohort A",
            "Demo cohort B",
            "Demo cohort C",
        }
        assert set(marked) == set(names)
        conn.execute(cohorts.insert().values(name="Demo cohort X", created_at=moment))  # made after: real
        assert conn.scalar(select(cohorts.c.is_demo).where(cohorts.c.name == "Demo cohort X")) is False
    store.close()
