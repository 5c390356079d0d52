"""``workbook evaluate``: outputs, exit codes and one-line errors."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

from workbook.demo_scores import synthetic_scores
from workbook.evaluation.command import main


def write_scores(path, frame: pd.DataFrame | None = None):
    frame = synthetic_scores() if frame is None else frame
    out = frame.assign(answered_at=frame["answered_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    out.to_csv(path, index=False)
    return path


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert err.startswith("workbook evaluate: error: ")
    return err


def test_writes_json_and_every_export(tmp_path, capsys):
    scores = write_scores(tmp_path / "scores.csv")
    out = tmp_path / "result.json"
    code = main(
        [
            "--scores",
            str(scores),
            "--json",
            str(out),
            "--report",
            str(tmp_path / "report.html"),
            "--xlsx",
            str(tmp_path / "summary.xlsx"),
            "--summary-csv",
            str(tmp_path / "summary.csv"),
            "--synthetic",
        ]
    )
    assert code == 0
    captured = capsys.readouterr()
    assert "Analysed 40 participants" in captured.out and captured.err == ""
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["threshold"] == 5 and result["flow"]["participants"] == 40
    assert result["cohorts"]["Cohort C"]["scale"]["suppressed"] is True
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Synthetic demo data" in html
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert summary.iloc[0]["measure"] == "scale"
    workbook = openpyxl.load_workbook(tmp_path / "summary.xlsx")
    assert {"Summary", "Flow", "Method", "Settings"} <= set(workbook.sheetnames)


def test_scale_and_threshold_options(tmp_path):
    frame = synthetic_scores()
    scores = write_scores(tmp_path / "scores.csv", frame.assign(score=frame["score"] - 1))
    out = tmp_path / "result.json"
    assert main(["--scores", str(scores), "--scale-min", "0", "--scale-max", "4", "--json", str(out)]) == 0
    zero_based = json.loads(out.read_text())
    assert zero_based["scale_min"] == 0 and zero_based["scale_max"] == 4
    assert main(["--scores", str(scores), "--scale-min", "0", "--scale-max", "4", "--threshold", "3",
                 "--json", str(out)]) == 0  # fmt: skip
    assert json.loads(out.read_text())["cohorts"]["Cohort C"]["scale"]["suppressed"] is False


def test_bad_csv_is_a_one_line_error(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "participant,cohort,wave,item,score,answered_at\nm1,A,mid,q1,9,2026-01-05\n", encoding="utf-8"
    )
    out = tmp_path / "result.json"
    assert main(["--scores", str(bad), "--json", str(out)]) == 2
    err = one_line_error(capsys)
    assert "bad.csv" in err and "unknown wave 'mid'" in err and "outside the scale" in err
    assert not out.exists()


def test_out_of_range_for_the_given_scale(tmp_path, capsys):
    scores = write_scores(tmp_path / "scores.csv")
    assert main(["--scores", str(scores), "--scale-min", "0", "--scale-max", "4", "--json", "x.json"]) == 2
    assert "outside the scale 0-4" in one_line_error(capsys)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--threshold", "2"], "at least 3"),
        (["--threshold", "x"], "invalid int value"),
        (["--scale-min", "5", "--scale-max", "5"], "must be below"),
        (["--scale-max", "nan"], "finite number"),
        (["--unknown"], "unrecognized arguments"),
    ],
)
def test_bad_options(tmp_path, capsys, extra, message):
    scores = write_scores(tmp_path / "scores.csv")
    assert main(["--scores", str(scores), "--json", str(tmp_path / "r.json"), *extra]) == 2
    assert message in one_line_error(capsys)


def test_json_is_required(capsys):
    assert main(["--scores", "x.csv"]) == 2
    assert "--json" in one_line_error(capsys)


def test_missing_scores_file(tmp_path, capsys):
    assert main(["--scores", str(tmp_path / "nope.csv"), "--json", str(tmp_path / "r.json")]) == 2
    assert "nope.csv: file not found" in one_line_error(capsys)


def test_without_scores_the_store_is_analysed(tmp_path):
    from workbook.manager.demo import seed_manager_demo
    from workbook.manager.scores import scores_frame
    from workbook.store import Store

    store = Store()
    seed_manager_demo(store)
    out = tmp_path / "r.json"
    assert main(["--json", str(out), "--threshold", "3"]) == 0
    result = json.loads(out.read_text())
    assert result["flow"]["participants"] == scores_frame(store)["participant"].nunique()
    assert result["threshold"] == 3 and result["scale"]["n"] >= 3


def test_threshold_comes_from_the_setting(tmp_path, monkeypatch, capsys):
    scores = write_scores(tmp_path / "scores.csv")
    monkeypatch.setenv("WORKBOOK_ANONYMITY_THRESHOLD", "7")
    assert main(["--scores", str(scores), "--json", str(tmp_path / "r.json")]) == 0
    assert json.loads((tmp_path / "r.json").read_text())["threshold"] == 7
    monkeypatch.setenv("WORKBOOK_ANONYMITY_THRESHOLD", "2")
    assert main(["--scores", str(scores), "--json", str(tmp_path / "r.json")]) == 2
    assert "at least 3" in one_line_error(capsys)


def test_store_loader_is_used_when_no_scores_file(tmp_path):
    frame = synthetic_scores()
    # the store keeps history: an older answer for the same key must lose to the newer one
    older = frame.iloc[[0]].assign(score=1.0, answered_at=frame["answered_at"].iloc[0] - pd.Timedelta(days=1))
    history = pd.concat([frame, older], ignore_index=True)
    out = tmp_path / "r.json"
    assert main(["--json", str(out)], store_loader=lambda: history) == 0
    from_store = json.loads(out.read_text())
    assert main(["--scores", str(write_scores(tmp_path / "s.csv", frame)), "--json", str(out)]) == 0
    assert json.loads(out.read_text())["scale"] == from_store["scale"]


def test_unwritable_output_is_exit_1(tmp_path, capsys):
    scores = write_scores(tmp_path / "scores.csv")
    assert main(["--scores", str(scores), "--json", str(tmp_path / "missing" / "r.json")]) == 1
    assert "cannot write --json" in one_line_error(capsys)


def test_help_returns_zero(capsys):
    assert main(["--help"]) == 0
    assert "workbook evaluate" in capsys.readouterr().out


def test_two_one_person_cohorts_stay_hidden_in_every_output(tmp_path):
    """Overall minus the shown cohorts must not give two hidden one-person cohorts' means."""
    frame = synthetic_scores()
    frame = frame.assign(cohort=frame["cohort"].replace({"Cohort C": "Cohort B"}))  # only the two are small
    people = sorted(frame["participant"].unique())
    lone = {people[0]: "Solo 1", people[1]: "Solo 2"}
    frame = frame.assign(cohort=frame["participant"].map(lone).fillna(frame["cohort"]))
    scores = write_scores(tmp_path / "scores.csv", frame)
    out, csv_out = tmp_path / "result.json", tmp_path / "summary.csv"
    report = tmp_path / "report.html"
    assert main(["--scores", str(scores), "--json", str(out), "--summary-csv", str(csv_out),
                 "--report", str(report)]) == 0  # fmt: skip
    result = json.loads(out.read_text(encoding="utf-8"))
    cohorts = {name: entry["scale"] for name, entry in result["cohorts"].items()}
    assert cohorts["Solo 1"]["hidden_because"] == cohorts["Solo 2"]["hidden_because"] == "too_few"
    shown = sum(block["n"] for block in cohorts.values() if not block["suppressed"])
    remainder = result["scale"]["n"] - shown
    assert remainder == 0 or remainder >= result["threshold"]
    secondary = [name for name, block in cohorts.items() if block["hidden_because"] == "secondary"]
    assert secondary  # a shown cohort was hidden too, and says why
    summary = pd.read_csv(csv_out, keep_default_na=False)
    why = dict(zip(summary["cohort"], summary["why_hidden"], strict=True))
    assert why["Solo 1"] == "hidden: too few people (n = 1, fewer than 5)"
    assert why[secondary[0]].startswith("hidden so that a smaller group cannot be worked out")
    assert "hidden so that a smaller group cannot be worked out" in report.read_text(encoding="utf-8")


def test_the_json_of_the_demo_is_unchanged(tmp_path):
    """The JSON contract: `workbook evaluate` on the seeded demo writes, byte for byte, the file that
    the command wrote before the summary rows were typed (tests/data/evaluate_demo.json), with the
    `demo_data` field that says its figures are synthetic demo data."""
    from pathlib import Path

    from workbook.demo import seed_all
    from workbook.store import Store

    seed_all(Store())
    out = tmp_path / "demo.json"
    assert main(["--json", str(out)]) == 0
    expected = Path(__file__).with_name("data") / "evaluate_demo.json"
    assert out.read_bytes() == expected.read_bytes()


def test_pdf_report_holds_the_headline_and_the_summary(tmp_path, capsys):
    from pypdf import PdfReader

    scores = write_scores(tmp_path / "scores.csv")
    out, pdf = tmp_path / "r.json", tmp_path / "report.pdf"
    assert main(["--scores", str(scores), "--json", str(out), "--pdf", str(pdf), "--synthetic"]) == 0
    assert str(pdf) in capsys.readouterr().out
    result = json.loads(out.read_text(encoding="utf-8"))
    scale = result["scale"]
    reader = PdfReader(pdf)
    text = " ".join("".join(page.extract_text() for page in reader.pages).split())
    assert f"{scale['pct_change_of_means']:+.1f}%" in text
    assert f"Normalised gain: {scale['normalized_gain']:.2f}" in text
    assert f"{result['flow']['matched']} matched of {result['flow']['participants']}" in text
    assert "Synthetic demo data" in text and "Summary" in text
    hidden = result["cohorts"]["Cohort C"]["scale"]["hidden_text"]
    assert hidden.split("(")[0].strip() in text  # cohort C's row says why it is hidden
    assert "Who answered at each stage" in text  # a chart page, titled once for page, HTML and PDF
    assert len(reader.pages) >= 5


def test_unwritable_pdf_is_exit_1(tmp_path, capsys):
    scores = write_scores(tmp_path / "scores.csv")
    pdf = tmp_path / "missing" / "r.pdf"
    assert main(["--scores", str(scores), "--json", str(tmp_path / "r.json"), "--pdf", str(pdf)]) == 1
    assert "cannot write --pdf" in one_line_error(capsys)


def test_progress_is_off_off_a_terminal_and_on_when_asked(tmp_path, capsys):
    scores = write_scores(tmp_path / "scores.csv")
    out = tmp_path / "r.json"
    assert main(["--scores", str(scores), "--json", str(out)]) == 0
    assert capsys.readouterr().err == ""  # tests do not run on a terminal: no bar
    assert main(["--scores", str(scores), "--json", str(out), "--progress"]) == 0
    captured = capsys.readouterr()
    assert "Evaluating" in captured.err and "100%" in captured.err and "3/3" in captured.err
    assert "Evaluating" not in captured.out  # stdout stays clean for scripts


def _cohort_with_a_late_pre(store, n: int = 6):
    """n managers answer pre (2s) then post (4s, then 1s); pre is reopened with a reason and one
    manager answers it again with all 1s, after post opened: a late answer."""
    from workbook import identity
    from workbook.manager.content import instrument
    from workbook.manager.scores import submit_comfort_check
    from workbook.manager.waves import set_wave

    items = instrument().item_ids
    people = [identity.add_participant(store, f"Manager {k}", cohort="Late").person for k in range(n)]
    set_wave(store, "Late", "pre", True)
    for person in people:
        submit_comfort_check(store, person, "pre", {"pre": dict.fromkeys(items, 2)})
    set_wave(store, "Late", "post", True)  # closes pre
    for person in people:
        submit_comfort_check(
            store, person, "post", {"post": dict.fromkeys(items, 4), "then": dict.fromkeys(items, 1)}
        )
    set_wave(store, "Late", "pre", True, reason="one manager asked to correct their answers")
    submit_comfort_check(store, people[0], "pre", {"pre": dict.fromkeys(items, 1)})
    return people


def test_late_answers_are_left_out_by_default_counted_in_the_flow_and_included_when_asked(tmp_path, capsys):
    from workbook.store import Store

    _cohort_with_a_late_pre(Store())
    out = tmp_path / "r.json"
    assert main(["--json", str(out)]) == 0
    assert "1 with late answers, left out" in capsys.readouterr().out
    result = json.loads(out.read_text())
    assert result["late_included"] is False and result["flow"]["late"] == 1
    assert result["flow"]["participants"] == 6 and result["flow"]["matched"] == 6
    assert result["scale"]["pre_mean"] == pytest.approx(2.0)  # the answer given in time counts
    assert result["cohorts"]["Late"]["flow"]["late"] == 1
    assert "late" in result["method"]
    assert main(["--json", str(out), "--include-late"]) == 0
    included = json.loads(out.read_text())
    assert included["late_included"] is True and included["flow"]["late"] == 1
    assert included["scale"]["pre_mean"] == pytest.approx((5 * 2 + 1) / 6)


def test_a_scores_csv_with_a_late_column_is_read_the_same_way(tmp_path):
    from workbook.manager.scores import export_scores_csv
    from workbook.store import Store

    store = Store()
    _cohort_with_a_late_pre(store)
    exported = tmp_path / "scores.csv"
    export_scores_csv(store, exported)
    out = tmp_path / "r.json"
    assert main(["--scores", str(exported), "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["flow"]["late"] == 1 and result["scale"]["pre_mean"] == pytest.approx(2.0)


def _demo_and_a_real_cohort():
    """The store: the demo's cohorts and a real cohort of five managers with pre and post answers."""
    from workbook import identity
    from workbook.manager.content import instrument
    from workbook.manager.demo import seed_manager_demo
    from workbook.manager.scores import insert_score_rows
    from workbook.store import Store, utcnow

    store = Store()
    seed_manager_demo(store)
    people = [identity.add_participant(store, f"Real {k}", cohort="Spring 2025").person for k in range(5)]
    rows = [
        {"participant_id": p.id, "wave": wave, "item": item, "score": score + k % 2, "answered_at": utcnow()}
        for k, p in enumerate(people)
        for wave, score in (("pre", 2.0), ("post", 3.0))
        for item in instrument().item_ids
    ]
    with store.write() as session:
        insert_score_rows(session, rows)
    return store


def _every_output(tmp_path, *extra: str) -> tuple[dict, dict[str, str]]:
    from pypdf import PdfReader

    files = {name: tmp_path / name for name in ("r.json", "r.html", "r.pdf", "r.xlsx", "r.csv")}
    options = ("--json", "--report", "--pdf", "--xlsx", "--summary-csv")
    argv = [part for pair in zip(options, files.values(), strict=True) for part in map(str, pair)]
    assert main([*argv, *extra]) == 0
    book = openpyxl.load_workbook(files["r.xlsx"])
    texts = {
        "html": files["r.html"].read_text(encoding="utf-8"),
        "csv": files["r.csv"].read_text(encoding="utf-8"),
        "pdf": "\n".join(page.extract_text() for page in PdfReader(files["r.pdf"]).pages),
        "xlsx": "\n".join(
            [book.properties.title or ""]
            + [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
        ),
    }
    return json.loads(files["r.json"].read_text(encoding="utf-8")), texts


def test_a_real_cohort_leaves_the_demo_out_unless_asked(tmp_path, capsys):
    _demo_and_a_real_cohort()
    result, texts = _every_output(tmp_path)
    assert list(result["cohorts"]) == ["Spring 2025"] and result["flow"]["participants"] == 5
    assert result["demo_data"] == {
        "label": None,
        "included": [],
        "left_out": ["Demo cohort A", "Demo cohort B", "Demo cohort C"],
    }
    for kind, text in texts.items():
        assert "synthetic" not in text.lower() and "Demo cohort" not in text, kind
    assert "left out the synthetic demo cohorts" in capsys.readouterr().out

    result, texts = _every_output(tmp_path, "--include-demo")
    assert set(result["cohorts"]) == {"Spring 2025", "Demo cohort A", "Demo cohort B", "Demo cohort C"}
    assert result["demo_data"] == {
        "label": "includes synthetic demo data",
        "included": ["Demo cohort A", "Demo cohort B", "Demo cohort C"],
        "left_out": [],
    }
    title = "Career-conversation coaching: evaluation report (includes synthetic demo data)"
    assert f"<title>{title}</title>" in texts["html"]
    assert "evaluation report (includes synthetic demo data)" in " ".join(texts["pdf"].split())
    assert "Evaluation summary (includes synthetic demo data)" in texts["xlsx"]
    assert set(pd.read_csv(tmp_path / "r.csv")["data"]) == {"includes synthetic demo data"}


def test_only_the_demo_is_analysed_and_marked_synthetic(tmp_path):
    from workbook.manager.demo import seed_manager_demo
    from workbook.store import Store

    seed_manager_demo(Store())
    result, texts = _every_output(tmp_path)
    assert result["demo_data"]["label"] == "synthetic demo data" and result["demo_data"]["left_out"] == []
    assert set(result["cohorts"]) == {"Demo cohort A", "Demo cohort B", "Demo cohort C"}
    assert "evaluation report (synthetic demo data)</title>" in texts["html"]
    assert "Synthetic demo data: these figures describe invented" in texts["html"]
    for kind, text in texts.items():
        assert "synthetic demo data" in text.lower(), kind


def test_include_demo_is_for_the_store_only(tmp_path, capsys):
    scores = write_scores(tmp_path / "scores.csv")
    assert main(["--scores", str(scores), "--json", str(tmp_path / "r.json"), "--include-demo"]) == 2
    assert "--include-demo is for the store's scores" in one_line_error(capsys)
    assert not (tmp_path / "r.json").exists()
