"""Benchmark of the evaluation engine: ``python benchmarks/bench_evaluation.py [--quick]``.

Goals (issue): full analysis of 100,000 participants x 12 items x 3 waves (3.6M rows) in under 2 s
of wall time and under 1.5 GB peak memory, with roughly linear growth in the number of participants.

Each measurement runs in a fresh child process so that memory figures are not polluted by earlier
runs. Peak memory is the kernel's resident-set high-water mark (VmHWM) of that child: it is reset
(``/proc/self/clear_refs``) once the data are in memory, so "analysis peak" is the peak RSS while the
analysis runs, data included; the process peak (``ru_maxrss``, generation included) is printed too.
Only ``run_evaluation`` on an already loaded frame is timed for the analysis; loading the CSV with
``read_scores_csv`` is timed separately.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workbook.evaluation import run_evaluation  # noqa: E402
from workbook.scores_frame import read_scores_csv  # noqa: E402

GOAL_SECONDS = 2.0
GOAL_BYTES = 1.5 * 1024**3
N_ITEMS = 12
COHORT_SIZE = 25
SIZES = (10_000, 30_000, 100_000)


def make_frame(n_participants: int, n_items: int = N_ITEMS, seed: int = 1) -> pd.DataFrame:
    """A long scores frame with every participant answering every item in pre, post and then.

    Built with numpy (string columns get pandas' default ``str`` dtype, as ``read_scores_csv`` gives).
    """
    rng = np.random.default_rng(seed)
    ids = np.array([f"bench-{i:07d}" for i in range(n_participants)], dtype=object)
    items = np.array([f"item_{j:02d}" for j in range(n_items)], dtype=object)
    n_cohorts = max(1, n_participants // COHORT_SIZE)
    cohorts = np.array([f"Cohort {c:05d}" for c in range(n_cohorts)], dtype=object)
    cohort_of = rng.integers(0, n_cohorts, n_participants)
    baseline = rng.normal(2.8, 0.8, n_participants)
    wave_shift = np.array([0.0, 0.7, -0.3])  # pre, post, then

    p = np.repeat(np.arange(n_participants), 3 * n_items)
    w = np.tile(np.repeat(np.arange(3), n_items), n_participants)
    i = np.tile(np.arange(n_items), 3 * n_participants)
    latent = baseline[p] + wave_shift[w] + rng.normal(0, 0.6, len(p))
    scores = np.clip(np.rint(latent), 1, 5)
    start = pd.Timestamp("2026-01-12", tz="UTC").as_unit("us")
    offsets = np.array([0, 70, 70], dtype="timedelta64[D]").astype("timedelta64[us]")
    answered = start.to_datetime64() + offsets[w] + (p % 86_400).astype("timedelta64[s]")
    return pd.DataFrame(
        {
            "participant": pd.Series(ids[p], dtype="str"),
            "cohort": pd.Series(cohorts[cohort_of[p]], dtype="str"),
            "wave": pd.Series(np.array(["pre", "post", "then"], dtype=object)[w], dtype="str"),
            "item": pd.Series(items[i], dtype="str"),
            "score": scores,
            "answered_at": pd.Series(answered).dt.tz_localize("UTC"),
        }
    )


# ------------------------------------------------------------------------------------------------
# child side


def _status(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _maxrss() -> int:
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return value if sys.platform == "darwin" else value * 1024


def child_analysis(n_participants: int, repeats: int) -> dict:
    frame = make_frame(n_participants)
    rss_data = _status("VmRSS")
    reset = _reset_peak()
    times, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        result = run_evaluation(frame, scale_min=1, scale_max=5, threshold=5)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    json.dumps(result.model_dump(mode="json"), allow_nan=False)
    return {
        "rows": len(frame),
        "times": times,
        "cpu": cpu,
        "rss_data": rss_data,
        "peak_analysis": _status("VmHWM") if reset else None,
        "peak_process": _maxrss(),
        "cohorts": len(result.cohorts),
    }


def child_csv(path: str) -> dict:
    _reset_peak()
    t0 = time.perf_counter()
    frame = read_scores_csv(path, max_bytes=2 * 1024**3)
    seconds = time.perf_counter() - t0
    return {"rows": len(frame), "seconds": seconds, "peak_process": _maxrss(), "bytes": os.path.getsize(path)}


# ------------------------------------------------------------------------------------------------
# parent side


def run_child(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def gb(n_bytes: float | None) -> str:
    return "n/a" if n_bytes is None else f"{n_bytes / 1024**3:.2f} GB"


def verdict(ok: bool) -> str:
    return "meets the goal" if ok else "MISSES the goal"


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench_evaluation")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, no CSV step (smoke test)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.child:
        kind, value = args.child[0], args.child[1]
        if kind == "analysis":
            print(json.dumps(child_analysis(int(value), int(args.child[2]))))
        else:
            print(json.dumps(child_csv(value)))
        return 0

    sizes = tuple(n // 100 for n in SIZES) if args.quick else SIZES
    print(
        f"Evaluation benchmark: {N_ITEMS} items x 3 waves, cohorts of ~{COHORT_SIZE}, {os.cpu_count()} CPUs"
    )
    goals = f"analysis < {GOAL_SECONDS:.1f} s, peak memory < {gb(GOAL_BYTES)}"
    print(f"Goals at {SIZES[-1]:,} participants: {goals}")
    print(f"Load average before starting: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    print(f"{'participants':>12} {'rows':>10} {'cohorts':>8} {'first run':>10} {'best':>8} "
          f"{'RSS data':>9} {'peak analysis':>14} {'peak process':>13}")  # fmt: skip
    results = {}
    for n in sizes:
        r = run_child("analysis", str(n), str(args.repeats))
        results[n] = r
        print(f"{n:>12,} {r['rows']:>10,} {r['cohorts']:>8,} {r['times'][0]:>9.3f}s {min(r['times']):>7.3f}s "
              f"{gb(r['rss_data']):>9} {gb(r['peak_analysis']):>14} {gb(r['peak_process']):>13}")  # fmt: skip
    small, large = results[sizes[0]], results[sizes[-1]]
    ratio = min(large["times"]) / min(small["times"])
    print()
    print(f"Growth: {sizes[-1]:,} / {sizes[0]:,} participants = {sizes[-1] / sizes[0]:.0f}x the data took "
          f"{ratio:.1f}x the time (linear would be {sizes[-1] / sizes[0]:.0f}x)")  # fmt: skip
    for a, b in zip(sizes, sizes[1:], strict=False):
        step = min(results[b]["times"]) / min(results[a]["times"])
        print(f"  {a:,} -> {b:,}: {b / a:.1f}x data, {step:.2f}x time")
    if not args.quick:
        worst = max(large["times"])
        peak = large["peak_analysis"] or large["peak_process"]
        print()
        print(f"Analysis wall time at {sizes[-1]:,}: best {min(large['times']):.3f} s, worst {worst:.3f} s "
              f"(goal < {GOAL_SECONDS:.1f} s): {verdict(worst < GOAL_SECONDS)}")  # fmt: skip
        print(f"Peak memory during the analysis (RSS, data included): {gb(peak)} "
              f"(goal < {gb(GOAL_BYTES)}): {verdict(peak < GOAL_BYTES)}")  # fmt: skip
        print(f"Peak memory of the whole child process (generation included): {gb(large['peak_process'])}")
        print(f"CPU time of the analysis at {sizes[-1]:,}: best {min(large['cpu']):.3f} s (wall time can be "
              f"higher on a busy machine)")  # fmt: skip

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "scores.csv"
            t0 = time.perf_counter()
            frame = make_frame(sizes[-1])
            frame["answered_at"] = frame["answered_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
            frame.to_csv(path, index=False)
            del frame
            written = time.perf_counter() - t0
            c = run_child("csv", str(path))
            print()
            print(f"CSV load (read_scores_csv, with validation) of {c['rows']:,} rows, "
                  f"{c['bytes'] / 1024**2:.0f} MB: {c['seconds']:.2f} s, peak RSS {gb(c['peak_process'])} "
                  f"(no goal set; writing the file took {written:.1f} s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
