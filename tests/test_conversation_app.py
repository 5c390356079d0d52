"""The 1:1 page without a browser: what each side's kernel holds, crafted widget values, a change of
manager while the page is open, two pages editing the shared notes, and the forms' checks."""

from __future__ import annotations

import ipywidgets as widgets
import pytest
from ipywidgets.widgets.widget import _instances
from traitlets import TraitError
from widget_helpers import download_links, find, live_widget_state

from workbook import identity
from workbook.apps.conversation import ConversationApp, conversation_app
from workbook.apps.signin import PageSession
from workbook.preparation import SCOPE
from workbook.team.conversation import (
    NOT_YOURS,
    PRIVATE,
    SHARED,
    current_conversation,
    open_thread,
    read_notes,
)
from workbook.team.manager_change import set_manager


@pytest.fixture(autouse=True)
def own_kernel():
    """Each test's pages as if in a kernel of their own: no widget of an earlier test is alive."""
    _instances.clear()


@pytest.fixture
def people(store):
    manager = identity.add_participant(store, "Max Manager", cohort="North")
    other = identity.add_participant(store, "Bea Other", cohort="North")
    member = identity.add_participant(
        store, "Tia <img src=x onerror=alert(1)>", manager_pid=manager.person.pid
    )
    store.save_answer(member.person.id, SCOPE, "aspirations.in_two_years", "SHARED-ASPIRATION <b>lead</b>")
    store.save_answer(member.person.id, SCOPE, "self_awareness.strengths", "PRIVATE-STRENGTHS")
    store.set_visibility(member.person.id, SCOPE, "aspirations", "manager")
    return {"manager": manager, "other": other, "member": member}


def app_for(store, issued, member_pid=None) -> ConversationApp:
    return ConversationApp(PageSession(issued.person, store), member_pid)


def test_each_kernel_holds_only_what_its_viewer_may_see(store, people):
    member_app = app_for(store, people["member"])
    member_app.page.notes[PRIVATE].box.value = "MEMBER-PRIVATE-NOTE"
    manager_code = people["manager"].code
    _instances.clear()  # the manager's page in a kernel of its own
    manager_app = app_for(store, people["manager"], people["member"].person.pid)
    manager_app.page.notes[PRIVATE].box.value = "MANAGER-PRIVATE-NOTE"
    state = live_widget_state()
    assert "SHARED-ASPIRATION &lt;b&gt;lead&lt;/b&gt;" in state  # shared, and escaped
    assert "PRIVATE-STRENGTHS" not in state and "MEMBER-PRIVATE-NOTE" not in state
    assert "Prompts for you" in state and manager_code not in state
    shown_as_html = "".join(w.value for w in list(_instances.values()) if isinstance(w, widgets.HTML))
    assert (
        "<img src=x" not in shown_as_html and "Tia &lt;img src=x" in shown_as_html
    )  # (a dropdown shows text)

    _instances.clear()
    member_again = app_for(store, people["member"])
    state = live_widget_state()
    assert "MEMBER-PRIVATE-NOTE" in state and "MANAGER-PRIVATE-NOTE" not in state
    assert "Prompts for you" not in state  # the prompts are the manager's
    assert member_again.page.thread.side == "member"
    [header] = [w for w in member_again.widget.children if "wb-title" in str(getattr(w, "value", ""))]
    assert header.value.startswith("<style>")  # the page's style is a style, not text on the page


def test_another_manager_gets_nothing_by_address_by_choice_or_by_a_crafted_value(store, people, monkeypatch):
    member_pid = people["member"].person.pid
    by_address = app_for(store, people["other"], member_pid)
    assert by_address.page is None and NOT_YOURS in by_address.message.value
    assert "SHARED-ASPIRATION" not in live_widget_state()
    with pytest.raises(TraitError):
        by_address.chooser.value = member_pid  # not one of the options the page offered
    by_address.open(member_pid)  # a value sent past the options is checked on the server too
    by_address.open({"pid": member_pid})
    assert by_address.page is None and NOT_YOURS in by_address.message.value
    # the whole app, signed in with B's code and A's team member in the address
    monkeypatch.setenv("QUERY_STRING", f"code={people['other'].code}&member={member_pid}")
    _instances.clear()
    conversation_app(store)
    state = live_widget_state()
    assert "SHARED-ASPIRATION" not in state and "this 1:1 is not open to you" in state
    # and the team member's own code never opens someone else's
    other_member = identity.add_participant(store, "Ola Else", manager_pid=people["other"].person.pid)
    assert app_for(store, people["member"], other_member.person.pid).page is None


def test_a_change_of_manager_empties_the_old_managers_open_page_at_its_next_refresh(store, people):
    app = app_for(store, people["manager"], people["member"].person.pid)
    page = app.page
    assert page.ticker.every <= 10 - 5  # a refresh every 5 s shows changes within 10
    member = open_thread(store, people["member"].person)
    from workbook.team.conversation import save_notes

    before = current_conversation(store, member)
    save_notes(store, member, before, SHARED, "NOTE-BEFORE-THE-CHANGE", None)
    page.refresh()
    assert "NOTE-BEFORE-THE-CHANGE" in live_widget_state()
    set_manager(store, people["member"].person.pid, people["other"].person.pid)
    page.notes[SHARED].box.value = "written after the change"  # refused: nothing saved
    page.refresh()
    state = live_widget_state()
    assert "NOTE-BEFORE-THE-CHANGE" not in state and "SHARED-ASPIRATION" not in state
    assert NOT_YOURS in page.gone_message.value and page.body.children == ()
    assert read_notes(store, member, before, SHARED).text == "NOTE-BEFORE-THE-CHANGE"  # it stays hers
    assert read_notes(store, member, current_conversation(store, member), SHARED).text == ""  # a new 1:1


def test_two_pages_see_each_others_notes_and_a_clash_shows_also_written(store, people):
    member = app_for(store, people["member"]).page
    manager = app_for(store, people["manager"], people["member"].person.pid).page
    member.notes[SHARED].box.value = "Member: my agenda"
    manager.refresh()
    assert manager.notes[SHARED].box.value == "Member: my agenda"
    # both type before either sees the other's save
    manager.notes[SHARED].box.value = "Manager: my version"
    member.notes[SHARED].box.value = "Member: my newer version"
    member.refresh(), manager.refresh()
    for page in (member, manager):
        assert page.notes[SHARED].box.value == "Member: my newer version"
        assert "Also written" in page.notes[SHARED].also.value
        assert "Manager: my version" in page.notes[SHARED].also.value
        assert "3 versions kept" in page.notes[SHARED].saved_line.value


def test_a_refresh_never_overwrites_what_someone_is_typing(store, people):
    member = app_for(store, people["member"]).page
    manager = app_for(store, people["manager"], people["member"].person.pid).page
    member.notes[SHARED].loaded = "pretend this page has not saved yet"
    member.notes[SHARED].box.value = "typed here"  # not yet saved, as in a browser between keys
    member.notes[SHARED].loaded = "pretend this page has not saved yet"
    manager.notes[SHARED].box.value = "from the manager"
    member.refresh()
    assert member.notes[SHARED].box.value == "typed here"


def test_the_action_form_checks_on_the_server_and_keeps_what_was_typed(store, people):
    page = app_for(store, people["member"]).page
    page.actions.text.value = "Ask for a stretch project"
    page.actions.add_action(page.actions.text.value, "owner-from-elsewhere", None)
    assert "Owner: choose the team member or the manager" in page.actions.note.value
    assert page.actions.text.value == "Ask for a stretch project" and page.state.actions == ()
    from datetime import date

    page.actions.add_action(page.actions.text.value, "member", date(2030, 7, 1))
    assert [a.text for a in page.state.actions] == ["Ask for a stretch project"]
    [status] = find(page.actions.widget, "wb-action-status")
    with pytest.raises(TraitError):
        status.value = "deleted"
    status.value = "done"
    assert page.state.actions[0].status == "done"
    page.agenda.add_topic("x" * 501)
    assert "Agenda item: at most 500 characters" in page.agenda.note.value


def test_recording_opens_the_next_1on1_on_both_pages_and_the_briefing_downloads(store, people):
    from datetime import date

    member = app_for(store, people["member"]).page
    manager = app_for(store, people["manager"], people["member"].person.pid).page
    member.actions.add_action("Find a course", "member", date(2030, 7, 1))
    first = member.conversation_id
    manager.record_held(date.today())
    assert "Recorded as held" in manager.held_message.value and manager.conversation_id != first
    member.record_held(date.today())  # the member's page had not refreshed yet: nothing more is added
    assert "already recorded" in member.held_message.value
    member.refresh()
    assert member.conversation_id == manager.conversation_id
    assert [a.text for a in member.state.actions] == ["Find a course"]
    assert "carried over" in str(find(member.actions.widget, "wb-action-row")[0].children[0].value)
    manager.make_briefing()
    links = download_links(manager.downloads.value)
    assert set(links) == {"pdf"} and "No date is planned for the next 1:1 yet" in manager.downloads.value
    assert links["pdf"][2].startswith(b"%PDF")
    manager.set_planned(date(2030, 7, 2), "14:30")  # a calendar file only from a planned date
    manager.make_briefing()
    links = download_links(manager.downloads.value)
    assert set(links) == {"pdf", "ics"} and b"member=" in links["ics"][2]


def test_the_page_asks_for_a_code_and_a_wrong_role_is_sent_elsewhere(store, monkeypatch):
    from widget_helpers import find as find_widgets

    page = conversation_app(store)
    assert "Enter the access code" in str(find_widgets(page, "wb-signin")[0].children[0].value)
    facilitator = identity.add_participant(store, "Fay", roles=["facilitator:North"], allow_privileged=True)
    monkeypatch.setenv("QUERY_STRING", f"code={facilitator.code}")
    assert find_widgets(conversation_app(store), "wb-wrong-app-message")


def test_the_participant_app_the_managers_home_and_log_link_to_the_1on1_page(store, people):
    from datetime import date

    from workbook import content
    from workbook.apps.manager import ManagerHome
    from workbook.apps.participant import PreparationWorkbook
    from workbook.team.conversation import record_held

    member, manager = people["member"], people["manager"]
    book = PreparationWorkbook(store, member.person, content.preparation())
    assert 'href="conversation.ipynb"' in book.widget.children[0].value  # no code: the session opens it
    assert member.code not in book.widget.children[0].value
    home = ManagerHome(store, manager.person)
    assert 'href="conversation.ipynb"' in home.widget.children[1].value
    assert manager.code not in home.widget.children[1].value
    loner = identity.add_participant(store, "Lo Alone")
    assert (
        "conversation.ipynb"
        not in PreparationWorkbook(store, loner.person, content.preparation()).widget.children[0].value
    )
    thread = open_thread(store, manager.person, member.person.pid)
    record_held(store, thread, current_conversation(store, thread), date.today())
    [entry] = find(home.conversations.widget, "wb-log-entry-text")
    expected = f'href="conversation.ipynb?member={member.person.pid}"'
    assert expected in entry.value and "Open the 1:1 page" in entry.value


def test_a_manager_who_also_has_a_manager_chooses_between_their_own_1on1_and_their_reports(store, people):
    boss = identity.add_participant(store, "Bo Boss", cohort="North")
    middle = identity.add_participant(
        store, "Mid Manager", roles=["manager:North", "team_member"], manager_pid=boss.person.pid
    )
    report = identity.add_participant(store, "Rae Report", manager_pid=middle.person.pid)
    app = app_for(store, middle)
    assert [pid for _, pid in app.chooser.options] == [middle.person.pid, report.person.pid]
    assert app.page.thread.side == "member" and "Bo Boss" in app.page.heading.value
    app.chooser.value = report.person.pid
    assert app.page.thread.side == "manager" and "Rae Report" in app.page.heading.value
    assert "Prompts for you" in live_widget_state()
    assert app_for(store, people["other"]).page is None  # nobody reports to them and they have no manager


# -- the buttons' clicks carry the values the page shows ---------------------------------------------------
def click_from_page(button, values: dict) -> None:
    """The message a click on the page sends: the value each field shows there, by model id."""
    button._received(button, {"event": "submit", "values": values}, [])


def js_date(day) -> dict:
    """A date as the page's date picker sends it (months from 0)."""
    return {"year": day.year, "month": day.month - 1, "date": day.day}


def test_a_click_carrying_the_topic_adds_it_though_the_kernel_holds_older_text(store, people):
    page = app_for(store, people["member"]).page
    agenda = page.agenda
    agenda.topic.value = "A cou"  # the keystrokes the kernel has had so far
    click_from_page(agenda.add, {agenda.topic.model_id: "A course I found"})
    assert [item.text for item in page.state.agenda] == ["A course I found"]
    assert agenda.topic.value == "" and agenda.note.value == ""
    agenda.topic.set_state({"value": "A course I found"})  # the held-back keystrokes arrive after the click
    assert agenda.topic.value == ""  # they do not put the added topic back into the box
    agenda.topic.set_state({"value": "N"})  # typing goes on as usual
    agenda.topic.set_state({"value": "A course I found"})
    assert agenda.topic.value == "A course I found"
    agenda.add.click()  # from Python: the kernel's value
    assert [item.text for item in page.state.agenda] == ["A course I found"] * 2


def test_a_click_carrying_an_action_adds_it_with_its_owner_and_date(store, people):
    from datetime import date

    page = app_for(store, people["member"]).page
    actions = page.actions
    manager = [value for _, value in actions.owner.options].index("manager")
    click_from_page(
        actions.add,
        {
            actions.text.model_id: "Ask about the pilot",
            actions.owner.model_id: manager,
            actions.due.model_id: js_date(date(2030, 7, 1)),
        },
    )
    [added] = page.state.actions
    assert (added.text, added.owner, added.due_on) == ("Ask about the pilot", "manager", date(2030, 7, 1))
    assert "Added." in actions.note.value and actions.text.value == ""


@pytest.mark.parametrize(
    ("field", "sent", "problem"),
    [
        ("text", 42, "what was sent for “New action” is not text; nothing was saved"),
        ("text", ["a"], "is not text"),
        ("text", "x" * 200_000, "the text sent for “New action” is far too long; nothing was saved"),
        ("text", "x" * 501, "Action: at most 500 characters, got 501"),
        ("owner", 7, "the choice sent for “Owner” is not one of its options; nothing was saved"),
        ("owner", -1, "not one of its options"),
        ("owner", "ceo", "not one of its options"),
        ("owner", True, "not one of its options"),
        ("due", "2030-07-01", "the date sent for “Due date” is not a date; nothing was saved"),
        ("due", {"year": 2030, "month": 13, "date": 1}, "is not a date"),
        ("due", {"year": "<b>", "month": 0, "date": 1}, "is not a date"),
        ("due", {"year": 1850, "month": 0, "date": 1}, "Due date"),
    ],
)
def test_a_crafted_value_in_a_click_is_refused_and_nothing_is_saved(store, people, field, sent, problem):
    from datetime import date

    page = app_for(store, people["member"]).page
    actions = page.actions
    actions.text.value = "Kept in the box"
    good = {
        actions.text.model_id: "Ask about the pilot",
        actions.owner.model_id: 0,
        actions.due.model_id: js_date(date(2030, 7, 1)),
    }
    click_from_page(actions.add, good | {getattr(actions, field).model_id: sent})
    assert problem in actions.note.value and 'role="alert"' in actions.note.value
    assert page.state.actions == ()
    if problem.endswith("nothing was saved"):  # refused as it came: no field changes
        assert actions.text.value == "Kept in the box" and actions.owner.index == 0


def test_crafted_topics_and_dates_are_refused_with_a_clear_message(store, people):
    from datetime import date

    page = app_for(store, people["member"]).page
    for sent, problem in (
        (None, "is not text"),
        ({"text": "x"}, "is not text"),
        ("x" * 501, "Agenda item: at most 500 characters"),
        ("  ", "Agenda item"),
    ):
        click_from_page(page.agenda.add, {page.agenda.topic.model_id: sent})
        assert problem in page.agenda.note.value
    assert page.state.agenda == ()
    first = page.conversation_id
    click_from_page(page.record, {page.held_day.model_id: "yesterday"})
    assert "the date sent for “Date held” is not a date" in page.held_message.value
    assert page.conversation_id == first
    click_from_page(page.record, {page.held_day.model_id: js_date(date.today())})
    assert "Recorded as held" in page.held_message.value and page.conversation_id != first


# -- a change of manager: a new 1:1 for the new pair ---------------------------------------------------------
def test_the_new_managers_page_is_empty_of_the_old_managers_text_and_the_member_brings_her_actions(
    store, people
):
    from datetime import date

    from workbook.apps.common import close_tree

    member_pid = people["member"].person.pid
    old = app_for(store, people["manager"], member_pid).page
    old.notes[SHARED].box.value = "OLD-SHARED-NOTE"
    old.notes[PRIVATE].box.value = "OLD-PRIVATE-NOTE"
    old.autosaver.flush()
    old.agenda.add_topic("OLD-TOPIC")
    old.actions.add_action("OLD-ACTION", "manager", date(2030, 7, 1))
    old.actions.add_action("HER-ACTION", "member", date(2030, 7, 2))
    old.refresh()
    assert "Last saved by Max Manager" in old.notes[SHARED].saved_line.value
    open_before = app_for(store, people["member"]).page  # the team member's page, open at the change
    assert open_before.notes[SHARED].box.value == "OLD-SHARED-NOTE"
    set_manager(store, member_pid, people["other"].person.pid)
    old.refresh()
    assert NOT_YOURS in old.gone_message.value and old.body.children == ()  # the old manager: gone
    open_before.refresh()  # her open page moves to her new 1:1
    assert "with Bea Other" in open_before.heading.value and open_before.notes[SHARED].box.value == ""
    assert [a.text for a in open_before.state.carry_over] == ["HER-ACTION"]
    close_tree(open_before.widget)

    _instances.clear()  # the new manager's page, in a kernel of its own
    new = app_for(store, people["other"], member_pid).page
    state = live_widget_state()
    for text in ("OLD-", "HER-ACTION", "Max Manager", "Bring into this 1:1"):
        assert text not in state, text
    assert "1:1 number 1 with Tia" in new.heading.value and "SHARED-ASPIRATION" in state
    assert "Nothing written yet" in new.notes[SHARED].saved_line.value and new.notes[SHARED].box.value == ""
    assert new.state.agenda == () and new.state.actions == ()

    _instances.clear()  # the team member's page: her 1:1 with the new manager, and what stays hers
    mine = app_for(store, people["member"]).page
    assert "1:1 number 1 with Bea Other" in mine.heading.value
    assert "Max Manager" in mine.heading.value and "open when your manager changed" in mine.heading.value
    assert mine.notes[SHARED].box.value == ""  # her 1:1 now starts empty; the old one stays hers to read:
    assert "OLD-SHARED-NOTE" in mine.history.widget.value and "with Max Manager" in mine.history.widget.value
    [row] = find(mine.actions.widget, "wb-carry-row")
    assert "HER-ACTION" in row.children[0].value and mine.actions.carry_box.layout.display is None
    [bring] = find(row, "wb-carry-bring")
    bring._handle_custom_msg({"event": "click"}, [])  # the click as the page sends it
    assert "Brought into this 1:1: HER-ACTION" in mine.actions.carry_note.value
    assert [a.text for a in mine.state.actions] == ["HER-ACTION"] and mine.state.carry_over == ()
    assert mine.actions.carry_box.layout.display == "none"
    new.refresh()
    assert [a.text for a in new.state.actions] == ["HER-ACTION"]
    assert "brought by the team member" in find(new.actions.widget, "wb-action-row")[0].children[0].value
    mine.actions.carry_over("a key from elsewhere")  # a crafted item: refused, nothing added
    assert "is not one of your open actions" in mine.actions.carry_note.value
    assert [a.text for a in mine.state.actions] == ["HER-ACTION"]


# -- the 1:1 keeps its history ------------------------------------------------------------------------------
def test_the_page_lists_every_version_after_three_clashes_and_restores_one_by_its_button(store, people):
    """Two pages save over each other three times: "Also written" shows only the newest overwritten one,
    but the versions list shows all seven with author and time, and a click on a restore button (as the
    page sends it) makes the first overwritten version the notes again, on both pages."""
    member = app_for(store, people["member"]).page
    manager = app_for(store, people["manager"], people["member"].person.pid).page
    member.notes[SHARED]._save("Start", None)
    manager.refresh()
    for n in range(1, 4):
        manager.notes[SHARED]._save(f"Manager {n}", member.notes[SHARED].based_on)
        member.notes[SHARED]._save(f"Member {n}", member.notes[SHARED].based_on)
    manager.refresh()
    view = manager.notes[SHARED]
    assert "7 versions kept" in view.saved_line.value
    view.versions_button.value = True  # "Show every version"
    rows = find(view.versions_list, "wb-note-version-row")
    assert len(rows) == 7
    shown = "".join(row.children[0].value for row in rows)
    for n in (1, 2, 3):
        assert f"Manager {n}" in shown and f"Member {n}" in shown
    assert "Max Manager" in shown and "Tia &lt;img" in shown  # the author, escaped
    first = next(row for row in rows if "Manager 1" in row.children[0].value)
    [restore] = find(first, "wb-notes-restore")
    restore._handle_custom_msg({"event": "click"}, [])
    assert "Restored as a new version" in view.versions_note.value
    assert view.box.value == "Manager 1" and len(find(view.versions_list, "wb-note-version-row")) == 8
    member.refresh()
    assert member.notes[SHARED].box.value == "Manager 1"


def test_a_past_1on1_stays_on_the_page_after_the_next_one_opens(store, people):
    from datetime import date

    member = app_for(store, people["member"]).page
    manager = app_for(store, people["manager"], people["member"].person.pid).page
    manager.notes[SHARED]._save("FIRST-TALK-NOTES", None)
    manager.actions.add_action("Book the course", "member", date(2030, 7, 1))
    first = manager.conversation_id
    manager.record_held(date.today())
    member.refresh()
    assert member.conversation_id != first and member.notes[SHARED].box.value == ""
    for page in (member, manager):
        shown = page.history.widget.value
        assert "1:1 number 1 with Max Manager" in shown and "FIRST-TALK-NOTES" in shown
        assert "Book the course" in shown and "recorded by Max Manager" in shown
        assert not find(page.history.widget, "wb-notes-restore")  # to read only


def test_the_briefing_and_calendar_files_are_named_after_the_pair(store):
    manager = identity.add_participant(store, "Łukasz Wiśniewski", cohort="North")
    member = identity.add_participant(store, "Øyvind Łada", manager_pid=manager.person.pid)
    for issued, pid in ((member, None), (manager, member.person.pid)):
        _instances.clear()
        page = app_for(store, issued, pid).page
        page.set_planned("2030-07-02", "")
        page.make_briefing()
        links = download_links(page.downloads.value)
        names = sorted(name for name, _, _ in links.values())
        assert names == [
            "1-1-briefing-oyvind-lada-and-lukasz-wisniewski.pdf",
            "1-1-oyvind-lada-and-lukasz-wisniewski-2030-07-02.ics",
        ]
