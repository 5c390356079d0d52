from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select

from workbook import identity
from workbook.cli import main
from workbook.identity import AccessDenied
from workbook.models import AccessCode
from workbook.store import StoreError


def test_code_is_long_random_and_stored_only_as_hash(store):
    issued = identity.add_participant(store, "Ana Silva", email="ana@example.org")
    assert len(issued.code) >= 32  # 24 random bytes, url-safe base64: 192 bits
    with store.read() as session:
        hashes = session.scalars(select(AccessCode.code_hash)).all()
    assert hashes == [hashlib.sha256(issued.code.encode()).hexdigest()]
    assert issued.code not in (store.url,)
    assert issued.url.endswith(f"participant.ipynb?code={issued.code}")
    assert identity.authenticate(store, issued.code).pid == issued.person.pid
    manager = identity.add_participant(store, "Mo", cohort="Spring")
    assert manager.url.endswith(f"manager.ipynb?code={manager.code}"), "a manager's link opens their course"


@pytest.mark.parametrize("code", [None, "", "   ", "short", "x" * 200, "<script>alert(1)</script>"])
def test_missing_or_malformed_code_is_refused(store, code):
    with pytest.raises(AccessDenied):
        identity.authenticate(store, code)


def test_unknown_code_is_refused(store):
    identity.add_participant(store, "Ana")
    with pytest.raises(AccessDenied, match="not valid"):
        identity.authenticate(store, identity.new_code())


def test_revoke_and_reissue(store):
    issued = identity.add_participant(store, "Ana")
    assert identity.revoke(store, issued.person.pid) == 1
    with pytest.raises(AccessDenied, match="not valid"):
        identity.authenticate(store, issued.code)
    again = identity.reissue(store, issued.person.pid)
    assert identity.authenticate(store, again.code).id == issued.person.id
    newer = identity.reissue(store, issued.person.pid)
    with pytest.raises(AccessDenied):
        identity.authenticate(store, again.code)
    assert identity.authenticate(store, newer.code).id == issued.person.id


@pytest.mark.parametrize(
    ("name", "email", "problem"),
    [("", None, "name"), ("x" * 201, None, "name"), ("Ana", "not-an-email", "email")],
)
def test_bad_participant_details_are_refused(store, name, email, problem):
    with pytest.raises(StoreError, match=problem):
        identity.add_participant(store, name, email=email)
    assert identity.list_participants(store) == []


def test_a_person_can_be_team_member_and_manager(store):
    manager = identity.add_participant(store, "Mo", cohort="Managers 1").person
    member = identity.add_participant(store, "Ana", manager_pid=manager.pid).person
    boss = identity.add_participant(store, "Lee").person
    # Mo coaches Ana and is also a team member of Lee: nothing forces one role.
    with store.write() as session:
        from workbook.models import Participant

        session.get(Participant, manager.id).manager_id = boss.id
    assert {p.pid for p in identity.list_participants(store)} == {manager.pid, member.pid, boss.pid}


def test_cli_add_list_revoke_reissue(capsys, isolated_env):
    assert main(["participants", "add", "--name", "Ana Silva", "--cohort", "Spring", "--json"]) == 0
    added = json.loads(capsys.readouterr().out)
    assert {"code", "url", "participant"} <= set(added)
    assert added["url"].endswith(added["code"])
    assert main(["participants", "list"]) == 0
    listing = capsys.readouterr().out
    assert "Ana Silva" in listing and added["code"] not in listing
    assert main(["participants", "revoke", added["participant"]]) == 0
    assert main(["participants", "reissue", added["participant"], "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["code"] != added["code"]
    assert main(["participants", "revoke", "nobody"]) == 2
    assert "unknown participant" in capsys.readouterr().err
