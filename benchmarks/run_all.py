"""Run every benchmarks/bench_*.py one after another, streaming their output.

Exits non-zero if any benchmark crashed (a non-zero exit or a signal); a missed goal is printed
as MISS by the benchmark itself and does not fail the run. Options are not passed on: run a single
benchmark directly for its options (e.g. `bench_participant_page.py --runs 11`).

The JupyterHub load benchmark (100 single-user servers spawned on this machine, about 20 minutes and
up to 20 GB) runs only with `--with-hub`, and is skipped with its reason when the hub's tools are absent.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
HUB_BENCH = "bench_hub_load.py"


def hub_skip_reason(with_hub: bool) -> str | None:
    """Why the hub benchmark is left out of this run, or None to run it."""
    if not with_hub:
        return "opt-in: about 20 minutes, 100 servers on this machine (run_all.py --with-hub)"
    sys.path.insert(0, str(HERE))
    from bench_hub_load import hub_tools_missing

    return hub_tools_missing()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--with-hub", action="store_true", help=f"also run {HUB_BENCH}")
    args = parser.parse_args(argv)
    benches = sorted(HERE.glob("bench_*.py"))
    if not benches:
        print("no benchmarks found", file=sys.stderr)
        return 1
    skipped: list[tuple[str, str]] = []
    if any(b.name == HUB_BENCH for b in benches):
        reason = hub_skip_reason(args.with_hub)
        if reason:
            skipped.append((HUB_BENCH, reason))
            benches = [b for b in benches if b.name != HUB_BENCH]
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
    for name, reason in skipped:
        print(f"  {name:<32} skipped: {reason}")
    misses = "MISS lines above mark goals not met; they do not fail the run."
    print(f"  {misses}")
    return 1 if any(code != 0 for _, code, _ in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
