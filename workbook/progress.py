"""Progress bars for long command-line work (a large import, an evaluation with its reports).

Bars go to stderr, so the output a script reads stays clean; they show on a terminal and stay off
otherwise (a pipe, a log, a test) unless the command is given ``--progress``.
"""

from __future__ import annotations

import sys
from typing import Any


def progress_bar(total: int, description: str, *, unit: str = "step", show: bool | None = None) -> Any:
    """A tqdm bar on stderr; ``show=None`` shows it only when stderr is a terminal."""
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=description,
        unit=unit,
        file=sys.stderr,
        disable=None if show is None else not show,
        dynamic_ncols=True,
        mininterval=0.2,
    )
