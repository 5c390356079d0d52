"""The conversation planner: the manager's private plan for each career conversation ahead.

One entry per planned conversation, stored as an answer in the scope "planner" whose key is the entry's
slug id; editing adds a version and deleting records a tombstone, so history is kept. A time is stored with
the IANA time zone of whoever set it, so the entry means the same moment whoever reads it. From an entry the
manager can download a calendar file (`workbook.ics`: the same file whoever downloads it, in the zone it
was planned in) carrying the preparation outline for the team member, and print the whole plan.

The invitation goes to the team member, so by default it carries only the alias, the date and the
outline: the manager's own questions and support ideas stay out unless they ask for them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from workbook.config import default_time_zone
from workbook.content import Preparation, preparation
from workbook.ics import EMAIL as _EMAIL
from workbook.ics import Attendee, event_file, zoned
from workbook.identity import Person
from workbook.manager.behaviour import EARLIEST, clean_alias
from workbook.store import Store, utcnow
from workbook.text import md_inline, md_line, slugify
from workbook.validation import (
    LATEST_DATE,
    InputError,
    clean_choice,
    clean_date,
    clean_text,
    clean_time,
    clean_time_zone,
)

SCOPE = "planner"
SEND_AHEAD: dict[str, str] = {
    "link": "a link to the preparation workbook",
    "outline": "the preparation outline",
    "both": "the preparation outline and a link to the preparation workbook",
}
NOTES_MAX = 4000
LATEST = LATEST_DATE
DURATION = timedelta(minutes=30)
ENTRY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


@dataclass(frozen=True)
class PlanItem:
    id: str
    alias: str
    proposed_on: date
    time: str | None  # "HH:MM", local time; None for an all-day entry
    send_ahead: str
    questions: str
    support_ideas: str
    saved_at: datetime | None = None
    member: str | None = None  # the pid of the manager's team member it is with, when they chose one
    time_zone: str | None = None  # the IANA zone ``time`` was set in (None: no time, or set before zones)

    @property
    def zone(self) -> str:
        """The zone the time means: as stored, else (an entry saved before zones were kept) the default."""
        return self.time_zone or default_time_zone().key


MEMBER_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


def team_members(store: Store, manager: Person) -> dict[str, Attendee]:
    """The manager's own team members (their reports in the store) who have a usable email, by pid."""
    from sqlalchemy import select

    from workbook.models import Participant

    with store.read() as session:
        rows = session.execute(
            select(Participant.pid, Participant.name, Participant.email)
            .where(Participant.manager_id == manager.id)
            .order_by(Participant.name)
        ).all()
    return {pid: Attendee(name, email) for pid, name, email in rows if email and _EMAIL.fullmatch(email)}


PLAN_PARTS: dict[str, str] = {
    "alias": "Team member (alias)",
    "proposed_on": "Proposed date",
    "time": "Time",
    "send_ahead": "Send ahead",
    "questions": "Questions to explore",
    "support_ideas": "Support ideas",
    "member": "Invite",
}


def clean_plan_part(part: str, value: Any) -> Any:
    """One part of a planned conversation as it is stored, or InputError naming the part; each part
    is checked on its own so that the page can keep the good ones when one is wrong."""
    label = PLAN_PARTS[part]
    if part == "alias":
        return clean_alias(label, value)
    if part == "proposed_on":
        return clean_date(label, value, earliest=EARLIEST, latest=LATEST).isoformat()
    if part == "time":
        return clean_time(label, value)
    if part == "send_ahead":
        return clean_choice(label, value, SEND_AHEAD)
    if part == "member":
        if value is None or value == "":
            return None
        if not isinstance(value, str) or not MEMBER_ID.fullmatch(value):
            raise InputError(f"{label}: choose one of your team members, or nobody")
        return value
    return clean_text(label, value, max_length=NOTES_MAX)


def _raw_entries(store: Store, person: Person) -> dict[str, Any]:
    return store.current_answers(person.id, SCOPE)


def save_plan_entry(
    store: Store,
    person: Person,
    alias: str,
    proposed_on: date | str,
    send_ahead: str = "both",
    questions: str = "",
    support_ideas: str = "",
    *,
    start_time: time | str | None = None,
    entry_id: str | None = None,
    member: str | None = None,
    time_zone: str | None = None,
) -> PlanItem:
    """Create (no `entry_id`) or update (an existing `entry_id`) one planned conversation.

    InputError, nothing stored, for an empty or over-long alias, a date that cannot be read or is not between
    2000 and 2100, a time that is not HH:MM, `send_ahead` not one of link/outline/both, notes over
    4000 characters, an `entry_id` that is not one of this manager's entries, or a `member` who is
    not one of the manager's team members with an email.

    ``time_zone``: the IANA zone of the manager's browser as they save. A time is stored with the zone it
    was set in: a changed time takes ``time_zone`` (the default zone when None); an unchanged one keeps
    its zone, so editing the questions from another zone never moves the conversation. InputError for a
    name that is no time zone.
    """
    record = {
        "alias": clean_plan_part("alias", alias),
        "proposed_on": clean_plan_part("proposed_on", proposed_on),
        "time": clean_plan_part("time", start_time),
        "send_ahead": clean_plan_part("send_ahead", send_ahead),
        "questions": clean_plan_part("questions", questions),
        "support_ideas": clean_plan_part("support_ideas", support_ideas),
        "member": clean_plan_part("member", member),
    }
    if record["member"] is not None and record["member"] not in team_members(store, person):
        raise InputError(f"{PLAN_PARTS['member']}: choose one of your team members, or nobody")
    zone = default_time_zone().key if time_zone is None else clean_time_zone("Time zone", time_zone)
    existing = _raw_entries(store, person)
    before = existing.get(entry_id).value if isinstance(entry_id, str) and entry_id in existing else {}
    if record["time"] is not None:
        same_time = before.get("time") == record["time"] and before.get("time_zone")
        record["time_zone"] = before["time_zone"] if same_time else zone
    if entry_id is None:
        base = slugify(record["alias"], default="entry")
        entry_id, n = base, 1
        while (
            entry_id in existing
        ):  # tombstoned ids stay taken, so their history never mixes with a new entry
            n += 1
            entry_id = f"{base}-{n}"
    elif not isinstance(entry_id, str) or not ENTRY_ID.match(entry_id) or entry_id not in existing:
        raise InputError(f"Plan entry: {entry_id!r} is not one of your planned conversations")
    saved_at = store.save_answer(person.id, SCOPE, entry_id, record)
    return _item(entry_id, record, saved_at)


def _item(entry_id: str, record: dict[str, Any], saved_at: datetime | None) -> PlanItem:
    return PlanItem(
        entry_id,
        record["alias"],
        date.fromisoformat(record["proposed_on"]),
        record.get("time"),
        record["send_ahead"],
        record["questions"],
        record["support_ideas"],
        saved_at,
        record.get("member"),
        record.get("time_zone") if record.get("time") else None,
    )


def plan_entries(store: Store, person: Person) -> list[PlanItem]:
    """The manager's live planned conversations, soonest first (deleted ones left out)."""
    items = [
        _item(key, saved.value, saved.saved_at)
        for key, saved in _raw_entries(store, person).items()
        if not saved.value.get("deleted")
    ]
    return sorted(items, key=lambda i: (i.proposed_on, i.time or "", i.alias.lower(), i.id))


def delete_plan_entry(store: Store, person: Person, entry_id: str) -> None:
    """Remove an entry from the plan by recording a tombstone (earlier versions stay in the history)."""
    existing = _raw_entries(store, person)
    if not isinstance(entry_id, str) or entry_id not in existing or existing[entry_id].value.get("deleted"):
        raise InputError(f"Plan entry: {entry_id!r} is not one of your planned conversations")
    store.save_answer(person.id, SCOPE, entry_id, {"deleted": True})


def restore_plan_entry(store: Store, person: Person, entry_id: str) -> PlanItem:
    """Bring a deleted entry back as it was just before it was deleted (the undo of a delete).

    InputError for an id that is not one of this manager's deleted entries."""
    existing = _raw_entries(store, person)
    deleted = isinstance(entry_id, str) and entry_id in existing and existing[entry_id].value.get("deleted")
    if not deleted:
        raise InputError(f"Plan entry: {entry_id!r} is not a conversation you deleted")
    history = store.answer_history(person.id, SCOPE, entry_id)
    last = next(saved.value for saved in reversed(history) if not saved.value.get("deleted"))
    moment = store.save_answer(person.id, SCOPE, entry_id, last)
    return _item(entry_id, last, moment)


# -- the preparation outline ----------------------------------------------------------------------------
def preparation_outline(prep: Preparation | None = None) -> str:
    """The team member's preparation as plain text: section titles and their questions."""
    prep = prep or preparation()
    lines = [prep.title]
    for section in prep.sections:
        lines += ["", section.title]
        lines += [f"- {f.label}" for f in section.fields]
        if section.goals is not None:
            parts = "; ".join(f.label for f in section.goals.fields)
            lines.append(
                f"- Choose {section.goals.recommended_min} or {section.goals.max} goals. For each: {parts}."
            )
    return "\n".join(lines)


# -- calendar file: the rules every calendar file keeps are in workbook.ics ---------------------------------
def _description(
    entry: PlanItem,
    organiser_name: str,
    include_private_notes: bool,
    prep: Preparation | None,
    link: str | None = None,
) -> str:
    paragraphs = [
        f"Career conversation with {entry.alias}, arranged by {organiser_name}.",
        "This conversation is about where you want to grow over the coming years; it is not about a move "
        "next month. It is yours to lead: please prepare using the outline below and bring what you want "
        "to talk about.",
        f"Before we meet you will receive {SEND_AHEAD[entry.send_ahead]}."
        + (
            ""
            if link is None
            else f" The workbook is at {link} (sign in with your own access code; if you have none, ask "
            "your programme facilitator)."
        ),
        preparation_outline(prep),
    ]
    if include_private_notes:
        if entry.questions.strip():
            paragraphs.append("Questions to explore:\n" + entry.questions.strip())
        if entry.support_ideas.strip():
            paragraphs.append("Support ideas:\n" + entry.support_ideas.strip())
    return "\n\n".join(paragraphs)


def to_ics(
    entry: PlanItem,
    organiser_name: str,
    *,
    organiser_email: str | None = None,
    include_private_notes: bool = False,
    now: datetime | None = None,
    prep: Preparation | None = None,
    workbook_address: str | None = None,
    attendee: Attendee | None = None,
) -> str:
    """A calendar file with one event: all day, or 30 minutes from the entry's time in the zone it was
    planned in (``DTSTART;TZID=`` and that zone's VTIMEZONE), so it is the same file whoever downloads it,
    wherever they are. Its DTSTAMP is when the entry was last saved (``now`` for an entry not saved).

    ``workbook_address`` (the preparation workbook's address, never a code) goes in the invitation when
    the entry sends a link ahead. The UID is stable per organiser and entry, so importing an updated
    file replaces the event. ORGANIZER (the manager, with ``organiser_email``) and ATTENDEE (the team
    member, when known to the store with an email) follow `workbook.ics`'s rule for a downloaded file.
    """
    link = workbook_address if workbook_address and entry.send_ahead in ("link", "both") else None
    digest = hashlib.sha256(f"{organiser_name}\n{entry.id}".encode()).hexdigest()[:16]
    start: date | datetime
    if entry.time:
        start = zoned(entry.proposed_on, entry.time, entry.zone)
        end: date | datetime = start + DURATION
    else:
        start, end = entry.proposed_on, entry.proposed_on + timedelta(days=1)
    return event_file(
        "Conversation planner",
        uid=f"{entry.id}-{digest}@career-workbook",
        stamp=entry.saved_at or now or utcnow(),
        start=start,
        end=end,
        summary=f"Career conversation with {entry.alias}",
        description=_description(entry, organiser_name, include_private_notes, prep, link),
        url=link,
        organizer=Attendee(organiser_name, organiser_email),
        attendee=attendee,
    )


# -- the printable plan -----------------------------------------------------------------------------------
def _md_block(text: str) -> str:
    text = text.strip()
    return (
        "\n".join(md_line(line) if line.strip() else "" for line in text.splitlines())
        if text
        else "_None yet._"
    )


def plan_markdown(person_name: str, entries: list[PlanItem]) -> str:
    """The whole plan as a printable Markdown document (everything a person wrote is escaped)."""
    out = [f"# Career conversation plan: {md_inline(person_name)}", ""]
    if not entries:
        out += ["No conversations planned yet.", ""]
    for entry in entries:
        when = entry.proposed_on.strftime("%d %B %Y").lstrip("0") + (
            f", {entry.time} ({entry.zone})" if entry.time else ""
        )
        out += [
            f"## {md_inline(entry.alias)}: {when}",
            "",
            f"**Send ahead:** {SEND_AHEAD[entry.send_ahead]}",
            "",
            "**Questions to explore**",
            "",
            _md_block(entry.questions),
            "",
            "**Support ideas**",
            "",
            _md_block(entry.support_ideas),
            "",
        ]
    return "\n".join(out)
