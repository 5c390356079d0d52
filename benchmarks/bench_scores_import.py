"""Time `import_scores_csv` on a 100,000-row scores file (goal: under 10 seconds).

Participants are created first with one bulk insert (a benchmark shortcut: no access codes), then a
valid long-format CSV is written: 10 items x 3 waves per participant, 3,334 participants, cut at
exactly 100,000 rows. Run: .venv/bin/python benchmarks/bench_scores_import.py [--rows N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from workbook.manager.content import instrument
from workbook.manager.scores import import_scores_csv
from workbook.models import Participant, Score
from workbook.scores_frame import SCORE_COLUMNS, WAVES
from workbook.store import Store, utcnow

GOAL_SECONDS = 10.0
COHORTS = ("Bench cohort 1", "Bench cohort 2", "Bench cohort 3")


def build(folder: Path, rows: int) -> tuple[Store, Path]:
    items = instrument().item_ids
    per_person = len(items) * len(WAVES)
    people = math.ceil(rows / per_person)
    store = Store(f"sqlite:///{folder / 'bench.sqlite'}")
    with store.write() as session:
        cohort_ids = [store.cohort_id(session, name, create=True) for name in COHORTS]
        now = utcnow()
        session.execute(
            insert(Participant),
            [
                {
                    "pid": f"b-{n:05d}",
                    "name": f"Bench person {n}",
                    "cohort_id": cohort_ids[n % 3],
                    "created_at": now,
                }
                for n in range(people)
            ],
        )
    rng = random.Random(7)
    start = datetime(2025, 1, 6, 9, tzinfo=UTC)
    path = folder / "scores.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(SCORE_COLUMNS)
        written = 0
        for n in range(people):
            for w, wave in enumerate(WAVES):
                at = (start + timedelta(days=60 * min(w, 1), seconds=n)).isoformat()
                for item in items:
                    if written == rows:
                        break
                    writer.writerow([f"b-{n:05d}", COHORTS[n % 3], wave, item, rng.randint(1, 5), at])
                    written += 1
    return store, path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep the files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        store, path = build(folder, args.rows)
        began = time.perf_counter()
        imported = import_scores_csv(store, path)
        seconds = time.perf_counter() - began
        with store.read() as session:
            stored = session.scalar(select(func.count(Score.id)))
        store.close()
    assert imported == stored == args.rows, (imported, stored)
    verdict = "OK" if seconds < GOAL_SECONDS else "TOO SLOW"
    print(f"import_scores_csv: {imported:,} rows in {seconds:.2f} s (goal < {GOAL_SECONDS:.0f} s) {verdict}")


if __name__ == "__main__":
    main()
