"""What participants share with their facilitator and the facilitator's feedback, without a browser: who
is whose facilitator, only what is shared and only its latest version, unsharing, feedback rules, the
facilitator's tab (live, privacy, crafted messages) and the feedback on the participant's and manager's
pages."""

from __future__ import annotations

import asyncio

import ipywidgets
import pytest
from sqlalchemy import func, select

from tests.widget_helpers import find, live_widget_state
from workbook import content, identity
from workbook.apps.facilitator import FacilitatorHome
from workbook.apps.live import Ticker
from workbook.apps.manager.home import ManagerHome
from workbook.apps.participant import PreparationWorkbook
from workbook.facilitator.cohorts import NotYourCohort
from workbook.facilitator.people import OPERATOR
from workbook.facilitator.roster import import_roster
from workbook.facilitator.shared import (
    FEEDBACK_MAX,
    ItemRef,
    NotShared,
    mark_seen,
    my_feedback,
    shared_with_facilitator,
    write_feedback,
)
from workbook.manager.reaction import save_reaction
from workbook.manager.waves import set_wave
from workbook.models import FacilitatorFeedback, FeedbackSeen
from workbook.preparation import SCOPE
from workbook.validation import InputError

PREP = content.preparation()
ROSTER_A = (
    "name,email,role,manager_email\n"
    "Mira Manager,mira@example.org,manager,\n"
    "Tom <b>Team</b>,tom@example.org,team_member,mira@example.org\n"
)
ROSTER_B = "name,email,role\nBea Boss,bea@example.org,manager\n"
# Tess is added to cohort C herself, and her manager Bea is coached in cohort B
ROSTER_C = "name,email,role,manager_email\nTess Own,tess@example.org,team_member,bea@example.org\n"


@pytest.fixture(autouse=True)
def no_widgets_of_earlier_tests():
    ipywidgets.Widget.close_all()


def person(store, name: str) -> identity.Person:
    return next(p for p in identity.list_participants(store) if p.name == name)


def facilitator_of(store, name: str, *cohorts: str) -> identity.Person:
    issued = identity.add_participant(
        store, name, roles=[f"facilitator:{c}" for c in cohorts], allow_privileged=True
    )
    return identity.find_participant(store, issued.person.pid)


def share(store, who, section: str, field: str, text: str, level: str = "facilitator") -> None:
    store.save_answer(who.id, SCOPE, f"{section}.{field}", text)
    store.set_visibility(who.id, SCOPE, section, level)


def feedback_rows(store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count(FacilitatorFeedback.id)))


@pytest.fixture
def people(store):
    import_roster(store, ROSTER_A.encode(), "Cohort A", name="a.csv", by=OPERATOR)
    import_roster(store, ROSTER_B.encode(), "Cohort B", name="b.csv", by=OPERATOR)
    import_roster(store, ROSTER_C.encode(), "Cohort C", name="c.csv", by=OPERATOR)
    return {
        "fay": facilitator_of(store, "Fay Facil", "Cohort A"),
        "bo": facilitator_of(store, "Bo Facil", "Cohort B"),
        "cy": facilitator_of(store, "Cy Facil", "Cohort C"),
        "mira": person(store, "Mira Manager"),
        "tom": person(store, "Tom <b>Team</b>"),
        "bea": person(store, "Bea Boss"),
        "tess": person(store, "Tess Own"),
    }


def owners(store, facilitator, cohort) -> set[tuple[str, str]]:
    return {(i.owner, i.ref.item) for i in shared_with_facilitator(store, facilitator, cohort)}


# -- the rules -----------------------------------------------------------------------------------------------
def test_who_is_whose_facilitator(store, people):
    share(store, people["tom"], "aspirations", "in_two_years", "Tom's aim")
    share(store, people["tess"], "aspirations", "in_two_years", "Tess's aim")
    save_reaction(store, people["mira"], {}, "Mira's comment", "facilitator")
    save_reaction(store, people["bea"], {}, "Bea's comment", "facilitator")
    # a team member: the facilitators of their manager's cohort
    assert owners(store, people["fay"], "Cohort A") == {
        ("Mira Manager", "comment"),
        ("Tom <b>Team</b>", "aspirations"),
    }
    # and of their own cohort when they have one: Tess is seen in B (her manager's) and in C (her own)
    assert owners(store, people["bo"], "Cohort B") == {("Bea Boss", "comment"), ("Tess Own", "aspirations")}
    assert owners(store, people["cy"], "Cohort C") == {("Tess Own", "aspirations")}
    # nobody else's facilitator reads it, and a facilitator reads only the cohorts they run
    with pytest.raises(NotYourCohort):
        shared_with_facilitator(store, people["fay"], "Cohort B")
    with pytest.raises(NotYourCohort):
        shared_with_facilitator(store, people["mira"], "Cohort A")  # a manager is no facilitator
    # a facilitator whose role is withdrawn reads nothing more, even on a page opened before
    tab = FacilitatorHome(store, people["fay"]).shared
    assert "Tom&#39;s aim" in live_widget_state()
    identity.withdraw_role(store, people["fay"].pid, "facilitator:Cohort A")
    with pytest.raises(NotYourCohort):
        shared_with_facilitator(store, people["fay"], "Cohort A")
    with pytest.raises(NotYourCohort):
        write_feedback(
            store, people["fay"], "Cohort A", ItemRef(people["tom"].pid, SCOPE, "aspirations"), "Hi"
        )
    tab.refresh()
    assert tab.views == {} and "not a facilitator of that cohort" in tab.stamp.value
    assert "Tom&#39;s aim" not in live_widget_state() and feedback_rows(store) == 0


def test_only_what_is_shared_with_the_facilitator_and_only_its_latest_version(store, people):
    tom = people["tom"]
    share(store, tom, "self_awareness", "evidence", "PRIVATE-ENJOY", level="private")
    share(store, tom, "strengths_plan", "key_strengths", "MANAGER-ONLY", level="manager")
    share(store, tom, "support", "support_details", "", level="facilitator")  # shared, but nothing in it
    store.save_answer(tom.id, SCOPE, "aspirations.in_two_years", "OLD-VERSION")
    shared_at = store.set_visibility(tom.id, SCOPE, "aspirations", "facilitator")
    store.save_answer(tom.id, SCOPE, "aspirations.in_two_years", "Lead a team")
    save_reaction(store, people["mira"], {}, "PRIVATE-COMMENT", "private")
    [item] = shared_with_facilitator(store, people["fay"], "Cohort A")
    assert item.ref == ItemRef(tom.pid, SCOPE, "aspirations") and item.kind == "section"
    assert item.title == "Preparation: Where you want to go"
    assert [answer for _q, answer in item.entries] == ["Lead a team"]
    assert item.shared_at == shared_at and item.changed_at > shared_at
    text = repr(shared_with_facilitator(store, people["fay"], "Cohort A"))
    for hidden in ("PRIVATE-ENJOY", "MANAGER-ONLY", "OLD-VERSION", "PRIVATE-COMMENT"):
        assert hidden not in text


def test_goals_are_shared_as_their_parts(store, people):
    tom = people["tom"]
    store.save_answer(tom.id, SCOPE, "goals.goals", [{"goal": "Speak at a meetup", "measure": "One talk"}])
    store.set_visibility(tom.id, SCOPE, "goals", "facilitator")
    [item] = shared_with_facilitator(store, people["fay"], "Cohort A")
    assert ("Goal 1 / Goal", "Speak at a meetup") in [(q.split(" (")[0], a) for q, a in item.entries]
    assert any(a == "One talk" for _q, a in item.entries)


def test_unsharing_hides_the_item_and_its_feedback_from_the_facilitator_only(store, people):
    tom, fay = people["tom"], people["fay"]
    share(store, tom, "aspirations", "in_two_years", "Lead a team")
    [item] = shared_with_facilitator(store, fay, "Cohort A")
    write_feedback(store, fay, "Cohort A", item.ref, "Which team?")
    store.set_visibility(tom.id, SCOPE, "aspirations", "manager")
    assert shared_with_facilitator(store, fay, "Cohort A") == []
    with pytest.raises(NotShared):
        write_feedback(store, fay, "Cohort A", item.ref, "More?")
    assert feedback_rows(store) == 1
    [note] = my_feedback(store, tom, [SCOPE])[(SCOPE, "aspirations")]  # it stays for the participant
    assert note.text == "Which team?" and note.author == "Fay Facil"
    store.set_visibility(tom.id, SCOPE, "aspirations", "facilitator")  # shared again: the feedback is back
    [again] = shared_with_facilitator(store, fay, "Cohort A")
    assert [n.text for n in again.feedback] == ["Which team?"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "it is empty"),
        ("   \n\t ", "it is empty"),
        ("x" * (FEEDBACK_MAX + 1), f"at most {FEEDBACK_MAX} characters"),
        ("bell \x07", "control character"),
        (None, "expected text"),
        (["a list"], "expected text"),
    ],
)
def test_bad_feedback_is_refused_and_nothing_is_stored(store, people, text, problem):
    share(store, people["tom"], "aspirations", "in_two_years", "Lead a team")
    [item] = shared_with_facilitator(store, people["fay"], "Cohort A")
    with pytest.raises(InputError, match=problem) as refused:
        write_feedback(store, people["fay"], "Cohort A", item.ref, text)
    assert refused.value.field == "Feedback"
    assert feedback_rows(store) == 0


def test_feedback_is_append_only_kept_with_who_and_when(store, people):
    tom, fay = people["tom"], people["fay"]
    co = facilitator_of(store, "Co Facil", "Cohort A")
    share(store, tom, "aspirations", "in_two_years", "Lead a team")
    [item] = shared_with_facilitator(store, fay, "Cohort A")
    first = write_feedback(store, fay, "Cohort A", item.ref, "  Which team?  ")
    assert first.text == "Which team?" and first.author == "Fay Facil"
    second = write_feedback(store, fay, "Cohort A", item.ref, "Which team, and by when?")
    assert write_feedback(store, fay, "Cohort A", item.ref, "Which team, and by when?") == second
    write_feedback(store, co, "Cohort A", item.ref, "<script>alert(1)</script>")
    assert feedback_rows(store) == 3  # two versions by Fay, one by Co: nothing overwritten
    [shown] = shared_with_facilitator(store, fay, "Cohort A")
    assert [(n.author, n.text) for n in shown.feedback] == [
        ("Fay Facil", "Which team, and by when?"),
        ("Co Facil", "<script>alert(1)</script>"),  # stored as text
    ]
    assert second.written_at > first.written_at
    with store.read() as session:
        texts = session.scalars(select(FacilitatorFeedback.text).order_by(FacilitatorFeedback.id)).all()
    assert texts[0] == "Which team?"


def test_feedback_on_what_the_facilitator_may_not_see_is_refused(store, people):
    fay, tom = people["fay"], people["tom"]
    share(store, tom, "strengths_plan", "key_strengths", "MANAGER-ONLY", level="manager")
    share(store, tom, "self_awareness", "evidence", "PRIVATE", level="private")
    share(store, people["tess"], "aspirations", "in_two_years", "Tess's aim")  # cohorts B and C
    attempts = [
        ItemRef(tom.pid, SCOPE, "strengths_plan"),
        ItemRef(tom.pid, SCOPE, "self_awareness"),
        ItemRef(people["tess"].pid, SCOPE, "aspirations"),
        ItemRef("p-nobody", SCOPE, "aspirations"),
        ItemRef(tom.pid, "answers", "anything"),
        f"{tom.pid}|{SCOPE}|strengths_plan",  # not a reference at all
    ]
    for ref in attempts:
        with pytest.raises(NotShared, match="nothing was saved"):
            write_feedback(store, fay, "Cohort A", ref, "Hello")
    with pytest.raises(NotYourCohort):
        write_feedback(store, fay, "Cohort B", ItemRef(people["tess"].pid, SCOPE, "aspirations"), "Hello")
    assert feedback_rows(store) == 0


def test_seen_is_recorded_for_the_owners_own_feedback_only(store, people):
    tom, mira, fay = people["tom"], people["mira"], people["fay"]
    share(store, tom, "aspirations", "in_two_years", "Lead a team")
    [item] = shared_with_facilitator(store, fay, "Cohort A")
    write_feedback(store, fay, "Cohort A", item.ref, "Nice")
    notes = my_feedback(store, tom, [SCOPE])[(SCOPE, "aspirations")]
    assert mark_seen(store, mira, notes) == 0  # not Mira's feedback
    assert mark_seen(store, tom, notes) == 1
    assert mark_seen(store, tom, my_feedback(store, tom, [SCOPE])[(SCOPE, "aspirations")]) == 0
    with store.read() as session:
        assert session.scalar(select(func.count(FeedbackSeen.id))) == 1


# -- the facilitator's tab ---------------------------------------------------------------------------------
def test_the_tab_shows_shared_items_escaped_and_saves_feedback(store, people):
    share(store, people["tom"], "aspirations", "in_two_years", "<img src=x onerror=alert(1)>")
    tab = FacilitatorHome(store, people["fay"]).shared
    [view] = tab.views.values()
    card = view.card.value
    assert "Tom &lt;b&gt;Team&lt;/b&gt;" in card and "&lt;img src=x onerror=alert(1)&gt;" in card
    assert "<img" not in card and "Shared with you" in card
    view.box.value = ""
    view.button.click()
    assert "it is empty" in view.message.value and feedback_rows(store) == 0
    view.box.value = "<b>Good</b> start"
    view.button.click()
    assert "Feedback saved" in view.message.value and feedback_rows(store) == 1
    assert "Your feedback, saved" in tab.views[view.ref].card.value
    view.button.click()
    assert "No change" in view.message.value and feedback_rows(store) == 1


def test_the_tab_rereads_sharing_keeps_typing_and_drops_unshared_items(store, people):
    tom, mira = people["tom"], people["mira"]
    home = FacilitatorHome(store, people["fay"])
    tab = home.shared
    assert tab.views == {} and "Nothing is shared with you" in tab.stamp.value
    share(store, tom, "aspirations", "in_two_years", "TOM-SHARED-TEXT")
    save_reaction(store, mira, {}, "MIRA-COMMENT", "facilitator")
    tab.refresh()
    assert [v.ref.item for v in tab.views.values()] == ["comment", "aspirations"]  # by name: Mira, Tom
    tom_view = tab.views[ItemRef(tom.pid, SCOPE, "aspirations")]
    tom_view.box.value = "half-typed feedback"
    store.save_answer(tom.id, SCOPE, "aspirations.in_two_years", "TOM-EDITED-TEXT")
    tab.refresh()
    assert tab.views[tom_view.ref] is tom_view and tom_view.box.value == "half-typed feedback"
    assert "TOM-EDITED-TEXT" in tom_view.card.value
    store.set_visibility(tom.id, SCOPE, "aspirations", "private")
    tab.refresh()
    assert list(tab.views) == [ItemRef(mira.pid, "reaction", "comment")]
    state = live_widget_state()
    assert "TOM-EDITED-TEXT" not in state and "half-typed feedback" not in state  # closed, not just hidden
    assert "MIRA-COMMENT" in state


def test_a_facilitators_page_holds_nothing_of_another_cohort_or_not_shared(store, people):
    tom, mira = people["tom"], people["mira"]
    share(store, tom, "aspirations", "in_two_years", "SHARED-WITH-FAY")
    share(store, tom, "strengths_plan", "key_strengths", "TOM-MANAGER-ONLY", level="manager")
    share(store, tom, "self_awareness", "evidence", "TOM-PRIVATE", level="private")
    save_reaction(store, mira, {}, "MIRA-PRIVATE-COMMENT", "private")
    share(store, people["tess"], "aspirations", "in_two_years", "TESS-SHARED-IN-B-AND-C")
    save_reaction(store, people["bea"], {}, "BEA-SHARED-IN-B", "facilitator")
    [bo_item] = [i for i in shared_with_facilitator(store, people["bo"], "Cohort B") if i.owner == "Bea Boss"]
    write_feedback(store, people["bo"], "Cohort B", bo_item.ref, "BO-FEEDBACK")
    home = FacilitatorHome(store, people["fay"])
    for tab_index in range(len(home.tabs.children)):
        home.tabs.selected_index = tab_index
    state = live_widget_state()
    assert "SHARED-WITH-FAY" in state
    for hidden in (
        "TOM-MANAGER-ONLY",
        "TOM-PRIVATE",
        "MIRA-PRIVATE-COMMENT",
        "TESS-SHARED-IN-B-AND-C",
        "BEA-SHARED-IN-B",
        "BO-FEEDBACK",
        "Bea Boss",
        "Tess Own",
    ):
        assert hidden not in state, hidden


def test_a_crafted_message_cannot_write_feedback_on_what_the_facilitator_may_not_see(store, people):
    tom = people["tom"]
    share(store, tom, "aspirations", "in_two_years", "Lead a team")
    share(store, people["tess"], "aspirations", "in_two_years", "Tess's aim")
    tab = FacilitatorHome(store, people["fay"]).shared
    [view] = tab.views.values()
    # the participant unshares; before the page refreshes, the browser still sends text and a click
    store.set_visibility(tom.id, SCOPE, "aspirations", "manager")
    view.box.value = "sent to an unshared item"
    view.button.click()
    assert "not shared with you (any more): nothing was saved" in tab.result.value
    assert tab.views == {}  # and the page dropped it at once
    # a reference the page never held (another cohort's person), sent straight to the tab
    tab.save(ItemRef(people["tess"].pid, SCOPE, "aspirations"), "hello")
    assert "not shared with you" in tab.result.value
    tab.save(f"{people['tess'].pid}|{SCOPE}|aspirations", "hello")
    assert "not shared with you" in tab.result.value
    assert feedback_rows(store) == 0


def test_switching_cohort_closes_the_items_of_the_cohort_before(store, people):
    fay = identity.grant_role(store, people["fay"].pid, "facilitator:Cohort B", allow_privileged=True)
    share(store, people["tom"], "aspirations", "in_two_years", "TOM-IN-A")
    save_reaction(store, people["bea"], {}, "BEA-IN-B", "facilitator")
    home = FacilitatorHome(store, fay)
    assert "TOM-IN-A" in live_widget_state()
    home.picker.value = "Cohort B"
    assert [v.item.owner for v in home.shared.views.values()] == ["Bea Boss"]
    state = live_widget_state()
    assert "BEA-IN-B" in state and "TOM-IN-A" not in state


def test_a_live_tab_refreshes_by_itself_until_it_is_closed():
    calls: list[int] = []
    box = ipywidgets.VBox()

    async def run() -> Ticker:
        ticker = Ticker(0.01, lambda: calls.append(1), box)
        await asyncio.sleep(0.1)
        assert ticker.running and len(calls) >= 3
        box.close()
        await asyncio.sleep(0.05)
        return ticker

    ticker = asyncio.run(run())
    assert not ticker.running
    count = len(calls)
    assert Ticker(0.01, lambda: calls.append(1), ipywidgets.VBox()).running is False  # no loop: tests call
    assert len(calls) == count


# -- the participant's and the manager's pages --------------------------------------------------------
def test_the_participant_sees_feedback_beside_the_section_and_is_told_it_is_new(store, people):
    tom, fay = people["tom"], people["fay"]
    share(store, tom, "support", "support_details", "My mentor")
    [item] = shared_with_facilitator(store, fay, "Cohort A")
    write_feedback(store, fay, "Cohort A", item.ref, "Ask <i>her</i> this week")
    book = PreparationWorkbook(store, tom, PREP)
    notice = book.feedback.notice
    assert "New feedback from your facilitator" in notice.children[0].value
    assert "Support you need" in notice.children[0].value
    [go] = find(notice, "wb-fac-feedback-go-support")
    view = book.views["support"]
    assert "Fay Facil" in view.feedback.value
    assert "Ask &lt;i&gt;her&lt;/i&gt; this week" in view.feedback.value
    assert "wb-fac-feedback-badge" in view.feedback.value
    go.click()
    assert book.tabs.selected_index == [s.id for s in PREP.sections].index("support")
    assert view.built and view.feedback in view.widget.children
    assert notice.children == ()  # seen: the notice goes
    again = PreparationWorkbook(store, tom, PREP)
    assert again.feedback.notice.children == ()
    assert "Ask &lt;i&gt;her&lt;/i&gt; this week" in again.views["support"].feedback.value
    assert "wb-fac-feedback-badge" not in again.views["support"].feedback.value
    # unshared, the feedback stays for the participant
    store.set_visibility(tom.id, SCOPE, "support", "private")
    assert "Fay Facil" in PreparationWorkbook(store, tom, PREP).views["support"].feedback.value


def test_opening_the_section_tab_counts_as_seeing_its_feedback(store, people):
    tom, fay = people["tom"], people["fay"]
    share(store, tom, "aspirations", "in_two_years", "Lead a team")
    [item] = shared_with_facilitator(store, fay, "Cohort A")
    write_feedback(store, fay, "Cohort A", item.ref, "Which team?")
    book = PreparationWorkbook(store, tom, PREP)
    assert book.feedback.new() == [(SCOPE, "aspirations")]
    book.open_section("aspirations")
    assert book.feedback.new() == [] and book.feedback.notice.children == ()
    write_feedback(store, fay, "Cohort A", item.ref, "Which team, and by when?")  # a new version is new
    assert PreparationWorkbook(store, tom, PREP).feedback.new() == [(SCOPE, "aspirations")]


def test_a_participants_page_holds_only_feedback_on_their_own_items(store, people):
    tom, tess = people["tom"], people["tess"]
    share(store, tom, "aspirations", "in_two_years", "Lead a team")
    share(store, tess, "aspirations", "in_two_years", "Tess's aim")
    [tom_item] = shared_with_facilitator(store, people["fay"], "Cohort A")
    [tess_item] = [i for i in shared_with_facilitator(store, people["cy"], "Cohort C")]
    write_feedback(store, people["fay"], "Cohort A", tom_item.ref, "FOR-TOM")
    write_feedback(store, people["cy"], "Cohort C", tess_item.ref, "FOR-TESS")
    PreparationWorkbook(store, tom, PREP)
    state = live_widget_state()
    assert "FOR-TOM" in state and "FOR-TESS" not in state


def test_the_manager_sees_feedback_on_their_comment(store, people):
    mira, fay = people["mira"], people["fay"]
    set_wave(store, "Cohort A", "post", True)
    save_reaction(store, mira, {}, "The scenarios helped", "facilitator")
    [item] = shared_with_facilitator(store, fay, "Cohort A")
    write_feedback(store, fay, "Cohort A", item.ref, "Glad: which one most?")
    home = ManagerHome(store, mira)
    assert "your comment on the programme" in home.feedback.notice.children[0].value
    [go] = find(home.feedback.notice, "wb-fac-feedback-go")
    go.click()
    assert home.tabs.titles[home.tabs.selected_index] == "Reaction"
    shown = home.reaction.feedback.value
    assert "Glad: which one most?" in shown and "Fay Facil" in shown
    assert home.feedback.notice.children == ()
    # the post check closed since: the comment's tab stays, since it has feedback
    set_wave(store, "Cohort A", "post", False)
    assert "Reaction" in ManagerHome(store, mira).tabs.titles
