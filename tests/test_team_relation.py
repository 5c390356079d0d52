"""Who is whose manager: the rule every 1:1 read goes through."""

from workbook import identity
from workbook.identity import Role
from workbook.store import Store
from workbook.team.relation import is_manager_of, manager_id_of, reports_of


def test_reports_are_the_managers_current_team_members_only(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'w.sqlite'}")
    boss = identity.add_participant(store, "Boss", roles=[Role("manager", "A")], pid="boss").person
    other = identity.add_participant(store, "Other", roles=[Role("manager", "A")], pid="other").person
    identity.add_participant(store, "Zed", manager_pid="boss", pid="zed")
    identity.add_participant(store, "Amy", manager_pid="boss", pid="amy")
    identity.add_participant(store, "Olly", manager_pid="other", pid="olly")
    identity.withdraw_role(store, "zed", "team_member")
    with store.read() as session:
        assert [r.pid for r in reports_of(session, boss.id)] == ["amy"]
        amy = store.participant("amy").id
        assert manager_id_of(session, amy) == boss.id
        assert is_manager_of(session, boss.id, amy)
        assert not is_manager_of(session, other.id, amy)
        assert not is_manager_of(session, boss.id, boss.id)
    store.close()
