"""Tables of the store. Every table that holds what people wrote or scored is append-only:
the current value is the latest row, so no save ever overwrites an earlier one."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Cohort(Base):
    __tablename__ = "cohorts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    starts_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # made by `workbook demo` (synthetic people): left out of the figures once real cohorts exist
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class WorkshopSession(Base):
    """A workshop session of a cohort (a day in the room with the facilitator)."""

    __tablename__ = "workshop_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))


class Participant(Base):
    """A person in the programme: a manager being coached, a team member preparing, or both."""

    __tablename__ = "participants"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pid: Mapped[str] = mapped_column(String(32), unique=True)  # pseudonymous id shown to evaluators
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id"), nullable=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # their name on the organisation's JupyterHub: under the hub, identity comes from it (never by email)
    hub_username: Mapped[str | None] = mapped_column(String(120), nullable=True, unique=True)


class AccessCode(Base):
    """A secret code's hash; the code itself is shown once and never stored."""

    __tablename__ = "access_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    first_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Answer(Base):
    """One saved version of one answer; `scope` groups answers (e.g. "prep", "lesson:why")."""

    __tablename__ = "answers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    scope: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(120))
    value: Mapped[str] = mapped_column(Text)  # JSON
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("ix_answers_owner_scope", "participant_id", "scope", "key", "id"),)


class Visibility(Base):
    """Who may see a section of a participant's content; the latest row counts."""

    __tablename__ = "visibility"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    scope: Mapped[str] = mapped_column(String(80))
    section: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("ix_visibility_owner", "participant_id", "scope", "section", "id"),)


class WaveEvent(Base):
    """A wave of the comfort check opened or closed for a cohort; the latest event counts."""

    __tablename__ = "wave_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), index=True)
    wave: Mapped[str] = mapped_column(String(10))
    is_open: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # who switched it: a facilitator on their page, or None for the command line
    by_person_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"), nullable=True)
    # why a wave was reopened after a later one had opened (required then; see manager.waves)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class Score(Base):
    """One answer to one item of the comfort and skill check in one wave (the waves and their order:
    `workbook.manager.waves`)."""

    __tablename__ = "scores"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    wave: Mapped[str] = mapped_column(String(10))
    item: Mapped[str] = mapped_column(String(80))
    score: Mapped[float] = mapped_column(Float)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # given after a later wave had opened (`manager.waves.CohortWaves.is_late`): kept, left out of the
    # paired figures unless an evaluation includes late answers
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    __table_args__ = (Index("ix_scores_owner", "participant_id", "wave", "item", "id"),)


class ConversationLog(Base):
    """A career conversation a manager reports having held (behaviour, Kirkpatrick level 3), as first
    logged. What it says now is its latest version (`ConversationLogVersion`)."""

    __tablename__ = "conversation_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    alias: Mapped[str] = mapped_column(String(80))
    idp_started: Mapped[bool] = mapped_column(Boolean)
    follow_up_planned: Mapped[bool] = mapped_column(Boolean)
    logged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ConversationLogVersion(Base):
    """One version of a logged conversation: as logged, after each edit, deleted or brought back.

    The latest version is what the entry says now; a deleted entry's latest version has `deleted` set,
    so it is no longer shown or counted, and every earlier version stays."""

    __tablename__ = "conversation_log_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation_log.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    alias: Mapped[str] = mapped_column(String(80))
    idp_started: Mapped[bool] = mapped_column(Boolean)
    follow_up_planned: Mapped[bool] = mapped_column(Boolean)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # what this version changed: "logged", "deleted", "restored", or the parts edited ("date, alias")
    change: Mapped[str] = mapped_column(String(200))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"), nullable=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RoleGrant(Base):
    """A role a person holds (team_member, manager, facilitator, evaluator), perhaps of one cohort.

    Withdrawing a role stamps `withdrawn_at`; the row stays, so who held what and when is kept."""

    __tablename__ = "roles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id"), nullable=True)
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SignInFailure(Base):
    """A failed sign-in (wrong code or key), by a keyed hash of the client's address; never the guess."""

    __tablename__ = "sign_in_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    app: Mapped[str] = mapped_column(String(40))
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class FacilitatorFeedback(Base):
    """A facilitator's feedback on an item a participant shared with them (`scope` and `item` name it
    as the participant's visibility does). Append-only: each edit is a new row; an author's latest counts."""

    __tablename__ = "facilitator_feedback"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))  # whose shared item
    scope: Mapped[str] = mapped_column(String(80))
    item: Mapped[str] = mapped_column(String(120))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"))  # the cohort it was written for
    author_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    text: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("ix_facilitator_feedback_owner", "owner_id", "scope", "item", "id"),)


class FeedbackSeen(Base):
    """When the participant saw a version of a facilitator's feedback (so their page stops calling it new)."""

    __tablename__ = "facilitator_feedback_seen"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("facilitator_feedback.id"), index=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DataDeletion(Base):
    """A record that a person's data was deleted (by them, or from the command line) or that old data was
    purged under the retention setting: who, when, which kinds and how many rows. Never any content.

    The person is named by their pseudonymous id, not a key, so the record outlives their other rows."""

    __tablename__ = "data_deletions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason: Mapped[str] = mapped_column(String(20))  # "deletion" or "purge"
    person_pid: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)  # None: a purge
    by: Mapped[str] = mapped_column(String(80))  # "themselves", "command line", "retention"
    counts: Mapped[str] = mapped_column(Text)  # JSON: table -> rows removed
    rows: Mapped[int] = mapped_column(Integer)
    cutoff: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)  # a purge's
    done_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ManagerChange(Base):
    """A change of a team member's manager: who, from whom to whom, when and by whom. Append-only; the
    manager now is `Participant.manager_id`, which each change sets in the same transaction."""

    __tablename__ = "manager_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    old_manager_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"), nullable=True)
    new_manager_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"), nullable=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # who made it: a facilitator on their page, or None for the command line
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"), nullable=True)
    via: Mapped[str] = mapped_column(String(40))  # "command line" or "facilitator app"


class GoalCheckIn(Base):
    """A team member's check-in on one of their goals (by the goal's stable id): status, optional progress
    in percent and a short note. Append-only: the history of a goal is its rows in order."""

    __tablename__ = "goal_checkins"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    goal_id: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    progress: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("ix_goal_checkins_owner", "participant_id", "goal_id", "id"),)


class OneOnOne(Base):
    """One career 1:1 of a team member, held with one manager: opened when the pair's previous one was
    recorded as held (or when either side first opens the page). It is the team member's; the manager it
    is held with opens it only while they are her manager (`workbook.team.conversation`), so a new
    manager starts a 1:1 of his own and never reads his predecessor's."""

    __tablename__ = "one_on_ones"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    # the manager it is held with; None only for a 1:1 of before migration 0010 whose manager could not be
    # told from the store (no manager opens it; the team member still reads it)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"), nullable=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("ix_one_on_ones_pair", "member_id", "manager_id", "id"),)


class OneOnOnePlan(Base):
    """A change to a 1:1 that is not text: its planned date, and time, set (or cleared). Append-only; the
    latest counts. A time ("HH:MM") is stored with the IANA zone of whoever set it (migration 0012; rows
    before it hold a date only), so it is the same moment whoever reads it."""

    __tablename__ = "one_on_one_plans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    one_on_one_id: Mapped[int] = mapped_column(ForeignKey("one_on_ones.id"), index=True)
    planned_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    planned_time: Mapped[str | None] = mapped_column(String(5), nullable=True)
    time_zone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    by_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OneOnOneHeld(Base):
    """A 1:1 recorded as held: once only (unique), with the manager's "conversations held" entry it made."""

    __tablename__ = "one_on_one_held"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    one_on_one_id: Mapped[int] = mapped_column(ForeignKey("one_on_ones.id"), unique=True)
    held_on: Mapped[date] = mapped_column(Date)
    manager_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))  # whose 1:1 it was
    # the manager's log entry it made; None once the manager deleted their data (the 1:1 stays held)
    log_entry_id: Mapped[int | None] = mapped_column(ForeignKey("conversation_log.id"), nullable=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OneOnOneNote(Base):
    """One version of a 1:1's notes. `kind` "shared" (both sides read and write; the latest counts) or
    "private" (the author's own, read by nobody else). `based_on_id` is the version the writer's page
    started from: a save based on an older version than the latest clashed, and both are kept."""

    __tablename__ = "one_on_one_notes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    one_on_one_id: Mapped[int] = mapped_column(ForeignKey("one_on_ones.id"))
    kind: Mapped[str] = mapped_column(String(10))
    author_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    text: Mapped[str] = mapped_column(Text)
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("one_on_one_notes.id"), nullable=True)
    written_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("ix_one_on_one_notes_where", "one_on_one_id", "kind", "author_id", "id"),)


class OneOnOneItem(Base):
    """One version of an agenda item or an action of a team member's 1:1s. `item` is the item's id across
    its versions; the latest version counts. An action belongs to the team member's series of 1:1s, so an
    open one carries into the next 1:1 until it is done."""

    __tablename__ = "one_on_one_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    one_on_one_id: Mapped[int] = mapped_column(ForeignKey("one_on_ones.id"))  # where it was added
    item: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(10))  # "agenda" or "action"
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(10), nullable=True)  # an action's: member or manager
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(12))
    author_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))  # who wrote this version
    # an action the team member brought from a 1:1 with an earlier manager: the `item` it continues
    carried_from: Mapped[str | None] = mapped_column(String(32), nullable=True)
    written_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("ix_one_on_one_items_member", "member_id", "kind", "item", "id"),)


class RoomRelease(Base):
    """A state the room view has shown of one question in one cohort (released): counts only, never a
    name or anyone's answer. A later chart may show a released state again, while the answers behind it
    are all still there, or one that differs from every released state by at least the anonymity
    threshold of people (`workbook.evaluation.disclosure.live_chart`)."""

    __tablename__ = "room_releases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"))
    question: Mapped[str] = mapped_column(String(255))  # the room question's key
    people: Mapped[int] = mapped_column(Integer)  # how many people the counts rest on
    counts: Mapped[str] = mapped_column(Text)  # JSON: per part of the chart, one count per value
    # where in the history of the answers it was read to: when the answer that completed it counted, and
    # its row (an answer's or a score's id; no foreign key, since answers may be deleted)
    through_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    through_id: Mapped[int] = mapped_column(Integer)
    released_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("ix_room_releases_chart", "cohort_id", "question", "id"),)


class RoomDisplay(Base):
    """A room's display link: a credential that opens one cohort's room view and nothing else, until
    the end of the day it was made (in ``WORKBOOK_TIME_ZONE``) or until a facilitator ends it. Only the
    link's hash is kept; `question` is the room question the projector shows (set on either page)."""

    __tablename__ = "room_displays"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), index=True)
    made_by: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    question: Mapped[str | None] = mapped_column(String(255), nullable=True)
