"""The long scores table: reading a CSV, validation messages, normalisation and the latest-answer rule."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from workbook.scores_frame import (
    SCORE_COLUMNS,
    WAVES,
    ScoresInputError,
    latest_scores,
    read_scores_csv,
    validate_scores_frame,
)

HEADER = "participant,cohort,wave,item,score,answered_at\n"


def write(tmp_path, text: str, name: str = "scores.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def good_rows() -> str:
    return (
        "m01,Cohort A,pre,open_forward,2,2026-01-05T09:00:00Z\n"
        "m01,Cohort A,post,open_forward,4,2026-03-05T09:00:00Z\n"
        "m02,,pre,open_forward,3,2026-01-05\n"
        "m02,,then,open_forward,2.5,2026-03-05T10:00:00+02:00\n"
    )


def test_constants():
    assert SCORE_COLUMNS == ("participant", "cohort", "wave", "item", "score", "answered_at")
    assert WAVES == ("pre", "post", "then")
    assert issubclass(ScoresInputError, ValueError)


def test_reads_and_normalises(tmp_path):
    frame = read_scores_csv(write(tmp_path, HEADER + good_rows()))
    assert list(frame.columns) == list(SCORE_COLUMNS)
    assert len(frame) == 4
    for column in ("participant", "cohort", "wave", "item"):
        assert frame[column].dtype == "str"
    assert frame["score"].dtype == "float64"
    assert isinstance(frame["answered_at"].dtype, pd.DatetimeTZDtype)
    assert str(frame["answered_at"].dt.tz) == "UTC"
    assert frame.loc[2, "cohort"] == ""  # empty cohort allowed
    assert frame.loc[3, "answered_at"] == pd.Timestamp("2026-03-05T08:00:00Z")  # offset converted to UTC
    assert frame.loc[2, "answered_at"] == pd.Timestamp("2026-01-05T00:00:00Z")  # naive date taken as UTC


def test_accepts_bom_extra_columns_whitespace_and_wave_case(tmp_path):
    text = (
        "\ufeffparticipant, cohort ,wave,item,score,answered_at,comment\n m01 ,A, PRE ,q1, 3 ,2026-01-05,hi\n"
    )
    frame = read_scores_csv(write(tmp_path, text))
    assert list(frame.columns) == list(SCORE_COLUMNS)
    assert frame.loc[0, "participant"] == "m01"
    assert frame.loc[0, "wave"] == "pre"
    assert frame.loc[0, "score"] == 3.0


def error_of(path, **kwargs) -> str:
    with pytest.raises(ScoresInputError) as info:
        read_scores_csv(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_missing_column(tmp_path):
    message = error_of(write(tmp_path, "participant,cohort,wave,item,answered_at\nm01,A,pre,q1,2026-01-05\n"))
    assert message.startswith("scores.csv: ")
    assert "missing column score" in message
    assert "found: participant, cohort, wave, item, answered_at" in message


def test_unknown_wave_names_line_and_expected(tmp_path):
    message = error_of(write(tmp_path, HEADER + good_rows() + "m03,A,mid,q1,3,2026-01-05\n"))
    assert 'column "wave"' in message
    assert "'mid'" in message
    assert "CSV line 6" in message
    assert "pre, post, then" in message


def test_non_numeric_and_out_of_range_scores(tmp_path):
    text = HEADER + "m01,A,pre,q1,abc,2026-01-05\nm01,A,pre,q2,7,2026-01-05\nm01,A,pre,q3,0,2026-01-05\n"
    message = error_of(write(tmp_path, text))
    assert 'column "score": not a number on CSV line 2' in message
    assert "'abc'" in message
    assert 'column "score": outside the scale 1-5 on CSV lines 3, 4' in message


def test_scale_parameters_change_the_range(tmp_path):
    path = write(tmp_path, HEADER + "m01,A,pre,q1,0,2026-01-05\nm01,A,post,q1,20,2026-02-05\n")
    frame = read_scores_csv(path, scale_min=0, scale_max=20)
    assert frame["score"].tolist() == [0.0, 20.0]
    assert "outside the scale 1-5" in error_of(path)


def test_empty_required_values_and_bad_dates(tmp_path):
    text = HEADER + ",A,pre,q1,3,2026-01-05\nm01,A,pre,,3,2026-01-05\nm01,A,pre,q2,,yesterday\n"
    message = error_of(write(tmp_path, text))
    assert 'column "participant": empty value on CSV line 2' in message
    assert 'column "item": empty value on CSV line 3' in message
    assert 'column "score": empty value on CSV line 4' in message
    assert 'column "answered_at"' in message and "'yesterday'" in message


def test_every_problem_reported_at_once(tmp_path):
    text = HEADER + "m01,A,later,q1,x,bad\n"
    problems = None
    with pytest.raises(ScoresInputError) as info:
        read_scores_csv(write(tmp_path, text))
    problems = info.value.problems
    assert len(problems) == 3
    assert info.value.source == "scores.csv"


def test_duplicates_are_an_error_in_a_standalone_file(tmp_path):
    text = HEADER + good_rows() + "m01,Cohort A,pre,open_forward,3,2026-01-06T09:00:00Z\n"
    message = error_of(write(tmp_path, text))
    assert "the same (participant, wave, item) more than once" in message
    assert "CSV lines 2, 6" in message
    assert "m01, pre, open_forward" in message


def test_long_lists_of_rows_are_shortened(tmp_path):
    rows = "".join(f"m{i:02d},A,pre,q1,9,2026-01-05\n" for i in range(12))
    message = error_of(write(tmp_path, HEADER + rows))
    assert "CSV lines 2, 3, 4, 5, 6 and 7 more" in message


def test_empty_file_and_header_only(tmp_path):
    assert "file is empty" in error_of(write(tmp_path, "", "empty.csv"))
    assert "file is empty" in error_of(write(tmp_path, "\n\n", "blank.csv"))
    assert "no data rows" in error_of(write(tmp_path, HEADER, "header.csv"))


def test_missing_file_and_folder(tmp_path):
    assert "file not found" in error_of(tmp_path / "nope.csv")
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    assert "folder" in error_of(folder)


def test_too_large_checked_before_reading(tmp_path, monkeypatch):
    path = write(tmp_path, HEADER + good_rows())

    def refuse(*args, **kwargs):
        raise AssertionError("the file must not be read")

    monkeypatch.setattr(pd, "read_csv", refuse)
    message = error_of(path, max_bytes=10)
    assert "over the 10 bytes limit" in message


def test_one_gigabyte_sparse_file_fails_fast(tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as handle:
        handle.truncate(1024**3)  # sparse: takes no disk space, but stat() says 1 GB
    assert os.path.getsize(path) == 1024**3
    message = error_of(path)
    assert "file is 1.0 GB, over the 512.0 MB limit" in message


def test_not_utf8(tmp_path):
    path = write(tmp_path, HEADER + "m01,Équipe,pre,q1,3,2026-01-05\n", encoding="latin-1")
    message = error_of(path)
    assert "not UTF-8" in message


def test_malformed_csv(tmp_path):
    message = error_of(write(tmp_path, HEADER + "m01,A,pre,q1,3,2026-01-05,extra,fields\n"))
    assert "malformed CSV: more fields than the header's 6 on CSV line 2" in message
    late = HEADER + good_rows() + "m01,A,pre,q1,3,2026-01-05,extra\n"
    message = error_of(write(tmp_path, late, "late.csv"))
    assert "malformed CSV" in message and "line 6" in message
    message = error_of(write(tmp_path, HEADER + 'm01,"A,pre,q1,3,2026-01-05\n', "quote.csv"))
    assert "malformed CSV" in message


def test_validate_frame_uses_data_rows_and_normalises():
    frame = pd.DataFrame(
        {
            "participant": ["m01", "m02", 3],
            "cohort": ["A", None, float("nan")],
            "wave": ["pre", "post", "then"],
            "item": ["q1", "q1", "q1"],
            "score": [1, 5, 3],
            "answered_at": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03"]),
        }
    )
    out = validate_scores_frame(frame)
    assert out["participant"].tolist() == ["m01", "m02", "3"]
    assert out["cohort"].tolist() == ["A", "", ""]
    assert str(out["answered_at"].dt.tz) == "UTC"
    assert out["score"].dtype == "float64"

    bad = frame.assign(score=[1, 6, 3])
    with pytest.raises(ScoresInputError, match=r"outside the scale 1-5 on data row 2 \(first: 6\)"):
        validate_scores_frame(bad)


def test_validate_frame_duplicates_only_when_not_allowed():
    frame = pd.DataFrame(
        {
            "participant": ["m01", "m01"],
            "cohort": ["A", "A"],
            "wave": ["pre", "pre"],
            "item": ["q1", "q1"],
            "score": [2, 4],
            "answered_at": ["2026-01-01T10:00:00Z", "2026-01-02T10:00:00Z"],
        }
    )
    with pytest.raises(ScoresInputError, match="data rows 1, 2"):
        validate_scores_frame(frame, source="store")
    assert len(validate_scores_frame(frame, allow_duplicates=True)) == 2


def test_bad_scale_is_refused():
    frame = pd.DataFrame({c: [] for c in SCORE_COLUMNS})
    with pytest.raises(ScoresInputError, match="must be below"):
        validate_scores_frame(frame, scale_min=5, scale_max=1)


def test_latest_scores_keeps_the_last_answer():
    frame = pd.DataFrame(
        {
            "participant": ["m01", "m01", "m01", "m02", "m02"],
            "cohort": ["A"] * 5,
            "wave": ["pre", "pre", "post", "pre", "pre"],
            "item": ["q1", "q1", "q1", "q1", "q1"],
            "score": [2.0, 4.0, 5.0, 1.0, 3.0],
            "answered_at": pd.to_datetime(
                ["2026-01-02", "2026-01-01", "2026-03-01", "2026-01-01", "2026-01-01"], utc=True
            ),
        }
    )
    latest = latest_scores(frame)
    assert len(latest) == 3
    by_key = {(r.participant, r.wave): r.score for r in latest.itertuples()}
    assert by_key[("m01", "pre")] == 2.0  # later timestamp wins even though it comes first
    assert by_key[("m02", "pre")] == 3.0  # same timestamp: the later row wins
    assert latest_scores(frame.iloc[:0]).empty
