"""The participant app's widgets and callbacks, driven without a browser."""

from __future__ import annotations

import pytest
from ipywidgets.widgets.widget import _instances
from traitlets import TraitError
from widget_helpers import find, live_widget_state

from workbook import content, identity
from workbook.apps.participant import PreparationWorkbook, participant_app
from workbook.preparation import SCOPE

PREP = content.preparation()


@pytest.fixture
def ana(store):
    return identity.add_participant(store, "Ana Silva", cohort="Spring")


@pytest.fixture
def book(store, ana):
    return PreparationWorkbook(store, ana.person, PREP)


def test_typing_saves_and_shows_saved(store, ana, book):
    box = book.views["aspirations"].inputs["in_two_years"]
    box.value = "Lead the customer training team"
    saved = store.current_answers(ana.person.id, SCOPE)
    assert saved["aspirations.in_two_years"].value == "Lead the customer training team"
    assert book.status.state == "saved" and "saved" in book.status.text
    assert "Last changed: " in book.views["aspirations"].last_changed.value
    assert "not yet" not in book.views["aspirations"].last_changed.value


def test_answers_come_back_when_reopened(store, ana, book):
    book.views["self_awareness"].inputs["strengths"].value = "Explaining things simply"
    again = PreparationWorkbook(store, ana.person, PREP)
    assert again.views["self_awareness"].inputs["strengths"].value == "Explaining things simply"


def test_every_version_is_kept(store, ana, book):
    box = book.views["self_awareness"].inputs["trends"]
    for text in ("a", "ab", "abc"):
        box.value = text
    history = store.answer_history(ana.person.id, SCOPE, "self_awareness.trends")
    assert [h.value for h in history] == ["a", "ab", "abc"]


def test_too_long_text_is_refused_and_nothing_changes(store, ana, book):
    box = book.views["self_awareness"].inputs["trends"]
    box.value = "kept"
    box.value = "x" * 5000
    assert book.status.state == "error" and "at most 4000" in book.status.text
    assert store.current_answers(ana.person.id, SCOPE)["self_awareness.trends"].value == "kept"


def test_crafted_values_are_refused_by_the_kernel(store, ana, book):
    box = book.views["self_awareness"].inputs["trends"]
    with pytest.raises(TraitError):
        box.value = {"not": "text"}
    with pytest.raises(TraitError):
        book.views["goals"].visibility.value = "everyone"
    book.save_visibility(PREP.section("goals"), "everyone")  # as if it got past the widget
    assert book.status.state == "error"
    assert store.visibilities(ana.person.id, SCOPE) == {}
    book.save(PREP.section("support"), PREP.section("support").fields[0], "support.network", ["boss"])
    assert "not one of the choices" in book.status.text
    assert "support.network" not in store.current_answers(ana.person.id, SCOPE)


def test_choices_save_as_ids(store, ana, book):
    boxes = book.views["support"].inputs["network"].children
    boxes[1].value = True
    boxes[4].value = True
    assert store.current_answers(ana.person.id, SCOPE)["support.network"].value == ["mentor", "experiences"]


def test_visibility_is_stored_and_shown(store, ana, book):
    view = book.views["aspirations"]
    assert view.visibility.value == "private"
    view.visibility.value = "manager"
    assert store.visibilities(ana.person.id, SCOPE) == {"aspirations": "manager"}
    assert PreparationWorkbook(store, ana.person, PREP).views["aspirations"].visibility.value == "manager"


def test_goals_guide_towards_two_or_three(store, ana, book):
    editor = book.views["goals"].goals
    assert len(editor.cards) == 2
    editor.cards[0]["goal"].value = "Run onboarding"
    editor.cards[0]["measure"].value = "Rated 4+"
    assert "Aim for 2 to 3" in editor.advice.value
    editor.cards[1]["goal"].value = "Mentor a junior"
    editor.cards[1]["measure"].value = "Monthly sessions"
    editor.add_goal()
    assert editor.add_button.disabled and len(editor.cards) == 3
    editor.add_goal()
    assert len(editor.cards) == 3
    saved = store.current_answers(ana.person.id, SCOPE)["goals.goals"].value
    assert [g["goal"] for g in saved] == ["Run onboarding", "Mentor a junior"]
    editor.remove_goal(0)
    saved = store.current_answers(ana.person.id, SCOPE)["goals.goals"].value
    assert [g["goal"] for g in saved] == ["Mentor a junior", ""]


def test_bad_target_date_is_refused(store, ana, book):
    card = book.views["goals"].goals.cards[0]
    card["goal"].value = "G"
    card["target_date"].value = "soon"
    assert "YYYY-MM-DD" in book.status.text
    assert store.current_answers(ana.person.id, SCOPE)["goals.goals"].value[0]["target_date"] == ""


def test_progress_shows_sections_complete(store, ana, book):
    assert "0 of 5 sections complete" in book.progress.value
    for field in PREP.section("aspirations").fields:
        book.views["aspirations"].inputs[field.id].value = "Something"
    assert "1 of 5 sections complete" in book.progress.value
    assert 'class="wb-progress-done" data-section="aspirations"' in book.progress.value


def test_names_and_answers_are_escaped(store):
    issued = identity.add_participant(store, "<img src=x onerror=alert(1)>")
    book = PreparationWorkbook(store, issued.person, PREP)
    book.views["aspirations"].inputs["in_two_years"].value = "<script>alert(1)</script>"
    assert "<img src=x" not in book.widget.children[0].value
    assert "&lt;img src=x onerror=alert(1)&gt;" in book.widget.children[0].value
    book.build_plan()
    assert "<script>alert(1)" not in book.plan_preview.value
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in book.plan_preview.value


def test_plan_downloads_in_three_formats(store, ana, book):
    book.views["goals"].goals.cards[0]["goal"].value = "Run onboarding"
    book.build_plan()
    links = book.downloads.value
    for fmt in ("docx", "pdf", "md"):
        assert f"wb-download-{fmt}" in links
    assert 'download="development-plan-ana-silva-' in links
    assert "Run onboarding" in book.plan_preview.value


def test_sign_in_gate(store, ana, monkeypatch):
    monkeypatch.setenv("QUERY_STRING", "code=wrong-code-that-is-long-enough")
    app = participant_app(store)
    message = find(app, "wb-signin-message")[0].value
    assert "not valid" in message
    assert not find(app, "wb-workbook")
    monkeypatch.setenv("QUERY_STRING", f"code={ana.code}")
    app = participant_app(store)
    assert find(app, "wb-workbook")


def test_revoked_code_opens_nothing(store, ana, monkeypatch):
    identity.revoke(store, ana.person.pid)
    monkeypatch.setenv("QUERY_STRING", f"code={ana.code}")
    app = participant_app(store)
    assert "withdrawn" in find(app, "wb-signin-message")[0].value
    assert not find(app, "wb-workbook")


def test_code_typed_on_the_page(store, ana):
    app = participant_app(store)
    signin_code = find(app, "wb-code")[0]
    signin_code.value = ana.code
    find(app, "wb-open")[0].click()
    assert find(app, "wb-workbook")
    assert signin_code.value == ""  # the code does not linger in the kernel's widgets


def test_kernel_holds_only_the_viewers_data(store, monkeypatch):
    """Open A's workbook, then read the state of every live widget: B's answers are nowhere."""
    a = identity.add_participant(store, "Alice Able")
    b = identity.add_participant(store, "Bob Secretname")
    store.save_answer(b.person.id, SCOPE, "aspirations.in_two_years", "BOB-PRIVATE-ASPIRATION")
    store.save_answer(a.person.id, SCOPE, "aspirations.in_two_years", "alice aspiration")
    _instances.clear()
    monkeypatch.setenv("QUERY_STRING", f"code={a.code}")
    participant_app(store)
    state = live_widget_state()
    assert "alice aspiration" in state
    assert "BOB-PRIVATE-ASPIRATION" not in state and "Secretname" not in state
    assert a.code not in state
