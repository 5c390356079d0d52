"""Editing a cohort's dates and workshop sessions on the facilitator's page: every value checked, the
problem named in words, and nothing saved when any value is wrong."""

from __future__ import annotations

from datetime import date

import pytest

from workbook import identity
from workbook.apps.facilitator import FacilitatorHome
from workbook.facilitator.cohorts import add_cohort, cohort_info, edit_cohort, parse_session, session_lines
from workbook.store import StoreError
from workbook.validation import InputError

COHORT = "Spring <b>cohort</b>"


@pytest.fixture
def home(store):
    add_cohort(
        store,
        COHORT,
        starts_on=date(2027, 1, 11),
        ends_on=date(2027, 3, 31),
        sessions=[parse_session("2027-01-12:Kick-off")],
    )
    fay = identity.add_participant(store, "Fay", roles=[f"facilitator:{COHORT}"], allow_privileged=True)
    return FacilitatorHome(store, fay.person)


def test_the_form_shows_the_cohorts_dates_and_sessions(home):
    setup = home.setup
    assert (setup.starts.value, setup.ends.value) == ("2027-01-11", "2027-03-31")
    assert setup.sessions.value == "2027-01-12: Kick-off"
    assert "Spring &lt;b&gt;cohort&lt;/b&gt;" in setup.details.value


def test_new_dates_and_sessions_are_saved_in_any_common_form(store, home):
    setup = home.setup
    setup.starts.value = "4 January 2027"
    setup.ends.value = "30/04/2027"
    setup.sessions.value = "2027-01-12: Kick-off\n\n15.02.2027: Practice: <script>x</script>\n"
    setup.save_dates.click()
    info = cohort_info(store, COHORT)
    assert (info.starts_on, info.ends_on) == (date(2027, 1, 4), date(2027, 4, 30))
    assert info.sessions == (
        (date(2027, 1, 12), "Kick-off"),
        (date(2027, 2, 15), "Practice: <script>x</script>"),
    )
    assert "Saved" in setup.dates_message.value and "2 workshop sessions" in setup.dates_message.value
    assert "<script>" not in setup.details.value and "&lt;script&gt;" in setup.details.value
    setup.starts.value = setup.ends.value = setup.sessions.value = ""
    setup.save_dates.click()
    assert cohort_info(store, COHORT) == type(info)(COHORT, None, None, ())


@pytest.mark.parametrize(
    ("starts", "ends", "sessions", "said"),
    [
        ("31/02/2027", "", "", "Start date: '31/02/2027' is not a real date"),
        ("2027-01-11", "next week", "", "End date: 'next week' is not a date we can read"),
        ("1899-01-01", "", "", "Start date: Sunday 1 January 1899 is too far back"),
        ("2027-01-11", "2027-01-01", "", "before it starts"),
        (
            "2027-01-11",
            "2027-03-31",
            "2027-01-12 Kick-off",
            "Workshop sessions, line 1: write the date, a colon",
        ),
        ("2027-01-11", "2027-03-31", "ok\n2027-13-01: Late", "Workshop sessions, line 1"),
        ("2027-01-11", "2027-03-31", "2027-01-12: A\n2027-05-01: After", "is after the end"),
        ("2027-01-11", "2027-03-31", "2027-01-12: " + "x" * 300, "at most 200 characters"),
    ],
)
def test_a_bad_value_is_named_and_nothing_is_saved(store, home, starts, ends, sessions, said):
    before = cohort_info(store, COHORT)
    setup = home.setup
    setup.starts.value, setup.ends.value, setup.sessions.value = starts, ends, sessions
    setup.save_dates.click()
    assert said in setup.dates_message.value.replace("&#39;", "'")
    assert "Nothing was changed" in setup.dates_message.value and 'role="alert"' in setup.dates_message.value
    assert cohort_info(store, COHORT) == before


def test_the_domain_call_checks_everything_itself(store, home):
    with pytest.raises(StoreError, match="before it starts"):
        edit_cohort(store, COHORT, starts_on=date(2027, 2, 1), ends_on=date(2027, 1, 1), sessions=[])
    with pytest.raises(StoreError):
        edit_cohort(store, "Nobody's cohort", starts_on=None, ends_on=None, sessions=[])
    with pytest.raises(InputError, match="line 2"):
        session_lines("2027-01-12: A\n12 Smarch 2027: B")


def test_the_command_line_twin_edits_a_cohort_and_refuses_bad_values(store, capsys):
    from workbook.cli import main

    assert (
        main(["cohorts", "add", "CLI cohort", "--starts", "2027-01-11", "--session", "2027-01-12:Kick-off"])
        == 0
    )
    assert main(["cohorts", "edit", "CLI cohort", "--ends", "31 March 2027"]) == 0
    assert "2027-01-11 to 2027-03-31, 1 workshop session" in capsys.readouterr().out
    assert main(["cohorts", "edit", "CLI cohort", "--session", "2027-04-02:Too late"]) == 2
    assert "is after the end" in capsys.readouterr().err
    assert main(["cohorts", "edit", "CLI cohort", "--no-sessions", "--starts", ""]) == 0
    assert "until 2027-03-31, 0 workshop sessions" in capsys.readouterr().out
