"""The rule for every form: a bad value in one field never discards the others.

Each field's good value is saved on its own; the bad field keeps what was typed on the page, says what
is wrong beside itself (announced to screen readers) and the status line names it. The participant
app's goals are tested in test_participant_app.py; these are the manager's forms.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from workbook import identity
from workbook.apps.lessons import LessonPage
from workbook.apps.manager import ManagerHome
from workbook.manager.behaviour import conversations
from workbook.manager.content import instrument, lesson_scope, lessons
from workbook.manager.planner import plan_entries
from workbook.manager.reaction import my_reaction
from workbook.manager.scores import my_scores
from workbook.manager.waves import set_wave

COHORT = "Autumn managers"


@pytest.fixture
def kim(store):
    issued = identity.add_participant(store, "Kim Manager", cohort=COHORT)
    set_wave(store, COHORT, "pre", True)
    return issued


def shows_problem(note, words: str) -> bool:
    return 'role="alert"' in note.widget.value and words in note.widget.value


def test_planner_a_bad_time_keeps_the_other_parts(store, kim):
    planner = ManagerHome(store, kim.person).planner
    card = planner.add()
    card.alias.value = "Ari"
    card.time.value = "half past nine"
    card.questions.value = "What would you like to learn next?"
    card.day.value = date(2031, 2, 3)
    [entry] = plan_entries(store, kim.person)
    assert (entry.alias, entry.questions, entry.proposed_on, entry.time) == (
        "Ari",
        "What would you like to learn next?",
        date(2031, 2, 3),
        None,
    )
    assert card.time.value == "half past nine", "the page keeps what was typed"
    assert shows_problem(card.parts.notes["time"], "Write it like 14:30")
    assert "Everything else is saved" in planner.status.text
    assert "Needs your attention: Time." in planner.status.text
    card.time.value = "09:30"
    assert plan_entries(store, kim.person)[0].time == "09:30"
    assert card.parts.notes["time"].widget.value == "" and planner.status.attention == []


def test_planner_an_emptied_alias_keeps_the_saved_one(store, kim):
    planner = ManagerHome(store, kim.person).planner
    card = planner.add()
    card.alias.value = "Bo"
    card.alias.value = "   "
    card.support.value = "Ask the design lead about shadowing"
    [entry] = plan_entries(store, kim.person)
    assert (entry.alias, entry.support_ideas) == ("Bo", "Ask the design lead about shadowing")
    assert shows_problem(card.parts.notes["alias"], "Must not be empty")


def test_scenario_a_bad_response_keeps_the_ticks(store, kim):
    page = LessonPage(store, kim.person, lessons().lesson("practices"))
    scenario = page.open_block("scenario_promise")
    scenario.response.value = "A good first answer."
    scenario.response.value = "Bad \x07 bell"
    scenario.boxes[2].value = True
    saved = store.current_answers(kim.person.id, lesson_scope("practices"))["scenario_promise"].value
    assert saved == {"response": "A good first answer.", "ticked": [2]}
    assert shows_problem(scenario.parts.notes["response"], "control character")
    assert "Needs your attention: The person asks for a promise / your response" in page.status.text


def test_reflection_problem_is_shown_beside_it(store, kim):
    page = LessonPage(store, kim.person, lessons().lesson("practices"))
    reflection = page.open_block("reflect_next_practice")
    reflection.box.value = "kept"
    reflection.box.value = "x" * 10_000
    assert shows_problem(reflection.note, "At most")
    assert reflection.box.value == "x" * 10_000
    saved = store.current_answers(kim.person.id, lesson_scope("practices"))
    assert saved["reflect_next_practice"].value == "kept"


def test_reaction_a_bad_comment_keeps_the_ratings(store, kim):
    set_wave(store, COHORT, "post", True)
    reaction = ManagerHome(store, kim.person).reaction
    reaction.comment.value = "Good"
    reaction.comment.value = "Bad \x00 comment"
    reaction.ratings["usefulness"].value = 5
    saved = my_reaction(store, kim.person)
    assert saved.ratings == {"usefulness": 5} and saved.comment == "Good"
    assert shows_problem(reaction.comment_note, "control character")


def test_conversation_log_names_the_bad_field_beside_it_and_keeps_the_rest(store, kim):
    tab = ManagerHome(store, kim.person).conversations
    tab.day.value = date.today() + timedelta(days=5)
    tab.alias.value = "Dee"
    tab.follow.value = True
    tab.button.click()
    assert shows_problem(tab.notes["Date of the conversation"], "has not come yet")
    assert "Date of the conversation needs your attention" in tab.status.text
    assert (tab.alias.value, tab.follow.value) == ("Dee", True), "nothing typed is cleared"
    assert conversations(store, kim.person) == []
    tab.day.value = date.today()
    tab.button.click()
    assert [c.alias for c in conversations(store, kim.person)] == ["Dee"]
    assert tab.notes["Date of the conversation"].widget.value == ""


def test_comfort_check_marks_each_unanswered_question(store, kim):
    check = ManagerHome(store, kim.person).comfort
    form = check.forms["pre"]
    items = instrument().item_ids
    for item in items[:-2]:
        form.choices[item].value = 4
    assert check.submit("pre") is False
    assert [i for i in items if "Not answered yet" in form.marks[i].value] == list(items[-2:])
    assert all(form.choices[i].value == 4 for i in items[:-2]), "answers stay chosen"
    assert len(my_scores(store, kim.person)) == 0
    form.choices[items[-2]].value = 3
    assert form.marks[items[-2]].value == ""
