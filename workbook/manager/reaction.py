"""The manager's reaction to the programme (Kirkpatrick level 1): four ratings and a comment.

Ratings and the comment are answers in the scope "reaction" (history kept, latest counts). The comment
is private unless its author shares it with the facilitator; evaluators never see comments at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral
from typing import Any

from workbook.identity import Person
from workbook.manager.content import REACTION_IDS, instrument
from workbook.store import Store
from workbook.validation import InputError, clean_choice, clean_text

SCOPE = "reaction"
COMMENT = "comment"
COMMENT_MAX = 2000
COMMENT_VISIBILITY = ("private", "facilitator")
RATING_MIN, RATING_MAX = 1, 5


@dataclass(frozen=True)
class ReactionAnswers:
    ratings: dict[str, int]
    comment: str
    visibility: str


def clean_ratings(ratings: Any) -> dict[str, int]:
    """{question id: 1-5}; InputError listing every unknown question or bad value."""
    if not isinstance(ratings, Mapping):
        raise InputError("reaction: expected ratings as {question: rating}")
    problems = []
    cleaned: dict[str, int] = {}
    for key, value in ratings.items():
        if key not in REACTION_IDS:
            problems.append(f"{key!r} is not a reaction question")
        elif (
            isinstance(value, bool)
            or not isinstance(value, Integral)
            or not RATING_MIN <= value <= RATING_MAX
        ):
            problems.append(
                f"{key}: expected a whole number from {RATING_MIN} to {RATING_MAX}, got {value!r}"
            )
        else:
            cleaned[key] = int(value)
    if problems:
        raise InputError("reaction: " + "; ".join(problems))
    return cleaned


def clean_comment(comment: Any) -> str:
    """The free-text comment on the programme, checked on its own."""
    return clean_text(instrument().reaction.comment.label, comment, max_length=COMMENT_MAX)


def save_reaction(
    store: Store,
    person: Person,
    ratings: Mapping[str, int],
    comment: str | None = None,
    visibility: str = "private",
) -> ReactionAnswers:
    """Record some or all ratings, the comment (None leaves it as it is) and who may see the comment.

    Everything is checked before anything is written; InputError names the first bad field group.
    Returns the reaction as it now stands.
    """
    cleaned = clean_ratings(ratings)
    text = None if comment is None else clean_comment(comment)
    level = clean_choice("Who can see your comment", visibility, COMMENT_VISIBILITY)
    for key, value in cleaned.items():
        store.save_answer(person.id, SCOPE, key, value)
    current = my_reaction(store, person)
    if text is not None and text != current.comment:
        store.save_answer(person.id, SCOPE, COMMENT, text)
    if level != current.visibility:
        store.set_visibility(person.id, SCOPE, COMMENT, level)
    return my_reaction(store, person)


def my_reaction(store: Store, person: Person) -> ReactionAnswers:
    """The manager's own current reaction (ratings, comment, comment visibility)."""
    answers = store.current_answers(person.id, SCOPE)
    ratings = {key: answers[key].value for key in REACTION_IDS if key in answers}
    comment = answers[COMMENT].value if COMMENT in answers else ""
    visibility = store.visibilities(person.id, SCOPE).get(COMMENT, "private")
    return ReactionAnswers(ratings, comment, visibility)
