"""The manager track's content: both YAML files load, and the models refuse content that would break
stored answers or the lesson design."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from workbook.config import REPO_ROOT
from workbook.content import ContentError, check_all, content_files, load_model
from workbook.identity import add_participant
from workbook.manager.content import (
    ITEM_IDS,
    MANAGER_CONTENT_FILES,
    REACTION_IDS,
    Instrument,
    KnowledgeCheck,
    Lessons,
    Reflection,
    Scenario,
    TextBlock,
    clean_lesson_answer,
    instrument,
    lesson_progress,
    lesson_scope,
    lessons,
    save_lesson_answer,
)
from workbook.store import Store
from workbook.validation import InputError

DATA = REPO_ROOT / "data"
# The project's shared material sits beside the repository (as it does for CI).
SOURCE = REPO_ROOT.parent / "shared" / "reference" / "source-career-development-one-on-ones.txt"


def _raw(name: str) -> dict:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def _write(tmp_path: Path, name: str, raw: dict) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def test_registry_and_files_are_valid():
    assert MANAGER_CONTENT_FILES == {"instrument.yaml": Instrument, "lessons.yaml": Lessons}
    assert check_all() == []


def test_instrument_items_scale_and_waves():
    inst = instrument()
    assert inst.item_ids == ITEM_IDS
    assert (inst.scale.min, inst.scale.max) == (1, 5)
    assert inst.scale.anchors == (
        "Not at all confident",
        "Slightly confident",
        "Moderately confident",
        "Quite confident",
        "Extremely confident",
    )
    assert inst.scale.options()[0] == ("1 - Not at all confident", 1)
    for item in inst.items:
        assert inst.wording(item.id).startswith("How confident are you that you can ")
        assert inst.wording(item.id, "then").startswith("Looking back to before the programme, ")
        assert item.practice and len(item.short) <= 40
    assert inst.then_prefix == "Looking back to before the programme,"
    assert [q.id for q in inst.reaction.questions] == list(REACTION_IDS)
    assert all(len(q.anchors) == 5 for q in inst.reaction.questions)


def test_instrument_refuses_missing_or_unknown_items(tmp_path):
    raw = _raw("instrument.yaml")
    raw["items"] = raw["items"][:-1] + [dict(raw["items"][-1], id="made_up")]
    with pytest.raises(ContentError, match="missing: follow_up; unknown: made_up"):
        load_model(_write(tmp_path, "instrument.yaml", raw), Instrument)


def test_instrument_refuses_wrong_number_of_anchors(tmp_path):
    raw = _raw("instrument.yaml")
    raw["scale"]["anchors"] = raw["scale"]["anchors"][:4]
    with pytest.raises(ContentError, match="needs 5 anchors"):
        load_model(_write(tmp_path, "instrument.yaml", raw), Instrument)


def test_lessons_structure():
    content = lessons()
    assert [lesson.id for lesson in content.lessons] == ["why_it_matters", "practices", "preparing"]
    for lesson in content.lessons:
        kinds = {type(b) for b in lesson.blocks}
        assert TextBlock in kinds and (KnowledgeCheck in kinds) and (Reflection in kinds)
        for block in lesson.blocks:
            if isinstance(block, KnowledgeCheck):
                assert sum(o.correct for o in block.options) == 1
                assert all(o.feedback for o in block.options)
    assert {s.title for s in content.scenarios} == {
        "The person asks for a promise",
        "The role they want does not exist here",
        "You need them where they are",
        "They have no idea what they want",
    }
    assert all(4 <= len(s.checklist) <= 6 and s.example and s.prompt for s in content.scenarios)
    first = content.lesson("why_it_matters")
    text = " ".join(b.body for b in first.blocks if isinstance(b, TextBlock))
    assert "2020 Gallup poll of one million workers in the United States" in text
    outline = content.lesson("preparing").block("the_outline").body
    for words in ("two years and in five", "strengths", "network", "two or three areas"):
        assert words in outline


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda raw: raw["lessons"][0]["blocks"][2]["options"][0].update(correct=True),
            "exactly one correct",
        ),
        (
            lambda raw: [o.pop("correct", None) for o in raw["lessons"][0]["blocks"][2]["options"]],
            "exactly one correct",
        ),
        (lambda raw: raw["lessons"][0]["blocks"][1].update(id="cost_of_silence"), "block ids must be unique"),
        (lambda raw: raw["lessons"][1].update(id="why_it_matters"), "lesson ids must be unique"),
        (lambda raw: raw["lessons"][0]["blocks"].pop(2), "more than 3 text blocks in a row"),
        (lambda raw: raw["lessons"][1]["blocks"][9].update(checklist=["a", "b", "c"]), "at least 4"),
        (lambda raw: raw["lessons"][0]["blocks"][2]["options"][0].pop("feedback"), "feedback"),
        (
            lambda raw: raw["lessons"][0]["blocks"][2]["options"][1].update(feedback="Right. It was."),
            "opens with 'Right.'",
        ),
        (
            lambda raw: raw["lessons"][0]["blocks"][2]["options"][0].update(feedback="Not quite: pay."),
            "opens with 'Not quite:'",
        ),
    ],
)
def test_lessons_refuse_bad_content(tmp_path, change, message):
    raw = _raw("lessons.yaml")
    change(raw)
    with pytest.raises(ContentError, match=message):
        load_model(_write(tmp_path, "lessons.yaml", raw), Lessons)


def test_content_is_in_our_own_words():
    """No run of ten words from the source text appears in our content."""
    if not SOURCE.exists():
        pytest.skip("source text not available")

    def words(text: str) -> list[str]:
        return re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))

    source = words(SOURCE.read_text(encoding="utf-8"))
    shingles = {tuple(source[i : i + 10]) for i in range(len(source) - 9)}
    for name in content_files():
        ours = words((DATA / name).read_text(encoding="utf-8"))
        copied = [
            " ".join(ours[i : i + 10]) for i in range(len(ours) - 9) if tuple(ours[i : i + 10]) in shingles
        ]
        assert copied == [], f"{name} copies the source: {copied[:3]}"


def test_clean_lesson_answer():
    lesson = lessons().lesson("practices")
    assert clean_lesson_answer(lesson, "check_who_leads", {"choice": "team_member"}) == {
        "choice": "team_member"
    }
    assert clean_lesson_answer(lesson, "check_who_leads", "hr") == {"choice": "hr"}
    assert clean_lesson_answer(lesson, "scenario_promise", {"response": "Hi", "ticked": [3, 0, 0]}) == {
        "response": "Hi",
        "ticked": [0, 3],
    }
    assert clean_lesson_answer(lesson, "reflect_next_practice", "I listen.") == "I listen."
    for block_id, value in [
        ("check_who_leads", {"choice": "nobody"}),
        ("check_who_leads", {"choice": "hr", "correct": True}),
        ("scenario_promise", {"response": "x", "ticked": [True]}),
        ("scenario_promise", {"response": "x", "ticked": [9]}),
        ("scenario_promise", {"response": "x", "score": 5}),
        ("reflect_next_practice", 42),
        ("reflect_next_practice", "x" * 4001),
        ("look_ahead", "text blocks take no answer"),
        ("no_such_block", "x"),
    ]:
        with pytest.raises(InputError):
            clean_lesson_answer(lesson, block_id, value)


def test_save_lesson_answer_and_progress(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/t.sqlite")
    person = add_participant(store, "Manager", cohort="C").person
    lesson = lessons().lesson("why_it_matters")
    save_lesson_answer(store, person, "why_it_matters", "check_quit_reason", {"choice": "pay"})
    save_lesson_answer(store, person, "why_it_matters", "reflect_which_worry", "Not knowing how.")
    with pytest.raises(InputError):
        save_lesson_answer(store, person, "nope", "check_quit_reason", {"choice": "pay"})
    answers = store.current_answers(person.id, lesson_scope("why_it_matters"))
    assert lesson_progress(lesson, answers) == (2, 3)
    assert lesson_progress(lesson, {}) == (0, 3)
    assert all(isinstance(b, KnowledgeCheck | Reflection | Scenario) for b in lesson.interactive)
