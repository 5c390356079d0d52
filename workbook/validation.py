"""Checks on values arriving from a page.

A Voila visitor can send any value to any widget, even a disabled one, so every value is
checked here on the server before it is saved. Errors name the field and what is wrong.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

EARLIEST_DATE = date(2000, 1, 1)  # anything dated before this (a conversation, an answer) is a typo
LATEST_DATE = date(2100, 12, 31)  # and anything planned after this


class InputError(ValueError):
    """A value from the page that we refuse to save; the message is safe to show.

    `field` names the input and `problem` says what is wrong with it, so a page can show the problem
    beside the input and name the input in its status line; `str()` gives both.
    """

    def __init__(self, message: str, *, field: str = "", problem: str = "") -> None:
        if not field and ": " in message:
            field, problem = message.split(": ", 1)
        super().__init__(message)
        self.field = field
        self.problem = problem or message


def refuse(label: str, problem: str) -> InputError:
    """The error for one field: "<label>: <problem>"."""
    return InputError(f"{label}: {problem}", field=label, problem=problem)


def clean_text(label: str, value: Any, *, max_length: int) -> str:
    """A string within the length limit, without control characters other than newlines and tabs."""
    if not isinstance(value, str):
        raise refuse(label, f"expected text, got {type(value).__name__}")
    if len(value) > max_length:
        raise refuse(label, f"at most {max_length} characters, got {len(value)}")
    for char in value:
        if char not in "\n\t" and unicodedata.category(char) in ("Cc", "Cs"):
            raise refuse(label, f"contains a control character (U+{ord(char):04X})")
    return value


def clean_choices(label: str, value: Any, allowed: Iterable[str]) -> list[str]:
    """A list of distinct choices, each one of `allowed`."""
    allowed = list(allowed)
    if not isinstance(value, list | tuple):
        raise refuse(label, f"expected a list of choices, got {type(value).__name__}")
    chosen: list[str] = []
    for item in value:
        if not isinstance(item, str) or item not in allowed:
            raise refuse(label, f"{item!r} is not one of the choices")
        if item not in chosen:
            chosen.append(item)
    return chosen


def clean_choice(label: str, value: Any, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    if not isinstance(value, str) or value not in allowed:
        raise refuse(label, f"{value!r} is not one of {', '.join(allowed)}")
    return value


# -- dates ---------------------------------------------------------------------------------------------
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_NUMERIC_FORMS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("y", "m", "d"), "year-month-day (2027-03-31)"),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), ("d", "m", "y"), "day/month/year (31/03/2027)"),
    (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$"), ("d", "m", "y"), "day.month.year (31.03.2027)"),
)
_WORDED = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})$")
DATE_FORMS = "2027-03-31, 31/03/2027, 31.03.2027 or 31 March 2027"


@dataclass(frozen=True)
class TypedDate:
    """A date read from text, with the form it was read in (so the page can say how it understood it)."""

    value: date
    form: str


def read_date(text: str) -> TypedDate:
    """A date typed in one of the common forms; ValueError saying which forms are understood.

    Slashes and dots are read day first (31/03/2027), as in most of the world; US-style month-first
    dates are refused when they cannot be a day-first date (03/31/2027) rather than guessed.
    """
    typed = " ".join(text.split())
    for pattern, order, form in _NUMERIC_FORMS:
        match = pattern.match(typed)
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            return TypedDate(_make_date(typed, parts["y"], parts["m"], parts["d"]), form)
    match = _WORDED.match(typed)
    if match and match.group(2).lower() in MONTHS:
        day, month, year = int(match.group(1)), MONTHS[match.group(2).lower()], int(match.group(3))
        return TypedDate(_make_date(typed, year, month, day), "day month year (31 March 2027)")
    raise ValueError(f"{text!r} is not a date we can read: write it as {DATE_FORMS}")


def _make_date(typed: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{typed!r} is not a real date (day {day}, month {month}, year {year})") from None


def long_date(moment: date) -> str:
    """A date nobody can misread: "Wednesday 31 March 2027"."""
    return f"{moment.strftime('%A')} {moment.day} {moment.strftime('%B %Y')}"


def clean_date(
    label: str, value: object, *, earliest: date, latest: date, too_late: str | None = None
) -> date:
    """A date (or a date typed in a common form) between `earliest` and `latest`, or InputError.

    ``too_late`` says in the page's own words why a later date is refused (e.g. a conversation that
    has not happened yet); otherwise the message names the latest date allowed."""
    if isinstance(value, datetime) or not isinstance(value, date | str):
        raise refuse(label, f"expected a date, got {type(value).__name__}")
    if isinstance(value, str):
        try:
            value = read_date(value).value
        except ValueError as exc:
            raise refuse(label, str(exc)) from None
    if value < earliest:
        raise refuse(label, f"{long_date(value)} is too far back: choose {long_date(earliest)} or later")
    if value > latest:
        reason = too_late or f"is too far ahead: choose {long_date(latest)} or earlier"
        raise refuse(label, f"{long_date(value)} {reason}")
    return value


_HH_MM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_TYPED_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?\s*$", re.IGNORECASE)
TIME_FORMS = "14:30 or 2:30 pm"
_ZONE_MAX = 64  # the longest IANA names are about 30 characters


def read_time(text: str) -> str | None:
    """A time of day as people type it ("14:30", "9.15", "2:30 pm", "3pm", "15h30", "9") as HH:MM, or None
    when it is not one."""
    if _HH_MM.match(text.strip()):
        return text.strip()
    found = _TYPED_TIME.match(text)
    if not found:
        return None
    hour, minute = int(found[1]), int(found[2] or 0)
    half = (found[3] or "").lower().replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def clean_time(label: str, value: object) -> str | None:
    """A time of day as HH:MM (a `datetime.time` or typed text), None for none; InputError otherwise."""
    from datetime import time

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, str) and (typed := read_time(value)) is not None:
        return typed
    raise refuse(
        label,
        f"{str(value)[:40]!r} is not a time we can read. Write it like {TIME_FORMS}, or leave it empty for "
        "no set time",
    )


def clean_time_zone(label: str, value: object) -> str:
    """An IANA time zone name (such as Europe/Lisbon) that this machine knows, or InputError: a planned
    time is stored with the zone it was set in."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not isinstance(value, str) or not value or len(value) > _ZONE_MAX:
        raise refuse(label, "expected the name of a time zone, such as Europe/Lisbon")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise refuse(label, f"{value!r} is not a time zone name (write it like Europe/Lisbon)") from None
    return value
