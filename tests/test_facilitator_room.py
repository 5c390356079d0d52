"""The room view: the stepping rule of a live chart (any sequence of answers), the counts it reads, and
the page (nothing below the threshold, steps of at least the threshold, only the facilitator's cohorts)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from traitlets import TraitError

from tests.widget_helpers import live_widget_state
from workbook import identity
from workbook.apps.facilitator.room import RoomView, level_colours, room_app
from workbook.evaluation.disclosure import live_step
from workbook.facilitator.room import room_question, room_questions, room_state
from workbook.manager.content import KnowledgeCheck, instrument, lessons, save_lesson_answer
from workbook.manager.scores import save_scores
from workbook.manager.waves import set_wave
from workbook.store import StoreError

# -- the rule -------------------------------------------------------------------------------------------
answers = st.lists(st.tuples(st.integers(0, 14), st.integers(0, 3)), max_size=80)  # (person, option)


@settings(max_examples=300, deadline=None)
@given(events=answers, threshold=st.integers(3, 8))
def test_a_live_chart_shows_nothing_below_the_threshold_and_moves_in_steps_of_it(events, threshold):
    """People answer (and change their answers) in any order, and the chart is looked at after every
    answer: nothing shows below the threshold, two different states shown one after the other rest on
    answers of at least the threshold more people, and a new state is the answers of that moment."""
    previous = None
    latest: dict[int, int] = {}
    for end, (person, option) in enumerate(events, start=1):
        new = person not in latest
        latest[person] = option
        step = live_step(events[:end], threshold)
        assert step.answered == len(latest)
        assert step.answered + step.waiting_for == step.shown_answers + threshold and step.waiting_for > 0
        if step.shown is None:
            assert len(latest) < threshold
            continue
        assert step.shown_answers >= threshold and len(step.shown) == step.shown_answers
        if previous is not None and previous.shown is not None and step.shown != previous.shown:
            assert step.shown_answers - previous.shown_answers >= threshold
            assert new and step.shown == latest  # it moved on this new person's first answer
        previous = step


def test_one_more_answer_below_a_step_changes_nothing_but_the_count_awaited():
    first = live_step([("a", 1), ("b", 2), ("c", 1)], 3)
    assert first.shown == {"a": 1, "b": 2, "c": 1} and first.waiting_for == 3
    more = live_step([("a", 1), ("b", 2), ("c", 1), ("d", 2), ("a", 2)], 3)
    assert more.shown == first.shown and more.shown_answers == 3 and more.waiting_for == 2
    assert live_step([("a", 1), ("b", 2)], 3).shown is None
    with pytest.raises(Exception, match="threshold"):
        live_step([("a", 1)], 2)


# -- the counts -----------------------------------------------------------------------------------------
COHORT = "Room A"
CHECKS = [
    (lesson.id, block)
    for lesson in lessons().lessons
    for block in lesson.blocks
    if isinstance(block, KnowledgeCheck)
]


def managers(store, n: int, cohort: str = COHORT) -> list:
    return [identity.add_participant(store, f"Manager {cohort} {i}", cohort=cohort).person for i in range(n)]


def answer(store, person, option: int, check: int = 0) -> None:
    lesson_id, block = CHECKS[check]
    save_lesson_answer(store, person, lesson_id, block.id, {"choice": block.options[option].id})


def check_key(check: int = 0) -> str:
    lesson_id, block = CHECKS[check]
    return f"check:{lesson_id}:{block.id}"


def test_every_check_and_wave_is_offered_and_nothing_else(store):
    keys = [q.key for q in room_questions()]
    assert keys == [check_key(k) for k in range(len(CHECKS))] + [
        "comfort:pre",
        "comfort:post",
        "comfort:then",
    ]
    with pytest.raises(StoreError, match="choose a question"):
        room_question("check:../../etc")


def test_the_room_counts_each_managers_answer_in_the_cohort_only(store):
    mine = managers(store, 4)
    others = managers(store, 3, "Room B")
    team = identity.add_participant(store, "Tess Team", manager_pid=mine[0].pid).person
    answer(store, mine[0], 0)
    answer(store, mine[0], 1)  # changed before the chart showed anything: the latest counts
    answer(store, mine[1], 1)
    for person in others:
        answer(store, person, 0)
    answer(store, team, 0)  # a team member of the cohort is not one of its managers: not counted
    question = room_question(check_key())
    waiting = room_state(store, COHORT, question, 3)
    assert (waiting.answered, waiting.waiting_for, waiting.counts) == (2, 1, None)
    answer(store, mine[2], 2)
    found = room_state(store, COHORT, question, 3)
    assert found.shown_answers == 3 and [c[0] for c in found.counts][:3] == [0, 2, 1]

    item = instrument().item_ids[0]
    set_wave(store, COHORT, "pre", True)
    for person in mine[:3]:
        save_scores(store, person, "pre", dict.fromkeys(instrument().item_ids, 4) | {item: 2})
    save_scores(store, mine[0], "pre", dict.fromkeys(instrument().item_ids, 5))  # after the step: not shown
    comfort = room_state(store, COHORT, room_question("comfort:pre"), 3)
    assert comfort.answered == comfort.shown_answers == 3
    levels = [value for value, _ in room_question("comfort:pre").levels]
    assert comfort.counts[0][levels.index(2)] == 3 and comfort.counts[1][levels.index(4)] == 3
    assert room_state(store, COHORT, room_question("comfort:post"), 3).answered == 0


# -- the page -------------------------------------------------------------------------------------------
@pytest.fixture
def fay(store):
    return identity.add_participant(
        store, "Fay Room", roles=[f"facilitator:{COHORT}"], allow_privileged=True
    ).person


def test_the_room_stays_empty_until_the_threshold_then_moves_in_steps(store, fay, monkeypatch):
    monkeypatch.setenv("WORKBOOK_ANONYMITY_THRESHOLD", "3")
    people = managers(store, 7)
    view = RoomView(store, fay)
    assert "Waiting for answers: 3 more needed" in view.chart.value
    assert "wb-room-bar" not in view.chart.value
    answer(store, people[0], 0)
    answer(store, people[1], 1)
    view.refresh()
    assert "Waiting for answers: 1 more needed" in view.chart.value and "wb-room-bar" not in view.chart.value
    answer(store, people[2], 1)
    view.refresh()
    assert view.chart.value.count('class="wb-room-bar"') == len(CHECKS[0][1].options)
    assert 'data-answers="3"' in view.chart.value and "2 (67%)" in view.chart.value
    shown = view.chart.value
    answer(store, people[3], 0)
    answer(store, people[0], 1)  # a change of mind is not shown on its own either
    view.refresh()
    assert 'data-answers="3"' in view.chart.value and "2 (67%)" in view.chart.value
    assert "changes after 2 more" in view.chart.value and view.chart.value != shown
    again = RoomView(store, fay)  # the page opened again: the same state, nothing in between
    assert 'data-answers="3"' in again.chart.value and "2 (67%)" in again.chart.value
    again.question.value = room_questions()[1].key
    again.question.value = room_questions()[0].key
    assert 'data-answers="3"' in again.chart.value and "2 (67%)" in again.chart.value
    answer(store, people[4], 2)
    answer(store, people[5], 2)
    view.refresh()
    assert 'data-answers="6"' in view.chart.value
    assert f"Manager {COHORT}" not in live_widget_state()  # counts only: no names in any widget


def test_the_comfort_chart_shows_every_item_and_the_scale(store, fay, monkeypatch):
    monkeypatch.setenv("WORKBOOK_ANONYMITY_THRESHOLD", "3")
    inst = instrument()
    set_wave(store, COHORT, "post", True)
    for person, value in zip(managers(store, 3), (2, 5, 5), strict=True):
        save_scores(store, person, "post", dict.fromkeys(inst.item_ids, value))
    view = RoomView(store, fay)
    view.question.value = "comfort:post"
    html = view.chart.value
    assert html.count('class="wb-room-bar"') == len(inst.items)
    for item in inst.items:
        assert f'data-bar="{item.id}"' in html
    assert "1: 0 · 2: 1 · 3: 0 · 4: 0 · 5: 2" in html
    assert len(level_colours(5)) == 5 and level_colours(2) == ["#D55E00", "#0072B2"]


def test_only_the_facilitators_own_cohorts_can_be_shown(store, fay, monkeypatch):
    monkeypatch.setenv("WORKBOOK_ANONYMITY_THRESHOLD", "3")
    for person in managers(store, 3, "Room B"):
        answer(store, person, 2)
    view = RoomView(store, fay)
    assert view.cohort.options == (COHORT,)
    with pytest.raises(TraitError):
        view.cohort.set_state({"index": 1})  # what a crafted message from the page would ask
    with pytest.raises(TraitError):
        view.cohort.value = "Room B"
    assert "Room B" not in live_widget_state()
    # and the view checks the value again itself before reading anything
    view.cohort = SimpleNamespace(value="Room B")
    view.choose()
    assert "not one of yours" in view.message.value
    assert view.chart.value == "" and "Room B" not in live_widget_state()
    view.cohort = SimpleNamespace(value=COHORT)
    view.question = SimpleNamespace(value="comfort:later")
    view.choose()
    assert "choose a question" in view.message.value and view.chart.value == ""


def test_someone_who_facilitates_nothing_sees_nothing(store):
    view = RoomView(store, managers(store, 1)[0])
    assert "You facilitate no cohort yet" in view.widget.children[-1].value


def test_the_room_page_asks_for_a_code_first(store):
    page = room_app(store)
    assert "Enter the access code" in page.children[-1].children[0].value
