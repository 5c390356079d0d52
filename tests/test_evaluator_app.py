"""The evaluator app's widgets and callbacks, driven without a browser."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import html
import io
import json
import re

import ipywidgets as widgets
import openpyxl
import pandas as pd
import pytest
from ipywidgets.widgets.widget import _instances
from sqlalchemy import select
from store_copies import store_copy, store_file
from traitlets import TraitError
from widget_helpers import download_links, expected_evaluation, find, live_widget_state

from workbook import identity
from workbook.apps.evaluator import KEY_ENV, EvaluatorGate, evaluator_app, key_matches
from workbook.evaluation.format import CHART_TITLES, IN_WORDS
from workbook.evaluation.stats import METHOD
from workbook.evaluation.summary import summary_frame
from workbook.manager import demo
from workbook.manager.content import instrument
from workbook.manager.reaction import save_reaction
from workbook.manager.reaction_summary import reaction_summary
from workbook.manager.scores import insert_score_rows, scores_frame
from workbook.models import Participant
from workbook.store import utcnow

KEY = "unit-test-evaluator-key-0123456789"
INST = instrument()


@pytest.fixture(autouse=True)
def fresh_widgets():
    """Widgets left by earlier tests must not count in this module's checks of what is live."""
    for widget in list(_instances.values()):
        widget.close()
    yield


@pytest.fixture
def keyed(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory, migrated_store_file):
    """The manager track's demo, seeded once for the module; each test works on its own copy."""
    template = store_copy(migrated_store_file, tmp_path_factory.mktemp("seeded"))
    demo.seed_manager_demo(template)
    return store_file(template)


@pytest.fixture
def seeded(seeded_file, tmp_path, keyed):
    opened = store_copy(seeded_file, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def seeded_plus(seeded):
    """The demo plus a real cohort of 5, so that a filter on cohort A leaves out 9 (B's 4, these 5)."""
    add_cohort_with_scores(seeded, "Spring 2025")
    return seeded


def open_dashboard(store, *, include_demo: bool = False):
    gate = EvaluatorGate(store)
    assert gate.try_key(KEY)
    if include_demo:  # the evaluator ticks "Include the synthetic demo cohorts"
        gate.dashboard.include_demo.value = True
    return gate.dashboard


def downloads(dashboard) -> dict[str, tuple[str, str, bytes]]:
    dashboard.prepare_downloads()
    found = download_links(dashboard.downloads.value)
    assert found, dashboard.status.value
    return found


def add_cohort_with_scores(store, cohort: str, size: int = 5) -> None:
    """`size` managers in `cohort` with pre and post answers to every item (post one point higher)."""
    people = [identity.add_participant(store, f"Scripted {k}", cohort=cohort).person for k in range(size)]
    now = utcnow()
    rows = [
        {
            "participant_id": person.id,
            "wave": wave,
            "item": item,
            "score": float(score),
            "answered_at": now,
        }
        for k, person in enumerate(people)
        for wave, score in (("pre", 2 + k % 2), ("post", 3 + k % 2))
        for item in INST.item_ids
    ]
    with store.write() as session:
        insert_score_rows(session, rows)


# -- the key ------------------------------------------------------------------------------------------
def test_without_a_configured_key_the_page_explains_and_shows_nothing(seeded, monkeypatch):
    monkeypatch.delenv(KEY_ENV)
    monkeypatch.setenv("QUERY_STRING", f"key={KEY}")
    gate = EvaluatorGate(seeded)
    gate.start()
    assert gate.dashboard is None
    assert not gate.try_key(KEY)
    text = gate.form.children[0].value
    assert KEY_ENV in text and "none is set" in text and "token_urlsafe" in text
    state = live_widget_state()
    assert "Demo cohort" not in state
    assert not any("wb-evaluator" in getattr(w, "_dom_classes", ()) for w in list(_instances.values()))


def test_a_wrong_key_is_refused(seeded, monkeypatch):
    monkeypatch.setenv("QUERY_STRING", "key=not-the-key-but-long-enough")
    gate = EvaluatorGate(seeded)
    gate.start()
    assert gate.dashboard is None
    assert "not valid" in gate.message.value
    for wrong in (None, 42, "", KEY[:-1], KEY + "x", ["list"]):
        assert not gate.try_key(wrong)
    assert gate.dashboard is None
    assert "Demo cohort" not in live_widget_state()


@pytest.mark.parametrize("weak", ["short", "correct horse battery staple", "a" * 21, "x" * 30 + "!"])
def test_a_weak_key_on_the_server_opens_nothing_and_says_how_to_make_one(seeded, monkeypatch, weak):
    monkeypatch.setenv(KEY_ENV, weak)
    gate = EvaluatorGate(seeded)
    assert not gate.try_key(weak)
    assert gate.dashboard is None
    text = gate.form.children[0].value
    assert "at least 22 characters" in text and "token_urlsafe" in text


def test_an_evaluator_opens_the_app_with_their_own_code(seeded, monkeypatch):
    monkeypatch.delenv(KEY_ENV)
    evaluator = identity.add_participant(seeded, "Eva", roles=["evaluator"], allow_privileged=True)
    monkeypatch.setenv("QUERY_STRING", f"code={evaluator.code}")
    gate = EvaluatorGate(seeded)
    gate.start()
    assert gate.dashboard is not None


def test_a_code_without_the_evaluator_role_opens_nothing(seeded, monkeypatch):
    manager = identity.add_participant(seeded, "Mo", roles=["manager:Demo cohort A"])
    gate = EvaluatorGate(seeded)
    assert not gate.try_key(manager.code)
    assert "evaluators, so it does not open with your code" in gate.message.value
    assert gate.dashboard is None and "Demo cohort" not in live_widget_state()


def test_key_guesses_are_limited_across_pages(seeded, monkeypatch):
    monkeypatch.setenv("HTTP_X_WORKBOOK_CLIENT", "203.0.113.77")
    for n in range(5):
        assert not EvaluatorGate(seeded).try_key(f"guess-{n}-guess-guess-guess-guess")
    late = EvaluatorGate(seeded)
    assert not late.try_key(KEY), "even the right key waits out the lockout"
    assert "Please wait 10 minutes" in late.message.value


def test_the_right_key_opens_the_app_from_the_url_or_the_form(seeded, monkeypatch):
    assert key_matches(KEY, KEY) and not key_matches(KEY.upper(), KEY)
    monkeypatch.setenv("QUERY_STRING", f"key={KEY}")
    gate = EvaluatorGate(seeded)
    page = gate.start()
    assert gate.dashboard is not None and find(page, "wb-evaluator")

    monkeypatch.delenv("QUERY_STRING")
    typed = EvaluatorGate(seeded)
    typed.start()
    assert typed.dashboard is None
    typed.key.value = KEY
    typed.button.click()
    assert typed.dashboard is not None
    assert typed.key.value == ""  # the key does not stay in the widget


def test_evaluator_app_returns_the_gate(seeded):
    page = evaluator_app(seeded)
    assert find(page, "wb-eval-gate") and not find(page, "wb-evaluator")


# -- under a JupyterHub: the hub user, never a shared key --------------------------------------------------
def gate_text(page: widgets.Widget) -> str:
    """What the gate says, as a person reads it."""
    return html.unescape(
        " ".join(w.value for w in find(page, "wb-eval-gate-intro") + find(page, "wb-key-message"))
    )


def test_under_a_hub_an_evaluator_opens_the_app_without_a_key(seeded, as_hub_user):
    identity.add_participant(seeded, "Eva", roles=["evaluator"], allow_privileged=True, hub_user="eva")
    as_hub_user("eva")
    gate = EvaluatorGate(seeded)
    page = gate.start()
    assert gate.dashboard is not None and find(page, "wb-evaluator")
    assert gate.dashboard.computed is not None and not gate.dashboard.withdrawn


@pytest.mark.parametrize("who", ["team member", "manager", "unknown"])
def test_under_a_hub_anyone_else_is_told_only_that_the_page_is_for_evaluators(seeded, as_hub_user, who):
    if who == "team member":
        identity.add_participant(seeded, "Tia", roles=["team_member"], hub_user="visitor")
    elif who == "manager":
        identity.add_participant(seeded, "Mo", roles=["manager:Demo cohort A"], hub_user="visitor")
    as_hub_user("visitor")
    gate = EvaluatorGate(seeded)
    page = gate.start()
    assert gate.dashboard is None and not find(page, "wb-evaluator")
    text = gate_text(page)
    assert "This page is for the programme's evaluators, so it does not open for your hub account." in text
    for said in ("not in the workbook", "visitor", "Tia", "Mo", "team member", "manager", "key", "code"):
        assert said not in text  # nothing more: not whether they are known, nor what else they hold
    assert find(page, "wb-key") == [] and find(page, "wb-key-open") == []  # no key form
    assert "Demo cohort" not in live_widget_state()


def test_under_a_hub_the_shared_key_opens_nothing(seeded, as_hub_user, monkeypatch):
    """The server has a good key, but under a hub neither the URL's key nor one sent to the form opens."""
    identity.add_participant(seeded, "Tia", roles=["team_member"], hub_user="tia")
    evaluator = identity.add_participant(seeded, "Eva", roles=["evaluator"], allow_privileged=True)
    as_hub_user("tia")
    for query in (f"key={KEY}", f"code={evaluator.code}"):
        monkeypatch.setenv("QUERY_STRING", query)
        gate = EvaluatorGate(seeded)
        page = gate.start()
        assert gate.dashboard is None and not find(page, "wb-evaluator")
        assert not gate.try_key(KEY) and not gate.try_key(evaluator.code)  # as a crafted click would send
        assert gate.dashboard is None and "evaluators" in gate.message.value
        assert gate.key.comm is None and gate.button.comm is None  # the form's widgets are gone
    assert "Demo cohort" not in live_widget_state()


def test_under_a_hub_an_unknown_user_with_the_key_in_the_url_is_refused(seeded, as_hub_user, monkeypatch):
    as_hub_user("stranger")
    monkeypatch.setenv("QUERY_STRING", f"key={KEY}")
    gate = EvaluatorGate(seeded)
    gate.start()
    assert gate.dashboard is None and "evaluators" in gate.message.value


@pytest.mark.parametrize("change", ["withdraw the role", "untie the hub user"])
def test_under_a_hub_the_open_page_closes_at_its_next_refresh(seeded, as_hub_user, change):
    eva = identity.add_participant(seeded, "Eva", roles=["evaluator"], allow_privileged=True, hub_user="eva")
    as_hub_user("eva")
    gate = EvaluatorGate(seeded)
    page = gate.start()
    board = gate.dashboard
    board.refresh()
    assert gate.dashboard is board and not board.withdrawn  # still allowed: nothing changes
    if change == "withdraw the role":
        identity.withdraw_role(seeded, eva.person.pid, "evaluator")
    else:
        identity.set_hub_user(seeded, eva.person.pid, None)
    board.phase.value = "then"  # a filter changed: the next refresh asks again
    assert board.withdrawn and gate.dashboard is None
    assert not find(page, "wb-evaluator") and board.widget.comm is None  # the figures are gone
    assert "no longer opens the evaluator's figures" in gate_text(page)
    board.prepare_downloads()  # a crafted click on a closed page makes nothing
    assert board.downloads.value == ""


def test_without_a_hub_the_key_still_opens_and_is_never_rechecked(seeded, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "eva")  # without the hub's token this is not a hub
    monkeypatch.setenv("QUERY_STRING", f"key={KEY}")
    gate = EvaluatorGate(seeded)
    gate.start()
    assert gate.dashboard is not None
    gate.dashboard.refresh()
    assert not gate.dashboard.withdrawn


# -- the figures -----------------------------------------------------------------------------------------
def test_headline_figures_are_run_evaluations(seeded):
    board = open_dashboard(seeded)
    want = expected_evaluation(scores_frame(seeded))
    assert board.computed.result == want
    scale = want.scale
    text = html.unescape(board.headline.value)
    for shown in (
        f"{scale.pct_change_of_means:+.1f}%",
        f"{scale.pct_improved:.0f}%",
        f"{scale.normalized_gain:.2f}",
        f"{scale.mean_change:+.2f} ({scale.ci95[0]:+.2f} to {scale.ci95[1]:+.2f})",
        f"t({scale.df}) = {scale.t:.2f}",
        f"{scale.d_z:.2f}",
        f"{scale.d_av:.2f}",
        f"{scale.g_z:.2f}",
        f"{scale.n} / {want.flow.participants}",
        "Wilcoxon signed-rank test",
    ):
        assert shown in text, shown
    for key in (
        "pct_change_of_means",
        "pct_improved",
        "normalized_gain",
        "t",
        "wilcoxon",
        "d_z",
        "d_av",
        "g_z",
    ):
        assert METHOD[key] in text, key  # the exact method, under "Method"
        assert IN_WORDS[key] in text, key  # and what it means, in words
    assert text.count("<summary>Method</summary>") >= 10
    assert board.headline.value.count('class="wb-eval-meaning ') == 3
    assert "Working out the figures" not in board.headline.value  # the placeholder gave way to the figures
    assert "Synthetic demo data" in board.banner.value
    assert "Up to date" in board.status.value


def test_summary_table_lists_scale_items_and_cohorts(seeded):
    board = open_dashboard(seeded)
    table = html.unescape(board.summary.value)
    for item in INST.items:
        assert item.short in table
    for cohort in ("Demo cohort A", "Demo cohort B", "Demo cohort C"):
        assert cohort in table
    assert "hidden: too few people (n = 4, fewer than 5)" in table  # cohort B
    assert "hidden: too few people (n = 0, fewer than 5)" in table  # cohort C
    # cohort A has 5: hidden only so that B's 4 cannot be worked out from everyone minus A, and says so
    assert "hidden so that a smaller group cannot be worked out (n = 5)" in table
    assert "(n = 5): hidden" not in table and "5 &lt; 5" not in table and "5 < 5" not in table
    assert "How small groups are protected" in board.protection.value


def test_a_cohort_filter_changes_the_figures(seeded_plus):
    """Demo A (5), B (4), Spring 2025 (5): B is too small, so A is hidden too (ties go by name);
    Spring 2025 can be chosen on its own."""
    seeded = seeded_plus
    board = open_dashboard(seeded, include_demo=True)
    before = board.headline.value
    board.cohorts.value = ("Spring 2025",)
    want = expected_evaluation(scores_frame(seeded), cohorts=["Spring 2025"])
    assert board.computed.result == want and board.computed.refused is None
    assert board.headline.value != before
    assert f"{want.scale.pct_change_of_means:+.1f}%" in board.headline.value
    assert "Spring 2025" in board.status.value
    board.cohorts.value = ()  # none chosen: every cohort again
    assert board.computed.result == expected_evaluation(scores_frame(seeded))


def test_the_date_filters_are_gone_and_phases_are_fixed(seeded):
    board = open_dashboard(seeded)
    assert not hasattr(board, "start") and not hasattr(board, "end")
    assert [value for _label, value in board.phase.options] == ["pre", "then"]
    board.phase.value = "then"
    want = expected_evaluation(scores_frame(seeded), phase="then")
    assert board.computed.result == want and want.phase == "then"
    assert "retrospective 'then' rating" in board.headline.value
    assert "looking back and after" in board.status.value


def test_a_phase_that_is_not_offered_is_refused_and_keeps_the_figures(seeded):
    board = open_dashboard(seeded)
    computed = board.computed
    with pytest.raises(TraitError):
        board.phase.value = "2020-01-01"  # the widget refuses a free date
    board.phase._trait_values["value"] = "2020-01-01"  # and the server checks again, had it got through
    board.refresh()
    assert "programme phase" in board.status.value and "wb-error" in board.status.value
    assert board.computed is computed


def test_a_cohort_under_the_threshold_cannot_be_chosen(seeded):
    board = open_dashboard(seeded)
    assert "Demo cohort B (figures hidden)" in [label for label, _ in board.cohorts.options]
    board.cohorts.value = ("Demo cohort B",)
    assert board.computed.refused is not None
    headline = html.unescape(board.headline.value)
    assert "cohort Demo cohort B has too few people (n = 4, fewer than 5)" in headline
    assert "by 4 people" in headline
    assert "wb-eval-value" not in headline and "Paired t-test" not in headline
    assert board.computed.result.scale.mean_change is None
    assert board.computed.result.flow.participants == 0  # nothing of the selection was computed
    assert not [name for name, box in board.chart_boxes.items() if box.layout.display != "none"]
    assert "cannot be shown" in html.unescape(board.reaction.value)
    assert board.prepare.disabled and "wb-error" in board.status.value
    board.prepare_downloads()
    assert "No downloads" in board.status.value


def test_a_cohort_hidden_so_that_a_smaller_one_cannot_be_worked_out_cannot_be_chosen(seeded):
    """All participants minus cohort A would be cohort B (4 matched): A cannot be chosen either."""
    board = open_dashboard(seeded)
    board.cohorts.value = ("Demo cohort A",)
    assert board.computed.refused is not None
    headline = html.unescape(board.headline.value)
    assert "cohort Demo cohort A is hidden so that a smaller group cannot be worked out" in headline
    assert board.computed.result.scale.n == 0
    board.cohorts.value = ("Demo cohort A", "Demo cohort B", "Demo cohort C")  # = everyone
    assert board.computed.refused is None and "wb-eval-value" in board.headline.value


def test_two_selections_never_differ_by_a_small_group(store, keyed):
    """The issue's attack: cohorts {X, Z} (n = 7) and {X} (n = 6) both shown gave Z's one person."""
    add_cohort_with_scores(store, "X", 6)
    add_cohort_with_scores(store, "Y", 5)
    add_cohort_with_scores(store, "Z", 1)
    board = open_dashboard(store)
    board.cohorts.value = ("X",)
    assert board.computed.refused is None and board.computed.result.scale.n == 6
    assert board.computed.result.scale.mean_change is not None
    board.cohorts.value = ("X", "Z")
    assert board.computed.refused is not None and "cohort Z has too few people (n = 1" in html.unescape(
        board.headline.value
    )
    # and everyone minus X minus Y would be Z: Y (6) is hidden too, and says why
    assert board.computed is not None
    board.cohorts.value = ()
    cohorts = board.computed.result.cohorts
    assert cohorts["Z"].scale.hidden_because == "too_few"
    assert cohorts["Y"].scale.hidden_because == "secondary" and not cohorts["X"].scale.suppressed
    board.cohorts.value = ("Y",)
    assert board.computed.refused is not None  # else everyone minus X minus Y would be Z


def chart_png(board, name: str) -> bytes:
    """The PNG a chart shows: its image is an <img> whose alt text describes it."""
    src = re.search(r'src="data:image/png;base64,([^"]+)"', board.images[name].value)
    return base64.b64decode(src.group(1)) if src else b""


def test_charts_are_pngs_with_a_text_equivalent(seeded):
    board = open_dashboard(seeded)
    shown = [name for name, box in board.chart_boxes.items() if box.layout.display != "none"]
    assert {"flow", "slope", "items", "answers", "change", "baseline", "cohorts", "response_shift"} <= set(
        shown
    )
    assert {"reaction", "behaviour"} <= set(shown)
    for name in shown:
        assert chart_png(board, name).startswith(b"\x89PNG"), name
        alt = html.unescape(re.search(r'alt="([^"]*)"', board.images[name].value).group(1))
        assert alt and alt in html.unescape(board.captions[name].value)


def test_empty_store_says_so(store, keyed):
    board = open_dashboard(store)
    assert "No scores yet" in board.banner.value
    assert board.body.layout.display == "none"
    assert board.computed is None


# -- downloads ---------------------------------------------------------------------------------------------
def test_downloads_hold_the_same_numbers(seeded):
    board = open_dashboard(seeded)
    files = downloads(board)
    want = summary_frame(expected_evaluation(scores_frame(seeded)))

    name, mime, payload = files["csv"]
    assert name.endswith(".csv") and mime == "text/csv"
    got = pd.read_csv(io.BytesIO(payload))
    assert list(got.columns) == ["data", *want.columns]  # only the demo: every row says it is synthetic
    assert set(got["data"]) == {"synthetic demo data"}
    assert list(got.measure) == list(want.measure)
    for column in (
        "n",
        "pre_mean",
        "post_mean",
        "mean_change",
        "ci95_low",
        "p",
        "d_z",
        "d_av",
        "normalized_gain",
    ):
        pd.testing.assert_series_equal(
            got[column].astype("float64"), want[column].astype("float64"), check_names=False, rtol=1e-9
        )

    name, _, payload = files["xlsx"]
    book = openpyxl.load_workbook(io.BytesIO(payload))
    assert name.endswith(".xlsx") and {"Summary", "Flow", "Method", "Settings"} <= set(book.sheetnames)
    assert book["Summary"].max_row == len(want) + 1

    for chart in board.computed.pngs:
        assert files[f"{chart}-png"][2].startswith(b"\x89PNG")
        svg = files[f"{chart}-svg"][2]
        assert b"<svg" in svg[:500] and files[f"{chart}-svg"][1] == "image/svg+xml"

    report = files["html"][2].decode("utf-8")
    assert report.startswith("<!DOCTYPE html>") and "Synthetic demo data" in report
    assert f"{want.pct_change_of_means[0]:+.1f}%" in report
    # the report has every chart the page shows, the reaction and conversations included, in page order
    assert {"reaction", "behaviour"} <= set(board.computed.pngs)
    shown = [CHART_TITLES[name] for name in board.computed.pngs]
    in_report = re.findall(r"<figcaption>([^<]+)</figcaption>", report)
    assert [html.unescape(title) for title in in_report] == shown

    pdf = files["pdf"][2]
    assert pdf.startswith(b"%PDF")
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert f"{want.pct_change_of_means[0]:+.1f}%" in text and "Summary" in text
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 1 + len(board.computed.pngs)


def test_downloads_follow_the_filter(seeded_plus):
    seeded = seeded_plus
    board = open_dashboard(seeded, include_demo=True)
    downloads(board)
    board.cohorts.value = ("Spring 2025",)
    assert board.downloads.value == ""  # old files are withdrawn with the old selection
    got = pd.read_csv(io.BytesIO(downloads(board)["csv"][2]))
    want = summary_frame(expected_evaluation(scores_frame(seeded), cohorts=["Spring 2025"]))
    assert got.n.tolist() == want.n.tolist()


# -- privacy -----------------------------------------------------------------------------------------------
def test_no_name_no_free_text_in_any_widget_or_file(seeded):
    board = open_dashboard(seeded)
    files = downloads(board)
    board.cohorts.value = ("Demo cohort B",)
    board.cohorts.value = ("Demo cohort A", "Demo cohort C")
    state = live_widget_state()
    texts = [
        t for t in (*demo.REFLECTIONS, *demo.COMMENTS, *demo.SCENARIO_RESPONSES, *demo.SUPPORT_IDEAS) if t
    ]
    texts += [line for q in demo.QUESTIONS for line in q.splitlines()]
    decoded = [
        payload.decode("utf-8", "replace") for kind, (_, _, payload) in files.items() if "png" not in kind
    ]
    for haystack in (state, *decoded):
        assert "Demo manager" not in haystack
        assert "demo-m0" not in haystack  # not even the pseudonymous ids
        assert "Team member " not in haystack  # the aliases of the conversation log
        for text in texts:
            assert text not in haystack and html.escape(text) not in haystack, text


def test_a_script_in_a_cohort_name_is_escaped_everywhere(seeded):
    payload = "<script>window.__pwned=1</script><img src=x onerror=alert(1)>"
    add_cohort_with_scores(seeded, payload, 6)  # demo A (5) is then the one hidden next to B (4)
    board = open_dashboard(seeded, include_demo=True)
    assert payload in board.cohorts.value  # a plain option label, shown as text by the widget
    html_widgets = [w for w in _instances.values() if isinstance(w, widgets.HTML)]
    assert any(html.escape(payload) in w.value for w in html_widgets)
    for widget in html_widgets:
        assert "<script" not in widget.value and "<img src=x" not in widget.value
    board.cohorts.value = (payload,)
    assert board.computed.result.scale.n == 6
    assert html.escape(payload) in board.status.value
    report = downloads(board)["html"][2].decode("utf-8")
    assert "<script>window" not in report and "&lt;script&gt;" in report
    for widget in (w for w in _instances.values() if isinstance(w, widgets.HTML)):
        assert "<script" not in widget.value


def test_real_cohorts_next_to_the_demo_are_not_called_synthetic(seeded):
    add_cohort_with_scores(seeded, "Spring 2025")
    board = open_dashboard(seeded, include_demo=True)
    assert "Synthetic demo data:" not in board.banner.value
    assert "These figures include synthetic demo data" in board.banner.value


# -- running inside a kernel ---------------------------------------------------------------------------------
def test_in_a_kernel_the_slow_work_runs_off_the_event_loop(seeded_plus):
    from workbook.manager.scores import cohort_scope

    seeded = seeded_plus
    want_real = expected_evaluation(scores_frame(seeded, scope=cohort_scope(seeded)))
    want_all = expected_evaluation(scores_frame(seeded))
    want_a = expected_evaluation(scores_frame(seeded), cohorts=["Spring 2025"])

    async def until_ready(board, what):
        for _ in range(1200):
            if "Up to date" in board.status.value:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"not ready after {what}: {board.status.value}")

    async def main():
        gate = EvaluatorGate(seeded)
        assert gate.try_key(KEY)
        board = gate.dashboard
        assert board.runner.background
        assert "Loading" in board.status.value  # the page is there before the figures
        await until_ready(board, "opening")
        assert board.computed.result == want_real  # the demo cohorts left out
        board.include_demo.value = True
        assert "Loading" in board.status.value
        await until_ready(board, "including the demo")
        assert board.computed.result == want_all
        board.cohorts.value = ("Spring 2025",)
        assert "Updating" in board.status.value
        await until_ready(board, "filtering")
        assert board.computed.result == want_a
        assert all(chart_png(board, name).startswith(b"\x89PNG") for name in board.computed.pngs)

    asyncio.run(main())


# -- reaction_summary ---------------------------------------------------------------------------------------
def test_reaction_summary_counts_and_means_never_comments(store):
    people = [identity.add_participant(store, f"R{k}", cohort="R").person for k in range(5)]
    for k, person in enumerate(people):
        save_reaction(store, person, {"usefulness": 1 + k, "relevance": 4}, "SECRET COMMENT", "facilitator")
    save_reaction(store, people[0], {"usefulness": 5})  # the latest rating counts
    summary = reaction_summary(store, threshold=5)
    assert "SECRET" not in json.dumps(summary)
    usefulness = summary["questions"]["usefulness"]
    assert usefulness["n"] == 5 and usefulness["counts"] == {1: 0, 2: 1, 3: 1, 4: 1, 5: 2}
    assert usefulness["mean"] == pytest.approx((5 + 2 + 3 + 4 + 5) / 5)
    assert summary["questions"]["confidence_to_apply"] == {
        "n": 0,
        "suppressed": True,
        "hidden_because": "too_few",
        "hidden_text": "hidden: too few people (n = 0, fewer than 5)",
        "mean": None,
        "counts": None,
    }
    assert summary["respondents"] == 5 and not summary["suppressed"]
    assert reaction_summary(store, "R", threshold=6)["questions"]["relevance"]["mean"] is None
    assert reaction_summary(store, ["other"])["respondents"] == 0
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert reaction_summary(store, start=tomorrow)["respondents"] == 0
    assert reaction_summary(store, end=dt.date.today())["respondents"] == 5
    with store.read() as session:
        assert session.scalar(select(Participant.id).where(Participant.name == "R0")) is not None


# -- synthetic demo data next to real data ------------------------------------------------------------------
def file_texts(files: dict[str, tuple[str, str, bytes]]) -> dict[str, str]:
    """What each download says, as text: the CSV and SVG as they are, the XLSX's title and cells, the PDF's
    text and the PNG's Title."""
    from PIL import Image
    from pypdf import PdfReader

    texts = {}
    for kind, (name, _mime, payload) in files.items():
        if kind == "xlsx":
            book = openpyxl.load_workbook(io.BytesIO(payload))
            cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
            text = "\n".join([book.properties.title or "", *cells])
        elif kind == "pdf":
            text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(payload)).pages)
        elif kind.endswith("-png"):
            text = Image.open(io.BytesIO(payload)).text.get("Title", "")
        else:
            text = payload.decode("utf-8")
        texts[kind] = f"{name}\n{text}"
    return texts


def test_a_real_cohort_leaves_the_demo_out_of_the_view_and_every_download(seeded_plus):
    """Demo cohorts A, B, C next to the real Spring 2025: the default view, its charts and every download
    are of Spring 2025 only, and none of them speaks of synthetic data."""
    store = seeded_plus
    board = open_dashboard(store)
    real = scores_frame(store)[lambda f: f["cohort"] == "Spring 2025"]
    assert board.loaded.cohorts == ["Spring 2025"]
    assert [value for _, value in board.cohorts.options] == ["Spring 2025"]
    assert board.computed.result == expected_evaluation(real)
    assert board.computed.result.flow.participants == 5
    assert board.computed.behaviour["conversations"] == 0  # the demo's conversations are left out too
    assert board.computed.reaction["respondents"] == 0  # and so are its reaction ratings
    assert "synthetic" not in board.title.value.lower()
    assert "Demo cohort A, Demo cohort B, Demo cohort C) are left out" in board.banner.value
    assert board.include_demo.layout.display is None and board.include_demo.value is False
    assert all(not board.computed.figures[name].get_suptitle() for name in board.computed.pngs)
    texts = file_texts(downloads(board))
    assert {"csv", "xlsx", "html", "pdf", "flow-png", "flow-svg"} <= set(texts)
    for kind, text in texts.items():
        assert "synthetic" not in text.lower() and "Demo cohort" not in text, kind
    # a crafted message choosing a cohort that is left out is refused, the figures kept
    computed = board.computed
    board.cohorts._trait_values["value"] = ("Demo cohort A",)
    board.refresh()
    assert "Choose cohorts from the list" in board.status.value and board.computed is computed


def test_with_the_choice_every_output_says_it_includes_synthetic_demo_data(seeded_plus):
    store = seeded_plus
    board = open_dashboard(store, include_demo=True)
    assert board.computed.result == expected_evaluation(scores_frame(store))  # every cohort
    assert "Demo cohort A" in board.loaded.cohorts
    assert "(includes synthetic demo data)" in board.title.value
    assert "These figures include synthetic demo data" in board.banner.value
    for name in board.computed.pngs:
        assert board.computed.figures[name].get_suptitle() == "Includes synthetic demo data", name
    files = downloads(board)
    texts = file_texts(files)
    for kind, text in texts.items():
        assert "includes synthetic demo data" in text.lower(), kind
        assert files[kind][0].startswith("includes-synthetic-demo-"), kind
        assert "-all-cohorts-pre-post-" in files[kind][0], kind  # and which cohorts and phase
    assert files["csv"][0].startswith("includes-synthetic-demo-evaluation-summary-all-cohorts-pre-post-")
    assert "(includes synthetic demo data)</title>" in texts["html"]
    got = pd.read_csv(io.BytesIO(files["csv"][2]))
    assert set(got["data"]) == {"includes synthetic demo data"}
    assert "(includes synthetic demo data). Prepared" in board.downloads.value
    # a selection of the real cohort alone holds no synthetic data, and says nothing of it
    board.cohorts.value = ("Spring 2025",)
    assert "synthetic" not in board.title.value.lower()
    assert "synthetic" not in pd.read_csv(io.BytesIO(downloads(board)["csv"][2])).to_csv().lower()
    # and one of the demo alone is synthetic demo data
    board.cohorts.value = ("Demo cohort A", "Demo cohort B", "Demo cohort C")
    assert "(synthetic demo data)" in board.title.value
    # ticked off again: the demo is left out again
    board.include_demo.value = False
    assert board.loaded.cohorts == ["Spring 2025"] and "synthetic" not in board.title.value.lower()


def test_only_the_demo_shows_as_today_marked_synthetic(seeded):
    """A fresh start: only the demo's cohorts, shown without being asked for, and marked."""
    board = open_dashboard(seeded)
    assert board.computed.result == expected_evaluation(scores_frame(seeded))
    assert board.include_demo.layout.display == "none"  # nothing to choose
    assert "(synthetic demo data)" in board.title.value
    assert "Synthetic demo data: these figures describe invented managers" in board.banner.value
    assert board.computed.figures["flow"].get_suptitle() == "Synthetic demo data"
    files = downloads(board)
    for kind, text in file_texts(files).items():
        assert "synthetic demo data" in text.lower(), kind
        assert files[kind][0].startswith("synthetic-demo-"), kind


def test_a_cohort_named_like_the_demo_but_made_by_a_person_is_real(store, keyed):
    """Demo cohorts are the ones `workbook demo` made, never a name: this one is real, and is shown
    without any word of synthetic data."""
    add_cohort_with_scores(store, "Demo cohort A")
    board = open_dashboard(store)
    assert board.loaded.scope.demo == () and board.loaded.cohorts == ["Demo cohort A"]
    assert board.computed.result == expected_evaluation(scores_frame(store))
    assert "synthetic" not in (board.title.value + board.banner.value).lower()
    assert board.include_demo.layout.display == "none"
    for kind, text in file_texts(downloads(board)).items():
        assert "synthetic" not in text.lower(), kind
