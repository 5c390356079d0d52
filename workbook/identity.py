"""Participants, their roles and their secret access codes.

Identity never comes from a value the browser controls (a name, an id in the URL): a visitor
proves who they are with a random access code of 192 bits, of which the store keeps only
the SHA-256 hash. A code can be revoked and a new one issued.

A person holds one or more roles: `team_member` (prepares a career conversation), `manager` (in the
coaching programme, of a cohort), `facilitator` (of a cohort) and `evaluator`. Each app admits only its
roles; `facilitator` and `evaluator` are granted from the command line only, except that a facilitator
may make a co-facilitator of their own cohort (`workbook.facilitator`).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from workbook import config
from workbook.models import AccessCode, Cohort, Participant, RoleGrant
from workbook.spreadsheet import FORMULA_START
from workbook.store import Store, StoreError, as_utc, utcnow

CODE_BYTES = 24  # 192 bits
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
MAX_NAME = 200
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")
# A JupyterHub user name as the common authenticators make them (a login, an email-like name, a number).
HUB_USER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,119}$")


ROLES: dict[str, str] = {
    "team_member": "a team member preparing a career conversation",
    "manager": "a manager in the coaching programme",
    "facilitator": "a facilitator of a cohort",
    "evaluator": "an evaluator of the programme",
}
# Roles that open other people's figures or content: granted only by whoever runs the command line.
PRIVILEGED_ROLES = frozenset({"facilitator", "evaluator"})
# Roles that must name a cohort, and roles that cannot.
COHORT_REQUIRED = frozenset({"facilitator"})
COHORT_REFUSED = frozenset({"team_member", "evaluator"})


@dataclass(frozen=True, order=True)
class Role:
    """A role, of one cohort or of none."""

    name: str
    cohort: str | None = None

    def __str__(self) -> str:
        return f"{self.name}:{self.cohort}" if self.cohort else self.name


def parse_role(spec: str | Role) -> Role:
    """`ROLE` or `ROLE:COHORT` (as typed on the command line), checked; StoreError naming the problem."""
    if isinstance(spec, Role):
        name, cohort = spec.name, spec.cohort
    else:
        name, _, cohort = str(spec).strip().partition(":")
        cohort = " ".join(cohort.split()) or None
    if name not in ROLES:
        raise StoreError(f"unknown role {name!r}: choose one of {', '.join(ROLES)}")
    if name in COHORT_REQUIRED and not cohort:
        raise StoreError(f"the {name} role needs a cohort: write {name}:COHORT")
    if name in COHORT_REFUSED and cohort:
        raise StoreError(f"the {name} role takes no cohort (got {cohort!r})")
    return Role(name, cohort)


@dataclass(frozen=True)
class Person:
    """What a page may know about the participant it is showing."""

    id: int
    pid: str
    name: str
    email: str | None
    cohort: str | None
    created_at: datetime
    roles: tuple[Role, ...] = field(default=())
    hub_user: str | None = None  # their JupyterHub user name, when they sign in there

    def holds(self, *names: str) -> bool:
        """Whether the person holds any of these roles (of any cohort)."""
        return any(role.name in names for role in self.roles)


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
    return f"{app_address(app)}?code={quote(code)}"


def app_address(app: str = "participant") -> str:
    """An app's address without any code: what one person may pass to another (each signs in with
    their own code)."""
    return f"{config.public_base_url()}/voila/render/{app}.ipynb"


def check_name(value: object) -> str:
    """A person's name as every entry path stores it: Unicode NFC, white space trimmed and runs of it made
    one space; ValueError naming the problem for an empty or too long name, a control character (which
    would garble a screen, a PDF or a file), or a first character a spreadsheet runs as a formula."""
    if not isinstance(value, str):
        raise ValueError("the name must be text")
    text = " ".join(unicodedata.normalize("NFC", value).split())
    if not text:
        raise ValueError("the name is empty")
    if len(text) > MAX_NAME:
        raise ValueError(f"the name is longer than {MAX_NAME} characters")
    control = next((c for c in text if unicodedata.category(c) == "Cc"), None)
    if control is not None:
        raise ValueError(
            f"the name holds a control character (U+{ord(control):04X}), which is not part of a name"
        )
    if text[0] in FORMULA_START:
        raise ValueError(
            f"the name starts with {text[0]!r}, which a spreadsheet runs as a formula: start it with a letter"
        )
    return text


def _clean_name(name: object) -> str:
    try:
        return check_name(name)
    except ValueError as exc:
        raise StoreError(f"name: {exc}") from None


def check_email(value: object) -> str:
    """An email address as typed (trimmed); ValueError naming the problem."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("the email is empty")
    text = value.strip()
    if not EMAIL_PATTERN.match(text):
        raise ValueError(f"{text!r} does not look like an email address")
    return text


def _clean_email(email: str | None) -> str | None:
    try:
        return check_email(email) if email is not None and email.strip() else None
    except ValueError as exc:
        raise StoreError(f"email {exc}") from None


def _roles(session: Session, participant_id: int) -> tuple[Role, ...]:
    rows = session.execute(
        select(RoleGrant.role, Cohort.name)
        .outerjoin(Cohort, RoleGrant.cohort_id == Cohort.id)
        .where(RoleGrant.participant_id == participant_id, RoleGrant.withdrawn_at.is_(None))
    ).all()
    return tuple(sorted({Role(name, cohort) for name, cohort in rows}))


def _person(session: Session, row: Participant) -> Person:
    cohort = session.get(Cohort, row.cohort_id).name if row.cohort_id is not None else None
    return Person(
        row.id,
        row.pid,
        row.name,
        row.email,
        cohort,
        as_utc(row.created_at),
        _roles(session, row.id),
        hub_user=row.hub_username,
    )


def holding_role(role: str) -> Select:
    """The ids of the people who hold `role` now (of any cohort), for filtering figures in SQL."""
    return select(RoleGrant.participant_id).where(RoleGrant.role == role, RoleGrant.withdrawn_at.is_(None))


def _grant(session: Session, store: Store, row: Participant, role: Role) -> None:
    """Record a role for a person inside a write transaction (nothing if they hold it already)."""
    cohort_id = store.cohort_id(session, role.cohort, create=True) if role.cohort else None
    if role.name == "manager" and cohort_id is not None:
        if row.cohort_id is None:
            row.cohort_id = cohort_id
        elif row.cohort_id != cohort_id:
            current = session.get(Cohort, row.cohort_id).name
            raise StoreError(
                f"{row.pid} is in cohort {current!r}; a manager belongs to one cohort, so cannot also "
                f"be a manager of {role.cohort!r}"
            )
    held = session.scalar(
        select(RoleGrant.id).where(
            RoleGrant.participant_id == row.id,
            RoleGrant.role == role.name,
            RoleGrant.cohort_id.is_(None) if cohort_id is None else RoleGrant.cohort_id == cohort_id,
            RoleGrant.withdrawn_at.is_(None),
        )
    )
    if held is None:
        session.add(
            RoleGrant(participant_id=row.id, role=role.name, cohort_id=cohort_id, granted_at=utcnow())
        )


def _check_privilege(roles: Iterable[Role], allow_privileged: bool) -> None:
    privileged = sorted({r.name for r in roles} & PRIVILEGED_ROLES)
    if privileged and not allow_privileged:
        raise StoreError(f"the {' and '.join(privileged)} role can only be granted from the command line")


def add_participant(
    store: Store,
    name: str,
    *,
    email: str | None = None,
    cohort: str | None = None,
    manager_pid: str | None = None,
    pid: str | None = None,
    roles: Sequence[str | Role] | None = None,
    allow_privileged: bool = False,
    hub_user: str | None = None,
) -> Issued:
    """Create a participant with their roles and their first access code (shown here once, stored hashed).

    Without `roles`, a person added to a cohort is that cohort's manager (as in the first release) and
    anyone else is a team member. `facilitator` and `evaluator` need `allow_privileged` (the command line).
    """
    name = _clean_name(name)
    email = _clean_email(email)
    cohort = cohort.strip() if cohort and cohort.strip() else None
    if roles:
        wanted = [parse_role(r) for r in roles]
    else:
        wanted = [Role("manager", cohort)] if cohort else [Role("team_member")]
    _check_privilege(wanted, allow_privileged)
    hub_user = clean_hub_user(hub_user) if hub_user else None
    code = new_code()
    with store.write() as session:
        if hub_user:
            _check_hub_user_free(session, hub_user, None)
        cohort_id = store.cohort_id(session, cohort, create=True) if cohort else None
        manager_id = None
        if manager_pid:
            manager_id = session.scalar(select(Participant.id).where(Participant.pid == manager_pid))
            if manager_id is None:
                raise StoreError(f"unknown manager {manager_pid!r}")
        pid = pid or f"p-{secrets.token_hex(5)}"
        if session.scalar(select(Participant.id).where(Participant.pid == pid)) is not None:
            raise StoreError(f"participant id {pid!r} is taken")
        row = Participant(
            pid=pid,
            name=name,
            email=email,
            cohort_id=cohort_id,
            manager_id=manager_id,
            created_at=utcnow(),
            hub_username=hub_user,
        )
        session.add(row)
        session.flush()
        for role in wanted:
            _grant(session, store, row, role)
        session.add(AccessCode(participant_id=row.id, code_hash=hash_code(code), created_at=utcnow()))
        session.flush()
        person = _person(session, row)
    return Issued(person, code, personal_link(code, _home_app(person)))


def home_app_for(roles: Iterable[str]) -> str:
    """The app a personal link opens: the manager's course for managers, the preparation for team
    members, the facilitator's app for facilitators, else the evaluator's."""
    held = set(roles)
    for role, notebook in (
        ("manager", "manager"),
        ("team_member", "participant"),
        ("facilitator", "facilitator"),
        ("evaluator", "evaluator"),
    ):
        if role in held:
            return notebook
    return "participant"


def _home_app(person: Person) -> str:
    return home_app_for(role.name for role in person.roles)


def grant_role(store: Store, pid: str, spec: str | Role, *, allow_privileged: bool = False) -> Person:
    """Give a person one more role; `facilitator` and `evaluator` only from the command line."""
    role = parse_role(spec)
    _check_privilege([role], allow_privileged)
    with store.write() as session:
        row = session.scalar(select(Participant).where(Participant.pid == pid))
        if row is None:
            raise StoreError(f"unknown participant {pid!r}")
        _grant(session, store, row, role)
        session.flush()
        return _person(session, row)


def withdraw_role(store: Store, pid: str, spec: str | Role) -> Person:
    """Withdraw a role (the grant stays in the history); StoreError if the person does not hold it."""
    role = parse_role(spec)
    with store.write() as session:
        row = session.scalar(select(Participant).where(Participant.pid == pid))
        if row is None:
            raise StoreError(f"unknown participant {pid!r}")
        query = update(RoleGrant).where(
            RoleGrant.participant_id == row.id, RoleGrant.role == role.name, RoleGrant.withdrawn_at.is_(None)
        )
        if role.cohort:
            query = query.where(RoleGrant.cohort_id == store.cohort_id(session, role.cohort, create=False))
        if (session.execute(query.values(withdrawn_at=utcnow())).rowcount or 0) == 0:
            raise StoreError(f"{pid} does not hold the role {role}")
        return _person(session, row)


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
    return Issued(person, code, personal_link(code, _home_app(person)))


class AccessDenied(Exception):
    """The code is missing, malformed, unknown or revoked; the message is safe to show."""


# One message for a code that is unknown, malformed or withdrawn, so a guess learns nothing.
NOT_VALID = (
    "That access code is not valid. Check the link or code you were given; if it still does not work, "
    "ask your facilitator for a new one."
)


def authenticate(store: Store, code: str | None) -> Person:
    """The participant whose live code this is, or AccessDenied with a message for the page."""
    code = (code or "").strip()
    if not code:
        raise AccessDenied("Enter the access code from your invitation to open your workbook.")
    if not CODE_PATTERN.match(code):
        raise AccessDenied(NOT_VALID)
    with store.read() as session:
        row = session.execute(
            select(AccessCode, Participant)
            .join(Participant, AccessCode.participant_id == Participant.id)
            .where(AccessCode.code_hash == hash_code(code), AccessCode.revoked_at.is_(None))
        ).first()
        if row is None:
            raise AccessDenied(NOT_VALID)
        person = _person(session, row[1])
        first_use = row[0].first_used_at is None
    if first_use:  # once per code: a facilitator sees who has signed in, without a log of visits
        with store.write() as session:
            session.execute(
                update(AccessCode)
                .where(AccessCode.code_hash == hash_code(code), AccessCode.first_used_at.is_(None))
                .values(first_used_at=utcnow())
            )
    return person


def code_is_live(session: Session, code: str) -> bool:
    """Whether the code still opens its person's pages (checked inside each write transaction)."""
    return (
        session.scalar(
            select(AccessCode.id).where(
                AccessCode.code_hash == hash_code(code), AccessCode.revoked_at.is_(None)
            )
        )
        is not None
    )


# -- identity from a JupyterHub ------------------------------------------------------------------------
def clean_hub_user(name: object) -> str:
    """A hub user name as stored; StoreError naming what is wrong with it."""
    text = name.strip() if isinstance(name, str) else ""
    if not HUB_USER_PATTERN.match(text):
        shown = f"{name[:40]}…" if isinstance(name, str) and len(name) > 40 else name  # a long one, cut
        raise StoreError(
            f"hub user {shown!r} is not a hub user name: up to 120 letters, digits and . _ @ + -, "
            "starting with a letter or digit"
        )
    return text


def _check_hub_user_free(session: Session, hub_user: str, own_id: int | None) -> None:
    holder = session.scalar(select(Participant.pid).where(Participant.hub_username == hub_user))
    if holder is not None and (own_id is None or session.get(Participant, own_id).pid != holder):
        raise StoreError(f"hub user {hub_user!r} already belongs to {holder}")


def set_hub_user(store: Store, pid: str, hub_user: str | None) -> Person:
    """Tie a person to their hub user name (None unties them); StoreError if another person has it."""
    name = clean_hub_user(hub_user) if hub_user is not None else None
    with store.write() as session:
        row = session.scalar(select(Participant).where(Participant.pid == pid))
        if row is None:
            raise StoreError(f"unknown participant {pid!r}")
        if name is not None:
            _check_hub_user_free(session, name, row.id)
        row.hub_username = name
        session.flush()
        return _person(session, row)


def not_in_workbook(hub_user: str) -> str:
    return (
        f"Your hub account {hub_user} is not in the workbook yet, so no page opens for it. Ask your "
        "facilitator to add you with this account name."
    )


def authenticate_hub(store: Store, hub_user: str) -> Person:
    """The person the hub says is visiting (matched by hub user name, never by email); AccessDenied with
    a message for the page if nobody in the store has that name."""
    with store.read() as session:
        row = session.scalar(select(Participant).where(Participant.hub_username == hub_user))
        if row is None:
            raise AccessDenied(not_in_workbook(hub_user))
        return _person(session, row)


def hub_user_is_live(session: Session, person_id: int, hub_user: str) -> bool:
    """Whether the hub user name still belongs to this person (checked inside each write transaction)."""
    return session.scalar(select(Participant.hub_username).where(Participant.id == person_id)) == hub_user


def holds_role_now(session: Session, person_id: int, role: str) -> bool:
    """Whether the person holds `role` (of any cohort) now, not withdrawn (re-checked by open pages)."""
    return (
        session.scalar(
            select(RoleGrant.id)
            .where(
                RoleGrant.participant_id == person_id,
                RoleGrant.role == role,
                RoleGrant.withdrawn_at.is_(None),
            )
            .limit(1)
        )
        is not None
    )
