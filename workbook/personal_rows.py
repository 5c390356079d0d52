"""Which rows of a personal table are a person's, as the registry (`workbook.personal_data`) says: the
rows they wrote or scored, the rows about them whoever saved them (`About`), and for text written in turn
(`EachAuthor`) what a deletion of theirs does to each version. `workbook.data_rights` exports, counts and
deletes with these conditions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, not_, or_, select, true
from sqlalchemy.orm import Session

from workbook.personal_data import REGISTRY, About, EachAuthor, Versions, Written, table


def _owned(name: str, entry: Written, person_id: int):
    """The rows whose owner columns name the person (who wrote or scored them)."""
    columns = table(name).c
    return or_(*(columns[owner] == person_id for owner in entry.owners))


def about_person(name: str, rule: About, person_id: int):
    """The rows an :class:`About` rule covers that are about the person, whoever saved them."""
    tbl = table(name)
    if rule.via:
        [key] = tbl.c[rule.via].foreign_keys
        target = key.column.table
        condition = tbl.c[rule.via].in_(select(key.column).where(target.c[rule.person] == person_id))
    else:
        condition = tbl.c[rule.person] == person_id
    return and_(condition, _covered(name, rule))


def _covered(name: str, rule: About):
    """The rows an :class:`About` rule covers (the others are their owners' alone)."""
    if rule.where is None:
        return true()
    column, value = rule.where
    return table(name).c[column] == value


@dataclass
class EachAuthorPlan:
    """What a deletion does to an :class:`EachAuthor` table: the rows that go, the rows kept whose text is
    the person's (to read the sentence instead), and what moves to an item's first version kept."""

    going: set[int] = field(default_factory=set)
    blanked: dict[int, str] = field(default_factory=dict)
    moved: dict[int, dict[str, Any]] = field(default_factory=dict)


def _each_author_plan(session: Session, name: str, entry: Written, person_id: int) -> EachAuthorPlan:
    """Per item the person saved a version of: all of it goes when every version is theirs; otherwise their
    versions go but the latest (what the other person sees as current) and their text reads the sentence
    in every version kept. A version's text is its run's: whoever first saved that text."""
    rule = entry.together
    assert isinstance(rule, EachAuthor)
    tbl = table(name)
    series = [tbl.c[c] for c in rule.series]
    touched = {tuple(r) for r in session.execute(select(*series).where(_owned(name, entry, person_id)))}
    plan = EachAuthorPlan()
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


def export_condition(session: Session, name: str, person_id: int, plans: dict[str, EachAuthorPlan]):
    """The rows of table ``name`` in the person's export: what they wrote or scored, what is about them,
    and the versions other people saved that hold the person's text."""
    entry = REGISTRY[name]
    tbl = table(name)
    if isinstance(entry, Versions):
        parent = table(entry.parent)
        return tbl.c[entry.link].in_(
            select(parent.c.id).where(export_condition(session, entry.parent, person_id, plans))
        )
    if not isinstance(entry, Written):
        raise ValueError(f"{name} holds nothing a person wrote")
    condition = _owned(name, entry, person_id)
    if isinstance(entry.together, About):
        return or_(condition, about_person(name, entry.together, person_id))
    if isinstance(entry.together, EachAuthor):
        plan = plans.setdefault(name, _each_author_plan(session, name, entry, person_id))
        return or_(condition, tbl.c.id.in_(sorted(plan.blanked)))
    return condition


def deletion_condition(session: Session, name: str, person_id: int, plans: dict[str, EachAuthorPlan]):
    """The rows of table ``name`` the person's deletion removes: every row of theirs, every row about them
    whoever saved it (never a row about someone else), and, of text written in turn, their versions but the
    one the other person sees as current (see :class:`workbook.personal_data.EachAuthor`)."""
    entry = REGISTRY[name]
    tbl = table(name)
    if isinstance(entry, Versions):
        parent = table(entry.parent)
        return tbl.c[entry.link].in_(
            select(parent.c.id).where(deletion_condition(session, entry.parent, person_id, plans))
        )
    if not isinstance(entry, Written):
        raise ValueError(f"{name} holds nothing a person wrote")
    if isinstance(entry.together, About):
        rule = entry.together
        return or_(
            about_person(name, rule, person_id),
            and_(_owned(name, entry, person_id), not_(_covered(name, rule))),
        )
    if isinstance(entry.together, EachAuthor):
        plan = plans.setdefault(name, _each_author_plan(session, name, entry, person_id))
        return tbl.c.id.in_(sorted(plan.going))
    return _owned(name, entry, person_id)


def person_rows(session: Session, name: str, person_id: int, plans: dict[str, EachAuthorPlan]):
    """A select of the rows of table ``name`` in the person's export."""
    tbl = table(name)
    return select(tbl).where(export_condition(session, name, person_id, plans)).order_by(tbl.c.id)
