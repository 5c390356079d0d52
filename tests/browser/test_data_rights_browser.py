"""A person's data in a real browser: a team member downloads everything they wrote, deletes it after
confirming and sees an empty workbook; the privacy page opens from an app's link and passes axe (no
serious or critical problem) at a phone's width."""

from __future__ import annotations

import json

import pytest

from workbook import identity
from workbook.data_rights import count_person_data, deletion_records
from workbook.preparation import SCOPE

from .conftest import ARTIFACTS
from .test_usability_browser import AXE, BLOCKING, RUN_AXE

pytestmark = pytest.mark.browser

ANSWER = ".wb-field-self_awareness-strengths input, .wb-field-self_awareness-strengths textarea"


def test_a_participant_downloads_their_data_deletes_it_and_sees_an_empty_workbook(server, page, tmp_path):
    issued = identity.add_participant(server.store, "Dana <i>Data</i>")
    server.store.save_answer(issued.person.id, SCOPE, "aspirations.in_two_years", "An earlier version")
    page.goto(issued.url)
    page.wait_for_selector(".wb-workbook", timeout=90_000)
    page.locator(ANSWER).fill("Listening <b>well</b>")
    page.wait_for_selector(".wb-save-status .wb-status-saved", timeout=20_000)

    page.click('.wb-workbook .lm-TabBar-tab:has-text("Your data")')
    page.click(".wb-data-export button, button.wb-data-export")
    page.wait_for_selector(".wb-download-data-json", timeout=30_000)
    with page.expect_download() as download_info:
        page.click(".wb-download-data-json")
    target = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(target)
    exported = json.loads(target.read_text())
    values = [row["value"] for row in exported["tables"]["answers"]["rows"]]
    assert "Listening <b>well</b>" in values and "An earlier version" in values
    with page.expect_download() as pdf_info:
        page.click(".wb-download-data-pdf")
    assert pdf_info.value.suggested_filename.endswith(".pdf")

    # the first click only asks, and says what goes and what stays
    page.click("button.wb-data-delete-ask")
    warning = page.locator(".wb-data-warning")
    warning.wait_for()
    assert "What goes" in warning.inner_text() and "What stays" in warning.inner_text()
    assert page.locator("button.wb-data-delete").is_disabled()
    assert count_person_data(server.store, issued.person.id)["answers"] == 2
    page.check(".wb-data-understood input[type=checkbox]")
    page.locator("button.wb-data-delete").click()
    page.wait_for_selector(".wb-status-deleted", timeout=20_000)
    assert page.locator(ANSWER).input_value() == ""
    assert all(n == 0 for n in count_person_data(server.store, issued.person.id).values())
    assert deletion_records(server.store)[-1]["person"] == issued.person.pid
    page.reload()
    page.wait_for_selector(".wb-workbook", timeout=90_000)
    assert page.locator(ANSWER).input_value() == ""


def test_the_privacy_page_opens_from_an_app_and_passes_axe_on_a_phone(server, chromium):
    # the privacy page's policy refuses every script: this browser lets axe in all the same
    context = chromium.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(server.url("/voila/render/index.ipynb"))
        page.wait_for_selector(".wb-landing", timeout=90_000)
        with page.expect_popup() as popup_info:
            page.click(".wb-privacy-link a")
        privacy = popup_info.value
        privacy.wait_for_load_state()
        assert privacy.url == server.url("/workbook/privacy")
        assert privacy.title() == "Privacy: who sees what in the career workbook"
        assert "Every section starts as" in privacy.inner_text("main")
        privacy.add_script_tag(path=str(AXE))
        violations = privacy.evaluate(RUN_AXE)
        assert [v for v in violations if v["impact"] in BLOCKING] == []
        assert privacy.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        privacy.screenshot(path=str(ARTIFACTS / "privacy-page-phone.png"), full_page=True)
    finally:
        context.close()
