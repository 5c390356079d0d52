"""Roles: who holds what, how roles are granted, and that each app admits only the people it serves."""

from __future__ import annotations

import html
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from widget_helpers import find, live_widget_state

from workbook import identity
from workbook.apps.lessons import lesson_app
from workbook.apps.manager import manager_app
from workbook.apps.participant import participant_app
from workbook.cli import main
from workbook.identity import Role
from workbook.manager.behaviour import behaviour_counts, log_conversation
from workbook.manager.content import instrument
from workbook.manager.reaction import save_reaction
from workbook.manager.reaction_summary import reaction_summary
from workbook.manager.scores import save_scores, scores_frame
from workbook.manager.waves import set_wave
from workbook.preparation import SCOPE
from workbook.store import Store, StoreError

FIRST_RELEASE_STORE = Path(__file__).parent / "data" / "store-first-release.sqlite"


def open_with(app, monkeypatch, code: str, store: Store):
    monkeypatch.setenv("QUERY_STRING", f"code={code}")
    return app(store)


# -- the data model ---------------------------------------------------------------------------------
def test_roles_are_granted_listed_and_withdrawn(store):
    ana = identity.add_participant(store, "Ana", roles=["team_member", "manager:North"]).person
    assert ana.roles == (Role("manager", "North"), Role("team_member"))
    assert ana.cohort == "North", "a manager's cohort is the cohort of their role"
    person = identity.grant_role(store, ana.pid, "facilitator:North", allow_privileged=True)
    assert Role("facilitator", "North") in person.roles
    person = identity.withdraw_role(store, ana.pid, "team_member")
    assert Role("team_member") not in person.roles
    with pytest.raises(StoreError, match="does not hold the role team_member"):
        identity.withdraw_role(store, ana.pid, "team_member")
    assert identity.find_participant(store, ana.pid).roles == (
        Role("facilitator", "North"),
        Role("manager", "North"),
    )


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("boss", "unknown role 'boss'"),
        ("facilitator", "needs a cohort"),
        ("team_member:North", "takes no cohort"),
        ("evaluator:North", "takes no cohort"),
    ],
)
def test_bad_roles_are_refused_and_nothing_is_stored(store, spec, problem):
    with pytest.raises(StoreError, match=problem):
        identity.add_participant(store, "Bo", roles=[spec], allow_privileged=True)
    assert identity.list_participants(store) == []


def test_only_the_command_line_grants_facilitator_and_evaluator(store):
    with pytest.raises(StoreError, match="only be granted from the command line"):
        identity.add_participant(store, "Eve", roles=["evaluator"])
    bo = identity.add_participant(store, "Bo").person
    with pytest.raises(StoreError, match="only be granted from the command line"):
        identity.grant_role(store, bo.pid, "facilitator:North")
    assert identity.find_participant(store, bo.pid).roles == (Role("team_member"),)


def test_a_manager_belongs_to_one_cohort(store):
    mo = identity.add_participant(store, "Mo", roles=["manager:North"]).person
    with pytest.raises(StoreError, match="belongs to one cohort"):
        identity.grant_role(store, mo.pid, "manager:South")


def test_cli_add_grant_withdraw_and_list_show_roles(capsys):
    assert (
        main(
            [
                "participants",
                "add",
                "--name",
                "Kai",
                "--role",
                "team_member",
                "--role",
                "manager:East",
                "--json",
            ]
        )
        == 0
    )
    added = json.loads(capsys.readouterr().out)
    assert added["roles"] == ["manager:East", "team_member"]
    assert main(["participants", "grant", added["participant"], "evaluator"]) == 0
    assert "evaluator, manager:East, team_member" in capsys.readouterr().out
    assert main(["participants", "withdraw", added["participant"], "manager:East"]) == 0
    assert main(["participants", "list", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert listed["roles"] == ["evaluator", "team_member"]
    assert main(["participants", "grant", added["participant"], "chief"]) == 2
    assert "unknown role 'chief'" in capsys.readouterr().err
    assert main(["participants", "add", "--name", "Default"]) == 0
    assert "(team_member)" in capsys.readouterr().out


def test_migration_keeps_a_first_release_store_and_derives_roles(tmp_path):
    copy = tmp_path / "store.sqlite"
    shutil.copy(FIRST_RELEASE_STORE, copy)
    store = Store(f"sqlite:///{copy}")
    people = {p.pid: p for p in identity.list_participants(store)}
    assert people["p-maya"].roles == (Role("manager", "Pilot"),)
    assert people["p-theo"].roles == (Role("team_member"),)
    assert people["p-sol"].roles == (Role("team_member"),)
    assert store.current_answers(people["p-theo"].id, SCOPE)["aspirations.in_two_years"].value == (
        "Lead the support team"
    )
    assert len(scores_frame(store)) == len(instrument().item_ids)
    assert behaviour_counts(store)["conversations"] == 1
    from workbook.manager.behaviour import conversation_history, conversations  # its history starts at 0004

    [held] = conversations(store, people["p-maya"])
    [first] = conversation_history(store, people["p-maya"], held.id)
    assert (first.change, first.alias, first.deleted) == ("logged", held.alias, False)


# -- each app admits only its roles ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("app", "roles", "message"),
    [
        (participant_app, ["manager:North"], "for team members"),
        (manager_app, ["team_member"], "for managers in the coaching programme"),
        (lambda store: lesson_app("practices", store), ["team_member"], "for managers in the coaching"),
    ],
)
def test_each_app_refuses_other_roles_and_loads_nothing(store, monkeypatch, app, roles, message):
    issued = identity.add_participant(store, "Wrong Door", roles=roles)
    store.save_answer(issued.person.id, SCOPE, "aspirations.in_two_years", "PRIVATE-ASPIRATION")
    page = open_with(app, monkeypatch, issued.code, store)
    [note] = find(page, "wb-wrong-app-message")
    assert message in note.value and "Your code opens:" in note.value
    assert find(page, "wb-workbook") == [] and find(page, "wb-manager-home") == []
    assert "PRIVATE-ASPIRATION" not in live_widget_state()


def test_the_refusal_names_the_app_the_person_can_use(store, monkeypatch):
    issued = identity.add_participant(store, "Mo", roles=["manager:North"])
    page = open_with(participant_app, monkeypatch, issued.code, store)
    [note] = find(page, "wb-wrong-app-message")
    assert 'href="manager.ipynb"' in note.value and issued.code not in note.value
    assert "the manager's course" in html.unescape(note.value)


def test_a_crafted_code_message_cannot_open_another_roles_app(store, monkeypatch):
    """The code typed on the page (a widget message) meets the same check as the link."""
    team_member = identity.add_participant(store, "Tia")
    monkeypatch.delenv("QUERY_STRING", raising=False)
    page = manager_app(store)
    [box] = find(page, "wb-code")
    [button] = find(page, "wb-open")
    box.value = team_member.code
    button.click()
    assert find(page, "wb-wrong-app-message") and not find(page, "wb-manager-home")


def test_a_team_member_cannot_add_to_the_evaluators_figures(store):
    manager = identity.add_participant(store, "Mo", roles=["manager:North"]).person
    set_wave(store, "North", "pre", True)
    log_conversation(store, manager, date(2026, 11, 2), "AB", True, False)
    # a first-release person with a cohort whose manager role was withdrawn no longer counts
    former = identity.add_participant(store, "Former", roles=["manager:North"]).person
    save_scores(store, former, "pre", {item: 5 for item in instrument().item_ids})
    save_reaction(store, former, {"usefulness": 1}, None, "private")
    log_conversation(store, former, date(2026, 11, 3), "CD", True, True)
    identity.withdraw_role(store, former.pid, "manager:North")
    counts = behaviour_counts(store, "North")
    assert counts["conversations"] == 1 and counts["managers_with_conversation"] == 1
    assert set(scores_frame(store)["participant"]) == set()
    assert reaction_summary(store, threshold=3)["respondents"] == 0
