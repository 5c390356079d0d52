"""The facilitator's page without a browser: every tab's acts, their confirmations, and privacy."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import re

import pytest
from traitlets import TraitError

from tests.widget_helpers import download_links, find, live_widget_state
from workbook import identity
from workbook.apps.facilitator import FacilitatorHome
from workbook.facilitator.people import OPERATOR, members
from workbook.facilitator.roster import import_roster
from workbook.manager.content import lessons, save_lesson_answer
from workbook.manager.scores import submit_comfort_check
from workbook.manager.waves import last_changes, open_waves
from workbook.store import StoreError


def upload(name: str, data: bytes) -> tuple[dict, ...]:
    moment = dt.datetime.now(dt.UTC)
    return (
        {
            "name": name,
            "type": "text/csv",
            "size": len(data),
            "content": memoryview(data),
            "last_modified": moment,
        },
    )


ROSTER = (
    "name,email,role,manager_email\n"
    "Mira Manager,mira@example.org,manager,\n"
    "Tom <b>Team</b>,tom@example.org,team_member,mira@example.org\n"
)


@pytest.fixture
def facilitator(store):
    import_roster(store, ROSTER.encode(), "Cohort A", name="a.csv", by=OPERATOR)
    import_roster(
        store, b"name,email,role\nSecret Bea,bea@example.org,manager\n", "Cohort B", name="b.csv", by=OPERATOR
    )
    issued = identity.add_participant(
        store, "Fay Facil", email="fay@example.org", roles=["facilitator:Cohort A"], allow_privileged=True
    )
    return issued.person


def home_for(store, person):
    return FacilitatorHome(store, identity.find_participant(store, person.pid))


def once_payload(files, kind: str) -> bytes:
    """The bytes of a file a DownloadOnce offers (as its data URI carries them)."""
    [item] = [i for i in files.items if i["kind"] == kind]
    return base64.b64decode(item["href"].split("base64,", 1)[1])


def downloaded(files, kind: str) -> None:
    """What the page sends when the person clicks a file's link."""
    files._handle_custom_msg({"event": "downloaded", "kind": kind}, [])


def payload(html: str, kind: str) -> bytes:
    links = download_links(html)
    assert kind in links, html[:500]
    return links[kind][2]


@pytest.fixture(autouse=True)
def no_widgets_of_earlier_tests():
    import ipywidgets

    ipywidgets.Widget.close_all()


def test_a_facilitator_sees_nothing_of_another_cohort_in_any_widget_state(store, facilitator):
    home = home_for(store, facilitator)
    state = live_widget_state()
    assert "Mira Manager" in state and "Tom &lt;b&gt;Team&lt;/b&gt;" in state
    assert "Secret Bea" not in state and "bea@example.org" not in state and "Cohort B" not in state
    assert home.picker.options == ("Cohort A",)
    with pytest.raises(TraitError):
        home.picker.value = "Cohort B"  # a value sent from the browser that is not an option
    with pytest.raises(StoreError):
        home._on_cohort({"new": "Cohort B"})  # and the page checks it again itself


def test_a_facilitator_of_two_cohorts_switches_between_them(store, facilitator):
    identity.grant_role(store, facilitator.pid, "facilitator:Cohort B", allow_privileged=True)
    home = home_for(store, facilitator)
    home.picker.value = "Cohort B"
    assert "Secret Bea" in home.setup.roster.value and "Mira" not in home.setup.roster.value


def test_importing_a_roster_through_the_page(store, facilitator):
    home = home_for(store, facilitator)
    good = b"name,email,role,manager_email\nNew Nia,nia@example.org,team_member,mira@example.org\n"
    home.setup.upload.value = upload("more.csv", good)
    assert "1 new person" in home.setup.import_message.value
    assert "New Nia" in home.setup.roster.value
    bad = b"name,email,role,manager_email\n=X,x@example.org,manager,\nY,y@example.org,wizard,\n"
    home.setup.upload.value = upload("bad.csv", bad)
    shown = home.setup.import_message.value
    assert "nothing was imported" in shown
    assert "row 2, column &#34;name&#34;" in shown and "row 3, column &#34;role&#34;" in shown
    assert len(members(store, "Cohort A")) == 4


def test_importing_a_roster_with_hub_users_through_the_page(store, facilitator):
    home = home_for(store, facilitator)
    assert "hub_user" in live_widget_state()  # the help text names the optional column
    good = (
        b"name,email,role,manager_email,hub_user\nNew Nia,nia@example.org,team_member,mira@example.org,nia\n"
    )
    home.setup.upload.value = upload("hub.csv", good)
    assert "1 person tied to their hub user" in home.setup.import_message.value
    assert identity.authenticate_hub(store, "nia").name == "New Nia"
    taken = b"name,email,role,hub_user\nOla,ola@example.org,manager,nia\n"
    home.setup.upload.value = upload("taken.csv", taken)
    shown = home.setup.import_message.value
    assert "nothing was imported" in shown and "&#39;nia&#39; is taken" in shown
    assert "Nia" not in shown and "nia@" not in shown  # nor whose name it is
    home.setup.upload.value = upload(
        "bad.csv", b"name,email,role,hub_user\nPia,pia@example.org,manager,<b>x\n"
    )
    shown = home.setup.import_message.value
    assert "column &#34;hub_user&#34;" in shown and "&lt;b&gt;x" in shown and "<b>x" not in shown
    assert {m.name for m in members(store, "Cohort A")} == {
        "Fay Facil",
        "Mira Manager",
        "Tom <b>Team</b>",
        "New Nia",
    }


def test_adding_editing_and_removing_a_person(store, facilitator):
    setup = home_for(store, facilitator).setup
    setup.pick.value = ""
    setup.name.value, setup.email.value = "Ana New", "ana@example.org"
    setup.role_boxes["team_member"].value = True
    setup._save()
    assert "needs their manager" in setup.person_message.value
    setup.manager.value = next(v for label, v in setup.manager.options if label == "Mira Manager")
    setup._save()
    assert "Added Ana New" in setup.person_message.value
    ana = next(m for m in members(store, "Cohort A") if m.name == "Ana New")
    assert ana.manager_name == "Mira Manager" and not ana.live_code
    setup.pick.value = ana.pid
    setup.name.value = "Ana Renamed"
    setup.email.value = "mira@example.org"
    setup._save()
    assert "another person already has this email" in setup.person_message.value
    setup.email.value = "ana@example.org"
    setup._save()
    assert "Ana Renamed" in setup.roster.value
    setup.pick.value = ana.pid
    setup.remove.click()
    assert "Remove Ana Renamed from Cohort A?" in setup.confirm.text.value
    setup.confirm.yes.click()
    assert "is out of Cohort A" in setup.person_message.value
    assert ana.pid not in {m.pid for m in members(store, "Cohort A")}


def test_issuing_revoking_and_reissuing_one_code(store, facilitator):
    setup = home_for(store, facilitator).setup
    mira = next(m for m in setup.members if m.name == "Mira Manager")
    setup.pick.value = mira.pid
    setup.issue.click()  # no live code yet: issued at once, shown once
    link = re.search(r'class="wb-new-link" href="([^"]+)"', setup.person_message.value).group(1)
    code = link.split("code=")[1]
    assert identity.authenticate(store, code).pid == mira.pid
    setup.issue.click()  # a live code: reissuing asks first
    assert "Their current link stops working" in setup.confirm.text.value
    setup.confirm.no.click()
    assert identity.authenticate(store, code).pid == mira.pid
    setup.revoke.click()
    setup.confirm.yes.click()
    with pytest.raises(identity.AccessDenied):
        identity.authenticate(store, code)


def test_handing_out_links_gives_a_csv_and_cards_for_people_without_a_link(store, facilitator):
    tab = home_for(store, facilitator).handouts
    assert tab.make.description == "Make links for 2 people"  # the facilitator has a live code already
    tab.make.click()
    rows = list(csv.DictReader(io.StringIO(once_payload(tab.files, "links-csv").decode())))
    assert {r["email"] for r in rows} == {"mira@example.org", "tom@example.org"}
    assert once_payload(tab.files, "cards-pdf").startswith(b"%PDF")
    assert "downloaded once" in tab.result.value
    assert tab.make.disabled
    tab.reissue.click()
    assert "signed out" in tab.confirm.text.value and "Your own link is not changed" in tab.confirm.text.value
    tab.confirm.yes.click()
    assert "no longer works" in tab.result.value
    for row in rows:
        with pytest.raises(identity.AccessDenied):
            identity.authenticate(store, row["link"].split("code=")[1])


def test_links_are_downloadable_once_and_go_when_the_tab_is_left(store, facilitator):
    home = home_for(store, facilitator)
    tabs = home.tabs
    tabs.selected_index = 1
    tab = home.handouts
    tab.make.click()
    [csv_href, pdf_href] = [i["href"] for i in tab.files.items]
    assert csv_href in live_widget_state()
    downloaded(tab.files, "links-csv")
    assert tab.files.kinds == ["cards-pdf"]  # the other file is still there until it goes too
    downloaded(tab.files, "nothing-of-this-page")  # a crafted name changes nothing
    assert tab.files.kinds == ["cards-pdf"]
    downloaded(tab.files, "cards-pdf")
    assert tab.files.items == [] and "no longer in this page" in tab.files.gone
    state = live_widget_state()
    assert csv_href not in state and pdf_href not in state
    # links made and left undownloaded go when the facilitator opens another tab
    tab.reissue.click()
    tab.confirm.yes.click()
    assert tab.files.kinds == ["links-csv", "cards-pdf"]
    fresh = tab.files.items[0]["href"]
    tabs.selected_index = 3
    assert tab.files.items == [] and fresh not in live_widget_state()
    # the one link "Issue code" shows goes the same way
    tabs.selected_index = 0
    setup = home.setup
    setup.pick.value = next(m.pid for m in setup.members if m.name == "Mira Manager")
    setup._issue(setup.pick.value)
    shown = re.search(r"code=([\w-]+)", setup.person_message.value).group(1)
    tabs.selected_index = 2
    assert shown not in live_widget_state()


def test_switching_a_wave_asks_first_and_keeps_who_and_when(store, facilitator):
    tab = home_for(store, facilitator).waves
    tab.buttons["pre"].click()
    assert "Open the pre check for Cohort A?" in tab.confirm.text.value
    assert open_waves(store, "Cohort A")["pre"] is False
    tab.confirm.yes.click()
    assert open_waves(store, "Cohort A")["pre"] is True
    assert last_changes(store, "Cohort A")["pre"].by == "Fay Facil"
    assert "opened" in tab.states.value and "by Fay Facil" in tab.states.value
    assert tab.buttons["pre"].description == "Close the pre check"


def test_opening_post_closes_pre_and_the_confirmation_says_so_first(store, facilitator):
    from workbook.manager.content import instrument

    tab = home_for(store, facilitator).waves
    tab.buttons["pre"].click()
    tab.confirm.yes.click()
    mira = identity.find_participant(
        store, next(m.pid for m in members(store, "Cohort A") if m.name == "Mira Manager")
    )
    submit_comfort_check(store, mira, "pre", {"pre": dict.fromkeys(instrument().item_ids, 3)})
    tab.buttons["post"].click()
    asked = tab.confirm.text.value
    assert "Open the post check for Cohort A?" in asked
    assert "This also closes the pre check (1 of 1 manager has answered it)" in asked
    assert "the pre check takes no new answers, and reopening it needs a reason" in asked
    assert open_waves(store, "Cohort A") == {"pre": True, "post": False, "then": False}  # asked, not done
    tab.confirm.yes.click()
    assert open_waves(store, "Cohort A") == {"pre": False, "post": True, "then": True}
    assert "The post check is now opened. The pre check closed with it." in tab.message.value
    assert tab.buttons["pre"].description == "Reopen the pre check (needs a reason)"
    assert "the post check has opened: takes no new answers" in tab.states.value
    assert last_changes(store, "Cohort A")["pre"].by == "Fay Facil"


def test_reopening_pre_after_post_needs_a_reason_which_is_kept(store, facilitator):
    tab = home_for(store, facilitator).waves
    for wave in ("pre", "post"):
        tab.buttons[wave].click()
        tab.confirm.yes.click()
    tab.buttons["pre"].click()
    asked = tab.confirm.text.value
    assert "Reopen the pre check for Cohort A?" in asked and "marked late" in asked
    assert "left out of the before-and-after figures" in asked and tab.reason in tab.reason_box.children
    tab.confirm.yes.click()  # no reason given
    assert "Nothing changed" in tab.message.value and "give a reason" in tab.message.value
    assert open_waves(store, "Cohort A")["pre"] is False
    tab.buttons["pre"].click()
    tab.reason.value = "Two managers <were> ill on the first day"
    tab.confirm.yes.click()
    assert open_waves(store, "Cohort A") == {"pre": True, "post": True, "then": True}
    change = last_changes(store, "Cohort A")["pre"]
    assert change.reason == "Two managers <were> ill on the first day" and change.by == "Fay Facil"
    assert "reason: “Two managers &lt;were&gt; ill on the first day”" in tab.states.value
    assert "answers given now are marked late" in tab.states.value
    assert tab.reason_box.children == () and tab.reason.value == ""
    tab.buttons["post"].click()  # close post, then open it again: that closes the reopened pre
    tab.confirm.yes.click()
    tab.buttons["post"].click()
    assert "This also closes the pre check" in tab.confirm.text.value


def test_the_board_shows_completion_only_and_filters_and_downloads(store, facilitator):
    home = home_for(store, facilitator)
    glance = home.glance
    mira = identity.find_participant(
        store, next(m.pid for m in glance.board.rows if m.name == "Mira Manager")
    )
    lesson = lessons().lessons[0]
    check = next(b for b in lesson.interactive if type(b).__name__ == "KnowledgeCheck")
    save_lesson_answer(store, mira, lesson.id, check.id, {"choice": check.options[0].id})
    home.waves.buttons["pre"].click()
    home.waves.confirm.yes.click()
    from workbook.manager.content import instrument

    answers = {item.id: 3 for item in instrument().items}
    submit_comfort_check(store, mira, "pre", {"pre": answers})
    glance.refresh()
    row = next(r for r in glance.board.rows if r.pid == mira.pid)
    assert row.checks_answered == 1 and row.waves["pre"] and not row.waves["post"]
    assert check.options[0].label not in glance.table.value  # completion, never the answer
    glance.filter.value = "pre"
    assert mira.name not in glance.table.value  # she has answered
    glance.filter.value = "signin"
    glance.list_button.click()
    listed = list(csv.DictReader(io.StringIO(payload(glance.result.value, "reminder-csv").decode())))
    assert {r["name"] for r in listed} == {"Fay Facil", "Mira Manager", "Tom <b>Team</b>"}
    assert set(listed[0]) == {"name", "email"}
    glance.relink_button.click()
    glance.confirm.yes.click()
    relinked = list(csv.DictReader(io.StringIO(once_payload(glance.files, "reminder-csv").decode())))
    assert {r["name"] for r in relinked} == {"Mira Manager", "Tom <b>Team</b>"}  # not the viewer
    assert all(identity.authenticate(store, r["link"].split("code=")[1]).name == r["name"] for r in relinked)
    glance.filter.value = "pre"  # another list: the one made for the last filter goes from the page
    assert glance.files.items == [] and glance.result.value == ""


def test_a_person_without_the_facilitator_role_gets_no_page(store, facilitator):
    from workbook.apps.signin import SignIn

    manager = identity.add_participant(store, "Just Manager", cohort="Cohort A")
    sign_in = SignIn(
        store, lambda page: FacilitatorHome(page.store, page.person).widget, "t", "facilitator.ipynb"
    )
    sign_in.try_code(manager.code)
    assert find(sign_in.widget, "wb-facilitator-app") == []
    assert "Mira Manager" not in live_widget_state()


def test_the_demo_seeds_a_facilitator_of_the_demo_cohorts(capsys):
    from workbook.cli import main
    from workbook.demo import DEMO_FACILITATOR
    from workbook.facilitator.cohorts import facilitated
    from workbook.store import Store

    assert main(["demo"]) == 0
    assert main(["demo"]) == 0  # idempotent: still one facilitator, with a fresh link
    out = capsys.readouterr().out
    link = [w for w in out.split() if "facilitator.ipynb?code=" in w][-1]  # the second run's
    store = Store()
    person = identity.authenticate(store, link.split("code=")[1])
    assert person.pid == DEMO_FACILITATOR
    assert facilitated(person) == ["Demo cohort A", "Demo cohort B", "Demo cohort C"]
    home = FacilitatorHome(store, person)
    assert "Demo manager 01" in home.glance.table.value
