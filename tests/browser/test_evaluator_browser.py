"""What an evaluator sees and does in the evaluator app, in a real browser."""

from __future__ import annotations

import pandas as pd
import pytest
from widget_helpers import expected_evaluation

from workbook import identity
from workbook.evaluation.summary import summary_frame
from workbook.manager.content import instrument
from workbook.manager.demo import seed_manager_demo
from workbook.manager.scores import insert_score_rows, scores_frame
from workbook.store import utcnow

pytestmark = pytest.mark.browser

APP = "/voila/render/evaluator.ipynb"
KEY = "browser-test-evaluator-key-0123456789"  # set for the server in conftest.py
INST = instrument()
READY = "document.querySelector('.wb-eval-status .wb-eval-ready') !== null"
WITH_DEMO = (  # the page's title says that its figures include the demo's cohorts
    "document.querySelector('.wb-evaluator .wb-title').innerText.includes('(includes synthetic demo data)')"
)


def add_cohort(store, cohort: str, pre: float, post: float, size: int = 5) -> None:
    people = [identity.add_participant(store, f"{cohort} {k}", cohort=cohort).person for k in range(size)]
    now = utcnow()
    rows = [
        {"participant_id": p.id, "wave": wave, "item": item, "score": score, "answered_at": now}
        for p in people
        for wave, score in (("pre", pre), ("post", post))
        for item in INST.item_ids
    ]
    with store.write() as session:
        insert_score_rows(session, rows)


@pytest.fixture(scope="module")
def demo_store(server):
    """The demo cohorts plus a real one of 5: B (4) is too small, so one cohort of 5 is hidden with it
    (ties go by name: "Browser cohort"), and demo cohort A can be chosen on its own."""
    seed_manager_demo(server.store)
    add_cohort(server.store, "Browser cohort", 2.0, 3.0)
    return server.store


def open_app(page, server, key=KEY, *, include_demo=True):
    """Open the app; with ``include_demo`` tick "Include the synthetic demo cohorts" (the figures of the
    tests below are of the demo and the real cohort together) and wait for the figures again."""
    page.goto(server.url(f"{APP}?key={key}"))
    page.wait_for_selector(".wb-eval-headline", timeout=90_000)
    page.wait_for_function(READY, timeout=90_000)
    if include_demo:
        page.check(".wb-eval-include-demo input[type=checkbox]")
        page.wait_for_function(WITH_DEMO, timeout=60_000)
        page.wait_for_function(READY, timeout=90_000)


def test_the_key_is_required(server, demo_store, page):
    page.goto(server.url(APP))
    page.wait_for_selector(".wb-eval-gate", timeout=90_000)
    assert page.locator(".wb-evaluator").count() == 0
    page.fill(".wb-key input", "not-the-evaluator-key-at-all")
    page.click(".wb-key-open button, button.wb-key-open")
    page.wait_for_selector(".wb-key-message .wb-error")
    assert "not valid" in page.inner_text(".wb-key-message")
    assert "Demo cohort" not in page.content()
    page.fill(".wb-key input", KEY)
    page.click(".wb-key-open button, button.wb-key-open")
    page.wait_for_selector(".wb-eval-headline", timeout=60_000)


def test_headline_then_a_cohort_filter_changes_the_figures(server, demo_store, page):
    open_app(page, server)
    scale = expected_evaluation(scores_frame(demo_store)).scale
    headline = page.inner_text(".wb-eval-headline")
    assert f"{scale.pct_change_of_means:+.1f}%" in headline
    assert f"{scale.normalized_gain:.2f}" in headline and "Wilcoxon signed-rank test" in headline
    assert "These figures include synthetic demo data" in page.inner_text(".wb-eval-banner")
    page.wait_for_function(
        'document.querySelectorAll(\'.wb-eval-chart img[src^="blob:"], .wb-eval-chart img[src^="data:"]\')'
        ".length >= 8",
        timeout=60_000,
    )

    page.select_option(".wb-eval-cohorts select", label=["Demo cohort A"])
    only_a = expected_evaluation(scores_frame(demo_store), cohorts=["Demo cohort A"]).scale
    page.wait_for_function(
        "(text) => document.querySelector('.wb-eval-headline').innerText.includes(text)",
        arg=f"{only_a.pct_change_of_means:+.1f}%",
        timeout=60_000,
    )
    page.wait_for_function(READY, timeout=60_000)
    assert f"{only_a.n} / " in page.inner_text(".wb-eval-headline")

    page.select_option(".wb-eval-cohorts select", label=["Demo cohort B (figures hidden)"])
    page.wait_for_function(
        "document.querySelector('.wb-eval-headline').innerText.includes('cannot be shown')", timeout=60_000
    )
    refused = page.inner_text(".wb-eval-headline")
    assert "cohort Demo cohort B has too few people (n = 4, fewer than 5)" in refused
    assert page.locator(".wb-eval-headline .wb-eval-value").count() == 0
    page.wait_for_selector(".wb-eval-status .wb-error", timeout=60_000)
    # no date pickers any more: whole cohorts and a fixed programme phase
    assert page.locator(".wb-eval-filters input[type=date]").count() == 0
    assert page.locator(".wb-eval-phase select").count() == 1
    assert "How small groups are protected" in page.inner_text(".wb-eval-protection")


def test_the_summary_says_why_each_group_is_hidden(server, demo_store, page):
    open_app(page, server)
    table = page.inner_text(".wb-eval-summary")
    assert "hidden: too few people (n = 4, fewer than 5)" in table  # demo cohort B
    assert "hidden so that a smaller group cannot be worked out (n = 5)" in table  # the browser cohort
    assert "5 < 5" not in table


def test_download_the_summary_csv(server, demo_store, page, tmp_path):
    open_app(page, server)
    page.click(".wb-eval-prepare button, button.wb-eval-prepare")
    page.wait_for_selector(".wb-download-csv", timeout=120_000)
    with page.expect_download() as info:
        page.click(".wb-download-csv")
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    assert target.suffix == ".csv"
    got = pd.read_csv(target)
    want = summary_frame(expected_evaluation(scores_frame(demo_store)))
    assert got["measure"].tolist() == want["measure"].tolist()
    assert got["n"].tolist() == want["n"].tolist()
    pd.testing.assert_series_equal(got["mean_change"], want["mean_change"], check_names=False)
    assert (
        page.locator(".wb-download-pdf").count() == 1 and page.locator(".wb-download-slope-svg").count() == 1
    )


def test_markup_in_a_cohort_name_shows_as_text(server, demo_store, page):
    payload = "<img src=x onerror=window.__pwned=1>"
    add_cohort(demo_store, payload, 2.0, 4.0)
    open_app(page, server)
    assert payload in page.inner_text(".wb-eval-summary")
    page.select_option(".wb-eval-cohorts select", label=[f"{payload} (figures hidden)"])  # ties: by name
    page.wait_for_function(
        "document.querySelector('.wb-eval-status').innerText.includes('<img')", timeout=60_000
    )
    assert payload in page.inner_text(".wb-eval-status")
    assert page.evaluate("window.__pwned === undefined")
    assert page.dialogs == []


def test_an_evaluator_opens_the_app_with_their_personal_link(server, demo_store, page):
    """The link carries a code, not the key: the preheated kernel reads the visitor's request once."""
    evaluator = identity.add_participant(
        demo_store, "Eve Evaluator", roles=["evaluator"], allow_privileged=True
    )
    page.goto(evaluator.url)
    page.wait_for_selector(".wb-eval-headline", timeout=90_000)
    page.wait_for_function(READY, timeout=90_000)
    assert "Browser cohort" in page.inner_text(".wb-eval-cohorts").replace("\xa0", " ")


def test_the_default_view_leaves_the_demo_out_and_the_choice_says_it_includes_it(server, demo_store, page):
    """Next to a real cohort the demo's cohorts are left out until the evaluator ticks the box; then the
    page's title says the figures include synthetic demo data."""
    open_app(page, server, include_demo=False)
    real = scores_frame(demo_store)[lambda f: ~f["cohort"].str.startswith("Demo cohort")]
    scale = expected_evaluation(real).scale
    assert f"{scale.pct_change_of_means:+.1f}%" in page.inner_text(".wb-eval-headline")
    assert "Demo cohort" not in page.inner_text(".wb-eval-cohorts")
    assert "synthetic" not in page.inner_text(".wb-evaluator .wb-title").lower()
    assert "are left out of these figures" in page.inner_text(".wb-eval-banner")
    page.check(".wb-eval-include-demo input[type=checkbox]")
    page.wait_for_function(WITH_DEMO, timeout=60_000)
    page.wait_for_function(READY, timeout=90_000)
    everyone = expected_evaluation(scores_frame(demo_store)).scale
    assert f"{everyone.pct_change_of_means:+.1f}%" in page.inner_text(".wb-eval-headline")
    assert "Demo cohort A" in page.inner_text(".wb-eval-cohorts").replace("\xa0", " ")
