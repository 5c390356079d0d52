"""The manager's "My team" in real browsers, a team member and their managers side by side: a section the
member shares "with my manager" appears on the manager's open page and leaves it within 10 s when
unshared; after a change of manager the old manager's open page loses the person within 10 s and the new
manager's shows them. Then the tab at a desktop and a phone size (axe, no sideways scroll, named
controls) and its plan download reached by keyboard alone."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest

from workbook import identity
from workbook.preparation import SCOPE
from workbook.team.checkins import record_checkin
from workbook.team.manager_change import set_manager

from .conftest import ARTIFACTS, forget_sign_in_failures
from .test_usability_browser import Findings

pytestmark = pytest.mark.browser

COHORT = "Team cohort"
WITHIN_S = 10
CARD = ".wb-tab-team .wb-team-member"


@pytest.fixture(scope="module")
def trio(server, chromium):
    """Two managers and a team member of the first, each with their page open."""
    forget_sign_in_failures(server.store)
    first = identity.add_participant(server.store, "Mona First", cohort=COHORT)
    second = identity.add_participant(server.store, "Nico Second", cohort=COHORT)
    member = identity.add_participant(server.store, "Tia <i>Team</i>", manager_pid=first.person.pid)
    contexts = [chromium.new_context(viewport={"width": 1280, "height": 1000}) for _ in range(3)]
    pages = [context.new_page() for context in contexts]
    for opened in pages:
        opened.set_default_timeout(60_000)
    base = f"{server.base}/voila/render"
    pages[0].goto(f"{base}/participant.ipynb?code={quote(member.code)}", wait_until="commit")
    pages[1].goto(f"{base}/manager.ipynb?code={quote(first.code)}", wait_until="commit")
    yield {
        "member": member.person,
        "first": first.person,
        "second": second,
        "member_page": pages[0],
        "first_page": pages[1],
        "second_page": pages[2],
    }
    for context in contexts:
        context.close()


def open_team_tab(page) -> None:
    try:
        page.wait_for_selector(".wb-manager-home .wb-tabs", timeout=90_000)
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "team-manager-home-not-shown.png"), full_page=True)
        raise
    page.click('.wb-manager-home .lm-TabBar-tab:has-text("My team")')
    page.wait_for_selector(".wb-tab-team .wb-team-stamp p")


def wait_gone(page, selector: str, what: str) -> None:
    started = time.monotonic()
    page.wait_for_selector(selector, state="detached", timeout=WITHIN_S * 1000)
    print(f"\n{what} left the manager's open page after {time.monotonic() - started:.1f} s")


def test_a_shared_section_appears_on_the_managers_open_page_and_leaves_it_when_unshared(server, trio):
    member, manager = trio["member_page"], trio["first_page"]
    open_team_tab(manager)
    card = manager.locator(CARD, has_text="Tia <i>Team</i>")  # markup shows as text
    card.wait_for()
    assert "has not shared anything with you yet" in card.inner_text()

    member.wait_for_selector(".wb-workbook", timeout=90_000)
    member.click('.wb-workbook .lm-TabBar-tab:has-text("Where you want to go")')
    member.locator(".wb-field-aspirations-in_two_years textarea").fill("Lead the <b>support</b> team")
    member.wait_for_selector(".wb-save-status .wb-status-saved", timeout=20_000)
    member.select_option(".wb-visibility-aspirations select", label="You and your manager")

    shared = manager.locator(".wb-team-section", has_text="Lead the <b>support</b> team")
    shared.wait_for(timeout=15_000)  # at the page's next reading
    assert "Where you want to go" in shared.inner_text() and "shared " in shared.inner_text()

    member.select_option(".wb-visibility-aspirations select", label="Only you")
    wait_gone(manager, '.wb-team-section[data-section="aspirations"]', "an unshared section")
    assert "has not shared anything with you yet" in card.inner_text()


def test_a_change_of_manager_and_the_tab_at_phone_size_and_by_keyboard(server, trio):
    tia = trio["member"]
    server.store.save_answer(tia.id, SCOPE, "aspirations.in_two_years", "Run the <b>guild</b>")
    server.store.save_answer(tia.id, SCOPE, "goals.goals", [{"id": "g-talk", "goal": "Give a talk"}])
    server.store.set_visibility(tia.id, SCOPE, "aspirations", "manager")
    server.store.set_visibility(tia.id, SCOPE, "goals", "manager")
    for progress in (10, 40):
        record_checkin(server.store, tia, "g-talk", "on_track", progress, f"At {progress}%")
    old, new = trio["first_page"], trio["second_page"]
    open_team_tab(old)
    old.locator(".wb-team-goals svg").wait_for(timeout=15_000)

    # the tab at a desktop and a phone size: no serious or critical axe finding, no sideways scroll
    findings = Findings("manager my team")
    findings.check(old, "a person with shared sections, goals and check-ins")

    # keyboard alone: Tab from the card's text to its button, Enter offers the plan of what is shared
    button = old.locator(f"{CARD} button.wb-team-plan")
    button.focus()
    old.keyboard.press("Shift+Tab")
    old.keyboard.press("Tab")
    assert old.evaluate("document.activeElement.classList.contains('wb-team-plan')")
    old.keyboard.press("Enter")
    old.locator(f"{CARD} .wb-team-downloads .wb-download-pdf").wait_for(timeout=20_000)
    findings.check(old, "the plan offered")
    findings.finish()

    # a change of manager (as `workbook participants set-manager` makes it): the old page loses Tia
    set_manager(server.store, tia.pid, trio["second"].person.pid)
    wait_gone(old, CARD, "a person who changed manager")
    assert "Nobody reports to you" in old.inner_text(".wb-tab-team")
    new.goto(
        f"{server.base}/voila/render/manager.ipynb?code={quote(trio['second'].code)}", wait_until="commit"
    )
    open_team_tab(new)
    new.locator(".wb-team-section", has_text="Run the <b>guild</b>").wait_for(timeout=15_000)
