"""A cohort's roster from a CSV file (columns name, email, role, manager_email for team members and an
optional hub_user: the person's JupyterHub user name, which ties them to it for signing in there),
checked whole before anything is stored: every bad row is named with its column, and one bad row stores
nothing. Importing makes people without access codes; codes are made when links are handed out
(`workbook.facilitator.handouts`).

A row whose email is already known adds its roles to that person (and its hub user, if they have none;
a different one is a problem, never a silent change). Rows are numbered as a spreadsheet
shows them: the header is row 1, so the first person is row 2.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from workbook.facilitator.cohorts import CohortSpec
from workbook.identity import EMAIL_PATTERN, MAX_NAME, clean_hub_user
from workbook.models import Cohort, Participant, RoleGrant
from workbook.progress import progress_bar
from workbook.spreadsheet import FORMULA_START
from workbook.store import Store, StoreError, utcnow

REQUIRED_COLUMNS = ("name", "email", "role")
OPTIONAL_COLUMNS = ("manager_email", "hub_user")
ROSTER_ROLES = ("manager", "team_member", "facilitator")
MAX_ROSTER_BYTES = 20 * 1024 * 1024
MAX_ROSTER_ROWS = 50_000
SHOW_PROBLEMS = 40  # a file with thousands of bad rows names the first ones and counts the rest
INSERT_CHUNK = 2_000


class RosterError(StoreError):
    """A roster that cannot be imported; `problems` name each bad row and column. Nothing was stored."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        shown = problems[:SHOW_PROBLEMS]
        more = len(problems) - len(shown)
        lines = "\n".join(f"  {p}" for p in shown) + (f"\n  ... and {more} more" if more else "")
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"roster {source}: {count}, so nothing was imported:\n{lines}")


def check_name(value: object) -> str:
    """A person's name: not empty, not too long, and not one a spreadsheet would run as a formula."""
    if not isinstance(value, str):
        raise ValueError("the name must be text")
    text = " ".join(value.split())
    if not text:
        raise ValueError("the name is empty")
    if len(text) > MAX_NAME:
        raise ValueError(f"the name is longer than {MAX_NAME} characters")
    first = value.lstrip(" ")[:1]
    if first in FORMULA_START:
        raise ValueError(f"the name starts with {first!r}, which a spreadsheet runs as a formula")
    return text


def check_email(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("the email is empty")
    text = value.strip()
    if not EMAIL_PATTERN.match(text):
        raise ValueError(f"{text!r} does not look like an email address")
    return text


class RosterRow(BaseModel):
    """One person of the file, checked on its own (the checks across rows and the store come after)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    row: int
    name: str
    email: str
    role: tuple[str, ...]
    manager_email: str | None = None
    hub_user: str | None = None

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: object) -> str:
        return check_name(value)

    @field_validator("email", mode="before")
    @classmethod
    def _email(cls, value: object) -> str:
        return check_email(value)

    @field_validator("manager_email", mode="before")
    @classmethod
    def _manager_email(cls, value: object) -> str | None:
        return check_email(value) if str(value or "").strip() else None

    @field_validator("hub_user", mode="before")
    @classmethod
    def _hub_user(cls, value: object) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None  # an empty cell: the person is not tied to a hub user
        try:
            return clean_hub_user(value)  # the one rule for hub user names
        except StoreError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("role", mode="before")
    @classmethod
    def _roles(cls, value: object) -> tuple[str, ...]:
        names = [part.strip() for part in str(value or "").split(";") if part.strip()]
        if not names:
            raise ValueError(f"no role: write one or more of {', '.join(ROSTER_ROLES)}, separated by ;")
        unknown = [n for n in names if n not in ROSTER_ROLES]
        if unknown:
            raise ValueError(f"unknown role {unknown[0]!r}: choose from {', '.join(ROSTER_ROLES)}")
        return tuple(dict.fromkeys(names))

    @model_validator(mode="after")
    def _manager_for_team_members(self) -> RosterRow:
        if "team_member" in self.role and not self.manager_email:
            raise ValueError("manager_email: a team member needs their manager's email")
        if "team_member" not in self.role and self.manager_email:
            raise ValueError(
                "manager_email: only a team member has a manager here (the role has no team_member)"
            )
        return self

    @property
    def key(self) -> str:
        return self.email.casefold()


@dataclass
class ImportSummary:
    cohort: str
    rows: int
    created: int
    updated: int
    cohort_created: bool
    names: list[str] = field(default_factory=list)  # of the people added or given roles, in file order
    hub_users_tied: int = 0  # people tied to a hub user by this import (new, or known without one)

    def describe(self) -> str:
        made = "created" if self.cohort_created else "existing"
        tied = (
            f" {self.hub_users_tied} {'person' if self.hub_users_tied == 1 else 'people'} tied to their hub "
            "user."
            if self.hub_users_tied
            else ""
        )
        return (
            f"Imported {self.rows} row(s) into the {made} cohort {self.cohort!r}: {self.created} new "
            f"{'person' if self.created == 1 else 'people'}, {self.updated} already known (roles added)."
            f"{tied} Nobody has an access code yet: hand out links to give them one."
        )


# -- reading the file -----------------------------------------------------------------------------------
def decode_roster(data: bytes, source: str) -> str:
    """The file's text; RosterError naming the problem when it is not UTF-8 CSV text."""
    if not data.strip():
        raise RosterError(
            source, ["the file is empty: it needs a header row (name,email,role,manager_email)"]
        )
    if len(data) > MAX_ROSTER_BYTES:
        raise RosterError(source, [f"the file is larger than {MAX_ROSTER_BYTES // (1024 * 1024)} MB"])
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterError(source, ['this is a spreadsheet file (Excel), not CSV: save it as "CSV UTF-8"'])
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RosterError(source, ['the file is UTF-16 text, not UTF-8: save it as "CSV UTF-8"'])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start]
        raise RosterError(
            source,
            [
                f"row {row}: the file is not UTF-8 text (byte 0x{byte:02X} cannot be read; it looks like "
                'Latin-1 or Windows-1252): save it as "CSV UTF-8" and import it again'
            ],
        ) from None


def _column(loc: tuple, message: str) -> str:
    name = str(loc[0]) if loc else ""
    if name == "role" or name in REQUIRED_COLUMNS or name in OPTIONAL_COLUMNS:
        return name
    head = message.split(":", 1)[0]
    return head if head in OPTIONAL_COLUMNS else "role"


def read_roster(text: str, source: str) -> list[RosterRow]:
    """Every row checked on its own; RosterError naming each bad row and column."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().casefold() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise RosterError(source, [f"row 1: the header cannot be read ({exc})"]) from None
    problems: list[str] = []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [h for h in header if h not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    doubled = sorted({h for h in header if header.count(h) > 1})
    if missing:
        problems.append(
            f"row 1: column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} missing"
        )
    if unknown:
        problems.append(
            f"row 1: unknown column(s) {', '.join(map(repr, unknown))}; the columns are "
            f"{', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}"
        )
    if doubled:
        problems.append(f"row 1: column(s) {', '.join(map(repr, doubled))} appear more than once")
    if problems:
        raise RosterError(source, problems)
    rows: list[RosterRow] = []
    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue  # a blank line (spreadsheets often leave one at the end)
            if len(values) != len(header):
                problems.append(
                    f"row {number}: {len(values)} values, but the header has {len(header)} columns"
                )
                continue
            if number - 1 > MAX_ROSTER_ROWS:
                raise RosterError(source, [f"more than {MAX_ROSTER_ROWS} rows: split the file"])
            record = dict(zip(header, values, strict=True))
            try:
                rows.append(
                    RosterRow(row=number, **{k: record.get(k) for k in REQUIRED_COLUMNS + OPTIONAL_COLUMNS})
                )
            except ValidationError as exc:
                for error in exc.errors():
                    message = str(error["msg"]).removeprefix("Value error, ")
                    column = _column(error["loc"], message)
                    message = message.removeprefix(f"{column}: ")
                    problems.append(f'row {number}, column "{column}": {message}')
    except csv.Error as exc:
        problems.append(f"row {reader.line_num}: the CSV cannot be read ({exc})")
    if not rows and not problems:
        problems.append("the file has a header but no people")
    if problems:
        raise RosterError(source, problems)
    return rows


# -- checks across rows and against the store, then the import ------------------------------------------
def _known_people(session: Session, emails: Iterable[str]) -> dict[str, list[Participant]]:
    wanted = set(emails)
    found: dict[str, list[Participant]] = {}
    for person in session.scalars(select(Participant).where(Participant.email.is_not(None))):
        key = (person.email or "").casefold()
        if key in wanted:
            found.setdefault(key, []).append(person)
    return found


def _live_roles(session: Session, ids: Iterable[int]) -> dict[int, set[tuple[str, int | None]]]:
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


def _cross_check(
    session: Session, rows: list[RosterRow], cohort_id: int | None, cohort: str
) -> tuple[dict[str, Participant], list[str]]:
    problems: list[str] = []
    first_row: dict[str, int] = {}
    for row in rows:
        if row.key in first_row:
            problems.append(
                f'row {row.row}, column "email": {row.email!r} is already on row {first_row[row.key]}'
            )
        else:
            first_row[row.key] = row.row
    known = _known_people(
        session, [r.key for r in rows] + [r.manager_email.casefold() for r in rows if r.manager_email]
    )
    roles = _live_roles(session, [p.id for people in known.values() for p in people])
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
            in_store = len(boss) == 1 and any(r == "manager" for r, _ in roles.get(boss[0].id, set()))
            if boss_key not in managers_in_file and not in_store:
                problems.append(
                    f'row {row.row}, column "manager_email": {row.manager_email!r} is not a manager in this '
                    "file nor in the store"
                )
            elif people and people[0].manager_id is not None and boss and people[0].manager_id != boss[0].id:
                problems.append(
                    f'row {row.row}, column "manager_email": {row.email!r} already has another manager'
                )
    return existing, problems + _hub_user_problems(session, rows, existing)


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


def import_roster(
    store: Store,
    source: bytes | str | Path,
    cohort: str,
    *,
    name: str | None = None,
    progress: bool | None = False,
) -> ImportSummary:
    """Import a roster CSV into `cohort` (created if new): every row or none; RosterError naming each problem.

    `source` is the file's bytes or its path; `name` names it in messages. `progress`: a bar on stderr.
    """
    if isinstance(source, str | Path):
        path = Path(source)
        label = name or path.name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise RosterError(label, [f"the file cannot be read ({exc.strerror or exc})"]) from None
    else:
        data, label = source, name or "upload"
    cohort = " ".join(str(cohort or "").split())
    try:
        CohortSpec(name=cohort)
    except ValidationError as exc:
        raise StoreError(
            f"cohort {cohort!r}: {exc.errors()[0]['msg'].removeprefix('Value error, ')}"
        ) from None
    rows = read_roster(decode_roster(data, label), label)
    with progress_bar(len(rows), "Importing roster", unit="rows", show=progress) as bar:
        with store.write() as session:  # one transaction, checks included: every row or none
            cohort_id = session.scalar(select(Cohort.id).where(Cohort.name == cohort))
            existing, problems = _cross_check(session, rows, cohort_id, cohort)
            if problems:
                raise RosterError(label, problems)
            created_cohort = cohort_id is None
            if cohort_id is None:
                cohort_id = store.cohort_id(session, cohort, create=True)
            summary = _write(session, rows, existing, cohort_id, bar.update)
    summary.cohort, summary.cohort_created = cohort, created_cohort
    return summary


def _new_pids(session: Session, count: int) -> list[str]:
    taken = set(session.scalars(select(Participant.pid)))
    pids: list[str] = []
    while len(pids) < count:
        pid = f"p-{secrets.token_hex(5)}"
        if pid not in taken:
            taken.add(pid)
            pids.append(pid)
    return pids


def _write(
    session: Session,
    rows: list[RosterRow],
    existing: dict[str, Participant],
    cohort_id: int,
    step: Callable[[int], object],
) -> ImportSummary:
    now = utcnow()
    new_rows = [r for r in rows if r.key not in existing]
    pids = _new_pids(session, len(new_rows))
    ids: dict[str, int] = {key: p.id for key, p in existing.items()}
    for start in range(0, len(new_rows), INSERT_CHUNK):
        chunk = new_rows[start : start + INSERT_CHUNK]
        values = [
            {
                "pid": pid,
                "name": r.name,
                "email": r.email,
                "cohort_id": cohort_id if ("manager" in r.role or "team_member" in r.role) else None,
                "manager_id": None,
                "created_at": now,
                "hub_username": r.hub_user,
            }
            for r, pid in zip(chunk, pids[start : start + INSERT_CHUNK], strict=True)
        ]
        made = session.scalars(
            insert(Participant).returning(Participant.id, sort_by_parameter_order=True), values
        ).all()
        ids.update({r.key: pk for r, pk in zip(chunk, made, strict=True)})
        step(len(chunk))
    # people the file names as managers who were already in the store
    missing = {r.manager_email.casefold() for r in rows if r.manager_email} - set(ids)
    if missing:
        for person in session.scalars(select(Participant).where(Participant.email.is_not(None))):
            if (person.email or "").casefold() in missing:
                ids.setdefault(person.email.casefold(), person.id)
    updates = []
    by_key = {r.key: r for r in rows}
    tied = sum(1 for r in new_rows if r.hub_user)
    for key, person in existing.items():
        row = by_key[key]
        changes: dict[str, object] = {}
        if person.cohort_id is None and ("manager" in row.role or "team_member" in row.role):
            changes["cohort_id"] = cohort_id
        if row.manager_email and person.manager_id is None:
            changes["manager_id"] = ids[row.manager_email.casefold()]
        if row.hub_user and person.hub_username is None:
            changes["hub_username"] = row.hub_user
            tied += 1
        if changes:
            updates.append({"id": person.id, **changes})
    updates += [
        {"id": ids[r.key], "manager_id": ids[r.manager_email.casefold()]} for r in new_rows if r.manager_email
    ]
    if updates:
        session.execute(update(Participant), updates)
    held = _live_roles(session, [p.id for p in existing.values()])
    grants = []
    for r in rows:
        pk = ids[r.key]
        for role in r.role:
            scope = None if role == "team_member" else cohort_id
            if (role, scope) not in held.get(pk, set()):
                grants.append({"participant_id": pk, "role": role, "cohort_id": scope, "granted_at": now})
    for start in range(0, len(grants), INSERT_CHUNK):
        session.execute(insert(RoleGrant), grants[start : start + INSERT_CHUNK])
    step(len(existing))
    return ImportSummary(
        "", len(rows), len(new_rows), len(existing), False, [r.name for r in rows], hub_users_tied=tied
    )
