"""What a facilitator sees and does, in a real browser: import a roster, hand out links and read the cards'
QR codes back, open a wave and see a manager's page change, and watch the board when the manager answers."""

from __future__ import annotations

import io

import pypdf
import pytest
import zxingcpp

from workbook import identity
from workbook.manager.content import instrument
from workbook.manager.waves import last_changes

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser

COHORT = "Room cohort"
ROSTER = (
    "name,email,role,manager_email\n"
    "Mo Manager,mo@example.org,manager,\n"
    "Tia <i>Team</i>,tia@example.org,team_member,mo@example.org\n"
)


def snap(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"facilitator-{name}.png"), full_page=True)


def open_tab(page, app: str, title: str) -> None:
    page.click(f'{app} .lm-TabBar-tab:has-text("{title}")')


def qr_links(pdf: bytes) -> list[str]:
    found = []
    for pdf_page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for image in pdf_page.images:
            found += [code.text for code in zxingcpp.read_barcodes(image.image)]
    return found


def test_a_facilitator_runs_a_cohort_from_the_page(server, chromium, page, tmp_path):
    facilitator = identity.add_participant(
        server.store,
        "Fay Browser",
        email="fay@example.org",
        roles=[f"facilitator:{COHORT}"],
        allow_privileged=True,
    )
    page.goto(identity.personal_link(facilitator.code, "facilitator"))
    page.wait_for_selector(".wb-facilitator-app .wb-tab-setup", timeout=90_000)
    assert "Fay Browser" in page.inner_text(".wb-whoami")

    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    with page.expect_file_chooser() as chooser:
        page.click(".wb-roster-upload")
    chooser.value.set_files(str(roster))
    page.wait_for_selector(".wb-import-message .wb-fac-done", timeout=30_000)
    assert "2 new people" in page.inner_text(".wb-import-message")
    assert "Tia <i>Team</i>" in page.inner_text(".wb-roster-table")  # a name is text, never markup
    snap(page, "roster")

    open_tab(page, ".wb-facilitator-app", "Hand out links")
    page.click("button.wb-links-make")
    page.wait_for_selector(".wb-download-cards-pdf", timeout=30_000)
    with page.expect_download() as info:
        page.click(".wb-download-cards-pdf")
    cards = tmp_path / info.value.suggested_filename
    info.value.save_as(cards)
    # a file of live links is downloadable once: its link leaves the page, the other file's stays
    page.wait_for_selector(".wb-download-cards-pdf", state="detached", timeout=30_000)
    assert page.locator(".wb-download-links-csv").count() == 1
    links = qr_links(cards.read_bytes())
    assert len(links) == 2
    manager_link = next(link for link in links if "/manager.ipynb?code=" in link)
    assert identity.authenticate(server.store, manager_link.split("code=")[1]).name == "Mo Manager"
    snap(page, "links")

    other = chromium.new_context(viewport={"width": 1280, "height": 1000})
    try:
        manager_page = other.new_page()
        manager_page.set_default_timeout(60_000)
        manager_page.goto(manager_link)
        manager_page.wait_for_selector(".wb-manager-home", timeout=90_000)
        manager_page.click('.wb-manager-home .lm-TabBar-tab:has-text("Comfort check")')
        manager_page.wait_for_selector(".wb-wave-closed-pre")

        open_tab(page, ".wb-facilitator-app", "Waves")
        page.click("button.wb-wave-switch-pre")
        page.wait_for_selector(".wb-confirm-text")
        assert "Open the pre check for Room cohort?" in page.inner_text(".wb-confirm-text")
        page.click("button.wb-confirm-yes")
        page.wait_for_selector(".wb-wave-message .wb-fac-done", timeout=20_000)
        assert "by Fay Browser" in page.inner_text(".wb-wave-table")
        assert last_changes(server.store, COHORT)["pre"].by == "Fay Browser"

        open_tab(page, ".wb-facilitator-app", "At a glance")
        page.wait_for_selector(".wb-board")
        assert "pre not answered" in page.inner_text(".wb-board tr:has-text('Mo Manager') .wb-col-waves")

        manager_page.reload()
        manager_page.wait_for_selector(".wb-manager-home", timeout=90_000)
        manager_page.click('.wb-manager-home .lm-TabBar-tab:has-text("Comfort check")')
        manager_page.wait_for_selector(".wb-wave-pre")
        for item in instrument().item_ids:
            manager_page.click(f'.wb-item-pre-{item} label:has-text("3 - ")')
        manager_page.click(".wb-submit-pre")
        manager_page.wait_for_selector(".wb-wave-status-pre .wb-status-saved", timeout=20_000)
    finally:
        other.close()

    # the board refreshes by itself (every 10 s) while the page is open
    page.wait_for_function(
        """() => { const row = [...document.querySelectorAll('.wb-board tr')]
             .find(r => r.innerText.includes('Mo Manager'));
           return row && row.querySelector('.wb-col-waves').innerText.includes('pre answered'); }""",
        timeout=30_000,
    )
    assert "Signed in" in page.inner_text(".wb-board thead")
    snap(page, "glance")
