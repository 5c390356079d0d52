"""What a manager sees and does in the lesson apps and the manager's home, in a real browser."""

from __future__ import annotations

import re

import pytest

from workbook import identity
from workbook.manager.behaviour import conversations
from workbook.manager.content import instrument, lesson_scope
from workbook.manager.planner import plan_entries
from workbook.manager.scores import my_scores
from workbook.manager.waves import set_wave

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser

COHORT = "Browser cohort"
ITEMS = instrument().item_ids


@pytest.fixture
def manager(server):
    issued = identity.add_participant(server.store, "Maya Browser", cohort=COHORT)
    set_wave(server.store, COHORT, "pre", True)
    set_wave(server.store, COHORT, "post", False)
    return issued


def snap(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"manager-{name}.png"), full_page=True)


def open_tab(page, title: str) -> None:
    page.click(f'.wb-manager-home .lm-TabBar-tab:has-text("{title}")')


def answer_wave(page, wave: str, choice: str) -> None:
    for item in ITEMS:
        page.click(f'.wb-item-{wave}-{item} label:has-text("{choice}")')


def reveal(page, selector: str) -> None:
    """Step through the lesson's parts with Next until `selector` is on the page."""
    for _ in range(20):
        if page.locator(selector).count():
            return
        label = page.inner_text(".wb-part-label")
        page.click("button.wb-part-next")
        page.wait_for_function(
            "label => document.querySelector('.wb-part-label').innerText !== label", arg=label
        )
    raise AssertionError(f"{selector} is in no part of the lesson")


def test_lesson_check_feedback_and_scenario_saved(server, page, manager):
    page.goto(identity.personal_link(manager.code, "lesson-practices"))
    page.wait_for_selector(".wb-lesson", timeout=90_000)
    assert "The practices of a good career conversation" in page.inner_text(".wb-title")
    assert "0 of 7 activities done" in page.inner_text(".wb-lesson-progress")
    snap(page, "lesson-top")

    check = ".wb-check-check_who_leads"
    assert "Part 1 of 7" in page.inner_text(".wb-part-label")
    reveal(page, check)
    page.click(f'{check} label:has-text("The team member, whose career it is")')
    page.click(f"{check} button:has-text('Check')")
    page.wait_for_selector(f"{check} .wb-check-right")
    assert "the conversation follows what matters" in page.inner_text(f"{check} .wb-check-feedback")

    scenario = ".wb-scenario-scenario_promise"
    reveal(page, scenario)
    page.fill(
        f"{scenario} .wb-scenario-response textarea", "I can't promise the role; let's build the skills."
    )
    page.click(f'{scenario} label:has-text("I was honest that I cannot promise")')
    page.wait_for_selector(".wb-save-status .wb-status-saved", timeout=20_000)
    page.click(f"{scenario} button:has-text('Show an example answer')")
    page.wait_for_selector(f"{scenario} .wb-example-answer")
    page.wait_for_function(
        "document.querySelector('.wb-lesson-progress').innerText.includes('2 of 7')", timeout=20_000
    )
    saved = server.store.current_answers(manager.person.id, lesson_scope("practices"))
    assert saved["check_who_leads"].value == {"choice": "team_member"}
    assert saved["scenario_promise"].value == {
        "response": "I can't promise the role; let's build the skills.",
        "ticked": [1],
    }
    assert page.get_attribute(".wb-home-link", "href") == "manager.ipynb"  # no code: the session opens it

    # the last part ends the lesson: what is done, what is open, and the way on to lesson 3
    while not page.is_disabled("button.wb-part-next"):
        label = page.inner_text(".wb-part-label")
        page.click("button.wb-part-next")
        page.wait_for_function(
            "label => document.querySelector('.wb-part-label').innerText !== label", arg=label
        )
    page.wait_for_selector(".wb-lesson-end", state="visible")
    ending = page.inner_text(".wb-lesson-end")
    assert "Nearly done with lesson 2" in ending and "You have done 2 of 7 activities" in ending
    snap(page, "lesson-end")
    page.click("a.wb-next-lesson")
    page.wait_for_selector(".wb-lesson-preparing", timeout=90_000)
    assert page.url.endswith("lesson-preparing.ipynb") and manager.code not in page.url
    assert "Helping your team member prepare" in page.inner_text(".wb-title")


def test_home_check_before_and_after_and_planner_download(server, page, manager, tmp_path):
    home = identity.personal_link(manager.code, "manager")
    page.goto(home)
    page.wait_for_selector(".wb-manager-home", timeout=90_000)
    assert "Maya Browser" in page.inner_text(".wb-whoami")
    assert page.get_attribute(".wb-lesson-link >> nth=0", "href") == "lesson-why.ipynb"

    snap(page, "lessons-tab")
    open_tab(page, "Comfort check")
    answer_wave(page, "pre", "2 - Slightly confident")
    page.click(".wb-submit-pre")
    page.wait_for_selector(".wb-wave-status-pre .wb-status-saved", timeout=20_000)
    assert "Thank you" in page.inner_text(".wb-wave-status-pre")
    assert set(my_scores(server.store, manager.person)["wave"]) == {"pre"}

    set_wave(server.store, COHORT, "post", True)
    page.reload()
    page.wait_for_selector(".wb-manager-home", timeout=90_000)
    open_tab(page, "Comfort check")
    answer_wave(page, "post", "4 - Quite confident")
    answer_wave(page, "then", "1 - Not at all confident")
    snap(page, "comfort-check-post")
    page.click(".wb-submit-post")
    page.wait_for_selector(".wb-wave-status-post .wb-status-saved", timeout=20_000)
    waves = my_scores(server.store, manager.person).groupby("wave")["score"].mean().to_dict()
    assert waves == {"pre": 2.0, "post": 4.0, "then": 1.0}

    open_tab(page, "My before and after")
    page.wait_for_selector(".wb-before-after-chart img.wb-chart")
    assert "rose from 2.0" in page.inner_text(".wb-summary-sentences")
    assert page.evaluate("document.querySelector('img.wb-chart').naturalWidth") > 300
    assert "confidence ratings" in page.get_attribute("img.wb-chart", "alt")
    snap(page, "before-and-after")

    open_tab(page, "Planner")
    page.click(".wb-plan-add")
    page.fill(".wb-plan-alias input", "Sam K")
    page.fill(".wb-plan-date input", "2030-05-14")
    page.wait_for_selector(".wb-download-ics", timeout=20_000)
    page.wait_for_function(
        "document.querySelector('.wb-plan-title').innerText.includes('14 May 2030')", timeout=20_000
    )
    snap(page, "planner")
    with page.expect_download() as download_info:
        page.click(".wb-download-ics")
    target = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(target)
    assert target.name == "career-conversation-sam-k-2030-05-14.ics"
    text = target.read_text(encoding="utf-8")
    unfolded = re.sub(r"\r\n ", "", text)
    assert "SUMMARY:Career conversation with Sam K" in unfolded
    assert "DTSTART;VALUE=DATE:20300514" in unfolded
    assert "preparation outline" in unfolded
    assert [e.alias for e in plan_entries(server.store, manager.person)] == ["Sam K"]

    # a conversation held is logged, edited, deleted (after a confirmation) and brought back
    open_tab(page, "Conversations held")
    page.fill(".wb-tab-conversations > .wb-log-alias input", "Jo")
    page.click("button.wb-log")
    page.wait_for_selector(".wb-log-entry")
    page.click(".wb-log-entry button.wb-log-edit")
    page.fill(".wb-log-edit-form .wb-log-alias input", "")
    page.click(".wb-log-edit-form button.wb-log-save")
    page.wait_for_selector(".wb-log-edit-form .wb-field-error")  # the same checks as a new entry
    page.fill(".wb-log-edit-form .wb-log-alias input", "Jo B")
    page.click(".wb-log-edit-form button.wb-log-save")
    page.wait_for_function("document.querySelector('.wb-log-entry-text').innerText.includes('Jo B')")
    page.click(".wb-log-entry button.wb-log-delete")
    assert "Delete the conversation with Jo B" in page.inner_text(".wb-log-question")
    snap(page, "conversation-delete-asks")
    page.click("button.wb-log-confirm-delete")
    page.wait_for_selector(".wb-log-deleted")
    page.wait_for_function("document.querySelectorAll('.wb-log-entry').length === 0")
    assert conversations(server.store, manager.person) == []
    page.click("button.wb-log-undo")
    page.wait_for_selector(".wb-log-entry")
    assert [c.alias for c in conversations(server.store, manager.person)] == ["Jo B"]
