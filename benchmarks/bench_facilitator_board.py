"""Server time of the facilitator's board for a cohort of 200 people (goal: under 200 ms per refresh),
and of a 10,000-row roster import (goal: under 10 seconds).

The cohort: 150 managers (every lesson answered, pre and post checks, two conversations each) and 50 team
members (the preparation half filled), imported as a roster. A refresh is what the page does every 10
seconds: read what changed since its last read (a page keeps its BoardReader; ten managers answer between
two refreshes) and render the table. The
first read (the whole board, when the page opens) is printed too. Baseline: the first read of an empty
cohort of 200.
Run: .venv/bin/python benchmarks/bench_facilitator_board.py [--runs N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from common import header, median, percentile, report

from workbook import identity
from workbook.apps.facilitator.templates import render
from workbook.facilitator.glance import BoardReader, board
from workbook.facilitator.people import OPERATOR
from workbook.facilitator.roster import import_roster
from workbook.manager.behaviour import log_conversation
from workbook.manager.content import (
    KnowledgeCheck,
    Reflection,
    instrument,
    lessons,
    save_lesson_answer,
)
from workbook.manager.scores import insert_score_rows
from workbook.preparation import SCOPE, answer_key
from workbook.store import Store, utcnow

GOAL_MS = 200.0
IMPORT_GOAL_S = 10.0
COHORT = "Bench cohort"


def roster(managers: int, members: int) -> bytes:
    lines = ["name,email,role,manager_email"]
    lines += [f"Manager {i},m{i}@example.org,manager," for i in range(managers)]
    lines += [f"Member {i},t{i}@example.org,team_member,m{i % managers}@example.org" for i in range(members)]
    return ("\n".join(lines) + "\n").encode()


def fill(store: Store) -> None:
    course = lessons()
    items = instrument().item_ids
    for person in identity.list_participants(store):
        if person.name.startswith("Manager"):
            for lesson in course.lessons:
                for block in lesson.interactive:
                    if isinstance(block, KnowledgeCheck):
                        value: object = {"choice": block.options[0].id}
                    elif isinstance(block, Reflection):
                        value = "A reflection."
                    else:
                        value = {"response": "A response.", "ticked": []}
                    save_lesson_answer(store, person, lesson.id, block.id, value)
            with store.write() as session:
                insert_score_rows(
                    session,
                    [
                        {
                            "participant_id": person.id,
                            "wave": w,
                            "item": i,
                            "score": 3.0,
                            "answered_at": utcnow(),
                        }
                        for w in ("pre", "post", "then")
                        for i in items
                    ],
                )
            for _ in range(2):
                log_conversation(store, person, date(2026, 10, 1), "AB", True, False)
        else:
            store.save_answer(person.id, SCOPE, answer_key("self_awareness", "strengths"), "Some strengths.")


def answer_some(store: Store, managers: list, run: int, count: int = 10) -> None:
    """Between two refreshes, ``count`` managers change an answer (as in a live workshop)."""
    lesson = lessons().lessons[0]
    check = next(b for b in lesson.interactive if isinstance(b, KnowledgeCheck))
    for k in range(count):
        person = managers[(run * count + k) % len(managers)]
        option = check.options[(run + k) % len(check.options)]
        save_lesson_answer(store, person, lesson.id, check.id, {"choice": option.id})


def refresh_ms(store: Store, runs: int, *, reader: BoardReader | None = None) -> list[float]:
    """Read and render the board ``runs`` times: afresh each time, or with the page's reader while
    managers keep answering between refreshes."""
    times = []
    managers = [p for p in identity.list_participants(store) if p.name.startswith("Manager")]
    for run in range(runs):
        if reader is not None:
            answer_some(store, managers, run)
        start = time.perf_counter()
        found = reader.read() if reader else board(store, COHORT)
        render(
            "board.html",
            board=found,
            rows=found.rows,
            shown=len(found.rows),
            total=len(found.rows),
            label="",
            updated="00:00:00",
            every=10,
        )
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        empty = Store(f"sqlite:///{Path(tmp) / 'empty.sqlite'}")
        import_roster(empty, roster(150, 50), COHORT, name="bench.csv", by=OPERATOR)
        baseline = refresh_ms(empty, args.runs)
        store = Store(f"sqlite:///{Path(tmp) / 'bench.sqlite'}")
        import_roster(store, roster(150, 50), COHORT, name="bench.csv", by=OPERATOR)
        fill(store)
        first = refresh_ms(store, args.runs)
        reader = BoardReader(store, COHORT)
        reader.read()  # the page's first read, when it opens
        times = refresh_ms(store, args.runs, reader=reader)
        big = Store(f"sqlite:///{Path(tmp) / 'big.sqlite'}")
        start = time.perf_counter()
        import_roster(big, roster(100, 9_900), "Big cohort", name="big.csv", by=OPERATOR)
        import_s = time.perf_counter() - start
    header("Facilitator: the board of a cohort of 200 (read + render, server time)")
    report("first read, median", median(first), "ms", None, median(baseline))
    report("first read, p95", percentile(first, 95), "ms")
    report("board refresh, median", median(times), "ms", f"< {GOAL_MS}")
    report("board refresh, p95", percentile(times, 95), "ms", f"< {GOAL_MS}")
    header("Facilitator: a roster of 10,000 rows (check + write)")
    report("roster import", import_s, "s", f"< {IMPORT_GOAL_S}")
    return 0  # a missed goal is printed as MISS; only a crash fails the run


if __name__ == "__main__":
    raise SystemExit(main())
