"""Before the next talk: a one-page briefing for each side of a 1:1, as a PDF (`workbook.pdf`), with a
page after it naming every goal with its check-ins, and a calendar file for the next 1:1 (`workbook.ics`)
that carries the 1:1 page's address, never a code.

The briefing holds only what its reader may read: the last 1:1's shared notes and the reader's own private
notes, the open actions, the team member's goals (all of them for the member; for the manager only while
they are shared with them) and what changed since the last 1:1. The calendar file is made only from a
planned date: all day for a date alone, else at the planned time in the zone it was set in; it is the
same file whichever side downloads it, and wherever they are.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import quote

from sqlalchemy import select

from workbook.ics import Attendee, event_file
from workbook.identity import app_address
from workbook.models import OneOnOne, Participant
from workbook.store import Store, as_utc
from workbook.team.conversation import (
    MANAGER,
    MEMBER,
    PRIVATE,
    SHARED,
    Thread,
    notes_in,
    owned_conversation,
)
from workbook.team.items import OWNERS, STATUSES, Item
from workbook.team.plan import Plan
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
    plan: Plan | None  # the next 1:1's
    last_held_on: date | None
    last_shared_notes: str
    last_private_notes: str
    agenda: tuple[str, ...]
    open_actions: tuple[Item, ...]
    goals: tuple[Goal, ...]
    changes: tuple[str, ...]
    names: dict[int, str]
    conversation_id: int = 0  # the next 1:1's
    manager_email: str | None = None
    member_email: str | None = None

    @property
    def next_planned_on(self) -> date | None:
        return self.plan.day if self.plan else None

    @property
    def title(self) -> str:
        return f"Before your next 1:1: {self.member_name} and {self.manager_name}"


def page_address(thread: Thread) -> str:
    """The 1:1 page's address for the reader of ``thread``: with the team member's pid for a manager (who
    may have several reports), never an access code (each person signs in with their own)."""
    base = app_address(APP)
    return f"{base}?member={quote(thread.member_pid, safe='')}" if thread.side == MANAGER else base


def shared_address(thread: Thread) -> str:
    """The 1:1 page's address that opens this series for both sides (the team member's own pid opens her
    own 1:1s): what the calendar file carries, so it is the same file whoever downloads it."""
    return f"{app_address(APP)}?member={quote(thread.member_pid, safe='')}"


def plan_text(plan: Plan | None) -> str:
    """The next 1:1's date, and time with the zone it was set in, or that none is planned."""
    if plan is None:
        return "No date planned yet"
    if plan.time and plan.time_zone:
        return f"{_day(plan.day)} at {plan.time} ({plan.time_zone} time)"
    return _day(plan.day)


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
        row = session.get(OneOnOne, state.conversation_id)
        emails = dict(
            session.execute(
                select(Participant.id, Participant.email).where(
                    Participant.id.in_([thread.member_id, row.manager_id if row else None])
                )
            ).all()
        )
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
        plan=state.plan,
        last_held_on=last_day,
        last_shared_notes=last_shared,
        last_private_notes=last_private,
        agenda=tuple(agenda),
        open_actions=tuple(a for a in state.actions if a.is_open),
        goals=tuple(goals),
        changes=tuple(_changes(state, since, shared_changed)),
        names=state.names,
        conversation_id=state.conversation_id,
        manager_email=emails.get(row.manager_id) if row and row.manager_id else None,
        member_email=emails.get(thread.member_id),
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
        ("Next 1:1", [plan_text(brief.plan)]),
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
            [goal_line(g) for g in brief.goals]
            or ["No goals " + ("written yet." if brief.side == MEMBER else "shared with you.")],
        ),
        ("What changed since the last 1:1", [_cut(line) for line in brief.changes[:CHANGES_ON_PAGE]]),
    ]
    goal_pages = goal_record(brief)
    everything = brief.title + brief.reader + "".join(line for _, lines in sections for line in lines)
    everything += "".join(line for _, lines in goal_pages for line in lines)
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
    if goal_pages:  # every goal with every check-in, on the pages after the briefing
        pdf.set_auto_page_break(auto=True, margin=MARGIN)
        pdf.add_page()
        shown = GOALS_TITLE + ("" if brief.side == MEMBER else " (as shared with you)")
        write_text(pdf, shown, 13, "B", line=7)
        for heading, lines in goal_pages:
            pdf.ln(1.5)
            write_text(pdf, heading, 11, "B", line=5.5)
            for line in lines:
                write_text(pdf, line, SMALL, line=LINE)
    return bytes(pdf.output())


GOALS_TITLE = "Every goal and its check-ins"
GOAL_TITLE_ON_PAGE = 70  # characters of a goal's title in the one-page summary


def goal_line(goal: Goal) -> str:
    """A goal in the one-page summary: its number, its title (cut short, never its dates), its target
    date in full and how it is going."""
    title = goal.goal
    if len(title) > GOAL_TITLE_ON_PAGE:
        title = title[:GOAL_TITLE_ON_PAGE].rstrip() + "…"
    target = f"target {goal.target}" if goal.target_date else "no target date"
    latest = goal.checkins[-1] if goal.checkins else None
    said = f"{latest.status_label} on {_day(latest.recorded_at.date())}" if latest else "no check-in yet"
    return f"Goal {goal.number}: {title} ({target}; {said})"


def goal_record(brief: Briefing) -> list[tuple[str, list[str]]]:
    """Every goal the reader may read, each with its measure, its target date and every check-in with
    its date, in full."""
    record = []
    for goal in brief.goals:
        lines = [f"Target date: {goal.target}" if goal.target_date else "Target date: none set"]
        if goal.measure:
            lines.append(f"Measure: {goal.measure}")
        for checkin in goal.checkins:
            percent = f", {checkin.progress}%" if checkin.progress is not None else ""
            note = f": {checkin.note}" if checkin.note else ""
            lines.append(f"•  {_day(checkin.recorded_at.date())}: {checkin.status_label}{percent}{note}")
        if not goal.checkins:
            lines.append("No check-in yet.")
        record.append((f"Goal {goal.number}: {goal.goal}", lines))
    return record


def briefing_filename(brief: Briefing) -> str:
    """Named after the pair ("1-1-briefing-tia-lukasz-and-max.pdf"), whichever side downloads it."""
    from workbook.text import slugify

    pair = slugify(f"{brief.member_name} and {brief.manager_name}", max_length=60, default="1-1")
    return f"1-1-briefing-{pair}.pdf"


def calendar_filename(brief: Briefing) -> str:
    from workbook.text import slugify

    pair = slugify(f"{brief.member_name} and {brief.manager_name}", max_length=60, default="1-1")
    day = brief.plan.day.isoformat() if brief.plan else "unplanned"
    return f"1-1-{pair}-{day}.ics"


MEETING = timedelta(minutes=60)


def next_conversation_ics(brief: Briefing, thread: Thread) -> str | None:
    """The calendar file of the next 1:1, made only from its planned date (None while none is set): all
    day for a date alone, else an hour from the planned time in the zone it was set in (``DTSTART;TZID=``
    with its VTIMEZONE). The same file whichever side downloads it and wherever they are: one address of
    the 1:1 page (never a code), the UID of this 1:1, the DTSTAMP of when the plan was set, and the
    manager as ORGANIZER when they have an email (`workbook.ics`'s rule)."""
    plan = brief.plan
    if plan is None:
        return None
    address = shared_address(thread)
    uid = hashlib.sha256(f"{thread.member_pid}\n{brief.conversation_id}".encode()).hexdigest()[:20]
    description = "\n\n".join(
        [
            f"Career 1:1 of {brief.member_name} with {brief.manager_name}.",
            f"Open the 1:1 page: {address} (sign in with your own access code).",
            "Open actions:\n" + ("\n".join(f"- {action_line(a)}" for a in brief.open_actions) or "- none"),
        ]
    )
    start = plan.start
    return event_file(
        "1:1 page",
        uid=f"one-on-one-{uid}@career-workbook",
        stamp=plan.set_at,
        start=start or plan.day,
        end=start + MEETING if start else plan.day + timedelta(days=1),
        summary=f"Career 1:1: {brief.member_name} and {brief.manager_name}",
        description=description,
        url=address,
        organizer=Attendee(brief.manager_name, brief.manager_email),
        attendee=Attendee(brief.member_name, brief.member_email),
    )
