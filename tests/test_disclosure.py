"""Disclosure control: each rule on the module, and a property test over random cohorts and thresholds."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from workbook.evaluation import run_evaluation
from workbook.evaluation.disclosure import (
    ALL,
    NO_COHORT,
    Figure,
    Reason,
    build_plan,
    hidden_text,
    remainder_ok,
    suppress_table,
)
from workbook.evaluation.stats import (
    PHASES,
    evaluate_tables,
    score_tables,
    scores_plan,
    select_cohorts,
)
from workbook.scores_frame import validate_scores_frame


def frame_of(sizes: dict[str, int], *, then: dict[str, int] | None = None, items: int = 2) -> pd.DataFrame:
    """A validated scores frame: `sizes[cohort]` people with pre and post on every item; the first
    `then[cohort]` of them also answered 'then'."""
    rows = []
    k = 0
    for cohort, size in sizes.items():
        for p in range(size):
            k += 1
            waves = ["pre", "post"] + (["then"] if then is not None and p < then.get(cohort, 0) else [])
            for wave in waves:
                for i in range(items):
                    score = 1 + (k + i + (wave == "post") * 2) % 5
                    rows.append((f"p{k:04d}", cohort, wave, f"q{i}", score, "2026-01-05T10:00:00Z"))
    frame = pd.DataFrame(rows, columns=["participant", "cohort", "wave", "item", "score", "answered_at"])
    return validate_scores_frame(frame, scale_min=1, scale_max=5)


# -- the words -------------------------------------------------------------------------------------------
def test_each_reason_has_its_own_words():
    assert hidden_text(Reason.TOO_FEW, 3, 5) == "hidden: too few people (n = 3, fewer than 5)"
    assert hidden_text("secondary", 5, 5) == "hidden so that a smaller group cannot be worked out (n = 5)"


# -- rule 1 and 2 on one table -----------------------------------------------------------------------------
def test_cells_under_the_threshold_are_hidden_as_too_few():
    decisions = suppress_table({"A": 9, "B": 7, "C": 0}, 5)
    assert decisions == {"A": None, "B": None, "C": None}
    decisions = suppress_table({"A": 9, "B": 4, "C": 6, "D": 7}, 5)
    assert decisions["B"].reason is Reason.TOO_FEW and decisions["B"].n == 4


def test_complementary_suppression_is_repeated_until_the_remainder_is_safe():
    # B (1) and C (1) are too few; together 2: the smallest shown (D, 5) goes too, and 7 is safe
    decisions = suppress_table({"A": 8, "B": 1, "C": 1, "D": 5}, 5)
    assert {k for k, v in decisions.items() if v} == {"B", "C", "D"}
    assert decisions["D"].reason is Reason.SECONDARY and decisions["D"].text.startswith("hidden so that")
    # two hidden cells of 3 already hold 6: nothing more is hidden
    assert {k for k, v in suppress_table({"A": 8, "B": 3, "C": 3}, 5).items() if v} == {"B", "C"}
    # without a shown total there is nothing to take the shown cells from
    assert suppress_table({"A": 8, "B": 1}, 5, total_shown=False)["A"] is None


def test_two_one_person_cohorts_are_not_revealed_by_overall_minus_the_shown_ones():
    """The issue's second attack: overall minus the shown cohorts gave both managers' means."""
    sizes = {"A": 9, "B": 8, "S1": 1, "S2": 1}
    result = run_evaluation(frame_of(sizes))
    cohorts = {name: entry.scale for name, entry in result.cohorts.items()}
    assert cohorts["S1"].hidden_because == cohorts["S2"].hidden_because == "too_few"
    assert cohorts["B"].hidden_because == "secondary" and cohorts["B"].mean_change is None
    assert not cohorts["A"].suppressed and not result.scale.suppressed
    shown = sum(block.n for block in cohorts.values() if not block.suppressed)
    assert remainder_ok(result.scale.n - shown, 5)


def test_people_without_a_cohort_count_in_the_remainder():
    result = run_evaluation(frame_of({"A": 8, NO_COHORT: 2}))
    assert result.cohorts["A"].scale.hidden_because == "secondary"


# -- rule 3: figures of the same scores over overlapping groups ------------------------------------------
def test_the_then_comparison_is_hidden_when_it_differs_from_pre_post_by_a_few_people():
    # 10 matched, 8 of them answered 'then': the two post means would give 2 people's post score
    result = run_evaluation(frame_of({"A": 10}, then={"A": 8}))
    then = result.scale.then
    assert then.n == 8 and then.hidden_because == "secondary" and then.post_mean is None
    assert not result.scale.suppressed
    # a gap of 5 is safe: both shown
    result = run_evaluation(frame_of({"A": 12}, then={"A": 7}))
    assert not result.scale.then.suppressed


def test_overlapping_figures_of_the_same_scores_keep_the_first_one():
    members = np.array([True] * 10)
    fewer = members.copy()
    fewer[:2] = False
    other = np.array([True] * 10)
    plan = build_plan(
        5,
        np.array(["A"] * 10, dtype=object),
        [
            Figure("first", frozenset({"post"}), members),
            Figure("second", frozenset({"post"}), fewer),  # 2 people fewer: their post sum would follow
            Figure("third", frozenset({"pre"}), other),  # other scores: no clash
        ],
    )
    assert plan.hidden("first") is None and plan.hidden("third") is None
    assert plan.hidden("second").reason is Reason.SECONDARY
    assert plan.hidden("second", "A").reason is Reason.SECONDARY  # and not through the cohort either


# -- rule 4: selections -----------------------------------------------------------------------------------
def test_a_selection_that_differs_from_another_by_a_small_group_is_refused():
    """The issue's first attack: {X, Z} (n = 7) and {X} (n = 6) gave Z's own scores."""
    tables = score_tables(frame_of({"X": 6, "Y": 5, "Z": 1}))
    plan = scores_plan(tables, 5)
    assert plan.refusal(("X",)) is None
    refusal = plan.refusal(("X", "Z"))
    assert refusal is not None and refusal.cohorts == ("Z",)
    assert "cohort Z has too few people (n = 1, fewer than 5)" in refusal.message
    assert "differ from the same selection without it by 1 person" in refusal.message
    # Y is large enough but hidden so that Z cannot be worked out: it cannot be chosen either
    assert plan.refusal(("Y",)).cohorts == ("Y",)
    assert "hidden so that a smaller group cannot be worked out" in plan.refusal(("Y",)).message
    assert plan.refusal(None) is None and plan.refusal(("X", "Y", "Z")) is None
    assert plan.selectable() == ("X",)


def test_a_figure_of_a_selection_is_hidden_when_one_of_its_cohorts_hides_it():
    frame = frame_of({"X": 9, "V": 6, "W": 7}, then={"X": 9, "V": 6, "W": 4})
    tables = score_tables(frame)
    plan = scores_plan(tables, 5)
    assert plan.hidden("then", "W") is not None  # W's 'then' group is too small
    both = evaluate_tables(select_cohorts(tables, ("X", "W")), plan=plan, cohorts=("X", "W"))
    assert both.scale.then.hidden_because == "secondary"  # 13 people, but W's 4 would follow
    only_x = evaluate_tables(select_cohorts(tables, ("X",)), plan=plan, cohorts=("X",))
    assert not only_x.scale.then.suppressed


# -- the property --------------------------------------------------------------------------------------
def _check_plan(sizes: dict[str, int], then: dict[str, int], threshold: int) -> None:
    tables = score_tables(frame_of(sizes, then=then, items=1))
    plan = scores_plan(tables, threshold, phases=tuple(PHASES))
    for measure in {cell.measure for cell in plan.cells.values()}:
        total = plan.cell(measure, ALL)
        cells = [plan.cell(measure, g) for g in plan.groups]
        for cell in [total, *cells]:
            assert cell.hidden is not None or cell.n == 0 or cell.n >= threshold, (measure, cell)
        if total.shown:  # everyone minus the shown cohorts: no one, or at least the threshold
            remainder = total.n - sum(c.n for c in cells if c.shown)
            assert remainder_ok(remainder, threshold), (measure, sizes, then, threshold)
    # every two selections offered (whole selectable cohorts, or everyone) whose figures are both shown
    # differ by no one or by at least the threshold
    selectable = plan.selectable()
    options: list[tuple[str, ...] | None] = [None] + [
        combo for r in range(1, len(selectable) + 1) for combo in itertools.combinations(selectable, r)
    ]
    shown: dict[str, dict[tuple[str, ...] | None, int]] = {}
    for option in options:
        assert plan.refusal(option) is None
        chosen = select_cohorts(tables, option)
        result = evaluate_tables(chosen, plan=plan, cohorts=option, threshold=threshold)
        for name, block in (("scale", result.scale), ("then", result.scale.then)):
            if block is not None and not block.suppressed:
                shown.setdefault(name, {})[option] = block.n
    for name, ns in shown.items():
        for (a, n_a), (b, n_b) in itertools.combinations(ns.items(), 2):
            nested = a is None or b is None or set(a) <= set(b) or set(b) <= set(a)
            if nested:  # one selection inside the other: the difference is a group of its own
                assert remainder_ok(abs(n_a - n_b), threshold), (name, a, b, sizes, then, threshold)


cohort_sizes = st.dictionaries(
    st.sampled_from(["A", "B", "C", "D", "E", NO_COHORT]), st.integers(min_value=1, max_value=12), min_size=1
)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), threshold=st.integers(min_value=3, max_value=8))
def test_no_shown_figures_leave_a_small_hidden_remainder(data, threshold):
    sizes = data.draw(cohort_sizes, label="sizes")
    then = {c: data.draw(st.integers(min_value=0, max_value=n), label=f"then {c}") for c, n in sizes.items()}
    _check_plan(sizes, then, threshold)


@settings(max_examples=200, deadline=None)
@given(
    counts=st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 20), min_size=1, max_size=8),
    threshold=st.integers(3, 10),
)
def test_one_table_never_leaves_a_small_remainder(counts, threshold):
    total_shown = sum(counts.values()) >= threshold
    decisions = suppress_table(counts, threshold, total_shown=total_shown)
    hidden = sum(counts[k] for k, v in decisions.items() if v)
    assert remainder_ok(hidden, threshold) or not total_shown
    assert all(v is not None for k, v in decisions.items() if 0 < counts[k] < threshold)


def test_counts_only_figures_get_rules_1_and_2():
    plan = build_plan(
        5,
        np.array(["A"] * 3 + ["B"] * 3, dtype=object),
        [Figure("reaction:usefulness", frozenset({"r"}), counts={"A": 9, "B": 2, ALL: 11})],
    )
    assert plan.hidden("reaction:usefulness", "B").reason is Reason.TOO_FEW
    assert plan.hidden("reaction:usefulness", "A").reason is Reason.SECONDARY
    assert plan.hidden("reaction:usefulness") is None
