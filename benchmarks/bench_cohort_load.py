"""A cohort arrives: 100 participants open their personal links over 2 minutes, each makes 20 edits
that autosave, then leaves; side by side with the same run on plain Voila serving a one-widget page.

Each simulated participant speaks the kernel protocol as a browser does (workbook.server.visitor):
fetches the page, opens the kernel websocket (v1), receives every widget's state, sends 20 value
updates to a preparation text field (comm_msg `update`, one a second: each autosaves after the app's
0.6 s pause), then closes the websocket. Figures: p50/p95 time to interactive (request sent until the
widget states are in), saves typed against saves stored (read back from the store: every edit is a
row of the answer's history), errors, peak memory of the server and all its kernels (sum of RSS over
the process tree, sampled twice a second) and the kernels still running 4 minutes after the last
participant left, with the production rule (a page gone for 2 minutes gives its kernel back).
Goals: 0 lost saves, 0 errors, p95 < 10 s, kernels back to the pool size, peak < 12 GB.
"""

from __future__ import annotations

import argparse
import functools
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from common import (
    Outcome,
    ResourceSampler,
    arrive_evenly,
    header,
    kernel_count,
    open_link_and_type,
    percentile,
    report,
    seed_participant,
    sqlite_url,
    voila_serve,
    workbook_serve,
)

from workbook import identity
from workbook.preparation import SCOPE
from workbook.server.visitor import models_with_class
from workbook.store import Store

POOL_SIZE = 1  # voila.json preheats one evaluator kernel
PEAK_GOAL_MIB = 12 * 1024


@dataclass
class Run:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)
    peak_mib: float = 0.0
    kernels_after: int = -1
    stored: int | None = None  # autosave rows written (edits within one autosave pause make one row)
    last_lost: int | None = None  # participants whose last edit is not the stored value
    typed: int = 0


def edit_text(n: int, edits: int) -> str:
    return f"edit {n} of {edits}: what I want to learn next"


def one_widget_field(states: dict) -> str:
    return next(m for m, s in states.items() if s.get("_model_name") == "TextModel")


def drive(
    server, paths: list[str], spread_s: float, edits: int, gap_s: float, find_field, after_s: float
) -> Run:
    run = Run(name="")
    run.outcomes = [Outcome() for _ in paths]
    texts = [edit_text(n, edits) for n in range(1, edits + 1)]
    visits = [
        functools.partial(open_link_and_type, server.base, path, outcome, texts, gap_s, find_field)
        for path, outcome in zip(paths, run.outcomes, strict=True)
    ]
    with ResourceSampler(server.proc.pid) as sampler:
        began = time.monotonic()
        arrive_evenly(visits, spread_s)
        last_left = max(o.left_at for o in run.outcomes)
        print(
            f"  last participant left {last_left - began:.0f} s after the first arrived; "
            f"waiting {after_s:.0f} s",
            flush=True,
        )
        while time.monotonic() < last_left + after_s:
            time.sleep(1)
        run.kernels_after = kernel_count(server.proc.pid)
    run.peak_mib = sampler.peak_mib
    run.typed = sum(o.typed for o in run.outcomes)
    return run


def print_run(run: Run, baseline: Run | None) -> None:
    header(run.name)
    times = [o.interactive_s for o in run.outcomes if o.interactive_s is not None]
    errors = [o.error for o in run.outcomes if o.error]

    def base(pick):
        return pick(baseline) if baseline else None

    if times:
        report(
            "time to interactive p50",
            percentile(times, 50),
            "s",
            baseline=base(lambda b: percentile([o.interactive_s for o in b.outcomes if o.interactive_s], 50)),
        )
        report(
            "time to interactive p95",
            percentile(times, 95),
            "s",
            goal="< 10",
            baseline=base(lambda b: percentile([o.interactive_s for o in b.outcomes if o.interactive_s], 95)),
        )
    report("saves typed", run.typed, "", baseline=base(lambda b: b.typed))
    if run.stored is not None:
        report("autosaves written (history rows)", run.stored, "")
        report("lost saves (last edit not stored)", run.last_lost, "", goal="== 0")
    report(
        "errors",
        len(errors),
        "",
        goal="== 0",
        baseline=base(lambda b: len([o for o in b.outcomes if o.error])),
    )
    for error in sorted(set(errors))[:5]:
        print(f"    e.g. {error}")
    report(
        "peak memory, server + kernels",
        run.peak_mib,
        "MiB",
        goal=f"< {PEAK_GOAL_MIB}",
        baseline=base(lambda b: b.peak_mib),
    )
    report(
        "kernels alive after the wait",
        run.kernels_after,
        "",
        goal=f"<= {POOL_SIZE}",
        baseline=base(lambda b: b.kernels_after),
    )


def stored_saves(data_dir: Path, people: list[identity.Issued], key: str, last: str) -> tuple[int, int]:
    """Autosave rows in the answer's history (all participants together), and how many participants'
    stored answer is not their last edit. Edits that reach the kernel within one autosave pause (0.6 s)
    are written as one save of the latest text, by design: a row per edit is not promised, the last
    text is."""
    store = Store(sqlite_url(data_dir))
    try:
        rows = sum(len(store.answer_history(issued.person.id, SCOPE, key)) for issued in people)
        current = [store.current_answers(issued.person.id, SCOPE).get(key) for issued in people]
        lost = sum(1 for saved in current if saved is None or saved.value != last)
        return rows, lost
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=100)
    parser.add_argument("--spread", type=float, default=120.0, help="seconds over which they arrive (120)")
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--gap", type=float, default=1.0, help="seconds between a participant's edits (1.0)")
    parser.add_argument("--after", type=float, default=240.0, help="wait after the last leaves (240 s)")
    parser.add_argument("--skip-baseline", action="store_true", help="only the workbook run")
    args = parser.parse_args(argv)

    baseline = None
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        if not args.skip_baseline:
            notebooks = tmp_path / "one-widget"
            notebooks.mkdir()
            notebook = nbformat.v4.new_notebook()
            notebook.cells = [nbformat.v4.new_code_cell("import ipywidgets\nipywidgets.Text()")]
            notebook.metadata["kernelspec"] = {
                "name": "python3",
                "display_name": "Python 3",
                "language": "python",
            }
            nbformat.write(notebook, notebooks / "one.ipynb")
            plain_dir = tmp_path / "plain"
            plain_dir.mkdir()
            print("plain Voila, one-widget page ...", flush=True)
            with voila_serve(notebooks, plain_dir) as server:
                paths = ["/voila/render/one.ipynb"] * args.participants
                baseline = drive(
                    server, paths, args.spread, args.edits, args.gap, one_widget_field, args.after
                )
            baseline.name = "plain Voila, one-widget page (baseline)"

        data_dir = tmp_path / "workbook"
        data_dir.mkdir()
        seed_participant(data_dir)  # creates the store
        store = Store(sqlite_url(data_dir))
        people = [
            identity.add_participant(store, f"Cohort Member {n}", cohort="load", roles=["team_member"])
            for n in range(args.participants)
        ]
        store.close()
        field_key, dom_class = first_text_field()

        def find_field(states: dict) -> str:
            return models_with_class(states, dom_class)[0]

        print("workbook serve, participant personal links ...", flush=True)
        with workbook_serve(data_dir) as server:
            paths = [f"/voila/render/participant.ipynb?code={p.code}" for p in people]
            run = drive(server, paths, args.spread, args.edits, args.gap, find_field, args.after)
        run.name = "workbook serve, participant app"
        run.stored, run.last_lost = stored_saves(
            data_dir, people, field_key, edit_text(args.edits, args.edits)
        )
        print_run(run, baseline)
        if baseline:
            print_run(baseline, None)
    return 0


def first_text_field() -> tuple[str, str]:
    """The answer key and the DOM class of the first text field of the preparation content."""
    from workbook import content
    from workbook.preparation import answer_key

    for section in content.preparation().sections:
        for prep_field in section.fields:
            if prep_field.kind != "choices":
                return answer_key(section.id, prep_field.id), f"wb-field-{section.id}-{prep_field.id}"
    raise RuntimeError("the preparation content has no text field")


if __name__ == "__main__":
    raise SystemExit(main())
