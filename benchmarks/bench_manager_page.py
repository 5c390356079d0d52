"""Time to interactive of the manager's home against a bare Voila page, in headless Chromium.

A manager (with a cohort whose first check is open, some lesson answers saved) opens their home by
personal link; the figure is the time until the home's lesson list (its first tab) is visible (see
`first_page.py` for how pages are compared). Goal: median(manager) / median(bare) <= 1.1.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bench_lesson_page import seed_manager
from common import sqlite_url
from first_page import compare_with_bare

READY = ".wb-manager-home .wb-lesson-list"  # the first tab's content: the page is ready


def seed_manager_with_open_check(data_dir: Path) -> str:
    """A manager as the lesson benchmark seeds one, with the check at the start open for their cohort, so
    the home builds its questions too."""
    from workbook.manager.waves import set_wave
    from workbook.store import Store

    code = seed_manager(data_dir)
    store = Store(sqlite_url(data_dir))
    try:
        set_wave(store, "Bench cohort", "pre", True)
    finally:
        store.close()
    return code


def main(argv: list[str] | None = None) -> int:
    return compare_with_bare(
        "manager", "manager.ipynb", READY, seed_manager_with_open_check, argv, __doc__.splitlines()[0]
    )


if __name__ == "__main__":
    sys.exit(main())
