"""Cohorts: a name, the dates the programme runs and its workshop sessions; and which cohorts a
facilitator runs (their facilitator roles), which is all a facilitator's page may ever read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import delete, select

from workbook.identity import Person
from workbook.models import Cohort, WorkshopSession
from workbook.store import Store, StoreError, utcnow
from workbook.validation import EARLIEST_DATE, LATEST_DATE, clean_date, read_date, refuse

MAX_COHORT_NAME = 120
MAX_SESSION_TITLE = 200


class SessionSpec(BaseModel):
    """One workshop session: the day and what it is called."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    held_on: date
    title: str = Field(min_length=1, max_length=MAX_SESSION_TITLE)

    @field_validator("title")
    @classmethod
    def _tidy(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("the title must not be empty")
        return value


class CohortSpec(BaseModel):
    """A new cohort, checked whole before anything is stored."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=MAX_COHORT_NAME)
    starts_on: date | None = None
    ends_on: date | None = None
    sessions: tuple[SessionSpec, ...] = ()

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("the name must not be empty")
        if value.startswith(("=", "+", "-", "@")):
            raise ValueError("the name must not start with =, +, - or @ (a spreadsheet would run it)")
        return value

    @model_validator(mode="after")
    def _dates(self) -> CohortSpec:
        days = [d for d in (self.starts_on, self.ends_on) if d] + [s.held_on for s in self.sessions]
        for day in days:
            if not EARLIEST_DATE <= day <= LATEST_DATE:
                raise ValueError(f"{day.isoformat()} is outside {EARLIEST_DATE.year}-{LATEST_DATE.year}")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError(f"it ends ({self.ends_on}) before it starts ({self.starts_on})")
        for session in self.sessions:
            if self.starts_on and session.held_on < self.starts_on:
                raise ValueError(f"session {session.title!r} ({session.held_on}) is before the start")
            if self.ends_on and session.held_on > self.ends_on:
                raise ValueError(f"session {session.title!r} ({session.held_on}) is after the end")
        return self


@dataclass(frozen=True)
class CohortInfo:
    name: str
    starts_on: date | None
    ends_on: date | None
    sessions: tuple[tuple[date, str], ...]

    @property
    def dates(self) -> str:
        if self.starts_on and self.ends_on:
            return f"{self.starts_on.isoformat()} to {self.ends_on.isoformat()}"
        if self.starts_on:
            return f"from {self.starts_on.isoformat()}"
        return f"until {self.ends_on.isoformat()}" if self.ends_on else "no dates set"


def _problem(exc: ValidationError) -> str:
    """Pydantic's errors as one sentence naming each field."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "cohort"
        message = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def parse_session(text: str) -> SessionSpec:
    """`DATE:TITLE` as typed on the command line (the date in any of the common forms)."""
    day, sep, title = text.partition(":")
    if not sep:
        raise StoreError(f"session {text!r}: write it as DATE:TITLE, e.g. 2027-01-12:Kick-off workshop")
    try:
        return SessionSpec(held_on=read_date(day).value, title=title)
    except ValidationError as exc:
        raise StoreError(f"session {text!r}: {_problem(exc)}") from None
    except ValueError as exc:
        raise StoreError(f"session {text!r}: {exc}") from None


def add_cohort(
    store: Store,
    name: str,
    *,
    starts_on: date | None = None,
    ends_on: date | None = None,
    sessions: Sequence[SessionSpec] = (),
) -> CohortInfo:
    """Create a cohort with its dates and sessions; StoreError naming the problem (nothing stored)."""
    try:
        spec = CohortSpec(name=name, starts_on=starts_on, ends_on=ends_on, sessions=tuple(sessions))
    except ValidationError as exc:
        raise StoreError(f"cohort: {_problem(exc)}") from None
    with store.write() as session:
        if session.scalar(select(Cohort.id).where(Cohort.name == spec.name)) is not None:
            raise StoreError(f"cohort {spec.name!r} exists already")
        row = Cohort(name=spec.name, created_at=utcnow(), starts_on=spec.starts_on, ends_on=spec.ends_on)
        session.add(row)
        session.flush()
        session.add_all(
            WorkshopSession(cohort_id=row.id, held_on=s.held_on, title=s.title) for s in spec.sessions
        )
    return cohort_info(store, spec.name)


def edit_cohort(
    store: Store,
    name: str,
    *,
    starts_on: date | None,
    ends_on: date | None,
    sessions: Sequence[SessionSpec],
) -> CohortInfo:
    """Set a cohort's dates and replace its workshop sessions, checked whole first: StoreError naming the
    problem, and nothing changed, when anything is wrong."""
    try:
        spec = CohortSpec(name=name, starts_on=starts_on, ends_on=ends_on, sessions=tuple(sessions))
    except ValidationError as exc:
        raise StoreError(_problem(exc).removeprefix("cohort: ")) from None
    with store.write() as session:
        cohort_id = store.cohort_id(session, name, create=False)
        row = session.get(Cohort, cohort_id)
        row.starts_on, row.ends_on = spec.starts_on, spec.ends_on
        session.execute(delete(WorkshopSession).where(WorkshopSession.cohort_id == cohort_id))
        session.add_all(
            WorkshopSession(cohort_id=cohort_id, held_on=s.held_on, title=s.title) for s in spec.sessions
        )
    return cohort_info(store, name)


def session_lines(text: str) -> list[SessionSpec]:
    """Workshop sessions typed one per line as ``DATE: title``; InputError naming the line that is wrong."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        label = f"Workshop sessions, line {number}"
        day, sep, title = line.partition(":")
        if not sep or not title.strip():
            raise refuse(
                label, f"write the date, a colon and the title, e.g. 2027-01-12: Kick-off (got {line!r})"
            )
        held_on = clean_date(label, day.strip(), earliest=EARLIEST_DATE, latest=LATEST_DATE)
        try:
            found.append(SessionSpec(held_on=held_on, title=title))
        except ValidationError as exc:
            raise refuse(label, _problem(exc)) from None
    return found


def cohort_info(store: Store, name: str) -> CohortInfo:
    with store.read() as session:
        cohort_id = store.cohort_id(session, name, create=False)
        row = session.get(Cohort, cohort_id)
        sessions = session.execute(
            select(WorkshopSession.held_on, WorkshopSession.title)
            .where(WorkshopSession.cohort_id == cohort_id)
            .order_by(WorkshopSession.held_on, WorkshopSession.id)
        ).all()
    return CohortInfo(row.name, row.starts_on, row.ends_on, tuple((d, t) for d, t in sessions))


def list_cohorts(store: Store) -> list[CohortInfo]:
    with store.read() as session:
        names = session.scalars(select(Cohort.name).order_by(Cohort.name)).all()
    return [cohort_info(store, name) for name in names]


def facilitated(person: Person) -> list[str]:
    """The cohorts this person facilitates (their live facilitator roles), in name order."""
    return sorted({role.cohort for role in person.roles if role.name == "facilitator" and role.cohort})


class NotYourCohort(StoreError):
    """A facilitator asked for a cohort they do not run (the message names nothing of it)."""


def check_facilitates(person: Person, cohort: object) -> str:
    """The cohort's name if this person facilitates it; NotYourCohort otherwise."""
    if not isinstance(cohort, str) or cohort not in facilitated(person):
        raise NotYourCohort("you are not a facilitator of that cohort")
    return cohort


def read_day(label: str, text: str | None) -> date | None:
    """A date typed on the command line in one of the common forms, or None; StoreError naming it."""
    if text is None or not text.strip():
        return None
    try:
        return read_date(text).value
    except ValueError as exc:
        raise StoreError(f"{label}: {exc}") from None
