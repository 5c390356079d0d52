"""Scores of the comfort and skill check: crafted values are refused with nothing stored, waves gate
answers, history is kept, and CSV import is all-or-nothing and round-trips exactly."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from matplotlib.figure import Figure
from sqlalchemy import func, insert, select

from workbook.identity import add_participant
from workbook.manager.content import ITEM_IDS
from workbook.manager.scores import export_scores_csv, import_scores_csv, my_scores, save_scores, scores_frame
from workbook.manager.summary import before_after, before_after_figure, my_before_after
from workbook.manager.waves import open_waves, set_wave, wave_is_open
from workbook.models import Participant, Score
from workbook.scores_frame import SCORE_COLUMNS, ScoresInputError
from workbook.store import Store, StoreError
from workbook.validation import InputError


@pytest.fixture
def manager(store):
    person = add_participant(store, "Ada Manager", cohort="Cohort 1", pid="m-ada").person
    set_wave(store, "Cohort 1", "pre", True)
    return person


def n_scores(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count(Score.id)))


# -- waves ---------------------------------------------------------------------------------------------
def test_waves_open_close_and_then_follows_post(store):
    add_participant(store, "X", cohort="C")
    assert open_waves(store, "C") == {"pre": False, "post": False, "then": False}
    assert set_wave(store, "C", "pre", True) is True
    assert set_wave(store, "C", "pre", True) is False  # no change, nothing recorded
    assert wave_is_open(store, "C", "pre")
    set_wave(store, "C", "pre", False)
    set_wave(store, "C", "post", True)
    assert open_waves(store, "C") == {"pre": False, "post": True, "then": True}
    set_wave(store, "C", "post", False)
    assert not wave_is_open(store, "C", "then")
    with pytest.raises(InputError, match="opens and closes with 'post'"):
        set_wave(store, "C", "then", True)
    with pytest.raises(InputError, match="not one of pre, post"):
        set_wave(store, "C", "middle", True)
    with pytest.raises(InputError, match="true or false"):
        set_wave(store, "C", "pre", 1)
    with pytest.raises(StoreError, match="unknown cohort"):
        set_wave(store, "Nope", "pre", True)


# -- saving ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value", [True, False, 3.0, float("nan"), math.inf, "3", None, 0, 6, -1, [3], {"v": 3}]
)
def test_crafted_values_are_refused_and_nothing_stored(store, manager, value):
    with pytest.raises(InputError, match="open_forward"):
        save_scores(store, manager, "pre", {"invite_lead": 4, "open_forward": value})
    assert n_scores(store) == 0


@pytest.mark.parametrize(
    ("wave", "answers", "message"),
    [
        ("pre", {"made_up": 3}, "'made_up' is not a question"),
        ("pre", {3: 3}, "not a question"),
        ("pre", {}, "at least one answer"),
        ("pre", [("open_forward", 3)], "at least one answer"),
        ("middle", {"open_forward": 3}, "wave: 'middle'"),
        ("PRE", {"open_forward": 3}, "wave: 'PRE'"),
        (None, {"open_forward": 3}, "wave: None"),
    ],
)
def test_unknown_items_and_waves_are_refused(store, manager, wave, answers, message):
    with pytest.raises(InputError, match=message):
        save_scores(store, manager, wave, answers)
    assert n_scores(store) == 0


def test_every_problem_is_named(store, manager):
    with pytest.raises(InputError) as caught:
        save_scores(store, manager, "pre", {"open_forward": 9, "x": 1, "follow_up": True})
    assert "open_forward: 9 is outside" in str(caught.value)
    assert "'x' is not a question" in str(caught.value)
    assert "follow_up: expected a whole number" in str(caught.value)


def test_closed_wave_is_refused(store, manager):
    for wave in ("post", "then"):
        with pytest.raises(InputError, match=f"the {wave} check is not open"):
            save_scores(store, manager, wave, {"open_forward": 4})
    set_wave(store, "Cohort 1", "pre", False)
    with pytest.raises(InputError, match="the pre check is not open"):
        save_scores(store, manager, "pre", {"open_forward": 4})
    set_wave(store, "Cohort 1", "post", True)
    save_scores(store, manager, "then", {"open_forward": 2})
    save_scores(store, manager, "post", {"open_forward": 4})
    assert n_scores(store) == 2


def test_participant_without_cohort_is_refused(store):
    loner = add_participant(store, "No cohort").person
    with pytest.raises(InputError, match="not in a cohort"):
        save_scores(store, loner, "pre", {"open_forward": 3})


def test_history_is_kept_and_latest_counts(store, manager):
    save_scores(store, manager, "pre", {"open_forward": 2, "follow_up": 3})
    save_scores(store, manager, "pre", {"open_forward": 4})
    assert n_scores(store) == 3
    mine = my_scores(store, manager)
    assert list(mine.columns) == ["wave", "item", "score", "answered_at"]
    assert dict(zip(mine["item"], mine["score"], strict=True)) == {"open_forward": 4.0, "follow_up": 3.0}


def test_my_scores_only_holds_one_person(store, manager):
    other = add_participant(store, "Other", cohort="Cohort 1").person
    save_scores(store, manager, "pre", {"open_forward": 2})
    save_scores(store, other, "pre", {"open_forward": 5, "follow_up": 5})
    assert len(my_scores(store, manager)) == 1
    assert len(my_scores(store, other)) == 2


def test_scores_frame_is_pseudonymous_long_format(store, manager):
    add_participant(store, "Bea", cohort="Cohort 2", pid="m-bea")
    save_scores(store, manager, "pre", {"open_forward": 2, "follow_up": 3})
    save_scores(store, manager, "pre", {"open_forward": 5})
    frame = scores_frame(store)
    assert tuple(frame.columns) == (*SCORE_COLUMNS, "late") and not frame["late"].any()
    assert set(frame["participant"]) == {"m-ada"}
    assert "Ada Manager" not in frame.to_csv()
    assert list(frame["item"]) == ["open_forward", "follow_up"]  # instrument order
    assert list(frame["score"]) == [5.0, 3.0]
    assert set(frame["cohort"]) == {"Cohort 1"}
    assert len(scores_frame(store, "Cohort 2")) == 0
    with pytest.raises(StoreError):
        scores_frame(store, "No such cohort")


# -- import and export ---------------------------------------------------------------------------------
HEADER = "participant,cohort,wave,item,score,answered_at\n"


def _rows(pid: str, cohort: str, n: int) -> list[str]:
    items = [(wave, item) for wave in ("pre", "post") for item in ITEM_IDS][:n]
    return [
        f"{pid},{cohort},{wave},{item},{3},2025-01-0{1 if wave == 'pre' else 9}T10:00:00Z"
        for wave, item in items
    ]


def _set(rows: list[str], index: int, column: str, value: str) -> None:
    cells = rows[index].split(",")
    cells[SCORE_COLUMNS.index(column)] = value
    rows[index] = ",".join(cells)


def test_import_is_all_or_nothing_and_names_every_bad_row(store, manager, tmp_path):
    rows = _rows("m-ada", "Cohort 1", 20)
    _set(rows, 4, "score", "3.5")  # CSV line 6
    _set(rows, 9, "item", "mystery_item")  # CSV line 11
    _set(rows, 11, "participant", "m-ghost")  # CSV line 13
    _set(rows, 14, "cohort", "Cohort 9")  # CSV line 16
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(ScoresInputError) as caught:
        import_scores_csv(store, path)
    message = str(caught.value)
    assert 'column "score": not a whole number on CSV line 6' in message
    assert "column \"item\": unknown item on CSV line 11 (first: 'mystery_item')" in message
    assert "column \"participant\": unknown participant id on CSV line 13 (first: 'm-ghost')" in message
    assert 'column "cohort": not the participant\'s cohort on CSV line 16' in message
    assert len(caught.value.problems) == 4
    assert n_scores(store) == 0


def test_import_shape_problems_come_from_scores_frame(store, manager, tmp_path):
    rows = _rows("m-ada", "Cohort 1", 6)
    _set(rows, 2, "score", "7")
    _set(rows, 3, "wave", "later")
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(ScoresInputError, match=r'column "score": outside the scale 1-5 on CSV line 4'):
        import_scores_csv(store, path)
    assert n_scores(store) == 0


def test_import_good_file_and_empty_cohort_is_accepted(store, manager, tmp_path):
    rows = _rows("m-ada", "", 20)
    path = tmp_path / "good.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    assert import_scores_csv(store, path) == 20
    frame = scores_frame(store)
    assert len(frame) == 20 and set(frame["cohort"]) == {"Cohort 1"}
    assert frame["answered_at"].min() == datetime(2025, 1, 1, 10, tzinfo=UTC)


def test_a_large_import_shows_progress_when_asked_and_writes_every_row_in_one_go(
    tmp_path, monkeypatch, capsys
):
    from workbook import cli
    from workbook.manager import scores

    store = Store()  # the command's store (the test's data folder)
    add_participant(store, "Ada Manager", cohort="Cohort 1", pid="m-ada")
    monkeypatch.setattr(scores, "IMPORT_CHUNK", 7)  # 20 rows: three INSERTs, one transaction
    path = tmp_path / "good.csv"
    path.write_text(HEADER + "\n".join(_rows("m-ada", "", 20)) + "\n", encoding="utf-8")
    assert cli.main(["scores", "import", str(path)]) == 0
    captured = capsys.readouterr()
    assert "Imported 20 score rows" in captured.out and captured.err == ""  # no terminal: no bar
    assert cli.main(["scores", "import", "--progress", str(path)]) == 0
    captured = capsys.readouterr()
    assert "Importing scores" in captured.err and "20/20" in captured.err
    assert n_scores(store) == 40


def test_an_import_that_fails_while_writing_stores_nothing(store, manager, tmp_path, monkeypatch):
    from workbook.manager import scores

    monkeypatch.setattr(scores, "IMPORT_CHUNK", 7)
    calls = []
    original = scores.insert_score_rows

    def fail_on_the_third(session, rows):
        calls.append(len(rows))
        if len(calls) == 3:
            raise RuntimeError("disk full")
        original(session, rows)

    monkeypatch.setattr(scores, "insert_score_rows", fail_on_the_third)
    path = tmp_path / "good.csv"
    path.write_text(HEADER + "\n".join(_rows("m-ada", "", 20)) + "\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        import_scores_csv(store, path)
    assert calls == [7, 7, 6] and n_scores(store) == 0


def _populate(store: Store) -> None:
    """Scores for several people and cohorts, with history, written straight into the store."""
    people = [("m-1", "North"), ("m-2", "North"), ("m-3", "South"), ("m-4", None)]
    for pid, cohort in people:
        add_participant(store, f"Person {pid}", roles=[f"manager:{cohort}" if cohort else "manager"], pid=pid)
    start = datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
    rows = []
    with store.read() as session:
        ids = dict(session.execute(select(Participant.pid, Participant.id)).all())
    for n, (pid, _) in enumerate(people):
        for w, wave in enumerate(("pre", "post", "then")):
            for i, item in enumerate(ITEM_IDS):
                at = start + timedelta(days=30 * w, seconds=n * 100 + i, microseconds=n)
                rows.append(
                    {
                        "participant_id": ids[pid],
                        "wave": wave,
                        "item": item,
                        "score": float(1 + (n + i + w) % 5),
                        "answered_at": at,
                    }
                )
    rows.append({**rows[0], "score": 5.0, "answered_at": start + timedelta(days=1)})  # a later answer
    with store.write() as session:
        session.execute(insert(Score), rows)


def test_export_import_round_trip_is_identical(tmp_path):
    first = Store(f"sqlite:///{tmp_path}/first.sqlite")
    _populate(first)
    exported = tmp_path / "first.csv"
    assert export_scores_csv(first, exported) == 4 * 3 * 10
    second = Store(f"sqlite:///{tmp_path}/second.sqlite")
    for pid, cohort in [("m-1", "North"), ("m-2", "North"), ("m-3", "South"), ("m-4", None)]:
        role = f"manager:{cohort}" if cohort else "manager"
        add_participant(second, f"Someone {pid}", roles=[role], pid=pid)
    assert import_scores_csv(second, exported) == 120
    again = tmp_path / "second.csv"
    export_scores_csv(second, again)
    assert again.read_bytes() == exported.read_bytes()
    text = exported.read_text(encoding="utf-8")
    assert text.startswith(HEADER.replace("\n", ",late\n"))  # the store says which answers are late
    assert "m-1,North,pre,open_forward,5,2025-03-02T09:30:15.123456+00:00" in text
    assert "Person" not in text


def test_export_of_one_cohort(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/t.sqlite")
    _populate(store)
    path = tmp_path / "north.csv"
    assert export_scores_csv(store, path, cohort="North") == 60


# -- the manager's own summary -------------------------------------------------------------------------
def test_before_after_table_sentences_and_figure(store, manager):
    save_scores(store, manager, "pre", dict.fromkeys(ITEM_IDS, 2) | {"follow_up": 4})
    set_wave(store, "Cohort 1", "post", True)
    save_scores(store, manager, "post", dict.fromkeys(ITEM_IDS, 4) | {"follow_up": 3})
    save_scores(store, manager, "then", dict.fromkeys(ITEM_IDS, 1))
    summary = my_before_after(store, manager)
    overall = summary.table.loc["overall"]
    assert overall["pre"] == pytest.approx(2.2)
    assert overall["post"] == pytest.approx(3.9)
    assert overall["change"] == pytest.approx(1.7)
    assert overall["change_from_then"] == pytest.approx(2.9)
    text = " ".join(summary.sentences)
    assert (
        "rose from 2.2 before the programme to 3.9 after it (on a scale of 1 to 5), a change of +1.7" in text
    )
    assert "went down for “Follow up on progress”" in text
    assert "lower than the 2.2 you gave at the start" in text
    assert "not a measure of how your conversations go" in text
    figure = before_after_figure(summary)
    assert isinstance(figure, Figure)
    ax = figure.axes[0]
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert "Overall (mean of the questions)" in [t.get_text() for t in ax.get_yticklabels()]
    colours = {tuple(c.get_facecolor()[0][:3]) for c in ax.collections}
    assert len(colours) == 3


def test_before_after_with_no_or_partial_answers(store, manager):
    empty = my_before_after(store, manager)
    assert empty.sentences == ["You have not answered the confidence check yet."]
    before_after_figure(empty)
    save_scores(store, manager, "pre", {"open_forward": 3})
    only_pre = before_after(my_scores(store, manager))
    assert "Before the programme you rated your overall confidence 3.0" in only_pre.sentences[0]


def test_export_neutralises_formula_cells_and_import_reads_them_back(tmp_path):
    """A cohort named like a formula stays text in a spreadsheet, and the file still round-trips."""
    names = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "'quoted"]
    first = Store(f"sqlite:///{tmp_path}/first.sqlite")
    second = Store(f"sqlite:///{tmp_path}/second.sqlite")
    for k, cohort in enumerate(names):
        for store in (first, second):
            add_participant(store, f"P{k}", cohort=cohort, pid=f"m-{k}")
    with first.read() as session:
        ids = dict(session.execute(select(Participant.pid, Participant.id)).all())
    at = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    with first.write() as session:
        session.execute(
            insert(Score),
            [
                {"participant_id": ids[f"m-{k}"], "wave": "pre", "item": ITEM_IDS[0], "score": 3.0}
                | {"answered_at": at}
                for k in range(len(names))
            ],
        )
    exported = tmp_path / "scores.csv"
    export_scores_csv(first, exported)
    cells = [line.split(",", 2)[1] for line in exported.read_text(encoding="utf-8").splitlines()[1:]]
    assert not [cell for cell in cells if cell.lstrip('"').startswith(("=", "+", "-", "@"))]
    assert "'+1" in cells and "'-2" in cells and "'@SUM(A1)" in cells and "''quoted" in cells
    assert import_scores_csv(second, exported) == len(names)
    assert sorted(scores_frame(second)["cohort"]) == sorted(names)


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ("2999-01-01T00:00:00Z", 'column "answered_at": in the future on CSV line 4 (first: 2999-01-01'),
        ("1999-12-31T23:59:59Z", 'column "answered_at": before 2000-01-01 on CSV line 4 (first: 1999-12-31'),
    ],
)
def test_import_refuses_an_answer_in_the_future_or_before_2000(store, manager, tmp_path, when, message):
    rows = _rows("m-ada", "Cohort 1", 6)
    _set(rows, 2, "answered_at", when)
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(ScoresInputError) as caught:
        import_scores_csv(store, path)
    assert message in str(caught.value)
    assert n_scores(store) == 0


def test_submitting_the_end_check_writes_post_and_then_in_one_transaction(store):
    from workbook.manager.scores import submit_comfort_check

    person = add_participant(store, "Una", roles=["manager:North"]).person
    set_wave(store, "North", "post", True)
    transactions = []
    counted = store.guarded(lambda session: transactions.append(session))
    full = {item: 4 for item in ITEM_IDS}
    with pytest.raises(InputError, match="the look-back questions: answer every question"):
        submit_comfort_check(counted, person, "post", {"post": full, "then": dict(list(full.items())[:3])})
    assert transactions == [] and my_scores(store, person).empty
    submit_comfort_check(counted, person, "post", {"post": full, "then": full})
    assert len(transactions) == 1, "post and then are written together or not at all"
    assert sorted(set(my_scores(store, person)["wave"])) == ["post", "then"]
    with pytest.raises(InputError, match="'later' is not a check you can submit"):
        submit_comfort_check(store, person, "later", {})


def test_an_import_keeps_the_order_of_the_waves(store, manager, tmp_path):
    """Rows answered after a later wave opened for the participant's cohort are stored late (and a row
    the file marks late stays late); rows in time are not; a bad late value is refused, nothing stored."""

    set_wave(store, "Cohort 1", "post", True)  # closes pre; from now on pre answers are late
    now = datetime.now(UTC)
    before, after = (now - timedelta(days=3)).isoformat(), now.isoformat()
    rows = [
        f"m-ada,Cohort 1,pre,{ITEM_IDS[0]},3,{before}",
        f"m-ada,Cohort 1,pre,{ITEM_IDS[1]},1,{after}",
        f"m-ada,Cohort 1,post,{ITEM_IDS[0]},4,{after}",
    ]
    path = tmp_path / "paper.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    assert import_scores_csv(store, path) == 3
    with store.read() as session:
        late = dict(session.execute(select(Score.item, Score.late).where(Score.wave == "pre")).all())
    assert late == {ITEM_IDS[0]: False, ITEM_IDS[1]: True}
    frame = scores_frame(store)
    assert frame.loc[frame["late"], "item"].tolist() == [ITEM_IDS[1]]
    marked = tmp_path / "marked.csv"
    marked.write_text(
        HEADER.replace("\n", ",late\n") + f"m-ada,Cohort 1,then,{ITEM_IDS[0]},2,{before},true\n",
        encoding="utf-8",
    )
    assert import_scores_csv(store, marked) == 1
    with store.read() as session:
        assert session.scalar(select(Score.late).where(Score.wave == "then")) is True
    before_bad = n_scores(store)
    marked.write_text(
        HEADER.replace("\n", ",late\n") + f"m-ada,Cohort 1,then,{ITEM_IDS[0]},2,{before},maybe\n",
        encoding="utf-8",
    )
    with pytest.raises(ScoresInputError, match='column "late": expected true or false on CSV line 2'):
        import_scores_csv(store, marked)
    assert n_scores(store) == before_bad
