"""The cohort at a glance: per person, whether they have signed in and how far they have got (lessons
done, knowledge checks answered, the comfort check per wave, conversations logged, a team member's
preparation). Completion only: the figures are counts, and no answer leaves this module.

A page reads the board in full once and then only what was saved since (:class:`BoardReader`), so the
board of a cohort of hundreds refreshes quickly (`benchmarks/bench_facilitator_board.py`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbook import content
from workbook.facilitator.people import Member, _members, member_ids
from workbook.manager.content import KnowledgeCheck, is_done, lesson_scope, lessons
from workbook.models import Answer, ConversationLog, ConversationLogVersion, Score
from workbook.preparation import SCOPE as PREP_SCOPE
from workbook.preparation import section_progress
from workbook.scores_frame import WAVES
from workbook.spreadsheet import spreadsheet_safe
from workbook.store import SavedAnswer, Store, utcnow

# The board shows completion only, so when an answer was saved is not read (parsing those stamps was
# the largest part of a refresh); the progress functions get this stand-in.
NOT_READ = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class GlanceRow:
    """One person's completion; None where a measure does not apply to their roles."""

    pid: str
    name: str
    email: str | None
    roles: tuple[str, ...]
    signed_in: bool
    lessons_done: int | None
    checks_answered: int | None
    waves: dict[str, bool] | None
    conversations: int | None
    prep_done: int | None


@dataclass(frozen=True)
class Board:
    cohort: str
    lessons_total: int
    checks_total: int
    prep_total: int
    rows: tuple[GlanceRow, ...]


# filter id -> (what the facilitator picks, who is still to do it)
FILTERS: dict[str, tuple[str, Callable[[GlanceRow, Board], bool]]] = {
    "signin": ("Not signed in yet", lambda r, b: not r.signed_in),
    "lessons": (
        "Lessons not all done",
        lambda r, b: r.lessons_done is not None and r.lessons_done < b.lessons_total,
    ),
    "checks": (
        "Knowledge checks not all answered",
        lambda r, b: r.checks_answered is not None and r.checks_answered < b.checks_total,
    ),
    "pre": ("Comfort check (pre) not answered", lambda r, b: r.waves is not None and not r.waves["pre"]),
    "post": ("Comfort check (post) not answered", lambda r, b: r.waves is not None and not r.waves["post"]),
    "conversations": ("No conversation logged", lambda r, b: r.conversations == 0),
    "prep": (
        "Preparation not complete",
        lambda r, b: r.prep_done is not None and r.prep_done < b.prep_total,
    ),
}


RECENT = timedelta(seconds=60)  # saves of the last minute are read again (a late commit is not missed)
_CHUNK = 900  # ids per IN (...): under SQLite's limit on query parameters


_ANSWER_COLUMNS = (Answer.id, Answer.participant_id, Answer.scope, Answer.key, Answer.value)
_SCORE_COLUMNS = (Score.participant_id, Score.wave, func.max(Score.id))
# every version of a logged conversation: an edit, a delete or a bring-back is a new row
_TALK_COLUMNS = (
    ConversationLogVersion.id,
    ConversationLog.participant_id,
    ConversationLogVersion.conversation_id,
    ConversationLogVersion.deleted,
)


def _talk_rows(*conditions):
    return (
        select(*_TALK_COLUMNS)
        .join(ConversationLog, ConversationLog.id == ConversationLogVersion.conversation_id)
        .where(*conditions)
    )


def _answer_scopes():
    return (Answer.scope == PREP_SCOPE) | Answer.scope.like("lesson:%")


class BoardReader:
    """A cohort's board, read in full once and then, on each refresh, only what changed since.

    Answers, scores and conversation logs are append-only (the current value is the latest row), so
    a refresh reads the rows with a higher id than it has seen, plus those saved in the last minute
    (a transaction that took its id earlier but committed later is still caught), and recomputes
    the rows of the people they belong to. Who is in the cohort, their roles and whether they have
    signed in are read in full every time. Completion only: nobody's answer leaves this class.
    """

    def __init__(self, store: Store, cohort: str) -> None:
        self.store = store
        self.cohort = cohort
        course = lessons()
        self._lessons = course.lessons
        self._prep = content.preparation()
        self._blocks = {lesson.id: lesson.interactive for lesson in course.lessons}
        self._checks = [
            (lesson, b)
            for lesson in course.lessons
            for b in self._blocks[lesson.id]
            if isinstance(b, KnowledgeCheck)
        ]
        self._answers: dict[tuple[int, str], dict[str, tuple[int, SavedAnswer]]] = {}
        self._waves: dict[int, set[str]] = {}
        # per person, each logged conversation's latest version read: (version id, deleted)
        self._talks: dict[int, dict[int, tuple[int, bool]]] = {}
        self._known: set[int] = set()
        self._rows: dict[int, tuple[Member, GlanceRow]] = {}
        self._after = {"answer": 0, "score": 0, "talk": 0}
        self._since: datetime | None = None

    def read(self) -> Board:
        """The board now (one read transaction)."""
        started = utcnow()
        with self.store.read() as session:
            cohort_id = self.store.cohort_id(session, self.cohort, create=False)
            people: list[Member] = _members(session, cohort_id)
            ids = [m.id for m in people]
            new = [i for i in ids if i not in self._known]
            changed = set(new)
            if len(new) < len(ids):
                changed |= self._read_new(session, cohort_id)
            if new:
                changed |= self._read_all(session, new)
        self._known.update(new)
        self._since = started - RECENT
        rows = []
        for m in people:
            cached = self._rows.get(m.id)
            if cached is None or cached[0] != m or m.id in changed:
                cached = (m, self._row(m))
                self._rows[m.id] = cached
            rows.append(cached[1])
        return Board(
            self.cohort, len(self._lessons), len(self._checks), len(self._prep.sections), tuple(rows)
        )

    def _read_all(self, session: Session, ids: list[int]) -> set[int]:
        """Everything of the people ``ids`` (the latest answer per question); the ids read."""
        touched: set[int] = set()
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            latest = (
                select(func.max(Answer.id))
                .where(Answer.participant_id.in_(chunk), _answer_scopes())
                .group_by(Answer.participant_id, Answer.scope, Answer.key)
            )
            touched |= self._take(
                session,
                select(*_ANSWER_COLUMNS).where(Answer.id.in_(latest)),
                select(*_SCORE_COLUMNS).where(Score.participant_id.in_(chunk)),
                _talk_rows(ConversationLog.participant_id.in_(chunk)),
            )
        return touched

    def _read_new(self, session: Session, cohort_id: int) -> set[int]:
        """What the cohort's people saved since the last read; the ids of the people it belongs to.

        SQLite lets one writer in at a time, so ids grow in the order rows are committed; a server
        database may commit a row after one with a higher id, so there the last minute is read again."""
        people = member_ids(cohort_id)
        late = self._since if self.store.engine.dialect.name != "sqlite" else None

        def since(column_id, column_at, after: int):
            newer = column_id > after
            return newer if late is None else newer | (column_at >= late)

        return self._take(
            session,
            select(*_ANSWER_COLUMNS).where(
                since(Answer.id, Answer.saved_at, self._after["answer"]),
                Answer.participant_id.in_(people),
                _answer_scopes(),
            ),
            select(*_SCORE_COLUMNS).where(
                since(Score.id, Score.answered_at, self._after["score"]), Score.participant_id.in_(people)
            ),
            _talk_rows(
                since(ConversationLogVersion.id, ConversationLogVersion.changed_at, self._after["talk"]),
                ConversationLog.participant_id.in_(people),
            ),
        )

    def _take(self, session: Session, answer_rows, score_rows, talk_rows) -> set[int]:
        """Keep the rows read (each only if newer than what is kept); the ids of their people."""
        touched: set[int] = set()
        for row_id, pk, scope, key, value in session.execute(answer_rows):
            saved = self._answers.setdefault((pk, scope), {})
            if key not in saved or saved[key][0] < row_id:
                saved[key] = (row_id, SavedAnswer(json.loads(value), NOT_READ))
                touched.add(pk)
            self._after["answer"] = max(self._after["answer"], row_id)
        for pk, wave, row_id in session.execute(score_rows.group_by(Score.participant_id, Score.wave)):
            if wave not in self._waves.setdefault(pk, set()):
                self._waves[pk].add(wave)
                touched.add(pk)
            self._after["score"] = max(self._after["score"], row_id)
        for row_id, pk, conversation_id, deleted in session.execute(talk_rows):
            kept = self._talks.setdefault(pk, {})
            if conversation_id not in kept or kept[conversation_id][0] < row_id:
                kept[conversation_id] = (row_id, deleted)
                touched.add(pk)
            self._after["talk"] = max(self._after["talk"], row_id)
        return touched

    def _saved(self, pk: int, scope: str) -> dict[str, SavedAnswer]:
        return {key: saved for key, (_, saved) in self._answers.get((pk, scope), {}).items()}

    def _row(self, m: Member) -> GlanceRow:
        lessons_done = checks_answered = prep_done = conversations = None
        wave_state = None
        if "manager" in m.roles:
            lessons_done = 0
            per_lesson = {lesson.id: self._saved(m.id, lesson_scope(lesson.id)) for lesson in self._lessons}
            for lesson in self._lessons:
                saved = per_lesson[lesson.id]
                blocks = self._blocks[lesson.id]
                done = sum(1 for b in blocks if b.id in saved and is_done(b, saved[b.id].value))
                lessons_done += done == len(blocks)
            checks_answered = sum(
                1
                for lesson, b in self._checks
                if (a := per_lesson[lesson.id].get(b.id)) and is_done(b, a.value)
            )
            wave_state = {w: w in self._waves.get(m.id, set()) for w in WAVES}
            conversations = sum(not deleted for _, deleted in self._talks.get(m.id, {}).values())
        if "team_member" in m.roles:
            saved = self._saved(m.id, PREP_SCOPE)
            prep_done = sum(1 for s in self._prep.sections if section_progress(s, saved).complete)
        return GlanceRow(
            m.pid,
            m.name,
            m.email,
            m.roles,
            m.signed_in,
            lessons_done,
            checks_answered,
            wave_state,
            conversations,
            prep_done,
        )


def board(store: Store, cohort: str) -> Board:
    """Everyone in the cohort with their completion, read once (a page keeps a :class:`BoardReader`)."""
    return BoardReader(store, cohort).read()


def still_to_do(found: Board, filter_id: str | None) -> list[GlanceRow]:
    """The people who have not yet done what the filter names (everyone for None)."""
    if filter_id is None:
        return list(found.rows)
    if filter_id not in FILTERS:
        raise ValueError(f"unknown filter {filter_id!r}")
    keep = FILTERS[filter_id][1]
    return [row for row in found.rows if keep(row, found)]


def reminder_csv(rows: list[GlanceRow], links: dict[str, str] | None = None) -> str:
    """name,email (and link, when links were reissued for the list) for a reminder mail merge."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "email", "link"] if links is not None else ["name", "email"])
    for row in rows:
        cells = [spreadsheet_safe(row.name), spreadsheet_safe(row.email or "")]
        if links is not None:
            cells.append(links.get(row.pid, ""))
        writer.writerow(cells)
    return out.getvalue()
