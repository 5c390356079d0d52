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


def _full_date(value: Any) -> str:
    """A stored date ("2027-06-30") in full ("Wednesday 30 June 2027"); other values as text."""
    from datetime import date

    from workbook.validation import long_date

    if isinstance(value, str) and len(value) == 10:
        try:
            return long_date(date.fromisoformat(value))
        except ValueError:
            pass
    return _text(value)


class _Readable:
    """What the PDF says instead of stored keys: a preparation answer by its section and question, a goal
    by its number and title with its parts named, a check-in by the goal it belongs to."""

    def __init__(self, data: PersonalData) -> None:
        from workbook import content
        from workbook.preparation import GOAL_ID, SCOPE, legacy_goal_id

        prep = content.preparation()
        self.scope = SCOPE
        self.questions = {
            f"{section.id}.{f.id}": f"{section.title}: {f.label}"
            for section in prep.sections
            for f in section.fields
        }
        goals = next((section for section in prep.sections if section.goals is not None), None)
        self.goals_key = f"{goals.id}.goals" if goals else ""
        self.goals_title = goals.title if goals else "Goals"
        self.goal_parts = {f.id: f.label for f in goals.goals.fields} if goals and goals.goals else {}
        self.goal_names: dict[str, str] = {}  # a goal's id -> "Goal 2: its title", as last saved
        for row in data.tables.get("answers", []):
            if (
                row.get("scope") == SCOPE
                and row.get("key") == self.goals_key
                and isinstance(row.get("value"), list)
            ):
                for number, goal in enumerate(row["value"], start=1):
                    if isinstance(goal, dict) and goal.get("goal"):
                        goal_id = goal.get(GOAL_ID) or legacy_goal_id(number, goal)
                        self.goal_names[goal_id] = f"Goal {number}: {goal['goal']}"
        self.id_key = GOAL_ID

    def goal(self, number: int, goal: Any) -> str:
        if not isinstance(goal, dict):
            return _text(goal)
        parts = [f"Goal {number}: {_text(goal.get('goal', ''))}"]
        for key, value in goal.items():
            if key in (self.id_key, "goal") or value in (None, ""):
                continue
            label = self.goal_parts.get(key, key.replace("_", " "))
            parts.append(f"{label}: {_full_date(value)}")
        return "; ".join(parts)

    def lines(self, name: str, row: dict[str, Any]) -> tuple[str, str] | None:
        """The heading and text of a row said for people, or None to show it as stored."""
        from workbook.team.checkins import STATUSES

        if name == "answers" and row.get("scope") == self.scope:
            key = row.get("key", "")
            moment = _moment(row.get("saved_at"))
            if key == self.goals_key and isinstance(row.get("value"), list):
                goals = "\n".join(f"- {self.goal(n, g)}" for n, g in enumerate(row["value"], start=1))
                return f"{moment} · Preparation · {self.goals_title}", goals or "(none)"
            if key in self.questions:
                return f"{moment} · Preparation · {self.questions[key]}", _text(row.get("value"))
        if name == "goal_checkins":
            goal = self.goal_names.get(row.get("goal_id", ""), "a goal no longer in your plan")
            status = STATUSES.get(row.get("status", ""), _text(row.get("status")))
            progress = f" · progress {row['progress']}%" if row.get("progress") is not None else ""
            return f"{_moment(row.get('recorded_at'))} · {goal} · {status}{progress}", _text(row.get("note"))
        return None


def _all_text(data: PersonalData) -> str:
    from workbook import content

    prep = content.preparation()
    labels = "".join(
        s.title + "".join(f.label for f in (*s.fields, *(s.goals.fields if s.goals else ())))
        for s in prep.sections
    )
    words = "Preparation Goal your goals a goal no longer in your plan progress % Monday Tuesday Wednesday"
    words += " Thursday Friday Saturday Sunday January February March April May June July August September"
    words += " October November December On track Not started At risk Done"
    return (
        json.dumps(data.as_json(), ensure_ascii=False)
        + TITLE
        + NOTHING
        + "Page of 0123456789·"
        + labels
        + words
    )


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
    readable = _Readable(data)
    for name, rows in data.tables.items():
        keep_with_next(pdf, 30)
        pdf.ln(3)
        write_text(pdf, f"{kind_of(name).capitalize()} ({len(rows)})", 14, "B", line=7, after=1)
        if not rows:
            write_text(pdf, NOTHING, BODY_PT, "I", color=90)
        for row in rows:
            head, body = readable.lines(name, row) or _row_lines(name, row)
            write_text(pdf, head, 9, "B", color=60, line=4.5)
            if body:
                write_text(pdf, body, BODY_PT, after=1)
            pdf.ln(1)
    return bytes(pdf.output())


def filename(data: PersonalData, ext: str) -> str:
    """A download name safe on every system whatever the person's name is."""
    owner = slugify(data.person["name"], max_length=60, default="person")
    return f"my-workbook-data-{owner}-{data.exported_at.date().isoformat()}.{ext}"
