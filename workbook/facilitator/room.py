"""The room view's figures: the answers of a cohort's managers to one lesson's knowledge check, or to one
wave of the comfort check, counted (one answer per person). Counts only: nobody's answer
and nobody's name leaves this module. What of them a projector may show, and when, is decided by
:func:`workbook.evaluation.disclosure.live_chart`, from the answers of everyone who has been a manager
of the cohort (so a role withdrawn, a person removed or imported again moves nothing) and the states
shown before (the ``room_releases`` table, counts only), so that no two states the projector can show
differ by fewer than the anonymity threshold of people, even when answers are deleted. When the chart
changes next is said for the people who can still answer
(:func:`~workbook.evaluation.disclosure.live.live_outlook`): a step beyond them is not promised.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbook.evaluation.disclosure import LiveChart, LiveRelease, Tally, live_chart
from workbook.evaluation.disclosure.live import Outlook, live_outlook
from workbook.manager.content import KnowledgeCheck, instrument, lesson_scope, lessons
from workbook.models import Answer, RoleGrant, RoomRelease, Score
from workbook.store import Store, StoreError, as_utc, utcnow

COMFORT_WAVES = {
    "pre": "before the course (pre)",
    "post": "after the course (post)",
    "then": "looking back to before the course (then)",
}


@dataclass(frozen=True)
class RoomQuestion:
    """Something the room can be shown: a lesson's knowledge check or a wave of the comfort check."""

    key: str  # "check:<lesson>:<block>" or "comfort:<wave>"
    label: str  # what the facilitator picks
    title: str  # the heading on the projector
    bars: tuple[tuple[str, str], ...]  # (id, label) of each bar: an option, or an item of the check
    levels: tuple[tuple[int, str], ...] = ()  # the rating scale of a comfort question, else empty

    @property
    def is_comfort(self) -> bool:
        return bool(self.levels)


@dataclass(frozen=True)
class RoomState:
    """What the room may see of one question in one cohort, as the disclosure rule allows."""

    question: str
    answered: int  # people who have answered so far (completion, not answers)
    waiting_for: int | None  # more answers before the chart changes (or first appears); None: unknown
    shown_answers: int  # people whose answers the chart shows
    counts: tuple[tuple[int, ...], ...] | None  # per bar: (count,) or one count per level; None: nothing
    held_back: bool = False  # an earlier state (or nothing) is shown: waiting for more answers
    outlook: Outlook = Outlook.STEP  # whether the chart changes at next_step answers, may, or never will
    next_step: int = 0  # the answers the next change (or the first chart) needs
    can_answer: int = 0  # the most people the chart can count: who has answered, and who still may


def room_questions() -> tuple[RoomQuestion, ...]:
    """Every question the room view offers, in course order, then the comfort check's waves."""
    found = []
    for number, lesson in enumerate(lessons().lessons, start=1):
        checks = [b for b in lesson.blocks if isinstance(b, KnowledgeCheck)]
        for index, check in enumerate(checks, start=1):
            found.append(
                RoomQuestion(
                    f"check:{lesson.id}:{check.id}",
                    f"Lesson {number}, check {index}: {check.question}",
                    check.question,
                    tuple((o.id, f"{chr(ord('A') + k)}. {o.label}") for k, o in enumerate(check.options)),
                )
            )
    inst = instrument()
    levels = tuple((value, inst.scale.anchor(value)) for value in inst.scale.points)
    for wave, words in COMFORT_WAVES.items():
        found.append(
            RoomQuestion(
                f"comfort:{wave}",
                f"Comfort check {words}",
                f"How comfortable we feel: {words}",
                tuple((item.id, item.short) for item in inst.items),
                levels,
            )
        )
    return tuple(found)


def room_question(key: object) -> RoomQuestion:
    """The question with this key; StoreError (naming none of the others) for anything else."""
    for question in room_questions():
        if question.key == key:
            return question
    raise StoreError("choose a question from the list")


# A saved answer's place in a chart's history: when it counts (when it was saved, or when its author first
# held the cohort's Manager role, if that was later) and its row, so that the history only grows at its end.
Place = tuple[datetime, int]


def _managers_since(cohort_id: int):
    """Everyone who holds or has held the cohort's Manager role, with when they first held it: a withdrawn
    role (a person removed, or re-roled) takes nobody out of the charts, and giving it again brings nobody
    back, so membership and roles cannot move a chart."""
    return (
        select(RoleGrant.participant_id, func.min(RoleGrant.granted_at).label("since"))
        .where(RoleGrant.cohort_id == cohort_id, RoleGrant.role == "manager")
        .group_by(RoleGrant.participant_id)
        .subquery()
    )


def _can_still_answer(session: Session, cohort_id: int) -> set[int]:
    """Who may still add an answer that the cohort's charts count: everyone who has been a manager of the
    cohort and holds a Manager role now (of this cohort or another: their answers count here, see
    :func:`_managers_since`); the lessons and the comfort check are open to managers only."""
    managers = _managers_since(cohort_id)
    return set(
        session.scalars(
            select(RoleGrant.participant_id)
            .join(managers, managers.c.participant_id == RoleGrant.participant_id)
            .where(RoleGrant.role == "manager", RoleGrant.withdrawn_at.is_(None))
        )
    )


def _place(saved_at: datetime, since: datetime, row_id: int) -> Place:
    return max(as_utc(saved_at), as_utc(since)), row_id


def _events(session: Session, cohort_id: int, question: RoomQuestion) -> list[tuple[Place, int, Any]]:
    """The answers to ``question`` of everyone who has been a manager of the cohort, as (place, person,
    answer) in the order of their places; a person added later counts from then, with their answers."""
    managers = _managers_since(cohort_id)
    if question.is_comfort:
        wave = question.key.split(":", 1)[1]
        rows = session.execute(
            select(
                Score.id, Score.participant_id, Score.answered_at, managers.c.since, Score.item, Score.score
            )
            .join(managers, managers.c.participant_id == Score.participant_id)
            .where(Score.wave == wave)
        ).all()
        placed = sorted(
            ((_place(at, since, pk), person, at, item, score) for pk, person, at, since, item, score in rows)
        )
        return _comfort_events(placed)
    _, lesson_id, block_id = question.key.split(":", 2)
    rows = session.execute(
        select(Answer.id, Answer.participant_id, Answer.saved_at, managers.c.since, Answer.value)
        .join(managers, managers.c.participant_id == Answer.participant_id)
        .where(Answer.scope == lesson_scope(lesson_id), Answer.key == block_id)
    ).all()
    placed = sorted((_place(at, since, pk), person, value) for pk, person, at, since, value in rows)
    return _check_events(placed)


def _released(session: Session, cohort_id: int, key: str) -> list[LiveRelease[Place]]:
    """The states the room has shown of this question in this cohort, oldest first."""
    rows = session.execute(
        select(RoomRelease.counts, RoomRelease.people, RoomRelease.through_at, RoomRelease.through_id)
        .where(RoomRelease.cohort_id == cohort_id, RoomRelease.question == key)
        .order_by(RoomRelease.id)
    ).all()
    return [
        LiveRelease(
            tuple(tuple(int(c) for c in part) for part in json.loads(counts)), people, (as_utc(at), row)
        )
        for counts, people, at, row in rows
    ]


def _chart(
    session: Session, cohort_id: int, question: RoomQuestion, threshold: int
) -> tuple[LiveChart[Place], int]:
    """The chart as the rule allows it, and the most people it can count (who answered, who still may)."""
    events = _events(session, cohort_id, question)
    released = _released(session, cohort_id, question.key)
    chart = live_chart(events, lambda answers: _tally(question, answers), released, threshold)
    answered = {person for _, person, _ in events}
    return chart, len(answered | _can_still_answer(session, cohort_id))


def room_state(store: Store, cohort: str, question: RoomQuestion, threshold: int) -> RoomState:
    """What the projector may show now of the cohort's managers' answers to ``question``, as
    :func:`~workbook.evaluation.disclosure.live_chart` decides from the answers and the states shown
    before (one short read; a state shown for the first time is recorded first, in a write that decides
    again, so two pages open at once record it once)."""
    with store.read() as session:
        cohort_id = store.cohort_id(session, cohort, create=False)
        chart, can_answer = _chart(session, cohort_id, question, threshold)
    if chart.release is not None:
        with store.write() as session:
            chart, can_answer = _chart(session, cohort_id, question, threshold)
            if chart.release is not None:
                new = chart.release
                session.add(
                    RoomRelease(
                        cohort_id=cohort_id,
                        question=question.key,
                        people=new.people,
                        counts=json.dumps(new.tally),
                        through_at=new.through[0],
                        through_id=new.through[1],
                        released_at=utcnow(),
                    )
                )
    counts = None if chart.tally is None else _bars(question, chart.tally)
    outlook = live_outlook(chart, can_answer)
    return RoomState(
        question.key,
        chart.answered,
        chart.waiting_for,
        chart.shown_answers,
        counts,
        chart.held_back,
        outlook.kind,
        outlook.next_step,
        outlook.can_answer,
    )


def _check_events(rows) -> list[tuple[Place, int, str]]:
    """(place, person, option chosen) per save, in order; a save that holds no choice is no answer."""
    events = []
    for place, pk, value in rows:
        saved = json.loads(value) if value else None
        choice = saved.get("choice") if isinstance(saved, dict) else None
        if isinstance(choice, str) and choice:
            events.append((place, pk, choice))
    return events


def _comfort_events(rows) -> list[tuple[Place, int, dict[str, int]]]:
    """(place, person, their ratings by item) per submission (the rows saved together), in order."""
    events: list[tuple[Place, int, dict[str, int]]] = []
    ratings: dict[int, dict[str, int]] = {}
    last: tuple[int, object] | None = None
    for place, pk, saved_at, item, score in rows:
        current = ratings.setdefault(pk, {})
        current[item] = int(score)
        if last == (pk, saved_at):
            events[-1] = (place, pk, dict(current))
        else:
            events.append((place, pk, dict(current)))
        last = (pk, saved_at)
    return events


def _tally(question: RoomQuestion, answers: list) -> Tally:
    """The chart's counts: a check's options together (each person chose one), or per item of the
    comfort check one count per rating."""
    if question.is_comfort:
        levels = {value: k for k, (value, _) in enumerate(question.levels)}
        counts = [[0] * len(question.levels) for _ in question.bars]
        for ratings in answers:
            for k, (item, _) in enumerate(question.bars):
                if ratings.get(item) in levels:
                    counts[k][levels[ratings[item]]] += 1
        return tuple(tuple(c) for c in counts)
    return (tuple(sum(1 for a in answers if a == option) for option, _ in question.bars),)


def _bars(question: RoomQuestion, tally: Tally) -> tuple[tuple[int, ...], ...]:
    """Per bar of the page: (count,) for each option of a check, or an item's counts per rating."""
    if question.is_comfort:
        return tally
    return tuple((count,) for count in tally[0])
