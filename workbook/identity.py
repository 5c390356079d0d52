"""Participants and their secret access codes.

Identity never comes from a value the browser controls (a name, an id in the URL): a visitor
proves who they are with a random access code of 192 bits, of which the store keeps only
the SHA-256 hash. A code can be revoked and a new one issued.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import select, update

from workbook import config
from workbook.models import AccessCode, Cohort, Participant
from workbook.store import Store, StoreError, as_utc, utcnow

CODE_BYTES = 24  # 192 bits
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
MAX_NAME = 200
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")


@dataclass(frozen=True)
class Person:
    """What a page may know about the participant it is showing."""

    id: int
    pid: str
    name: str
    email: str | None
    cohort: str | None
    created_at: datetime


@dataclass(frozen=True)
class Issued:
    person: Person
    code: str
    url: str


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def personal_link(code: str, app: str = "participant") -> str:
    """The link a participant opens; the code in it is their key."""
    return f"{config.public_base_url()}/voila/render/{app}.ipynb?code={quote(code)}"


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise StoreError("name must not be empty")
    if len(name) > MAX_NAME:
        raise StoreError(f"name is longer than {MAX_NAME} characters")
    return name


def _clean_email(email: str | None) -> str | None:
    if email is None or not email.strip():
        return None
    email = email.strip()
    if not EMAIL_PATTERN.match(email):
        raise StoreError(f"email {email!r} does not look like an email address")
    return email


def _person(session, row: Participant) -> Person:
    cohort = session.get(Cohort, row.cohort_id).name if row.cohort_id is not None else None
    return Person(row.id, row.pid, row.name, row.email, cohort, as_utc(row.created_at))


def add_participant(
    store: Store,
    name: str,
    *,
    email: str | None = None,
    cohort: str | None = None,
    manager_pid: str | None = None,
    pid: str | None = None,
) -> Issued:
    """Create a participant and their first access code (shown here once, stored hashed)."""
    name = _clean_name(name)
    email = _clean_email(email)
    code = new_code()
    with store.write() as session:
        cohort_id = store.cohort_id(session, cohort, create=True) if cohort and cohort.strip() else None
        manager_id = None
        if manager_pid:
            manager_id = session.scalar(select(Participant.id).where(Participant.pid == manager_pid))
            if manager_id is None:
                raise StoreError(f"unknown manager {manager_pid!r}")
        pid = pid or f"p-{secrets.token_hex(5)}"
        if session.scalar(select(Participant.id).where(Participant.pid == pid)) is not None:
            raise StoreError(f"participant id {pid!r} is taken")
        row = Participant(
            pid=pid, name=name, email=email, cohort_id=cohort_id, manager_id=manager_id, created_at=utcnow()
        )
        session.add(row)
        session.flush()
        session.add(AccessCode(participant_id=row.id, code_hash=hash_code(code), created_at=utcnow()))
        person = _person(session, row)
    return Issued(person, code, personal_link(code))


def list_participants(store: Store, cohort: str | None = None) -> list[Person]:
    """Everyone, without codes."""
    with store.read() as session:
        query = select(Participant).order_by(Participant.id)
        if cohort:
            query = query.join(Cohort, Participant.cohort_id == Cohort.id).where(Cohort.name == cohort)
        return [_person(session, row) for row in session.scalars(query)]


def find_participant(store: Store, pid: str) -> Person:
    with store.read() as session:
        row = session.scalar(select(Participant).where(Participant.pid == pid))
        if row is None:
            raise StoreError(f"unknown participant {pid!r}")
        return _person(session, row)


def revoke(store: Store, pid: str) -> int:
    """Revoke every live code of a participant; returns how many were revoked."""
    person = find_participant(store, pid)
    with store.write() as session:
        result = session.execute(
            update(AccessCode)
            .where(AccessCode.participant_id == person.id, AccessCode.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    return result.rowcount or 0


def reissue(store: Store, pid: str) -> Issued:
    """Revoke the old codes and issue a new one."""
    person = find_participant(store, pid)
    code = new_code()
    with store.write() as session:
        session.execute(
            update(AccessCode)
            .where(AccessCode.participant_id == person.id, AccessCode.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        session.add(AccessCode(participant_id=person.id, code_hash=hash_code(code), created_at=utcnow()))
    return Issued(person, code, personal_link(code))


class AccessDenied(Exception):
    """The code is missing, malformed, unknown or revoked; the message is safe to show."""


def authenticate(store: Store, code: str | None) -> Person:
    """The participant whose live code this is, or AccessDenied with a message for the page."""
    code = (code or "").strip()
    if not code:
        raise AccessDenied("Enter the access code from your invitation to open your workbook.")
    if not CODE_PATTERN.match(code):
        raise AccessDenied("That access code is not valid. Check the link or code you were given.")
    with store.read() as session:
        row = session.execute(
            select(AccessCode, Participant)
            .join(Participant, AccessCode.participant_id == Participant.id)
            .where(AccessCode.code_hash == hash_code(code))
        ).first()
        if row is None:
            raise AccessDenied("That access code is not valid. Check the link or code you were given.")
        access, participant = row
        if access.revoked_at is not None:
            raise AccessDenied("That access code has been withdrawn. Ask your facilitator for a new one.")
        return _person(session, participant)
