"""What a person shares, read the same way for every reader (their facilitator, their manager).

Every shareable item has a visibility: the latest `Visibility` row of the item counts, else the content's
default level. The readers (`workbook.facilitator.shared`, `workbook.team.sharing`) decide who may read
whose items; the rule for what an item's level is now, and the bulk reads of levels and latest answers,
live here once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from workbook import content
from workbook.models import Answer, Visibility
from workbook.preparation import SCOPE as PREP_SCOPE
from workbook.preparation import section_entries
from workbook.store import SavedAnswer, as_utc

COMMENT_SCOPE, COMMENT_ITEM = "reaction", "comment"  # the manager's comment on the programme

Levels = dict[tuple[int, str, str], tuple[str, datetime]]


@dataclass(frozen=True)
class Shareable:
    """A kind of item people can share: where it is stored and how it reads."""

    kind: str
    scope: str
    item: str
    title: str
    owner_role: str  # the role whose holders have this item
    default_level: str
    entries: Callable[[dict[str, SavedAnswer]], list[tuple[str, str]]]
    keys: Callable[[str], bool]  # which answer keys of the scope belong to the item


@cache
def shareables() -> tuple[Shareable, ...]:
    """Every shareable item: each preparation section, and the manager's comment on the programme."""
    from workbook.manager.content import instrument

    found = []
    for section in content.preparation().sections:
        found.append(
            Shareable(
                "section",
                PREP_SCOPE,
                section.id,
                f"Preparation: {section.title}",
                "team_member",
                section.default_visibility,
                lambda answers, s=section: [(e.question, e.answer) for e in section_entries(s, answers)],
                lambda key, s=section: key.startswith(f"{s.id}."),
            )
        )
    label = instrument().reaction.comment.label
    found.append(
        Shareable(
            "comment",
            COMMENT_SCOPE,
            COMMENT_ITEM,
            "Comment on the programme",
            "manager",
            "private",
            lambda answers: (
                [(label, text)]
                if (a := answers.get(COMMENT_ITEM)) and isinstance(text := a.value, str) and text.strip()
                else []
            ),
            lambda key: key == COMMENT_ITEM,
        )
    )
    return tuple(found)


def shareable(scope: str, item: str) -> Shareable | None:
    return next((s for s in shareables() if s.scope == scope and s.item == item), None)


def chunks(ids: Iterable[int], size: int = 900) -> Iterable[list[int]]:
    """Ids in slices small enough for one SQL `IN` list."""
    listed = sorted(ids)
    for start in range(0, len(listed), size):
        yield listed[start : start + size]


def latest_levels(session: Session, ids: set[int], scopes: set[str]) -> Levels:
    """The latest visibility (level, when set) of each item of these people in these scopes."""
    found: Levels = {}
    for chunk in chunks(ids):
        latest = (
            select(func.max(Visibility.id))
            .where(Visibility.participant_id.in_(chunk), Visibility.scope.in_(scopes))
            .group_by(Visibility.participant_id, Visibility.scope, Visibility.section)
        )
        for pk, scope, section, level, changed in session.execute(
            select(
                Visibility.participant_id,
                Visibility.scope,
                Visibility.section,
                Visibility.level,
                Visibility.changed_at,
            ).where(Visibility.id.in_(latest))
        ):
            found[(pk, scope, section)] = (level, as_utc(changed))
    return found


def level_of(levels: Levels, owner_id: int, place: Shareable) -> tuple[str, datetime | None]:
    """An item's level now and since when: its latest visibility row, else the content's default
    (then "since" is None: it was never chosen)."""
    return levels.get((owner_id, place.scope, place.item), (place.default_level, None))


def latest_answers(
    session: Session, pairs: set[tuple[int, str]]
) -> dict[tuple[int, str], dict[str, SavedAnswer]]:
    """The latest version of every answer in these (person, scope) pairs."""
    found: dict[tuple[int, str], dict[str, SavedAnswer]] = {}
    by_scope: dict[str, set[int]] = {}
    for pk, scope in pairs:
        by_scope.setdefault(scope, set()).add(pk)
    for scope, ids in by_scope.items():
        for chunk in chunks(ids):
            latest = (
                select(func.max(Answer.id))
                .where(Answer.participant_id.in_(chunk), Answer.scope == scope)
                .group_by(Answer.participant_id, Answer.key)
            )
            for pk, key, value, saved in session.execute(
                select(Answer.participant_id, Answer.key, Answer.value, Answer.saved_at).where(
                    Answer.id.in_(latest)
                )
            ):
                found.setdefault((pk, scope), {})[key] = SavedAnswer(json.loads(value), as_utc(saved))
    return found


def latest_item_answers(
    session: Session, owner_id: int, scope: str, items: Iterable[str]
) -> dict[str, SavedAnswer]:
    """The latest version of the answers of these items only (keys "<item>.<part>") of one person: a
    reader's kernel never loads the answers of an item that is not shared with it."""
    wanted = sorted(set(items))
    if not wanted:
        return {}
    belongs = or_(*(Answer.key.like(f"{item}.%") for item in wanted))
    latest = (
        select(func.max(Answer.id))
        .where(Answer.participant_id == owner_id, Answer.scope == scope, belongs)
        .group_by(Answer.key)
    )
    found: dict[str, SavedAnswer] = {}
    for key, value, saved in session.execute(
        select(Answer.key, Answer.value, Answer.saved_at).where(Answer.id.in_(latest))
    ):
        if key.split(".", 1)[0] in wanted:  # LIKE reads "_" as any character: keep exact items only
            found[key] = SavedAnswer(json.loads(value), as_utc(saved))
    return found
