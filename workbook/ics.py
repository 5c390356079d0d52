"""Calendar files (RFC 5545) of one event, made with the `icalendar` library (it escapes, quotes parameters
with RFC 6868's escapes, folds lines by octets and writes the VTIMEZONE of a zone from zoneinfo). Every
invitation the workbook makes (the manager's planner, the 1:1 page) goes through `event_file`, which adds
our own rules on top:

- what a person typed is plain text: every kind of line break a reader might break a line at becomes one
  line break, tabs become spaces and other control characters are dropped;
- a timed event is written in the zone it was planned in (``DTSTART;TZID=...`` with that zone's
  VTIMEZONE), so the file is the same whoever downloads it and every calendar shows the same moment; an
  event with a date only is all day;
- a downloaded file is published, never a request: with the manager's usable email it has an ORGANIZER,
  and then ``METHOD:PUBLISH`` (which has no attendees) or, with the team member's usable email too, the
  pair ORGANIZER and ATTENDEE and no METHOD (a plain calendar object, no reply asked). Without the
  manager's email it names nobody: no ORGANIZER and no ATTENDEE. ``METHOD:REQUEST`` belongs to
  invitations sent by email, which the workbook does not send;
- an address is written after "mailto:" only when nothing in it could end the line or the property.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

# An address we are willing to write after "mailto:" in a calendar file: nothing that could end the
# line or the property (no spaces, quotes, colons, semicolons or commas).
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")
# Characters some readers take for the end of a line besides CR and LF.
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
PUBLISH = "PUBLISH"
ZONE_YEARS = 1  # the VTIMEZONE covers the zone's rules this many years either side of the event


@dataclass(frozen=True)
class Attendee:
    """A person known to the store, to name by email in a calendar file."""

    name: str
    email: str | None

    @property
    def usable(self) -> bool:
        return bool(self.email) and EMAIL.fullmatch(self.email or "") is not None


def plain(text: str) -> str:
    """Text a person typed as a calendar file's text: one kind of line break, no tabs, no other control
    characters (the library escapes the rest)."""
    return _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text.replace("\t", " ")))


def _address(person: Attendee, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = vText(plain(person.name).replace("\n", " "))
    for key, value in params.items():
        address.params[key] = value
    return address


def people_lines(organizer: Attendee | None, attendee: Attendee | None) -> tuple[str | None, bool]:
    """Our rule for a downloaded file: (its METHOD or None, whether it names the attendee), from who has a
    usable email. Without the organizer's email nobody is named."""
    if organizer is None or not organizer.usable:
        return None, False
    if attendee is not None and attendee.usable:
        return None, True
    return PUBLISH, False


def event_file(
    product: str,
    *,
    uid: str,
    stamp: datetime,
    start: date | datetime,
    end: date | datetime,
    summary: str,
    description: str,
    url: str | None = None,
    organizer: Attendee | None = None,
    attendee: Attendee | None = None,
) -> str:
    """A calendar file of one event. ``start`` and ``end``: dates (an all-day event) or datetimes in a
    `ZoneInfo` zone (written with its TZID and VTIMEZONE) or in UTC. ``stamp``: when what the event says
    was last changed (so the file is the same however often it is downloaded)."""
    calendar = Calendar()
    calendar.add("prodid", f"-//career-workbook//{product}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    method, with_attendee = people_lines(organizer, attendee)
    if method:
        calendar.add("method", method)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", plain(summary))
    event.add("description", plain(description))
    if url:
        event.add("url", plain(url).replace("\n", ""))
    if method or with_attendee:
        assert organizer is not None
        event.add("organizer", _address(organizer))
    if with_attendee:
        assert attendee is not None
        event.add("attendee", _address(attendee, ROLE="REQ-PARTICIPANT"))
    calendar.add_component(event)
    if isinstance(start, datetime) and isinstance(start.tzinfo, ZoneInfo) and start.tzinfo.key != "UTC":
        around = timedelta(days=366 * ZONE_YEARS)
        calendar.add_missing_timezones(first_date=start.date() - around, last_date=start.date() + around)
    return calendar.to_ical().decode("utf-8")


def zoned(day: date, hh_mm: str, zone_name: str) -> datetime:
    """The moment ``hh_mm`` on ``day`` in the zone ``zone_name`` (as it was planned)."""
    hour, minute = (int(part) for part in hh_mm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(zone_name))
