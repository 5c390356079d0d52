"""The long-format scores table: its columns, how it is read from CSV, and how it is checked.

Every path that brings scores into the package (a CSV handed to ``workbook evaluate``, the store's
``scores import``, the store's own export) goes through this module, so the rules live in one place:
one row per answer, columns ``participant, cohort, wave, item, score, answered_at``, waves ``pre``,
``post`` and ``then`` (the retrospective "looking back" pre-test asked at post time; the waves and their
order live in :mod:`workbook.manager.waves`), and an optional column ``late`` (true for an answer given
after a later wave had opened: the store's export writes it, an evaluation leaves such answers out
unless it includes late answers).

A problem in the input raises :class:`ScoresInputError`, whose one-line message lists every problem
found, with the column and the rows involved, so a person can fix the file in one pass.

Which cohorts' scores count in the figures (the synthetic cohorts of ``workbook demo`` next to real
ones) is decided here too, once, by :class:`CohortScope`; ``workbook.manager.scores.counted_scores``
reads the store's frame through it, and every output titles itself with its label.
"""

from __future__ import annotations

import csv
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbook.manager.waves import WAVES
from workbook.spreadsheet import from_spreadsheet_text

SCORE_COLUMNS: tuple[str, ...] = ("participant", "cohort", "wave", "item", "score", "answered_at")
KEY_COLUMNS: tuple[str, ...] = ("participant", "wave", "item")
LATE_COLUMN = "late"  # optional: a late answer is kept beside the one given in time
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no", "")
DEFAULT_MAX_BYTES = 512 * 1024 * 1024

_TEXT_COLUMNS = ("participant", "cohort", "wave", "item")
_REQUIRED_TEXT = ("participant", "wave", "item")  # cohort may be empty
_SHOW_ROWS = 5


SYNTHETIC_LABEL = "synthetic demo data"  # an output of the demo's cohorts only
MIXED_LABEL = "includes synthetic demo data"  # an output of real and demo cohorts together


def titled(title: str, label: str | None) -> str:
    """A title that says what synthetic data its output holds: "Report (includes synthetic demo data)"."""
    return f"{title} ({label})" if label else title


@dataclass(frozen=True)
class CohortScope:
    """Which cohorts count in the figures: the one rule for the synthetic cohorts of `workbook demo`,
    used by the evaluator's page and every download, the facilitator's Results and `workbook evaluate`.

    Demo cohorts (marked in the store by `workbook demo`, never by their names) count while the store
    holds nothing real (a fresh start shows the demo, marked synthetic) or when asked for
    (`include_demo`); once a real cohort exists they are left out. An output that counts any of them
    says so in its title (`label_for`, `titled`)."""

    demo: tuple[str, ...] = ()  # the store's demo cohorts, by name
    real: bool = False  # the store holds a real cohort, or scores of managers in no cohort
    include_demo: bool = False  # asked for

    @property
    def demo_counted(self) -> bool:
        """Whether the demo cohorts are in the figures."""
        return bool(self.demo) and (self.include_demo or not self.real)

    @property
    def left_out(self) -> tuple[str, ...]:
        """The demo cohorts the figures leave out (none when they count)."""
        return () if self.demo_counted else self.demo

    @property
    def choice_offered(self) -> bool:
        """Whether including the demo cohorts is a choice: they exist next to real data."""
        return bool(self.demo) and self.real

    def counts(self, cohort: str) -> bool:
        """Whether a cohort's data are in the figures."""
        return cohort not in self.left_out

    def label_for(self, cohorts: Sequence[str] | None = None) -> str | None:
        """What an output of these cohorts (None: every counted cohort) says of synthetic data."""
        if not self.demo_counted:
            return None
        if cohorts is None:
            return MIXED_LABEL if self.real else SYNTHETIC_LABEL
        demo = [c for c in cohorts if c in self.demo]
        if not demo:
            return None
        return SYNTHETIC_LABEL if len(demo) == len(cohorts) else MIXED_LABEL

    def titled(self, title: str, cohorts: Sequence[str] | None = None) -> str:
        """``title`` with the label of an output of ``cohorts``, if it holds synthetic data."""
        return titled(title, self.label_for(cohorts))

    def as_json(self) -> dict[str, Any]:
        """The field of `workbook evaluate`'s JSON that says whether its figures hold synthetic data."""
        return {
            "label": self.label_for(),
            "included": list(self.demo if self.demo_counted else ()),
            "left_out": list(self.left_out),
        }


class ScoresInputError(ValueError):
    """Scores we refuse to use; the message names the source, every problem, its column and rows."""

    def __init__(self, source: str, problems: Sequence[str]):
        self.source = source
        self.problems = list(problems)
        super().__init__(f"{source}: " + "; ".join(self.problems))


class _Rows:
    """Turns 0-based frame positions into the numbers a person looks up (CSV lines or data rows)."""

    def __init__(self, *, csv_lines: bool):
        self.csv_lines = csv_lines

    def describe(self, positions: np.ndarray) -> str:
        offset, word = (2, "CSV line") if self.csv_lines else (1, "data row")
        numbers = [str(int(p) + offset) for p in positions[:_SHOW_ROWS]]
        more = len(positions) - len(numbers)
        text = f"{word}{'s' if len(positions) > 1 else ''} {', '.join(numbers)}"
        return text + (f" and {more} more" if more else "")


def _human_size(n_bytes: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n_bytes < 1024 or unit == "GB":
            return f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.1f} GB"  # pragma: no cover


def read_scores_csv(
    path: str | os.PathLike[str],
    *,
    scale_min: float = 1,
    scale_max: float = 5,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> pd.DataFrame:
    """Read and check a standalone scores CSV (UTF-8, header row); problems name CSV line numbers.

    The size is checked before anything is read, so an oversized upload fails at once. In a standalone
    file the same (participant, wave, item) twice is an error: nobody can tell which answer is meant.
    """
    path = Path(path)
    source = path.name or str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ScoresInputError(source, ["file not found"]) from None
    except OSError as exc:
        raise ScoresInputError(source, [f"cannot read the file ({exc.strerror})"]) from None
    if path.is_dir():
        raise ScoresInputError(source, ["is a folder, not a CSV file"])
    if size > max_bytes:
        raise ScoresInputError(
            source,
            [f"file is {_human_size(size)}, over the {_human_size(max_bytes)} limit for a scores file"],
        )
    if size == 0:
        raise ScoresInputError(source, ["file is empty"])
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            frame = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                encoding="utf-8-sig",
                encoding_errors="strict",
                index_col=False,  # never take extra leading fields as an index
                quoting=csv.QUOTE_MINIMAL,
            )
        if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
            lines = _lines_with_extra_fields(path, len(frame.columns))
            raise ScoresInputError(
                source, [f"malformed CSV: more fields than the header's {len(frame.columns)} on {lines}"]
            )
    except UnicodeDecodeError as exc:
        raise ScoresInputError(
            source, [f"not UTF-8 text (bad byte at offset {exc.start}); save the file as 'CSV UTF-8'"]
        ) from None
    except pd.errors.EmptyDataError:
        raise ScoresInputError(source, ["file is empty"]) from None
    except pd.errors.ParserError as exc:
        detail = str(exc).replace("Error tokenizing data. C error: ", "").strip()
        raise ScoresInputError(source, [f"malformed CSV: {detail}"]) from None
    except OSError as exc:
        raise ScoresInputError(source, [f"cannot read the file ({exc.strerror})"]) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    for column in _TEXT_COLUMNS:  # files we export protect formula-like text with an apostrophe
        if column in frame.columns:
            frame[column] = from_spreadsheet_text(frame[column])
    return _validate(
        frame,
        scale_min=scale_min,
        scale_max=scale_max,
        allow_duplicates=False,
        source=source,
        rows=_Rows(csv_lines=True),
    )


def _lines_with_extra_fields(path: Path, n_columns: int) -> str:
    """Where rows are longer than the header (only on the error path, so a plain csv scan is fine)."""
    found: list[int] = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        for row in reader:
            if len(row) > n_columns:
                found.append(reader.line_num)
    return _Rows(csv_lines=True).describe(np.asarray(found) - 2) if found else "some rows"


def validate_scores_frame(
    df: pd.DataFrame,
    *,
    scale_min: float = 1,
    scale_max: float = 5,
    allow_duplicates: bool = False,
    source: str = "scores",
) -> pd.DataFrame:
    """Check a scores frame and return a normalised copy; problems name 1-based data rows.

    ``allow_duplicates=True`` is for the store's export, which keeps every saved answer (the latest
    one counts, see :func:`latest_scores`); anything else should leave it False.
    """
    return _validate(
        df,
        scale_min=scale_min,
        scale_max=scale_max,
        allow_duplicates=allow_duplicates,
        source=source,
        rows=_Rows(csv_lines=False),
    )


def _text_column(values: pd.Series, *, lower: bool = False) -> tuple[pd.Series, np.ndarray]:
    """Stripped text plus a mask of empty or missing cells (a missing cell must not become 'nan').

    The work is done once per distinct value, not once per row: a scores file repeats the same few
    waves, items and cohorts millions of times.
    """
    raw = values.to_numpy()
    if raw.dtype != object:
        raw = raw.astype(object)
    codes, uniques = pd.factorize(raw)  # missing cells get code -1
    cleaned = [str(u).strip() for u in uniques]
    if lower:
        cleaned = [u.lower() for u in cleaned]
    table = np.array([*cleaned, ""], dtype=object)  # code -1 picks the trailing ""
    empty = np.array([u == "" for u in table], dtype=bool)[codes]
    return pd.Series(table[codes], dtype="str"), empty


def _numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scores as floats, with masks of empty cells and of cells that are not numbers."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
        empty = np.isnan(numbers)
        return numbers, empty, np.zeros(len(values), dtype=bool)
    raw = values.to_numpy()
    if raw.dtype != object:
        raw = raw.astype(object)
    codes, uniques = pd.factorize(raw)
    stripped = pd.Series([str(u).strip() for u in uniques] + [""], dtype=object)
    parsed = pd.to_numeric(stripped.where(stripped != "", None), errors="coerce").to_numpy(np.float64)
    unique_empty = (stripped == "").to_numpy()
    numbers = parsed[codes]
    empty = unique_empty[codes]
    return numbers, empty, np.isnan(numbers) & ~empty


def _validate(
    df: pd.DataFrame,
    *,
    scale_min: float,
    scale_max: float,
    allow_duplicates: bool,
    source: str,
    rows: _Rows,
) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise ScoresInputError(source, [f"expected a table of scores, got {type(df).__name__}"])
    if not (np.isfinite(scale_min) and np.isfinite(scale_max)) or scale_min >= scale_max:
        raise ScoresInputError(
            source, [f"scale minimum ({scale_min}) must be below the scale maximum ({scale_max})"]
        )
    missing_columns = [c for c in SCORE_COLUMNS if c not in df.columns]
    if missing_columns:
        found = ", ".join(str(c) for c in df.columns) or "none"
        plural = "s" if len(missing_columns) > 1 else ""
        raise ScoresInputError(
            source, [f"missing column{plural} {', '.join(missing_columns)} (found: {found})"]
        )
    if len(df) == 0:
        raise ScoresInputError(source, ["no data rows (only a header)"])

    problems: list[str] = []
    out: dict[str, pd.Series] = {}
    invalid = np.zeros(len(df), dtype=bool)
    for column in _TEXT_COLUMNS:
        text, empty = _text_column(df[column].reset_index(drop=True))
        if column in _REQUIRED_TEXT and empty.any():
            where = np.flatnonzero(empty)
            problems.append(f'column "{column}": empty value on {rows.describe(where)}')
            invalid |= empty
        out[column] = text

    wave, _ = _text_column(df["wave"].reset_index(drop=True), lower=True)
    bad_wave = ~wave.isin(WAVES).to_numpy() & ~(out["wave"] == "").to_numpy()
    if bad_wave.any():
        where = np.flatnonzero(bad_wave)
        shown = ", ".join(repr(v) for v in pd.unique(out["wave"].to_numpy()[where])[:_SHOW_ROWS])
        problems.append(
            f'column "wave": unknown wave {shown} on {rows.describe(where)} (expected {", ".join(WAVES)})'
        )
        invalid |= bad_wave
    out["wave"] = wave

    raw_score = df["score"].reset_index(drop=True)
    values, empty_score, non_numeric = _numbers(raw_score)
    score = pd.Series(values, dtype="float64")
    values = score.to_numpy()
    if empty_score.any():
        problems.append(f'column "score": empty value on {rows.describe(np.flatnonzero(empty_score))}')
    if non_numeric.any():
        where = np.flatnonzero(non_numeric)
        first = str(raw_score.iloc[where[0]])
        problems.append(f'column "score": not a number on {rows.describe(where)} (first: {first!r})')
    with np.errstate(invalid="ignore"):
        out_of_range = ~np.isnan(values) & ~((values >= scale_min) & (values <= scale_max))
    if out_of_range.any():
        where = np.flatnonzero(out_of_range)
        problems.append(
            f'column "score": outside the scale {scale_min:g}-{scale_max:g} on {rows.describe(where)} '
            f"(first: {values[where[0]]:g})"
        )
    invalid |= empty_score | non_numeric | out_of_range
    out["score"] = score

    answered_at, bad_time = _parse_times(df["answered_at"].reset_index(drop=True))
    if bad_time.any():
        where = np.flatnonzero(bad_time)
        first = df["answered_at"].iloc[where[0]]
        problems.append(
            f'column "answered_at": missing or not an ISO 8601 date-time on {rows.describe(where)} '
            f"(first: {str(first)!r})"
        )
    out["answered_at"] = answered_at

    columns = list(SCORE_COLUMNS)
    if LATE_COLUMN in df.columns:
        late, bad_late = _flags(df[LATE_COLUMN].reset_index(drop=True))
        if bad_late.any():
            where = np.flatnonzero(bad_late)
            first = df[LATE_COLUMN].iloc[where[0]]
            problems.append(
                f'column "{LATE_COLUMN}": expected true or false on {rows.describe(where)} '
                f"(first: {str(first)!r})"
            )
        out[LATE_COLUMN] = late
        columns.append(LATE_COLUMN)

    if not allow_duplicates:
        keys = pd.DataFrame({c: out[c] for c in _keys(columns)})
        dup = keys.duplicated(keep=False).to_numpy() & ~invalid
        if dup.any():
            where = np.flatnonzero(dup)
            first = keys.iloc[where[0]]
            problems.append(
                "the same (participant, wave, item) more than once on "
                f"{rows.describe(where)} (first: {first['participant']}, {first['wave']}, {first['item']}); "
                "a standalone file must hold one answer per participant, wave and item"
            )

    if problems:
        raise ScoresInputError(source, problems)
    result = pd.DataFrame({c: out[c] for c in columns})
    for column in _TEXT_COLUMNS:
        result[column] = result[column].astype("str")
    return result


def _keys(columns: Sequence[str]) -> list[str]:
    """What makes one answer: participant, wave and item, and whether it is late when a frame says."""
    return [*KEY_COLUMNS, *([LATE_COLUMN] if LATE_COLUMN in columns else [])]


def _flags(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """The late column as booleans (true/false, 1/0, yes/no; empty is false) and a mask of bad cells."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype(bool), np.zeros(len(values), dtype=bool)
    text, _ = _text_column(values, lower=True)
    flags = text.isin(_TRUE).to_numpy()
    return pd.Series(flags, dtype="bool"), ~(flags | text.isin(_FALSE).to_numpy())


def _parse_times(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """UTC timestamps (naive ones are taken as UTC) and a mask of cells that are missing or unreadable."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        parsed = values.dt.tz_convert("UTC")
    elif pd.api.types.is_datetime64_dtype(values.dtype):
        parsed = values.dt.tz_localize("UTC")
    else:  # text: parse each distinct value once
        raw = values.to_numpy()
        if raw.dtype != object:
            raw = raw.astype(object)
        codes, uniques = pd.factorize(raw)
        cleaned = pd.Series([u.strip() if isinstance(u, str) else u for u in uniques] + [None], dtype=object)
        stamps = pd.to_datetime(cleaned, format="ISO8601", utc=True, errors="coerce")
        naive = stamps.dt.tz_localize(None).to_numpy()  # datetime64 in UTC: cheap to index
        parsed = pd.Series(naive[codes]).dt.tz_localize("UTC")
    parsed = parsed.dt.as_unit("us")
    return parsed, parsed.isna().to_numpy()


def latest_scores(df: pd.DataFrame) -> pd.DataFrame:
    """Keep the latest answer per (participant, wave, item): the store keeps history, the last one counts.

    With a ``late`` column, the latest late answer is kept beside the latest one given in time (an
    evaluation chooses between them). Rows with the same ``answered_at`` keep the one that comes last
    in the input.
    """
    if len(df) == 0:
        return df.reset_index(drop=True)
    ordered = df.sort_values("answered_at", kind="stable")
    latest = ordered.drop_duplicates(_keys(df.columns), keep="last")
    return latest.sort_index().reset_index(drop=True)
