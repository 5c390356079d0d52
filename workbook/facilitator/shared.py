"""What participants shared "with my facilitator", and the facilitator's feedback on it.

The one way any page, command or download reads a participant's shared text for a facilitator:
`shared_with_facilitator` gives the items of one of the facilitator's cohorts whose owner chose "shared
with my facilitator" and nothing else, each with its latest text, when it was shared and the feedback
written for that cohort. Who is whose facilitator: a manager's are the facilitators of the cohort they
are coached in; a team member's are those of their manager's cohort, and of their own cohort if they
were added to one.

Feedback is append-only (an edit is a new version; the latest by each author counts), kept with who
wrote it, when and for which cohort. It is written only on an item that is shared with the writer at
that moment; unsharing hides the item and its feedback from the facilitator, while the participant keeps
seeing the feedback on their own page, where new feedback is announced until they have seen it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from workbook.facilitator.cohorts import NotYourCohort, check_facilitates
from workbook.identity import Person
from workbook.models import FacilitatorFeedback, FeedbackSeen, Participant, RoleGrant
from workbook.sharing import (
    Shareable,
    latest_answers,
    latest_levels,
    level_of,
    shareables,
)
from workbook.store import Store, StoreError, as_utc, utcnow
from workbook.validation import clean_text, refuse

SHARED_LEVEL = "facilitator"
FEEDBACK_MAX = 2000
FEEDBACK_LABEL = "Feedback"


class NotShared(StoreError):
    """Feedback on an item that is not shared with this facilitator (now); nothing is stored."""


@dataclass(frozen=True, order=True)
class ItemRef:
    """One shareable item of one person: `scope` and `item` as the person's visibility names it."""

    owner_pid: str
    scope: str
    item: str

    @property
    def key(self) -> str:
        """A stable name for the page (a data attribute and a test's handle)."""
        return f"{self.owner_pid}|{self.scope}|{self.item}"


@dataclass(frozen=True)
class FeedbackNote:
    """The current version of one author's feedback on one item."""

    id: int
    author: str
    author_pid: str
    text: str
    written_at: datetime
    seen: bool = False


@dataclass(frozen=True)
class SharedItem:
    """An item shared with the facilitator, as it stands now (plain text: escaped when rendered)."""

    ref: ItemRef
    owner: str
    kind: str  # "section" (a team member's preparation) or "comment" (a manager's, on the programme)
    title: str
    entries: tuple[tuple[str, str], ...]  # (question, answer) in display form
    shared_at: datetime | None  # None when it is shared by the content's default
    changed_at: datetime
    feedback: tuple[FeedbackNote, ...]  # by the facilitators of this cohort, latest version each

    def feedback_by(self, pid: str) -> FeedbackNote | None:
        return next((note for note in self.feedback if note.author_pid == pid), None)


# -- who is whose facilitator ------------------------------------------------------------------------
def _owners(session: Session, cohort_id: int) -> dict[str, set[int]]:
    """The people whose items this cohort's facilitators may read, by the role that brings them."""
    live = RoleGrant.withdrawn_at.is_(None)
    managers = select(RoleGrant.participant_id).where(
        live, RoleGrant.role == "manager", RoleGrant.cohort_id == cohort_id
    )
    team = select(RoleGrant.participant_id).where(live, RoleGrant.role == "team_member")
    return {
        "manager": set(session.scalars(managers)),
        "team_member": set(
            session.scalars(
                select(Participant.id).where(
                    Participant.id.in_(team),
                    or_(Participant.cohort_id == cohort_id, Participant.manager_id.in_(managers)),
                )
            )
        ),
    }


def _shared_places(session: Session, cohort_id: int) -> dict[tuple[int, Shareable], datetime | None]:
    """(owner id, shareable) -> when it was shared, for every item shared with this cohort's facilitators."""
    owners = _owners(session, cohort_id)
    everyone = owners["manager"] | owners["team_member"]
    places = shareables()
    levels = latest_levels(session, everyone, {s.scope for s in places})
    shared: dict[tuple[int, Shareable], datetime | None] = {}
    for place in places:
        for pk in owners[place.owner_role]:
            level, since = level_of(levels, pk, place)
            if level == SHARED_LEVEL:
                shared[(pk, place)] = since
    return shared


def _feedback(
    session: Session, conditions: list, seen: bool = False
) -> dict[tuple[int, str, str], list[FeedbackNote]]:
    """The latest version by each author of the feedback matching `conditions`, by item."""
    latest = (
        select(func.max(FacilitatorFeedback.id))
        .where(*conditions)
        .group_by(
            FacilitatorFeedback.owner_id,
            FacilitatorFeedback.scope,
            FacilitatorFeedback.item,
            FacilitatorFeedback.author_id,
        )
    )
    rows = session.execute(
        select(
            FacilitatorFeedback.id,
            FacilitatorFeedback.owner_id,
            FacilitatorFeedback.scope,
            FacilitatorFeedback.item,
            FacilitatorFeedback.text,
            FacilitatorFeedback.written_at,
            Participant.name,
            Participant.pid,
        )
        .join(Participant, Participant.id == FacilitatorFeedback.author_id)
        .where(FacilitatorFeedback.id.in_(latest))
        .order_by(FacilitatorFeedback.written_at, FacilitatorFeedback.id)
    ).all()
    seen_ids: set[int] = set()
    if seen and rows:
        seen_ids = set(
            session.scalars(
                select(FeedbackSeen.feedback_id).where(FeedbackSeen.feedback_id.in_([r[0] for r in rows]))
            )
        )
    found: dict[tuple[int, str, str], list[FeedbackNote]] = {}
    for fid, owner, scope, item, text, written, author, author_pid in rows:
        note = FeedbackNote(fid, author, author_pid, text, as_utc(written), fid in seen_ids)
        found.setdefault((owner, scope, item), []).append(note)
    return found


# -- what a facilitator reads -----------------------------------------------------------------------------
def _items(session: Session, cohort_id: int) -> list[SharedItem]:
    shared = _shared_places(session, cohort_id)
    answers = latest_answers(session, {(pk, place.scope) for pk, place in shared})
    names = {
        pk: (pid, name)
        for pk, pid, name in session.execute(
            select(Participant.id, Participant.pid, Participant.name).where(
                Participant.id.in_({pk for pk, _ in shared})
            )
        )
    }
    feedback = _feedback(session, [FacilitatorFeedback.cohort_id == cohort_id]) if shared else {}
    items = []
    for (pk, place), since in shared.items():
        saved = {k: a for k, a in answers.get((pk, place.scope), {}).items() if place.keys(k)}
        entries = place.entries(saved)
        if not entries:
            continue  # shared, but nothing written in it yet
        pid, name = names[pk]
        items.append(
            SharedItem(
                ItemRef(pid, place.scope, place.item),
                name,
                place.kind,
                place.title,
                tuple(entries),
                since,
                max(a.saved_at for a in saved.values()),
                tuple(feedback.get((pk, place.scope, place.item), ())),
            )
        )
    order = {(s.scope, s.item): n for n, s in enumerate(shareables())}
    items.sort(key=lambda i: (i.owner.casefold(), i.ref.owner_pid, order[(i.ref.scope, i.ref.item)]))
    return items


def _facilitating(store: Store, session: Session, facilitator: Person, cohort: object) -> int:
    """The cohort's id if the person facilitates it, by the roles they hold now in the store (a page
    open since before a role was withdrawn reads nothing more); NotYourCohort otherwise."""
    name = check_facilitates(facilitator, cohort)
    cohort_id = store.cohort_id(session, name, create=False)
    live = session.scalar(
        select(RoleGrant.id).where(
            RoleGrant.participant_id == facilitator.id,
            RoleGrant.role == "facilitator",
            RoleGrant.cohort_id == cohort_id,
            RoleGrant.withdrawn_at.is_(None),
        )
    )
    if live is None:
        raise NotYourCohort("you are not a facilitator of that cohort")
    return cohort_id


def shared_with_facilitator(store: Store, facilitator: Person, cohort: object) -> list[SharedItem]:
    """Everything the people of `cohort` share with its facilitators now, latest text only, in name order.

    NotYourCohort (nothing read) unless `facilitator` facilitates `cohort`."""
    with store.read() as session:
        return _items(session, _facilitating(store, session, facilitator, cohort))


def clean_feedback(text: object) -> str:
    """Feedback as it is stored: text within the limit, not empty, without surrounding blank space."""
    cleaned = clean_text(FEEDBACK_LABEL, text, max_length=FEEDBACK_MAX).strip()
    if not cleaned:
        raise refuse(FEEDBACK_LABEL, "write something first (it is empty)")
    return cleaned


def write_feedback(
    store: Store, facilitator: Person, cohort: object, ref: object, text: object
) -> FeedbackNote:
    """Record the facilitator's feedback on a shared item (a new version if they wrote some before).

    InputError for bad text; NotYourCohort, or NotShared if the item is not shared with this cohort's
    facilitators at this moment: nothing is stored in either case. Text identical to the author's
    current version stores nothing new."""
    check_facilitates(facilitator, cohort)
    cleaned = clean_feedback(text)
    if not isinstance(ref, ItemRef):
        raise NotShared("that item is not shared with you: nothing was saved")
    with store.write() as session:
        cohort_id = _facilitating(store, session, facilitator, cohort)
        owner = session.scalar(select(Participant.id).where(Participant.pid == ref.owner_pid))
        shown = {i.ref: i for i in _items(session, cohort_id)} if owner is not None else {}
        item = shown.get(ref)
        if item is None:
            raise NotShared("that item is not shared with you (any more): nothing was saved")
        mine = item.feedback_by(facilitator.pid)
        if mine is not None and mine.text == cleaned:
            return mine
        row = FacilitatorFeedback(
            owner_id=owner,
            scope=ref.scope,
            item=ref.item,
            cohort_id=cohort_id,
            author_id=facilitator.id,
            text=cleaned,
            written_at=utcnow(),
        )
        session.add(row)
        session.flush()
        return FeedbackNote(row.id, facilitator.name, facilitator.pid, cleaned, row.written_at)


# -- what the participant reads -------------------------------------------------------------------------
def my_feedback(
    store: Store, person: Person, scopes: Iterable[str]
) -> dict[tuple[str, str], list[FeedbackNote]]:
    """The feedback on the person's own items in these scopes, (scope, item) -> each author's latest
    version, oldest first, each saying whether the person has seen it. Shown whether or not the item is
    still shared: it was written for them."""
    with store.read() as session:
        found = _feedback(
            session,
            [FacilitatorFeedback.owner_id == person.id, FacilitatorFeedback.scope.in_(list(scopes))],
            seen=True,
        )
    return {(scope, item): notes for (_owner, scope, item), notes in found.items()}


def mark_seen(store: Store, person: Person, notes: Iterable[FeedbackNote]) -> int:
    """Record that the person has seen these versions of feedback on their own items; how many were new."""
    wanted = {note.id for note in notes if not note.seen}
    if not wanted:
        return 0
    with store.write() as session:
        own = set(
            session.scalars(
                select(FacilitatorFeedback.id).where(
                    and_(FacilitatorFeedback.id.in_(wanted), FacilitatorFeedback.owner_id == person.id)
                )
            )
        )
        already = set(
            session.scalars(select(FeedbackSeen.feedback_id).where(FeedbackSeen.feedback_id.in_(own)))
        )
        moment = utcnow()
        session.add_all(FeedbackSeen(feedback_id=fid, seen_at=moment) for fid in sorted(own - already))
    return len(own - already)
