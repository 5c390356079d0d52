"""No secret stays in an address: every app, opened by its personal link, takes the code out of its
address once signed in (read from `location.href`), is still signed in after a reload, and its links to
other apps open them without a code. The room view opens with a display link of its own, which leaves
the address too and opens nothing but that room view."""

from __future__ import annotations

import pytest

from workbook import identity
from workbook.facilitator.room_display import make_display

pytestmark = pytest.mark.browser

COHORT = "Address cohort"
SESSION_CARRIED = "() => document.body.dataset.wbSession === 'carried'"


def signed_in_without_code(page, url: str, signed_in: str) -> None:
    page.goto(url)
    page.wait_for_selector(signed_in, timeout=90_000)
    page.wait_for_function(SESSION_CARRIED, timeout=30_000)
    assert "code=" not in page.evaluate("location.href")
    page.reload()
    page.wait_for_selector(signed_in, timeout=90_000)
    assert "code=" not in page.evaluate("location.href") and not page.locator(".wb-code").count()


@pytest.mark.parametrize(
    ("app", "roles", "signed_in"),
    [
        ("participant", ["team_member"], ".wb-workbook"),
        ("manager", [f"manager:{COHORT}"], ".wb-manager-home"),
        ("lesson-why", [f"manager:{COHORT}"], ".wb-lesson-progress"),
        ("facilitator", [f"facilitator:{COHORT}"], ".wb-facilitator-app"),
        ("evaluator", ["evaluator"], ".wb-evaluator"),
        ("conversation", ["team_member"], ".wb-conversation, .wb-wrong-app, .wb-conversation-empty"),
    ],
)
def test_every_app_drops_its_code_and_stays_signed_in_over_a_reload(server, page, app, roles, signed_in):
    privileged = any(r.split(":")[0] in ("facilitator", "evaluator") for r in roles)
    cohort = COHORT if any(r.startswith("manager") for r in roles) else None
    issued = identity.add_participant(
        server.store, f"Address {app}", cohort=cohort, roles=roles, allow_privileged=privileged
    )
    signed_in_without_code(page, identity.personal_link(issued.code, app), signed_in)


def test_links_between_apps_open_without_a_code(server, page):
    issued = identity.add_participant(
        server.store, "Link Follower", cohort=COHORT, roles=[f"manager:{COHORT}"]
    )
    signed_in_without_code(page, issued.url, ".wb-manager-home")
    href = page.get_attribute(".wb-lesson-link", "href")
    assert "code=" not in href
    page.click(".wb-lesson-link")
    page.wait_for_selector(".wb-lesson-progress", timeout=90_000)
    assert "code=" not in page.evaluate("location.href") and not page.locator(".wb-code").count()
    page.click(".wb-home-link")
    page.wait_for_selector(".wb-manager-home", timeout=90_000)
    assert not page.locator(".wb-code").count()


def test_the_room_opens_with_its_display_link_only(server, page):
    fay = identity.add_participant(
        server.store, "Fay Display", roles=[f"facilitator:{COHORT}"], allow_privileged=True
    )
    issued = make_display(server.store, fay.person, COHORT)
    page.goto(server.url(f"/voila/render/{issued.href}"))
    page.wait_for_selector(".wb-room-question-pick", timeout=90_000)
    page.wait_for_function(SESSION_CARRIED, timeout=30_000)
    assert "display=" not in page.evaluate("location.href")
    assert "Fay Display" not in page.inner_text("body")
    page.reload()
    page.wait_for_selector(".wb-room-question-pick", timeout=90_000)
    # the display's session opens no other app, not even the facilitator's
    page.goto(server.url("/voila/render/facilitator.ipynb"))
    page.wait_for_selector(".wb-signin", timeout=90_000)
    assert not page.locator(".wb-facilitator-app").count() and "Fay Display" not in page.inner_text("body")
