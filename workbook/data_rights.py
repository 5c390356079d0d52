"""A person's rights over their data: everything they wrote, as data (:func:`collect`); deleting it
(:func:`delete_person_data`); and removing what is older than the retention setting (:func:`purge`).

All three read the one list of tables in :mod:`workbook.personal_data`, so a table classified there is
exported, deleted and purged without any change here. A deletion or purge is recorded in
``data_deletions`` with who, when, which kinds and how many rows, never with any content.

What a deletion removes: every row of every `Written` table that belongs to the person (every stored
version of their answers, their visibility choices, scores, logged conversations and their versions,
feedback written on what they shared and the marks of it being seen), with the registry's rules for text
written together (`workbook.personal_data.About`, `EachAuthor`): every version of what is about them,
whoever saved it; their own text out of every version of what was written in turn, the state the other
person sees kept. Their export lists every stored text their deletion would remove. What stays:
their account (name, email, cohort, manager), their access codes and roles, so they can still sign in and
start again; and figures an evaluator already exported, which are files outside the store.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from workbook import config
from workbook.identity import Person, find_participant
from workbook.models import Base, DataDeletion, Participant, Visibility
from workbook.personal_data import (
    REGISTRY,
    About,
    Written,
    deletion_order,
    kind_of,
    table,
    version_tables,
    written_tables,
)
from workbook.personal_rows import (
    EachAuthorPlan,
    about_person,
    deletion_condition,
    person_rows,
)
from workbook.store import Store, StoreError, as_utc, utcnow

EXPORT_FORMAT = "career-workbook personal data export, version 1"
BY_THEMSELVES = "themselves"
BY_COMMAND_LINE = "command line"
BY_RETENTION = "retention"


def _detach(session: Session, name: str, condition: Any) -> None:
    """Before rows of table ``name`` go, rows that stay and point at them let go (their nullable reference
    is cleared): a note version based on a deleted version, a 1:1's record of the log entry it made. So
    nothing kept points at nothing, and one person's deletion never takes another person's rows."""
    going = select(table(name).c.id).where(condition)
    for other in Base.metadata.sorted_tables:
        for key in other.foreign_keys:
            if key.column.table.name == name and key.parent.nullable:
                session.execute(update(other).where(key.parent.in_(going)).values({key.parent.name: None}))


def personal_tables() -> list[str]:
    return [*written_tables(), *version_tables()]


# -- export -------------------------------------------------------------------------------------------
@dataclass
class PersonalData:
    """Everything one person wrote or scored, every stored version with its time, as plain values."""

    person: dict[str, Any]
    exported_at: datetime
    tables: dict[str, list[dict[str, Any]]]
    shared: list[dict[str, Any]] = field(default_factory=list)
    deletions: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "format": EXPORT_FORMAT,
            "exported_at": self.exported_at.isoformat(),
            "person": self.person,
            "shared": self.shared,
            "tables": {name: {"kind": kind_of(name), "rows": rows} for name, rows in self.tables.items()},
            "earlier_deletions": self.deletions,
        }

    @property
    def row_count(self) -> int:
        return sum(len(rows) for rows in self.tables.values())


def _plain_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _participant_columns(name: str) -> set[str]:
    """Columns of a table that point at a person (shown in the export as their pseudonymous id)."""
    return {
        column.name
        for column in table(name).c
        if any(fk.column.table.name == "participants" for fk in column.foreign_keys)
    }


def _pids(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(Participant.id, Participant.pid).where(Participant.id.in_(wanted)))
    return dict(rows.all())


def collect(store: Store, person: Person) -> PersonalData:
    """Every row the person wrote or scored, and what is written to them, every version, oldest first."""
    from workbook.content import VISIBILITY_LABELS

    with store.read() as session:
        raw: dict[str, list[dict[str, Any]]] = {}
        plans: dict[str, EachAuthorPlan] = {}
        for name in personal_tables():
            query = person_rows(session, name, person.id, plans)
            raw[name] = [dict(row._mapping) for row in session.execute(query)]
        people = {
            value
            for name, rows in raw.items()
            for row in rows
            for column, value in row.items()
            if column in _participant_columns(name)
        }
        account = session.get(Participant, person.id)
        manager_id = account.manager_id if account else None
        pids = _pids(session, [*people, *([manager_id] if manager_id else [])])
        latest: dict[tuple[str, str], Any] = {}
        for row in session.scalars(
            select(Visibility).where(Visibility.participant_id == person.id).order_by(Visibility.id)
        ):
            latest[(row.scope, row.section)] = row
        deletions = session.scalars(
            select(DataDeletion).where(DataDeletion.person_pid == person.pid).order_by(DataDeletion.id)
        ).all()
    tables: dict[str, list[dict[str, Any]]] = {}
    for name, rows in raw.items():
        entry = REGISTRY[name]
        json_columns = set(entry.json) if isinstance(entry, Written) else set()
        person_columns = _participant_columns(name)
        cleaned = []
        for row in rows:
            out: dict[str, Any] = {}
            for column, value in row.items():
                if column in person_columns:
                    out[column.removesuffix("_id")] = pids.get(value) if value is not None else None
                elif column in json_columns and isinstance(value, str):
                    out[column] = json.loads(value)
                else:
                    out[column] = _plain_value(value)
            cleaned.append(out)
        tables[name] = cleaned
    shared = [
        {
            "scope": scope,
            "section": section,
            "level": row.level,
            "who": VISIBILITY_LABELS.get(row.level, row.level),
            "since": as_utc(row.changed_at).isoformat(),
        }
        for (scope, section), row in latest.items()
    ]
    about = {
        "participant": person.pid,
        "name": person.name,
        "email": person.email,
        "cohort": person.cohort,
        "manager": pids.get(manager_id) if manager_id else None,
        "roles": [str(role) for role in person.roles],
        "joined": as_utc(person.created_at).isoformat(),
    }
    return PersonalData(
        person=about,
        exported_at=utcnow(),
        tables=tables,
        shared=shared,
        deletions=[_deletion_json(d) for d in deletions],
    )


def _deletion_json(row: DataDeletion) -> dict[str, Any]:
    counts = json.loads(row.counts)
    places = counts.pop(PLACES, {})
    return {
        "reason": row.reason,
        "by": row.by,
        "done_at": as_utc(row.done_at).isoformat(),
        "rows": row.rows,
        "counts": counts,
        **({"co_written_removed_in": places} if places else {}),
        "cutoff": as_utc(row.cutoff).isoformat() if row.cutoff else None,
    }


# -- deletion -----------------------------------------------------------------------------------------
def count_person_data(store: Store, person_id: int) -> dict[str, int]:
    """How many rows of each personal table a deletion of the person's data would remove or take their
    text out of (what the delete dialog lists)."""
    from sqlalchemy import func

    counts: dict[str, int] = {}
    plans: dict[str, EachAuthorPlan] = {}
    with store.read() as session:
        for name in personal_tables():
            condition = deletion_condition(session, name, person_id, plans)
            counts[name] = session.scalar(select(func.count()).select_from(table(name)).where(condition)) or 0
            counts[name] += len(plans[name].blanked) if name in plans else 0
    return counts


@dataclass(frozen=True)
class Removed:
    """What a deletion or purge removed: rows per table (never their content), for a deletion rows whose
    text was taken out counted with them; and, for rows about the person that the other side saw
    (``notify``), which rows of the table they point at lost some (``places``: table -> ids), so the other
    side can be told."""

    counts: dict[str, int]
    dry_run: bool = False
    cutoff: datetime | None = None
    places: dict[str, list[int]] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    def lines(self) -> list[str]:
        """One line per kind that had rows, for people."""
        return [f"{kind_of(name)}: {count}" for name, count in self.counts.items() if count]


PLACES = "co-written rows removed in"  # the key of a deletion record's places in its counts


def _record(session: Session, reason: str, pid: str | None, by: str, removed: Removed) -> None:
    counts: dict[str, Any] = {name: n for name, n in removed.counts.items() if n}
    if removed.places:
        counts[PLACES] = removed.places
    session.add(
        DataDeletion(
            reason=reason,
            person_pid=pid,
            by=by,
            counts=json.dumps(counts, sort_keys=True),
            rows=removed.rows,
            cutoff=removed.cutoff,
            done_at=utcnow(),
        )
    )


def _places(session: Session, name: str, person_id: int) -> list[int]:
    """For a table whose rows about the person are shown to the other side (``notify``): the ids of the
    rows they point at (``via``) that lose some."""
    entry = REGISTRY[name]
    if not isinstance(entry, Written) or not isinstance(entry.together, About) or not entry.together.notify:
        return []
    column = table(name).c[entry.together.via]
    query = select(column).where(about_person(name, entry.together, person_id)).distinct().order_by(column)
    return list(session.scalars(query))


def delete_person_data(store: Store, person: Person, *, by: str) -> Removed:
    """Delete every stored version of everything the person wrote or scored, in one transaction, as the
    registry's rules for text written together say (every version of what is about them, whoever saved
    it; their own text out of every version of what was written in turn, the other person's current state
    kept), and record the deletion (who, when, by whom, which kinds, how many rows) without its content.

    The person comes from their sign-in (or the command line), never from a value a page sends."""
    if not by.strip():
        raise StoreError("say who asks for the deletion")
    names = deletion_order(personal_tables())
    counts: dict[str, int] = {}
    places: dict[str, list[int]] = {}
    with store.write() as session:
        account = session.get(Participant, person.id)
        if account is None or account.pid != person.pid:
            raise StoreError(f"unknown participant {person.pid!r}")
        plans: dict[str, EachAuthorPlan] = {}
        conditions = {name: deletion_condition(session, name, person.id, plans) for name in names}
        for name in names:
            if found := _places(session, name, person.id):
                places[name] = found
        for name in names:  # children first
            tbl = table(name)
            _detach(session, name, conditions[name])
            counts[name] = session.execute(delete(tbl).where(conditions[name])).rowcount or 0
            plan = plans.get(name)
            if plan is not None:
                for row_id, sentence in plan.blanked.items():
                    text = REGISTRY[name].together.text  # type: ignore[union-attr]
                    session.execute(update(tbl).where(tbl.c.id == row_id).values({text: sentence}))
                for row_id, values in plan.moved.items():
                    if values:
                        session.execute(update(tbl).where(tbl.c.id == row_id).values(values))
                counts[name] += len(plan.blanked)
        removed = Removed({name: counts[name] for name in personal_tables()}, places=places)
        _record(session, "deletion", person.pid, by, removed)
    return removed


def removed_about(session: Session, person_pid: str, name: str) -> list[tuple[datetime, set[int]]]:
    """When the person's deletions removed rows of table ``name`` about them that the other side saw, and
    which rows of the table those point at (for instance the 1:1s whose shared notes went): no content."""
    rows = session.execute(
        select(DataDeletion.done_at, DataDeletion.counts)
        .where(DataDeletion.person_pid == person_pid, DataDeletion.reason == "deletion")
        .order_by(DataDeletion.id)
    ).all()
    found = []
    for done_at, counts in rows:
        ids = json.loads(counts).get(PLACES, {}).get(name, [])
        if ids:
            found.append((as_utc(done_at), set(ids)))
    return found


def delete_by_pid(store: Store, pid: str, *, by: str = BY_COMMAND_LINE) -> Removed:
    return delete_person_data(store, find_participant(store, pid), by=by)


# -- retention ----------------------------------------------------------------------------------------
def cutoff_for(days: int, now: datetime | None = None) -> datetime:
    """The moment before which data is older than ``days`` days."""
    return (now or utcnow()) - timedelta(days=days)


def _purge_conditions(cutoff: datetime) -> dict[str, Any]:
    """For each personal table, the condition naming its rows that are older than ``cutoff``.

    Versions older than the cut-off go; so do versions of a parent row that goes. A "superseded" row
    (a choice, such as who can see a section) goes only when a newer one replaces it, so the choice in
    force stays; a "while_versions" row goes once it is older and none of its versions is left."""
    conditions: dict[str, Any] = {}
    versions = version_tables()
    for name, entry in written_tables().items():
        tbl = table(name)
        older = tbl.c[entry.when] < cutoff
        if entry.retention == "superseded":
            newer = aliased(tbl)
            same = [newer.c[c] == tbl.c[c] for c in (*entry.owners, *entry.key)]
            conditions[name] = and_(older, exists().where(and_(*same, newer.c.id > tbl.c.id)))
        elif entry.retention == "while_versions":
            left = [
                ~exists().where(and_(table(child).c[v.link] == tbl.c.id, table(child).c[v.when] >= cutoff))
                for child, v in versions.items()
                if v.parent == name
            ]
            conditions[name] = and_(older, *left)
        else:
            conditions[name] = older
    for name, entry in versions.items():
        tbl = table(name)
        parent = table(entry.parent)
        parent_goes = tbl.c[entry.link].in_(select(parent.c.id).where(conditions[entry.parent]))
        conditions[name] = or_(tbl.c[entry.when] < cutoff, parent_goes)
    return conditions


def purge(
    store: Store,
    days: int | None = None,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
    progress: bool | None = None,
) -> Removed:
    """Remove the data older than ``days`` (default: the ``WORKBOOK_RETENTION_DAYS`` setting), in one
    transaction, and record the purge without content; ``dry_run`` counts what would go and changes
    nothing. StoreError when no retention is set."""
    from sqlalchemy import func

    from workbook.progress import progress_bar

    days = days if days is not None else config.retention_days()
    if days is None:
        raise StoreError("no retention is set: set WORKBOOK_RETENTION_DAYS or give --days")
    config.check_retention_days(days)
    cutoff = cutoff_for(days, now)
    conditions = _purge_conditions(cutoff)
    names = deletion_order(personal_tables())
    counts: dict[str, int] = {}
    with store.write() as session, progress_bar(len(names), "Purging", unit="table", show=progress) as bar:
        # Children before their parents: a parent's condition reads only children that stay.
        for name in names:
            if dry_run:
                query = select(func.count()).select_from(table(name)).where(conditions[name])
                counts[name] = session.scalar(query) or 0
            else:
                _detach(session, name, conditions[name])
                counts[name] = session.execute(delete(table(name)).where(conditions[name])).rowcount or 0
            bar.update(1)
        removed = Removed({name: counts[name] for name in personal_tables()}, dry_run, cutoff)
        if not dry_run:
            _record(session, "purge", None, BY_RETENTION, removed)
    return removed


def deletion_records(store: Store) -> list[dict[str, Any]]:
    """Every recorded deletion and purge, oldest first (for the operator; no content)."""
    with store.read() as session:
        rows = session.scalars(select(DataDeletion).order_by(DataDeletion.id)).all()
    return [{"person": row.person_pid, **_deletion_json(row)} for row in rows]
