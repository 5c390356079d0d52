"""Cohort results on the facilitator's page: the evaluator's figures for the facilitator's own cohort only,
hidden like the evaluator's when the cohort is too small, and nothing of another cohort in the kernel."""

from __future__ import annotations

import pytest

from tests.widget_helpers import expected_evaluation, live_widget_state, open_tab
from workbook import identity
from workbook.apps.facilitator import FacilitatorHome
from workbook.manager.content import instrument
from workbook.manager.scores import insert_score_rows, scores_frame
from workbook.store import utcnow


def seed(store, cohort: str, n: int, pre: float, post: float) -> None:
    items = instrument().item_ids
    people = [
        identity.add_participant(store, f"{cohort} manager {i}", cohort=cohort).person for i in range(n)
    ]
    with store.write() as session:
        insert_score_rows(
            session,
            [
                {
                    "participant_id": p.id,
                    "wave": wave,
                    "item": item,
                    "score": value + (k % 2),
                    "answered_at": utcnow(),
                }
                for k, p in enumerate(people)
                for wave, value in (("pre", pre), ("post", post))
                for item in items
            ],
        )


@pytest.fixture
def scored(store):
    seed(store, "Cohort A", 7, 2.0, 3.0)
    seed(store, "Cohort B", 8, 1.0, 4.0)
    seed(store, "Cohort C", 2, 3.0, 4.0)
    seed(store, "Cohort D", 5, 2.0, 2.0)  # hidden with C, so that C cannot be worked out from the total
    return store


def home_of(store, *cohorts):
    fay = identity.add_participant(
        store, "Fay Results", roles=[f"facilitator:{c}" for c in cohorts], allow_privileged=True
    )
    return FacilitatorHome(store, fay.person)


def test_the_facilitator_sees_their_cohorts_figures_as_the_evaluator_does(scored):
    home = home_of(scored, "Cohort A")
    assert home.results.figures is None  # nothing is worked out before the tab is opened
    open_tab(home.widget, "Results")
    figures = home.results.figures
    assert figures is not None and figures.hidden is None
    expected = expected_evaluation(scores_frame(scored), cohorts=["Cohort A"])
    assert expected.scale.n == 7
    assert f"{expected.scale.mean_change:+.2f}" in home.results.headline.value
    assert "7 matched" in home.results.headline.value
    assert "Cohort A" in home.results.summary.value and "<img" in home.results.chart.value
    state = live_widget_state()
    assert all(f"Cohort {c}" not in state for c in "BCD")  # nothing of another cohort, not even its name


def test_a_cohort_under_the_threshold_shows_no_figures(scored):
    home = home_of(scored, "Cohort C", "Cohort A")
    home.picker.value = "Cohort C"
    open_tab(home.widget, "Results")
    assert home.results.figures.hidden.startswith("hidden: too few people (n = 2")
    assert "No figures are shown for Cohort C" in home.results.status.value
    assert home.results.headline.value == home.results.summary.value == home.results.chart.value == ""
    home.picker.value = "Cohort A"  # the open tab follows the cohort
    assert home.results.figures.cohort == "Cohort A" and home.results.figures.hidden is None
    assert "Cohort C" not in home.results.summary.value


def test_a_cohort_hidden_to_protect_a_smaller_one_is_hidden_here_too(scored):
    home = home_of(scored, "Cohort D")
    open_tab(home.widget, "Results")
    assert home.results.figures.hidden.startswith("hidden so that a smaller group cannot be worked out")


def test_a_cohort_without_answers_says_so_and_a_crafted_phase_is_refused(store):
    home = home_of(store, "Empty")
    open_tab(home.widget, "Results")
    assert "nobody in this cohort has answered" in home.results.status.value
    home.results.phase.set_trait("options", [("x", "later")])
    assert "Choose a comparison" in home.results.status.value


def test_the_item_chart_title_is_never_cut(scored):
    """The Results chart's title ran past the picture's edge ("… (n = 6 matched on the s"): the long
    item labels push the axes, and the title centred over it, to the right."""
    from workbook.evaluation import charts

    labels = {item.id: item.short for item in instrument().items}
    result = expected_evaluation(scores_frame(scored), cohorts=["Cohort A"]).with_item_names(labels)
    fig = charts.dumbbell_chart(result)
    assert charts.figure_to_png_bytes(fig, dpi=100).startswith(b"\x89PNG")
    box = fig.axes[0].title.get_window_extent()
    assert 0 <= box.x0 and box.x1 <= fig.bbox.width, (box, fig.bbox)
    assert (
        " ".join(fig.axes[0].get_title().split())
        == "Item means before and after (n = 7 matched on the scale)"
    )


@pytest.fixture
def demo_and_real(store):
    """The demo's cohorts (A 5 matched, B 4, C none) and a real cohort of five, Alpha: counted together,
    B's four would hide Alpha (so that B cannot be worked out); the demo does not count next to Alpha."""
    from workbook.manager.demo import seed_manager_demo

    seed_manager_demo(store)
    seed(store, "Alpha", 5, 2.0, 3.0)
    return store


def test_a_real_cohorts_results_leave_the_demo_cohorts_out(demo_and_real):
    home = home_of(demo_and_real, "Alpha")
    open_tab(home.widget, "Results")
    figures = home.results.figures
    assert figures.hidden is None and figures.label is None  # not hidden next to demo cohort B's four
    real = scores_frame(demo_and_real)[lambda f: f["cohort"] == "Alpha"]
    expected = expected_evaluation(real, cohorts=["Alpha"])
    assert f"{expected.scale.mean_change:+.2f}" in home.results.headline.value
    assert "synthetic" not in (home.results.intro.value + home.results.status.value).lower()


def test_a_demo_cohorts_results_are_marked_synthetic(demo_and_real):
    home = home_of(demo_and_real, "Demo cohort A")
    open_tab(home.widget, "Results")
    figures = home.results.figures
    assert figures.hidden is None and figures.label == "synthetic demo data"
    assert "Results of the comfort and skill check (synthetic demo data)" in home.results.intro.value
    assert "Demo cohort A (synthetic demo data)" in home.results.status.value
