from __future__ import annotations

import shutil

import pytest
import yaml

from workbook import content
from workbook.cli import main
from workbook.config import REPO_ROOT
from workbook.content import ContentError, Preparation, load_model


def test_shipped_content_is_valid():
    assert content.check_all() == []
    prep = content.preparation()
    assert [s.id for s in prep.sections] == [
        "self_awareness",
        "aspirations",
        "strengths_plan",
        "support",
        "goals",
    ]
    goals = prep.section("goals").goals
    assert goals is not None and (goals.recommended_min, goals.max) == (2, 3)


def _copy_content(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(REPO_ROOT / "data", folder)
    return folder


def test_broken_file_names_file_and_key(tmp_path):
    folder = _copy_content(tmp_path)
    path = folder / "preparation.yaml"
    path.write_text(path.read_text().replace("kind: long_text", "kind: essay", 1))
    with pytest.raises(ContentError) as error:
        load_model(path, Preparation)
    message = str(error.value)
    assert "preparation.yaml" in message and "sections.0.fields.0.kind" in message


def test_not_yaml_is_reported(tmp_path):
    path = tmp_path / "preparation.yaml"
    path.write_text("sections: [unclosed")
    with pytest.raises(ContentError, match="not valid YAML"):
        load_model(path, Preparation)


def test_unknown_key_is_reported(tmp_path):
    folder = _copy_content(tmp_path)
    path = folder / "preparation.yaml"
    path.write_text(path.read_text().replace("title: Prepare", "titel: oops\ntitle: Prepare", 1))
    with pytest.raises(ContentError, match="titel"):
        load_model(path, Preparation)


def test_content_check_command(tmp_path, capsys, monkeypatch):
    assert main(["content", "check"]) == 0
    assert "Content OK" in capsys.readouterr().out
    folder = _copy_content(tmp_path)
    (folder / "preparation.yaml").write_text("title: x\n")
    assert main(["content", "check", "--folder", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "preparation.yaml" in err and "intro" in err


def test_the_right_answers_are_spread_and_a_lopsided_course_is_warned_about(tmp_path, capsys):
    from workbook.content.course import KnowledgeCheck, answer_position_warnings, lessons

    checks = [b for lesson in lessons().lessons for b in lesson.blocks if isinstance(b, KnowledgeCheck)]
    positions = [check.options.index(check.correct_option) for check in checks]
    assert max(positions.count(p) for p in set(positions)) * 2 <= len(checks), positions
    assert main(["content", "check", "--folder", str(_copy_content(tmp_path / "good"))]) == 0
    assert "Warning" not in capsys.readouterr().err
    # every right answer moved to the first position: valid, but the check warns (and still passes)
    folder = _copy_content(tmp_path / "lopsided")
    path = folder / "lessons.yaml"
    course = yaml.safe_load(path.read_text(encoding="utf-8"))
    for lesson in course["lessons"]:
        for block in lesson["blocks"]:
            if block.get("kind") == "check":
                block["options"].sort(key=lambda option: not option.get("correct", False))
    path.write_text(yaml.safe_dump(course, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert answer_position_warnings(lessons(folder)) != []
    assert main(["content", "check", "--folder", str(folder)]) == 0
    err = capsys.readouterr().err
    assert f"Warning: lessons.yaml: the right answer is option A in {len(checks)} of the {len(checks)}" in err


def test_content_folder_setting(tmp_path, monkeypatch):
    folder = _copy_content(tmp_path)
    path = folder / "preparation.yaml"
    path.write_text(path.read_text().replace("Prepare for your career conversation", "Get ready", 1))
    monkeypatch.setenv("WORKBOOK_CONTENT_DIR", str(folder))
    assert content.preparation().title == "Get ready"
