"""The store: one API over SQLAlchemy for everything participants save.

SQLite (the default) runs in WAL mode with a busy timeout, and every write is a short
`BEGIN IMMEDIATE` transaction, so many kernels (one per Voila visitor) can save at once
without lock errors. PostgreSQL (`WORKBOOK_DATABASE_URL=postgresql+psycopg://...`, the
`postgres` extra) serves an organisation. The schema is created and upgraded by alembic
migrations: an SQLite store upgrades itself when it is opened (one machine, one file); on a
database server the apps never migrate by themselves, since many servers starting at once would
race: they refuse an old schema, naming `workbook migrate`, which an operator runs once.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

from workbook import config
from workbook.models import Answer, Cohort, Participant, Visibility

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The newest migration. Checked against alembic's own head by a test; knowing it here lets a kernel
# see that the schema is current without importing alembic (a noticeable part of a page's start-up).
SCHEMA_HEAD = "0015"
SQLITE_BUSY_TIMEOUT_MS = 15_000


class StoreError(ValueError):
    """A request to the store that cannot be carried out; the message names what is wrong."""


class SchemaOutOfDate(StoreError):
    """A database server's schema is not the one this version needs; `workbook migrate` upgrades it."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; everything we store is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class SavedAnswer:
    value: Any
    saved_at: datetime


def _alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _schema_version(conn: Connection) -> str | None:
    try:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # no table yet: a new store
        conn.rollback()
        return None


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("workbook_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Store:
    """Open the store at `url`, or the configured default: an SQLite store is created or upgraded if
    needed; any other database must be at the newest schema (SchemaOutOfDate otherwise). With
    `migrate=False` nothing is checked or changed (the migrate, backup and restore commands)."""

    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        self.url = url or config.database_url()
        is_sqlite = self.url.startswith("sqlite")
        kwargs: dict[str, Any] = {}
        if is_sqlite:
            kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine = create_engine(self.url, **kwargs)
        if is_sqlite:
            _configure_sqlite(self.engine)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(
            self.engine.execution_options(workbook_write=True), expire_on_commit=False
        )
        self._guard: Callable[[Session], None] | None = None
        if migrate:
            self._migrate()

    def guarded(self, guard: Callable[[Session], None]) -> Store:
        """The same store, running `guard` at the start of every write transaction (e.g. "is this
        page's access code still live?"); a guard that raises stops the write before anything is
        written. The engine is shared, so this costs nothing."""
        clone = copy.copy(self)
        clone._guard = guard
        return clone

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def schema_version(self) -> str | None:
        """The store's migration revision (None for an empty database)."""
        with self.engine.connect() as conn:
            return _schema_version(conn)

    def _migrate(self) -> None:
        found = self.schema_version()
        if found == SCHEMA_HEAD:
            return
        if not self.is_sqlite:
            raise SchemaOutOfDate(
                f"the database is at schema {found or 'none (empty)'}, and this version of the workbook "
                f"needs {SCHEMA_HEAD}: run `workbook migrate` once (with the same WORKBOOK_DATABASE_URL), "
                "then start the apps again"
            )
        self.upgrade()

    @contextmanager
    def migration_connection(self) -> Iterator[Connection]:
        """A connection in one write transaction for alembic to migrate on.

        On SQLite, foreign keys are not enforced while a migration runs (SQLite's way of changing a
        table is to copy it and drop the old one, which enforcement would refuse as soon as another
        table's rows point at it); they are checked as a whole before the commit instead, and any
        broken reference undoes the migration."""
        with self.engine.connect() as conn:
            raw = conn.connection.driver_connection if self.is_sqlite else None
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=OFF")  # outside a transaction, where SQLite allows it
            try:
                with conn.execution_options(workbook_write=True).begin():
                    if self.engine.dialect.name == "postgresql":
                        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7316)")  # one migrator at a time
                    yield conn
                    if raw is not None:
                        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                        if broken:
                            raise StoreError(
                                f"the migration would break references between tables: {broken[:5]}"
                            )
            finally:
                if raw is not None:
                    raw.execute("PRAGMA foreign_keys=ON")

    def upgrade(self) -> str | None:
        """Bring the schema to the newest revision; returns the revision it was at before. Two processes
        upgrading at once migrate once (the write lock, or PostgreSQL's advisory lock, comes first)."""
        from alembic import command
        from alembic.runtime.migration import MigrationContext

        cfg = _alembic_config()
        with self.migration_connection() as conn:
            before = MigrationContext.configure(conn).get_current_revision()
            if before != SCHEMA_HEAD:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        return before

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session."""
        with self._reader() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A short write transaction, committed on leaving the block and rolled back on error."""
        with self._writer() as session, session.begin():
            if self._guard is not None:
                self._guard(session)
            yield session

    # -- cohorts and participants -------------------------------------------------------------
    def cohort_id(self, session: Session, name: str, *, create: bool) -> int:
        """Id of the cohort called `name`, created if asked to."""
        name = name.strip()
        if not name:
            raise StoreError("cohort name must not be empty")
        found = session.scalar(select(Cohort.id).where(Cohort.name == name))
        if found is not None:
            return found
        if not create:
            raise StoreError(f"unknown cohort {name!r}")
        cohort = Cohort(name=name, created_at=utcnow())
        session.add(cohort)
        session.flush()
        return cohort.id

    def participant(self, pid: str) -> Participant:
        with self.read() as session:
            found = session.scalar(select(Participant).where(Participant.pid == pid))
        if found is None:
            raise StoreError(f"unknown participant {pid!r}")
        return found

    def participant_by_id(self, participant_id: int) -> Participant:
        with self.read() as session:
            found = session.get(Participant, participant_id)
        if found is None:
            raise StoreError(f"unknown participant id {participant_id}")
        return found

    def cohort_name(self, participant: Participant) -> str | None:
        if participant.cohort_id is None:
            return None
        with self.read() as session:
            cohort = session.get(Cohort, participant.cohort_id)
        return cohort.name if cohort else None

    # -- answers --------------------------------------------------------------------------------
    def save_answer(self, participant_id: int, scope: str, key: str, value: Any) -> datetime:
        """Record a new version of one answer and return when it was saved."""
        saved_at = utcnow()
        encoded = json.dumps(value, ensure_ascii=False)
        with self.write() as session:
            session.add(
                Answer(participant_id=participant_id, scope=scope, key=key, value=encoded, saved_at=saved_at)
            )
        return saved_at

    def current_answers(self, participant_id: int, scope: str) -> dict[str, SavedAnswer]:
        """The latest version of every answer of one participant in one scope."""
        with self.read() as session:
            rows = session.execute(
                select(Answer.key, Answer.value, Answer.saved_at)
                .where(Answer.participant_id == participant_id, Answer.scope == scope)
                .order_by(Answer.id)
            ).all()
        latest: dict[str, SavedAnswer] = {}
        for key, value, saved_at in rows:
            latest[key] = SavedAnswer(json.loads(value), as_utc(saved_at))
        return latest

    def answer_history(self, participant_id: int, scope: str, key: str) -> list[SavedAnswer]:
        """Every saved version of one answer, oldest first."""
        with self.read() as session:
            rows = session.execute(
                select(Answer.value, Answer.saved_at)
                .where(Answer.participant_id == participant_id, Answer.scope == scope, Answer.key == key)
                .order_by(Answer.id)
            ).all()
        return [SavedAnswer(json.loads(value), as_utc(saved_at)) for value, saved_at in rows]

    def count_answers(self) -> int:
        with self.read() as session:
            return session.query(Answer).count()

    # -- visibility -----------------------------------------------------------------------------
    def set_visibility(self, participant_id: int, scope: str, section: str, level: str) -> datetime:
        changed_at = utcnow()
        with self.write() as session:
            session.add(
                Visibility(
                    participant_id=participant_id,
                    scope=scope,
                    section=section,
                    level=level,
                    changed_at=changed_at,
                )
            )
        return changed_at

    def visibilities(self, participant_id: int, scope: str) -> dict[str, str]:
        """The current visibility level of each section that has one set."""
        with self.read() as session:
            rows = session.execute(
                select(Visibility.section, Visibility.level)
                .where(Visibility.participant_id == participant_id, Visibility.scope == scope)
                .order_by(Visibility.id)
            ).all()
        return {section: level for section, level in rows}
