from __future__ import annotations

from datetime import date

import pytest

from workbook import content
from workbook.preparation import (
    answer_key,
    build_plan,
    clean_field,
    clean_goals,
    load_plan,
    section_progress,
)
from workbook.store import SavedAnswer, utcnow
from workbook.validation import InputError

PREP = content.preparation()


def _saved(value):
    return SavedAnswer(value, utcnow())


def test_text_limits_and_types():
    section = PREP.section("self_awareness")
    field = section.fields[0]
    assert clean_field(section, field, "Fine") == "Fine"
    with pytest.raises(InputError, match="at most 4000"):
        clean_field(section, field, "x" * 4001)
    with pytest.raises(InputError, match="expected text"):
        clean_field(section, field, 42)
    with pytest.raises(InputError, match="control character"):
        clean_field(section, field, "bad\x00byte")


def test_choices_must_be_known():
    section = PREP.section("support")
    field = section.fields[0]
    assert clean_field(section, field, ["mentor", "mentor", "coach"]) == ["mentor", "coach"]
    with pytest.raises(InputError, match="not one of the choices"):
        clean_field(section, field, ["mentor", "boss"])
    with pytest.raises(InputError, match="list of choices"):
        clean_field(section, field, "mentor")


def test_goals_are_limited_and_checked():
    section = PREP.section("goals")
    goal = {"goal": "Lead", "measure": "Done", "target_date": "2027-01-31", "first_step": "Ask"}
    first, second = clean_goals(section, [goal, goal])
    assert {k: v for k, v in first.items() if k != "id"} == goal and first["id"] != second["id"]
    assert clean_goals(section, [{**goal, "id": "g-mine"}])[0]["id"] == "g-mine"  # an id is kept
    with pytest.raises(InputError, match="goal 2 has the id of another goal"):
        clean_goals(section, [{**goal, "id": "g-same"}, {**goal, "id": "g-same"}])
    with pytest.raises(InputError, match="goal 1 has a malformed id"):
        clean_goals(section, [{**goal, "id": "<script>"}])
    with pytest.raises(InputError, match="at most 3"):
        clean_goals(section, [goal] * 4)
    with pytest.raises(InputError, match="not a date we can read: write it as 2027-03-31, 31/03/2027"):
        clean_goals(section, [{**goal, "target_date": "next year"}])
    with pytest.raises(InputError, match="unknown parts"):
        clean_goals(section, [{**goal, "salary": "double"}])


def test_progress_counts_required_answers_and_goals():
    section = PREP.section("aspirations")
    answers = {answer_key("aspirations", "in_two_years"): _saved("Lead a team")}
    progress = section_progress(section, answers)
    assert (progress.answered, progress.total, progress.complete) == (1, 3, False)
    answers[answer_key("aspirations", "in_five_years")] = _saved("Run a department")
    answers[answer_key("aspirations", "to_develop")] = _saved("   ")
    assert section_progress(section, answers).answered == 2
    goals = PREP.section("goals")
    half = {"goal": "A", "measure": "", "target_date": "", "first_step": ""}
    full = {"goal": "B", "measure": "m", "target_date": "", "first_step": ""}
    assert section_progress(goals, {"goals.goals": _saved([half, full])}).answered == 1
    assert section_progress(goals, {"goals.goals": _saved([full, full])}).complete


def test_plan_is_built_from_latest_answers(store):
    from workbook.identity import add_participant

    person = add_participant(store, "Ana Silva").person
    store.save_answer(person.id, "prep", "aspirations.in_two_years", "old")
    store.save_answer(person.id, "prep", "aspirations.in_two_years", "Lead the training team")
    store.save_answer(person.id, "prep", "support.network", ["mentor"])
    store.save_answer(
        person.id,
        "prep",
        "goals.goals",
        [{"goal": "G1", "measure": "M1", "target_date": "", "first_step": "S"}],
    )
    store.set_visibility(person.id, "prep", "aspirations", "manager")
    plan = load_plan(store, PREP, person, date(2026, 11, 26))
    assert plan.document_title == "Individual development plan: Ana Silva, 2026-11-26"
    sections = {s.title: s for s in plan.sections}
    aspirations = sections["Where you want to go"]
    assert aspirations.visibility == "manager"
    assert [e.answer for e in aspirations.entries] == ["Lead the training team"]
    assert sections["Support you need"].entries[0].answer == "A mentor"
    assert plan.goals[0]["goal"] == "G1"


def test_empty_plan_has_no_entries():
    plan = build_plan(PREP, {}, {}, "Nobody", date(2026, 1, 1))
    assert all(not s.entries for s in plan.sections) and plan.goals == ()
