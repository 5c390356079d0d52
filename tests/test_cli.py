from __future__ import annotations

import docx
import pypdf
from sqlalchemy import select

from workbook import identity
from workbook.cli import build_parser, main
from workbook.demo import DEMO_TEAM_MEMBER
from workbook.manager.content import instrument
from workbook.models import Score
from workbook.preparation import SCOPE
from workbook.store import Store


def test_demo_is_idempotent_and_prints_a_working_link(capsys):
    assert main(["demo"]) == 0
    first = capsys.readouterr().out
    store = Store()
    person = identity.find_participant(store, DEMO_TEAM_MEMBER)
    answers_before = store.count_answers()
    assert main(["demo"]) == 0
    second = capsys.readouterr().out
    assert store.count_answers() == answers_before
    assert "synthetic" in first and "already there" in second
    link = next(word for word in second.split() if "participant.ipynb?code=" in word)
    code = link.split("code=", 1)[1]
    assert identity.authenticate(store, code).pid == person.pid


def test_export_idp_in_each_format(tmp_path, capsys):
    store = Store()
    person = identity.add_participant(store, "Ana Silva").person
    store.save_answer(
        person.id,
        SCOPE,
        "goals.goals",
        [
            {
                "goal": "Lead onboarding",
                "measure": "Rated 4+",
                "target_date": "2027-03-01",
                "first_step": "Ask",
            }
        ],
    )
    assert main(["export-idp", person.pid, "--format", "docx", "--out", str(tmp_path / "plan.docx")]) == 0
    cells = [
        c.text for t in docx.Document(str(tmp_path / "plan.docx")).tables for r in t.rows for c in r.cells
    ]
    assert "Lead onboarding" in cells
    assert main(["export-idp", person.pid, "--format", "pdf", "--out", str(tmp_path)]) == 0
    pdf = next(tmp_path.glob("development-plan-ana-silva-*.pdf"))
    text = "".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    assert "Ana Silva" in text and "Lead onboarding" in text
    assert main(["export-idp", person.pid, "--format", "md", "--out", str(tmp_path / "plan.md")]) == 0
    assert "Lead onboarding" in (tmp_path / "plan.md").read_text()
    assert main(["export-idp", "nobody", "--format", "md", "--out", str(tmp_path / "x.md")]) == 2
    assert "unknown participant" in capsys.readouterr().err


def test_serve_arguments():
    args = build_parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "9000"])
    assert (args.host, args.port) == ("0.0.0.0", 9000)


def test_waves_and_scores_round_trip_through_the_command(tmp_path, capsys):
    assert main(["demo"]) == 0
    assert main(["waves", "show", "Demo cohort C"]) == 0
    assert "post: closed" in capsys.readouterr().out
    assert main(["waves", "open", "Demo cohort C", "post"]) == 0
    assert "post: open, then: open" in capsys.readouterr().out
    assert main(["scores", "export", "--out", str(tmp_path / "scores.csv")]) == 0
    lines = (tmp_path / "scores.csv").read_text().splitlines()
    assert lines[0] == "participant,cohort,wave,item,score,answered_at,late"
    assert "Demo manager" not in "".join(lines)  # pseudonymous ids only
    bad = lines[:]
    cells = bad[3].split(",")
    cells[4] = "7"
    bad[3] = ",".join(cells)
    (tmp_path / "bad.csv").write_text("\n".join(bad) + "\n")
    capsys.readouterr()
    assert main(["scores", "import", str(tmp_path / "bad.csv")]) == 2
    assert "score" in capsys.readouterr().err
    assert main(["waves", "open", "No such cohort", "pre"]) == 2
    assert "unknown cohort" in capsys.readouterr().err


def test_the_command_line_keeps_the_waves_in_order(capsys):
    from workbook.manager.scores import submit_comfort_check
    from workbook.manager.waves import last_changes, open_waves

    store = Store()
    manager = identity.add_participant(store, "Ola Manager", cohort="Line").person
    assert main(["waves", "open", "Line", "pre"]) == 0
    assert main(["waves", "open", "Line", "post"]) == 0  # opening post closes pre, and says so
    out = capsys.readouterr().out
    assert "pre closed with it: once post has opened, pre takes no new answers" in out
    assert "pre: closed, post: open, then: open" in out
    # a late pre is refused: without a reason nothing changes
    assert main(["waves", "open", "Line", "pre"]) == 2
    err = capsys.readouterr().err
    assert "takes no new answers" in err and "--reason" in err and "Nothing changed" in err
    assert main(["waves", "open", "Line", "pre", "--reason", "  "]) == 2
    assert open_waves(store, "Line")["pre"] is False and "reason" not in capsys.readouterr().out
    assert main(["waves", "open", "Line", "pre", "--reason", "Two managers were ill on day one"]) == 0
    assert "marked late" in capsys.readouterr().out
    change = last_changes(store, "Line")["pre"]
    assert change.is_open and change.reason == "Two managers were ill on day one" and change.by is None
    answers = {item: 2 for item in instrument().item_ids}
    submit_comfort_check(store, manager, "pre", {"pre": answers})
    with store.read() as session:
        assert set(session.scalars(select(Score.late))) == {True}


def test_demo_prints_evaluator_links_that_open_the_evaluator_app(capsys, monkeypatch):
    monkeypatch.setenv("WORKBOOK_EVALUATOR_KEY", "demo-evaluator-key-0123456789")
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "evaluator.ipynb?key=demo-evaluator-key-0123456789" in out
    link = next(word for word in out.split() if "evaluator.ipynb?code=" in word)
    evaluator = identity.authenticate(Store(), link.split("code=", 1)[1])
    assert evaluator.holds("evaluator") and not evaluator.holds("manager", "team_member")
    monkeypatch.delenv("WORKBOOK_EVALUATOR_KEY")
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "key=" not in out and "evaluator.ipynb?code=" in out


def test_serve_refuses_a_weak_evaluator_key(capsys, monkeypatch):
    monkeypatch.setenv("WORKBOOK_EVALUATOR_KEY", "correct horse battery staple")
    assert main(["serve", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert "at least 22 characters" in err and "token_urlsafe" in err


def test_demo_seeds_two_past_1on1s_with_open_actions_and_prints_both_links_managers_first(capsys):
    from urllib.parse import parse_qs, urlsplit

    from workbook.demo import DEMO_MANAGER
    from workbook.manager.behaviour import conversations
    from workbook.team.conversation import open_thread
    from workbook.team.snapshot import read_state

    assert main(["demo"]) == 0 and main(["demo"]) == 0  # idempotent: the second run adds no 1:1
    out = capsys.readouterr().out.split("Demo content is synthetic")[-1]
    store = Store()
    member, manager = (identity.find_participant(store, pid) for pid in (DEMO_TEAM_MEMBER, DEMO_MANAGER))
    state = read_state(store, open_thread(store, manager, member.pid))
    assert len(state.past) == 2 and state.planned_on is not None
    assert [a.status for a in state.actions] == ["open", "open"]
    assert len([c for c in conversations(store, manager) if c.alias == "D.T.M."]) == 2
    links = [word for word in out.split() if "conversation.ipynb?" in word]
    assert len(links) == 2
    first, second = (parse_qs(urlsplit(link).query) for link in links)
    assert first["member"] == [DEMO_TEAM_MEMBER] and "member" not in second  # the manager's first
    assert identity.authenticate(store, first["code"][0]).pid == DEMO_MANAGER
    assert identity.authenticate(store, second["code"][0]).pid == DEMO_TEAM_MEMBER
