"""Shared work and feedback in real browsers, a participant and their facilitator side by side: a section
shared with the facilitator appears on the facilitator's open page, the facilitator's feedback appears
beside the section with a notice, and a section unshared leaves the facilitator's page within 10 s. Then
the new parts of both pages at a desktop and a phone size (axe, no sideways scroll, named controls) and
feedback written by keyboard alone."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest

from workbook import identity
from workbook.facilitator.shared import my_feedback, shared_with_facilitator
from workbook.preparation import SCOPE

from .conftest import forget_sign_in_failures
from .test_usability_browser import Findings

pytestmark = pytest.mark.browser

COHORT = "Sharing cohort"
CARD = ".wb-tab-shared .wb-shared-item"
UNSHARED_WITHIN_S = 10


@pytest.fixture(scope="module")
def pair(server, chromium):
    """A facilitator and a team member (whose manager is coached in the cohort), each with their page."""
    forget_sign_in_failures(server.store)
    facilitator = identity.add_participant(
        server.store, "Fran Facilitator", roles=[f"facilitator:{COHORT}"], allow_privileged=True
    )
    manager = identity.add_participant(server.store, "Max Sharing", cohort=COHORT)
    member = identity.add_participant(server.store, "Tia <i>Team</i>", manager_pid=manager.person.pid)
    contexts = [chromium.new_context(viewport={"width": 1280, "height": 1000}) for _ in range(2)]
    pages = [context.new_page() for context in contexts]
    for opened in pages:
        opened.set_default_timeout(60_000)
    base = f"{server.base}/voila/render"  # set up before the per-test fixture points links at the server
    pages[0].goto(f"{base}/facilitator.ipynb?code={quote(facilitator.code)}", wait_until="commit")
    pages[1].goto(f"{base}/participant.ipynb?code={quote(member.code)}", wait_until="commit")
    yield {"facilitator": facilitator, "member": member, "fac_page": pages[0], "member_page": pages[1]}
    for context in contexts:
        context.close()


def open_shared_tab(page) -> None:
    page.wait_for_selector(".wb-facilitator-app .wb-tabs", timeout=90_000)
    page.click('.wb-facilitator-app .lm-TabBar-tab:has-text("Shared with you")')
    page.wait_for_selector(".wb-tab-shared .wb-shared-stamp")


def open_aspirations(page) -> None:
    page.wait_for_selector(".wb-workbook", timeout=90_000)
    page.click('.wb-workbook .lm-TabBar-tab:has-text("Where you want to go")')
    page.wait_for_selector(".wb-visibility-aspirations select")


def test_shared_appears_feedback_shows_beside_it_and_unsharing_hides_it(server, pair):
    fac, member = pair["fac_page"], pair["member_page"]
    open_shared_tab(fac)
    assert "Nothing is shared with you" in fac.inner_text(".wb-tab-shared")

    open_aspirations(member)
    member.locator(".wb-field-aspirations-in_two_years textarea").fill("Lead the <b>support</b> team")
    member.wait_for_selector(".wb-save-status .wb-status-saved", timeout=20_000)
    member.select_option(".wb-visibility-aspirations select", label="You and your programme facilitator")

    # the facilitator's open page shows it at its next refresh
    card = fac.locator(CARD, has_text="Lead the <b>support</b> team")  # markup shows as text
    card.wait_for(timeout=15_000)
    assert "Tia <i>Team</i> · Preparation: Where you want to go" in card.inner_text()
    card.locator("textarea").fill("Which part of support? Say more.")
    card.locator("button.wb-fac-feedback-save").click()
    card.locator(".wb-fac-feedback-message .wb-fac-done").wait_for(timeout=20_000)

    # the participant is told, goes to the section and finds the feedback beside it, with who and when
    member.reload()
    member.wait_for_selector(".wb-workbook .wb-fac-feedback-alert", timeout=90_000)
    assert "Where you want to go" in member.inner_text(".wb-fac-feedback-alert")
    member.click("button.wb-fac-feedback-go-aspirations")
    beside = member.locator(".wb-section-aspirations .wb-fac-feedback")
    beside.wait_for()
    assert "Which part of support? Say more." in beside.inner_text()
    assert "Fran Facilitator" in beside.inner_text() and beside.locator(".wb-fac-feedback-date").inner_text()
    member.wait_for_selector(".wb-fac-feedback-alert", state="detached")  # seen: the notice goes

    # unshared: gone from the facilitator's open page within 10 s
    member.select_option(".wb-visibility-aspirations select", label="You and your manager")
    started = time.monotonic()
    deadline = started + 5
    while time.monotonic() < deadline and shared_with_facilitator(
        server.store, identity.find_participant(server.store, pair["facilitator"].person.pid), COHORT
    ):
        time.sleep(0.05)
    unshared_at = time.monotonic()
    fac.wait_for_selector(CARD, state="detached", timeout=UNSHARED_WITHIN_S * 1000)
    print(f"\nunshared section left the facilitator's page after {time.monotonic() - unshared_at:.1f} s")
    assert "Nothing is shared with you" in fac.inner_text(".wb-tab-shared")


def test_the_new_parts_at_desktop_and_phone_size_and_feedback_by_keyboard(server, pair):
    fac, member = pair["fac_page"], pair["member_page"]
    tia = pair["member"].person
    server.store.save_answer(tia.id, SCOPE, "support.support_details", "Time to shadow the analytics team")
    server.store.set_visibility(tia.id, SCOPE, "support", "facilitator")
    open_shared_tab(fac)
    card = fac.locator(CARD, has_text="Time to shadow the analytics team")
    card.wait_for(timeout=15_000)

    # by keyboard alone: into the feedback box, type, Tab to the button, Enter
    card.locator("textarea").focus()
    fac.keyboard.type("Ask them for two afternoons a month.")
    fac.keyboard.press("Tab")
    assert fac.evaluate("document.activeElement.classList.contains('wb-fac-feedback-save')")
    fac.keyboard.press("Enter")
    card.locator(".wb-fac-feedback-message .wb-fac-done").wait_for(timeout=20_000)
    [note] = my_feedback(server.store, tia, [SCOPE])[(SCOPE, "support")]
    assert note.text == "Ask them for two afternoons a month."  # every key typed, up to the last

    findings = Findings("facilitator shared with you")
    findings.check(fac, "an item with feedback")
    findings.finish()

    member.reload()
    member.wait_for_selector(".wb-workbook .wb-fac-feedback-alert", timeout=90_000)
    findings = Findings("participant feedback")
    findings.check(member, "notice")
    member.click("button.wb-fac-feedback-go-support")
    member.wait_for_selector(".wb-section-support .wb-fac-feedback")
    assert "Ask them for two afternoons a month." in member.inner_text(".wb-section-support .wb-fac-feedback")
    findings.check(member, "feedback beside the section")
    findings.finish()
