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

Text two people write together says how it is shared out, on its `Written` line (``together``), once for
export, deletion and the pages that state the rule (:func:`co_written_rules`):

- :class:`About`: co-written, about one person (the shared notes of a team member's 1:1s, a facilitator's
  feedback on what a participant shared). The rows are that person's whoever saved them: her export lists
  every version and her deletion removes every version; the author's export lists the versions they saved,
  and the author's deletion leaves them, so what the person sees as current never changes.
- :class:`EachAuthor`: each author's text (the agenda topics and actions of a 1:1). A deletion removes the
  deleter's own text from every version, whoever saved it, and never rewinds what the other person sees as
  current: a version the other person saved keeps its state and reads a sentence instead of the text.

A table added to ``models.py`` must get its line in :data:`REGISTRY` (a test fails until it does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Table

from workbook.models import Base

Retention = Literal["every", "superseded", "while_versions"]


@dataclass(frozen=True)
class About:
    """Co-written, about one person: the rows (those whose ``where`` column holds its value, if given; the
    others are their author's own) belong to the person named by ``person``, a column of this table or,
    through ``via``, of the row it points at. ``notify``: the deletion records which rows of ``via``'s
    table lost rows, so the other side can be told (never what they held). ``rule``: the rule in words."""

    person: str
    rule: str
    via: str = ""
    where: tuple[str, str] | None = None
    notify: bool = False


@dataclass(frozen=True)
class EachAuthor:
    """Co-written, each author's text: rows are versions of one item (the ``series`` columns name it), each
    a full copy saved by its author, so the text of a version was written by whoever saved the first version
    of its run of the same text. A deletion removes the deleter's versions, keeps the latest one when
    another person also saved a version (the state they see), and puts ``removed`` (with ``{side}``: whose
    request, the ``member`` column telling the team member from the other side) in place of the deleter's
    text in every version kept. ``rule``: the rule in words."""

    series: tuple[str, ...]
    text: str
    member: str
    rule: str
    removed: str = "text removed at the {side}'s request"
    first: tuple[str, ...] = ()  # columns only an item's first version holds: moved to the first one kept

    def sentence(self, side: str) -> str:
        return self.removed.format(side=side)

    def is_sentence(self, text: object) -> bool:
        return text in {self.sentence("team member"), self.sentence("manager")}


@dataclass(frozen=True)
class Written:
    """Rows a person wrote or scored.

    ``owners``: the columns naming the people a row belongs to (it is exported to, and deleted with, each).
    ``when``: the column saying when the row was saved (the retention purge compares it with the cut-off).
    ``retention``: "every" (each row older than the cut-off goes), "superseded" (a setting: an older row
    goes only when a newer one for the same ``key`` columns exists, so the latest choice stays in force),
    or "while_versions" (the row goes once none of its versions is left and it is itself older).
    ``json``: columns holding JSON, decoded in the export.
    ``together``: for text two people write together, how it is shared out (:class:`About`,
    :class:`EachAuthor`); None: each row is its owners' alone."""

    kind: str
    owners: tuple[str, ...]
    when: str
    retention: Retention = "every"
    key: tuple[str, ...] = ()
    json: tuple[str, ...] = ()
    together: About | EachAuthor | None = None


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
    "facilitator_feedback": Written(
        "facilitator feedback",
        ("owner_id", "author_id"),
        "written_at",
        together=About(
            "owner_id",
            "Feedback a facilitator wrote on what a participant shared is about the participant: it stays, "
            "as written and with the facilitator's name, when the facilitator deletes their data, and every "
            "version goes when the participant deletes theirs.",
        ),
    ),
    "facilitator_feedback_seen": Versions(
        "when feedback was seen", "facilitator_feedback", "feedback_id", "seen_at"
    ),
    "goal_checkins": Written("goal check-ins", ("participant_id",), "recorded_at"),
    "one_on_one_notes": Written(
        "1:1 notes (shared and private), each version with who saved it",
        ("author_id",),
        "written_at",
        together=About(
            "member_id",
            "The shared notes of a team member's 1:1s are about her: her deletion removes every version, "
            "whoever saved it, and her manager is told on his next visit that some notes were deleted at "
            "her request (never what they said); the manager's deletion leaves them as she sees them. "
            "Private notes are their author's alone: the manager's stay when she deletes hers.",
            via="one_on_one_id",
            where=("kind", "shared"),
            notify=True,
        ),
    ),
    "one_on_one_items": Written(
        "1:1 agenda topics and actions, each version with who saved it",
        ("author_id",),
        "written_at",
        together=EachAuthor(
            ("member_id", "item"),
            "text",
            "member_id",
            "Agenda topics and actions are each author's text: a deletion removes the deleter's own text "
            "from every version, whoever saved it, and never changes what the other person sees as "
            "current. An action the team member wrote and her manager updated keeps its owner, status and "
            'due date and reads "text removed at the team member\'s request"; an action her manager wrote '
            "and she set to Done stays Done; the manager's deletion leaves her topics and actions as she "
            "sees them.",
            first=("carried_from",),
        ),
    ),
    "one_on_one_plans": Written("1:1 planned dates and times set, with their time zone", ("by_id",), "at"),
    "one_on_ones": NoContent(
        "a team member's 1:1s: when each opened and the manager it is held with (what was written is in "
        "notes and items)"
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
    "room_releases": NoContent(
        "the room view's charts as shown: counts of at least the threshold of people, never a name or an "
        "answer; kept so that no later chart differs from one shown by fewer"
    ),
    "room_displays": NoContent(
        "a room's display links: a hash (never the link), the cohort, who made it, when it was made, ends "
        "and was ended, and the question shown"
    ),
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


def co_written_rules() -> list[str]:
    """The rules for text written together, in words, as the registry states them (the delete dialog and
    the privacy page show these)."""
    return [
        entry.together.rule
        for entry in REGISTRY.values()
        if isinstance(entry, Written) and entry.together is not None
    ]


def kind_of(name: str) -> str:
    entry = REGISTRY[name]
    return entry.kind if not isinstance(entry, NoContent) else name
