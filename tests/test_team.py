"""The manager's side of the 1:1, without a browser: what a team member shares "with my manager" (only that
level, latest version, current reports only), goal check-ins (history, validation, what the manager sees),
a change of manager (the command, the facilitator's edit, the errors), the "My team" tab (live, privacy)
and the migration."""

from __future__ import annotations

import json
from datetime import date, timedelta

import ipywidgets
import pytest
from sqlalchemy import func, select
from traitlets import TraitError

from tests.widget_helpers import find, live_widget_state, open_every_tab
from workbook import content, identity
from workbook.apps.manager.home import ManagerHome
from workbook.apps.participant import PreparationWorkbook
from workbook.cli import main
from workbook.facilitator import people as cohort_people
from workbook.models import GoalCheckIn, ManagerChange, Participant
from workbook.preparation import SCOPE
from workbook.store import Store, StoreError, utcnow
from workbook.team.checkins import NOTE_MAX, NotYourGoal, my_goal_progress, record_checkin
from workbook.team.manager_change import manager_history, set_manager
from workbook.team.sharing import NotYourTeam, shared_with_manager
from workbook.validation import InputError

PREP = content.preparation()
GOALS = [
    {"id": "g-speak", "goal": "Speak at a meetup", "measure": "One talk"},
    {"id": "g-mentor", "goal": "Mentor a junior", "measure": "Monthly sessions"},
]


@pytest.fixture(autouse=True)
def no_widgets_of_earlier_tests():
    ipywidgets.Widget.close_all()


@pytest.fixture
def team(store):
    """Two managers of one cohort, each with a team member; a third manager with nobody; a facilitator."""
    made = {
        "mira": identity.add_participant(store, "Mira Manager", roles=["manager:North"], pid="mira"),
        "otto": identity.add_participant(store, "Otto Other", roles=["manager:North"], pid="otto"),
        "nell": identity.add_participant(store, "Nell Noteam", roles=["manager:North"], pid="nell"),
    }
    made["tom"] = identity.add_participant(store, "Tom <b>Team</b>", manager_pid="mira", pid="tom")
    made["olga"] = identity.add_participant(store, "Olga Otherteam", manager_pid="otto", pid="olga")
    return {key: issued.person for key, issued in made.items()}


def share(store, who, section: str, field: str, text: str, level: str = "manager") -> None:
    store.save_answer(who.id, SCOPE, f"{section}.{field}", text)
    store.set_visibility(who.id, SCOPE, section, level)


def texts(store, manager, pid=None) -> str:
    return repr(shared_with_manager(store, manager, pid))


def rows(store, table) -> int:
    with store.read() as session:
        return session.scalar(select(func.count(table.id)))


# -- what is shared with the manager -------------------------------------------------------------------
def test_only_what_is_shared_with_the_manager_and_only_its_latest_version(store, team):
    tom = team["tom"]
    share(store, tom, "self_awareness", "evidence", "PRIVATE-EVIDENCE", level="private")
    share(store, tom, "support", "support_details", "FACILITATOR-ONLY", level="facilitator")
    share(store, tom, "strengths_plan", "key_strengths", "", level="manager")  # shared, nothing in it
    store.save_answer(tom.id, SCOPE, "aspirations.in_two_years", "OLD-VERSION")
    shared_at = store.set_visibility(tom.id, SCOPE, "aspirations", "manager")
    store.save_answer(tom.id, SCOPE, "aspirations.in_two_years", "Lead a team")
    [mine] = shared_with_manager(store, team["mira"])
    assert (mine.pid, mine.name) == ("tom", "Tom <b>Team</b>")
    [section] = mine.sections
    assert section.section_id == "aspirations" and section.title == "Where you want to go"
    assert [answer for _q, answer in section.entries] == ["Lead a team"]
    assert section.shared_at == shared_at and section.changed_at > shared_at
    assert mine.goals is None
    assert [s.title for s in mine.plan.sections] == ["Where you want to go"]
    assert all(s.visibility == "manager" for s in mine.plan.sections)
    seen = texts(store, team["mira"])
    for hidden in ("PRIVATE-EVIDENCE", "FACILITATOR-ONLY", "OLD-VERSION"):
        assert hidden not in seen
    # unsharing: gone at the next read; sharing with the facilitator instead is not sharing with the manager
    store.set_visibility(tom.id, SCOPE, "aspirations", "facilitator")
    [mine] = shared_with_manager(store, team["mira"])
    assert not mine.shares_anything and mine.plan is None and "Lead a team" not in texts(store, team["mira"])


def test_a_section_shared_by_the_contents_default_counts_until_the_owner_chooses(store, team, monkeypatch):
    from workbook import sharing

    tom = team["tom"]
    store.save_answer(tom.id, SCOPE, "aspirations.in_two_years", "By default")
    changed = tuple(
        sharing.Shareable(**{**s.__dict__, "default_level": "manager"}) if s.item == "aspirations" else s
        for s in sharing.shareables()
    )
    monkeypatch.setattr("workbook.team.sharing.shareables", lambda: changed)
    [mine] = shared_with_manager(store, team["mira"])
    assert mine.sections[0].shared_at is None  # shared by the default, never chosen
    store.set_visibility(tom.id, SCOPE, "aspirations", "private")
    [mine] = shared_with_manager(store, team["mira"])
    assert not mine.sections


def test_current_reports_only_and_another_managers_team_is_refused(store, team):
    share(store, team["tom"], "aspirations", "in_two_years", "TOM-AIM")
    share(store, team["olga"], "aspirations", "in_two_years", "OLGA-AIM")
    assert [m.pid for m in shared_with_manager(store, team["mira"])] == ["tom"]
    assert "OLGA-AIM" not in texts(store, team["mira"]) and "TOM-AIM" not in texts(store, team["otto"])
    with pytest.raises(NotYourTeam, match="does not report to you"):
        shared_with_manager(store, team["mira"], "olga")
    with pytest.raises(NotYourTeam):
        shared_with_manager(store, team["tom"])  # a team member is no manager
    assert shared_with_manager(store, team["nell"]) == []
    # a team member whose role is withdrawn is no longer a report; a manager whose role is, reads nothing
    identity.withdraw_role(store, "olga", "team_member")
    assert shared_with_manager(store, team["otto"]) == []
    identity.withdraw_role(store, "mira", "manager:North")
    with pytest.raises(NotYourTeam, match="not a manager"):
        shared_with_manager(store, team["mira"])


def test_a_private_answer_is_never_read_for_the_manager(store, team, monkeypatch):
    """Only the answers of shared sections are loaded, so a private one never enters the manager's kernel."""
    from workbook import sharing

    share(store, team["tom"], "self_awareness", "evidence", "PRIVATE-EVIDENCE", level="private")
    share(store, team["tom"], "aspirations", "in_two_years", "Shared aim")
    loaded = []
    real = sharing.latest_item_answers

    def spy(*args):
        found = real(*args)
        loaded.append(json.dumps({k: a.value for k, a in found.items()}))
        return found

    monkeypatch.setattr("workbook.team.sharing.latest_item_answers", spy)
    shared_with_manager(store, team["mira"])
    assert "Shared aim" in loaded[0] and "PRIVATE-EVIDENCE" not in "".join(loaded)


# -- goal check-ins --------------------------------------------------------------------------------------
def test_check_ins_keep_their_history_and_follow_a_goal_edited_or_reordered(store, team):
    tom = team["tom"]
    store.save_answer(tom.id, SCOPE, "goals.goals", GOALS)
    record_checkin(
        store, tom, "g-speak", "not_started", 0, "Looking for a meetup", at=utcnow() - timedelta(days=14)
    )
    record_checkin(store, tom, "g-speak", "on_track", 40, "Talk accepted")
    record_checkin(store, tom, "g-mentor", "at_risk", None, "")
    # the goals are edited and reordered: each keeps its check-ins by its id
    store.save_answer(
        tom.id, SCOPE, "goals.goals", [{**GOALS[1]}, {**GOALS[0], "goal": "Speak at two meetups"}]
    )
    speak, mentor = sorted(my_goal_progress(store, tom), key=lambda g: g.goal_id != "g-speak")
    assert speak.title == "Speak at two meetups"
    assert [(c.status, c.progress, c.note) for c in speak.checkins] == [
        ("not_started", 0, "Looking for a meetup"),
        ("on_track", 40, "Talk accepted"),
    ]
    assert speak.latest.status_label == "On track"
    assert [(c.status, c.progress) for c in mentor.checkins] == [("at_risk", None)]
    assert rows(store, GoalCheckIn) == 3


def test_goals_stored_before_ids_get_the_same_id_wherever_they_are_read(store, team):
    tom = team["tom"]
    store.save_answer(tom.id, SCOPE, "goals.goals", [{"goal": "Old goal", "measure": "Done"}])
    [goal] = my_goal_progress(store, tom)
    record_checkin(store, tom, goal.goal_id, "on_track", 10, "")
    # the page loads the goal with that id, and keeps it when the goal is edited
    editor = PreparationWorkbook(store, tom, PREP).open_section("goals").goals_editor
    editor.cards[0].inputs["goal"].value = "Old goal, renamed"
    [again] = my_goal_progress(store, tom)
    assert again.goal_id == goal.goal_id and again.title == "Old goal, renamed" and len(again.checkins) == 1


@pytest.mark.parametrize(
    ("status", "progress", "note", "message"),
    [
        ("great", None, "", "Status"),
        ("on_track", 120, "", "Progress: from 0 to 100"),
        ("on_track", "50", "", "Progress"),
        ("on_track", None, "x" * (NOTE_MAX + 1), f"Note: at most {NOTE_MAX} characters"),
        ("on_track", None, "bad\x00char", "Note: contains a control character"),
    ],
)
def test_bad_check_ins_are_refused_with_the_field_named_and_nothing_stored(
    store, team, status, progress, note, message
):
    store.save_answer(team["tom"].id, SCOPE, "goals.goals", GOALS)
    with pytest.raises(InputError, match=message):
        record_checkin(store, team["tom"], "g-speak", status, progress, note)
    assert rows(store, GoalCheckIn) == 0


def test_a_check_in_on_someone_elses_goal_is_refused(store, team):
    store.save_answer(team["olga"].id, SCOPE, "goals.goals", [{"id": "g-olga", "goal": "Olga's goal"}])
    store.save_answer(team["tom"].id, SCOPE, "goals.goals", GOALS)
    for goal_id in ("g-olga", "g-nothing", 7, None):
        with pytest.raises(NotYourGoal, match="not one of your goals"):
            record_checkin(store, team["tom"], goal_id, "on_track")
    assert rows(store, GoalCheckIn) == 0


def test_the_check_in_panel_beside_the_goals(store, team):
    tom = team["tom"]
    book = PreparationWorkbook(store, tom, PREP)
    view = book.open_section("goals")
    assert "Write a goal above" in book.checkins.empty.value
    view.goals_editor.cards[0].inputs["goal"].value = "Speak at a <b>meetup</b>"
    [card] = book.checkins.cards.values()  # the goal saved: its card is there
    assert "Speak at a &lt;b&gt;meetup&lt;/b&gt;" in card.heading.value
    card.status.value, card.progress.value, card.note.value = "on_track", 30, "Abstract <i>sent</i>"
    card.button.click()
    assert "Check-in saved" in card.message.value and card.note.value == ""
    assert "Abstract &lt;i&gt;sent&lt;/i&gt;" in card.history.value and "<svg" in card.history.value
    assert 'aria-label="Progress of Speak at a &lt;b&gt;meetup&lt;/b&gt;' in card.history.value
    card.note.value = "y" * (NOTE_MAX + 1)
    card.button.click()
    assert "Not saved: Note: at most" in card.message.value and 'role="alert"' in card.message.value
    # a crafted message: another person's goal, sent to the panel, is refused and nothing stored
    store.save_answer(team["olga"].id, SCOPE, "goals.goals", [{"id": "g-olga", "goal": "Olga's goal"}])
    book.checkins.record_on("g-olga", "done", 100, "")
    assert "not one of your goals" in book.checkins.message.value
    with pytest.raises(TraitError):
        card.status.value = "great"  # not one of the menu's options
    assert rows(store, GoalCheckIn) == 1


def test_the_check_in_form_starts_from_the_goals_last_status(store, team):
    """Today it started at "On track" whatever the goal's last check-in said."""
    tom = team["tom"]
    store.save_answer(tom.id, SCOPE, "goals.goals", [{"id": "g-1", "goal": "Speak at a meetup"}])
    book = PreparationWorkbook(store, tom, PREP)
    book.open_section("goals")
    [card] = book.checkins.cards.values()
    assert card.status.value == "not_started"  # no check-in yet
    card.status.value = "at_risk"
    card.button.click()
    assert card.status.value == "at_risk"
    record_checkin(store, tom, "g-1", "not_started", None, "")
    reopened = PreparationWorkbook(store, tom, PREP)
    reopened.open_section("goals")
    [again] = reopened.checkins.cards.values()
    assert again.status.value == "not_started"


def test_the_manager_sees_check_ins_only_of_goals_shared_with_them(store, team):
    tom = team["tom"]
    store.save_answer(tom.id, SCOPE, "goals.goals", GOALS)
    record_checkin(store, tom, "g-speak", "on_track", 50, "CHECKIN-NOTE")
    [mine] = shared_with_manager(store, team["mira"])
    assert mine.goals is None and "CHECKIN-NOTE" not in texts(store, team["mira"])
    store.set_visibility(tom.id, SCOPE, "goals", "facilitator")
    assert "CHECKIN-NOTE" not in texts(store, team["mira"])
    store.set_visibility(tom.id, SCOPE, "goals", "manager")
    [mine] = shared_with_manager(store, team["mira"])
    speak = next(g for g in mine.goals.goals if g.goal_id == "g-speak")
    assert [(c.status, c.note) for c in speak.checkins] == [("on_track", "CHECKIN-NOTE")]
    assert [g["goal"] for g in mine.plan.goals] == ["Speak at a meetup", "Mentor a junior"]
    assert mine.plan.goals_visibility == "manager"


# -- a change of manager -----------------------------------------------------------------------------------
def test_a_change_of_manager_moves_what_is_shared_and_is_recorded(store, team):
    share(store, team["tom"], "aspirations", "in_two_years", "TOM-AIM")
    done = set_manager(store, "tom", "otto")
    assert (done.old_manager_pid, done.new_manager_pid, done.changed) == ("mira", "otto", True)
    assert [m.pid for m in shared_with_manager(store, team["mira"])] == []  # the old manager loses access
    assert "TOM-AIM" in texts(store, team["otto"], "tom")  # the new one sees what is shared from now on
    with pytest.raises(NotYourTeam):
        shared_with_manager(store, team["mira"], "tom")
    assert set_manager(store, "tom", "otto").changed is False  # the same manager again: nothing recorded
    set_manager(store, "tom", None)
    [first, second] = manager_history(store, "tom")
    assert (first.old_manager_pid, first.new_manager_pid, first.via) == ("mira", "otto", "command line")
    assert (second.old_manager_pid, second.new_manager_pid) == ("otto", None)
    assert [m.pid for m in shared_with_manager(store, team["otto"])] == ["olga"]


@pytest.mark.parametrize(
    ("member", "manager", "message"),
    [
        ("nobody", "mira", "unknown participant 'nobody'"),
        ("tom", "nobody", "unknown manager 'nobody'"),
        ("tom", "olga", "olga is not a manager"),
        ("mira", "mira", "not a team member"),
    ],
)
def test_bad_changes_of_manager_are_refused_and_change_nothing(store, team, member, manager, message):
    with pytest.raises(StoreError, match=message):
        set_manager(store, member, manager)
    assert store.participant("tom").manager_id == team["mira"].id and rows(store, ManagerChange) == 0


def test_a_person_cannot_be_their_own_manager_nor_a_circle_be_made(store, team):
    identity.grant_role(store, "mira", "team_member")  # Mira reports to Otto; Otto manages in the programme
    identity.grant_role(store, "otto", "team_member")
    set_manager(store, "mira", "otto")
    with pytest.raises(StoreError, match="cannot be their own manager"):
        set_manager(store, "mira", "mira")
    with pytest.raises(StoreError, match=r"circle of managers \(otto manages mira manages otto\)"):
        set_manager(store, "otto", "mira")
    assert store.participant("otto").manager_id is None and rows(store, ManagerChange) == 1


def test_the_facilitators_edit_of_a_person_goes_through_the_same_change(store, team):
    fay = identity.add_participant(store, "Fay", roles=["facilitator:North"], allow_privileged=True).person
    member = cohort_people.member(store, "North", "tom")
    cohort_people.edit_person(
        store,
        "North",
        "tom",
        member.name,
        "tom@example.org",
        ["team_member"],
        "otto",
        by=cohort_people.as_facilitator(fay.id),
    )
    [change] = manager_history(store, "tom")
    assert (change.old_manager_pid, change.new_manager_pid, change.via) == ("mira", "otto", "facilitator app")
    with store.read() as session:
        assert session.scalar(select(ManagerChange.changed_by_id)) == fay.id
    # the same manager again records nothing; an email change alone records nothing
    cohort_people.edit_person(
        store,
        "North",
        "tom",
        member.name,
        "tom2@example.org",
        ["team_member"],
        "otto",
        by=cohort_people.OPERATOR,
    )
    assert len(manager_history(store, "tom")) == 1


def test_the_set_manager_command(store, team, capsys, monkeypatch):
    monkeypatch.setenv("WORKBOOK_DATABASE_URL", store.url)
    assert main(["participants", "set-manager", "tom", "otto"]) == 0
    assert "tom's manager is now otto (was mira), recorded" in capsys.readouterr().out
    assert main(["participants", "set-manager", "tom", "otto"]) == 0
    assert "No change" in capsys.readouterr().out
    assert main(["participants", "set-manager", "tom", "tom"]) == 2
    assert "tom cannot be their own manager" in capsys.readouterr().err
    assert main(["participants", "set-manager", "tom"]) == 2
    assert "write --none" in capsys.readouterr().err
    assert main(["participants", "set-manager", "tom", "--none"]) == 0
    assert "now nobody (was otto)" in capsys.readouterr().out
    assert store.participant("tom").manager_id is None and len(manager_history(store, "tom")) == 2


# -- the manager's "My team" tab ---------------------------------------------------------------------------
def test_my_team_shows_what_is_shared_escaped_and_follows_unsharing(store, team):
    tom = team["tom"]
    share(store, tom, "aspirations", "in_two_years", "Lead the <b>support</b> team")
    store.save_answer(tom.id, SCOPE, "goals.goals", GOALS)
    store.set_visibility(tom.id, SCOPE, "goals", "manager")
    record_checkin(store, tom, "g-speak", "on_track", 40, "Talk <i>accepted</i>")
    home = ManagerHome(store, team["mira"])
    tab = home.team
    [card] = tab.cards.values()
    shown = card.card.value
    assert "Tom &lt;b&gt;Team&lt;/b&gt;" in shown and "Lead the &lt;b&gt;support&lt;/b&gt; team" in shown
    assert "Talk &lt;i&gt;accepted&lt;/i&gt;" in shown and "<svg" in shown and "shared " in shown
    assert "1 person reports to you" in tab.stamp.value
    assert find(card.widget, "wb-team-conversation")  # where the 1:1 page's link goes
    card.plan_button.click()
    assert "wb-download-md" in card.downloads.value and "wb-download-pdf" in card.downloads.value
    store.set_visibility(tom.id, SCOPE, "aspirations", "private")
    store.set_visibility(tom.id, SCOPE, "goals", "private")
    tab.refresh()
    state = live_widget_state()
    assert (
        "support</b> team" not in state and "support&lt;/b&gt; team" not in state and "accepted" not in state
    )
    assert "has not shared anything with you yet" in card.card.value and card.downloads.value == ""


def test_my_team_without_reports_says_how_people_are_added(store, team):
    tab = ManagerHome(store, team["nell"]).team
    assert tab.cards == {} and "Nobody reports to you" in tab.stamp.value
    assert "set-manager" in tab.stamp.value


def test_after_a_change_of_manager_the_old_managers_open_tab_loses_the_person(store, team):
    share(store, team["tom"], "aspirations", "in_two_years", "TOM-AIM")
    old_tab = ManagerHome(store, team["mira"]).team
    assert "TOM-AIM" in live_widget_state()
    set_manager(store, "tom", "otto")
    old_tab.refresh()
    assert old_tab.cards == {} and "TOM-AIM" not in live_widget_state()
    new_tab = ManagerHome(store, team["otto"]).team
    assert {"tom", "olga"} == set(new_tab.cards) and "TOM-AIM" in live_widget_state()


def test_the_managers_kernel_holds_nothing_private_nor_of_another_team(store, team, monkeypatch):
    """Open every tab of Mira's page, then read every live widget: only what Tom shares with her is there."""
    tom, olga = team["tom"], team["olga"]
    share(store, tom, "aspirations", "in_two_years", "TOM-SHARED-AIM")
    share(store, tom, "self_awareness", "evidence", "TOM-PRIVATE-EVIDENCE", level="private")
    share(store, tom, "support", "support_details", "TOM-FACILITATOR-ONLY", level="facilitator")
    store.save_answer(tom.id, SCOPE, "goals.goals", [{"id": "g-tom", "goal": "TOM-PRIVATE-GOAL"}])
    record_checkin(store, tom, "g-tom", "on_track", 10, "TOM-PRIVATE-CHECKIN")
    share(store, olga, "aspirations", "in_two_years", "OLGA-SHARED-WITH-OTTO")
    monkeypatch.setenv("QUERY_STRING", f"code={identity.reissue(store, 'mira').code}")
    from workbook.apps.manager.home import manager_app

    open_every_tab(manager_app(store))
    state = live_widget_state()
    assert "TOM-SHARED-AIM" in state
    for hidden in (
        "TOM-PRIVATE-EVIDENCE",
        "TOM-FACILITATOR-ONLY",
        "TOM-PRIVATE-GOAL",
        "TOM-PRIVATE-CHECKIN",
        "OLGA-SHARED-WITH-OTTO",
        "Olga Otherteam",
    ):
        assert hidden not in state, hidden


# -- the migration -----------------------------------------------------------------------------------------
def test_the_migration_adds_the_tables_and_goes_down_cleanly(tmp_path):
    from alembic import command
    from sqlalchemy import inspect

    from workbook.store import _alembic_config

    url = f"sqlite:///{tmp_path / 'm.sqlite'}"
    store = Store(url)
    tia = identity.add_participant(store, "Tia").person
    store.save_answer(tia.id, SCOPE, "goals.goals", GOALS)
    record_checkin(store, tia, "g-speak", "done", 100, "")
    cfg = _alembic_config()
    with store.migration_connection() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005")
    tables = set(inspect(store.engine).get_table_names())
    assert not {"goal_checkins", "manager_changes"} & tables and "answers" in tables
    store.close()
    again = Store(url)  # opening upgrades to the head again; the answers were kept
    assert {"goal_checkins", "manager_changes"} <= set(inspect(again.engine).get_table_names())
    assert again.current_answers(tia.id, SCOPE)["goals.goals"].value == GOALS
    with again.read() as session:
        assert session.scalar(select(func.count(Participant.id))) == 1
    again.close()


def test_the_demo_team_member_shares_some_sections_and_has_check_ins(store):
    from workbook.demo import seed_team_member
    from workbook.manager.demo import seed_manager_demo

    seed_manager_demo(store)
    seed_team_member(store, issue_link=False)
    manager = identity.find_participant(store, "demo-m01")
    [demo] = [m for m in shared_with_manager(store, manager) if m.pid == "demo-team-member"]
    assert [s.section_id for s in demo.sections] == ["aspirations"]
    [goal] = demo.goals.goals
    assert len(goal.checkins) >= 3 and goal.checkins[0].recorded_at < goal.checkins[-1].recorded_at
    assert "Delegating" not in repr(demo)  # self-awareness stays private
    assert date.today()  # the plan is dated today
