"""Server time of one refresh of the manager's "My team" tab (goal: under 200 ms, as for the facilitator's
shared tab; the tab refreshes every 5 seconds while it is open).

The store: 20 managers with 10 team members each (200 people). The manager measured has 10 reports, each
sharing every section of their preparation with their manager (two versions of each answer) and three
goals with 12 check-ins each; the other teams share everything too, so the scoping to one team is
measured as well. A refresh is what the open tab does: read what is shared and bring every card up to date.
Baseline: the same refresh when the reports share nothing.
Run: .venv/bin/python benchmarks/bench_team.py [--runs N]
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from common import header, median, percentile, report, timed_ms

from workbook import content, identity
from workbook.apps.manager.team import TeamTab
from workbook.preparation import SCOPE, answer_key
from workbook.store import Store, utcnow
from workbook.team.checkins import record_checkin

GOAL_MS = 200.0
MANAGERS, TEAM = 20, 10


def people(store: Store) -> identity.Person:
    """Every manager and team; the first manager is the one measured."""
    first = None
    for m in range(MANAGERS):
        boss = identity.add_participant(store, f"Manager {m}", roles=["manager:Bench"], pid=f"m{m}").person
        first = first or boss
        for t in range(TEAM):
            identity.add_participant(store, f"Member {m}-{t}", manager_pid=boss.pid, pid=f"t{m}-{t}")
    return identity.find_participant(store, first.pid)


def share_everything(store: Store) -> None:
    prep = content.preparation()
    start = utcnow() - timedelta(weeks=12)
    for person in identity.list_participants(store):
        if not person.pid.startswith("t"):
            continue
        for section in prep.sections:
            for version in ("A first draft.", "What I would say now, at some length. " * 5):
                if section.goals is not None:
                    goals = [{"id": f"g{n}-{person.pid}", "goal": f"{version} {n}"} for n in range(3)]
                    store.save_answer(person.id, SCOPE, answer_key(section.id, "goals"), goals)
                else:
                    for field in section.fields:
                        value = ["manager"] if field.kind == "choices" else version
                        store.save_answer(person.id, SCOPE, answer_key(section.id, field.id), value)
            store.set_visibility(person.id, SCOPE, section.id, "manager")
        if person.pid.startswith("t0-"):  # check-ins of the measured team only: they are what it reads
            for n in range(3):
                for week in range(12):
                    record_checkin(
                        store,
                        person,
                        f"g{n}-{person.pid}",
                        "on_track",
                        week * 8,
                        "Going fine.",
                        at=start + timedelta(weeks=week),
                    )


def refresh_ms(store: Store, manager: identity.Person, runs: int) -> tuple[list[float], int]:
    tab = TeamTab(SimpleNamespace(store=store, person=manager, code=""))
    return timed_ms(tab.refresh, runs), len(tab.cards)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        empty = Store(f"sqlite:///{Path(tmp) / 'empty.sqlite'}")
        baseline, _ = refresh_ms(empty, people(empty), args.runs)
        store = Store(f"sqlite:///{Path(tmp) / 'bench.sqlite'}")
        manager = people(store)
        share_everything(store)
        times, cards = refresh_ms(store, manager, args.runs)
    header(
        f"Manager: 'My team' with {cards} reports sharing everything, in a store of {MANAGERS * (TEAM + 1)}"
    )
    report("my team refresh, median", median(times), "ms", f"< {GOAL_MS}", median(baseline))
    report("my team refresh, p95", percentile(times, 95), "ms", f"< {GOAL_MS}")
    return 0  # a missed goal is printed as MISS; only a crash fails the run


if __name__ == "__main__":
    raise SystemExit(main())
