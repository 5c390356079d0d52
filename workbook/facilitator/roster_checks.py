"""A roster's checks across its rows and against the store, before anything is stored: emails once in the
file, managers that exist (and, for a facilitator, are this cohort's), known people within the importer's
bounds (`facilitator.people.Acting`), and hub users free. Each problem names its row and column."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbook.facilitator.people import Acting, facilitated_cohort_ids
from workbook.models import Cohort, Participant, RoleGrant


class RosterRow(Protocol):
    """What the checks read of a row of the file (`facilitator.roster.RosterRow`)."""

    row: int
    email: str
    role: tuple[str, ...]
    manager_email: str | None
    hub_user: str | None

    @property
    def key(self) -> str: ...


def known_people(session: Session, emails: Iterable[str]) -> dict[str, list[Participant]]:
    wanted = set(emails)
    found: dict[str, list[Participant]] = {}
    for person in session.scalars(select(Participant).where(Participant.email.is_not(None))):
        key = (person.email or "").casefold()
        if key in wanted:
            found.setdefault(key, []).append(person)
    return found


def live_roles(session: Session, ids: Iterable[int]) -> dict[int, set[tuple[str, int | None]]]:
    held: dict[int, set[tuple[str, int | None]]] = {}
    id_list = list(ids)
    for start in range(0, len(id_list), 900):
        for pk, role, cohort_id in session.execute(
            select(RoleGrant.participant_id, RoleGrant.role, RoleGrant.cohort_id).where(
                RoleGrant.participant_id.in_(id_list[start : start + 900]), RoleGrant.withdrawn_at.is_(None)
            )
        ):
            held.setdefault(pk, set()).add((role, cohort_id))
    return held


def _cohorts_of(session: Session, ids: Iterable[int]) -> dict[int, set[int]]:
    """The cohorts each person is in, by the rule of `facilitator.people.member_ids`: their manager and
    facilitator roles' cohorts and, for a team member, their own cohort and their manager's."""
    id_list = list(ids)
    found: dict[int, set[int]] = {pk: set() for pk in id_list}
    for start in range(0, len(id_list), 900):
        chunk = id_list[start : start + 900]
        team: set[int] = set()
        for pk, role, cohort_id in session.execute(
            select(RoleGrant.participant_id, RoleGrant.role, RoleGrant.cohort_id).where(
                RoleGrant.participant_id.in_(chunk), RoleGrant.withdrawn_at.is_(None)
            )
        ):
            if role == "team_member":
                team.add(pk)
            elif role in ("manager", "facilitator") and cohort_id is not None:
                found[pk].add(cohort_id)
        boss_cohorts = (
            select(RoleGrant.participant_id, RoleGrant.cohort_id)
            .where(RoleGrant.role == "manager", RoleGrant.withdrawn_at.is_(None))
            .subquery()
        )
        for pk, own, boss_cohort in session.execute(
            select(Participant.id, Participant.cohort_id, boss_cohorts.c.cohort_id)
            .outerjoin(boss_cohorts, boss_cohorts.c.participant_id == Participant.manager_id)
            .where(Participant.id.in_([p for p in chunk if p in team]))
        ):
            found[pk].update(c for c in (own, boss_cohort) if c is not None)
    return found


def _cohort_names(session: Session, ids: Iterable[int]) -> str:
    names = session.scalars(select(Cohort.name).where(Cohort.id.in_(list(ids))).order_by(Cohort.name))
    return ", ".join(repr(n) for n in names) or "no cohort"


def cross_check(
    session: Session, rows: list[RosterRow], cohort_id: int | None, cohort: str, by: Acting
) -> tuple[dict[str, Participant], list[str], list[str]]:
    """The known people of the file, the problems (each naming its row and column), and, for the
    operator, the rows that reach people or managers of other cohorts."""
    problems: list[str] = []
    notes: list[str] = []
    first_row: dict[str, int] = {}
    for row in rows:
        if row.key in first_row:
            problems.append(
                f'row {row.row}, column "email": {row.email!r} is already on row {first_row[row.key]}'
            )
        else:
            first_row[row.key] = row.row
    known = known_people(
        session, [r.key for r in rows] + [r.manager_email.casefold() for r in rows if r.manager_email]
    )
    roles = live_roles(session, [p.id for people in known.values() for p in people])
    cohorts = _cohorts_of(session, [p.id for people in known.values() for p in people])
    mine = facilitated_cohort_ids(session, by)
    managers_in_file = {r.key for r in rows if "manager" in r.role}
    existing: dict[str, Participant] = {}
    for row in rows:
        people = known.get(row.key, [])
        if len(people) > 1:
            problems.append(
                f'row {row.row}, column "email": {len(people)} people in the store have {row.email!r}, '
                "so it is not clear whom to add roles to"
            )
            continue
        if people:
            person = people[0]
            existing[row.key] = person
            elsewhere = cohorts[person.id] - {cohort_id}
            if not by.is_operator and not cohorts[person.id] & mine:
                problems.append(
                    f'row {row.row}, column "email": {row.email!r} is already in the workbook, outside the '
                    "cohorts you run: an import of yours adds new people and changes your own cohorts' "
                    "people only (the programme's operator can make this change)"
                )
                continue
            if by.is_operator and elsewhere:
                notes.append(f"row {row.row} ({row.email}: in {_cohort_names(session, elsewhere)})")
            if "manager" in row.role and person.cohort_id is not None and person.cohort_id != cohort_id:
                other = session.get(Cohort, person.cohort_id).name
                problems.append(
                    f'row {row.row}, column "role": {row.email!r} is a manager in cohort {other!r}; '
                    f"a manager belongs to one cohort, so cannot also be one in {cohort!r}"
                )
        if row.manager_email:
            boss_key = row.manager_email.casefold()
            if boss_key == row.key:
                problems.append(
                    f'row {row.row}, column "manager_email": a person cannot be their own manager'
                )
                continue
            boss = known.get(boss_key, [])
            boss_roles = roles.get(boss[0].id, set()) if len(boss) == 1 else set()
            in_store = any(r == "manager" for r, _ in boss_roles)
            here = ("manager", cohort_id) in boss_roles
            if boss_key not in managers_in_file and not in_store:
                problems.append(
                    f'row {row.row}, column "manager_email": {row.manager_email!r} is not a manager in this '
                    "file nor in the store"
                )
            elif boss_key not in managers_in_file and not here and not by.is_operator:
                problems.append(
                    f'row {row.row}, column "manager_email": {row.manager_email!r} is not a manager of '
                    f"{cohort!r}: a team member you import has one of this cohort's managers"
                )
            elif people and people[0].manager_id is not None and boss and people[0].manager_id != boss[0].id:
                problems.append(
                    f'row {row.row}, column "manager_email": {row.email!r} already has another manager'
                )
            elif by.is_operator and boss_key not in managers_in_file and not here:
                elsewhere = {c for r, c in boss_roles if r == "manager" and c is not None}
                notes.append(
                    f"row {row.row} ({row.manager_email}: a manager in {_cohort_names(session, elsewhere)})"
                )
    return existing, problems + _hub_user_problems(session, rows, existing), notes


def _hub_user_problems(
    session: Session, rows: list[RosterRow], existing: dict[str, Participant]
) -> list[str]:
    """Each hub user once in the file, free in the store (or already this person's), and never a change of
    a known person's hub user. A taken name does not say whose it is."""
    named = [(r, r.hub_user) for r in rows if r.hub_user]
    problems: list[str] = []
    first_row: dict[str, int] = {}
    for row, hub_user in named:
        if hub_user in first_row:
            problems.append(
                f'row {row.row}, column "hub_user": {hub_user!r} is already on row {first_row[hub_user]}'
            )
        else:
            first_row[hub_user] = row.row
    wanted = list(first_row)
    holders: dict[str, int] = {}
    for start in range(0, len(wanted), 900):
        found = session.execute(
            select(Participant.hub_username, Participant.id).where(
                Participant.hub_username.in_(wanted[start : start + 900])
            )
        )
        holders.update((name, pk) for name, pk in found)
    for row, hub_user in named:
        person = existing.get(row.key)
        holder = holders.get(hub_user)
        if holder is not None and (person is None or holder != person.id):
            problems.append(
                f'row {row.row}, column "hub_user": {hub_user!r} is taken: another person in the store '
                "signs in with it"
            )
        elif person is not None and person.hub_username not in (None, hub_user):
            problems.append(
                f'row {row.row}, column "hub_user": {row.email!r} is already tied to another hub user, '
                "which an import does not change (use `workbook participants set-hub-user`)"
            )
    return problems
