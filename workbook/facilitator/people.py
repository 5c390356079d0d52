"""The people of a cohort, as its facilitator manages them: who is in it, adding, editing and removing
one person, and their access codes. Every call takes who acts (`Acting`: the operator at the command line,
or one facilitator), names the cohort and checks that the actor runs it and that the person is in it, so a
facilitator's page can never reach anyone else, whatever it sends.

Who is in a cohort: its managers and facilitators (their roles of that cohort), and the team members
whose manager is one of its managers or who were added to it themselves.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from workbook import identity
from workbook.facilitator.cohorts import NotYourCohort
from workbook.models import AccessCode, Participant, RoleGrant
from workbook.store import Store, StoreError, utcnow
from workbook.team.manager_change import COMMAND_LINE, FACILITATOR_APP, change_manager
from workbook.validation import InputError

COHORT_ROLES = ("manager", "team_member", "facilitator")
ROLE_LABELS = {"manager": "Manager", "team_member": "Team member", "facilitator": "Facilitator"}


class NotInCohort(StoreError):
    """The person asked for is not in the cohort (the message names nobody)."""


class LinkNotShown(StoreError):
    """A facilitator asked for a new link of someone who has signed in before (only they may see it)."""


@dataclass(frozen=True)
class Acting:
    """Who changes people. The operator (`facilitator_id` None, the command line) has every power; a
    facilitator reaches only the people of the cohorts they facilitate, read from the store at each call
    (a role withdrawn a moment ago counts), and never sees a new link of a person who has signed in."""

    facilitator_id: int | None

    @property
    def is_operator(self) -> bool:
        return self.facilitator_id is None


OPERATOR = Acting(None)


def as_facilitator(person_id: int) -> Acting:
    return Acting(person_id)


def facilitated_cohort_ids(session: Session, acting: Acting) -> set[int]:
    """The cohorts the acting facilitator holds a live facilitator role of (none for the operator)."""
    if acting.is_operator:
        return set()
    return set(
        session.scalars(
            select(RoleGrant.cohort_id).where(
                RoleGrant.participant_id == acting.facilitator_id,
                RoleGrant.role == "facilitator",
                RoleGrant.withdrawn_at.is_(None),
                RoleGrant.cohort_id.is_not(None),
            )
        )
    )


def check_acting(session: Session, acting: Acting, cohort_id: int) -> None:
    """NotYourCohort unless the operator acts or the facilitator runs this cohort now."""
    if not acting.is_operator and cohort_id not in facilitated_cohort_ids(session, acting):
        raise NotYourCohort("you are not a facilitator of that cohort")


def their_people(session: Session, acting: Acting) -> set[int]:
    """The ids of everyone in the cohorts the acting facilitator runs (the people they may change)."""
    ids: set[int] = set()
    for cohort_id in facilitated_cohort_ids(session, acting):
        ids.update(session.scalars(member_ids(cohort_id)))
    return ids


@dataclass(frozen=True)
class Member:
    """What a facilitator may know about a person of their cohort: never their answers or codes."""

    id: int
    pid: str
    name: str
    email: str | None
    roles: tuple[str, ...]  # of this cohort, in COHORT_ROLES order
    manager_pid: str | None
    manager_name: str | None
    live_code: bool
    signed_in: bool

    @property
    def roles_text(self) -> str:
        return ", ".join(ROLE_LABELS[r] for r in self.roles)


def member_ids(cohort_id: int):
    """The ids of the people of a cohort, as a subquery."""
    live = RoleGrant.withdrawn_at.is_(None)
    in_cohort = select(RoleGrant.participant_id).where(
        live, RoleGrant.cohort_id == cohort_id, RoleGrant.role.in_(("manager", "facilitator"))
    )
    managers = select(RoleGrant.participant_id).where(
        live, RoleGrant.cohort_id == cohort_id, RoleGrant.role == "manager"
    )
    team = select(RoleGrant.participant_id).where(live, RoleGrant.role == "team_member")
    return select(Participant.id).where(
        or_(
            Participant.id.in_(in_cohort),
            and_(
                Participant.id.in_(team),
                or_(Participant.cohort_id == cohort_id, Participant.manager_id.in_(managers)),
            ),
        )
    )


def _members(session: Session, cohort_id: int, pid: str | None = None) -> list[Member]:
    boss = Participant.__table__.alias("boss")
    query = (
        select(Participant.id, Participant.pid, Participant.name, Participant.email, boss.c.pid, boss.c.name)
        .outerjoin(boss, Participant.manager_id == boss.c.id)
        .where(Participant.id.in_(member_ids(cohort_id)))
        .order_by(func.lower(Participant.name), Participant.id)
    )
    if pid is not None:
        query = query.where(Participant.pid == pid)
    people = session.execute(query).all()
    ids = [row[0] for row in people]
    roles: dict[int, set[str]] = {}
    live: set[int] = set()
    used: set[int] = set()
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        for pk, role, grant_cohort in session.execute(
            select(RoleGrant.participant_id, RoleGrant.role, RoleGrant.cohort_id).where(
                RoleGrant.participant_id.in_(chunk), RoleGrant.withdrawn_at.is_(None)
            )
        ):
            if role == "team_member" or (role in COHORT_ROLES and grant_cohort == cohort_id):
                roles.setdefault(pk, set()).add(role)
        for pk, revoked, first_used in session.execute(
            select(AccessCode.participant_id, AccessCode.revoked_at, AccessCode.first_used_at).where(
                AccessCode.participant_id.in_(chunk)
            )
        ):
            if revoked is None:
                live.add(pk)
            if first_used is not None:
                used.add(pk)
    return [
        Member(
            pk,
            pid_,
            name,
            email,
            tuple(r for r in COHORT_ROLES if r in roles.get(pk, set())),
            boss_pid,
            boss_name,
            pk in live,
            pk in used,
        )
        for pk, pid_, name, email, boss_pid, boss_name in people
    ]


def members(store: Store, cohort: str) -> list[Member]:
    """Everyone in the cohort, by name."""
    with store.read() as session:
        return _members(session, store.cohort_id(session, cohort, create=False))


def member(store: Store, cohort: str, pid: object) -> Member:
    """One person of the cohort; NotInCohort for anyone else (or a value that is no id)."""
    if not isinstance(pid, str):
        raise NotInCohort("that person is not in this cohort")
    with store.read() as session:
        found = _members(session, store.cohort_id(session, cohort, create=False), pid)
    if not found:
        raise NotInCohort("that person is not in this cohort")
    return found[0]


# -- one person at a time ---------------------------------------------------------------------------------
def _clean(name: object, email: object, roles: object) -> tuple[str, str, list[str]]:
    try:
        clean_name = identity.check_name(name)
    except ValueError as exc:
        raise InputError(f"Name: {exc}") from None
    try:
        clean_email = identity.check_email(email)
    except ValueError as exc:
        raise InputError(f"Email: {exc}") from None
    if not isinstance(roles, list | tuple) or not all(r in COHORT_ROLES for r in roles):
        raise InputError(f"Roles: choose from {', '.join(ROLE_LABELS.values())}")
    if not roles:
        raise InputError("Roles: choose at least one role (to take someone out of the cohort, remove them)")
    return clean_name, clean_email, [r for r in COHORT_ROLES if r in roles]


def _check_email_free(session: Session, email: str, own_id: int | None) -> None:
    for pk, other in session.execute(
        select(Participant.id, Participant.email).where(Participant.email.is_not(None))
    ):
        if pk != own_id and (other or "").casefold() == email.casefold():
            raise InputError("Email: another person already has this email address")


def _manager_id(
    session: Session, cohort_id: int, roles: list[str], manager_pid: object, own_id: int | None
) -> int | None:
    if "team_member" not in roles:
        return None
    managers = {m.pid: m.id for m in _members(session, cohort_id) if "manager" in m.roles}
    if not isinstance(manager_pid, str) or manager_pid not in managers:
        raise InputError("Manager: a team member needs their manager, one of this cohort's managers")
    if managers[manager_pid] == own_id:
        raise InputError("Manager: a person cannot be their own manager")
    return managers[manager_pid]


def _set_roles(session: Session, row: Participant, cohort_id: int, wanted: Iterable[str]) -> None:
    wanted = set(wanted)
    now = utcnow()
    held = {
        (role, grant_cohort): grant_id
        for grant_id, role, grant_cohort in session.execute(
            select(RoleGrant.id, RoleGrant.role, RoleGrant.cohort_id).where(
                RoleGrant.participant_id == row.id, RoleGrant.withdrawn_at.is_(None)
            )
        )
    }
    for role in COHORT_ROLES:
        scope = None if role == "team_member" else cohort_id
        if role in wanted and (role, scope) not in held:
            if role == "manager" and row.cohort_id not in (None, cohort_id):
                raise InputError(
                    "Roles: this person is a manager in another cohort; a manager belongs to one"
                )
            session.add(RoleGrant(participant_id=row.id, role=role, cohort_id=scope, granted_at=now))
        elif role not in wanted and (role, scope) in held:
            session.execute(
                update(RoleGrant).where(RoleGrant.id == held[(role, scope)]).values(withdrawn_at=now)
            )
    if ("manager" in wanted or "team_member" in wanted) and row.cohort_id is None:
        row.cohort_id = cohort_id


def add_person(
    store: Store,
    cohort: str,
    name: object,
    email: object,
    roles: object,
    manager_pid: object = None,
    *,
    by: Acting,
) -> Member:
    """Add one new person to the cohort (no access code yet); InputError naming the field. A known email
    is refused: that person is someone else's to change (a roster import adds roles to one's own people)."""
    clean_name, clean_email, wanted = _clean(name, email, roles)
    with store.write() as session:
        cohort_id = store.cohort_id(session, cohort, create=False)
        check_acting(session, by, cohort_id)
        _check_email_free(session, clean_email, None)
        row = Participant(
            pid=f"p-{secrets.token_hex(5)}",
            name=clean_name,
            email=clean_email,
            cohort_id=None,
            manager_id=_manager_id(session, cohort_id, wanted, manager_pid, None),
            created_at=utcnow(),
        )
        session.add(row)
        session.flush()
        _set_roles(session, row, cohort_id, wanted)
        pid = row.pid
    return member(store, cohort, pid)


def edit_person(
    store: Store,
    cohort: str,
    pid: object,
    name: object,
    email: object,
    roles: object,
    manager_pid: object = None,
    *,
    by: Acting,
) -> Member:
    """Change a person's name, email, roles of this cohort and manager; InputError naming the field.

    A new manager goes through `team.manager_change.change_manager` (recorded, with who made it)."""
    target = member(store, cohort, pid)
    clean_name, clean_email, wanted = _clean(name, email, roles)
    with store.write() as session:
        cohort_id = store.cohort_id(session, cohort, create=False)
        check_acting(session, by, cohort_id)
        if target.id not in session.scalars(member_ids(cohort_id)).all():
            raise NotInCohort("that person is not in this cohort")
        row = session.get(Participant, target.id)
        _check_email_free(session, clean_email, row.id)
        manager_id = _manager_id(session, cohort_id, wanted, manager_pid, row.id)
        row.name, row.email = clean_name, clean_email
        _set_roles(session, row, cohort_id, wanted)
        session.flush()
        if manager_id is not None and manager_id != row.manager_id:
            try:
                change_manager(
                    session,
                    row,
                    session.get(Participant, manager_id),
                    by_id=by.facilitator_id,
                    via=COMMAND_LINE if by.is_operator else FACILITATOR_APP,
                )
            except StoreError as exc:
                raise InputError(f"Manager: {exc}") from None
    return member(store, cohort, target.pid)


def remove_person(store: Store, cohort: str, pid: object, *, by: Acting) -> str:
    """Take a person out of the cohort: their roles of it are withdrawn (kept in the history), their
    answers are kept, and if no role is left their codes are revoked. Returns what happened, in words."""
    target = member(store, cohort, pid)
    if target.id == by.facilitator_id:
        raise InputError("Remove: you cannot remove yourself from the cohort")
    with store.write() as session:
        cohort_id = store.cohort_id(session, cohort, create=False)
        check_acting(session, by, cohort_id)
        row = session.get(Participant, target.id)
        _set_roles(session, row, cohort_id, [])
        left = session.scalar(
            select(func.count(RoleGrant.id)).where(
                RoleGrant.participant_id == row.id, RoleGrant.withdrawn_at.is_(None)
            )
        )
        revoked = 0
        if not left:
            revoked = (
                session.execute(
                    update(AccessCode)
                    .where(AccessCode.participant_id == row.id, AccessCode.revoked_at.is_(None))
                    .values(revoked_at=utcnow())
                ).rowcount
                or 0
            )
    if left:
        kept = "they keep their other roles and their link. Their answers are kept."
        return f"{target.name} is out of {cohort}; {kept}"
    signed_out = " Their link no longer works, and any page they have open is signed out." if revoked else ""
    return f"{target.name} is out of {cohort}. Their answers are kept.{signed_out}"


LINK_GOES_TO_THEM = (
    "has signed in before, so a new link goes to them alone, never through a facilitator's page: the "
    "programme's operator sends it (`workbook participants reissue`)"
)


def issue_code(store: Store, cohort: str, pid: object, *, by: Acting) -> identity.Issued:
    """A new code for a person of the cohort (any old one is revoked, which signs their open pages out).

    A facilitator gets one only for a person who has never signed in: a link the facilitator has seen
    must never open what the person wrote privately (LinkNotShown, nothing changed)."""
    target = member(store, cohort, pid)
    with store.read() as session:
        check_acting(session, by, store.cohort_id(session, cohort, create=False))
    if not by.is_operator and target.signed_in:
        raise LinkNotShown(f"{target.name} {LINK_GOES_TO_THEM}")
    return identity.reissue(store, target.pid)


def revoke_code(store: Store, cohort: str, pid: object, *, by: Acting) -> int:
    """Revoke a person's codes (their open pages are signed out); returns how many were revoked."""
    target = member(store, cohort, pid)
    with store.read() as session:
        check_acting(session, by, store.cohort_id(session, cohort, create=False))
    return identity.revoke(store, target.pid)
