"""A cohort's roster from a CSV file (columns name, email, role, manager_email for team members and an
optional hub_user: the person's JupyterHub user name, which ties them to it for signing in there),
checked whole before anything is stored: every bad row is named with its column, and one bad row stores
nothing. Importing makes people without access codes; codes are made when links are handed out
(`workbook.facilitator.handouts`).

A row whose email is already known adds its roles to that person (and its hub user, if they have none;
a different one is a problem, never a silent change); a manager given to a known person goes through the
one recorded path (`team.manager_change`). Who imports bounds what a file may touch: a facilitator's import
adds new people and changes only people of the cohorts they run (a known person of another cohort, or of
none, is a problem named by row, and nothing is stored), and names as managers only this cohort's; the
operator's command line may touch anyone, and the summary names the rows that reach other cohorts. Rows are
numbered as a spreadsheet shows them: the header is row 1, so the first person is row 2.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from workbook.facilitator.cohorts import CohortSpec, NotYourCohort
from workbook.facilitator.people import Acting, check_acting
from workbook.facilitator.roster_checks import cross_check, live_roles
from workbook.identity import check_email, check_name, clean_hub_user
from workbook.models import Cohort, Participant, RoleGrant
from workbook.progress import progress_bar
from workbook.store import Store, StoreError, utcnow
from workbook.team.manager_change import COMMAND_LINE, FACILITATOR_APP, change_manager

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
    updated: int  # known people given a role, a cohort, a manager or a hub user
    cohort_created: bool
    names: list[str] = field(default_factory=list)  # of the people added or given roles, in file order
    hub_users_tied: int = 0  # people tied to a hub user by this import (new, or known without one)
    other_cohorts: list[str] = field(default_factory=list)  # the operator's rows that reach other cohorts
    unchanged: int = 0  # known people the file gave nothing new

    @staticmethod
    def _people(count: int) -> str:
        return f"{count} {'person' if count == 1 else 'people'}"

    def describe(self) -> str:
        made = "created" if self.cohort_created else "existing"
        tied = (
            f" {self.hub_users_tied} {'person' if self.hub_users_tied == 1 else 'people'} tied to their hub "
            "user."
            if self.hub_users_tied
            else ""
        )
        known = [
            f"{self.updated} already known (roles added)" if self.updated else "",
            f"{self.unchanged} already in as the file says (nothing changed)" if self.unchanged else "",
        ]
        links = (
            f" The {self._people(self.created)} new here have no link yet: hand out links to give them one."
            if self.created
            else ""
        )
        others = (
            " Rows that reach people or managers of other cohorts: " + "; ".join(self.other_cohorts) + "."
            if self.other_cohorts
            else ""
        )
        rows = f"{self.rows} {'row' if self.rows == 1 else 'rows'}"
        return (
            f"Imported {rows} into the {made} cohort {self.cohort!r}: "
            + ", ".join(
                [f"{self.created} new {'person' if self.created == 1 else 'people'}"]
                + [k for k in known if k]
            )
            + f".{tied}{links}{others}"
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


def read_roster(text: str, source: str) -> tuple[list[RosterRow], list[str]]:
    """Every row checked on its own: the good rows, and a problem naming each bad row and column (checked
    across rows and against the store next, so that a file's problems all come in one round). A header
    that cannot be used, or a file with no people, is a RosterError at once."""
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
    if not rows:
        raise RosterError(source, problems)
    return rows, problems


def _row_number(problem: str) -> int:
    head = problem.removeprefix("row ").split(",", 1)[0].split(":", 1)[0]
    return int(head) if head.isdigit() else 0


# -- the import ------------------------------------------------------------------------------------------
def import_roster(
    store: Store,
    source: bytes | str | Path,
    cohort: str,
    *,
    by: Acting,
    name: str | None = None,
    progress: bool | None = False,
) -> ImportSummary:
    """Import a roster CSV into `cohort`: every row or none; RosterError naming each problem.

    `by` is who imports: the operator (who may also create the cohort) or a facilitator of `cohort`
    (NotYourCohort otherwise), whose file may touch only their own cohorts' people. `source` is the file's
    bytes or its path; `name` names it in messages. `progress`: a bar on stderr.
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
    rows, row_problems = read_roster(decode_roster(data, label), label)
    with progress_bar(len(rows), "Importing roster", unit="rows", show=progress) as bar:
        with store.write() as session:  # one transaction, checks included: every row or none
            cohort_id = session.scalar(select(Cohort.id).where(Cohort.name == cohort))
            if cohort_id is None and not by.is_operator:
                raise NotYourCohort("you are not a facilitator of that cohort")
            if cohort_id is not None:
                check_acting(session, by, cohort_id)
            existing, problems, notes = cross_check(session, rows, cohort_id, cohort, by)
            if row_problems or problems:  # every problem in one round, in the order of the rows
                raise RosterError(label, sorted(row_problems + problems, key=_row_number))
            created_cohort = cohort_id is None
            if cohort_id is None:
                cohort_id = store.cohort_id(session, cohort, create=True)
            summary = _write(session, rows, existing, cohort_id, bar.update, by)
    summary.cohort, summary.cohort_created, summary.other_cohorts = cohort, created_cohort, notes
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
    by: Acting,
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
    held = live_roles(session, [p.id for p in existing.values()])
    grants = []
    for r in rows:
        pk = ids[r.key]
        for role in r.role:
            scope = None if role == "team_member" else cohort_id
            if (role, scope) not in held.get(pk, set()):
                grants.append({"participant_id": pk, "role": role, "cohort_id": scope, "granted_at": now})
    for start in range(0, len(grants), INSERT_CHUNK):
        session.execute(insert(RoleGrant), grants[start : start + INSERT_CHUNK])
    changed = {u["id"] for u in updates} | {g["participant_id"] for g in grants}
    # a known person's new manager, once their team member role is in: the one recorded path
    for key, person in existing.items():
        row = by_key[key]
        if row.manager_email and person.manager_id is None:
            changed.add(person.id)
            manager = session.get(Participant, ids[row.manager_email.casefold()])
            change_manager(
                session,
                person,
                manager,
                by_id=by.facilitator_id,
                via=COMMAND_LINE if by.is_operator else FACILITATOR_APP,
            )
    step(len(existing))
    known_changed = sum(1 for p in existing.values() if p.id in changed)
    return ImportSummary(
        "",
        len(rows),
        len(new_rows),
        known_changed,
        False,
        [r.name for r in rows],
        hub_users_tied=tied,
        unchanged=len(existing) - known_changed,
    )
