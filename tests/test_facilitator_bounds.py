"""Each role reaches only its own: a facilitator's import, edits and links touch only the people of the
cohorts they run, whatever their page sends; a link a facilitator sees never opens what a person who has
signed in wrote; and every way in refuses a name that would garble a page or run in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import select

from workbook import identity
from workbook.apps.facilitator import FacilitatorHome
from workbook.cli import main
from workbook.facilitator import people
from workbook.facilitator.cohorts import NotYourCohort
from workbook.facilitator.handouts import hand_out
from workbook.facilitator.people import OPERATOR, LinkNotShown, as_facilitator
from workbook.facilitator.roster import RosterError, import_roster
from workbook.models import AccessCode, ManagerChange, Participant, RoleGrant
from workbook.store import StoreError
from workbook.validation import InputError

# RedX: manager A, facilitator FX. RedY: manager B with team member TB (who has no cohort of her own),
# facilitator FY. Loner: a known person of no cohort at all.
SETUP_X = "name,email,role,manager_email\nManager Alpha,a@example.org,manager,\n"
SETUP_Y = (
    "name,email,role,manager_email\n"
    "Manager Bravo,b@example.org,manager,\n"
    "Tess Bravo,tb@example.org,team_member,b@example.org\n"
)
ATTACK = (
    "name,email,role,manager_email\n"
    "Tess Bravo,tb@example.org,team_member,b@example.org\n"
    "Manager Bravo,b@example.org,team_member,a@example.org\n"
)


@pytest.fixture
def world(store):
    import_roster(store, SETUP_X.encode(), "RedX", name="x.csv", by=OPERATOR)
    import_roster(store, SETUP_Y.encode(), "RedY", name="y.csv", by=OPERATOR)
    fx = identity.add_participant(
        store, "Fac X", email="fx@example.org", roles=["facilitator:RedX"], allow_privileged=True
    ).person
    identity.add_participant(
        store, "Fac Y", email="fy@example.org", roles=["facilitator:RedY"], allow_privileged=True
    )
    identity.add_participant(store, "Lone Person", email="lone@example.org", roles=["team_member"])
    with store.write() as session:  # TB is a team member of B with no cohort of her own, as in the attack
        tb = session.scalar(select(Participant).where(Participant.email == "tb@example.org"))
        tb.cohort_id = None
    return fx


def snapshot(store) -> tuple:
    """Everything a roster import could change about people."""
    with store.read() as session:
        return (
            session.execute(
                select(
                    Participant.id,
                    Participant.name,
                    Participant.email,
                    Participant.cohort_id,
                    Participant.manager_id,
                    Participant.hub_username,
                ).order_by(Participant.id)
            ).all(),
            session.execute(
                select(
                    RoleGrant.participant_id, RoleGrant.role, RoleGrant.cohort_id, RoleGrant.withdrawn_at
                ).order_by(RoleGrant.id)
            ).all(),
            session.execute(select(ManagerChange.id)).all(),
            session.execute(select(AccessCode.id, AccessCode.revoked_at).order_by(AccessCode.id)).all(),
        )


def pid_of(store, email: str) -> str:
    with store.read() as session:
        return session.scalar(select(Participant.pid).where(Participant.email == email))


# -- a facilitator's roster import ------------------------------------------------------------------------
def test_the_attackers_roster_is_refused_row_by_row_and_nothing_changes(store, world):
    before = snapshot(store)
    with pytest.raises(RosterError) as caught:
        import_roster(store, ATTACK.encode(), "RedX", name="attack.csv", by=as_facilitator(world.id))
    problems = caught.value.problems
    assert any(p.startswith('row 2, column "email"') and "outside the cohorts you run" in p for p in problems)
    assert any(p.startswith('row 3, column "email"') and "outside the cohorts you run" in p for p in problems)
    assert not any("RedY" in p for p in problems)  # the message names no other cohort
    assert snapshot(store) == before


@pytest.mark.parametrize(
    "rows, row_problem",
    [
        # a new team member placed under another cohort's manager
        ("New Person,new@example.org,team_member,b@example.org", 'row 2, column "manager_email"'),
        # the facilitator role granted to a known person of another cohort, or of none
        ("Manager Bravo,b@example.org,facilitator,", 'row 2, column "email"'),
        ("Lone Person,lone@example.org,facilitator,", 'row 2, column "email"'),
        # a known person of none made a manager of this cohort
        ("Lone Person,lone@example.org,manager,", 'row 2, column "email"'),
    ],
)
def test_a_facilitators_import_cannot_reach_anyone_outside_their_cohorts(store, world, rows, row_problem):
    before = snapshot(store)
    with pytest.raises(RosterError) as caught:
        import_roster(
            store, f"name,email,role,manager_email\n{rows}\n".encode(), "RedX", by=as_facilitator(world.id)
        )
    assert any(p.startswith(row_problem) for p in caught.value.problems), caught.value.problems
    assert snapshot(store) == before


def test_a_facilitators_import_cannot_tie_someone_elses_person_to_a_hub_user(store, world):
    before = snapshot(store)
    text = "name,email,role,hub_user\nManager Bravo,b@example.org,facilitator,fx-owns-this\n"
    with pytest.raises(RosterError, match="outside the cohorts you run"):
        import_roster(store, text.encode(), "RedX", by=as_facilitator(world.id))
    assert snapshot(store) == before


def test_a_facilitator_adds_new_people_and_changes_their_own(store, world):
    text = (
        "name,email,role,manager_email\n"
        "Manager Alpha,a@example.org,manager;facilitator,\n"  # a co-facilitator from their own cohort
        "New Member,nm@example.org,team_member,a@example.org\n"
        "New Co,co@example.org,facilitator,\n"  # a co-facilitator added new
    )
    summary = import_roster(store, text.encode(), "RedX", by=as_facilitator(world.id))
    assert (summary.created, summary.updated, summary.other_cohorts) == (2, 1, [])
    assert {m.email: m.roles for m in people.members(store, "RedX")} == {
        "a@example.org": ("manager", "facilitator"),
        "nm@example.org": ("team_member",),
        "co@example.org": ("facilitator",),
        "fx@example.org": ("facilitator",),
    }


def test_a_facilitator_imports_only_into_a_cohort_they_run_now(store, world):
    good = b"name,email,role\nSomeone New,new@example.org,manager\n"
    before = snapshot(store)
    for cohort in ("RedY", "A cohort nobody made"):
        with pytest.raises(NotYourCohort):
            import_roster(store, good, cohort, by=as_facilitator(world.id))
    identity.withdraw_role(store, world.pid, "facilitator:RedX")  # their role ends while the page is open
    with pytest.raises(NotYourCohort):
        import_roster(store, good, "RedX", by=as_facilitator(world.id))
    assert snapshot(store)[0] == before[0]


def test_the_operator_keeps_every_power_and_is_told_which_rows_reach_other_cohorts(store, world):
    summary = import_roster(store, ATTACK.encode(), "RedX", name="ops.csv", by=OPERATOR)
    assert summary.updated == 2
    described = summary.describe()
    assert "Rows that reach people or managers of other cohorts" in described
    assert (
        "row 2 (tb@example.org: in 'RedY')" in described and "row 3 (b@example.org: in 'RedY')" in described
    )
    # B's first manager went through the one recorded path, with who made it
    with store.read() as session:
        bravo = session.scalar(select(Participant).where(Participant.email == "b@example.org"))
        change = session.scalar(select(ManagerChange).where(ManagerChange.member_id == bravo.id))
    assert change is not None and change.via == "command line" and change.changed_by_id is None


def test_the_operators_import_says_when_a_manager_of_another_cohort_is_named(store, world):
    text = "name,email,role,manager_email\nNew Person,new@example.org,team_member,b@example.org\n"
    summary = import_roster(store, text.encode(), "RedX", by=OPERATOR)
    assert summary.other_cohorts == ["row 2 (b@example.org: a manager in 'RedY')"]


def test_the_facilitators_page_refuses_a_crafted_cross_cohort_upload(store, world):
    home = FacilitatorHome(store, identity.find_participant(store, world.pid))
    before = snapshot(store)
    data = ATTACK.encode()
    # what a crafted client sends: the upload widget's value, as the browser serialises it
    home.setup.upload.set_state(
        {
            "value": [
                {
                    "name": "attack.csv",
                    "type": "text/csv",
                    "size": len(data),
                    "content": memoryview(data),
                    "last_modified": int(dt.datetime.now(dt.UTC).timestamp() * 1000),
                }
            ]
        }
    )
    assert "nothing was imported" in home.setup.import_message.value
    assert "outside the cohorts you run" in home.setup.import_message.value
    assert snapshot(store) == before


# -- a facilitator's edits of one person ------------------------------------------------------------------
def test_a_facilitator_edits_only_in_a_cohort_they_run(store, world):
    before = snapshot(store)
    bravo = pid_of(store, "b@example.org")
    with pytest.raises(NotYourCohort):
        people.edit_person(
            store, "RedY", bravo, "Bravo Renamed", "b@example.org", ["manager"], by=as_facilitator(world.id)
        )
    with pytest.raises(NotYourCohort):
        people.add_person(store, "RedY", "Planted", "p@example.org", ["manager"], by=as_facilitator(world.id))
    with pytest.raises(NotYourCohort):
        people.issue_code(store, "RedY", bravo, by=as_facilitator(world.id))
    with pytest.raises(NotYourCohort):
        people.remove_person(store, "RedY", bravo, by=as_facilitator(world.id))
    # the page's own cohort, with another cohort's person picked by a crafted message
    with pytest.raises(people.NotInCohort):
        people.edit_person(
            store, "RedX", bravo, "Bravo Renamed", "b@example.org", ["manager"], by=as_facilitator(world.id)
        )
    assert snapshot(store) == before


# -- "Only you" is true: no link a facilitator sees opens a signed-in person's page ------------------------
def sign_in(store, email: str) -> str:
    """A first link issued and used by the person, as on the day; returns the code."""
    issued = identity.reissue(store, pid_of(store, email))
    identity.authenticate(store, issued.code)
    return issued.code


def test_a_facilitator_gets_no_new_link_for_someone_who_has_signed_in(store, world):
    code = sign_in(store, "a@example.org")
    alpha = pid_of(store, "a@example.org")
    before = snapshot(store)
    with pytest.raises(LinkNotShown, match="workbook participants reissue"):
        people.issue_code(store, "RedX", alpha, by=as_facilitator(world.id))
    batch = hand_out(store, "RedX", by=as_facilitator(world.id), reissue=True, pids=[alpha])
    assert batch.handouts == () and batch.signed_in_kept == 1
    assert "signed in before" in batch.describe()
    assert snapshot(store) == before
    assert identity.authenticate(store, code).pid == alpha  # their own link still works
    # the operator can still send them one
    assert people.issue_code(store, "RedX", alpha, by=OPERATOR).person.pid == alpha


def test_people_who_never_signed_in_get_their_first_link_from_the_facilitator(store, world):
    batch = hand_out(store, "RedX", by=as_facilitator(world.id), pids=[pid_of(store, "a@example.org")])
    assert len(batch.handouts) == 1 and batch.signed_in_kept == 0


def test_the_setup_tab_offers_no_link_for_a_signed_in_person_and_refuses_a_crafted_click(store, world):
    sign_in(store, "a@example.org")
    alpha = pid_of(store, "a@example.org")
    home = FacilitatorHome(store, identity.find_participant(store, world.pid))
    setup = home.setup
    setup.pick.value = alpha
    assert setup.issue.disabled and "has signed in" in setup.code_note.value
    before = snapshot(store)
    setup.issue._handle_msg({"content": {"data": {"method": "custom", "content": {"event": "click"}}}})
    setup.confirm.yes._handle_msg({"content": {"data": {"method": "custom", "content": {"event": "click"}}}})
    assert "code=" not in setup.person_message.value + setup.confirm.text.value
    setup._issue(alpha)  # even the act behind the button, called straight away
    assert "code=" not in setup.person_message.value and "operator" in setup.person_message.value
    assert snapshot(store) == before


def test_the_links_tab_and_the_reminder_list_leave_signed_in_people_out(store, world):
    sign_in(store, "a@example.org")
    identity.reissue(store, world.pid)
    home = FacilitatorHome(store, identity.find_participant(store, world.pid))
    tab = home.handouts
    tab.refresh()
    assert tab.reissue.disabled  # A has signed in; FX is the viewer: nobody's link may be remade here
    tab._hand_out(reissue=True)
    assert "code=" not in tab.result.value and "signed in before" in tab.result.value


# -- names, on every way in -------------------------------------------------------------------------------
HOSTILE_NAMES = {
    "nul": "Ana\x00Silva",
    "escape": "Ana\x1b[31mSilva",
    "delete": "Ana\x7f",
    "formula behind a newline": '\n=HYPERLINK("http://x","y")',
    "formula behind a no-break space": "\u00a0@SUM(A1)",
    "plus": "+44 Ana",
}


@pytest.mark.parametrize("name", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_every_way_in_refuses_a_hostile_name(store, world, tmp_path, capsys, name):
    before = snapshot(store)
    out = io.StringIO()
    csv.writer(out).writerows([["name", "email", "role"], [name, "h@example.org", "manager"]])
    roster = out.getvalue().encode()
    with pytest.raises(RosterError, match='row 2, column "name"'):
        import_roster(store, roster, "RedX", by=as_facilitator(world.id))
    with pytest.raises(InputError, match="^Name: "):
        people.add_person(store, "RedX", name, "h@example.org", ["manager"], by=as_facilitator(world.id))
    alpha = pid_of(store, "a@example.org")
    with pytest.raises(InputError, match="^Name: "):
        people.edit_person(
            store, "RedX", alpha, name, "a@example.org", ["manager"], by=as_facilitator(world.id)
        )
    with pytest.raises(StoreError, match="^name: "):
        identity.add_participant(store, name, email="h@example.org")
    assert main(["participants", "add", "--name", name]) != 0
    assert "name" in capsys.readouterr().err
    assert snapshot(store) == before


def test_names_are_stored_in_one_normal_form(store, world):
    decomposed = "Zoe\u0308  \t Lopez "  # e + combining diaeresis, runs of white space
    added = people.add_person(
        store, "RedX", decomposed, "z@example.org", ["manager"], by=as_facilitator(world.id)
    )
    assert added.name == "Zo\u00eb Lopez"
    issued = identity.add_participant(store, "\u00a0Zoe\u0308\u2003Two\n")
    assert issued.person.name == "Zo\u00eb Two"


def test_the_privacy_page_says_who_has_seen_a_link():
    from workbook.privacy import privacy_page

    page = " ".join(privacy_page().split())
    assert "Your facilitator hands out first links and so has seen yours" in page
    assert "once you have signed in, a new link goes to you alone" in page
