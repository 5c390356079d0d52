"""A visit's sign-in without the code in the address: the signed session cookie (forged, tampered,
expired or renamed ones refused), the grants a kernel's announcement leaves for its own visit only, and
the kernel's sign-in from the claims the server vouched for (a revoked code ends it, a display link's
session opens no app but the room view)."""

from __future__ import annotations

import json
import time

import pytest
from widget_helpers import find, live_widget_state

from workbook import identity
from workbook.apps.address import SignedInAddress
from workbook.apps.conversation.page import conversation_app
from workbook.apps.evaluator.gate import evaluator_app
from workbook.apps.facilitator.home import facilitator_app
from workbook.apps.lessons import lesson_app
from workbook.apps.manager import manager_app
from workbook.apps.participant import participant_app
from workbook.apps.signin import SESSION_ENDED, AccessWithdrawn
from workbook.preparation import SCOPE
from workbook.server import sessions
from workbook.server.sessions import DISPLAY_COOKIE, SESSION_COOKIE, Claims, Grants, sign, verify
from workbook.session_identity import live_code_id


@pytest.fixture(autouse=True)
def own_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBOOK_SESSION_SECRET_FILE", str(tmp_path / "secret"))
    sessions._secrets.clear()
    yield
    sessions._secrets.clear()


def code_claims(store, issued) -> Claims:
    with store.read() as session:
        return Claims(person=issued.person.id, code=live_code_id(session, issued.code))


def vouched(monkeypatch, claims: Claims) -> None:
    """What the server hands a page's kernel for a visit whose cookie checked out."""
    monkeypatch.setenv(sessions.SESSION_ENV, json.dumps(claims.payload()))
    monkeypatch.setenv("QUERY_STRING", "")


def test_a_signed_cookie_round_trips_and_the_secret_file_is_the_servers_own(tmp_path):
    claims = Claims(person=3, code=7)
    value = sign(SESSION_COOKIE, claims, time.time() + 60)
    assert verify(SESSION_COOKIE, value) == claims
    secret = tmp_path / "secret"
    assert secret.stat().st_mode & 0o077 == 0 and len(secret.read_bytes()) >= 32


def test_forged_tampered_expired_and_renamed_cookies_are_refused(tmp_path, monkeypatch):
    from tornado.web import create_signed_value

    good = sign(SESSION_COOKIE, Claims(person=3, code=7), time.time() + 60)
    forged = create_signed_value(b"x" * 64, SESSION_COOKIE, json.dumps({"person": 1, "code": 1, "exp": 2e9}))
    assert verify(SESSION_COOKIE, forged) is None, "signed with another secret"
    parts = good.decode().split("|")
    other = json.dumps({"person": 1, "code": 1, "exp": 2e9}).encode()
    import base64

    parts[-4] = f"{len(base64.b64encode(other))}:{base64.b64encode(other).decode()}"
    assert verify(SESSION_COOKIE, "|".join(parts)) is None, "another person put in a signed value"
    expired = sign(SESSION_COOKIE, Claims(person=3, code=7), time.time() - 1)
    assert verify(SESSION_COOKIE, expired) is None
    assert verify(SESSION_COOKIE, good, now=time.time() + 61) is None
    assert verify(DISPLAY_COOKIE, good) is None, "a cookie is only read under its own name"
    assert verify(SESSION_COOKIE, "not a cookie") is None and verify(SESSION_COOKIE, None) is None
    monkeypatch.setenv("WORKBOOK_SESSION_SECRET_FILE", str(tmp_path / "new-secret"))
    assert verify(SESSION_COOKIE, good) is None, "a new server secret ends every session"


def test_a_grant_is_held_for_its_own_visit_only_taken_once_and_briefly():
    clock = [0.0]
    grants = Grants(clock=lambda: clock[0])
    grants.announced("visit-a", {"person": 1, "code": 2})
    grants.announced("visit-b", {"person": "1", "code": 2})  # not claims: nothing held
    grants.announced("visit-c", {"display": 4, "ends": time.time() + 600})
    assert grants.take("visit-b") is None and grants.take("visit-z") is None
    claims, expires = grants.take("visit-a")
    assert claims == Claims(person=1, code=2) and expires > time.time()
    assert grants.take("visit-a") is None, "taken once"
    clock[0] = sessions.GRANT_TTL_S + 1
    assert grants.take("visit-c") is None, "a grant nobody claimed in time is gone"


def test_a_page_takes_the_code_out_of_its_address_and_no_widget_holds_it(store, monkeypatch):
    issued = identity.add_participant(store, "Addy", roles=["team_member"])
    monkeypatch.setenv("QUERY_STRING", f"code={issued.code}")
    page = participant_app(store)
    assert find(page, "wb-workbook")
    [address] = [w for w in find(page, "wb-signed-in-address") if isinstance(w, SignedInAddress)]
    assert address.carry and "code" in address.drop and "key" in address.drop
    assert issued.code not in live_widget_state()


def test_a_session_the_server_vouched_for_opens_the_app_and_a_revoked_code_ends_it(store, monkeypatch):
    import ipywidgets as widgets

    from workbook.apps.signin import SignIn

    issued = identity.add_participant(store, "Sess", roles=["team_member"])
    vouched(monkeypatch, code_claims(store, issued))
    page = participant_app(store)
    assert find(page, "wb-workbook"), "a reload without the code in the address is still signed in"
    [address] = find(page, "wb-signed-in-address")
    assert not address.carry  # nothing new to carry
    opened = []
    SignIn(store, lambda s: (opened.append(s), widgets.HTML())[1], "t", "participant.ipynb").start()
    [session] = opened
    session.store.save_answer(issued.person.id, SCOPE, "aspirations.in_two_years", "before revoking")
    identity.revoke(store, issued.person.pid)
    with pytest.raises(AccessWithdrawn):  # the open page's next check
        session.store.save_answer(issued.person.id, SCOPE, "aspirations.in_two_years", "after revoking")
    again = SignIn(store, lambda s: widgets.HTML(), "t", "participant.ipynb")
    again.start()
    assert again.session is None and "has ended" in again.message.value, "the next page is refused"
    assert SESSION_ENDED.startswith("Your sign-in")


def test_a_withdrawn_role_ends_the_session_at_the_next_sign_in(store, monkeypatch):
    issued = identity.add_participant(store, "Role Gone", cohort="North", roles=["manager:North"])
    vouched(monkeypatch, code_claims(store, issued))
    assert find(manager_app(store), "wb-manager-home")
    identity.withdraw_role(store, issued.person.pid, "manager:North")
    page = manager_app(store)
    assert not find(page, "wb-manager-home") and find(page, "wb-wrong-app-message")


def test_a_session_claim_the_kernel_cannot_check_opens_nothing(store, monkeypatch):
    ana = identity.add_participant(store, "Ana", roles=["team_member"])
    bo = identity.add_participant(store, "Bo", roles=["team_member"])
    with store.read() as session:
        bos_code = live_code_id(session, bo.code)
    vouched(monkeypatch, Claims(person=ana.person.id, code=bos_code))  # another person's code row
    page = participant_app(store)
    assert not find(page, "wb-workbook") and find(page, "wb-code")


@pytest.mark.parametrize(
    "app",
    [participant_app, manager_app, facilitator_app, conversation_app, lambda s: lesson_app("practices", s)],
    ids=["participant", "manager", "facilitator", "conversation", "lesson"],
)
def test_a_display_session_opens_no_app_but_the_room_view(store, monkeypatch, app):
    from workbook.facilitator.room_display import make_display

    fay = identity.add_participant(store, "Fay", roles=["facilitator:North"], allow_privileged=True)
    issued = make_display(store, fay.person, "North")
    vouched(monkeypatch, Claims(display=issued.display.id))
    page = app(store)
    assert find(page, "wb-code") and "Fay" not in live_widget_state()
    monkeypatch.setenv("QUERY_STRING", f"display={issued.token}")
    page = app(store)
    assert find(page, "wb-code") and "Fay" not in live_widget_state()
    monkeypatch.setenv("QUERY_STRING", f"code={issued.token}")
    page = app(store)
    assert find(page, "wb-code") and "not valid" in find(page, "wb-signin-message")[0].value


def test_the_evaluator_page_opens_from_a_key_session_until_the_key_changes(store, monkeypatch):
    from workbook.apps.evaluator.gate import key_fingerprint

    key = "the-right-evaluator-key-0123456789"
    monkeypatch.setenv("WORKBOOK_EVALUATOR_KEY", key)
    vouched(monkeypatch, Claims(key=key_fingerprint(key)))
    opened = evaluator_app(store)
    assert find(opened, "wb-signed-in-address") and not find(opened, "wb-eval-gate")
    monkeypatch.setenv("WORKBOOK_EVALUATOR_KEY", "a-new-evaluator-key-9876543210abcdef")
    assert find(evaluator_app(store), "wb-eval-gate"), "a new key ends the sessions of the old one"
