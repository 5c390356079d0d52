"""The cohort at a glance: per person, whether they have signed in and how far they have got (lessons
done, knowledge checks answered, the comfort check per wave, conversations logged, a team member's
preparation). Completion only: the figures are counts, and no answer leaves this module.

One pass of a few queries for the whole cohort, so the board of a cohort of hundreds refreshes quickly
(`benchmarks/bench_facilitator_board.py`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbook import content
from workbook.facilitator.people import Member, _members
from workbook.manager.behaviour import live_conversations
from workbook.manager.content import KnowledgeCheck, is_done, lesson_scope, lessons
from workbook.models import Answer, Score
from workbook.preparation import SCOPE as PREP_SCOPE
from workbook.preparation import section_progress
from workbook.scores_frame import WAVES
from workbook.spreadsheet import spreadsheet_safe
from workbook.store import SavedAnswer, Store

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


def _latest_answers(session: Session, ids: list[int]) -> dict[tuple[int, str], dict[str, SavedAnswer]]:
    found: dict[tuple[int, str], dict[str, SavedAnswer]] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        latest = (
            select(func.max(Answer.id))
            .where(Answer.participant_id.in_(chunk))
            .where((Answer.scope == PREP_SCOPE) | Answer.scope.like("lesson:%"))
            .group_by(Answer.participant_id, Answer.scope, Answer.key)
        )
        for pk, scope, key, value in session.execute(
            select(Answer.participant_id, Answer.scope, Answer.key, Answer.value).where(Answer.id.in_(latest))
        ):
            found.setdefault((pk, scope), {})[key] = SavedAnswer(json.loads(value), NOT_READ)
    return found


def board(store: Store, cohort: str) -> Board:
    """Everyone in the cohort with their completion (read in one transaction)."""
    course = lessons()
    prep = content.preparation()
    blocks = {lesson.id: lesson.interactive for lesson in course.lessons}  # a property: computed once here
    checks = [
        (lesson, b) for lesson in course.lessons for b in blocks[lesson.id] if isinstance(b, KnowledgeCheck)
    ]
    live = live_conversations().subquery()  # deleted entries are not counted
    with store.read() as session:
        cohort_id = store.cohort_id(session, cohort, create=False)
        people: list[Member] = _members(session, cohort_id)
        ids = [m.id for m in people]
        answers = _latest_answers(session, ids)
        waves: dict[int, set[str]] = {}
        talks: dict[int, int] = {}
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            for pk, wave in session.execute(
                select(Score.participant_id, Score.wave).where(Score.participant_id.in_(chunk)).distinct()
            ):
                waves.setdefault(pk, set()).add(wave)
            for pk, count in session.execute(
                select(live.c.participant_id, func.count(live.c.conversation_id))
                .where(live.c.participant_id.in_(chunk))
                .group_by(live.c.participant_id)
            ):
                talks[pk] = count
    rows = []
    for m in people:
        manager = "manager" in m.roles
        team_member = "team_member" in m.roles
        lessons_done = checks_answered = prep_done = conversations = None
        wave_state = None
        if manager:
            lessons_done = 0
            for lesson in course.lessons:
                saved = answers.get((m.id, lesson_scope(lesson.id)), {})
                done = sum(1 for b in blocks[lesson.id] if b.id in saved and is_done(b, saved[b.id].value))
                lessons_done += done == len(blocks[lesson.id])
            checks_answered = sum(
                1
                for lesson, b in checks
                if (a := answers.get((m.id, lesson_scope(lesson.id)), {}).get(b.id)) and is_done(b, a.value)
            )
            wave_state = {w: w in waves.get(m.id, set()) for w in WAVES}
            conversations = talks.get(m.id, 0)
        if team_member:
            saved = answers.get((m.id, PREP_SCOPE), {})
            prep_done = sum(1 for s in prep.sections if section_progress(s, saved).complete)
        rows.append(
            GlanceRow(
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
        )
    return Board(cohort, len(course.lessons), len(checks), len(prep.sections), tuple(rows))


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
