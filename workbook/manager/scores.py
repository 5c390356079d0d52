"""Scores of the comfort and skill check: saving a manager's answers, reading them back as frames,
and moving them in and out as the long-format CSV of `workbook.scores_frame`.

Scores are append-only: every save adds rows and the latest row (highest id) per participant, wave
and item counts. Everything that could come from a crafted client or a bad file is checked before
anything is written, and a save or an import stores all of its rows or none.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from datetime import datetime
from numbers import Integral
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import Session

from workbook.identity import Person, holding_role
from workbook.manager.content import Instrument, instrument
from workbook.manager.waves import SUBMITS, WAVE_NAMES, WAVE_OF, CohortWaves, clean_wave, cohort_waves
from workbook.models import Cohort, Participant, Score, WaveEvent
from workbook.progress import progress_bar
from workbook.scores_frame import (
    LATE_COLUMN,
    SCORE_COLUMNS,
    WAVES,
    CohortScope,
    ScoresInputError,
    read_scores_csv,
)
from workbook.spreadsheet import spreadsheet_safe
from workbook.store import Store, as_utc, utcnow
from workbook.validation import EARLIEST_DATE, InputError

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f+00:00"  # how answered_at is written, so export -> import is exact
_SHOW_ROWS = 5
IMPORT_CHUNK = 10_000  # rows per INSERT of an import (all in one transaction), and per step of its bar
EARLIEST_ANSWER = pd.Timestamp(EARLIEST_DATE, tz="UTC")


def clean_scores(inst: Instrument, answers: Any) -> dict[str, int]:
    """{item: whole number on the scale}, or InputError listing every bad item and value."""
    if not isinstance(answers, Mapping) or not answers:
        raise InputError("scores: expected at least one answer as {item: score}")
    low, high = inst.scale.min, inst.scale.max
    problems: list[str] = []
    cleaned: dict[str, int] = {}
    for item, value in answers.items():
        if not isinstance(item, str) or item not in inst.item_ids:
            problems.append(f"{item!r} is not a question of the check")
            continue
        if isinstance(value, bool) or not isinstance(value, Integral):
            shown = "NaN" if isinstance(value, float) and math.isnan(value) else repr(value)
            problems.append(f"{item}: expected a whole number from {low} to {high}, got {shown}")
        elif not low <= value <= high:
            problems.append(f"{item}: {value} is outside the scale {low} to {high}")
        else:
            cleaned[item] = int(value)
    if problems:
        raise InputError("scores: " + "; ".join(problems))
    return cleaned


def insert_score_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Append already-checked rows (participant_id, wave, item, score, answered_at, and `late` where
    the order of the waves makes them late) in one statement."""
    if rows:
        session.execute(insert(Score), rows)


# A submit sends the waves of one wave of the order together (`SUBMITS`: the look-back `then`
# questions are asked with `post`); the order and the names live in `manager.waves`.


def save_scores(store: Store, person: Person, wave: str, answers: Mapping[str, int]) -> datetime:
    """Record a manager's answers to some or all items in `wave`; returns when they were saved.

    InputError (and nothing stored) for an unknown wave or item, a value that is not a whole number on
    the scale (bools, floats, NaN and text are refused), or a wave that is not open for their cohort
    (a wave a later one has passed says so). The open check runs inside the write transaction, so a
    wave closed a moment earlier is respected. Answers to a wave reopened after a later one opened are
    stored marked late.
    """
    wave = clean_wave(wave)
    return _write_waves(store, person, {wave: clean_scores(instrument(), answers)})


def unanswered(answers: Mapping[str, Any]) -> list[str]:
    """The items of the check without an answer, in the order of the check."""
    return [item for item in instrument().item_ids if item not in answers]


def submit_comfort_check(store: Store, person: Person, submit: object, answers: Any) -> datetime:
    """A manager submits the check at the start (`pre`) or at the end (`post`, with the look-back
    `then` questions): every question of every wave answered, every wave open, all waves written in
    one transaction (a wave closed meanwhile stores nothing). InputError, nothing stored, otherwise:
    a wave passed by a later one takes no answers unless a facilitator reopened it with a reason, and
    then its answers are stored marked late (`manager.waves`)."""
    waves = SUBMITS.get(submit) if isinstance(submit, str) else None
    if waves is None:
        raise InputError(f"scores: {submit!r} is not a check you can submit")
    if not isinstance(answers, Mapping) or set(answers) != set(waves):
        raise InputError(f"scores: expected answers to {', '.join(WAVE_NAMES[w] for w in waves)}")
    inst = instrument()
    cleaned: dict[str, dict[str, int]] = {}
    for wave in waves:
        cleaned[wave] = clean_scores(inst, answers[wave]) if answers[wave] else {}
        missing = [str(n) for n, item in enumerate(inst.item_ids, start=1) if item not in cleaned[wave]]
        if missing:
            raise InputError(
                f"{WAVE_NAMES[wave]}: answer every question before submitting "
                f"(not answered yet: question{'s' if len(missing) > 1 else ''} {', '.join(missing)})"
            )
    return _write_waves(store, person, cleaned)


def _write_waves(store: Store, person: Person, scores: Mapping[str, Mapping[str, int]]) -> datetime:
    """Append already-checked scores of one or more waves in one transaction that checks every wave
    is open for the person's cohort."""
    saved_at = utcnow()
    with store.write() as session:
        participant = session.get(Participant, person.id)
        if participant is None or participant.cohort_id is None:
            raise InputError("scores: you are not in a cohort, so no wave of the check is open for you")
        state = cohort_waves(session, participant.cohort_id)
        for wave in scores:
            if not state.is_open(wave):
                raise InputError(closed_text(state, wave))
        late = {wave: state.is_late(wave, saved_at) for wave in scores}
        insert_score_rows(
            session,
            [
                {
                    "participant_id": person.id,
                    "wave": wave,
                    "item": item,
                    "score": float(score),
                    "answered_at": saved_at,
                    "late": late[wave],
                }
                for wave, answered in scores.items()
                for item, score in answered.items()
            ],
        )
    return saved_at


def closed_text(state: CohortWaves, wave: str) -> str:
    """Why a wave takes no answers now, as the manager's page and the domain call say it."""
    passed = state.passed_by(WAVE_OF[wave].name)
    if passed is None:
        return f"scores: the {wave} check is not open for your cohort"
    return (
        f"scores: the {wave} check is not open for your cohort: it closed when {WAVE_NAMES[passed]} "
        "opened, so it takes no new answers (an answer about the start given now would describe you "
        "after the programme)"
    )


def _mark_late(session: Session, rows: list[dict[str, Any]]) -> None:
    """Mark the rows answered after a later wave had opened for their participant's cohort late, by
    the cohorts' wave histories as they stand inside the caller's transaction."""
    cohort_of = dict(
        session.execute(
            select(Participant.id, Participant.cohort_id).where(Participant.cohort_id.is_not(None))
        ).all()
    )
    with_events = set(session.scalars(select(WaveEvent.cohort_id).distinct()))
    states = {cohort_id: cohort_waves(session, cohort_id) for cohort_id in with_events}
    for row in rows:
        state = states.get(cohort_of.get(row["participant_id"]))
        if state is not None and not row["late"]:
            row["late"] = state.is_late(row["wave"], row["answered_at"])


def _latest_ids(participant_id: int | None = None, cohort_id: int | None = None, *, by_late: bool = False):
    """The latest score id per participant, wave and item (and per `late`, with `by_late`)."""
    keys = [Score.participant_id, Score.wave, Score.item] + ([Score.late] if by_late else [])
    query = select(func.max(Score.id)).group_by(*keys)
    if participant_id is not None:
        query = query.where(Score.participant_id == participant_id)
    if cohort_id is not None:
        query = query.join(Participant, Score.participant_id == Participant.id).where(
            Participant.cohort_id == cohort_id
        )
    return query


def _order(frame: pd.DataFrame, inst: Instrument, keys: list[str]) -> pd.DataFrame:
    """Sort by `keys`, with waves and items in their natural order rather than alphabetically."""
    if frame.empty:
        return frame.reset_index(drop=True)
    rank = {
        "wave": {w: i for i, w in enumerate(WAVES)},
        "item": {item: i for i, item in enumerate(inst.item_ids)},
    }

    def key(column: pd.Series) -> pd.Series:
        if column.name in rank:
            return column.map(rank[column.name]).fillna(len(rank[column.name]))
        return column

    return frame.sort_values(keys, key=key, kind="stable").reset_index(drop=True)


def _utc(values: list[datetime]) -> pd.Series:
    return pd.Series(pd.to_datetime([as_utc(v) for v in values], utc=True), dtype="datetime64[us, UTC]")


def my_scores(store: Store, person: Person) -> pd.DataFrame:
    """The latest answer per wave and item of ONE manager, late or not (it is their own latest word):
    columns wave, item, score, answered_at."""
    with store.read() as session:
        rows = session.execute(
            select(Score.wave, Score.item, Score.score, Score.answered_at).where(
                Score.id.in_(_latest_ids(participant_id=person.id))
            )
        ).all()
    frame = pd.DataFrame(
        {
            "wave": pd.Series([r[0] for r in rows], dtype="str"),
            "item": pd.Series([r[1] for r in rows], dtype="str"),
            "score": pd.Series([r[2] for r in rows], dtype="float64"),
            "answered_at": _utc([r[3] for r in rows]),
        }
    )
    return _order(frame, instrument(), ["wave", "item"])


def cohort_scope(store: Store, *, include_demo: bool = False) -> CohortScope:
    """The store's demo cohorts and whether it holds real data: which cohorts count in the figures."""
    with store.read() as session:
        marked = session.execute(select(Cohort.name, Cohort.is_demo).order_by(Cohort.name)).all()
        real = any(not is_demo for _, is_demo in marked) or (
            session.scalar(
                select(Score.id)
                .join(Participant, Score.participant_id == Participant.id)
                .where(Participant.cohort_id.is_(None), Participant.id.in_(holding_role("manager")))
                .limit(1)
            )
            is not None
        )
    return CohortScope(tuple(name for name, is_demo in marked if is_demo), real, include_demo)


def counted_scores(store: Store, *, include_demo: bool = False) -> tuple[pd.DataFrame, CohortScope]:
    """The scores frame of the cohorts that count (see `CohortScope`), with the scope that chose them."""
    scope = cohort_scope(store, include_demo=include_demo)
    return scores_frame(store, scope=scope), scope


def scores_frame(
    store: Store, cohort: str | None = None, *, scope: CohortScope | None = None
) -> pd.DataFrame:
    """Latest answer per (participant, wave, item, late) in the long format of `workbook.scores_frame`,
    with its `late` column: a late answer never hides the answer given in time, and an evaluation
    decides whether late answers count (`evaluation.tables.score_tables`).

    `participant` is the pseudonymous pid, never a name; `cohort` is the cohort name ("" if none).
    Only people who hold the manager role are in it; with a `scope`, only the cohorts that count
    (`counted_scores`), else every cohort (an export keeps everything).
    StoreError for an unknown cohort.
    """
    with store.read() as session:
        cohort_id = store.cohort_id(session, cohort, create=False) if cohort is not None else None
        query = (
            select(
                Participant.pid,
                Cohort.name,
                Score.wave,
                Score.item,
                Score.score,
                Score.answered_at,
                Score.late,
            )
            .join(Participant, Score.participant_id == Participant.id)
            .outerjoin(Cohort, Participant.cohort_id == Cohort.id)
            .where(Score.id.in_(_latest_ids(cohort_id=cohort_id, by_late=True)))
            .where(Participant.id.in_(holding_role("manager")))
        )
        if scope is not None and scope.left_out:
            query = query.where(or_(Cohort.id.is_(None), Cohort.name.not_in(scope.left_out)))
        rows = session.execute(query).all()
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in (*SCORE_COLUMNS, LATE_COLUMN)]
    frame = pd.DataFrame(
        {
            "participant": pd.Series(columns[0], dtype="str"),
            "cohort": pd.Series([c or "" for c in columns[1]], dtype="str"),
            "wave": pd.Series(columns[2], dtype="str"),
            "item": pd.Series(columns[3], dtype="str"),
            "score": pd.Series(columns[4], dtype="float64"),
            "answered_at": _utc(list(columns[5])),
            LATE_COLUMN: pd.Series([bool(v) for v in columns[6]], dtype="bool"),
        }
    )
    return _order(frame, instrument(), ["participant", "wave", "item", LATE_COLUMN])


def export_scores_csv(store: Store, path: str | os.PathLike[str], cohort: str | None = None) -> int:
    """Write `scores_frame` as a UTF-8 CSV (one row per latest answer, and per latest late answer, with
    the `late` column); returns the number of rows.

    Text a spreadsheet would run as a formula gets a leading apostrophe (`spreadsheet_safe`), which
    `import_scores_csv` takes off again."""
    frame = scores_frame(store, cohort)
    out = frame.copy()
    for column in ("participant", "cohort", "wave", "item"):  # a cohort "=HYPERLINK(...)" stays text
        out[column] = out[column].map(spreadsheet_safe)
    out["score"] = [f"{v:g}" for v in frame["score"]]
    out["answered_at"] = frame["answered_at"].dt.strftime(TIME_FORMAT) if len(frame) else []
    out[LATE_COLUMN] = ["true" if v else "false" for v in frame[LATE_COLUMN]]
    out.to_csv(Path(path), index=False, encoding="utf-8", lineterminator="\n")
    return len(out)


def _lines(mask: np.ndarray) -> str:
    """CSV line numbers (the header is line 1) of the rows in `mask`, as read_scores_csv names them."""
    where = np.flatnonzero(mask)
    numbers = [str(int(p) + 2) for p in where[:_SHOW_ROWS]]
    more = len(where) - len(numbers)
    text = f"CSV line{'s' if len(where) > 1 else ''} {', '.join(numbers)}"
    return text + (f" and {more} more" if more else "")


def import_scores_csv(store: Store, path: str | os.PathLike[str], *, progress: bool | None = False) -> int:
    """Append every row of a scores CSV to the store, or none; returns the number of rows imported.

    ``progress``: a bar on stderr while the rows are written (None: only on a terminal).

    The file is checked whole before anything is written: shape, types, waves, range and duplicates by
    `read_scores_csv`, then whole numbers, unknown items, unknown participant ids and a cohort that is
    not the participant's. ScoresInputError lists every problem with its column and CSV lines. Waves
    need not be open: an import is a facilitator's act (e.g. paper forms), not a participant's answer.
    The order of the waves still holds: a row answered after a later wave had opened for the
    participant's cohort is stored marked late (as is a row the file marks late).
    """
    inst = instrument()
    frame = read_scores_csv(path, scale_min=inst.scale.min, scale_max=inst.scale.max)
    source = Path(path).name
    with store.read() as session:
        people = session.execute(
            select(Participant.pid, Participant.id, Cohort.name).outerjoin(
                Cohort, Participant.cohort_id == Cohort.id
            )
        ).all()
    ids = {pid: pk for pid, pk, _ in people}
    cohorts = {pid: name or "" for pid, _, name in people}

    problems: list[str] = []
    scores = frame["score"].to_numpy()
    fractional = scores != np.floor(scores)
    if fractional.any():
        problems.append(
            f'column "score": not a whole number on {_lines(fractional)} (first: {scores[fractional][0]:g})'
        )
    unknown_item = ~frame["item"].isin(inst.item_ids).to_numpy()
    if unknown_item.any():
        first = frame["item"].to_numpy()[unknown_item][0]
        problems.append(f'column "item": unknown item on {_lines(unknown_item)} (first: {first!r})')
    participant_id = frame["participant"].map(ids)
    unknown_pid = participant_id.isna().to_numpy()
    if unknown_pid.any():
        first = frame["participant"].to_numpy()[unknown_pid][0]
        problems.append(
            f'column "participant": unknown participant id on {_lines(unknown_pid)} (first: {first!r})'
        )
    expected = frame["participant"].map(cohorts).fillna("")
    mismatch = (~unknown_pid) & (frame["cohort"] != "").to_numpy() & (frame["cohort"] != expected).to_numpy()
    if mismatch.any():
        first = int(np.flatnonzero(mismatch)[0])
        problems.append(
            f'column "cohort": not the participant\'s cohort on {_lines(mismatch)} '
            f"(first: {frame['participant'].iloc[first]!r} is in {expected.iloc[first] or 'no cohort'!r}, "
            f"the file says {frame['cohort'].iloc[first]!r})"
        )
    moments = frame["answered_at"].dt.tz_convert("UTC")
    future = (moments > pd.Timestamp(utcnow())).to_numpy()
    if future.any():
        problems.append(
            f'column "answered_at": in the future on {_lines(future)} '
            f"(first: {frame['answered_at'].iloc[int(np.flatnonzero(future)[0])].isoformat()})"
        )
    early = (moments < EARLIEST_ANSWER).to_numpy()
    if early.any():
        problems.append(
            f'column "answered_at": before {EARLIEST_ANSWER.date().isoformat()} on {_lines(early)} '
            f"(first: {frame['answered_at'].iloc[int(np.flatnonzero(early)[0])].isoformat()})"
        )
    if problems:
        raise ScoresInputError(source, problems)

    answered_at = moments.dt.to_pydatetime()
    marked = frame[LATE_COLUMN].to_numpy(bool) if LATE_COLUMN in frame.columns else np.zeros(len(frame), bool)
    rows = [
        {
            "participant_id": int(pk),
            "wave": wave,
            "item": item,
            "score": float(score),
            "answered_at": moment,
            "late": bool(late),
        }
        for pk, wave, item, score, moment, late in zip(
            participant_id.to_numpy(), frame["wave"], frame["item"], scores, answered_at, marked, strict=True
        )
    ]
    with progress_bar(len(rows), "Importing scores", unit="rows", show=progress) as bar:
        with store.write() as session:  # one transaction: every row or none
            _mark_late(session, rows)
            for start in range(0, len(rows), IMPORT_CHUNK):
                insert_score_rows(session, rows[start : start + IMPORT_CHUNK])
                bar.update(len(rows[start : start + IMPORT_CHUNK]))
    return len(rows)
