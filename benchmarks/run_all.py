"""Run every benchmarks/bench_*.py one after another, streaming their output.

Exits non-zero if any benchmark crashed (a non-zero exit or a signal); a missed goal is printed
as MISS by the benchmark itself and does not fail the run. Extra arguments are not passed on:
run a single benchmark directly for its options (e.g. `bench_participant_page.py --runs 11`).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    benches = sorted(HERE.glob("bench_*.py"))
    if not benches:
        print("no benchmarks found", file=sys.stderr)
        return 1
    outcomes: list[tuple[str, int, float]] = []
    for bench in benches:
        print(f"\n######## {bench.name}", flush=True)
        start = time.perf_counter()
        # stdout and stderr are inherited, so the output streams as it is written
        code = subprocess.call([sys.executable, str(bench)], cwd=HERE.parent)
        outcomes.append((bench.name, code, time.perf_counter() - start))
    print("\n######## summary")
    for name, code, seconds in outcomes:
        state = "ok" if code == 0 else f"CRASHED (exit {code})"
        print(f"  {name:<32} {state:<20} {seconds:7.1f} s")
    misses = "MISS lines above mark goals not met; they do not fail the run."
    print(f"  {misses}")
    return 1 if any(code != 0 for _, code, _ in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
