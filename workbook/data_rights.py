"""A person's rights over their data: everything they wrote, as data (:func:`collect`); deleting it
(:func:`delete_person_data`); and removing what is older than the retention setting (:func:`purge`).

All three read the one list of tables in :mod:`workbook.personal_data`, so a table classified there is
exported, deleted and purged without any change here. A deletion or purge is recorded in
``data_deletions`` with who, when, which kinds and how many rows, never with any content.

What a deletion removes: every row of every `Written` table that belongs to the person (every stored
version of their answers, their visibility choices, scores, logged conversations and their versions,
feedback they wrote or that was written on what they shared, and the marks of it being seen). What stays:
their account (name, email, cohort, manager), their access codes and roles, so they can still sign in and
start again; and figures an evaluator already exported, which are files outside the store.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, not_, or_, select, true, update
from sqlalchemy.orm import Session, aliased

from workbook import config
from workbook.identity import Person, find_participant
from workbook.models import Base, DataDeletion, Participant, Visibility
from workbook.personal_data import (
    REGISTRY,
    About,
    EachAuthor,
    Versions,
    Written,
    deletion_order,
    kind_of,
    table,
    version_tables,
    written_tables,
)
from workbook.store import Store, StoreError, as_utc, utcnow

EXPORT_FORMAT = "career-workbook personal data export, version 1"
BY_THEMSELVES = "themselves"
BY_COMMAND_LINE = "command line"
BY_RETENTION = "retention"


# -- which rows are a person's ------------------------------------------------------------------------
def _owned(name: str, entry: Written, person_id: int):
    """The rows whose owner columns name the person (who wrote or scored them)."""
    columns = table(name).c
    return or_(*(columns[owner] == person_id for owner in entry.owners))


def _about(name: str, about: About, person_id: int):
    """The rows an :class:`About` rule covers that are about the person, whoever saved them."""
    tbl = table(name)
    if about.via:
        [key] = tbl.c[about.via].foreign_keys
        target = key.column.table
        condition = tbl.c[about.via].in_(select(key.column).where(target.c[about.person] == person_id))
    else:
        condition = tbl.c[about.person] == person_id
    return and_(condition, _covered(name, about))


def _covered(name: str, about: About):
    """The rows an :class:`About` rule covers (the others are their owners' alone)."""
    if about.where is None:
        return true()
    column, value = about.where
    return table(name).c[column] == value


@dataclass
class _EachAuthorPlan:
    """What a deletion does to an :class:`EachAuthor` table: the rows that go, the rows kept whose text is
    the person's (to read the sentence instead), and what moves to an item's first version kept."""

    going: set[int] = field(default_factory=set)
    blanked: dict[int, str] = field(default_factory=dict)
    moved: dict[int, dict[str, Any]] = field(default_factory=dict)


def _each_author_plan(session: Session, name: str, entry: Written, person_id: int) -> _EachAuthorPlan:
    """Per item the person saved a version of: all of it goes when every version is theirs; otherwise their
    versions go but the latest (what the other person sees as current) and their text reads the sentence
    in every version kept. A version's text is its run's: whoever first saved that text."""
    rule = entry.together
    assert isinstance(rule, EachAuthor)
    tbl = table(name)
    series = [tbl.c[c] for c in rule.series]
    touched = {tuple(r) for r in session.execute(select(*series).where(_owned(name, entry, person_id)))}
    plan = _EachAuthorPlan()
    if not touched:
        return plan
    wanted = {key[0] for key in touched}
    needed = {"id", rule.text, rule.member, *rule.series, *rule.first, *entry.owners}
    query = select(*(tbl.c[c] for c in sorted(needed))).where(series[0].in_(wanted)).order_by(tbl.c.id)
    rows = session.execute(query).mappings().all()
    items: dict[tuple, list[Any]] = {}
    for row in rows:
        key = tuple(row[c] for c in rule.series)
        if key in touched:
            items.setdefault(key, []).append(row)

    def by_person(row: Any) -> bool:
        return any(row[owner] == person_id for owner in entry.owners)

    for versions in items.values():
        if all(by_person(v) for v in versions):
            plan.going.update(v["id"] for v in versions)
            continue
        text_by: list[bool] = []  # whether each version's text is the person's
        for i, v in enumerate(versions):
            starts = i == 0 or v[rule.text] != versions[i - 1][rule.text]
            mine = by_person(v) and not rule.is_sentence(v[rule.text])
            text_by.append(mine if starts else text_by[-1])
        latest = versions[-1]
        for v, text_mine in zip(versions, text_by, strict=True):
            if by_person(v) and v is not latest:
                plan.going.add(v["id"])
            elif text_mine:
                side = "team member" if v[rule.member] == person_id else "manager"
                plan.blanked[v["id"]] = rule.sentence(side)
        first, kept = versions[0], next(v for v in versions if v["id"] not in plan.going)
        if first is not kept and rule.first:
            plan.moved[kept["id"]] = {c: first[c] for c in rule.first if kept[c] is None}
    return plan


def _export_condition(session: Session, name: str, person_id: int, plans: dict[str, _EachAuthorPlan]):
    """The rows of table ``name`` in the person's export: what they wrote or scored, what is about them,
    and the versions other people saved that hold the person's text."""
    entry = REGISTRY[name]
    tbl = table(name)
    if isinstance(entry, Versions):
        parent = table(entry.parent)
        return tbl.c[entry.link].in_(
            select(parent.c.id).where(_export_condition(session, entry.parent, person_id, plans))
        )
    if not isinstance(entry, Written):
        raise ValueError(f"{name} holds nothing a person wrote")
    condition = _owned(name, entry, person_id)
    if isinstance(entry.together, About):
        return or_(condition, _about(name, entry.together, person_id))
    if isinstance(entry.together, EachAuthor):
        plan = plans.setdefault(name, _each_author_plan(session, name, entry, person_id))
        return or_(condition, tbl.c.id.in_(sorted(plan.blanked)))
    return condition


def _deletion_condition(session: Session, name: str, person_id: int, plans: dict[str, _EachAuthorPlan]):
    """The rows of table ``name`` the person's deletion removes: every row of theirs, every row about them
    whoever saved it (never a row about someone else), and, of text written in turn, their versions but the
    one the other person sees as current (see :class:`workbook.personal_data.EachAuthor`)."""
    entry = REGISTRY[name]
    tbl = table(name)
    if isinstance(entry, Versions):
        parent = table(entry.parent)
        return tbl.c[entry.link].in_(
            select(parent.c.id).where(_deletion_condition(session, entry.parent, person_id, plans))
        )
    if not isinstance(entry, Written):
        raise ValueError(f"{name} holds nothing a person wrote")
    if isinstance(entry.together, About):
        about = entry.together
        return or_(
            _about(name, about, person_id), and_(_owned(name, entry, person_id), not_(_covered(name, about)))
        )
    if isinstance(entry.together, EachAuthor):
        plan = plans.setdefault(name, _each_author_plan(session, name, entry, person_id))
        return tbl.c.id.in_(sorted(plan.going))
    return _owned(name, entry, person_id)


def _person_rows(session: Session, name: str, person_id: int, plans: dict[str, _EachAuthorPlan]):
    """A select of the rows of table ``name`` in the person's export."""
    tbl = table(name)
    return select(tbl).where(_export_condition(session, name, person_id, plans)).order_by(tbl.c.id)


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
        plans: dict[str, _EachAuthorPlan] = {}
        for name in personal_tables():
            query = _person_rows(session, name, person.id, plans)
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
    plans: dict[str, _EachAuthorPlan] = {}
    with store.read() as session:
        for name in personal_tables():
            condition = _deletion_condition(session, name, person_id, plans)
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
    query = select(column).where(_about(name, entry.together, person_id)).distinct().order_by(column)
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
        plans: dict[str, _EachAuthorPlan] = {}
        conditions = {name: _deletion_condition(session, name, person.id, plans) for name in names}
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
