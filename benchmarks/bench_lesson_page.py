"""Time to interactive of a lesson app against a bare Voila page, in headless Chromium.

A manager (with a cohort, some lesson answers saved) opens lesson 2, the practices, by personal link; the
figure is the time until the lesson's Next button (drawn after the lesson's first part) is visible (see
`first_page.py` for how pages are compared). Goal: median(lesson) / median(bare) <= 1.1 (only the first
part is built at start; the others when first shown).
"""

from __future__ import annotations

import sys
from pathlib import Path

from common import sqlite_url
from first_page import compare_with_bare

LESSON = "lesson-practices.ipynb"
READY = ".wb-lesson button.wb-part-next"  # drawn after the first part: the page is ready


def seed_manager(data_dir: Path) -> str:
    """A manager in a cohort with a reflection saved; returns their access code."""
    from workbook import identity
    from workbook.manager.content import Reflection, lessons, save_lesson_answer
    from workbook.store import Store

    store = Store(sqlite_url(data_dir))
    try:
        issued = identity.add_participant(store, "Bench Manager", cohort="Bench cohort")
        lesson = lessons().lessons[1]
        reflection = next(block for block in lesson.blocks if isinstance(block, Reflection))
        save_lesson_answer(store, issued.person, lesson.id, reflection.id, "I will ask more, tell less.")
        return issued.code
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    return compare_with_bare("lesson", LESSON, READY, seed_manager, argv, __doc__.splitlines()[0])


if __name__ == "__main__":
    sys.exit(main())
