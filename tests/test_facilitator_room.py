"""The room view: the stepping rule of a live chart (any sequence of answers), the counts it reads, and
the page (nothing below the threshold, steps of at least the threshold, only the facilitator's cohorts)."""

from __future__ import annotations

from html import unescape
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from traitlets import TraitError

from tests.widget_helpers import live_widget_state
from workbook import identity
from workbook.apps.facilitator.room import RoomView, level_colours, room_app
from workbook.evaluation.disclosure import LiveRelease, live_chart, live_step, people_apart
from workbook.evaluation.disclosure.live import Outlook, live_outlook
from workbook.facilitator.room import room_question, room_questions, room_state
from workbook.manager.content import KnowledgeCheck, instrument, lessons, save_lesson_answer
from workbook.manager.scores import save_scores
from workbook.manager.waves import set_wave
from workbook.store import StoreError
from workbook.validation import InputError

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


def option_tally(answers: list) -> tuple:
    return (tuple(sum(1 for a in answers if a == option) for option in range(4)),)


histories = st.lists(  # what the store holds at each read: anything at all, read after read
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 9), st.integers(0, 3)), max_size=30).map(
        lambda events: sorted({place: (place, p, a) for place, p, a in events}.values())
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(reads=histories, threshold=st.integers(3, 5))
def test_a_live_chart_never_shows_two_states_closer_than_the_threshold(reads, threshold):
    """Between two reads the answers may change in any way (people counted or no longer counted, answers
    deleted, added, changed, even in the past): every state shown is one released, every released state
    differs from every other and from nothing by at least the threshold, and a state is shown only while
    the answers behind it are all there."""
    released: list[LiveRelease] = []
    for events in reads:
        chart = live_chart(events, option_tally, released, threshold)
        if chart.release is not None:
            released.append(chart.release)
        if chart.tally is None:
            continue
        assert chart.tally in [r.tally for r in released]
        if chart.held_back:  # an earlier state: it cannot say when it changes
            assert chart.waiting_for is None
        else:
            assert chart.tally == released[-1].tally and chart.waiting_for is not None
        behind = [
            option_tally(list({p: a for place, p, a in events if place <= cut}.values()))
            for cut in range(-1, 31)
        ]
        assert chart.tally in behind  # it is what the answers now held say, up to some point
    for k, one in enumerate(released):
        assert people_apart(option_tally([]), one.tally) >= threshold
        for other in released[k + 1 :]:
            assert people_apart(one.tally, other.tally) >= threshold


def test_people_apart_counts_on_the_part_that_changed_least():
    assert people_apart(((3, 0, 0),), ((3, 0, 0),)) == 0
    assert people_apart(((3, 0, 0),), ((2, 1, 0),)) == 1  # one changed their answer
    assert people_apart(((3, 0, 0),), ((3, 2, 1),)) == 3  # three came
    assert people_apart(((3, 0, 0),), ((0, 1, 0),)) == 3  # three went, one came (or two went, one changed)
    assert people_apart(((3, 0), (3, 0)), ((6, 0), (3, 1))) == 1  # the second item gave one person away
    with pytest.raises(ValueError, match="different charts"):
        people_apart(((3, 0),), ((3, 0, 0),))


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


# -- what the room has shown stays safe, whatever happens to membership, roles and answers --------------
def people_needed(before: tuple, after: tuple) -> int:
    """The fewest people whose coming, going or changing their answer turns one shown state into the other
    (per bar counts as the page gets them), on the part of the chart that changed least: a check's options
    together (each person counts on one of them), or one item of the comfort check. On one part, each
    person who comes adds one count, who goes takes one away, who changes their answer does both; so the
    fewest people are the larger of the counts gained and the counts lost. 0: the same state."""
    parts = [[c[0] for c in before]], [[c[0] for c in after]]
    if len(before[0]) > 1:  # the comfort check: each bar is an item with one count per rating
        parts = [list(c) for c in before], [list(c) for c in after]
    needed = []
    for one, other in zip(*parts, strict=True):
        gained = sum(max(b - a, 0) for a, b in zip(one, other, strict=True))
        lost = sum(max(a - b, 0) for a, b in zip(one, other, strict=True))
        if gained or lost:
            needed.append(max(gained, lost))
    return min(needed, default=0)


def assert_never_fewer_than(shown: list[tuple], threshold: int) -> None:
    """No state shown rests on fewer than the threshold on any part, and no two differ by fewer."""
    empty = tuple(tuple(0 for _ in bar) for bar in shown[0]) if shown else ()
    distinct = list(dict.fromkeys(shown))
    for state in distinct:
        assert people_needed(empty, state) >= threshold, state
    for k, one in enumerate(distinct):
        for other in distinct[k + 1 :]:
            assert people_needed(one, other) >= threshold, (one, other)


POOL = 9  # seven managers of the cohort and two people who become its managers later
OPTIONS = len(CHECKS[0][1].options)
person_index = st.integers(0, POOL - 1)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("answer"), person_index, st.integers(0, OPTIONS - 1)),
        st.tuples(st.just("rate"), person_index, st.integers(1, 5), st.integers(1, 5)),
        st.tuples(st.just("withdraw"), person_index),
        st.tuples(st.just("regrant"), person_index),
        st.tuples(st.just("remove"), person_index),
        st.tuples(st.just("delete"), person_index),
    ),
    max_size=45,
)


@settings(max_examples=60, deadline=None)
@given(steps=steps)
def test_no_two_states_the_room_shows_differ_by_fewer_than_the_threshold(migrated_store_file, steps):
    """Managers answer, change and delete their answers; their Manager role is withdrawn and given back,
    they are removed from the cohort, and two people become managers later (with answers from before):
    the room is read after every change, and no two states it showed of one question (per bar counts)
    differ by fewer than the threshold of people, nor does any rest on fewer."""
    import tempfile
    from pathlib import Path

    from store_copies import store_copy

    from workbook.data_rights import BY_THEMSELVES, delete_person_data
    from workbook.facilitator.people import OPERATOR, remove_person

    threshold = 3
    with tempfile.TemporaryDirectory() as folder:
        store = store_copy(migrated_store_file, Path(folder))
        try:
            people = managers(store, POOL - 2) + [
                identity.add_participant(store, f"Later {i}").person for i in range(2)
            ]
            set_wave(store, COHORT, "pre", True)
            items = instrument().item_ids
            questions = (room_question(check_key()), room_question("comfort:pre"))
            shown: dict[str, list[tuple]] = {q.key: [] for q in questions}
            for step in steps:
                person = people[step[1]]
                role = f"manager:{COHORT}"
                try:
                    if step[0] == "answer":
                        answer(store, person, step[2])
                    elif step[0] == "rate":
                        save_scores(
                            store,
                            person,
                            "pre",
                            {i: step[2] if k % 2 else step[3] for k, i in enumerate(items)},
                        )
                    elif step[0] == "withdraw":
                        identity.withdraw_role(store, person.pid, role)
                    elif step[0] == "regrant":
                        identity.grant_role(store, person.pid, role)
                    elif step[0] == "remove":
                        remove_person(store, COHORT, person.pid, by=OPERATOR)
                    else:
                        delete_person_data(store, person, by=BY_THEMSELVES)
                except (StoreError, InputError):
                    pass  # not possible now (no such role, not in the cohort, no wave open to them)
                for question in questions:
                    state = room_state(store, COHORT, question, threshold)
                    if state.counts is not None:
                        assert state.shown_answers >= threshold
                        shown[question.key].append(state.counts)
            for states in shown.values():
                assert_never_fewer_than(states, threshold)
        finally:
            store.close()


def roster_managers(store, n: int) -> list:
    return [
        identity.add_participant(
            store, f"Manager {COHORT} {i}", email=f"m{i}@example.org", cohort=COHORT
        ).person
        for i in range(n)
    ]


def bars(state) -> list[int]:
    return [c[0] for c in state.counts]


def test_a_withdrawn_role_a_removal_and_an_import_leave_the_chart_as_it_was(store):
    """The attack of the issue: turn one manager's Manager role off (their link keeps working), take one
    out of the cohort, import them again. Nothing moves: the chart counts whoever answered as a manager."""
    from workbook.facilitator.people import OPERATOR, edit_person, remove_person
    from workbook.facilitator.roster import import_roster

    people = roster_managers(store, 5)
    for person, option in zip(people, (0, 1, 1, 2, 3), strict=True):
        answer(store, person, option)
    question = room_question(check_key())
    first = room_state(store, COHORT, question, 3)
    assert bars(first)[:4] == [1, 2, 0, 0] and (first.answered, first.waiting_for) == (5, 1)

    identity.withdraw_role(store, people[0].pid, f"manager:{COHORT}")
    assert room_state(store, COHORT, question, 3) == first
    identity.grant_role(store, people[0].pid, f"manager:{COHORT}")
    assert room_state(store, COHORT, question, 3) == first
    edit_person(
        store,
        COHORT,
        people[1].pid,
        people[1].name,
        "m1@example.org",
        ["team_member"],
        people[2].pid,
        by=OPERATOR,
    )
    assert room_state(store, COHORT, question, 3) == first
    remove_person(store, COHORT, people[2].pid, by=OPERATOR)
    assert room_state(store, COHORT, question, 3) == first
    import_roster(
        store, f"name,email,role\n{people[2].name},m2@example.org,manager\n".encode(), COHORT, by=OPERATOR
    )
    assert room_state(store, COHORT, question, 3) == first

    set_wave(store, COHORT, "pre", True)
    items = instrument().item_ids
    for k, person in enumerate(people[:4]):
        save_scores(store, person, "pre", dict.fromkeys(items, 1 + k))
    comfort = room_question("comfort:pre")
    rated = room_state(store, COHORT, comfort, 3)
    assert rated.shown_answers == 3
    identity.withdraw_role(store, people[3].pid, f"manager:{COHORT}")
    identity.withdraw_role(store, people[0].pid, f"manager:{COHORT}")
    assert room_state(store, COHORT, comfort, 3) == rated


def test_answers_deleted_make_the_chart_fall_back_to_the_last_safe_state_or_nothing(store):
    from workbook.data_rights import BY_THEMSELVES, delete_person_data

    people = roster_managers(store, 10)
    question = room_question(check_key())
    states = []
    for person, option in zip(people[:6], (0, 1, 1, 2, 3, 0), strict=True):
        answer(store, person, option)
        states.append(room_state(store, COHORT, question, 3))  # the room is open: each step is shown
    three, six = states[2], states[5]
    assert (three.shown_answers, six.shown_answers) == (3, 6) and not six.held_back

    delete_person_data(store, people[4], by=BY_THEMSELVES)  # in the second state only
    back = room_state(store, COHORT, question, 3)
    assert back.counts == three.counts
    answer(store, people[6], 3)  # one in for the one gone: the chart would differ by one person
    held = room_state(store, COHORT, question, 3)
    assert held.counts == three.counts
    assert back.held_back and held.held_back and back.waiting_for is None and held.waiting_for is None
    answer(store, people[7], 1)
    answer(store, people[8], 2)
    assert room_state(store, COHORT, question, 3).counts == three.counts
    answer(store, people[9], 2)  # three more than the state shown before: it may move on
    moved = room_state(store, COHORT, question, 3)
    assert moved.shown_answers == 9 and not moved.held_back and moved.waiting_for == 3

    delete_person_data(store, people[0], by=BY_THEMSELVES)  # in every state shown: nothing is left
    gone = room_state(store, COHORT, question, 3)
    assert gone.counts is None and gone.held_back and gone.answered == 8 and gone.waiting_for is None


def test_the_retention_purge_makes_the_chart_fall_back(store):
    from datetime import timedelta

    from sqlalchemy import update

    from workbook.data_rights import purge
    from workbook.models import Answer
    from workbook.store import utcnow

    people = roster_managers(store, 4)
    question = room_question(check_key())
    for person, option in zip(people, (0, 1, 1, 2), strict=True):
        answer(store, person, option)
    shown = room_state(store, COHORT, question, 3)
    assert bars(shown)[:3] == [1, 2, 0]
    with store.write() as session:  # the first manager's answer is two years old
        session.execute(
            update(Answer)
            .where(Answer.participant_id == people[0].id)
            .values(saved_at=utcnow() - timedelta(days=730))
        )
    purge(store, 365)
    after = room_state(store, COHORT, question, 3)
    assert after.counts is None and after.held_back  # not the three left, one in for the one gone


# -- the same through the pages --------------------------------------------------------------------------
def test_the_room_page_is_unchanged_by_what_the_facilitators_setup_page_does(store, fay, monkeypatch):
    """Through the facilitator's own page: the Manager role turned off, "Remove from cohort", a one-row
    roster import trying to put the person back (refused: they are of no cohort now), then the operator's
    import that does. The projector's chart stays exactly as it was."""
    import datetime as dt

    from workbook.apps.facilitator import FacilitatorHome
    from workbook.facilitator.people import OPERATOR
    from workbook.facilitator.roster import import_roster

    monkeypatch.setenv("WORKBOOK_ANONYMITY_THRESHOLD", "3")
    people = roster_managers(store, 6)  # five answer: the sixth can still bring the next step
    for person, option in zip(people[:5], (0, 1, 1, 2, 3), strict=True):
        answer(store, person, option)
    room = RoomView(store, fay)
    shown = room.chart.value
    assert 'data-answers="3"' in shown and "changes after 1 more" in shown
    setup = FacilitatorHome(store, identity.find_participant(store, fay.pid)).setup

    setup.pick.value = people[0].pid
    setup.role_boxes["manager"].value = False
    setup.role_boxes["team_member"].value = True
    setup.manager.value = people[1].pid
    setup.save.click()
    assert "Saved the changes" in setup.person_message.value
    room.refresh()
    assert room.chart.value == shown

    setup.pick.value = people[1].pid
    setup.remove.click()
    setup.confirm.yes.click()
    assert "is out of" in setup.person_message.value
    room.refresh()
    assert room.chart.value == shown

    data = f"name,email,role\n{people[1].name},m1@example.org,manager\n".encode()
    setup.upload.value = (
        {
            "name": "back.csv",
            "type": "text/csv",
            "size": len(data),
            "content": memoryview(data),
            "last_modified": dt.datetime.now(dt.UTC),
        },
    )
    # a person removed from the cohort is of none now: the facilitator's import may not bring them back
    assert "outside the cohorts you run" in setup.import_message.value
    room.refresh()
    assert room.chart.value == shown
    import_roster(store, data, COHORT, by=OPERATOR)  # the operator's may
    room.refresh()
    assert room.chart.value == shown
    assert RoomView(store, fay).chart.value == shown  # and opened again


def test_the_room_page_says_it_waits_for_more_answers_when_it_falls_back(store, fay, monkeypatch):
    from workbook.data_rights import BY_THEMSELVES, delete_person_data

    monkeypatch.setenv("WORKBOOK_ANONYMITY_THRESHOLD", "3")
    people = roster_managers(store, 10)  # enough managers left to reach the next step
    room = RoomView(store, fay)
    for person, option in zip(people[:6], (0, 1, 1, 2, 3, 0), strict=True):
        answer(store, person, option)
        room.refresh()
    assert 'data-answers="6"' in room.chart.value and "Waiting for more" not in room.chart.value
    delete_person_data(store, people[4], by=BY_THEMSELVES)
    answer(store, people[6], 3)
    room.refresh()
    html = room.chart.value
    assert 'data-answers="3"' in html and html.count('class="wb-room-bar"') == OPTIONS
    assert "Waiting for more answers: this is an earlier chart, of 3 answers" in html
    assert "changes after" not in html
    delete_person_data(store, people[0], by=BY_THEMSELVES)
    room.refresh()
    html = room.chart.value
    assert "wb-room-bar" not in html and "Waiting for more answers." in html and "more needed" not in html
    assert 'data-answers="0"' in html


def test_a_room_page_signed_out_stops_reading_and_releases_nothing(store, fay, monkeypatch):
    from sqlalchemy import func, select

    from workbook.apps.signin import AccessWithdrawn
    from workbook.models import RoomRelease

    monkeypatch.setenv("WORKBOOK_ANONYMITY_THRESHOLD", "3")

    def withdrawn(_session) -> None:
        raise AccessWithdrawn("You were signed out")

    room = RoomView(store.guarded(withdrawn), fay)
    for person, option in zip(managers(store, 3), (0, 1, 1), strict=True):
        answer(store, person, option)
    room.refresh()  # a new state would be released: the page's write is refused, and it stops
    assert "wb-room-bar" not in room.chart.value and room._cohort is None
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(RoomRelease)) == 0
    assert room_state(store, COHORT, room_question(check_key()), 3).shown_answers == 3


def test_a_state_shown_is_recorded_once_and_read_back_the_same_on_every_database(any_store):
    from sqlalchemy import func, select

    from workbook.models import RoomRelease

    for person, option in zip(managers(any_store, 4), (0, 1, 1, 2), strict=True):
        answer(any_store, person, option)
    question = room_question(check_key())
    first = room_state(any_store, COHORT, question, 3)
    again = room_state(any_store, COHORT, question, 3)  # the recorded state is recognised as this one
    assert first == again and not again.held_back and again.waiting_for == 2
    with any_store.read() as session:
        assert session.scalar(select(func.count()).select_from(RoomRelease)) == 1


# -- the room tells the truth about itself: when it changes next, or that it will not -------------------
@settings(max_examples=200, deadline=None)
@given(reads=histories, threshold=st.integers(3, 5), extra=st.integers(0, 12))
def test_the_outlook_promises_only_a_step_the_group_can_reach_and_no_final_chart_is_safe(
    reads, threshold, extra
):
    """Whatever the answers do between reads: the next step is the next multiple of the threshold above
    the answers so far (it never moves with the group's size), it is promised only when the people who can
    still answer reach it, and the newest chart always rests on fewer than the threshold of people less
    than have answered, so a final chart of every answer would give away fewer than the threshold."""
    released: list[LiveRelease] = []
    for events in reads:
        chart = live_chart(events, option_tally, released, threshold)
        if chart.release is not None:
            released.append(chart.release)
        can_answer = chart.answered + extra
        outlook = live_outlook(chart, can_answer)
        assert outlook.next_step % threshold == 0 and 0 < outlook.next_step - chart.answered <= threshold
        if not chart.held_back:
            assert chart.waiting_for == outlook.next_step - chart.answered
        if outlook.kind is Outlook.NEVER:
            assert outlook.next_step > can_answer
        else:
            assert outlook.kind is (Outlook.MAYBE if chart.held_back else Outlook.STEP)
            assert outlook.next_step <= can_answer
        if chart.tally is not None and not chart.held_back:
            assert 0 <= outlook.unshown == chart.answered - chart.shown_answers < threshold
    with pytest.raises(ValueError, match="fewer people can answer"):
        live_outlook(live_chart([(0, "a", 1)], option_tally, [], 3), 0)


def test_eight_managers_at_five_see_that_the_chart_will_not_change_again(store):
    people = managers(store, 8)
    question = room_question(check_key())
    for person in people[:4]:
        answer(store, person, 0)
    first = room_state(store, COHORT, question, 5)
    assert (first.outlook, first.next_step, first.can_answer, first.waiting_for) == (Outlook.STEP, 5, 8, 1)
    for person in people[4:]:
        answer(store, person, 1)
        state = room_state(store, COHORT, question, 5)
        assert state.shown_answers == 5 and state.next_step == 10 and state.can_answer == 8
        assert state.outlook is Outlook.NEVER  # from the fifth answer on: 10 is beyond 8 managers

    # two more managers join: the next step is within reach again, and the steps did not move
    later = [identity.add_participant(store, f"Joined {i}", cohort=COHORT).person for i in range(2)]
    state = room_state(store, COHORT, question, 5)
    assert (state.outlook, state.waiting_for, state.next_step, state.can_answer) == (Outlook.STEP, 2, 10, 10)
    # one of them loses the role before answering: out of reach again; one who answered stays counted
    identity.withdraw_role(store, later[0].pid, f"manager:{COHORT}")
    identity.withdraw_role(store, people[0].pid, f"manager:{COHORT}")
    state = room_state(store, COHORT, question, 5)
    assert (state.outlook, state.can_answer, state.shown_answers) == (Outlook.NEVER, 9, 5)


def test_a_cohort_smaller_than_the_threshold_is_told_no_chart_will_appear(store, fay, monkeypatch):
    monkeypatch.setenv("WORKBOOK_ANONYMITY_THRESHOLD", "5")
    people = managers(store, 4)
    for person in people[:3]:
        answer(store, person, 0)
    html = unescape(RoomView(store, fay).chart.value)
    assert 'data-outlook="never"' in html and "No chart to show." in html and "more needed" not in html
    assert "3 of 4 managers have answered." in html
    assert "A chart needs 5 answers, so that nobody's answer can be worked out, and this cohort has 4" in html
    assert "it will not appear unless more managers join" in html and "wb-room-bar" not in html


def test_the_room_page_of_eight_managers_at_five_says_it_will_not_change_and_why(store, fay, monkeypatch):
    monkeypatch.setenv("WORKBOOK_ANONYMITY_THRESHOLD", "5")
    people = managers(store, 8)
    room = RoomView(store, fay)
    assert "0 of 8 managers have answered. The chart appears at 5 answers" in room.chart.value
    for person, option in zip(people, (0, 1, 1, 2, 0, 1, 3, 3), strict=True):
        answer(store, person, option)
    room.refresh()
    html = unescape(room.chart.value)
    assert 'data-answers="5"' in html and 'data-outlook="never"' in html
    assert "8 of 8 managers have answered; the chart shows 5 answers." in html
    assert (
        "With this cohort's 8 managers the chart will not change again: it moves only in steps of 5 answers,"
        " so that nobody's answer can be worked out, and the next step would need 10 answers." in html
    )
    assert "The other 3 answers will not be shown, not even when the question closes" in html
    assert "differ from this one by 3 people, fewer than 5" in html
    assert "changes after" not in html and "Waiting" not in html


def test_the_room_page_of_a_cohort_that_can_reach_the_next_step_says_when(store, fay, monkeypatch):
    monkeypatch.setenv("WORKBOOK_ANONYMITY_THRESHOLD", "5")
    people = managers(store, 12)
    for person in people[:6]:
        answer(store, person, 1)
    html = unescape(RoomView(store, fay).chart.value)
    assert 'data-outlook="step"' in html
    assert "6 of 12 managers have answered; the chart shows 5 answers." in html
    assert (
        "It changes after 4 more (at 10 answers): it moves only in steps of 5 answers, so that nobody's"
        " answer can be worked out." in html
    )
    assert "will not change" not in html
    for person in people[6:10]:
        answer(store, person, 2)
    html = unescape(RoomView(store, fay).chart.value)
    assert "10 of 12 managers have answered; the chart shows 10 answers." in html
    assert "the chart will not change again" in html  # the next step, 15, is beyond 12
    assert "Every answer so far is in the chart." in html
    assert "The other" not in html


def test_a_chart_fallen_back_in_a_small_cohort_says_it_will_not_change_again(store, fay, monkeypatch):
    """Seven managers at three: six answer (charts of 3 and 6 shown), one deletes their answers and the
    seventh answers. The chart falls back to the 3, and the next chart (9 answers) is beyond the seven
    managers (the one who deleted may answer again): it says so instead of waiting."""
    from workbook.data_rights import BY_THEMSELVES, delete_person_data

    monkeypatch.setenv("WORKBOOK_ANONYMITY_THRESHOLD", "3")
    people = roster_managers(store, 7)
    room = RoomView(store, fay)
    for person, option in zip(people[:6], (0, 1, 1, 2, 3, 0), strict=True):
        answer(store, person, option)
        room.refresh()
    delete_person_data(store, people[4], by=BY_THEMSELVES)
    answer(store, people[6], 3)
    room.refresh()
    html = unescape(room.chart.value)
    assert 'data-answers="3"' in html and 'data-outlook="never"' in html
    assert "This is an earlier chart, of 3 answers; 6 of 7 managers have answered." in html
    assert "With this cohort's 7 managers it will not change again" in html
    assert "the next one would need 9 answers" in html and "Waiting" not in html
