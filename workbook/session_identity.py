"""Who a visit's session is: the person and the code row a signed session cookie names
(``workbook.server.sessions``), checked against the store as a sign-in with the code is, so a revoked
code ends the session at its next check."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbook.identity import NOT_VALID, AccessDenied, Person, _person, hash_code
from workbook.models import AccessCode, Participant
from workbook.store import Store


def live_code_id(session: Session, code: str) -> int | None:
    """The row id of a live code (what a visit's session cookie names instead of the code)."""
    return session.scalar(
        select(AccessCode.id).where(AccessCode.code_hash == hash_code(code), AccessCode.revoked_at.is_(None))
    )


def code_id_is_live(session: Session, person_id: int, code_id: int) -> bool:
    """Whether that code row is still the person's and not revoked (checked inside each write)."""
    return (
        session.scalar(
            select(AccessCode.id).where(
                AccessCode.id == code_id,
                AccessCode.participant_id == person_id,
                AccessCode.revoked_at.is_(None),
            )
        )
        is not None
    )


def authenticate_session(store: Store, person_id: int, code_id: int) -> Person:
    """The person of a visit's session (the server checked its cookie's signature), if the code it was
    opened with is still live; AccessDenied otherwise, as for a revoked code."""
    with store.read() as session:
        if not code_id_is_live(session, person_id, code_id):
            raise AccessDenied(NOT_VALID)
        row = session.get(Participant, person_id)
        if row is None:
            raise AccessDenied(NOT_VALID)
        return _person(session, row)
