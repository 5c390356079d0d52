"""The room view in a real browser, opened from the facilitator's page: empty until enough managers have
answered, then bars; usable at 390 px, by keyboard and with a screen reader, like the facilitator's new
Results tab and the cohort's dates form (axe, no sideways scroll, one h1, a real title)."""

from __future__ import annotations

import pytest

from workbook import identity
from workbook.manager.content import KnowledgeCheck, lessons, save_lesson_answer

from .test_usability_browser import Findings

pytestmark = pytest.mark.browser

COHORT = "Projector cohort"
WAITING = ".wb-room-chart .wb-room-waiting"


def first_check() -> tuple[str, KnowledgeCheck]:
    lesson = lessons().lessons[0]
    return lesson.id, next(b for b in lesson.blocks if isinstance(b, KnowledgeCheck))


def test_the_room_view_stays_empty_until_the_threshold_then_shows_bars(server, page):
    store = server.store
    facilitator = identity.add_participant(
        store, "Fay Projector", roles=[f"facilitator:{COHORT}"], allow_privileged=True
    )
    managers = [identity.add_participant(store, f"Room manager {i}", cohort=COHORT).person for i in range(5)]
    lesson_id, check = first_check()
    findings = Findings("room")

    page.goto(identity.personal_link(facilitator.code, "facilitator"))
    page.wait_for_selector(".wb-facilitator-app .wb-cohort-form", timeout=90_000)
    findings.check(page, "facilitator setup with the dates form")
    page.click('.wb-facilitator-app .lm-TabBar-tab:has-text("Results")')
    page.wait_for_selector(
        ".wb-results-status:has-text('nobody in this cohort has answered')", timeout=60_000
    )
    findings.check(page, "facilitator results")

    page.click(".wb-room-make")  # a display link of its own: the projector never gets her code
    page.wait_for_selector(".wb-room-link a")
    with page.context.expect_page() as opened:
        page.click(".wb-room-link a")
    room = opened.value
    room.set_default_timeout(60_000)
    room.wait_for_selector(WAITING, timeout=90_000)
    room.wait_for_function("() => !location.href.includes('display=') && !location.href.includes('code=')")
    assert "Waiting for answers: 5 more needed" in room.inner_text(WAITING)
    findings.title(room, "Room view")
    findings.check(room, "waiting")

    for person, option in zip(managers[:4], (0, 1, 1, 2), strict=True):
        save_lesson_answer(store, person, lesson_id, check.id, {"choice": check.options[option].id})
    room.wait_for_function(
        "() => document.querySelector('.wb-room-waiting').innerText.includes('1 more needed')", timeout=20_000
    )
    assert room.locator(".wb-room-bar").count() == 0  # four answers: still nothing to read off
    save_lesson_answer(store, managers[4], lesson_id, check.id, {"choice": check.options[1].id})
    room.wait_for_selector(".wb-room-bar", timeout=20_000)
    assert room.locator(".wb-room-bar").count() == len(check.options)
    bar = room.locator(f'.wb-room-bar[data-bar="{check.options[1].id}"]').inner_text()
    assert "3 (60%)" in bar and "Room manager" not in room.inner_text(".wb-room")
    findings.check(room, "bars")

    # by keyboard: the next question from the list; its chart starts empty again
    room.focus(".wb-room-question-pick select")
    room.keyboard.press("ArrowDown")
    room.wait_for_function(
        "() => !document.querySelector('.wb-room-bar') && document.querySelector('.wb-room-waiting')"
    )
    assert "5 more needed" in room.inner_text(WAITING)
    room.close()
    findings.finish()
