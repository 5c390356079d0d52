"""Kernel memory of the participant app against a kernel with the usual widget/data stack.

Starts real kernels with jupyter_client (the venv's python3 kernel, as Voila does). The app kernel
runs what notebooks/participant.ipynb runs for a visitor with a personal link: QUERY_STRING with a
valid code, the store in a temp WORKBOOK_DATA_DIR, then `participant_app()`. The baseline kernel runs
`import ipywidgets, pandas, matplotlib.pyplot`. After `gc.collect()` the kernel process's VmRSS is
read from /proc. Three kernels of each, alternating; medians. Goal: app / baseline <= 1.1.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from common import header, median, report, rss_mib, seed_participant
from jupyter_client import KernelManager

GOAL_RATIO = 1.1
TIMEOUT_S = 120

BASELINE_CODE = "import ipywidgets, pandas, matplotlib.pyplot"


def app_code(code: str, data_dir: Path) -> str:
    return "\n".join(
        [
            "import os",
            f"os.environ['QUERY_STRING'] = {urlencode({'code': code})!r}",
            f"os.environ['WORKBOOK_DATA_DIR'] = {str(data_dir)!r}",
            "os.environ.pop('WORKBOOK_DATABASE_URL', None)",
            "from workbook.apps.participant import participant_app",
            "w = participant_app()",
            # the sign-in must have opened the workbook, not the code form
            "assert 'wb-workbook' in w.children[-1]._dom_classes, 'sign-in failed'",
        ]
    )


def run(client, code: str) -> None:
    reply = client.execute_interactive(code, timeout=TIMEOUT_S, output_hook=lambda _msg: None)
    content = reply["content"]
    if content["status"] != "ok":
        raise RuntimeError(f"kernel error: {content.get('ename')}: {content.get('evalue')}")


def kernel_rss(code: str, cwd: Path) -> float:
    """RSS (MiB) of a fresh kernel after running `code` and collecting garbage."""
    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(cwd), stderr=subprocess.DEVNULL)  # no TCP-without-encryption warnings
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=TIMEOUT_S)
        run(client, code)
        run(client, "import gc; gc.collect()")
        return rss_mib(km.provisioner.process.pid)
    finally:
        client.stop_channels()
        km.shutdown_kernel(now=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    header(f"kernel memory: participant app vs ipywidgets+pandas+matplotlib, {args.repeats} kernels each")
    repo = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="wb-bench-mem-") as tmp:
        data_dir = Path(tmp)
        code = seed_participant(data_dir)
        sizes: dict[str, list[float]] = {"app": [], "baseline": [], "idle": []}
        for _ in range(args.repeats):
            sizes["app"].append(kernel_rss(app_code(code, data_dir), repo / "notebooks"))
            sizes["baseline"].append(kernel_rss(BASELINE_CODE, repo / "notebooks"))
            sizes["idle"].append(kernel_rss("pass", repo / "notebooks"))
    for name, values in sizes.items():
        print(f"  {name} kernels (MiB): " + ", ".join(f"{v:.1f}" for v in values))
    app, base, idle = median(sizes["app"]), median(sizes["baseline"]), median(sizes["idle"])
    report("participant app kernel RSS, median", app, "MiB", baseline=base)
    report("ipywidgets+pandas+matplotlib kernel", base, "MiB")
    report("idle kernel", idle, "MiB")
    report("ratio app / baseline", app / base, "x", goal=f"<= {GOAL_RATIO}", baseline=1.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
