"""Each app admits only its roles, and a revoked code ends an open page: what a person sees."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from workbook import identity
from workbook.models import SignInFailure
from workbook.preparation import SCOPE

pytestmark = pytest.mark.browser


def wait_for_failures(store, count: int, timeout: float = 30.0) -> None:
    """Until the store holds `count` failed sign-ins (each page's kernel records its own)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with store.read() as session:
            if session.scalar(select(func.count(SignInFailure.id))) >= count:
                return
        time.sleep(0.2)
    raise AssertionError(f"{count} failed sign-ins were not recorded within {timeout} s")


def test_a_team_members_code_on_the_managers_course_points_to_their_own_app(server, page):
    issued = identity.add_participant(server.store, "Tess Member")
    page.goto(server.url(f"/voila/render/manager.ipynb?code={issued.code}"))
    page.wait_for_selector(".wb-wrong-app", timeout=90_000)
    text = page.inner_text(".wb-wrong-app")
    assert "for managers in the coaching programme" in text and "Your code opens:" in text
    assert page.locator(".wb-manager-home").count() == 0
    page.click("text=Prepare for your career conversation")
    page.wait_for_selector(".wb-workbook", timeout=90_000)
    assert "Tess Member" in page.inner_text(".wb-whoami")


def test_revoking_a_code_signs_an_open_page_out_at_its_next_save(server, page):
    issued = identity.add_participant(server.store, "Rolf Revoked")
    page.goto(issued.url)
    page.wait_for_selector(".wb-workbook", timeout=90_000)
    box = page.locator(".wb-field-self_awareness-strengths textarea")
    box.fill("Before the revoke")
    page.wait_for_selector(".wb-status-saved", timeout=20_000)
    identity.revoke(server.store, issued.person.pid)
    box.fill("After the revoke")
    page.wait_for_selector(".wb-signed-out", timeout=20_000)
    assert "access code was withdrawn" in page.inner_text(".wb-signed-out")
    answers = server.store.current_answers(issued.person.id, SCOPE)
    assert answers["self_awareness.strengths"].value == "Before the revoke"


def test_wrong_codes_from_one_address_lock_it_out_across_pages(server, page):
    """The server hands each page's kernel the visitor's address, so a new page does not start a new count."""
    issued = identity.add_participant(server.store, "Lou Locked")
    failures = 0
    for tries in (3, 2):
        page.goto(server.url("/voila/render/participant.ipynb"))
        page.wait_for_selector(".wb-signin", timeout=90_000)
        for _ in range(tries):
            page.fill(".wb-code input", "wrong-code-wrong-code-wrong")
            page.click(".wb-open button, button.wb-open")
            failures += 1
            wait_for_failures(server.store, failures)
    page.goto(issued.url)
    page.wait_for_selector(".wb-signin-message .wb-error", timeout=90_000)
    assert "Please wait 10 minutes" in page.inner_text(".wb-signin-message")
    assert page.locator(".wb-workbook").count() == 0
