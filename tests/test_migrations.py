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


def test_0010_gives_each_1on1_the_manager_it_was_held_with_and_goes_back_down(empty_url):
    """Each existing 1:1 gets its manager: from its record as held, else the recorded changes of manager at
    the time it opened, else the first other person who wrote in it, else the manager now; none when the
    store cannot tell. Going down keeps every row."""
    store = Store(empty_url, migrate=False)
    cfg = _alembic_config()

    def at(month: int) -> datetime:
        return datetime(2030, month, 1, 9, tzinfo=UTC)

    with store.migration_connection() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0009")
        t = _tables(conn)
        people = {}
        for n, (name, manager) in enumerate(
            [("A", None), ("B", None), ("C", None), ("T1", "B"), ("T2", "C"), ("T3", "C"), ("T4", None)], 1
        ):
            people[name] = n
            conn.execute(
                t["participants"]
                .insert()
                .values(id=n, pid=f"p-{name}", name=name, manager_id=people.get(manager), created_at=at(1))
            )
        conn.execute(
            t["manager_changes"]
            .insert()
            .values(
                member_id=people["T1"],
                old_manager_id=people["A"],
                new_manager_id=people["B"],
                changed_at=at(3),
                via="command line",
            )
        )
        talks = {"held": ("T1", 1), "open-then": ("T1", 2), "after": ("T1", 4)}
        talks |= {"unrecorded": ("T2", 2), "only-hers": ("T3", 2), "nobody": ("T4", 2)}
        ids = {}
        for n, (key, (member, month)) in enumerate(talks.items(), 1):
            ids[key] = n
            conn.execute(
                t["one_on_ones"].insert().values(id=n, member_id=people[member], opened_at=at(month))
            )
        conn.execute(
            t["one_on_one_held"]
            .insert()
            .values(
                one_on_one_id=ids["held"],
                held_on=date(2030, 1, 20),
                manager_id=people["A"],
                recorded_by_id=people["T1"],
                recorded_at=at(2),
            )
        )
        for key, author in (
            ("open-then", "A"),
            ("open-then", "B"),  # written after the change, into the old 1:1
            ("unrecorded", "T2"),
            ("unrecorded", "A"),  # a manager changed without a record
            ("only-hers", "T3"),
            ("nobody", "T4"),
        ):
            conn.execute(
                t["one_on_one_notes"]
                .insert()
                .values(
                    one_on_one_id=ids[key],
                    kind="shared",
                    author_id=people[author],
                    text=key,
                    written_at=at(5),
                )
            )
        conn.execute(
            t["one_on_one_items"]
            .insert()
            .values(
                member_id=people["T1"],
                one_on_one_id=ids["open-then"],
                item="i-1",
                kind="action",
                text="an action",
                owner="member",
                status="open",
                author_id=people["T1"],
                written_at=at(2),
            )
        )
        before = _counts(conn)
        command.upgrade(cfg, "0010")
        ones = _tables(conn)["one_on_ones"]
        found = dict(conn.execute(select(ones.c.id, ones.c.manager_id)).all())
        assert {key: found[n] for key, n in ids.items()} == {
            "held": people["A"],
            "open-then": people["A"],
            "after": people["B"],
            "unrecorded": people["A"],
            "only-hers": people["C"],
            "nobody": None,
        }
        items = _tables(conn)["one_on_one_items"]
        assert conn.execute(select(items.c.text, items.c.carried_from)).all() == [("an action", None)]
        assert _counts(conn) == before
        command.downgrade(cfg, "0009")
        assert _counts(conn) == before
        assert "manager_id" not in _tables(conn)["one_on_ones"].c
        assert "carried_from" not in _tables(conn)["one_on_one_items"].c
    store.close()


def test_the_waves_migration_marks_the_answers_already_given_out_of_order(empty_url):
    """0013 marks as late every stored answer to a wave given at or after a later wave first opened for
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
        command.upgrade(cfg, "0013")
        after = _tables(conn)
        marked = dict(conn.execute(select(after["scores"].c.id, after["scores"].c.late)).all())
        reasons = set(conn.scalars(select(after["wave_events"].c.reason)))
    assert {i for i, late in marked.items() if late} == {2, 3}
    assert reasons == {None}
    store.close()


def test_the_demo_cohorts_of_an_existing_store_are_marked_by_their_names_once(empty_url):
    """Revision 0014: the cohorts `workbook demo` made (known then by their names) become demo cohorts;
    every other cohort, even one whose name merely looks alike, stays real."""
    store = Store(empty_url, migrate=False)
    cfg = _alembic_config()
    names = ["Demo cohort A", "Demo cohort B", "Demo cohort C", "Spring 2025", "demo cohort a", "Demo cohort"]
    with store.migration_connection() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, ScriptDirectory.from_config(cfg).get_revision("0014").down_revision)
        cohorts = _tables(conn)["cohorts"]
        moment = datetime(2030, 1, 2, tzinfo=UTC)
        conn.execute(cohorts.insert(), [{"name": name, "created_at": moment} for name in names])
        command.upgrade(cfg, "0014")
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
