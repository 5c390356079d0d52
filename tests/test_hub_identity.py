"""Identity from a JupyterHub: in a person's own single-user server the hub says who is visiting, matched
to their stored hub user name (never by email); access codes are off there."""

from __future__ import annotations

import pytest
from widget_helpers import find, live_widget_state, open_every_tab, open_tab

from workbook import identity
from workbook.apps.manager import manager_app
from workbook.apps.participant import participant_app
from workbook.cli import main
from workbook.preparation import SCOPE
from workbook.store import Store, StoreError


def test_the_hub_user_opens_their_own_workbook_without_a_code(store, as_hub_user, monkeypatch):
    ana = identity.add_participant(store, "Ana", hub_user="ana.silva").person
    bo = identity.add_participant(store, "Bo Otherperson", email="ana.silva@example.org")  # an email alike
    store.save_answer(ana.id, SCOPE, "aspirations.in_two_years", "ANA-OWN")
    store.save_answer(bo.person.id, SCOPE, "aspirations.in_two_years", "BO-PRIVATE")
    as_hub_user("ana.silva")
    monkeypatch.setenv("QUERY_STRING", f"code={bo.code}")  # another person's code is not honoured here
    page = participant_app(store)
    assert find(page, "wb-workbook") and find(page, "wb-signin") == []
    open_every_tab(page)
    state = live_widget_state()
    assert "ANA-OWN" in state and "BO-PRIVATE" not in state and "Otherperson" not in state


def test_a_hub_user_not_in_the_store_is_told_so_and_sees_no_code_field(store, as_hub_user):
    identity.add_participant(store, "Ana", email="newcomer@example.org")  # never matched by email
    as_hub_user("newcomer@example.org")
    page = participant_app(store)
    [message] = find(page, "wb-signin-message")
    assert "Your hub account newcomer@example.org is not in the workbook yet" in message.value
    assert find(page, "wb-code") == [] and find(page, "wb-workbook") == []


def test_under_the_hub_the_app_still_admits_only_its_roles(store, as_hub_user):
    identity.add_participant(store, "Mo", roles=["manager:North"], hub_user="mo")
    as_hub_user("mo")
    [note] = find(participant_app(store), "wb-wrong-app-message")
    assert "Your account opens:" in note.value and "code=" not in note.value
    assert find(manager_app(store), "wb-manager-home")


def test_a_hub_user_name_without_the_hubs_token_is_not_trusted(store, monkeypatch):
    identity.add_participant(store, "Ana", hub_user="ana")
    monkeypatch.setenv("JUPYTERHUB_USER", "ana")  # set by hand, not by a hub's spawner
    page = participant_app(store)
    assert find(page, "wb-code") and find(page, "wb-workbook") == []


def test_untying_the_hub_user_signs_an_open_page_out_at_its_next_save(store, as_hub_user):
    ana = identity.add_participant(store, "Ana", hub_user="ana").person
    as_hub_user("ana")
    page = participant_app(store)
    box = find(open_tab(page, "2. "), "wb-field-aspirations-in_two_years")[0]
    box.value = "Saved while tied"
    identity.set_hub_user(store, ana.pid, None)
    box.value = "Typed after untying"
    assert store.current_answers(ana.id, SCOPE)["aspirations.in_two_years"].value == "Saved while tied"
    [message] = find(page, "wb-signed-out-message")
    assert "no longer tied to a workbook" in message.value and not find(page, "wb-workbook")


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "is not a hub user name"),
        ("two words", "is not a hub user name"),
        ("-x", "is not a hub user name"),
    ],
)
def test_bad_hub_user_names_are_refused(store, name, problem):
    with pytest.raises(StoreError, match=problem):
        identity.add_participant(store, "Ana", hub_user=name or " ")
    assert identity.list_participants(store) == []


def test_a_hub_user_name_belongs_to_one_person(capsys):
    store = Store()  # the commands' store
    identity.add_participant(store, "Ana", pid="ana", hub_user="ana")
    identity.add_participant(store, "Bo", pid="bo")
    with pytest.raises(StoreError, match="'ana' already belongs to ana"):
        identity.set_hub_user(store, "bo", "ana")
    assert main(["participants", "set-hub-user", "bo", "bo.b"]) == 0
    assert "bo signs in on the hub as bo.b" in capsys.readouterr().out
    assert main(["participants", "set-hub-user", "bo"]) == 2
    assert main(["participants", "set-hub-user", "bo", "--none"]) == 0
    assert main(["participants", "add", "--name", "Cy", "--hub-user", "cy"]) == 0


def test_workbook_serve_refuses_to_serve_everyone_as_one_hub_user(as_hub_user, capsys):
    as_hub_user("ana")
    assert main(["serve", "--port", "9"]) == 2
    assert "would open every page as that user" in capsys.readouterr().err
