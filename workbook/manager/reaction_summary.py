"""The managers' reaction to the programme (Kirkpatrick level 1) as an evaluator may see it.

Only the four 1-5 ratings are read, never the comment: the query names the rating keys, so a comment
cannot reach the caller (or the kernel that calls it) even by mistake. The figures are counts and means
over the latest rating of each manager; a group with fewer respondents than the anonymity threshold
keeps only its number of respondents (the rule and its wording live in
:mod:`workbook.evaluation.disclosure`; a view that offers selections applies its plan on top).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from workbook.config import anonymity_threshold, check_threshold
from workbook.evaluation.disclosure import mark, too_few
from workbook.identity import holding_role
from workbook.manager.content import REACTION_IDS
from workbook.manager.reaction import RATING_MAX, RATING_MIN, SCOPE
from workbook.models import Answer, Cohort, Participant
from workbook.store import Store, as_utc


def _as_utc_start(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return as_utc(value)
    return as_utc(datetime(value.year, value.month, value.day))


def reaction_summary(
    store: Store,
    cohort: str | Iterable[str] | None = None,
    *,
    start: date | datetime | None = None,
    end: date | datetime | None = None,
    threshold: int | None = None,
) -> dict[str, Any]:
    """Counts per rating level and means of the four reaction ratings, suppressed under the threshold.

    ``cohort`` is one cohort name, several, or None for everyone ("" selects managers without a
    cohort). ``start`` / ``end`` keep ratings whose latest version was saved in that range (a plain
    date as ``end`` includes the whole day). Returns ``threshold``, ``respondents`` (managers with at
    least one rating), ``suppressed`` and ``questions``: per rating id ``n``, ``suppressed``, ``mean``
    and ``counts`` ({level: count}); ``mean`` and ``counts`` are None for a suppressed rating.
    """
    limit = check_threshold(anonymity_threshold() if threshold is None else threshold)
    latest = (
        select(func.max(Answer.id))
        .where(Answer.scope == SCOPE, Answer.key.in_(REACTION_IDS))
        .group_by(Answer.participant_id, Answer.key)
    )
    query = (
        select(Answer.participant_id, Answer.key, Answer.value, Answer.saved_at, Cohort.name)
        .join(Participant, Answer.participant_id == Participant.id)
        .outerjoin(Cohort, Participant.cohort_id == Cohort.id)
        .where(Answer.id.in_(latest), Participant.id.in_(holding_role("manager")))
    )
    with store.read() as session:
        rows = session.execute(query).all()

    wanted: set[str] | None = None
    if cohort is not None:
        wanted = {cohort} if isinstance(cohort, str) else {str(c) for c in cohort}
    low = _as_utc_start(start) if start is not None else None
    if end is None:
        high = None
    elif isinstance(end, datetime):
        high = as_utc(end)
    else:
        high = _as_utc_start(end) + timedelta(days=1) - timedelta(microseconds=1)

    ratings: dict[str, list[int]] = {key: [] for key in REACTION_IDS}
    respondents: set[int] = set()
    for participant_id, key, value, saved_at, cohort_name in rows:
        if wanted is not None and (cohort_name or "") not in wanted:
            continue
        moment = as_utc(saved_at)
        if (low is not None and moment < low) or (high is not None and moment > high):
            continue
        try:
            rating = json.loads(value)
        except ValueError:  # the store only holds checked ratings; skip anything else
            continue
        if isinstance(rating, int) and not isinstance(rating, bool) and RATING_MIN <= rating <= RATING_MAX:
            ratings[key].append(rating)
            respondents.add(participant_id)

    questions: dict[str, Any] = {}
    for key, values in ratings.items():
        n = len(values)
        figures = {
            "n": n,
            "mean": sum(values) / n if n else None,
            "counts": {level: values.count(level) for level in range(RATING_MIN, RATING_MAX + 1)},
        }
        questions[key] = mark(figures, too_few(n, limit))
    return {
        "threshold": limit,
        "respondents": len(respondents),
        "suppressed": too_few(len(respondents), limit) is not None,
        "questions": questions,
    }
