"""The long scores table turned once into dense arrays ``answers[wave, participant, item]`` (with the
participants' cohorts and scale scores), and the selections of them an evaluation runs on: whole
cohorts, one programme phase."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from workbook.scores_frame import KEY_COLUMNS, LATE_COLUMN, WAVES, latest_scores

PRE, POST, THEN = (WAVES.index(w) for w in ("pre", "post", "then"))

PHASES: dict[str, str] = {
    "pre": "Before and after: the pre-test against the post-test",
    "then": "Looking back and after: the retrospective 'then' rating against the post-test",
}
"""The fixed programme phases an evaluator can compare (the wave used as 'before', against post)."""


@dataclass(frozen=True)
class ScoreTables:
    """The scores as dense arrays: ``answers[wave, participant, item]`` (NaN = not answered)."""

    participants: np.ndarray  # participant ids, object array
    cohorts: np.ndarray  # cohort of each participant ("" = none), object array
    items: tuple[str, ...]  # in order of first appearance
    answers: np.ndarray  # float64, shape (waves, n_participants, n_items)
    scale: np.ndarray  # float64, shape (waves, n_participants): mean of the answered items
    # who gave an answer after a later wave had opened (bool per participant), and whether those
    # answers are in `answers` (by default they are left out: the answer given in time counts)
    late: np.ndarray
    late_included: bool = False

    def subset(self, keep: np.ndarray) -> ScoreTables:
        """The same tables for the participants in the boolean mask ``keep``."""
        return ScoreTables(
            participants=self.participants[keep],
            cohorts=self.cohorts[keep],
            items=self.items,
            answers=self.answers[:, keep, :],
            scale=self.scale[:, keep],
            late=self.late[keep],
            late_included=self.late_included,
        )


def select_cohorts(tables: ScoreTables, cohorts: Iterable[str] | None) -> ScoreTables:
    """The participants of whole cohorts ("" = those without one); None keeps everyone."""
    if cohorts is None:
        return tables
    return tables.subset(np.isin(tables.cohorts, np.array([str(c) for c in cohorts], dtype=object)))


def phase_tables(tables: ScoreTables, phase: str) -> ScoreTables:
    """The tables as compared in a phase: for 'then' the retrospective rating takes the place of 'pre'
    (and the 'then' wave is empty, as it is the baseline now)."""
    if phase not in PHASES:
        raise ValueError(f"unknown phase {phase!r}: expected {', '.join(PHASES)}")
    if phase == "pre":
        return tables
    answers = tables.answers.copy()
    scale = tables.scale.copy()
    answers[PRE], scale[PRE] = tables.answers[THEN], tables.scale[THEN]
    answers[THEN], scale[THEN] = np.nan, np.nan
    return replace(tables, answers=answers, scale=scale)


def score_tables(
    frame: pd.DataFrame, *, item_order: Sequence[str] | None = None, include_late: bool = False
) -> ScoreTables:
    """Pivot a validated long scores frame into dense arrays; repeated answers keep the latest one.

    Rows marked ``late`` (given after a later wave had opened) are left out unless ``include_late``;
    either way their participants are marked in ``late`` (and one whose every answer was late is still
    a participant, with no answers). Items come in ``item_order`` (the instrument's order) when given,
    any others after it in order of first appearance. A participant's cohort is the one on their rows;
    if their rows disagree, their latest answer's.
    """
    has_late = LATE_COLUMN in frame.columns
    late_rows = frame[LATE_COLUMN].to_numpy(dtype=bool) if has_late else np.zeros(len(frame), bool)
    kept = frame if include_late or not late_rows.any() else frame.loc[~late_rows].reset_index(drop=True)
    tables = _score_tables(kept)
    if late_rows.any():
        tables = _with_late(tables, frame.loc[late_rows], include_late)
    if item_order:
        rank = {item: k for k, item in enumerate(dict.fromkeys(item_order))}
        order = sorted(range(len(tables.items)), key=lambda j: (rank.get(tables.items[j], len(rank)), j))
        if order != list(range(len(tables.items))):
            tables = ScoreTables(
                participants=tables.participants,
                cohorts=tables.cohorts,
                items=tuple(tables.items[j] for j in order),
                answers=tables.answers[:, :, order],
                scale=tables.scale,
                late=tables.late,
                late_included=tables.late_included,
            )
    return tables


def _with_late(tables: ScoreTables, late_rows: pd.DataFrame, included: bool) -> ScoreTables:
    """Mark the participants with late answers, adding those none of whose answers were kept."""
    people = pd.unique(_objects(late_rows["participant"]))
    missing = [p for p in people if p not in set(tables.participants)]
    if missing:
        first = late_rows.drop_duplicates("participant", keep="last").set_index("participant")["cohort"]
        n_w, n_i = tables.answers.shape[0], tables.answers.shape[2]
        tables = ScoreTables(
            participants=np.concatenate([tables.participants, np.array(missing, dtype=object)]),
            cohorts=np.concatenate(
                [tables.cohorts, np.array([str(first[p] or "") for p in missing], dtype=object)]
            ),
            items=tables.items,
            answers=np.concatenate([tables.answers, np.full((n_w, len(missing), n_i), np.nan)], axis=1),
            scale=np.concatenate([tables.scale, np.full((n_w, len(missing)), np.nan)], axis=1),
            late=np.concatenate([tables.late, np.zeros(len(missing), dtype=bool)]),
        )
    late = np.isin(tables.participants, np.array(people, dtype=object))
    return replace(tables, late=late, late_included=included)


def _objects(column: pd.Series) -> np.ndarray:
    """The column as an object array (no copy for pandas' default python-backed ``str`` dtype)."""
    values = column.to_numpy()
    return values if values.dtype == object else values.astype(object)


def _score_tables(frame: pd.DataFrame) -> ScoreTables:
    if len(frame) == 0:
        empty = np.empty(0, dtype=object)
        n_w = len(WAVES)
        return ScoreTables(empty, empty, (), np.empty((n_w, 0, 0)), np.empty((n_w, 0)), np.zeros(0, bool))
    # factorizing the plain object arrays skips pandas' per-call dtype checks: about twice as fast
    p_codes, participants = pd.factorize(_objects(frame["participant"]), sort=False)
    w_codes, w_names = pd.factorize(_objects(frame["wave"]), sort=False)
    unknown = [w for w in w_names if w not in WAVES]
    if unknown:
        raise ValueError(f"unknown wave {unknown[0]!r}: expected {', '.join(WAVES)}")
    wave_index = np.array([WAVES.index(w) for w in w_names], dtype=np.int64)
    i_codes, items = pd.factorize(_objects(frame["item"]), sort=False)
    if (p_codes < 0).any() or (i_codes < 0).any():
        raise ValueError("participant and item must not be missing (validate the frame first)")
    n_p, n_i = len(participants), len(items)
    flat = (wave_index[w_codes] * n_p + p_codes) * n_i + i_codes
    n_w = len(WAVES)
    if np.bincount(flat, minlength=n_w * n_p * n_i).max() > 1:
        return _score_tables(latest_scores(frame[list(KEY_COLUMNS) + ["cohort", "score", "answered_at"]]))
    answers = np.full(n_w * n_p * n_i, np.nan)
    answers[flat] = frame["score"].to_numpy(dtype=np.float64)
    answers = answers.reshape(n_w, n_p, n_i)

    # codes follow first appearance, so a participant's first row is where the running maximum grows
    cohort_column = _objects(frame["cohort"])
    first_row = np.flatnonzero(np.diff(np.maximum.accumulate(p_codes), prepend=-1) > 0)
    cohorts = cohort_column[first_row]
    if (cohorts[p_codes] != cohort_column).any():  # someone's rows disagree: their latest answer decides
        rows = pd.DataFrame({"p": p_codes, "t": frame["answered_at"].to_numpy()})
        last = rows.sort_values("t", kind="stable").drop_duplicates("p", keep="last")
        cohorts = cohorts.copy()
        cohorts[last["p"].to_numpy()] = cohort_column[last.index.to_numpy()]
    cohorts = np.array(["" if not isinstance(c, str) else c for c in cohorts], dtype=object)

    answered = ~np.isnan(answers)
    count = answered.sum(axis=2)
    total = np.where(answered, answers, 0.0).sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(count > 0, total / count, np.nan)
    return ScoreTables(
        participants=np.asarray(participants, dtype=object),
        cohorts=cohorts,
        items=tuple(str(i) for i in items),
        answers=answers,
        scale=scale,
        late=np.zeros(n_p, dtype=bool),
    )


def _utc(value: Any) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def filter_scores(
    frame: pd.DataFrame,
    cohorts: Iterable[str] | None = None,
    start: Any = None,
    end: Any = None,
) -> pd.DataFrame:
    """Rows in the chosen cohorts answered between ``start`` and ``end`` (inclusive; UTC if naive).

    A plain date as ``end`` includes that whole day. Run the evaluation on the result: the anonymity
    threshold is applied after the filter, never before.
    """
    mask = np.ones(len(frame), dtype=bool)
    if cohorts is not None:
        mask &= frame["cohort"].isin([str(c) for c in cohorts]).to_numpy()
    if start is not None:
        mask &= (frame["answered_at"] >= _utc(start)).to_numpy()
    if end is not None:
        if isinstance(end, dt.date) and not isinstance(end, dt.datetime):
            mask &= (frame["answered_at"] < _utc(end) + pd.Timedelta(days=1)).to_numpy()
        else:
            mask &= (frame["answered_at"] <= _utc(end)).to_numpy()
    return frame.loc[mask].reset_index(drop=True)
