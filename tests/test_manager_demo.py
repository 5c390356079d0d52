"""The manager-track demo data: plausible, clearly synthetic, and idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from workbook.identity import list_participants
from workbook.manager.behaviour import behaviour_counts
from workbook.manager.content import lesson_scope
from workbook.manager.demo import seed_manager_demo
from workbook.manager.planner import SCOPE as PLANNER
from workbook.manager.scores import scores_frame
from workbook.manager.waves import open_waves
from workbook.models import Base
from workbook.store import Store


def table_counts(store: Store) -> dict[str, int]:
    with store.read() as session:
        return {
            name: session.scalar(select(func.count()).select_from(table))
            for name, table in Base.metadata.tables.items()
        }


def test_seed_is_idempotent(store):
    first = seed_manager_demo(store)
    assert first == {"cohorts": 3, "managers": 14, "scores": first["scores"]} and first["scores"] > 0
    before = table_counts(store)
    assert seed_manager_demo(store) == {"cohorts": 0, "managers": 0, "scores": 0}
    assert table_counts(store) == before


def test_demo_is_plausible_and_clearly_synthetic(store):
    seed_manager_demo(store)
    people = list_participants(store)
    assert len(people) == 14
    assert all(p.name.startswith("Demo manager ") and p.pid.startswith("demo-m") for p in people)
    assert {p.cohort for p in people} == {"Demo cohort A", "Demo cohort B", "Demo cohort C"}

    frame = scores_frame(store)
    per_wave = frame.groupby("wave")["participant"].nunique()
    assert set(per_wave.index) == {"pre", "post", "then"}
    assert per_wave["post"] < per_wave["pre"]  # some attrition
    assert per_wave["then"] == per_wave["post"]
    means = frame.groupby("wave")["score"].mean()
    assert means["post"] > means["pre"] + 0.5  # improvement
    assert means["then"] < means["pre"]  # response shift

    assert open_waves(store, "Demo cohort A") == {"pre": False, "post": True, "then": True}
    assert open_waves(store, "Demo cohort B") == {"pre": False, "post": False, "then": False}
    assert open_waves(store, "Demo cohort C") == {"pre": True, "post": False, "then": False}

    counts = behaviour_counts(store)
    assert counts["conversations"] > 0 and counts["managers_with_conversation"] > 0
    first = people[0]
    assert store.current_answers(first.id, lesson_scope("why_it_matters"))
    assert store.current_answers(first.id, PLANNER)


def test_the_demo_marks_its_cohorts_in_the_store(store):
    from workbook.manager.scores import cohort_scope

    assert cohort_scope(store).demo == ()
    seed_manager_demo(store)
    scope = cohort_scope(store)
    assert scope.demo == ("Demo cohort A", "Demo cohort B", "Demo cohort C")
    assert not scope.real and scope.demo_counted  # nothing real yet: the demo is shown, marked
    assert scope.label_for() == "synthetic demo data"


def test_a_real_cohort_with_a_demo_name_gets_no_synthetic_people(store):
    """A person's cohort called "Demo cohort B" is real: the demo refuses to seed into it, writing nothing."""
    import pytest

    from workbook.identity import add_participant
    from workbook.manager.scores import cohort_scope
    from workbook.store import StoreError

    add_participant(store, "Real Person", cohort="Demo cohort B")
    before = table_counts(store)
    with pytest.raises(StoreError, match="'Demo cohort B' exists and was not made by `workbook demo`"):
        seed_manager_demo(store)
    assert table_counts(store) == before
    assert cohort_scope(store).demo == () and cohort_scope(store).real
