"""The 1:1 domain: who may open a team member's 1:1s (asked again on every read and write), notes with
every version and "also written", private notes, actions that carry over, recording as held with exactly
one log entry, the briefing (PDF read back) and the calendar file."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import icalendar
import pypdf
import pytest
from sqlalchemy import select, update

from workbook import identity
from workbook.manager.behaviour import conversation_history, conversations
from workbook.models import ConversationLog, OneOnOneNote, Participant
from workbook.preparation import SCOPE
from workbook.team import actions, briefing, conversation
from workbook.team.conversation import (
    NOT_YOURS,
    PRIVATE,
    SHARED,
    NotAllowed,
    current_conversation,
    log_entry_links,
    note_history,
    open_thread,
    read_notes,
    record_held,
    save_notes,
)
from workbook.team.manager_change import set_manager
from workbook.team.plan import set_planned_date
from workbook.team.snapshot import read_state
from workbook.validation import InputError

TODAY = date(2030, 6, 15)


@pytest.fixture
def people(store):
    manager = identity.add_participant(store, "Max Manager", cohort="North").person
    other = identity.add_participant(store, "Bea Other", cohort="North").person
    member = identity.add_participant(store, "Tia Team-Member", manager_pid=manager.pid).person
    return {"manager": manager, "other": other, "member": member}


@pytest.fixture
def sides(store, people):
    """The member's and the manager's view of the member's 1:1s, and the current 1:1's id."""
    mine = open_thread(store, people["member"])
    theirs = open_thread(store, people["manager"], people["member"].pid)
    return mine, theirs, current_conversation(store, mine)


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return len(reader.pages), "".join(page.extract_text() for page in reader.pages)


# -- who may open what ------------------------------------------------------------------------------------
def test_the_member_and_their_manager_open_it_and_nobody_else(store, people, sides):
    mine, theirs, _ = sides
    assert (mine.side, theirs.side) == ("member", "manager") and mine.member_id == theirs.member_id
    for pid in (people["member"].pid, "p-unknown", "", 42, "x" * 500):
        with pytest.raises(NotAllowed) as refused:
            open_thread(store, people["other"], pid)
        assert str(refused.value) == NOT_YOURS  # the same words whatever the reason
    with pytest.raises(NotAllowed, match="no manager"):
        open_thread(store, people["manager"])  # their own 1:1: they have no manager
    with pytest.raises(NotAllowed):
        open_thread(store, people["member"], people["manager"].pid)  # the member cannot open their manager's


def test_a_forged_thread_reads_and_writes_nothing(store, people, sides):
    """Identity is never taken from a value the page holds: a thread naming another viewer's member is
    asked again in every call."""
    mine, _, cid = sides
    forged = conversation.Thread(people["other"].id, mine.member_id, mine.member_pid, "x", "manager")
    save_notes(store, mine, cid, SHARED, "Only for us", None)
    for call in (
        lambda: read_state(store, forged),
        lambda: read_notes(store, forged, cid, SHARED),
        lambda: save_notes(store, forged, cid, SHARED, "overwrite", None),
        lambda: actions.add_action(store, forged, cid, "x", "member", "2030-07-01"),
        lambda: record_held(store, forged, cid, "2030-06-01", today=TODAY),
    ):
        with pytest.raises(NotAllowed):
            call()
    assert read_notes(store, mine, cid, SHARED).text == "Only for us"


def test_after_a_change_of_manager_the_old_one_reads_nothing_and_the_new_one_not_the_old_ones_talks(
    store, people, sides
):
    mine, theirs, cid = sides
    save_notes(store, theirs, cid, SHARED, "Talked about the training team", None)
    record_held(store, theirs, cid, "2030-06-01", today=TODAY)
    set_manager(store, people["member"].pid, people["other"].pid)
    with pytest.raises(NotAllowed):
        read_state(store, theirs)
    with pytest.raises(NotAllowed):
        save_notes(store, theirs, current_conversation(store, mine), SHARED, "still here?", None)
    new = open_thread(store, people["other"], people["member"].pid)
    state = read_state(store, new)
    assert state.past == () and state.shared.text == ""
    with pytest.raises(NotAllowed):
        read_notes(store, new, cid, SHARED)  # the old manager's 1:1 stays with the member and them
    assert read_notes(store, mine, cid, SHARED).text == "Talked about the training team"


def test_a_new_manager_starts_a_new_1on1_empty_of_the_old_managers_text(store, people, sides):
    """With a 1:1 not yet recorded as held, a change of manager (through the one recorded path) gives the
    new manager a new 1:1 of his own: none of the old manager's notes, topics, actions or date, in the
    state, the briefing or the calendar file; the old 1:1 stays with the team member and the old manager."""
    mine, theirs, cid = sides
    save_notes(store, theirs, cid, SHARED, "OLD-SHARED-NOTE", None)
    save_notes(store, theirs, cid, PRIVATE, "OLD-PRIVATE-NOTE", None)
    save_notes(store, mine, cid, PRIVATE, "MEMBER-PRIVATE-NOTE", None)
    actions.add_agenda_item(store, theirs, cid, "OLD-TOPIC")
    actions.add_action(store, theirs, cid, "OLD-ACTION", "manager", "2030-07-01")
    set_planned_date(store, theirs, cid, "2030-07-02")
    set_manager(store, people["member"].pid, people["other"].pid)

    new = open_thread(store, people["other"], people["member"].pid)
    state = read_state(store, new)
    assert state.conversation_id != cid and state.is_current and state.number == 1
    assert (state.shared.text, state.private.text, state.agenda, state.actions) == ("", "", (), ())
    assert state.planned_on is None and state.past == () and state.earlier == () and state.carry_over == ()
    assert state.manager_name == "Bea Other" and "Max Manager" not in state.names.values()
    brief = briefing.briefing(store, new)
    assert briefing.next_conversation_ics(brief, new) is None  # no date planned in his 1:1
    set_planned_date(store, new, state.conversation_id, "2030-07-09")
    brief = briefing.briefing(store, new)
    written = pdf_text(briefing.briefing_pdf(brief))[1] + briefing.next_conversation_ics(brief, new)
    assert "OLD-" not in written and "Max Manager" not in written
    for call in (  # the old 1:1 is not his, by its id either
        lambda: read_state(store, new, cid),
        lambda: read_notes(store, new, cid, SHARED),
        lambda: save_notes(store, new, cid, SHARED, "over it", None),
        lambda: actions.add_agenda_item(store, new, cid, "x"),
        lambda: set_planned_date(store, new, cid, None),
        lambda: record_held(store, new, cid, "2030-06-10", today=TODAY),
    ):
        with pytest.raises(NotAllowed):
            call()

    # the old manager can no longer open it: they are no longer her manager
    with pytest.raises(NotAllowed):
        open_thread(store, people["manager"], people["member"].pid)
    for call in (lambda: read_state(store, theirs), lambda: read_notes(store, theirs, cid, SHARED)):
        with pytest.raises(NotAllowed):
            call()

    # the team member keeps it, to read: her 1:1 now is the new one
    now = read_state(store, mine)
    assert now.conversation_id == state.conversation_id and now.manager_name == "Bea Other"
    [earlier] = now.earlier
    assert (earlier.conversation_id, earlier.manager_name, earlier.held_on) == (cid, "Max Manager", None)
    old = read_state(store, mine, cid)
    assert not old.is_current and old.manager_name == "Max Manager" and old.planned_on == date(2030, 7, 2)
    assert (old.shared.text, old.private.text) == ("OLD-SHARED-NOTE", "MEMBER-PRIVATE-NOTE")
    assert [i.text for i in old.agenda] == ["OLD-TOPIC"] and [a.text for a in old.actions] == ["OLD-ACTION"]
    with pytest.raises(InputError, match="was with Max Manager, who is no longer your manager"):
        save_notes(store, mine, cid, SHARED, "written into the old one", None)
    with pytest.raises(InputError, match="no longer your manager"):
        actions.add_agenda_item(store, mine, cid, "late topic")
    with pytest.raises(InputError, match="no longer your manager"):
        record_held(store, mine, cid, "2030-06-10", today=TODAY)
    assert read_notes(store, mine, cid, SHARED).text == "OLD-SHARED-NOTE"


def test_the_team_member_chooses_which_of_her_open_actions_come_to_the_new_manager(store, people, sides):
    mine, theirs, cid = sides
    hers = actions.add_action(store, mine, cid, "MEMBER-ACTION", "member", "2030-07-01")
    given = actions.add_action(store, theirs, cid, "SET-BY-OLD-MANAGER", "member", "2030-07-03")
    actions.update_action(store, mine, given.item, status="in_progress")
    done = actions.add_action(store, mine, cid, "DONE-ACTION", "member", "2030-07-01")
    actions.update_action(store, mine, done.item, status="done")
    actions.add_action(store, theirs, cid, "MANAGERS-OWN", "manager", "2030-07-01")
    set_manager(store, people["member"].pid, people["other"].pid)
    new = open_thread(store, people["other"], people["member"].pid)
    current = current_conversation(store, mine)
    offered = read_state(store, mine).carry_over
    assert [a.text for a in offered] == ["MEMBER-ACTION", "SET-BY-OLD-MANAGER"]  # open, and hers
    assert read_state(store, new).carry_over == () and read_state(store, new).actions == ()

    with pytest.raises(NotAllowed):  # the manager cannot bring them, nor anyone for her
        actions.carry_over_action(store, new, current, hers.item)
    managers_own = next(a for a in read_state(store, mine, cid).actions if a.text == "MANAGERS-OWN")
    for item in (managers_own.item, done.item, "nope", 42):
        with pytest.raises(InputError, match="is not one of your open actions"):
            actions.carry_over_action(store, mine, current, item)
    with pytest.raises(InputError, match="no longer your manager"):
        actions.carry_over_action(store, mine, cid, hers.item)  # into the old 1:1: no

    brought = actions.carry_over_action(store, mine, current, given.item)
    assert (brought.text, brought.owner, brought.status, brought.due_on) == (
        "SET-BY-OLD-MANAGER",
        "member",
        "in_progress",
        date(2030, 7, 3),
    )
    assert (brought.conversation_id, brought.added_by_id, brought.carried_from) == (
        current,
        mine.viewer_id,
        given.item,
    )
    with pytest.raises(InputError, match="brought over already"):
        actions.carry_over_action(store, mine, current, given.item)
    assert [a.text for a in read_state(store, new).actions] == ["SET-BY-OLD-MANAGER"]
    assert [a.text for a in read_state(store, mine).carry_over] == ["MEMBER-ACTION"]
    actions.update_action(store, new, brought.item, status="done")  # the new pair's action now
    assert [a.status for a in read_state(store, mine, cid).actions if a.text == "SET-BY-OLD-MANAGER"] == [
        "in_progress"  # the old one stays as it was in the old 1:1
    ]
    with pytest.raises(NotAllowed):  # and the new manager cannot reach the old one
        actions.update_action(store, new, given.item, status="dropped")


# -- notes ------------------------------------------------------------------------------------------------
def test_shared_notes_keep_every_version_with_its_author_and_a_clash_is_also_written(store, people, sides):
    mine, theirs, cid = sides
    first = save_notes(store, mine, cid, SHARED, "Agenda: the training team", None)
    assert save_notes(store, mine, cid, SHARED, "Agenda: the training team", first.version_id).versions == 1
    # both pages started from the first version; the manager saves, then the member
    managers = save_notes(store, theirs, cid, SHARED, "Manager: ask about budget", first.version_id)
    assert managers.also_written == ()
    members = save_notes(store, mine, cid, SHARED, "Member: I want to lead", first.version_id)
    assert members.text == "Member: I want to lead"  # the last writer wins
    assert [v.text for v in members.also_written] == ["Manager: ask about budget"]
    assert [v.author for v in members.also_written] == ["Max Manager"]
    seen_by_manager = read_notes(store, theirs, cid, SHARED)
    assert seen_by_manager.text == "Member: I want to lead" and seen_by_manager.also_written
    # a save based on the latest settles it; the history keeps all three, attributed
    settled = save_notes(store, theirs, cid, SHARED, "Both: lead, and ask about budget", members.version_id)
    assert settled.also_written == ()
    history = note_history(store, theirs, cid)
    assert [(v.author, v.text) for v in history] == [
        ("Tia Team-Member", "Agenda: the training team"),
        ("Max Manager", "Manager: ask about budget"),
        ("Tia Team-Member", "Member: I want to lead"),
        ("Max Manager", "Both: lead, and ask about budget"),
    ]


def test_bad_notes_are_refused_and_change_nothing(store, people, sides):
    mine, theirs, cid = sides
    save_notes(store, mine, cid, SHARED, "kept", None)
    latest = read_notes(store, mine, cid, SHARED).version_id
    for text, based_on, problem in (
        ("x" * (conversation.NOTES_MAX + 1), latest, "at most 20000 characters"),
        ("bell \x07", latest, "control character"),
        (["not", "text"], latest, "expected text"),
        ("fine", 999_999, "version this page started from"),
        ("fine", True, "version this page started from"),
    ):
        with pytest.raises(InputError, match=problem) as refused:
            save_notes(store, theirs, cid, SHARED, text, based_on)
        assert str(refused.value).startswith("Shared notes:")
    assert read_notes(store, mine, cid, SHARED).text == "kept"
    assert len(note_history(store, mine, cid)) == 1


def test_private_notes_are_read_by_their_author_only(store, people, sides):
    mine, theirs, cid = sides
    save_notes(store, theirs, cid, PRIVATE, "MANAGER-ONLY: worried about workload", None)
    save_notes(store, mine, cid, PRIVATE, "MEMBER-ONLY: ask for the budget", None)
    assert read_notes(store, theirs, cid, PRIVATE).text == "MANAGER-ONLY: worried about workload"
    assert read_notes(store, mine, cid, PRIVATE).text == "MEMBER-ONLY: ask for the budget"
    member_state, manager_state = read_state(store, mine), read_state(store, theirs)
    assert "MANAGER-ONLY" not in repr(member_state) and "MEMBER-ONLY" not in repr(manager_state)
    with pytest.raises(InputError):  # private notes have no "started from" of the other side
        save_notes(store, mine, cid, PRIVATE, "x", read_notes(store, theirs, cid, PRIVATE).version_id)


# -- agenda and actions -----------------------------------------------------------------------------------
def test_the_member_leads_the_agenda_from_their_shared_preparation(store, people, sides):
    mine, theirs, cid = sides
    member = people["member"]
    store.save_answer(member.id, SCOPE, "aspirations.in_two_years", "Lead the training team")
    store.save_answer(member.id, SCOPE, "self_awareness.strengths", "PRIVATE-STRENGTHS")
    store.save_answer(member.id, SCOPE, "support.support_details", "FACILITATOR-ONLY")
    store.set_visibility(member.id, SCOPE, "aspirations", "manager")
    store.set_visibility(member.id, SCOPE, "support", "facilitator")
    actions.add_agenda_item(store, theirs, cid, "Manager: the reorganisation")
    actions.add_agenda_item(store, mine, cid, "Member: a course I found")
    state = read_state(store, theirs)
    assert [s.id for s in state.shared_preparation] == ["aspirations"]
    assert state.shared_preparation[0].answers[0][1] == "Lead the training team"
    assert [i.text for i in state.agenda] == ["Member: a course I found", "Manager: the reorganisation"]
    assert "PRIVATE-STRENGTHS" not in repr(state) and "FACILITATOR-ONLY" not in repr(state)
    store.set_visibility(member.id, SCOPE, "aspirations", "private")  # unshared: gone at the next read
    assert read_state(store, theirs).shared_preparation == ()
    with pytest.raises(InputError, match="only a topic you added"):
        actions.remove_agenda_item(store, theirs, state.agenda[0].item)
    actions.remove_agenda_item(store, mine, state.agenda[0].item)
    assert [i.text for i in read_state(store, mine).agenda] == ["Manager: the reorganisation"]
    with pytest.raises(InputError, match="Agenda item: write what it is about"):
        actions.add_agenda_item(store, mine, cid, "   ")


@pytest.mark.parametrize(
    ("text", "owner", "due", "problem"),
    [
        ("", "member", "2030-07-01", "Action: write what it is about"),
        ("x" * 501, "member", "2030-07-01", "Action: at most 500 characters"),
        ("Book it", "hr", "2030-07-01", "Owner: choose the team member or the manager"),
        ("Book it", "member", None, "Due date: choose the date it is due"),
        ("Book it", "member", "31/02/2030", "Due date: '31/02/2030' is not a real date"),
        ("Book it", "member", "1999-12-31", "Due date: Friday 31 December 1999 is too far back"),
    ],
)
def test_bad_actions_are_refused_with_a_message_naming_the_part(store, sides, text, owner, due, problem):
    mine, _, cid = sides
    with pytest.raises(InputError) as refused:
        actions.add_action(store, mine, cid, text, owner, due)
    assert str(refused.value).startswith(problem)
    assert read_state(store, mine).actions == ()


def test_open_actions_carry_into_the_next_1on1_until_done(store, people, sides):
    mine, theirs, cid = sides
    course = actions.add_action(store, mine, cid, "Find a facilitation course", "member", "2030-07-01")
    intro = actions.add_action(
        store, theirs, cid, "Introduce Tia to the training lead", "manager", date(2030, 7, 8)
    )
    with pytest.raises(InputError, match="Status: 'finished' is not one of"):
        actions.update_action(store, theirs, intro.item, status="finished")
    actions.update_action(store, theirs, intro.item, status="in_progress")
    record_held(store, theirs, cid, "2030-06-14", today=TODAY)
    second = read_state(store, mine)
    assert second.conversation_id != cid and second.number == 2
    assert {a.text: a.status for a in second.actions} == {
        "Find a facilitation course": "open",
        "Introduce Tia to the training lead": "in_progress",
    }
    actions.update_action(store, mine, course.item, status="done")
    assert {a.text for a in read_state(store, mine).actions} == {
        "Find a facilitation course",  # done in this 1:1: still shown in it
        "Introduce Tia to the training lead",
    }
    record_held(store, mine, second.conversation_id, "2030-06-15", today=TODAY)
    assert [a.text for a in read_state(store, mine).actions] == ["Introduce Tia to the training lead"]
    with pytest.raises(InputError, match="recorded as held"):
        actions.add_action(store, mine, cid, "too late", "member", "2030-07-01")
    with pytest.raises(InputError, match="Action: 'nope' is not one of"):
        actions.update_action(store, mine, "nope", status="done")


# -- recording as held ------------------------------------------------------------------------------------
def test_recording_makes_one_log_entry_from_either_side_and_it_links_back(store, people, sides):
    mine, theirs, cid = sides
    actions.add_action(store, mine, cid, "Ask for a stretch project", "member", "2030-07-01")
    with pytest.raises(InputError, match="has not come yet"):
        record_held(store, theirs, cid, "2030-06-16", today=TODAY)
    assert conversations(store, people["manager"]) == []
    first = record_held(store, theirs, cid, "2030-06-14", today=TODAY)
    again = record_held(store, mine, cid, "2030-06-10", today=TODAY)
    assert first.recorded_now and not again.recorded_now
    assert (again.log_entry_id, again.held_on) == (first.log_entry_id, date(2030, 6, 14))
    [entry] = conversations(store, people["manager"])
    assert (entry.id, entry.held_on, entry.alias) == (first.log_entry_id, date(2030, 6, 14), "T.T.M.")
    assert entry.follow_up_planned and not entry.idp_started
    assert conversation_history(store, people["manager"], entry.id)[0].change == "recorded on the 1:1 page"
    assert log_entry_links(store, people["manager"]) == {entry.id: people["member"].pid}
    with store.read() as session:
        assert session.scalar(select(ConversationLog.participant_id)) == people["manager"].id
    # a second 1:1 makes a second entry, and only one
    record_held(store, mine, first.next_conversation_id, "2030-06-15", today=TODAY)
    assert len(conversations(store, people["manager"])) == 2


# -- briefing and calendar --------------------------------------------------------------------------------
def test_each_side_gets_a_one_page_briefing_with_only_what_they_may_read(store, people, sides):
    mine, theirs, cid = sides
    member = people["member"]
    goals = [
        {
            "goal": "Run the spring onboarding",
            "measure": "Delivered",
            "target_date": "2030-09-30",
            "first_step": "Shadow the lead",
        }
    ]
    store.save_answer(member.id, SCOPE, "goals.goals", goals)
    save_notes(store, mine, cid, SHARED, "We agreed (x) \\ ) Tj <b>lead</b>", None)
    save_notes(store, mine, cid, PRIVATE, "MEMBER-ONLY thought", None)
    save_notes(store, theirs, cid, PRIVATE, "MANAGER-ONLY thought", None)
    actions.add_action(store, theirs, cid, "Introduce the training lead", "manager", "2030-07-08")
    record_held(store, theirs, cid, "2030-06-14", today=TODAY)
    store.save_answer(member.id, SCOPE, "aspirations.in_two_years", "Lead the training team")
    store.set_visibility(member.id, SCOPE, "aspirations", "manager")
    set_planned_date(store, mine, current_conversation(store, mine), "2030-07-20")

    pages, member_text = pdf_text(briefing.briefing_pdf(briefing.briefing(store, mine)))
    assert pages == 2  # the briefing, and the page naming every goal with its check-ins
    for expected in (
        "We agreed (x) \\ ) Tj <b>lead</b>",
        "MEMBER-ONLY thought",
        "Introduce the training lead",
        "Run the spring onboarding",
        "Preparation updated: Where you want to go",
        "20 July 2030",
    ):
        assert expected in member_text, expected
    assert "MANAGER-ONLY" not in member_text

    pages, manager_text = pdf_text(briefing.briefing_pdf(briefing.briefing(store, theirs)))
    assert pages == 1 and "MANAGER-ONLY thought" in manager_text and "MEMBER-ONLY" not in manager_text
    assert "Run the spring onboarding" not in manager_text  # the goals are not shared with the manager
    store.set_visibility(member.id, SCOPE, "goals", "manager")
    assert "Run the spring onboarding" in pdf_text(briefing.briefing_pdf(briefing.briefing(store, theirs)))[1]


def test_a_long_briefing_still_fits_one_page(store, people, sides):
    mine, theirs, cid = sides
    save_notes(store, mine, cid, SHARED, "A long line of notes\n" * 400, None)
    save_notes(store, mine, cid, PRIVATE, "private words " * 900, None)
    for n in range(12):
        actions.add_action(
            store, theirs, cid, f"Action {n} " + "with many words " * 25, "manager", "2030-07-08"
        )
    record_held(store, theirs, cid, "2030-06-14", today=TODAY)
    for n in range(9):
        actions.add_agenda_item(store, mine, current_conversation(store, mine), f"Topic {n} " + "x" * 450)
    pages, text = pdf_text(briefing.briefing_pdf(briefing.briefing(store, mine)))
    assert pages == 1
    assert "What changed since the last 1:1" in text and "More on the 1:1 page" in text


def unfold(ics: str) -> list[str]:
    """The content lines of a calendar file (RFC 5545 unfolding)."""
    assert "\n" not in ics.replace("\r\n", "")
    return ics.replace("\r\n ", "").split("\r\n")[:-1]


def test_the_calendar_file_carries_the_pages_address_never_a_code_and_escapes_what_people_wrote(
    store, people, sides, monkeypatch
):
    monkeypatch.setenv("WORKBOOK_BASE_URL", "https://workbook.example.org")
    mine, theirs, cid = sides
    hostile = "Evil\r\nATTENDEE:mailto:eve@example.org\nBEGIN:VEVENT;x,y\u2028SUMMARY:pwned\x0bEND"
    with store.write() as session:
        session.execute(update(Participant).where(Participant.id == mine.member_id).values(name=hostile))
    actions.add_action(store, mine, cid, "Book; the, course\\ now", "member", "2030-07-01")
    set_planned_date(store, mine, cid, "2030-07-02")
    codes = [identity.reissue(store, p.pid).code for p in (people["member"], people["manager"])]
    address = f"https://workbook.example.org/voila/render/conversation.ipynb?member={mine.member_pid}"
    files = [briefing.next_conversation_ics(briefing.briefing(store, t), t) for t in (mine, theirs)]
    assert files[0] == files[1]  # the same file whichever side downloads it
    ics = files[0]
    lines = unfold(ics)
    names = [line.split(":", 1)[0].split(";", 1)[0] for line in lines]
    assert sorted(names) == sorted(
        ["BEGIN", "VERSION", "PRODID", "CALSCALE", "BEGIN", "UID", "DTSTAMP", "DTSTART", "DTEND"]
        + ["SUMMARY", "DESCRIPTION", "URL", "END", "END"]
    )  # nobody has an email: no METHOD, no ORGANIZER, no ATTENDEE
    assert f"URL:{address}" in lines and "DTSTART;VALUE=DATE:20300702" in lines  # a date only: all day
    assert not any(code in ics for code in codes) and "code=" not in ics
    assert all(len(raw.encode()) <= 75 for raw in ics.split("\r\n"))
    description = next(line for line in lines if line.startswith("DESCRIPTION:"))
    assert (
        "Book\\; the\\, course\\\\ now" in description
        and "Evil\\nATTENDEE:mailto:eve@example.org" in description
    )
    [event] = icalendar.Calendar.from_ical(ics).events
    assert "\nATTENDEE:mailto:eve@example.org\nBEGIN:VEVENT;x,y\nSUMMARY:pwned\nEND" in str(
        event["DESCRIPTION"]
    )


def test_no_calendar_file_before_a_date_is_planned_and_one_at_the_planned_date_after(store, sides):
    """Today's file was an all-day event a week ahead while the page said "No date planned yet"."""
    mine, _, cid = sides
    assert briefing.next_conversation_ics(briefing.briefing(store, mine), mine) is None
    assert "No date planned yet" in pdf_text(briefing.briefing_pdf(briefing.briefing(store, mine)))[1]
    set_planned_date(store, mine, cid, "2030-07-02")
    event = icalendar.Calendar.from_ical(briefing.next_conversation_ics(briefing.briefing(store, mine), mine))
    assert event.events[0].start == date(2030, 7, 2)


def test_one_planned_conversation_gives_the_same_file_downloaded_from_two_time_zones(store, sides):
    """Set at 14:30 from a browser on New York: the page on UTC and the page on New York, the team
    member's and the manager's, all download the same file: DTSTART;TZID=America/New_York with its
    VTIMEZONE (today: 14:30Z from UTC, 19:30Z from New York)."""
    from zoneinfo import ZoneInfo

    from workbook.apps import clock

    mine, theirs, cid = sides
    plan = set_planned_date(store, theirs, cid, "2030-07-02", "2:30 pm", "America/New_York")
    assert (plan.day, plan.time, plan.time_zone) == (date(2030, 7, 2), "14:30", "America/New_York")
    files = []
    for zone in ("UTC", "America/New_York"):
        clock._visitor_zone = ZoneInfo(zone)  # the zone the visitor's browser said
        try:
            files += [briefing.next_conversation_ics(briefing.briefing(store, t), t) for t in (mine, theirs)]
        finally:
            clock.forget_visitor_zone()
    assert len(set(files)) == 1
    calendar = icalendar.Calendar.from_ical(files[0])
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "America/New_York"
    event = calendar.events[0]
    assert (
        event["DTSTART"].params["TZID"] == "America/New_York" and "DTSTART;TZID=America/New_York:" in files[0]
    )
    assert event.start.astimezone(UTC) == datetime(2030, 7, 2, 18, 30, tzinfo=UTC)
    assert (event.end - event.start).total_seconds() == 3600
    state = read_state(store, mine)
    assert state.plan.time == "14:30" and state.plan.time_zone == "America/New_York"


def test_a_planned_time_is_checked_and_a_bad_one_changes_nothing(store, sides):
    mine, _, cid = sides
    set_planned_date(store, mine, cid, "2030-07-02", "09:00", "Europe/Lisbon")
    for args, message in (
        (("2030-07-02", "25:00", "Europe/Lisbon"), "Planned time: '25:00' is not a time we can read"),
        ((None, "09:00", "Europe/Lisbon"), "Planned time: choose the date first"),
        (("2030-07-02", "09:30", "Nowhere/City"), "Time zone: 'Nowhere/City' is not a time zone name"),
        (("2030-07-02", "09:30", None), "Time zone: expected the name of a time zone"),
    ):
        with pytest.raises(InputError, match=message):
            set_planned_date(store, mine, cid, *args)
    plan = read_state(store, mine).plan
    assert (plan.day, plan.time, plan.time_zone) == (date(2030, 7, 2), "09:00", "Europe/Lisbon")


@pytest.mark.parametrize(
    ("manager_email", "member_email", "method", "names"),
    [
        ("max@example.org", None, "PUBLISH", ["ORGANIZER"]),
        ("max@example.org", "tia@example.org", None, ["ATTENDEE", "ORGANIZER"]),
        (None, "tia@example.org", None, []),
    ],
)
def test_the_1on1_calendar_file_has_an_organizer_only_with_the_managers_email(
    store, people, sides, manager_email, member_email, method, names
):
    mine, _, cid = sides
    with store.write() as session:
        for person, email in ((people["manager"], manager_email), (people["member"], member_email)):
            session.execute(update(Participant).where(Participant.id == person.id).values(email=email))
    set_planned_date(store, mine, cid, "2030-07-02", "10:00", "Europe/Warsaw")
    text = briefing.next_conversation_ics(briefing.briefing(store, mine), mine)
    calendar = icalendar.Calendar.from_ical(text)
    assert calendar.get("METHOD") == method and "REQUEST" not in text and "RSVP" not in text
    event = calendar.events[0]
    assert sorted(k for k in event if k in ("ATTENDEE", "ORGANIZER")) == names
    if names:
        assert str(event["ORGANIZER"]) == "mailto:max@example.org"


# -- the schema -------------------------------------------------------------------------------------------
def test_migration_0007_goes_down_and_up_again(tmp_path):
    from alembic import command
    from sqlalchemy import inspect

    from workbook.store import Store, _alembic_config

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    store = Store(url)
    manager = identity.add_participant(store, "Max", cohort="N").person
    member = identity.add_participant(store, "Tia", manager_pid=manager.pid).person
    thread = open_thread(store, member)
    record_held(store, thread, current_conversation(store, thread), "2030-06-01", today=TODAY)
    cfg = _alembic_config()
    with store.migration_connection() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005")
        tables = set(inspect(conn).get_table_names())
        logged = conn.execute(select(ConversationLog.id)).all()
    store.close()
    assert not {t for t in tables if t.startswith("one_on_one")} and len(logged) == 1  # the log entry stays
    again = Store(url)
    with again.read() as session:
        assert session.scalars(select(OneOnOneNote)).all() == []
    again.close()


def test_the_managers_prompts_are_checked_content(tmp_path):
    import shutil

    from workbook.config import REPO_ROOT
    from workbook.content import check_all, conversation_guide

    guide = conversation_guide()
    assert [g.id for g in guide.prompts] == ["listen", "perspective", "support"]
    folder = tmp_path / "content"
    shutil.copytree(REPO_ROOT / "data", folder)
    path = folder / "conversation.yaml"
    path.write_text(path.read_text().replace("id: perspective", "id: advise"))
    [problem] = check_all(folder)
    assert "conversation.yaml" in problem and "prompts" in problem and "'advise'" in problem
    path.write_text(
        path.read_text().replace("id: advise", "id: perspective").replace("    prompts:\n", "    tips:\n", 1)
    )
    [problem] = check_all(folder)
    assert "conversation.yaml" in problem and "prompts.0" in problem


# -- the 1:1 keeps its history ------------------------------------------------------------------------------
def test_three_clashes_leave_every_version_readable_and_any_one_restorable(store, people, sides):
    """Both pages start from the same version and save over each other three times: every version stays
    readable by both sides with its author and time (today only the newest overwritten one was shown), and
    the first one overwritten comes back as a new version."""
    from workbook.team.conversation import restore_note_version

    mine, theirs, cid = sides
    base = save_notes(store, mine, cid, SHARED, "Start", None).version_id
    for n in range(1, 4):  # each side saves from what it read before the other's save: three clashes
        latest = read_notes(store, mine, cid, SHARED).version_id
        save_notes(store, theirs, cid, SHARED, f"Manager {n}", latest)
        save_notes(store, mine, cid, SHARED, f"Member {n}", latest)
    notes = read_notes(store, theirs, cid, SHARED)
    assert notes.text == "Member 3" and notes.versions == 7
    for side in (mine, theirs):
        history = note_history(store, side, cid)
        assert [v.text for v in history] == ["Start"] + [
            f"{w} {n}" for n in (1, 2, 3) for w in ("Manager", "Member")
        ]
        assert [v.author for v in history[1:3]] == ["Max Manager", "Tia Team-Member"]
        assert all(v.written_at.tzinfo is not None for v in history)
    first_overwritten = note_history(store, mine, cid)[1]
    assert first_overwritten.text == "Manager 1" and first_overwritten.id != base
    restored = restore_note_version(store, mine, cid, first_overwritten.id)
    assert restored.text == "Manager 1" and restored.versions == 8 and restored.also_written == ()
    assert restored.latest.author == "Tia Team-Member"  # restored by her, as a new version
    assert read_notes(store, theirs, cid, SHARED).text == "Manager 1"
    assert len(note_history(store, theirs, cid)) == 8  # nothing lost
    for bad in (10**9, "1", None, True):
        with pytest.raises(InputError, match="not one of these notes' versions"):
            restore_note_version(store, mine, cid, bad)
    forged = conversation.Thread(people["other"].id, mine.member_id, mine.member_pid, "x", "manager")
    with pytest.raises(NotAllowed):
        restore_note_version(store, forged, cid, first_overwritten.id)
    assert len(note_history(store, mine, cid)) == 8


def test_a_past_1on1_stays_readable_with_its_notes_actions_and_outcome(store, people, sides):
    mine, theirs, cid = sides
    save_notes(store, theirs, cid, SHARED, "We talked about the training team", None)
    save_notes(store, mine, cid, PRIVATE, "HER-PRIVATE", None)
    save_notes(store, theirs, cid, PRIVATE, "HIS-PRIVATE", None)
    action = actions.add_action(store, theirs, cid, "Book the course", "member", "2030-07-01")
    record_held(store, theirs, cid, "2030-06-14", today=TODAY)
    actions.update_action(store, mine, action.item, status="done")
    for side, own, other in ((mine, "HER-PRIVATE", "HIS-PRIVATE"), (theirs, "HIS-PRIVATE", "HER-PRIVATE")):
        state = read_state(store, side)
        assert state.conversation_id != cid and state.number == 2
        [past] = state.history
        assert (past.conversation_id, past.number, past.held_on) == (cid, 1, date(2030, 6, 14))
        assert past.shared.text == "We talked about the training team"
        assert past.private.text == own and other not in repr(state)
        assert [(a.text, a.status) for a in past.actions] == [("Book the course", "done")]
        assert past.outcome == "Held, recorded by Max Manager; 1 action agreed, 1 done."


def test_recording_as_held_logs_a_follow_up_only_when_one_is_planned(store, people, sides):
    """No next date and only an overdue action: follow-up planned is false (today: true for any open
    action); setting the next 1:1's date makes the entry say true (a new version); an action due ahead
    counts as planned at once."""
    mine, theirs, cid = sides
    actions.add_action(store, theirs, cid, "Overdue already", "manager", "2030-06-01")
    first = record_held(store, theirs, cid, "2030-06-14", today=TODAY)
    [entry] = conversations(store, people["manager"])
    assert entry.follow_up_planned is False
    set_planned_date(store, mine, first.next_conversation_id, "2030-07-20", "10:00", "UTC")
    [entry] = conversations(store, people["manager"])
    assert entry.follow_up_planned is True
    history = conversation_history(store, people["manager"], entry.id)
    assert [v.follow_up_planned for v in history] == [False, True] and "next 1:1" in history[-1].change
    set_planned_date(store, mine, first.next_conversation_id, "2030-07-21")
    assert len(conversation_history(store, people["manager"], entry.id)) == 2  # said once
    actions.add_action(store, mine, first.next_conversation_id, "Due ahead", "member", "2030-07-30")
    second = record_held(store, mine, first.next_conversation_id, "2030-06-15", today=TODAY)
    newest = conversations(store, people["manager"])[0]
    assert newest.id == second.log_entry_id and newest.follow_up_planned is True


def test_the_briefing_names_every_goal_with_its_check_ins_and_full_dates(store, people, sides):
    """Today the briefing listed only the first goal and cut its target date ("2027-06 […]")."""
    from workbook.team.checkins import my_goal_progress, record_checkin

    mine, theirs, cid = sides
    member = people["member"]
    long_title = "Lead the cross-team onboarding programme for every new joiner " * 3
    goals = [
        {"goal": long_title.strip(), "measure": "Ten joiners", "target_date": "2027-06-30"},
        {"goal": "Second goal: speak at a conference", "measure": "", "target_date": "2027-11-05"},
        {"goal": "Third goal: mentor two people", "measure": "", "target_date": ""},
    ]
    store.save_answer(member.id, SCOPE, "goals.goals", goals)
    first, second, _ = my_goal_progress(store, member)
    record_checkin(store, member, first.goal_id, "not_started", None, "Waiting for budget")
    record_checkin(store, member, second.goal_id, "on_track", 40, "Abstract sent")
    pages, text = pdf_text(briefing.briefing_pdf(briefing.briefing(store, mine)))
    flat = " ".join(text.split())
    for expected in (
        "Goal 1:",
        "Goal 2: Second goal: speak at a conference",
        "Goal 3: Third goal: mentor two people",
        "Wednesday 30 June 2027",
        "Friday 5 November 2027",
        "Waiting for budget",
        "Abstract sent",
        "Every goal and its check-ins",
    ):
        assert expected in flat, expected
    assert " ".join(long_title.split()) in flat  # the whole title, on the goals page
    assert "2027-06 […]" not in flat
