"""The room's display link: a credential of its own for the projector. It opens one cohort's room view
and nothing else, ends at midnight in WORKBOOK_TIME_ZONE (the clock frozen here) or when a facilitator
ends it on their page, is stored hashed, and every act on it checks the person and the cohort."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from widget_helpers import find, live_widget_state

from workbook import identity
from workbook.apps.facilitator.home import FacilitatorHome, facilitator_app
from workbook.apps.facilitator.room import room_app
from workbook.facilitator import room_display
from workbook.facilitator.cohorts import NotYourCohort
from workbook.facilitator.room import room_questions
from workbook.facilitator.room_display import (
    DisplayEnded,
    end_display,
    end_of_day,
    live_display,
    make_display,
    open_display,
    set_question,
)
from workbook.identity import hash_code
from workbook.models import RoomDisplay
from workbook.server import page as page_life
from workbook.store import StoreError


@pytest.fixture
def world(store):
    fay = identity.add_participant(
        store, "Fay Facilitator", email="fay@example.org", roles=["facilitator:North"], allow_privileged=True
    )
    gus = identity.add_participant(store, "Gus Other", roles=["facilitator:South"], allow_privileged=True)
    identity.add_participant(
        store, "Mo Manager", email="mo@example.org", cohort="North", roles=["manager:North"]
    )
    return fay, gus


def frozen(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(room_display, "utcnow", lambda: moment)


def test_a_display_link_ends_at_midnight_in_the_configured_time_zone(store, world, monkeypatch):
    fay, _ = world
    monkeypatch.setenv("WORKBOOK_TIME_ZONE", "America/New_York")
    made = datetime(2030, 3, 4, 22, 30, tzinfo=UTC)  # 17:30 in New York
    frozen(monkeypatch, made)
    issued = make_display(store, fay.person, "North")
    assert issued.display.ends_at == datetime(2030, 3, 5, 5, 0, tzinfo=UTC)  # midnight in New York
    assert end_of_day(datetime(2030, 3, 5, 4, 59, tzinfo=UTC)) == issued.display.ends_at
    frozen(monkeypatch, datetime(2030, 3, 5, 4, 59, tzinfo=UTC))
    assert open_display(store, issued.token).cohort == "North"
    frozen(monkeypatch, datetime(2030, 3, 5, 5, 0, tzinfo=UTC))
    with pytest.raises(DisplayEnded):
        open_display(store, issued.token)
    with pytest.raises(DisplayEnded):
        live_display(store, issued.display.id)


def test_the_link_is_stored_hashed_with_its_cohort_maker_and_times(store, world):
    fay, _ = world
    issued = make_display(store, fay.person, "North")
    with store.read() as session:
        row = session.scalar(select(RoomDisplay))
    assert row.token_hash == hash_code(issued.token) and issued.token not in str(vars(row))
    assert row.made_by == fay.person.id and row.ended_at is None and row.ends_at > row.made_at
    assert issued.href == f"room.ipynb?display={issued.token}"


def test_only_a_facilitator_of_the_cohort_makes_ends_or_steers_a_link(store, world):
    fay, gus = world
    issued = make_display(store, fay.person, "North")
    for act in (
        lambda: make_display(store, gus.person, "North"),
        lambda: end_display(store, gus.person, issued.display.id),
        lambda: set_question(store, gus.person, issued.display.id, room_questions()[0].key),
        lambda: end_display(store, fay.person, "1"),
    ):
        with pytest.raises(NotYourCohort):
            act()
    identity.withdraw_role(store, fay.person.pid, "facilitator:North")  # her page still lists the cohort
    with pytest.raises(NotYourCohort):
        make_display(store, fay.person, "North")
    assert live_display(store, issued.display.id).ended_at is None


def room_page(monkeypatch, store, query: str):
    monkeypatch.setenv("QUERY_STRING", query)
    return room_app(store)


def test_the_display_link_opens_its_cohorts_room_view_only(store, world, monkeypatch):
    fay, _ = world
    announced = []
    monkeypatch.setattr(page_life, "_announce", announced.append)
    issued = make_display(store, fay.person, "North")
    shown = room_page(monkeypatch, store, f"display={issued.token}")
    [cohort] = find(shown, "wb-room-cohort-pick")
    assert list(cohort.options) == ["North"]
    state = live_widget_state()
    assert "Fay Facilitator" not in state and "fay@example.org" not in state and "mo@example.org" not in state
    assert issued.token not in state and not find(shown, "wb-facilitator-app") and not find(shown, "wb-code")
    assert announced[-1]["session"] == {
        "display": issued.display.id,
        "ends": issued.display.ends_at.timestamp(),
    }
    cohort.value = "North"
    cohort.set_trait("options", ["North", "South"])  # a crafted message: another cohort
    cohort.value = "South"
    [note] = find(shown, "wb-room-message")
    assert "not one of yours" in note.value and find(shown, "wb-room-chart")[0].value == ""


def test_a_bad_or_ended_link_opens_nothing_and_no_form(store, world, monkeypatch):
    fay, _ = world
    for query in ("display=not-a-link", "display=" + "x" * 32):
        shown = room_page(monkeypatch, store, query)
        assert "has ended, or it is not a room link" in find(shown, "wb-room-message")[0].value
        assert not find(shown, "wb-room-question-pick") and not find(shown, "wb-code")
    issued = make_display(store, fay.person, "North")
    end_display(store, fay.person, issued.display.id)
    shown = room_page(monkeypatch, store, f"display={issued.token}")
    assert not find(shown, "wb-room-question-pick")


def test_ending_a_link_stops_the_open_room_page_at_its_next_check(store, world, monkeypatch):
    fay, _ = world
    issued = make_display(store, fay.person, "North")
    shown = room_page(monkeypatch, store, f"display={issued.token}")
    [view_box] = find(shown, "wb-room")
    assert find(shown, "wb-room-question-pick")
    home = FacilitatorHome(store, identity.find_participant(store, fay.person.pid))
    [end] = find(home.widget, "wb-room-end")
    end.click()
    assert find(home.widget, "wb-room-end") == []  # no live link left on her page
    [view] = [v for v in _room_views() if v.widget is view_box]
    view.refresh()  # the page's ticker
    assert not find(shown, "wb-room-question-pick") and "has ended" in find(shown, "wb-room-message")[0].value
    assert view.ticker is None or not view.ticker.running


def _room_views():
    import gc

    from workbook.apps.facilitator.room import RoomView

    return [o for o in gc.get_objects() if isinstance(o, RoomView)]


def test_the_question_is_picked_on_either_page_and_both_show_it(store, world, monkeypatch):
    fay, _ = world
    home = FacilitatorHome(store, identity.find_participant(store, fay.person.pid))
    [make] = find(home.widget, "wb-room-make")
    make.click()
    [link] = find(home.widget, "wb-room-made")
    token = link.value.split("display=", 1)[1].split('"', 1)[0]
    assert "Open the room view" in link.value and 'target="_blank"' in link.value
    shown = room_page(monkeypatch, store, f"display={token}")
    [projector] = find(shown, "wb-room-question-pick")
    [picker] = find(home.widget, "wb-room-display-question")
    second = room_questions()[1].key
    picker.value = second  # on her page
    [view] = [v for v in _room_views() if v.display is not None and v.widget is find(shown, "wb-room")[0]]
    view.refresh()
    assert projector.value == second
    third = room_questions()[2].key
    projector.value = third  # on the room page
    display_id = view.display.id
    assert live_display(store, display_id).question == third
    with pytest.raises(StoreError, match="choose a question"):
        set_question(store, fay.person, display_id, "not-a-question")
    assert live_display(store, display_id).question == third


def test_the_facilitators_page_no_longer_links_the_room_with_her_code(store, world, monkeypatch):
    fay, _ = world
    issued = identity.reissue(store, fay.person.pid)
    monkeypatch.setenv("QUERY_STRING", f"code={issued.code}")
    page = facilitator_app(store)
    assert find(page, "wb-room-make") and issued.code not in live_widget_state()


def test_a_display_link_in_the_facilitator_app_opens_nothing(store, world, monkeypatch):
    fay, _ = world
    issued = make_display(store, fay.person, "North")
    for query in (f"display={issued.token}", f"code={issued.token}"):
        monkeypatch.setenv("QUERY_STRING", query)
        page = facilitator_app(store)
        assert not find(page, "wb-facilitator-app") and find(page, "wb-code")


def test_an_ended_day_is_the_next_local_midnight_even_across_a_clock_change(monkeypatch):
    monkeypatch.setenv("WORKBOOK_TIME_ZONE", "Europe/Lisbon")
    before_change = datetime(2030, 3, 30, 12, 0, tzinfo=UTC)  # the clocks go forward that night
    assert end_of_day(before_change) == datetime(2030, 3, 31, 0, 0, tzinfo=UTC)
    assert end_of_day(before_change + timedelta(days=1)) == datetime(2030, 3, 31, 23, 0, tzinfo=UTC)
