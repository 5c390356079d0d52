"""Checks on values arriving from a page.

A Voila visitor can send any value to any widget, even a disabled one, so every value is
checked here on the server before it is saved. Errors name the field and what is wrong.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import date
from typing import Any

EARLIEST_DATE = date(2000, 1, 1)  # anything dated before this (a conversation, an answer) is a typo


class InputError(ValueError):
    """A value from the page that we refuse to save; the message is safe to show."""


def clean_text(label: str, value: Any, *, max_length: int) -> str:
    """A string within the length limit, without control characters other than newlines and tabs."""
    if not isinstance(value, str):
        raise InputError(f"{label}: expected text, got {type(value).__name__}")
    if len(value) > max_length:
        raise InputError(f"{label}: at most {max_length} characters, got {len(value)}")
    for char in value:
        if char not in "\n\t" and unicodedata.category(char) in ("Cc", "Cs"):
            raise InputError(f"{label}: contains a control character (U+{ord(char):04X})")
    return value


def clean_choices(label: str, value: Any, allowed: Iterable[str]) -> list[str]:
    """A list of distinct choices, each one of `allowed`."""
    allowed = list(allowed)
    if not isinstance(value, list | tuple):
        raise InputError(f"{label}: expected a list of choices, got {type(value).__name__}")
    chosen: list[str] = []
    for item in value:
        if not isinstance(item, str) or item not in allowed:
            raise InputError(f"{label}: {item!r} is not one of the choices")
        if item not in chosen:
            chosen.append(item)
    return chosen


def clean_choice(label: str, value: Any, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    if not isinstance(value, str) or value not in allowed:
        raise InputError(f"{label}: {value!r} is not one of {', '.join(allowed)}")
    return value
