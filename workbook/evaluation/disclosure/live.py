"""Disclosure control for a live chart (the facilitator's room view): which states of a question's
answers in a group a projector may show while the answers come in, part of the one place that decides
what may be shown (:mod:`workbook.evaluation.disclosure`).

A live chart shows a question's answers in a group (a cohort's managers) while they come in. Each state
it shows is a *tally*: per part of the chart that a person answers once (the options of a knowledge check
together, or one item of the comfort check), how many people gave each value. The rule: no two states a
chart can ever show differ by fewer than the threshold of people, whatever happens to the group's
membership, roles or answers between two reads. :func:`live_step` proposes the states (in steps of the
threshold of new people), and :func:`live_chart` lets one be shown only if it is a state already shown
whose answers are all still there, or one that differs from every state shown before (and from nothing
at all) by at least the threshold; otherwise the chart falls back to the last state shown whose answers
are all still there, or to nothing.

:func:`live_outlook` says when the chart changes next, for the group it counts: the steps are fixed
(multiples of the threshold, whatever the group's size), so a step the people who can still answer cannot
reach is never promised; the chart then says that no more answers will change it. There is no final
chart of every answer when a question closes: the chart shown (when it is the newest step) always rests
on fewer than the threshold of people less than have answered (:func:`live_step` moves on at every
multiple), so a chart of every answer would differ from it by fewer than the threshold of people and
give their answers away; no final state is safe once a chart has been shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

from workbook.config import check_threshold

K = TypeVar("K")  # a person
T = TypeVar("T")  # an answer

Tally = tuple[tuple[int, ...], ...]  # per part: one count per value a person can give on it
M = TypeVar("M")  # a saved answer's place in the history (anything ordered)


@dataclass(frozen=True)
class LiveStep(Generic[K, T]):
    """What a live chart of answers shows: each counted person's answer (None: nothing yet), how many
    people have answered so far, how many more answers the chart waits for before it changes, and the
    index (in the events) of the answer that completed the state shown."""

    shown: dict[K, T] | None
    answered: int
    waiting_for: int
    reached_at: int | None = None

    @property
    def shown_answers(self) -> int:
        return 0 if self.shown is None else len(self.shown)


def live_step(events: Iterable[tuple[K, T]], threshold: int) -> LiveStep[K, T]:
    """What a live chart may show of ``events``: (person, answer) in the order they were saved, a later
    answer of a person replacing their earlier one.

    The chart shows the answers as they stood when the ``threshold``-th, ``2 * threshold``-th, ...
    person gave their first answer, the last such moment reached: nothing below ``threshold`` people,
    and two states shown one after the other differ by exactly ``threshold`` more people (with any
    answers changed in between), so nobody's answer can be read off a change. It depends on the saved
    answers alone, so reopening the page or choosing the question again shows the same state.
    ``answered`` is completion, not an answer, so the page may say how many more answers it waits for.
    On its own it assumes the history only grows: :func:`live_chart` guards the states shown against
    answers deleted and people counted or no longer counted.
    """
    threshold = check_threshold(threshold)
    latest: dict[K, T] = {}
    shown: dict[K, T] | None = None
    reached_at: int | None = None
    for index, (person, answer) in enumerate(events):
        new = person not in latest
        latest[person] = answer
        if new and len(latest) % threshold == 0:
            shown, reached_at = dict(latest), index
    waiting = threshold - len(latest) % threshold
    return LiveStep(shown, len(latest), waiting, reached_at)


def people_apart(a: Tally, b: Tally) -> int:
    """The fewest people by whose coming, going or changing their answer tally ``a`` becomes ``b``, on
    the part of the chart that changes least: on one part, the larger of what it gains and what it loses
    (people who change their answer move one count from one value to another). 0 when they are the same.

    Each part is taken alone, so a part that a few people changed is caught even when another part
    changed by many; a part that did not change at all says nothing."""
    if not comparable(a, b):
        raise ValueError("two tallies of different charts cannot be compared")
    apart = []
    for part_a, part_b in zip(a, b, strict=True):
        gained = sum(max(y - x, 0) for x, y in zip(part_a, part_b, strict=True))
        lost = sum(max(x - y, 0) for x, y in zip(part_a, part_b, strict=True))
        if gained or lost:
            apart.append(max(gained, lost))
    return min(apart, default=0)


def comparable(a: Tally, b: Tally) -> bool:
    """Whether two tallies are of the same chart (the same parts and values); a question whose options
    changed since is another chart."""
    return len(a) == len(b) and all(len(x) == len(y) for x, y in zip(a, b, strict=True))


@dataclass(frozen=True)
class LiveRelease(Generic[M]):
    """A state a live chart has shown (released): its tally, how many people it rests on, and the place
    in the history of the answer that completed it (every answer up to there is behind the tally)."""

    tally: Tally
    people: int
    through: M


@dataclass(frozen=True)
class LiveChart(Generic[M]):
    """What a live chart shows now.

    ``tally`` is None when it shows nothing. ``held_back``: it shows an earlier state, or nothing, because
    the newest state would differ too little from one shown before, or the answers behind the newest
    state shown were deleted; it then cannot say how many more answers it waits for (``waiting_for`` is
    None). ``release``: a state shown for the first time, to be recorded before it is shown.
    ``next_step``: the answers the next state :func:`live_step` proposes rests on (the next multiple of
    the threshold above the answers so far); whether it is then shown is for :func:`live_chart` to say."""

    tally: Tally | None
    shown_answers: int
    answered: int
    waiting_for: int | None
    held_back: bool
    release: LiveRelease[M] | None = None
    next_step: int = 0  # how many answers the next state live_step proposes rests on (held back or not)


def live_chart(
    events: Sequence[tuple[M, K, T]],
    tally: Callable[[list[T]], Tally],
    released: Sequence[LiveRelease[M]],
    threshold: int,
) -> LiveChart[M]:
    """What a live chart may show of ``events`` ((place, person, answer), in the order of their places),
    given the states it has ``released`` before (oldest first).

    The newest state :func:`live_step` reaches is shown if it is a released state whose answers are all
    still there (the answers up to its place tally the same), or if it differs from every released state,
    and from an empty chart, by at least ``threshold`` people (:func:`people_apart`), when it is released.
    Otherwise the chart shows the last released state whose answers are all still there, or nothing. So
    every state ever shown is a released one, and no two of them differ by fewer than ``threshold``
    people, whatever happened to the events in between; a state resting on deleted answers is not shown
    again. ``tally`` counts a list of answers; the empty list gives the empty chart.
    """
    threshold = check_threshold(threshold)
    events = list(events)
    step = live_step(((person, answer) for _, person, answer in events), threshold)
    empty = tally([])
    next_step = step.answered + step.waiting_for
    # which released states are still true of the answers: replay the history up to each one's place
    still = [False] * len(released)
    pending = sorted(range(len(released)), key=lambda k: released[k].through)
    latest: dict[K, T] = {}

    def check(k: int) -> None:
        still[k] = len(latest) == released[k].people and tally(list(latest.values())) == released[k].tally

    for place, person, answer in events:
        while pending and released[pending[0]].through < place:
            check(pending.pop(0))
        latest[person] = answer
    for k in pending:
        check(k)

    last = len(released) - 1
    if step.shown is not None and step.reached_at is not None:
        candidate = tally(list(step.shown.values()))
        place = events[step.reached_at][0]
        for k, old in enumerate(released):
            if still[k] and old.through == place and old.tally == candidate:
                newest = k == last  # else an earlier state again: the next step may be refused
                waiting = step.waiting_for if newest else None
                return LiveChart(
                    candidate, step.shown_answers, step.answered, waiting, not newest, next_step=next_step
                )
        others = [empty, *(old.tally for old in released if comparable(old.tally, candidate))]
        if all(people_apart(candidate, other) >= threshold for other in others):
            new = LiveRelease(candidate, step.shown_answers, place)
            return LiveChart(
                candidate, step.shown_answers, step.answered, step.waiting_for, False, new, next_step
            )
    fallback = next((k for k in range(last, -1, -1) if still[k]), None)
    if fallback is None:
        if not released and step.shown is None:  # nothing shown yet: waiting for the first state
            return LiveChart(None, 0, step.answered, step.waiting_for, held_back=False, next_step=next_step)
        return LiveChart(None, 0, step.answered, None, held_back=True, next_step=next_step)
    kept = released[fallback]
    return LiveChart(kept.tally, kept.people, step.answered, None, held_back=True, next_step=next_step)


class Outlook(Enum):
    """When a live chart changes next."""

    STEP = "step"  # at ``next_step`` answers, which the people who can still answer can reach
    MAYBE = "maybe"  # held back: at ``next_step`` answers at the earliest, if that chart then differs
    # enough from every chart shown before; the people who can still answer can reach it
    NEVER = "never"  # no more answers can change it: the next step is more people than can answer


@dataclass(frozen=True)
class LiveOutlook:
    """What a live chart can say truthfully about when it changes next: ``kind``; ``next_step``, the
    answers the next change (or the first chart) needs; ``can_answer``, the most people it can count
    (those who have answered and those who still may); ``unshown``, answers given that it does not show
    and, when it will not change again, never will (a chart of all of them would give them away)."""

    kind: Outlook
    next_step: int
    can_answer: int
    unshown: int


def live_outlook(chart: LiveChart[M], can_answer: int) -> LiveOutlook:
    """When ``chart`` changes next, for a group in which ``can_answer`` people at most can ever be
    counted (everyone who has answered, and everyone who may still answer). The steps do not move with
    the group's size (they are :func:`live_step`'s, so membership moves no chart): a step beyond the
    group is not promised, and the chart says that no more answers will change it."""
    if can_answer < chart.answered:
        raise ValueError("fewer people can answer than have answered")
    unshown = chart.answered - chart.shown_answers
    if chart.next_step > can_answer:
        kind = Outlook.NEVER
    else:
        kind = Outlook.MAYBE if chart.held_back else Outlook.STEP
    return LiveOutlook(kind, chart.next_step, can_answer, max(unshown, 0))
