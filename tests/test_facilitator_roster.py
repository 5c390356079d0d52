"""Cohorts and rosters: every rule of `workbook cohorts` and `workbook roster import`, bad input included."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from workbook import identity
from workbook.cli import main
from workbook.facilitator.cohorts import add_cohort, cohort_info, parse_session
from workbook.facilitator.people import OPERATOR, members
from workbook.facilitator.roster import RosterError, import_roster
from workbook.models import AccessCode, Participant, RoleGrant
from workbook.store import Store, StoreError

GOOD = (
    "name,email,role,manager_email\n"
    "Mira Manager,mira@example.org,manager,\n"
    "Tom Team,tom@example.org,team_member,mira@example.org\n"
    "Fred Facil,fred@example.org,facilitator;manager,\n"
)


def write(tmp_path, text: str, name: str = "roster.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def count(store: Store, model) -> int:
    with store.read() as session:
        return session.scalar(select(func.count(model.id)))


def test_a_good_roster_makes_people_with_roles_and_no_codes(store, tmp_path):
    summary = import_roster(store, write(tmp_path, GOOD), "Spring 2027", by=OPERATOR)
    assert (summary.created, summary.updated, summary.cohort_created) == (3, 0, True)
    people = {m.name: m for m in members(store, "Spring 2027")}
    assert people["Mira Manager"].roles == ("manager",)
    assert people["Tom Team"].roles == ("team_member",) and people["Tom Team"].manager_name == "Mira Manager"
    assert people["Fred Facil"].roles == ("manager", "facilitator")
    assert count(store, AccessCode) == 0
    assert not any(m.live_code for m in people.values())


def test_a_known_email_adds_roles_to_that_person(store, tmp_path):
    known = identity.add_participant(store, "Mira M.", email="MIRA@example.org", roles=["team_member"])
    summary = import_roster(store, write(tmp_path, GOOD), "Spring 2027", by=OPERATOR)
    assert (summary.created, summary.updated) == (2, 1)
    person = identity.find_participant(store, known.person.pid)
    assert {r.name for r in person.roles} == {"team_member", "manager"}
    assert person.name == "Mira M."  # the store's name is kept
    assert count(store, Participant) == 3


def test_a_second_import_of_the_same_file_adds_nothing(store, tmp_path):
    import_roster(store, write(tmp_path, GOOD), "Spring 2027", by=OPERATOR)
    grants = count(store, RoleGrant)
    summary = import_roster(store, write(tmp_path, GOOD), "Spring 2027", by=OPERATOR)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 3)
    assert count(store, RoleGrant) == grants and count(store, Participant) == 3
    # the summary says what happened: nothing new, and no word of roles added or of people without a link
    said = summary.describe()
    assert "3 already in as the file says (nothing changed)" in said
    assert "roles added" not in said and "no link" not in said


def test_every_problem_of_a_file_comes_in_one_round(store, tmp_path):
    text = (
        "name,email,role,manager_email\n"
        "Mira Manager,mira@example.org,manager,\n"
        "Tom Team,tom@example.org,team_member,mira@example.org\n"
        "Pat,pat@example.org,manager,\n"
        "Quinn,quinn@example.org,wizard,\n"  # a bad role: a problem of the row itself
        "Ray,ray@example.org,manager,\n"
        "Tom Again,tom@example.org,team_member,mira@example.org\n"  # an email already on row 3: across rows
    )
    with pytest.raises(RosterError) as caught:
        import_roster(store, write(tmp_path, text), "Spring 2027", by=OPERATOR)
    assert [p.split(":")[0] for p in caught.value.problems] == [
        'row 5, column "role"',
        'row 7, column "email"',
    ]
    assert count(store, Participant) == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            GOOD + "Tom Again,TOM@example.org,manager,\n",
            "row 5, column \"email\": 'TOM@example.org' is already on row 3",
        ),
        (GOOD + "Una Known,una@example.org,captain,\n", "row 5, column \"role\": unknown role 'captain'"),
        (GOOD + "Nora,nora@example.org,team_member,ghost@example.org\n", 'row 5, column "manager_email"'),
        (
            GOOD + "=HYPERLINK(1),eve@example.org,manager,\n",
            "row 5, column \"name\": the name starts with '='",
        ),
        (GOOD + "+Plus,p@example.org,manager,\n", 'row 5, column "name"'),
        (GOOD + "-Minus,m@example.org,manager,\n", 'row 5, column "name"'),
        (GOOD + "@At,a@example.org,manager,\n", 'row 5, column "name"'),
        (GOOD + "Ned,not-an-email,manager,\n", 'row 5, column "email"'),
        (GOOD + "Tia,tia@example.org,team_member,\n", 'row 5, column "manager_email": a team member needs'),
        (GOOD + ",x@example.org,manager,\n", 'row 5, column "name": the name is empty'),
        (GOOD + "Short,row@example.org\n", "row 5: 2 values, but the header has 4 columns"),
        ("name,email\nA,a@example.org\n", "row 1: column 'role' missing"),
        ("name,email,role,boss\nA,a@example.org,manager,x\n", "row 1: unknown column(s) 'boss'"),
        ("name,email,role\n", "the file has a header but no people"),
    ],
)
def test_a_bad_row_names_row_and_column_and_stores_nothing(store, tmp_path, text, expected):
    with pytest.raises(RosterError) as caught:
        import_roster(store, write(tmp_path, text), "Spring 2027", by=OPERATOR)
    assert expected in str(caught.value)
    assert "nothing was imported" in str(caught.value)
    assert count(store, Participant) == 0 and count(store, RoleGrant) == 0
    with pytest.raises(StoreError):  # the failed import left no cohort behind
        cohort_info(store, "Spring 2027")


def test_every_bad_row_is_named_not_just_the_first(store, tmp_path):
    text = GOOD + "=A,a@example.org,manager,\nB,b@example.org,boss,\nC,bad,manager,\n"
    with pytest.raises(RosterError) as caught:
        import_roster(store, write(tmp_path, text), "C1", by=OPERATOR)
    assert len(caught.value.problems) == 3
    assert [p.split(",")[0] for p in caught.value.problems] == ["row 5", "row 6", "row 7"]


def test_a_manager_already_in_the_store_may_be_named(store, tmp_path):
    identity.add_participant(store, "Old Boss", email="old@example.org", cohort="Spring 2027")
    text = "name,email,role,manager_email\nNew,new@example.org,team_member,old@example.org\n"
    import_roster(store, write(tmp_path, text), "Spring 2027", by=OPERATOR)
    new = next(m for m in members(store, "Spring 2027") if m.name == "New")
    assert new.manager_name == "Old Boss"


def test_a_manager_of_another_cohort_is_refused(store, tmp_path):
    identity.add_participant(store, "Mira", email="mira@example.org", cohort="Autumn")
    with pytest.raises(RosterError, match="row 2, column \"role\".*manager in cohort 'Autumn'"):
        import_roster(store, write(tmp_path, GOOD), "Spring 2027", by=OPERATOR)
    assert count(store, Participant) == 1


def test_a_wrong_encoding_is_named(store, tmp_path):
    path = write(tmp_path, GOOD + "Zoë Ünal,zoe@example.org,manager,\n", encoding="cp1252")
    with pytest.raises(RosterError, match=r'row 5: the file is not UTF-8 text .*"CSV UTF-8"'):
        import_roster(store, path, "Spring 2027", by=OPERATOR)
    utf16 = write(tmp_path, GOOD, "u16.csv", encoding="utf-16")
    with pytest.raises(RosterError, match="UTF-16"):
        import_roster(store, utf16, "Spring 2027", by=OPERATOR)
    xlsx = tmp_path / "r.xlsx"
    xlsx.write_bytes(b"PK\x03\x04rest-of-a-zip")
    with pytest.raises(RosterError, match="spreadsheet file"):
        import_roster(store, xlsx, "Spring 2027", by=OPERATOR)
    assert count(store, Participant) == 0


def test_a_utf8_file_with_a_byte_order_mark_and_accents_imports(store, tmp_path):
    path = write(tmp_path, "\ufeff" + GOOD + "Zoë Ünal,zoe@example.org,manager,\n")
    import_roster(store, path, "Spring 2027", by=OPERATOR)
    assert "Zoë Ünal" in {m.name for m in members(store, "Spring 2027")}


def test_ten_thousand_rows_import_in_one_go(store, tmp_path):
    lines = ["name,email,role,manager_email"]
    for i in range(100):
        lines.append(f"Manager {i},m{i}@example.org,manager,")
    for i in range(9_900):
        lines.append(f"Member {i},t{i}@example.org,team_member,m{i % 100}@example.org")
    summary = import_roster(store, write(tmp_path, "\n".join(lines) + "\n"), "Big", by=OPERATOR)
    assert summary.created == 10_000
    assert count(store, Participant) == 10_000 and count(store, RoleGrant) == 10_000
    assert len(members(store, "Big")) == 10_000


def test_ten_thousand_rows_with_one_bad_row_store_nothing(store, tmp_path):
    lines = ["name,email,role,manager_email"] + [f"P {i},p{i}@example.org,manager," for i in range(9_999)]
    lines.append("P 9999,p9999@example.org,wizard,")
    with pytest.raises(RosterError, match='row 10001, column "role"'):
        import_roster(store, write(tmp_path, "\n".join(lines) + "\n"), "Big", by=OPERATOR)
    assert count(store, Participant) == 0


def test_cohorts_add_list_show_on_the_command_line(tmp_path, capsys):
    args = ["cohorts", "add", "Spring 2027", "--starts", "2027-03-01", "--ends", "31/05/2027"]
    assert main([*args, "--session", "2027-03-02:Kick-off", "--session", "2027-04-06:Practice day"]) == 0
    assert "2027-03-01 to 2027-05-31, 2 workshop sessions" in capsys.readouterr().out
    assert main(["cohorts", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["sessions"] == [
        {"date": "2027-03-02", "title": "Kick-off"},
        {"date": "2027-04-06", "title": "Practice day"},
    ]
    assert main(["roster", "import", str(write(tmp_path, GOOD)), "--cohort", "Spring 2027"]) == 0
    assert "3 new people" in capsys.readouterr().out
    assert main(["cohorts", "show", "Spring 2027"]) == 0
    shown = capsys.readouterr().out
    assert "Mira Manager" in shown and "no link yet" in shown and "session 2027-03-02: Kick-off" in shown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ends", "2027-01-01", "--starts", "2027-02-01"], "ends (2027-01-01) before it starts"),
        (["--session", "no-date"], "write it as DATE:TITLE"),
        (["--session", "2027-02-30:Day"], "not a real date"),
        (["--starts", "2027-03-01", "--session", "2027-02-01:Early"], "is before the start"),
    ],
)
def test_bad_cohort_details_are_named(capsys, args, message):
    assert main(["cohorts", "add", "C", *args]) == 2
    assert message in capsys.readouterr().err
    assert main(["cohorts", "list"]) == 0 and capsys.readouterr().out == ""


def test_a_cohort_name_is_checked_and_unique(store):
    add_cohort(store, "Spring", sessions=[parse_session("2027-03-02:Kick-off")])
    with pytest.raises(StoreError, match="exists already"):
        add_cohort(store, "Spring")
    with pytest.raises(StoreError, match="spreadsheet"):
        add_cohort(store, "=cmd")


def test_a_bad_roster_on_the_command_line_exits_non_zero(tmp_path, capsys):
    path = write(tmp_path, GOOD + "Tom Again,tom@example.org,manager,\n")
    assert main(["roster", "import", str(path), "--cohort", "C"]) == 2
    err = capsys.readouterr().err
    assert 'row 5, column "email"' in err and "nothing was imported" in err
    assert main(["roster", "import", str(tmp_path / "missing.csv"), "--cohort", "C"]) == 2
    assert "cannot be read" in capsys.readouterr().err


# -- the optional hub_user column: the person's JupyterHub user name -------------------------------------
HUB = (
    "name,email,role,manager_email,hub_user\n"
    "Mira Manager,mira@example.org,manager,,mira\n"
    "Tom Team,tom@example.org,team_member,mira@example.org, tom.t@corp \n"
    "Fred Facil,fred@example.org,facilitator;manager,,\n"
)


def hub_users(store: Store) -> dict[str, str | None]:
    with store.read() as session:
        return {
            email: hub for email, hub in session.execute(select(Participant.email, Participant.hub_username))
        }


def test_a_roster_with_hub_users_ties_each_new_person_and_leaves_empty_cells_untied(store, tmp_path):
    summary = import_roster(store, write(tmp_path, HUB), "Spring 2027", by=OPERATOR)
    assert (summary.created, summary.hub_users_tied) == (3, 2)
    assert "2 people tied to their hub user" in summary.describe()
    assert hub_users(store) == {
        "mira@example.org": "mira",
        "tom@example.org": "tom.t@corp",
        "fred@example.org": None,
    }
    assert identity.authenticate_hub(store, "tom.t@corp").name == "Tom Team"  # they can sign in on the hub
    again = import_roster(
        store, write(tmp_path, HUB), "Spring 2027", by=OPERATOR
    )  # the same file again changes nothing
    assert (again.created, again.hub_users_tied) == (0, 0)
    assert hub_users(store)["tom@example.org"] == "tom.t@corp"


def test_a_known_person_gets_the_hub_user_only_if_they_have_none(store, tmp_path):
    mira = identity.add_participant(store, "Mira M.", email="mira@example.org", roles=["team_member"])
    tom = identity.add_participant(
        store, "Tom", email="tom@example.org", roles=["team_member"], hub_user="tom.t@corp"
    )
    summary = import_roster(store, write(tmp_path, HUB), "Spring 2027", by=OPERATOR)
    assert (summary.created, summary.updated, summary.hub_users_tied) == (1, 2, 1)
    assert identity.find_participant(store, mira.person.pid).hub_user == "mira"
    assert identity.find_participant(store, tom.person.pid).hub_user == "tom.t@corp"  # the same name: kept


def test_a_different_hub_user_for_a_known_person_is_a_problem_not_a_change(store, tmp_path):
    tom = identity.add_participant(
        store, "Tom", email="tom@example.org", roles=["team_member"], hub_user="tommy"
    )
    with pytest.raises(RosterError) as caught:
        import_roster(store, write(tmp_path, HUB), "Spring 2027", by=OPERATOR)
    assert caught.value.problems == [
        "row 3, column \"hub_user\": 'tom@example.org' is already tied to another hub user, which an import "
        "does not change (use `workbook participants set-hub-user`)"
    ]
    assert identity.find_participant(store, tom.person.pid).hub_user == "tommy"
    assert count(store, Participant) == 1


def test_a_hub_user_twice_in_the_file_is_named_with_both_rows(store, tmp_path):
    text = HUB + "Una,una@example.org,manager,,mira\n"
    with pytest.raises(RosterError) as caught:
        import_roster(store, write(tmp_path, text), "Spring 2027", by=OPERATOR)
    assert caught.value.problems == ["row 5, column \"hub_user\": 'mira' is already on row 2"]
    assert count(store, Participant) == 0


def test_a_hub_user_taken_in_the_store_is_refused_without_saying_whose(store, tmp_path):
    identity.add_participant(store, "Secret Sam", email="sam@example.org", hub_user="mira")
    with pytest.raises(RosterError) as caught:
        import_roster(store, write(tmp_path, HUB), "Spring 2027", by=OPERATOR)
    problems = caught.value.problems
    assert problems == [
        "row 2, column \"hub_user\": 'mira' is taken: another person in the store signs in with it"
    ]
    assert "Sam" not in str(caught.value) and "sam@" not in str(caught.value)
    assert count(store, Participant) == 1 and hub_users(store) == {"sam@example.org": "mira"}


@pytest.mark.parametrize(
    "hostile",
    [
        "=HYPERLINK(1)",
        "+1",
        "-x",
        "@x",
        "<script>",
        "two words",
        "a\x00b",
        "a\tb",
        "x" * 121,
        "ünïcode",
        "../etc",
    ],
)
def test_a_hostile_hub_user_is_named_and_nothing_is_stored(store, tmp_path, hostile):
    text = "name,email,role,hub_user\n" + f'Ana,ana@example.org,manager,"{hostile}"\n'
    with pytest.raises(RosterError) as caught:
        import_roster(store, write(tmp_path, text), "Spring 2027", by=OPERATOR)
    (problem,) = caught.value.problems
    assert problem.startswith('row 2, column "hub_user": hub user ')
    assert "is not a hub user name" in problem and len(problem) < 250  # a long value is cut short
    assert count(store, Participant) == 0


def test_the_hub_user_rule_is_the_one_of_the_command_line(store, tmp_path):
    """The roster takes exactly the names `participants add --hub-user` takes (one rule)."""
    for good in ("a", "A.b_c@d+e-f", "9" * 120):
        assert identity.clean_hub_user(good) == good
        text = f"name,email,role,hub_user\nAna,ana-{len(good)}@example.org,manager,{good}\n"
        import_roster(store, write(tmp_path, text), f"C {len(good)}", by=OPERATOR)
    assert set(hub_users(store).values()) == {"a", "A.b_c@d+e-f", "9" * 120}


def test_participants_list_shows_the_hub_user(tmp_path, capsys):
    assert main(["roster", "import", str(write(tmp_path, HUB)), "--cohort", "Spring 2027"]) == 0
    assert "2 people tied to their hub user" in capsys.readouterr().out
    assert main(["participants", "list"]) == 0
    lines = {line.split("\t")[1]: line for line in capsys.readouterr().out.splitlines()}
    assert lines["Tom Team"].endswith("\thub:tom.t@corp") and "hub:" not in lines["Fred Facil"]
    assert main(["participants", "list", "--json"]) == 0
    listed = {p["name"]: p["hub_user"] for p in json.loads(capsys.readouterr().out)}
    assert listed == {"Mira Manager": "mira", "Tom Team": "tom.t@corp", "Fred Facil": None}
