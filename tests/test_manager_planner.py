"""The conversation planner: entries with history and tombstones, the calendar file (parsed back with a
small RFC 5545 unfolding reader and with the icalendar library) and the printable plan."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import icalendar
import pytest

from workbook.content import preparation
from workbook.identity import add_participant
from workbook.manager.planner import (
    SCOPE,
    PlanItem,
    delete_plan_entry,
    plan_entries,
    plan_markdown,
    preparation_outline,
    save_plan_entry,
    slugify,
    to_ics,
)
from workbook.validation import InputError


@pytest.fixture
def manager(store):
    return add_participant(store, "Mo Manager", cohort="C").person


# -- a small RFC 5545 reader ---------------------------------------------------------------------------
def unfold(text: str) -> list[str]:
    assert text.endswith("\r\n")
    physical = text.split("\r\n")[:-1]
    for line in physical:
        assert len(line.encode("utf-8")) <= 75, line
        assert "\n" not in line and "\r" not in line
    logical: list[str] = []
    for line in physical:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return logical


def unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\":
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
        else:
            assert value[i] not in ",;", f"unescaped {value[i]!r} in {value!r}"
            out.append(value[i])
            i += 1
    return "".join(out)


def parse_ics(text: str) -> dict[str, tuple[str, str]]:
    """{property name: (parameters, raw value)} of the single event, plus the calendar's lines checked."""
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    start, end = lines.index("BEGIN:VEVENT"), lines.index("END:VEVENT")
    props = {}
    for line in lines[start + 1 : end]:
        name_params, value = line.split(":", 1)
        name, _, params = name_params.partition(";")
        props[name] = (params, value)
    return props


# -- entries -------------------------------------------------------------------------------------------
def test_save_list_update_delete_keeps_history(store, manager):
    first = save_plan_entry(store, manager, "Jo", "2030-05-04", "outline", "Where next?", "Mentor")
    second = save_plan_entry(store, manager, "Al", date(2030, 5, 1), "link", start_time="09:30")
    assert first.id == "jo" and second.id == "al"
    assert [e.alias for e in plan_entries(store, manager)] == ["Al", "Jo"]  # soonest first
    updated = save_plan_entry(store, manager, "Jo", "2030-06-01", "both", "New question", "", entry_id="jo")
    assert updated.proposed_on == date(2030, 6, 1)
    delete_plan_entry(store, manager, "al")
    assert [e.id for e in plan_entries(store, manager)] == ["jo"]
    assert len(store.answer_history(manager.id, SCOPE, "jo")) == 2
    assert [a.value.get("deleted", False) for a in store.answer_history(manager.id, SCOPE, "al")] == [
        False,
        True,
    ]
    again = save_plan_entry(store, manager, "Al", "2030-07-01")  # a new entry never reuses a tombstoned id
    assert again.id == "al-2"
    with pytest.raises(InputError):
        delete_plan_entry(store, manager, "al")


def test_entries_are_private_to_their_manager(store, manager):
    other = add_participant(store, "Other").person
    save_plan_entry(store, manager, "Jo", "2030-05-04")
    assert plan_entries(store, other) == []
    with pytest.raises(InputError, match="not one of your planned conversations"):
        save_plan_entry(store, other, "Jo", "2030-05-04", entry_id="jo")


def test_slugs():
    assert slugify("Ana-María B.") == "ana-maria-b"
    assert slugify("李雷", default="entry") == "entry"
    assert slugify("x" * 100) == "x" * 40


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"alias": ""}, "must not be empty"),
        ({"alias": "   "}, "must not be empty"),
        ({"alias": "x" * 81}, "at most 80"),
        ({"alias": 7}, "expected text"),
        ({"proposed_on": "May the fourth"}, "not a date we can read"),
        ({"proposed_on": "1999-12-31"}, "is too far back: choose Saturday 1 January 2000 or later"),
        ({"proposed_on": 20300504}, "expected a date"),
        ({"send_ahead": "email"}, "not one of link, outline, both"),
        ({"questions": "x" * 4001}, "at most 4000"),
        ({"support_ideas": "bad\x00"}, "control character"),
        ({"start_time": "25:00"}, "Write it like 14:30"),
        ({"entry_id": "../etc"}, "not one of your planned"),
    ],
)
def test_bad_entries_are_refused(store, manager, kwargs, message):
    values = {"alias": "Jo", "proposed_on": "2030-05-04"} | kwargs
    with pytest.raises(InputError, match=message):
        save_plan_entry(store, manager, **values)
    assert plan_entries(store, manager) == []


# -- the calendar invitation ---------------------------------------------------------------------------
def _entry(**changes) -> PlanItem:
    values = dict(
        id="jo",
        alias="Jo",
        proposed_on=date(2030, 5, 4),
        time=None,
        send_ahead="both",
        questions="What next?",
        support_ideas="A mentor",
    )
    return PlanItem(**(values | changes))


def test_all_day_invitation_round_trips():
    text = to_ics(_entry(), "Mo Manager", now=datetime(2030, 4, 1, 12, 0, tzinfo=UTC))
    props = parse_ics(text)
    assert unescape(props["SUMMARY"][1]) == "Career conversation with Jo"
    assert props["DTSTART"] == ("VALUE=DATE", "20300504")
    assert props["DTEND"] == ("VALUE=DATE", "20300505")
    assert props["DTSTAMP"][1] == "20300401T120000Z"
    assert props["UID"][1].startswith("jo-") and props["UID"][1].endswith("@career-workbook")
    description = unescape(props["DESCRIPTION"][1])
    prep = preparation()
    for section in prep.sections:
        assert section.title in description
        for field in section.fields:
            assert f"- {field.label}" in description
    assert preparation_outline() in description
    assert "What next?" not in description and "A mentor" not in description  # private notes stay out
    assert len(text.split("\r\n")) > 20  # the description was folded


def test_timed_invitation_lasts_thirty_minutes():
    """An entry saved before zones were kept means its time in the default zone (UTC when unset)."""
    props = parse_ics(to_ics(_entry(time="16:45"), "Mo"))
    assert props["DTSTART"] == ("", "20300504T164500Z")
    assert props["DTEND"] == ("", "20300504T171500Z")


def test_uid_is_stable_per_entry_and_organiser():
    uid = parse_ics(to_ics(_entry(), "Mo"))["UID"]
    assert parse_ics(to_ics(_entry(time="10:00"), "Mo"))["UID"] == uid
    assert parse_ics(to_ics(_entry(), "Someone else"))["UID"] != uid


def test_special_characters_are_escaped(store, manager):
    alias = "Kim, Lee; \\ Ørsted 🙂"
    questions = "First, this; then\\that\nSecond line\nThird line"
    entry = save_plan_entry(store, manager, alias, "2030-05-04", "link", questions, start_time=time(9, 0))
    text = to_ics(entry, "Mo, the manager", include_private_notes=True)
    windows = parse_ics(to_ics(_entry(questions="a\r\nb\rc"), "Mo", include_private_notes=True))
    assert "a\nb\nc" in unescape(windows["DESCRIPTION"][1])
    props = parse_ics(text)
    assert unescape(props["SUMMARY"][1]) == f"Career conversation with {alias}"
    description = unescape(props["DESCRIPTION"][1])
    assert "First, this; then\\that\nSecond line\nThird line" in description
    assert "arranged by Mo, the manager." in description
    event = icalendar.Calendar.from_ical(text).events[0]
    assert str(event["SUMMARY"]) == f"Career conversation with {alias}"


def test_folding_respects_octets_and_characters():
    """Long lines of many-byte characters fold within 75 octets (checked by `unfold`), never inside a
    character, and read back whole."""
    questions = "é" * 100 + "🙂" * 30
    text = to_ics(_entry(questions=questions), "Mo", include_private_notes=True)
    parse_ics(text)  # every physical line at most 75 octets
    assert questions in str(icalendar.Calendar.from_ical(text).events[0]["DESCRIPTION"])


# -- the printable plan --------------------------------------------------------------------------------
def test_plan_markdown_escapes_what_people_wrote():
    entries = [
        _entry(alias="<script>alert(1)</script>", questions="# not a heading\n*not bold*"),
        _entry(id="al", alias="Al", time="09:00", questions="", support_ideas=""),
    ]
    text = plan_markdown("Mo [Manager]", entries)
    assert text.startswith("# Career conversation plan: Mo \\[Manager\\]")
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "\\# not a heading" in text and "\\*not bold\\*" in text
    assert "## Al: 4 May 2030, 09:00 (UTC)" in text  # a time is said with its zone
    assert "_None yet._" in text
    assert "No conversations planned yet." in plan_markdown("Mo", [])


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("14:30", "14:30"),
        ("9.15", "09:15"),
        ("2:30 pm", "14:30"),
        ("3pm", "15:00"),
        ("12 am", "00:00"),
        ("12pm", "12:00"),
        ("15h30", "15:30"),
        ("9", "09:00"),
        ("13pm", None),
        ("24:00", None),
        ("9:75", None),
        ("half past nine", None),
    ],
)
def test_times_are_read_as_people_write_them(typed, read):
    from workbook.validation import read_time

    assert read_time(typed) == read


def test_a_timed_invitation_is_fixed_in_the_zone_it_was_planned_in():
    from zoneinfo import ZoneInfo

    text = to_ics(_entry(time="16:45", time_zone="Europe/Lisbon"), "Mo")
    props = parse_ics(text)
    assert props["DTSTART"] == ("TZID=Europe/Lisbon", "20300504T164500")
    calendar = icalendar.Calendar.from_ical(text)
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Lisbon"
    # 4 May 2030 is summer time in Lisbon (UTC+1): every calendar shows the same moment
    start = calendar.events[0].start
    assert start.astimezone(UTC) == datetime(2030, 5, 4, 15, 45, tzinfo=UTC)
    assert start.utcoffset() == datetime(2030, 5, 4, 16, 45, tzinfo=ZoneInfo("Europe/Lisbon")).utcoffset()


def test_a_time_is_stored_with_the_zone_it_was_set_in_and_the_file_is_the_same_from_any_zone(store, manager):
    """Planned at 14:30 from New York: edited later from a browser on UTC (the time unchanged), the entry
    keeps New York, and the file is byte for byte the same; a changed time takes the new zone."""
    entry = save_plan_entry(
        store, manager, "Jo", "2030-07-02", start_time="14:30", time_zone="America/New_York"
    )
    assert entry.time_zone == "America/New_York"
    first = to_ics(plan_entries(store, manager)[0], "Mo", now=datetime(2030, 6, 1, tzinfo=UTC))
    save_plan_entry(
        store, manager, "Jo", "2030-07-02", start_time="14:30", entry_id=entry.id, time_zone="UTC"
    )
    [again] = plan_entries(store, manager)
    assert again.time_zone == "America/New_York"
    second = to_ics(again, "Mo", now=datetime(2031, 1, 1, tzinfo=UTC))
    assert first == second  # DTSTAMP is when it was saved, not when it was downloaded
    event = icalendar.Calendar.from_ical(second).events[0]
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.start.astimezone(UTC) == datetime(2030, 7, 2, 18, 30, tzinfo=UTC)  # EDT: UTC-4
    moved = save_plan_entry(
        store, manager, "Jo", "2030-07-02", start_time="15:00", entry_id=entry.id, time_zone="Europe/Warsaw"
    )
    assert moved.time_zone == "Europe/Warsaw"
    with pytest.raises(InputError, match="Time zone"):
        save_plan_entry(
            store, manager, "Jo", "2030-07-02", start_time="16:00", entry_id=entry.id, time_zone="Mars/Base"
        )
    assert plan_entries(store, manager)[0].time == "15:00"  # nothing changed


@pytest.mark.parametrize(("send_ahead", "carried"), [("link", True), ("both", True), ("outline", False)])
def test_an_invitation_that_sends_a_link_carries_the_workbooks_address_never_a_code(send_ahead, carried):
    address = "https://workbook.example.org/voila/render/participant.ipynb"
    props = parse_ics(to_ics(_entry(send_ahead=send_ahead), "Mo", workbook_address=address))
    description = unescape(props["DESCRIPTION"][1])
    assert (address in description) is carried and ("URL" in props) is carried
    assert "code=" not in description


def test_the_workbooks_address_holds_no_code(monkeypatch):
    from workbook.identity import app_address, personal_link

    monkeypatch.setenv("WORKBOOK_BASE_URL", "https://workbook.example.org")
    assert app_address() == "https://workbook.example.org/voila/render/participant.ipynb"
    assert personal_link("abc").startswith(app_address() + "?code=")


def test_a_deleted_entry_comes_back_as_it_was_and_only_a_deleted_one(store, manager):
    from workbook.manager.planner import restore_plan_entry

    entry = save_plan_entry(store, manager, "Al", date(2030, 5, 1), "link", "Q?", start_time="09:30")
    with pytest.raises(InputError, match="not a conversation you deleted"):
        restore_plan_entry(store, manager, entry.id)
    delete_plan_entry(store, manager, entry.id)
    back = restore_plan_entry(store, manager, entry.id)
    assert (back.alias, back.time, back.questions) == ("Al", "09:30", "Q?")
    assert [e.id for e in plan_entries(store, manager)] == [entry.id]
    with pytest.raises(InputError):
        restore_plan_entry(store, manager, "someone-elses")


# -- the team member invited by email ------------------------------------------------------------------
def attendee_lines(text: str) -> list[str]:
    return [line for line in unfold(text) if line.startswith("ATTENDEE")]


def test_a_known_team_member_is_invited_by_email_and_nobody_else(store, manager):
    from workbook.manager.planner import team_members

    report = add_participant(store, "Jo Report", email="jo@example.org", manager_pid=manager.pid).person
    add_participant(store, "No Mail", manager_pid=manager.pid)  # known, but no address to invite
    other = add_participant(store, "Not Theirs", email="x@example.org").person
    assert list(team_members(store, manager)) == [report.pid]
    entry = save_plan_entry(store, manager, "Jo", "2030-05-04", member=report.pid)
    assert plan_entries(store, manager)[0].member == report.pid
    invited = team_members(store, manager)[report.pid]
    [line] = attendee_lines(to_ics(entry, "Mo", organiser_email="mo@example.org", attendee=invited))
    assert line == 'ATTENDEE;CN="Jo Report";ROLE=REQ-PARTICIPANT:mailto:jo@example.org'
    assert attendee_lines(to_ics(entry, "Mo", organiser_email="mo@example.org")) == []  # unknown: none
    for stranger in (other.pid, "nobody-at-all", 12, "a;b"):
        with pytest.raises(InputError, match="Invite: choose one of your team members"):
            save_plan_entry(store, manager, "Jo", "2030-05-04", member=stranger, entry_id=entry.id)
    assert plan_entries(store, manager)[0].member == report.pid  # nothing changed


def test_a_hostile_name_or_address_cannot_add_lines_to_the_invitation():
    from workbook.ics import Attendee

    hostile = 'Eve"\r\nATTENDEE:mailto:boss@example.org\r\nX;Y:Z ^ \x00\x1b' + "é" * 40
    text = to_ics(
        _entry(), "Mo", organiser_email="mo@example.org", attendee=Attendee(hostile, "eve@example.org")
    )
    [line] = attendee_lines(text)
    assert line.endswith(":mailto:eve@example.org") and "\r" not in line and "\x00" not in line
    assert sum(1 for logical in unfold(text) if logical.startswith("ATTENDEE")) == 1
    [event] = icalendar.Calendar.from_ical(text).events
    assert str(event["ATTENDEE"]) == "mailto:eve@example.org"
    assert event["ATTENDEE"].params["CN"] == 'Eve" ATTENDEE:mailto:boss@example.org X;Y:Z ^ ' + "é" * 40
    for address in ("eve@example.org\r\nX:1", "a b@example.org", "eve@example.org;RSVP=FALSE", "x"):
        assert attendee_lines(to_ics(_entry(), "Mo", attendee=Attendee("Eve", address))) == []


@pytest.mark.parametrize(
    ("organiser", "attendee", "method", "names"),
    [
        ("mo@example.org", None, "PUBLISH", ["ORGANIZER"]),
        ("mo@example.org", "jo@example.org", None, ["ATTENDEE", "ORGANIZER"]),
        (None, "jo@example.org", None, []),
        ("not an address", "jo@example.org", None, []),
        (None, None, None, []),
    ],
)
def test_a_downloaded_file_is_published_with_its_organiser_or_names_nobody(
    organiser, attendee, method, names
):
    """A download is never a request: METHOD:PUBLISH (no attendees) or none; ORGANIZER only with the
    manager's email, and no ATTENDEE without an ORGANIZER."""
    from workbook.ics import Attendee

    text = to_ics(
        _entry(), "Mo", organiser_email=organiser, attendee=Attendee("Jo", attendee) if attendee else None
    )
    calendar = icalendar.Calendar.from_ical(text)
    assert calendar.get("METHOD") == method and "REQUEST" not in text
    event = calendar.events[0]
    assert sorted(k for k in event if k in ("ATTENDEE", "ORGANIZER")) == names
    if "ORGANIZER" in names:
        assert str(event["ORGANIZER"]) == "mailto:mo@example.org" and event["ORGANIZER"].params["CN"] == "Mo"
    assert "RSVP" not in text


def test_the_planners_links_are_links_not_text(store, manager):
    """Both download links render as links: nothing of their HTML is escaped into text."""
    from types import SimpleNamespace

    from workbook.apps.manager.planner import PlannerTab

    save_plan_entry(store, manager, "Łucja & <b>Kim</b>", "2030-05-04", start_time="14:30", time_zone="UTC")
    tab = PlannerTab(SimpleNamespace(store=store, person=manager))
    for shown in (tab.markdown.value, tab.cards[0].links.value):
        assert shown.startswith('<p><a class="wb-download') and "&lt;" not in shown.split("href=")[0]
        assert "&lt;p&gt;" not in shown and "&lt;span" not in shown and "&lt;a " not in shown
    assert '<span class="wb-muted">(1 planned)</span></p>' in tab.markdown.value
    assert 'download="career-conversation-lucja-b-kim-b-2030-05-04.ics"' in tab.cards[0].links.value
