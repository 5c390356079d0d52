"""Each app admits only its roles, and a revoked code ends an open page: what a person sees."""

from __future__ import annotations

import pytest

from workbook import identity
from workbook.preparation import SCOPE

pytestmark = pytest.mark.browser


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
