"""The participant app's widgets and callbacks, driven without a browser."""

from __future__ import annotations

from datetime import date

import pytest
from ipywidgets.widgets.widget import _instances
from traitlets import TraitError
from widget_helpers import find, live_widget_state, open_every_tab

from workbook import content, identity
from workbook.apps.participant import PreparationWorkbook, participant_app
from workbook.preparation import SCOPE

PREP = content.preparation()


@pytest.fixture
def ana(store):
    return identity.add_participant(store, "Ana Silva")


@pytest.fixture
def book(store, ana):
    return PreparationWorkbook(store, ana.person, PREP)


def test_typing_saves_and_shows_saved(store, ana, book):
    box = book.open_section("aspirations").inputs["in_two_years"]
    box.value = "Lead the customer training team"
    saved = store.current_answers(ana.person.id, SCOPE)
    assert saved["aspirations.in_two_years"].value == "Lead the customer training team"
    assert book.status.state == "saved" and "saved" in book.status.text
    assert "Last changed: " in book.open_section("aspirations").last_changed.value
    assert "not yet" not in book.open_section("aspirations").last_changed.value


def test_answers_come_back_when_reopened(store, ana, book):
    book.open_section("self_awareness").inputs["strengths"].value = "Explaining things simply"
    again = PreparationWorkbook(store, ana.person, PREP)
    assert again.open_section("self_awareness").inputs["strengths"].value == "Explaining things simply"


def test_every_version_is_kept(store, ana, book):
    box = book.open_section("self_awareness").inputs["trends"]
    for text in ("a", "ab", "abc"):
        box.value = text
    history = store.answer_history(ana.person.id, SCOPE, "self_awareness.trends")
    assert [h.value for h in history] == ["a", "ab", "abc"]


def test_too_long_text_is_refused_and_nothing_changes(store, ana, book):
    box = book.open_section("self_awareness").inputs["trends"]
    box.value = "kept"
    box.value = "x" * 5000
    assert book.status.state == "error" and "at most 4000" in book.status.text
    assert store.current_answers(ana.person.id, SCOPE)["self_awareness.trends"].value == "kept"


def test_crafted_values_are_refused_by_the_kernel(store, ana, book):
    box = book.open_section("self_awareness").inputs["trends"]
    with pytest.raises(TraitError):
        box.value = {"not": "text"}
    with pytest.raises(TraitError):
        book.open_section("goals").visibility.value = "everyone"
    book.save_visibility(PREP.section("goals"), "everyone")  # as if it got past the widget
    assert book.status.state == "error"
    assert store.visibilities(ana.person.id, SCOPE) == {}
    book.save(PREP.section("support"), PREP.section("support").fields[0], "support.network", ["boss"])
    assert "not one of the choices" in book.status.text
    assert "support.network" not in store.current_answers(ana.person.id, SCOPE)


def test_choices_save_as_ids(store, ana, book):
    boxes = book.open_section("support").inputs["network"].children
    boxes[1].value = True
    boxes[4].value = True
    assert store.current_answers(ana.person.id, SCOPE)["support.network"].value == ["mentor", "experiences"]


def test_visibility_is_stored_and_shown(store, ana, book):
    view = book.open_section("aspirations")
    assert view.visibility.value == "private"
    view.visibility.value = "manager"
    assert store.visibilities(ana.person.id, SCOPE) == {"aspirations": "manager"}
    again = PreparationWorkbook(store, ana.person, PREP).open_section("aspirations")
    assert again.visibility.value == "manager"


def test_the_manager_choice_says_so_when_nobody_is_named(store, ana, book):
    """An option is a promise: with no manager in the workbook, "your manager" would reach nobody."""
    labels = dict((level, label) for label, level in book.open_section("aspirations").visibility.options)
    assert labels["manager"] == content.NO_MANAGER_LABEL and "only you" in labels["manager"]
    boss = identity.add_participant(store, "Bea Boss", roles=["manager"])
    member = identity.add_participant(store, "Cy Member", manager_pid=boss.person.pid)
    view = PreparationWorkbook(store, member.person, PREP).open_section("aspirations")
    labels = dict((level, label) for label, level in view.visibility.options)
    assert labels["manager"] == "You and your manager"


def test_goals_guide_towards_two_or_three(store, ana, book):
    editor = book.open_section("goals").goals_editor
    assert len(editor.cards) == 2
    editor.cards[0].inputs["goal"].value = "Run onboarding"
    editor.cards[0].inputs["measure"].value = "Rated 4+"
    assert "Aim for 2 to 3" in editor.advice.value
    editor.cards[1].inputs["goal"].value = "Mentor a junior"
    editor.cards[1].inputs["measure"].value = "Monthly sessions"
    assert not editor.add_button.disabled
    editor.add_goal()
    assert len(editor.cards) == 3
    assert not editor.add_button.disabled, "an empty card never blocks adding a goal"
    assert "2 goals: a focused plan" in editor.advice.value, "the advice counts complete goals"
    editor.add_goal()
    assert len(editor.cards) == 3 and "Goal 3 is still empty" in editor.advice.value
    editor.cards[2].inputs["goal"].value = "Speak at the guild"
    assert editor.add_button.disabled
    editor.cards[2].inputs["measure"].value = "One talk"
    assert "3 goals: that is the most" in editor.advice.value
    saved = store.current_answers(ana.person.id, SCOPE)["goals.goals"].value
    assert [g["goal"] for g in saved] == ["Run onboarding", "Mentor a junior", "Speak at the guild"]
    editor.remove_goal(0)
    saved = store.current_answers(ana.person.id, SCOPE)["goals.goals"].value
    assert [g["goal"] for g in saved] == ["Mentor a junior", "Speak at the guild"]
    assert not editor.add_button.disabled


def test_empty_goal_cards_are_not_stored(store, ana, book):
    editor = book.open_section("goals").goals_editor
    editor.add_goal()
    editor.cards[1].inputs["goal"].value = "Only the second card"
    saved = store.current_answers(ana.person.id, SCOPE)["goals.goals"].value
    assert [g["goal"] for g in saved] == ["Only the second card"]
    editor.cards[1].inputs["goal"].value = ""
    assert store.current_answers(ana.person.id, SCOPE)["goals.goals"].value == []
    again = PreparationWorkbook(store, ana.person, PREP).open_section("goals").goals_editor
    assert len(again.cards) == 2 and not again.add_button.disabled


def test_a_bad_target_date_keeps_the_other_parts_of_the_goal(store, ana, book):
    editor = book.open_section("goals").goals_editor
    card = editor.cards[0]
    card.inputs["goal"].value = "Lead the onboarding redesign"
    card.inputs["measure"].value = "New starters rate it 4 of 5"
    card.inputs["first_step"].value = "Book a call with HR"
    card.inputs["target_date"].value = date(1999, 3, 31)
    saved = store.current_answers(ana.person.id, SCOPE)["goals.goals"].value
    assert saved == [
        {
            "id": card.goal_id,
            "goal": "Lead the onboarding redesign",
            "measure": "New starters rate it 4 of 5",
            "target_date": "",
            "first_step": "Book a call with HR",
        }
    ]
    note = card.notes["target_date"].widget.value
    assert 'role="alert"' in note and "is too far back" in note
    assert "wb-invalid" in card.inputs["target_date"]._dom_classes
    assert book.status.state == "error"
    assert "Goal 1 / Target date needs your attention" in book.status.text
    assert card.inputs["target_date"].value == date(1999, 3, 31), "the page keeps what was chosen"
    # typing on elsewhere still saves, and the status line keeps naming the field that needs attention
    card.inputs["measure"].value = "New starters rate it 4.5 of 5"
    assert store.current_answers(ana.person.id, SCOPE)["goals.goals"].value[0]["measure"].endswith("4.5 of 5")
    assert "Everything else is saved" in book.status.text and "Goal 1 / Target date" in book.status.text
    card.inputs["target_date"].value = date(2027, 3, 31)
    assert store.current_answers(ana.person.id, SCOPE)["goals.goals"].value[0]["target_date"] == "2027-03-31"
    assert "Understood as Wednesday 31 March 2027" in card.notes["target_date"].widget.value
    assert "wb-invalid" not in card.inputs["target_date"]._dom_classes
    assert book.status.attention == []


def test_a_date_sent_as_text_is_understood(store, ana, book):
    card = book.open_section("goals").goals_editor.cards[0]
    card.inputs["goal"].value = "G"

    def stored_date():
        return store.current_answers(ana.person.id, SCOPE)["goals.goals"].value[0]["target_date"]

    for typed in ("31/03/2027", "31.03.2027", "31 March 2027", "2027-03-31"):
        card.changed(card.fields["target_date"], typed)
        assert stored_date() == "2027-03-31"
        assert "Wednesday 31 March 2027" in card.notes["target_date"].widget.value
    card.changed(card.fields["target_date"], "soon")
    assert "31/03/2027" in card.notes["target_date"].widget.value  # says which forms are understood
    assert stored_date() == "2027-03-31"


def test_goals_of_the_first_release_load_without_their_empty_cards(store, ana):
    store.save_answer(
        ana.person.id,
        SCOPE,
        "goals.goals",
        [{"goal": "A", "measure": "B", "target_date": "2027-01-31", "first_step": ""}, {"goal": ""}] * 1
        + [{"goal": "", "measure": "", "target_date": "", "first_step": ""}],
    )
    editor = PreparationWorkbook(store, ana.person, PREP).open_section("goals").goals_editor
    assert [card.good["goal"] for card in editor.cards] == ["A", ""]
    assert editor.cards[0].inputs["target_date"].value == date(2027, 1, 31)


def test_a_bad_text_value_is_shown_beside_its_field(store, ana, book):
    box = book.open_section("self_awareness").inputs["trends"]
    box.value = "kept"
    box.value = "x" * 5000
    note = book.open_section("self_awareness").notes["trends"].widget.value
    assert "At most 4000 characters" in note and 'role="alert"' in note
    assert "What patterns or trends" in book.status.text and "needs your attention" in book.status.text
    assert box.value == "x" * 5000, "the page keeps what was typed"
    book.open_section("self_awareness").inputs["strengths"].value = "Other fields still save"
    saved = store.current_answers(ana.person.id, SCOPE)
    assert saved["self_awareness.strengths"].value == "Other fields still save"
    assert saved["self_awareness.trends"].value == "kept"
    box.value = "fixed"
    assert book.open_section("self_awareness").notes["trends"].widget.value == ""
    assert book.status.state == "saved"


def test_progress_shows_sections_complete(store, ana, book):
    assert "0 of 5 sections complete" in book.progress.value
    for field in PREP.section("aspirations").fields:
        book.open_section("aspirations").inputs[field.id].value = "Something"
    assert "1 of 5 sections complete" in book.progress.value
    assert 'class="wb-progress-done" data-section="aspirations"' in book.progress.value


def test_names_and_answers_are_escaped(store):
    issued = identity.add_participant(store, "<img src=x onerror=alert(1)>")
    book = PreparationWorkbook(store, issued.person, PREP)
    book.open_section("aspirations").inputs["in_two_years"].value = "<script>alert(1)</script>"
    assert "<img src=x" not in book.widget.children[0].value
    assert "&lt;img src=x onerror=alert(1)&gt;" in book.widget.children[0].value
    book.build_plan()
    assert "<script>alert(1)" not in book.plan_preview.value
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in book.plan_preview.value


def test_plan_downloads_in_three_formats(store, ana, book):
    book.open_section("goals").goals_editor.cards[0].inputs["goal"].value = "Run onboarding"
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
    assert "not valid" in find(app, "wb-signin-message")[0].value  # the same as for an unknown code
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
    open_every_tab(participant_app(store))
    state = live_widget_state()
    assert "alice aspiration" in state
    assert "BOB-PRIVATE-ASPIRATION" not in state and "Secretname" not in state
    assert a.code not in state
