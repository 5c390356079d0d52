"""Synthetic demo data for the manager track, so every app has something to show in a workshop.

Fourteen clearly synthetic managers ("Demo manager 01", pid "demo-m01") in three cohorts at different
stages: A has finished the post check with one drop-out, B is closed, C has only started. Everything is
drawn from a seeded random generator, one stream per manager, so the data are the same on every machine.
Seeding is idempotent: a manager who already exists is left alone, so a second run changes nothing.
The demo's cohorts are marked as demo cohorts in the store (``Cohort.is_demo``), so that the figures of
real cohorts leave them out (``workbook.manager.scores.CohortScope``); a cohort a person made under one
of these names is real, and the demo refuses to put its synthetic people in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from sqlalchemy import select

from workbook.identity import Person, add_participant
from workbook.manager.behaviour import log_conversation
from workbook.manager.content import (
    KnowledgeCheck,
    Reflection,
    Scenario,
    instrument,
    lessons,
    save_lesson_answer,
)
from workbook.manager.planner import save_plan_entry
from workbook.manager.reaction import save_reaction
from workbook.manager.scores import insert_score_rows
from workbook.manager.waves import set_wave
from workbook.models import Cohort, Participant
from workbook.store import Store, StoreError, utcnow

SEED = 20240917
PID = "demo-m{:02d}"


@dataclass(frozen=True)
class DemoCohort:
    name: str
    size: int
    wave_events: tuple[tuple[str, bool], ...]  # the facilitator's switches so far, in order
    post_done: bool  # whether the post (and then) check has been run
    dropouts: int  # managers who answered pre but not post (or, in a cohort at the start, not yet pre)
    lessons_done: int  # lessons every active manager has worked through


COHORTS = (
    DemoCohort("Demo cohort A", 6, (("pre", True), ("pre", False), ("post", True)), True, 1, 3),
    DemoCohort(
        "Demo cohort B", 5, (("pre", True), ("pre", False), ("post", True), ("post", False)), True, 1, 3
    ),
    DemoCohort("Demo cohort C", 3, (("pre", True),), False, 1, 1),
)

REFLECTIONS = (
    "I have put off the conversation with one person because I know there is no senior role for them here.",
    "I tend to jump to solutions. I want to ask two more questions before I say anything.",
    "I worry about losing my most experienced person; I will try to separate that from their growth.",
    "I already ask people to prepare, but I rarely read my notes before the next talk.",
)
SCENARIO_RESPONSES = (
    "I would thank them for raising it, be clear I cannot promise a role, and suggest two experiences to "
    "try this quarter that we add to their plan and review next time.",
    "I would first ask what draws them to it, then be honest about what exists here and look for a project "
    "or a mentor that builds the same skills.",
)
SUPPORT_IDEAS = (
    "Ask the platform team whether they need help with the spring migration.",
    "Introduce them to a mentor in another department.",
    "Budget for a facilitation course.",
)
QUESTIONS = (
    "What energises you most in your work at the moment?\nWhere would you like to be in two years?",
    "Which strengths do you want to build on?\nWhat support would help most?",
)
COMMENTS = (
    "The scenario practice was the most useful part.",
    "More examples from technical teams would help.",
    "",
)


def _clip(values: np.ndarray, low: int, high: int) -> list[int]:
    return [int(v) for v in np.clip(np.rint(values), low, high)]


def _seed_lessons(store: Store, person: Person, rng: np.random.Generator, done: int) -> None:
    for lesson in lessons().lessons[:done]:
        for block in lesson.interactive:
            if isinstance(block, KnowledgeCheck):
                wrong = [o.id for o in block.options if not o.correct]
                choice = block.correct_option.id if rng.random() < 0.8 else str(rng.choice(wrong))
                value: object = {"choice": choice}
            elif isinstance(block, Reflection):
                value = str(rng.choice(REFLECTIONS))
            else:
                assert isinstance(block, Scenario)
                ticked = sorted(int(i) for i in rng.choice(len(block.checklist), size=3, replace=False))
                value = {"response": str(rng.choice(SCENARIO_RESPONSES)), "ticked": ticked}
            save_lesson_answer(store, person, lesson.id, block.id, value)


def _seed_scores(store: Store, person: Person, rng: np.random.Generator, answers_post: bool) -> int:
    inst = instrument()
    low, high = inst.scale.min, inst.scale.max
    n = len(inst.item_ids)
    latent = rng.normal(2.5, 0.5) + rng.normal(0, 0.45, n)
    now = utcnow()
    pre_at = now - timedelta(days=int(rng.integers(60, 80)), minutes=int(rng.integers(0, 600)))
    waves = {"pre": (_clip(latent + rng.normal(0, 0.3, n), low, high), pre_at)}
    if answers_post:
        post_at = now - timedelta(days=int(rng.integers(3, 10)), minutes=int(rng.integers(0, 600)))
        gain = rng.normal(1.2, 0.5) + rng.normal(0, 0.35, n)
        waves["post"] = (_clip(latent + gain, low, high), post_at)
        # the look-back answers sit a little below the real start: response shift
        waves["then"] = (
            _clip(latent - 0.4 + rng.normal(0, 0.3, n), low, high),
            post_at + timedelta(minutes=2),
        )
    rows = [
        {"participant_id": person.id, "wave": wave, "item": item, "score": float(score), "answered_at": at}
        for wave, (scores, at) in waves.items()
        for item, score in zip(inst.item_ids, scores, strict=True)
    ]
    with store.write() as session:
        insert_score_rows(session, rows)
    return len(rows)


def _seed_practice(store: Store, person: Person, rng: np.random.Generator, number: int, active: bool) -> None:
    today = date.today()
    letters = "ABCDEFGH"
    for k in range(int(rng.integers(1, 3))):
        save_plan_entry(
            store,
            person,
            f"Team member {letters[(number + k) % len(letters)]}",
            today + timedelta(days=int(rng.integers(7, 45))),
            str(rng.choice(["link", "outline", "both"])),
            str(rng.choice(QUESTIONS)),
            str(rng.choice(SUPPORT_IDEAS)),
            start_time=None if rng.random() < 0.5 else f"{int(rng.integers(9, 17)):02d}:00",
        )
    if not active:
        return
    for k in range(int(rng.integers(0, 4))):
        log_conversation(
            store,
            person,
            today - timedelta(days=int(rng.integers(1, 60))),
            f"Team member {letters[(number + k + 3) % len(letters)]}",
            bool(rng.random() < 0.6),
            bool(rng.random() < 0.7),
        )


def _seed_reaction(store: Store, person: Person, rng: np.random.Generator) -> None:
    ratings = dict(
        zip(
            ("usefulness", "relevance", "confidence_to_apply", "would_recommend"),
            _clip(rng.normal(4.0, 0.8, 4), 1, 5),
            strict=True,
        )
    )
    comment = str(rng.choice(COMMENTS))
    save_reaction(
        store, person, ratings, comment, "facilitator" if comment and rng.random() < 0.5 else "private"
    )


def demo_cohorts(store: Store) -> dict[str, bool]:
    """Create the demo's cohorts, marked as demo cohorts, where missing; whether each was new.

    StoreError, with nothing written, when a cohort of that name exists and was not made by the demo:
    its people are real, and synthetic ones must not be mixed in with them."""
    with store.write() as session:
        found = {
            name: is_demo
            for name, is_demo in session.execute(
                select(Cohort.name, Cohort.is_demo).where(Cohort.name.in_([c.name for c in COHORTS]))
            )
        }
        real = [name for name, is_demo in found.items() if not is_demo]
        if real:
            raise StoreError(
                f"a cohort called {real[0]!r} exists and was not made by `workbook demo`: the demo does not "
                "put synthetic people into a real cohort (rename that cohort to run the demo)"
            )
        for cohort in COHORTS:
            if cohort.name not in found:
                session.add(Cohort(name=cohort.name, created_at=utcnow(), is_demo=True))
    return {cohort.name: cohort.name not in found for cohort in COHORTS}


def seed_manager_demo(store: Store) -> dict[str, int]:
    """Create the demo managers and their data if missing; returns counts of what this run created."""
    created = {"cohorts": 0, "managers": 0, "scores": 0}
    number = 0
    is_new = demo_cohorts(store)
    for cohort in COHORTS:
        cohort_is_new = is_new[cohort.name]
        for position in range(cohort.size):
            number += 1
            pid = PID.format(number)
            with store.read() as session:
                if session.scalar(select(Participant.id).where(Participant.pid == pid)) is not None:
                    continue
            rng = np.random.default_rng([SEED, number])
            person = add_participant(store, f"Demo manager {number:02d}", cohort=cohort.name, pid=pid).person
            created["managers"] += 1
            dropout = position >= cohort.size - cohort.dropouts
            answered_pre = cohort.post_done or not dropout
            active = answered_pre and not dropout  # took part to the end (or so far)
            _seed_lessons(store, person, rng, cohort.lessons_done if active else 1)
            if answered_pre:
                created["scores"] += _seed_scores(store, person, rng, cohort.post_done and not dropout)
            _seed_practice(store, person, rng, number, active and cohort.post_done)
            if active and cohort.post_done:
                _seed_reaction(store, person, rng)
        if cohort_is_new:
            created["cohorts"] += 1
            for wave, is_open in cohort.wave_events:
                set_wave(store, cohort.name, wave, is_open)
    return created
