"""What a team member sees and does in the participant app, in a real browser."""

from __future__ import annotations

import time

import docx
import pytest

from workbook import identity
from workbook.preparation import SCOPE

pytestmark = pytest.mark.browser

APP = "/voila/render/participant.ipynb"


def wait_for_answer(store, participant_id, key, timeout=30.0):
    """The saved value of one answer once the page's debounced save has reached the store."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        saved = store.current_answers(participant_id, SCOPE).get(key)
        if saved is not None:
            return saved.value
        time.sleep(0.2)
    raise AssertionError(f"{key} was not saved within {timeout} s")


def open_workbook(page, url):
    page.goto(url)
    page.wait_for_selector(".wb-workbook", timeout=90_000)


def test_landing_page_links_to_the_apps(server, page):
    page.goto(server.url("/voila/render/index.ipynb"))
    page.wait_for_selector(".wb-landing")
    page.click("text=Prepare for your career conversation")
    page.wait_for_selector(".wb-signin", timeout=90_000)
    assert page.is_visible("text=Enter the access code")


def test_fill_answers_see_saved_reload_see_them(server, page):
    issued = identity.add_participant(server.store, "Rita Browser")
    open_workbook(page, issued.url)
    assert page.is_visible("text=Signed in as")
    box = page.locator(".wb-field-self_awareness-strengths textarea")
    box.fill("Clear writing and calm under pressure")
    page.wait_for_selector(".wb-status-saved", timeout=20_000)
    assert "All changes saved" in page.inner_text(".wb-save-status")
    page.click("text=2. Where you want to go")
    page.locator(".wb-field-aspirations-in_two_years textarea").fill("Leading the support team")
    saved = wait_for_answer(server.store, issued.person.id, "aspirations.in_two_years")
    assert saved == "Leading the support team"
    page.wait_for_selector(".wb-status-saved")

    page.reload()
    page.wait_for_selector(".wb-workbook", timeout=90_000)
    assert page.locator(".wb-field-self_awareness-strengths textarea").input_value() == (
        "Clear writing and calm under pressure"
    )
    assert "Last changed:" in page.inner_text(".wb-section-self_awareness")


def test_wrong_code_is_refused(server, page):
    page.goto(server.url(f"{APP}?code=not-a-real-code-but-long-enough"))
    page.wait_for_selector(".wb-signin-message .wb-error")
    assert "not valid" in page.inner_text(".wb-signin-message")
    assert page.locator(".wb-workbook").count() == 0


def test_code_typed_on_the_page_opens_the_workbook(server, page):
    issued = identity.add_participant(server.store, "Typed Code")
    page.goto(server.url(APP))
    page.wait_for_selector(".wb-signin")
    page.fill(".wb-code input", "wrong-code-wrong-code-wrong")
    page.click(".wb-open button, button.wb-open")
    page.wait_for_selector(".wb-signin-message .wb-error")
    page.fill(".wb-code input", issued.code)
    page.click(".wb-open button, button.wb-open")
    page.wait_for_selector(".wb-workbook", timeout=60_000)
    assert "Typed Code" in page.inner_text(".wb-whoami")


def test_revoked_code_shows_no_data(server, page):
    issued = identity.add_participant(server.store, "Revoked Person")
    server.store.save_answer(issued.person.id, SCOPE, "aspirations.in_two_years", "REVOKED-SECRET")
    identity.revoke(server.store, issued.person.pid)
    page.goto(issued.url)
    page.wait_for_selector(".wb-signin-message .wb-error")
    assert "not valid" in page.inner_text(".wb-signin-message")
    assert "REVOKED-SECRET" not in page.content()


def test_a_page_never_shows_another_participants_answers(server, page):
    alice = identity.add_participant(server.store, "Alice Own")
    bob = identity.add_participant(server.store, "Bob Other")
    server.store.save_answer(bob.person.id, SCOPE, "self_awareness.strengths", "BOB-ONLY-STRENGTH")
    server.store.save_answer(alice.person.id, SCOPE, "self_awareness.strengths", "alice strength")
    open_workbook(page, alice.url)
    html = page.content()
    assert "alice strength" in page.locator(".wb-field-self_awareness-strengths textarea").input_value()
    assert "BOB-ONLY-STRENGTH" not in html and "Bob Other" not in html


def test_script_in_names_and_answers_shows_as_text(server, page):
    payload = '<img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=2</script>'
    issued = identity.add_participant(server.store, payload)
    server.store.save_answer(issued.person.id, SCOPE, "aspirations.in_two_years", payload)
    open_workbook(page, issued.url)
    page.click("text=Your plan")
    page.click("text=Build my plan")
    page.wait_for_selector(".wb-plan-preview h1, .wb-plan-preview h2", timeout=30_000)
    assert payload in page.inner_text(".wb-whoami")
    assert payload in page.inner_text(".wb-plan-preview")
    assert page.evaluate("window.__pwned === undefined")
    assert page.dialogs == []


def test_goals_and_plan_download(server, page, tmp_path):
    issued = identity.add_participant(server.store, "Goal Setter")
    open_workbook(page, issued.url)
    page.click("text=5. Your goals")
    page.locator(".wb-goal-goal input").first.fill("Run the onboarding programme")
    page.locator(".wb-goal-measure input").first.fill("Rated 4 of 5 by new joiners")
    page.wait_for_function(
        "document.querySelector('.wb-status').classList.contains('wb-status-saved')", timeout=20_000
    )
    page.click("text=Your plan")
    page.click("text=Build my plan")
    page.wait_for_selector(".wb-download-docx", timeout=30_000)
    assert "Run the onboarding programme" in page.inner_text(".wb-plan-preview")
    with page.expect_download() as download_info:
        page.click(".wb-download-docx")
    target = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(target)
    assert target.name.startswith("development-plan-goal-setter-") and target.suffix == ".docx"
    document = docx.Document(str(target))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "Run the onboarding programme" in cells


def test_a_bad_target_date_keeps_the_rest_of_the_goal(server, page):
    """Fill a new goal with a bad date and its three other parts: the error is shown beside the date,
    and after a reload the three parts are still there."""
    issued = identity.add_participant(server.store, "Date Typer")
    open_workbook(page, issued.url)
    page.click("text=5. Your goals")
    page.click("text=Add a goal")
    card = page.locator(".wb-goal-card").nth(2)
    card.locator(".wb-goal-goal input").fill("Present at the spring conference")
    card.locator(".wb-goal-measure input").fill("Talk accepted and given")
    card.locator(".wb-goal-first_step input").fill("Send the abstract to Priya")
    card.locator(".wb-goal-target_date input").fill("1999-03-31")
    error = card.locator(".wb-field-error")
    error.wait_for(timeout=20_000)
    assert "is too far back" in error.inner_text()
    assert error.get_attribute("role") == "alert"
    date_box = card.locator(".wb-goal-target_date")
    assert error.evaluate("(e, box) => box.compareDocumentPosition(e) & 4", date_box.element_handle())
    page.wait_for_function(
        "document.querySelector('.wb-status').innerText.includes('Goal 3 / Target date')", timeout=20_000
    )
    wait_for_answer(server.store, issued.person.id, "goals.goals")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        goals = server.store.current_answers(issued.person.id, SCOPE)["goals.goals"].value
        if goals and goals[0].get("first_step"):
            break
        time.sleep(0.2)
    assert goals[0].pop("id")  # every goal is stored with its stable id (its check-ins follow it)
    assert goals == [
        {
            "goal": "Present at the spring conference",
            "measure": "Talk accepted and given",
            "target_date": "",
            "first_step": "Send the abstract to Priya",
        }
    ]

    page.reload()
    page.wait_for_selector(".wb-workbook", timeout=90_000)
    page.click("text=5. Your goals")
    first = page.locator(".wb-goal-card").first
    assert first.locator(".wb-goal-goal input").input_value() == "Present at the spring conference"
    assert first.locator(".wb-goal-measure input").input_value() == "Talk accepted and given"
    assert first.locator(".wb-goal-first_step input").input_value() == "Send the abstract to Priya"
    assert first.locator(".wb-goal-target_date input").input_value() == ""
    first.locator(".wb-goal-target_date input").fill("2027-03-31")
    page.wait_for_selector("text=Understood as Wednesday 31 March 2027", timeout=20_000)
    assert not page.locator(".wb-add-goal").is_disabled()


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/Sao_Paulo"])
def test_saved_times_show_in_the_visitors_own_time_zone(server, chromium, zone):
    """The server runs on UTC; the page says when it saved in the clock of the browser's time zone."""
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    context = chromium.new_context(viewport={"width": 1280, "height": 1000}, timezone_id=zone)
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        issued = identity.add_participant(server.store, f"Clock {zone}")
        open_workbook(page, issued.url)
        page.locator(".wb-field-self_awareness-strengths textarea").fill("Listening")
        page.wait_for_selector(".wb-status-saved", timeout=20_000)
        text = page.inner_text(".wb-save-status")
        assert "UTC" not in text, text
        shown = text.split("(")[1].split(")")[0]  # "All changes saved (HH:MM:SS)"
        now = datetime.now(UTC).astimezone(ZoneInfo(zone))
        candidates = {(now - timedelta(seconds=s)).strftime("%H:%M:%S") for s in range(0, 60)}
        assert shown in candidates, (shown, zone)
    finally:
        context.close()
