"""Time to interactive of the participant app against a bare Voila page, in headless Chromium.

The participant page is opened by a personal link (a participant with every question answered); the
figure is the time until the app's `.wb-workbook` is visible (see `first_page.py` for how pages are
compared). Goal: median(participant) / median(bare) <= 1.1 (the page builds only its first section at
start; the others when first opened).
"""

from __future__ import annotations

import sys

from common import seed_participant
from first_page import compare_with_bare


def main(argv: list[str] | None = None) -> int:
    return compare_with_bare(
        "participant", "participant.ipynb", ".wb-workbook", seed_participant, argv, __doc__.splitlines()[0]
    )


if __name__ == "__main__":
    sys.exit(main())
