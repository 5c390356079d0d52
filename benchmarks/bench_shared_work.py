"""Server time of one refresh of the facilitator's "Shared with you" tab for a cohort of 200 people (goal:
under 200 ms, as for the board; the tab refreshes every 5 seconds while it is open).

The cohort: 150 managers (half share their comment on the programme) and 50 team members sharing every
section of their preparation, with two versions of each answer and the facilitator's feedback on every
item: 400 items. A refresh is what the open tab does: read what is shared and bring every card up to date.
Baseline: the same refresh when nothing is shared.
Run: .venv/bin/python benchmarks/bench_shared_work.py [--runs N]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from types import SimpleNamespace

from common import header, median, percentile, report, timed_ms

from workbook import content, identity
from workbook.apps.facilitator.shared_work import SharedWorkTab
from workbook.facilitator.people import OPERATOR
from workbook.facilitator.roster import import_roster
from workbook.facilitator.shared import shared_with_facilitator, write_feedback
from workbook.manager.reaction import save_reaction
from workbook.preparation import SCOPE, answer_key
from workbook.store import Store

GOAL_MS = 200.0
COHORT = "Bench cohort"


def cohort(store: Store) -> identity.Person:
    lines = ["name,email,role,manager_email"]
    lines += [f"Manager {i},m{i}@example.org,manager," for i in range(150)]
    lines += [f"Member {i},t{i}@example.org,team_member,m{i % 150}@example.org" for i in range(50)]
    import_roster(store, ("\n".join(lines) + "\n").encode(), COHORT, name="bench.csv", by=OPERATOR)
    issued = identity.add_participant(
        store, "Bench facilitator", roles=[f"facilitator:{COHORT}"], allow_privileged=True
    )
    return identity.find_participant(store, issued.person.pid)


def share_everything(store: Store, facilitator: identity.Person) -> None:
    prep = content.preparation()
    for number, person in enumerate(identity.list_participants(store, COHORT)):
        if person.name.startswith("Manager") and number % 2 == 0:
            save_reaction(store, person, {}, "An earlier comment.", "private")
            save_reaction(store, person, {}, f"Comment {number}: the scenarios helped.", "facilitator")
    for person in identity.list_participants(store):
        if not person.name.startswith("Member"):
            continue
        for section in prep.sections:
            for version in ("A first draft.", "What I would say now, at some length. " * 5):
                if section.goals is not None:
                    store.save_answer(person.id, SCOPE, answer_key(section.id, "goals"), [{"goal": version}])
                else:
                    for field in section.fields:
                        value = ["manager"] if field.kind == "choices" else version
                        store.save_answer(person.id, SCOPE, answer_key(section.id, field.id), value)
            store.set_visibility(person.id, SCOPE, section.id, "facilitator")
    for item in shared_with_facilitator(store, facilitator, COHORT):
        write_feedback(store, facilitator, COHORT, item.ref, "Good: say more about the first step.")


def refresh_ms(store: Store, facilitator: identity.Person, runs: int) -> tuple[list[float], int]:
    tab = SharedWorkTab(SimpleNamespace(store=store, person=facilitator, cohort=COHORT))
    return timed_ms(tab.refresh, runs), len(tab.views)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        empty = Store(f"sqlite:///{Path(tmp) / 'empty.sqlite'}")
        baseline, _ = refresh_ms(empty, cohort(empty), args.runs)
        store = Store(f"sqlite:///{Path(tmp) / 'bench.sqlite'}")
        facilitator = cohort(store)
        share_everything(store, facilitator)
        times, items = refresh_ms(store, facilitator, args.runs)
    header(f"Facilitator: 'Shared with you' for a cohort of 200, {items} shared items (server time)")
    report("shared tab refresh, median", median(times), "ms", f"< {GOAL_MS}", median(baseline))
    report("shared tab refresh, p95", percentile(times, 95), "ms", f"< {GOAL_MS}")
    return 0  # a missed goal is printed as MISS; only a crash fails the run


if __name__ == "__main__":
    raise SystemExit(main())
