"""The board a page keeps reading: after the first read it reads only what is new, and every read equals
the board read afresh, whatever happened in between (answers changed, waves answered, conversations
logged, people added and removed)."""

from __future__ import annotations

from datetime import date

from workbook import identity
from workbook.facilitator import people
from workbook.facilitator.glance import BoardReader, board
from workbook.facilitator.people import OPERATOR
from workbook.facilitator.roster import import_roster
from workbook.manager.behaviour import log_conversation
from workbook.manager.content import KnowledgeCheck, instrument, lessons, save_lesson_answer
from workbook.manager.scores import save_scores
from workbook.manager.waves import set_wave
from workbook.preparation import SCOPE, answer_key

COHORT = "Reader cohort"
ROSTER = (
    "name,email,role,manager_email\n"
    "Ann Manager,ann@example.org,manager,\n"
    "Ben Manager,ben@example.org,manager,\n"
    "Tia Team,tia@example.org,team_member,ann@example.org\n"
)


def person(store, name: str):
    return next(p for p in identity.list_participants(store) if p.name == name)


def test_every_refresh_equals_the_board_read_afresh(store):
    import_roster(store, ROSTER.encode(), COHORT, name="r.csv", by=OPERATOR)
    reader = BoardReader(store, COHORT)
    assert reader.read() == board(store, COHORT)
    ann, ben, tia = (person(store, n) for n in ("Ann Manager", "Ben Manager", "Tia Team"))
    lesson = lessons().lessons[0]
    check = next(b for b in lesson.interactive if isinstance(b, KnowledgeCheck))

    def same() -> None:
        assert reader.read() == board(store, COHORT)

    save_lesson_answer(store, ann, lesson.id, check.id, {"choice": check.options[0].id})
    same()
    assert next(r for r in reader.read().rows if r.name == "Ann Manager").checks_answered == 1
    for block in lesson.interactive:
        value = {"choice": block.options[1].id} if isinstance(block, KnowledgeCheck) else None
        value = value or (
            "A thought." if block.kind == "reflection" else {"response": "Said it.", "ticked": []}
        )
        save_lesson_answer(store, ben, lesson.id, block.id, value)
    same()
    assert next(r for r in reader.read().rows if r.name == "Ben Manager").lessons_done == 1
    reflection = next(b for b in lesson.interactive if b.kind == "reflection")
    save_lesson_answer(store, ben, lesson.id, reflection.id, "")
    same()  # an answer emptied again: the lesson is no longer done
    assert next(r for r in reader.read().rows if r.name == "Ben Manager").lessons_done == 0
    set_wave(store, COHORT, "pre", True)
    save_scores(store, ann, "pre", dict.fromkeys(instrument().item_ids, 3))
    log_conversation(store, ben, date(2026, 10, 1), "TT", True, False)
    store.save_answer(tia.id, SCOPE, answer_key("self_awareness", "strengths"), "Listening.")
    same()
    assert next(r for r in reader.read().rows if r.name == "Ann Manager").waves["pre"] is True
    added = people.add_person(store, COHORT, "Cal Manager", "cal@example.org", ["manager"], by=OPERATOR)
    same()
    people.remove_person(store, COHORT, added.pid, by=OPERATOR)
    same()
    assert "Cal Manager" not in {r.name for r in reader.read().rows}
