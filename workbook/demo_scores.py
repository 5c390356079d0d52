"""Seeded synthetic scores for demos, tests and screenshots: never real people.

The data are shaped to show what the evaluator's report has to deal with: a few managers who never
answered the post survey (attrition), some already at the top of the scale before the programme
(ceiling), a retrospective "then" rating that is usually a little below the real pre rating (response
shift), a few skipped items, and one cohort too small to report (anonymity suppression).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbook.manager.content import ITEM_IDS
from workbook.scores_frame import SCORE_COLUMNS

MANAGER_COMFORT_ITEMS: tuple[str, ...] = ITEM_IDS
SMALL_COHORT_SIZE = 3  # below the default anonymity threshold of 5, so the report shows it suppressed


def _cohort_sizes(n_participants: int, n_cohorts: int) -> list[int]:
    """Equal-ish cohorts, except the last, which is kept small so suppression is visible."""
    if n_cohorts == 1:
        return [n_participants]
    small = min(SMALL_COHORT_SIZE, max(n_participants - (n_cohorts - 1), 0))
    rest = n_participants - small
    base, extra = divmod(rest, n_cohorts - 1)
    return [base + (1 if c < extra else 0) for c in range(n_cohorts - 1)] + [small]


def synthetic_scores(
    n_participants: int = 40,
    items: Sequence[str] = MANAGER_COMFORT_ITEMS,
    cohorts: Sequence[str] = ("Cohort A", "Cohort B", "Cohort C"),
    seed: int = 2026,
    *,
    scale_min: int = 1,
    scale_max: int = 5,
) -> pd.DataFrame:
    """A long-format scores frame (pre, post, then) with pseudonymous ids ``demo-m01`` ... .

    The same seed always gives the same frame, so demo figures and screenshots are reproducible.
    """
    if n_participants < 0:
        raise ValueError("n_participants must be zero or more")
    if not items or not cohorts:
        raise ValueError("need at least one item and one cohort")
    rng = np.random.default_rng(seed)
    n_items = len(items)
    width = max(2, len(str(n_participants)))
    ids = [f"demo-m{i + 1:0{width}d}" for i in range(n_participants)]
    cohort_of = np.repeat(np.arange(len(cohorts)), _cohort_sizes(n_participants, len(cohorts)))

    span = scale_max - scale_min
    # latent comfort before the programme, on the 0-1 range; a few start near the top (ceiling)
    baseline = np.clip(rng.normal(0.45, 0.17, n_participants), 0.02, 0.95)
    top = rng.random(n_participants) < 0.12
    baseline[top] = rng.uniform(1.1, 1.3, top.sum())  # every item at the maximum
    item_ease = rng.normal(0.0, 0.07, n_items)  # some items are easier to feel comfortable with
    gain = np.clip(rng.normal(0.2, 0.11, n_participants), -0.1, 0.5)
    shift = np.clip(rng.normal(0.08, 0.06, n_participants), -0.05, 0.25)  # then is usually below pre

    has_post = rng.random(n_participants) >= 0.12  # attrition
    has_then = has_post & (rng.random(n_participants) >= 0.05)

    start = pd.Timestamp("2026-01-12 09:00", tz="UTC")
    cohort_start = {c: start + pd.Timedelta(weeks=3 * c) for c in range(len(cohorts))}

    def answers(latent: np.ndarray) -> np.ndarray:
        noisy = latent[:, None] + item_ease[None, :] + rng.normal(0, 0.14, (len(latent), n_items))
        return np.clip(np.rint(scale_min + span * noisy), scale_min, scale_max).astype(int)

    waves = {
        "pre": (np.ones(n_participants, dtype=bool), answers(baseline)),
        "post": (has_post, answers(np.clip(baseline + gain, 0, 1.3))),
        "then": (has_then, answers(np.clip(baseline - shift, 0, 1.3))),
    }
    rows: list[tuple] = []
    for wave, (present, scores) in waves.items():
        for p in np.flatnonzero(present):
            c = int(cohort_of[p])
            when = cohort_start[c] + pd.Timedelta(hours=int(rng.integers(0, 72)))
            if wave != "pre":
                when += pd.Timedelta(weeks=10)
            if wave == "then":
                when += pd.Timedelta(minutes=5)  # asked right after the post survey
            skipped = rng.random(n_items) < 0.02
            for j, item in enumerate(items):
                if skipped[j]:
                    continue
                rows.append((ids[p], cohorts[c], wave, item, float(scores[p, j]), when))
    frame = pd.DataFrame(rows, columns=list(SCORE_COLUMNS))
    for column in ("participant", "cohort", "wave", "item"):
        frame[column] = frame[column].astype("str")
    frame["score"] = frame["score"].astype("float64")
    frame["answered_at"] = pd.to_datetime(frame["answered_at"], utc=True).dt.as_unit("us")
    return frame
