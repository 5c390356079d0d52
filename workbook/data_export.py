"""A person's data export as files: JSON (every stored version, with times, as data) and a PDF to read
(the same content laid out for people, through the one PDF base, :mod:`workbook.pdf`).

Everything in them is what the person wrote or scored, what was written to them and who they share it
with; the PDF treats all text as data (the PDF base draws any character, never interprets markup)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Text

from workbook.data_rights import PersonalData
from workbook.idp import _plain
from workbook.pdf import BODY_PT, DocumentPDF, keep_with_next, write_text
from workbook.personal_data import REGISTRY, Versions, Written, kind_of, table
from workbook.text import slugify

JSON_MIME = "application/json"
PDF_MIME = "application/pdf"
TITLE = "Everything you wrote in the career workbook"
NOTHING = "Nothing stored."
# Columns that say nothing to a reader of the PDF (ids, owners); the JSON keeps them all.
_HIDDEN = {"id"}


def render_json(data: PersonalData) -> bytes:
    """The export as indented UTF-8 JSON."""
    return json.dumps(data.as_json(), ensure_ascii=False, indent=2).encode("utf-8")


def _text(value: Any) -> str:
    """A value as text for the PDF: lists and records one part a line."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return _plain(value)
    if isinstance(value, list):
        return "\n".join(f"- {_text(item)}" for item in value) or "(none)"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)


def _moment(value: Any) -> str:
    if isinstance(value, str) and "T" in value:
        try:
            return datetime.fromisoformat(value).strftime("%d %b %Y, %H:%M UTC")
        except ValueError:
            return value
    return _text(value)


def _row_lines(name: str, row: dict[str, Any]) -> tuple[str, str]:
    """A row as a heading line (its time and what it is about) and its text (what the person wrote:
    the table's text and JSON columns)."""
    entry = REGISTRY[name]
    when = entry.when if isinstance(entry, Written | Versions) else ""
    owners = {owner.removesuffix("_id") for owner in entry.owners} if isinstance(entry, Written) else set()
    columns = table(name).c
    body_columns = {c.name for c in columns if isinstance(c.type, Text)}
    about, body = [], []
    for column, value in row.items():
        if column in _HIDDEN or column == when or column in owners or column.endswith("_id"):
            continue
        if column in body_columns:
            body.append(_text(value))
        else:
            about.append(f"{column.replace('_', ' ')}: {_text(value)}")
    head = " · ".join(part for part in (_moment(row.get(when)) if when else "", ", ".join(about)) if part)
    return head, "\n".join(body)


def _all_text(data: PersonalData) -> str:
    return json.dumps(data.as_json(), ensure_ascii=False) + TITLE + NOTHING + "Page of 0123456789·"


def render_pdf(data: PersonalData) -> bytes:
    """The export as an A4 PDF a person can read: who they are, who sees what, then every stored
    version of everything they wrote, kind by kind, oldest first."""
    person = data.person
    pdf = DocumentPDF(footer_text=TITLE, content=_all_text(data))
    pdf.set_title(TITLE)
    pdf.set_author(_plain(person["name"]))
    pdf.set_creator("Career workbook")
    pdf.set_lang("en")
    pdf.add_page()
    write_text(pdf, TITLE, 18, "B", line=8.5, after=1)
    exported = _moment(data.exported_at.isoformat())
    write_text(pdf, f"{_plain(person['name'])}, exported {exported}", 11, color=90)
    write_text(
        pdf,
        "Every stored version of everything you wrote or scored, what was written to you, and who you "
        "share it with. The JSON file beside this one holds the same, for other programs.",
        BODY_PT,
        after=3,
    )
    write_text(pdf, "About you", 14, "B", line=7, after=1)
    for label, key in (("Participant id", "participant"), ("Email", "email"), ("Cohort", "cohort")):
        write_text(pdf, f"{label}: {_text(person.get(key)) or '-'}", BODY_PT)
    write_text(pdf, f"Roles: {', '.join(person['roles']) or '-'}", BODY_PT, after=3)
    write_text(pdf, "Who can see what now", 14, "B", line=7, after=1)
    if not data.shared:
        write_text(pdf, "Every section is private to you (nothing was ever shared).", BODY_PT, after=2)
    for item in data.shared:
        line = f"{item['scope']} · {item['section']}: {item['who']} (since {_moment(item['since'])})"
        write_text(pdf, _plain(line), BODY_PT)
    for name, rows in data.tables.items():
        keep_with_next(pdf, 30)
        pdf.ln(3)
        write_text(pdf, f"{kind_of(name).capitalize()} ({len(rows)})", 14, "B", line=7, after=1)
        if not rows:
            write_text(pdf, NOTHING, BODY_PT, "I", color=90)
        for row in rows:
            head, body = _row_lines(name, row)
            write_text(pdf, head, 9, "B", color=60, line=4.5)
            if body:
                write_text(pdf, body, BODY_PT, after=1)
            pdf.ln(1)
    return bytes(pdf.output())


def filename(data: PersonalData, ext: str) -> str:
    """A download name safe on every system whatever the person's name is."""
    owner = slugify(data.person["name"], max_length=60, default="person")
    return f"my-workbook-data-{owner}-{data.exported_at.date().isoformat()}.{ext}"
