"""Every table of the store, and whether it holds what a person wrote or scored: the one list that export,
deletion and the retention purge read, so that none of them can miss a table.

A table is one of three things:

- :class:`Written`: rows a person wrote or scored (answers, scores, logged conversations, feedback), tied to
  the person by one or more owner columns. Exported, removed when the person deletes their data, and
  removed by the retention purge once older than the cut-off.
- :class:`Versions`: rows that belong to a row of a `Written` table (its versions, marks on it), tied to the
  person through that parent. They go with their parent.
- :class:`NoContent`: a table that holds nothing a person wrote, with the reason (codes, roles, sign-in
  failures, cohorts...). Kept when a person deletes their data.

A table added to ``models.py`` must get its line in :data:`REGISTRY` (a test fails until it does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Table

from workbook.models import Base

Retention = Literal["every", "superseded", "while_versions"]


@dataclass(frozen=True)
class Written:
    """Rows a person wrote or scored.

    ``owners``: the columns naming the people a row belongs to (it is exported to, and deleted with, each).
    ``when``: the column saying when the row was saved (the retention purge compares it with the cut-off).
    ``retention``: "every" (each row older than the cut-off goes), "superseded" (a setting: an older row
    goes only when a newer one for the same ``key`` columns exists, so the latest choice stays in force),
    or "while_versions" (the row goes once none of its versions is left and it is itself older).
    ``json``: columns holding JSON, decoded in the export."""

    kind: str
    owners: tuple[str, ...]
    when: str
    retention: Retention = "every"
    key: tuple[str, ...] = ()
    json: tuple[str, ...] = ()


@dataclass(frozen=True)
class Versions:
    """Rows belonging to a row of the `Written` table ``parent`` through the column ``link``."""

    kind: str
    parent: str
    link: str
    when: str


@dataclass(frozen=True)
class NoContent:
    """A table with nothing a person wrote or scored; ``why`` says what it holds instead."""

    why: str


Entry = Written | Versions | NoContent

# One line per table. Adding a table to models.py? Add its line here (tests/test_personal_data.py checks).
REGISTRY: dict[str, Entry] = {
    "answers": Written("answers", ("participant_id",), "saved_at", json=("value",)),
    "visibility": Written(
        "who can see each section", ("participant_id",), "changed_at", "superseded", ("scope", "section")
    ),
    "scores": Written("comfort and skill check scores", ("participant_id",), "answered_at"),
    "conversation_log": Written("conversations logged", ("participant_id",), "logged_at", "while_versions"),
    "conversation_log_versions": Versions(
        "versions of logged conversations", "conversation_log", "conversation_id", "changed_at"
    ),
    "facilitator_feedback": Written("facilitator feedback", ("owner_id", "author_id"), "written_at"),
    "facilitator_feedback_seen": Versions(
        "when feedback was seen", "facilitator_feedback", "feedback_id", "seen_at"
    ),
    "goal_checkins": Written("goal check-ins", ("participant_id",), "recorded_at"),
    "one_on_one_notes": Written(
        "1:1 notes (shared and private) each version by its author", ("author_id",), "written_at"
    ),
    "one_on_one_items": Written(
        "1:1 agenda items and actions, each version by its author", ("author_id",), "written_at"
    ),
    "one_on_one_plans": Written("1:1 planned dates set", ("by_id",), "at"),
    "one_on_ones": NoContent(
        "a team member's series of 1:1s: when each opened (what was written is in notes and items)"
    ),
    "one_on_one_held": NoContent("that a 1:1 was held, when, and which log entry it made (no text)"),
    "participants": NoContent("a person's account: name, email, cohort, manager (kept so they can sign in)"),
    "access_codes": NoContent("hashes of access codes (never a code) and when they were made or revoked"),
    "roles": NoContent("which roles a person holds, granted and withdrawn"),
    "sign_in_failures": NoContent("failed sign-ins by a keyed hash of an address, never a person"),
    "cohorts": NoContent("a cohort's name and dates"),
    "workshop_sessions": NoContent("a cohort's workshop days"),
    "wave_events": NoContent(
        "when a wave of the check opened or closed for a cohort, who switched it, and why a wave was "
        "reopened after a later one (a note on the programme's schedule, about no participant)"
    ),
    "manager_changes": NoContent(
        "who reported to whom from when, and who changed it (the organisation's record)"
    ),
    "data_deletions": NoContent("that a deletion or purge happened: who, when, which kinds, how many rows"),
}


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def written_tables() -> dict[str, Written]:
    return {name: entry for name, entry in REGISTRY.items() if isinstance(entry, Written)}


def version_tables() -> dict[str, Versions]:
    return {name: entry for name, entry in REGISTRY.items() if isinstance(entry, Versions)}


def unclassified() -> list[str]:
    """Tables of the store that have no line in :data:`REGISTRY` (must be none)."""
    return sorted(set(Base.metadata.tables) - set(REGISTRY))


def deletion_order(names: list[str]) -> list[str]:
    """``names`` ordered so that a row is deleted before the rows it points at (children first)."""
    order = [t.name for t in reversed(Base.metadata.sorted_tables)]
    return sorted(names, key=order.index)


def kind_of(name: str) -> str:
    entry = REGISTRY[name]
    return entry.kind if not isinstance(entry, NoContent) else name
