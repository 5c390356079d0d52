"""Sign-in hardening: limited guesses per page and per address, one message for every bad code,
no guessed value in the logs, and revoking a code ends the pages already open with it."""

from __future__ import annotations

import html
import logging
from datetime import timedelta

import pytest
from widget_helpers import find, open_tab

from workbook import identity
from workbook.apps.manager import manager_app
from workbook.apps.participant import participant_app
from workbook.apps.signin import SIGNED_OUT
from workbook.identity import NOT_VALID, AccessDenied
from workbook.preparation import SCOPE
from workbook.signin_guard import FAILURE_LIMIT, LOCKOUT, SignInGuard, locked_until
from workbook.store import utcnow

WRONG = "wrong-code-wrong-code-wrong-code"


def type_code(page, code: str) -> str:
    [box] = find(page, "wb-code")
    [button] = find(page, "wb-open")
    box.value = code
    button.click()
    messages = find(page, "wb-signin-message")
    return messages[0].value if messages else ""


def test_revoked_and_unknown_codes_get_the_same_message(store):
    issued = identity.add_participant(store, "Rev")
    identity.revoke(store, issued.person.pid)
    messages = set()
    for code in (issued.code, WRONG, "short"):
        with pytest.raises(AccessDenied) as denied:
            identity.authenticate(store, code)
        messages.add(str(denied.value))
    assert messages == {NOT_VALID}


def test_five_failures_lock_the_address_across_pages(store, monkeypatch):
    monkeypatch.setenv("HTTP_X_WORKBOOK_CLIENT", "203.0.113.7")
    good = identity.add_participant(store, "Gail")
    first, second = participant_app(store), manager_app(store)
    for _ in range(3):
        assert "not valid" in type_code(first, WRONG)
    for _ in range(FAILURE_LIMIT - 3):
        assert "not valid" in type_code(second, WRONG)
    third = participant_app(store)  # a new page does not start a fresh count
    message = type_code(third, good.code)
    assert "Please wait 10 minutes" in message
    assert not find(third, "wb-workbook"), "even a right code waits"
    monkeypatch.setenv("HTTP_X_WORKBOOK_CLIENT", "198.51.100.1")  # another address is not held up
    assert find(participant_app(store), "wb-signin")
    other = participant_app(store)
    type_code(other, good.code)
    assert find(other, "wb-workbook")


def test_a_page_without_a_known_address_is_limited_on_its_own(store):
    good = identity.add_participant(store, "Gus")
    page = participant_app(store)
    for _ in range(FAILURE_LIMIT):
        type_code(page, WRONG)
    assert "Please wait" in type_code(page, good.code)
    assert find(participant_app(store), "wb-signin")


def test_the_lockout_ends_after_its_time(store):
    guard = SignInGuard(store, "participant", address="192.0.2.5")
    now = utcnow()
    for n in range(FAILURE_LIMIT):
        guard.failed(now + timedelta(seconds=n))
    assert guard.wait(now + timedelta(minutes=1)) is not None
    assert guard.wait(now + LOCKOUT + timedelta(seconds=FAILURE_LIMIT + 1)) is None


def test_failures_spread_over_more_than_the_window_do_not_lock():
    start = utcnow()
    spread = [start + timedelta(minutes=3 * n) for n in range(FAILURE_LIMIT)]
    assert locked_until(spread) is None
    assert locked_until(spread[:-1] + [start + timedelta(minutes=9)]) is not None


def test_failures_are_logged_without_the_guess(store, caplog, monkeypatch):
    monkeypatch.setenv("HTTP_X_WORKBOOK_CLIENT", "203.0.113.9")
    with caplog.at_level(logging.WARNING, logger="workbook.signin"):
        type_code(participant_app(store), "a-secret-guess-that-must-not-be-logged")
    assert "sign-in failed: app=participant" in caplog.text
    assert "a-secret-guess" not in caplog.text and "203.0.113.9" not in caplog.text


def test_the_forwarded_address_counts_only_behind_a_trusted_proxy(store, monkeypatch):
    monkeypatch.setenv("HTTP_X_WORKBOOK_CLIENT", "127.0.0.1")
    monkeypatch.setenv("HTTP_X_FORWARDED_FOR", "203.0.113.50, 10.0.0.1")
    assert SignInGuard(store, "participant").address == "127.0.0.1"
    monkeypatch.setenv("WORKBOOK_TRUSTED_PROXY", "1")
    assert SignInGuard(store, "participant").address == "203.0.113.50"


def test_revoking_a_code_ends_an_open_page_at_its_next_save(store, monkeypatch):
    issued = identity.add_participant(store, "Rae")
    monkeypatch.setenv("QUERY_STRING", f"code={issued.code}")
    page = participant_app(store)
    [workbook] = find(page, "wb-workbook")
    box = find(open_tab(page, "2. "), "wb-field-aspirations-in_two_years")[0]
    box.value = "Saved before the revoke"
    identity.revoke(store, issued.person.pid)
    box.value = "Typed after the revoke"
    answers = store.current_answers(issued.person.id, SCOPE)
    assert answers["aspirations.in_two_years"].value == "Saved before the revoke"
    [message] = find(page, "wb-signed-out-message")
    assert "signed out because its access code was withdrawn" in message.value
    assert SIGNED_OUT in html.unescape(message.value)
    assert not find(page, "wb-workbook")
