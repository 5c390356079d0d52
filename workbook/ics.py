"""Calendar files (RFC 5545) written by hand (no iCalendar library is installed): the escaping and folding
every invitation the workbook makes shares (the manager's planner, the 1:1 page), so that a name or a note
someone typed can never end a line or add a property of its own."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

ICS_LINE_OCTETS = 75
# An address we are willing to write after "mailto:" in a calendar file: nothing that could end the
# line or the property (no spaces, quotes, colons, semicolons or commas).
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")
# Characters some readers take for the end of a line besides CR and LF.
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Attendee:
    """A person known to the store, to invite by email."""

    name: str
    email: str


def ics_escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks (every kind a
    reader might break a line at); other control characters are dropped."""
    text = _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text.replace("\t", " ")))
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ics_param(text: str) -> str:
    """A parameter value (such as a name in CN=) quoted, with RFC 6868's escapes for a caret, a line
    break and a double quote, and every other control character dropped: a name cannot end the line
    or the parameter, so it cannot add a property of its own."""
    text = _LINE_BREAKS.sub("\n", text)
    text = text.replace("^", "^^").replace("\n", "^n").replace('"', "^'")
    return '"' + _CONTROLS.sub("", "".join(c for c in text if c >= " ")) + '"'


def ics_attendee(attendee: Attendee) -> str | None:
    """The ATTENDEE line for a person, or None when their address cannot be written safely."""
    if not EMAIL.fullmatch(attendee.email):
        return None
    return f"ATTENDEE;CN={ics_param(attendee.name)};ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:{attendee.email}"


def ics_fold(line: str) -> str:
    """Fold a content line so no physical line exceeds 75 octets (RFC 5545 3.1), never splitting a
    UTF-8 character; continuation lines start with one space."""
    if len(line.encode("utf-8")) <= ICS_LINE_OCTETS:
        return line
    parts: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > ICS_LINE_OCTETS:
            parts.append(current)
            current, size = " ", 1
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def calendar(product: str, event: Iterable[str]) -> str:
    """A calendar file of one event: ``event`` is its content lines (escaped already), each folded and
    ended with CRLF."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//career-workbook//{product}//EN",
        "CALSCALE:GREGORIAN",
        "BEGIN:VEVENT",
        *event,
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(ics_fold(line) + "\r\n" for line in lines)
