"""Before the next talk: a one-page briefing for each side of a 1:1, as a PDF (`workbook.pdf`), and a
calendar file for the next 1:1 (`workbook.ics`) that carries the 1:1 page's address, never a code.

The briefing holds only what its reader may read: the last 1:1's shared notes and the reader's own private
notes, the open actions, the team member's goals (all of them for the member; for the manager only while
they are shared with them) and what changed since the last 1:1.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

from workbook.ics import calendar, ics_escape
from workbook.identity import app_address
from workbook.models import OneOnOne
from workbook.store import Store, as_utc, utcnow
from workbook.team.conversation import MANAGER, MEMBER, PRIVATE, SHARED, Thread, notes_in, owned_conversation
from workbook.team.items import OWNERS, STATUSES, Item
from workbook.team.shared_prep import Goal, goals_of
from workbook.team.snapshot import ConversationState, read_state

APP = "conversation"
NOTES_ON_PAGE = 700  # characters of each kind of notes that fit on the one page
NOTE_LINES = 8
LINE_ON_PAGE = 150  # characters of one listed item
ACTIONS_ON_PAGE = 8
CHANGES_ON_PAGE = 6
CUT = " […] (the rest is on the 1:1 page)"


@dataclass(frozen=True)
class Briefing:
    """What one side reads before the next 1:1."""

    reader: str
    side: str
    member_name: str
    manager_name: str
    member_pid: str
    next_planned_on: date | None
    last_held_on: date | None
    last_shared_notes: str
    last_private_notes: str
    agenda: tuple[str, ...]
    open_actions: tuple[Item, ...]
    goals: tuple[Goal, ...]
    changes: tuple[str, ...]
    names: dict[int, str]

    @property
    def title(self) -> str:
        return f"Before your next 1:1: {self.member_name} and {self.manager_name}"


def page_address(thread: Thread) -> str:
    """The 1:1 page's address for the reader of ``thread``: with the team member's pid for a manager (who
    may have several reports), never an access code (each person signs in with their own)."""
    base = app_address(APP)
    return f"{base}?member={quote(thread.member_pid, safe='')}" if thread.side == MANAGER else base


def _day(moment: date) -> str:
    return f"{moment.strftime('%A')} {moment.day} {moment.strftime('%B %Y')}"


def _changes(state: ConversationState, since: datetime | None, shared_changed: list[str]) -> list[str]:
    if since is None:
        return ["This is your first 1:1 in the workbook."]
    lines = [
        f"{a.text}: now {STATUSES[a.status].lower()}"
        for a in state.actions
        if a.changed_at > since and not a.is_open
    ]
    lines += [f"New action: {a.text}" for a in state.actions if a.added_at > since and a.is_open]
    lines += [f"Preparation updated: {title}" for title in shared_changed]
    return lines or ["Nothing has changed since the last 1:1."]


def briefing(store: Store, thread: Thread) -> Briefing:
    """The reader's briefing for the series' next 1:1 (NotAllowed if they may no longer read it)."""
    state = read_state(store, thread)
    with store.read() as session:
        last_shared = last_private = ""
        since: datetime | None = None
        last_day = state.past[0][1] if state.past else None
        if state.past:
            last_id = state.past[0][0]
            owned_conversation(session, thread, last_id)
            last_shared = notes_in(session, thread, last_id, SHARED).text
            last_private = notes_in(session, thread, last_id, PRIVATE).text
            current = session.get(OneOnOne, state.conversation_id)
            since = as_utc(current.opened_at) if current else None  # opened when the last was recorded
        goals = goals_of(session, thread.member_id, shared_only=thread.side == MANAGER)
    shared_changed = [
        s.title
        for s in state.shared_preparation
        if since is not None and s.changed_at is not None and s.changed_at > since
    ]
    agenda = [f"{s.title} (shared preparation)" for s in state.shared_preparation]
    agenda += [item.text for item in state.agenda]
    reader = state.member_name if thread.side == MEMBER else state.manager_name
    return Briefing(
        reader=reader,
        side=thread.side,
        member_name=state.member_name,
        manager_name=state.manager_name,
        member_pid=thread.member_pid,
        next_planned_on=state.planned_on,
        last_held_on=last_day,
        last_shared_notes=last_shared,
        last_private_notes=last_private,
        agenda=tuple(agenda),
        open_actions=tuple(a for a in state.actions if a.is_open),
        goals=tuple(goals),
        changes=tuple(_changes(state, since, shared_changed)),
        names=state.names,
    )


def _cut(text: str, limit: int = LINE_ON_PAGE, lines: int = 2) -> str:
    """At most ``limit`` characters and ``lines`` lines of ``text``, saying so when it was cut."""
    kept = text.strip().splitlines()
    short = "\n".join(kept[:lines])
    return short if len(short) <= limit and len(kept) <= lines else short[:limit].rstrip() + CUT


def action_line(action: Item) -> str:
    due = f"due {_day(action.due_on)}" if action.due_on else "no due date"
    owner = OWNERS.get(action.owner or "", "owner unknown")
    return f"{action.text} ({owner}, {due}, {STATUSES[action.status].lower()})"


SMALL, LINE = 9.5, 4.4  # the body's size and line height in points and mm
MORE = "(More on the 1:1 page.)"
# Room for each section's lines (mm), in the order of the page: with the headings it fills one A4 page.
SECTION_MM = (10, 28, 36, 34, 38, 16, 20)


def _fit(pdf: object, text: str, room: float) -> str:
    """The longest start of ``text``, cut at a word, that fits in ``room`` mm ("" when nothing does)."""
    from workbook.pdf import text_height

    words = text.split(" ")
    low, high = 0, len(words)
    while low < high:  # the most words whose height fits
        middle = (low + high + 1) // 2
        if text_height(pdf, " ".join(words[:middle]) + " …", SMALL, line=LINE) <= room:  # type: ignore[arg-type]
            low = middle
        else:
            high = middle - 1
    return " ".join(words[:low]) + " …" if low else ""


def briefing_pdf(brief: Briefing) -> bytes:
    """The briefing as one A4 page: every text as written (a PDF shows text, it never runs it), long notes
    cut to fit with a note saying where the rest is."""
    from workbook.pdf import MARGIN, DocumentPDF, text_height, write_text

    sections: list[tuple[str, list[str]]] = [
        ("Next 1:1", [_day(brief.next_planned_on) if brief.next_planned_on else "No date planned yet"]),
        ("Agenda so far", [_cut(item) for item in brief.agenda[:6]] or ["Nothing on the agenda yet."]),
        (
            "Last 1:1's shared notes" + (f" ({_day(brief.last_held_on)})" if brief.last_held_on else ""),
            [_cut(brief.last_shared_notes, NOTES_ON_PAGE, NOTE_LINES) or "No shared notes from a past 1:1."],
        ),
        (
            "Your private notes from it (only you see these)",
            [
                _cut(brief.last_private_notes, NOTES_ON_PAGE, NOTE_LINES)
                or "No private notes from a past 1:1."
            ],
        ),
        (
            "Open actions",
            [_cut(action_line(a)) for a in brief.open_actions[:ACTIONS_ON_PAGE]] or ["No open actions."],
        ),
        (
            "Goals and progress" + ("" if brief.side == MEMBER else " (as shared with you)"),
            [
                _cut(f"{g.goal}: {g.progress}" + (f" (target {g.target_date})" if g.target_date else ""))
                for g in brief.goals[:3]
            ]
            or ["No goals " + ("written yet." if brief.side == MEMBER else "shared with you.")],
        ),
        ("What changed since the last 1:1", [_cut(line) for line in brief.changes[:CHANGES_ON_PAGE]]),
    ]
    everything = brief.title + brief.reader + "".join(line for _, lines in sections for line in lines)
    pdf = DocumentPDF(footer_text="Before your next 1:1", content=everything + MORE)
    pdf.set_title(brief.title)
    pdf.set_creator("Career workbook")
    pdf.set_lang("en")
    pdf.set_auto_page_break(auto=False)  # one page: what does not fit is left to the 1:1 page
    pdf.add_page()
    bottom = pdf.h - MARGIN
    write_text(pdf, brief.title, 15, "B", line=7)
    write_text(
        pdf, f"For {brief.reader}. It holds your private notes: keep it to yourself.", 8.5, "I", color=90
    )
    for number, (heading, lines) in enumerate(sections):
        later = len(sections) - number - 1  # keep room for a heading and a line of every later section
        pdf.ln(1.5)
        write_text(pdf, heading, 11.5, "B", line=6)
        end = pdf.get_y() + SECTION_MM[number]
        for line in lines:
            text = f"•  {line}" if len(lines) > 1 else line
            room = min(end, bottom - later * 12) - pdf.get_y() - LINE
            if text_height(pdf, text, SMALL, line=LINE) > room:
                text = _fit(pdf, text, room)
                if text:
                    write_text(pdf, text, SMALL, line=LINE)
                write_text(pdf, MORE, SMALL, "I", color=90, line=LINE)
                break
            write_text(pdf, text, SMALL, line=LINE)
    return bytes(pdf.output())


def briefing_filename(brief: Briefing) -> str:
    from workbook.text import slugify

    who = slugify(brief.member_name if brief.side == MANAGER else "my", default="team-member")
    return f"1-1-briefing-{who}.pdf"


def next_conversation_ics(brief: Briefing, thread: Thread, *, now: datetime | None = None) -> str:
    """A calendar file for the next 1:1: on its planned date (all day, as no time is set), or a week from
    now when none is planned, with the 1:1 page's address (never a code) as its URL and in its description."""
    address = page_address(thread)
    day = brief.next_planned_on or ((now or utcnow()).astimezone(UTC).date() + timedelta(days=7))
    stamp = (now or utcnow()).strftime("%Y%m%dT%H%M%SZ")
    uid = hashlib.sha256(f"{thread.member_pid}\n{thread.side}".encode()).hexdigest()[:20]
    other = brief.manager_name if brief.side == MEMBER else brief.member_name
    description = "\n\n".join(
        [
            f"Career 1:1 of {brief.member_name} with {brief.manager_name}.",
            f"Open the 1:1 page: {address} (sign in with your own access code).",
            "Open actions:\n" + ("\n".join(f"- {action_line(a)}" for a in brief.open_actions) or "- none"),
        ]
    )
    event = [
        f"UID:one-on-one-{uid}@career-workbook",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
        "SUMMARY:" + ics_escape(f"Career 1:1 with {other}"),
        "DESCRIPTION:" + ics_escape(description),
        "URL:" + ics_escape(address),
    ]
    return calendar("1:1 page", event)
