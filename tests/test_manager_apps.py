"""The manager's apps (lessons and the manager's home), driven without a browser."""

from __future__ import annotations

import base64
import json
import re
from datetime import date, timedelta
from html import unescape as html_unescape

import ipywidgets as widgets
import pytest
from ipywidgets.widgets.widget import _instances
from widget_helpers import live_widget_state, open_every_tab

from workbook import identity
from workbook.apps.choices import ChoiceGroup
from workbook.apps.lessons import LessonPage, lesson_app
from workbook.apps.manager import ManagerHome, manager_app
from workbook.apps.registry import APPS, LESSON_NOTEBOOKS, available_apps
from workbook.manager.behaviour import conversations, log_conversation
from workbook.manager.content import instrument, lesson_scope, lessons, save_lesson_answer
from workbook.manager.planner import SCOPE as PLANNER_SCOPE
from workbook.manager.planner import plan_entries, save_plan_entry
from workbook.manager.reaction import my_reaction, save_reaction
from workbook.manager.scores import my_scores, save_scores
from workbook.manager.waves import set_wave

COHORT = "Spring managers"
ITEMS = instrument().item_ids


@pytest.fixture
def mo(store):
    issued = identity.add_participant(store, "Mo Manager", cohort=COHORT)
    set_wave(store, COHORT, "pre", True)
    return issued


def lesson_page(store, issued, lesson_id="practices") -> LessonPage:
    return LessonPage(store, issued.person, lessons().lesson(lesson_id))


def answer(form, score) -> None:
    for box in form.choices.values():
        box.value = score


def html_of(root: widgets.Widget) -> str:
    """Every HTML value under a widget, and the question of every choice group, joined."""
    out, stack = [], [root]
    while stack:
        node = stack.pop()
        if isinstance(node, widgets.HTML):
            out.append(node.value)
        if isinstance(node, ChoiceGroup):
            out.append(node.question)
        stack.extend(getattr(node, "children", ()) or ())
    return "\n".join(out)


def data_url(html: str, css_class: str) -> tuple[str, str, str]:
    """(download file name, mime type, decoded text) of the download link with `css_class`."""
    match = re.search(
        rf'<a class="wb-download {css_class}" download="([^"]+)" '
        r'href="data:([^;]+);charset=utf-8;base64,([^"]+)"',
        html,
    )
    assert match, html
    return html_unescape(match[1]), match[2], base64.b64decode(match[3]).decode("utf-8")


def parse_ics(text: str) -> dict[str, str]:
    """The event's properties (name -> unescaped value) after RFC 5545 unfolding."""
    assert text.endswith("\r\n")
    logical: list[str] = []
    for line in text.split("\r\n")[:-1]:
        assert len(line.encode("utf-8")) <= 75
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    assert logical[0] == "BEGIN:VCALENDAR" and logical[-1] == "END:VCALENDAR"
    event = logical[logical.index("BEGIN:VEVENT") + 1 : logical.index("END:VEVENT")]
    props = {}
    for line in event:
        name, value = line.split(":", 1)
        value = re.sub(r"\\([nN\\;,])", lambda m: "\n" if m[1] in "nN" else m[1], value)
        props[name] = value
    return props


# -- lessons --------------------------------------------------------------------------------------------
def test_knowledge_check_shows_feedback_and_stores_the_answer(store, mo):
    page = lesson_page(store, mo)
    check = page.open_block("check_who_leads")
    assert "Who should prepare most and lead" in html_of(check.widget)
    check.choice.value = "manager"
    check.button.click()
    assert (
        "Not quite" in check.feedback.value and "The team member, whose career it is" in check.feedback.value
    )
    check.choice.value = "team_member"
    check.button.click()
    assert "That is right" in check.feedback.value
    saved = store.current_answers(mo.person.id, lesson_scope("practices"))
    assert saved["check_who_leads"].value == {"choice": "team_member"}
    assert "1 of 7 activities done" in page.progress.value
    assert page.status.state == "saved"


@pytest.mark.parametrize("lesson", [lesson.id for lesson in lessons().lessons])
def test_feedback_for_a_right_answer_says_so_once(store, mo, lesson):
    """Every check of every lesson: the verdict and the explanation read as one message, and the
    explanation never opens by repeating the verdict ("That is right." then "Right. ...")."""
    from workbook.content.course import opens_with_a_verdict

    page = lesson_page(store, mo, lesson)
    checks = [b for b in lessons().lesson(lesson).blocks if b.kind == "check"]
    assert checks
    for block in checks:
        for option in block.options:
            view = page.open_block(block.id)
            view.choice.value = option.id
            view.button.click()
            shown = html_unescape(re.sub(r"<[^>]+>", "", view.feedback.value)).split()
            text = " ".join(shown)
            verdict = "✓ That is right." if option.correct else "Not quite."
            assert text.startswith(verdict), text
            explanation = text.removeprefix(verdict).strip()
            if not option.correct:
                explanation = explanation.split("”. ", 1)[1]
            assert explanation == " ".join(option.feedback.split())
            assert opens_with_a_verdict(explanation) is None, (block.id, option.id, explanation)
            assert view.feedback.value.count("<p") == 1  # one message, not a verdict and a second text


def test_each_lesson_ends_with_what_was_done_and_the_way_on(store, mo):
    """The last part of each lesson says what is done and what is open, and leads to the next lesson
    (the last lesson to the course home), with the manager's own code."""
    course = lessons().lessons
    for number, lesson in enumerate(course, start=1):
        page = lesson_page(store, mo, lesson.id)
        assert page.ending.layout.display == "none"  # not before the last part
        page.show_part(len(page.parts) - 1)
        assert page.ending.layout.display is None
        ending = page.ending.value
        done, total = (int(n) for n in re.search(r"done (\d+) of (\d+) activities", ending).groups())
        assert (done, total) == (0, len(lesson.interactive))
        assert f"Nearly done with lesson {number}" in ending and "Still open: part 1" in ending
        link = re.search(r'<a class="wb-next-lesson[^"]*" href="([^"]+)">([^<]+)</a>', ending)
        if number < len(course):
            assert link[1] == LESSON_NOTEBOOKS[course[number].id]
            following = f"Continue to lesson {number + 1}: {course[number].title}"
            assert html_unescape(link[2]).startswith(following)
        else:
            assert link[1] == "manager.ipynb" and "course home" in link[2]
            assert "comfort check" in ending
    page = lesson_page(store, mo, "why_it_matters")
    answers = {"check_quit_reason": {"choice": "pay"}, "check_which_worry": {"choice": "lose"}}
    for block_id, value in answers.items():
        page.save(block_id, value)
    page.save("reflect_which_worry", "Losing someone.")
    assert "You have finished lesson 1" in page.ending.value and "Still open" not in page.ending.value


def test_check_without_a_choice_asks_for_one(store, mo):
    page = lesson_page(store, mo)
    page.open_block("check_who_leads").button.click()
    assert "Choose an answer first" in page.open_block("check_who_leads").feedback.value
    assert store.current_answers(mo.person.id, lesson_scope("practices")) == {}


def test_scenario_response_and_checklist_are_stored_and_the_example_revealed(store, mo):
    page = lesson_page(store, mo)
    scenario = page.open_block("scenario_promise")
    assert "Sam has prepared well" in html_of(scenario.widget)
    assert scenario.example.value == ""
    scenario.response.value = "I can't promise the role, but I can help you grow towards it."
    scenario.boxes[1].value = True
    scenario.boxes[3].value = True
    scenario.example_button.click()
    assert "I can see how much you want that role" in scenario.example.value
    saved = store.current_answers(mo.person.id, lesson_scope("practices"))["scenario_promise"].value
    assert saved == {
        "response": "I can't promise the role, but I can help you grow towards it.",
        "ticked": [1, 3],
    }
    assert "1 of 7 activities done" in page.progress.value


def test_reflection_is_private_autosaved_and_everything_reloads(store, mo):
    page = lesson_page(store, mo)
    reflection = page.open_block("reflect_next_practice")
    assert "Only you can see this" in html_of(reflection.widget)
    reflection.box.value = "I will let them lead."
    page.open_block("check_first_job").choice.value = "ask_more"
    page.open_block("check_first_job").button.click()
    page.open_block("scenario_no_role").response.value = "Tell me more."
    page.open_block("scenario_no_role").boxes[0].value = True
    again = lesson_page(store, mo)
    assert again.open_block("reflect_next_practice").box.value == "I will let them lead."
    assert again.open_block("check_first_job").choice.value == "ask_more"
    assert "That is right" in again.open_block("check_first_job").feedback.value
    assert again.open_block("scenario_no_role").response.value == "Tell me more."
    assert [b.value for b in again.open_block("scenario_no_role").boxes][:2] == [True, False]
    assert "3 of 7 activities done" in again.progress.value


def test_text_blocks_are_paragraphs_and_lists(store, mo):
    page = lesson_page(store, mo, "why_it_matters")
    text = page.open_block("why_managers_avoid").widget.value
    assert text.count("<li>") == 3 and "<p>Most managers would like" in text


def test_crafted_lesson_answers_are_refused_and_nothing_is_stored(store, mo):
    page = lesson_page(store, mo)
    page.open_block("check_who_leads").check("not-an-option")
    assert page.status.state == "error" and "not one of" in page.status.text
    page.save_later("scenario_promise", {"response": "x", "ticked": [99]})
    assert "not an item of the checklist" in page.status.text
    page.save_later("look_ahead", "text blocks take no answers")
    assert "not a question of this lesson" in page.status.text
    page.save_later("reflect_next_practice", {"not": "text"})
    assert "expected text" in page.status.text
    assert store.count_answers() == 0


def test_lesson_app_signs_in_from_the_link_and_links_home_with_the_same_code(store, mo, monkeypatch):
    monkeypatch.setenv("QUERY_STRING", f"code={mo.code}")
    app = lesson_app("why_it_matters", store)
    text = html_of(app)
    assert "Why career conversations matter" in text and "Signed in as" in text
    assert 'href="manager.ipynb"' in text and mo.code not in text
    monkeypatch.setenv("QUERY_STRING", "code=wrong-code-wrong-code-wrong")
    refused = lesson_app("why_it_matters", store)
    assert "not valid" in html_of(refused) and "Signed in as" not in html_of(refused)


# -- the home: lessons and the comfort check -------------------------------------------------------------
def test_lessons_tab_shows_progress_and_links_without_the_viewers_code(store, mo):
    save_plan_entry(store, mo.person, "Jo", "2030-01-01")  # unrelated data
    save_lesson_answer(store, mo.person, "practices", "check_who_leads", {"choice": "team_member"})
    home = ManagerHome(store, mo.person)
    listing = home.lessons_tab.list.value
    for notebook in LESSON_NOTEBOOKS.values():
        assert f'href="{notebook}"' in listing and mo.code not in listing
    assert "(1 of 7 activities done)" in listing and "(0 of 3 activities done)" in listing
    code_holders = [w for w in _instances.values() if mo.code in json.dumps(w.get_state(), default=str)]
    assert code_holders == []  # no widget of the page holds the code


def test_pre_then_post_then_before_and_after(store, mo):
    home = ManagerHome(store, mo.person)
    assert set(home.comfort.forms) == {"pre"}
    assert "Reaction" not in home.tabs.titles
    assert "closed" in html_of(home.comfort.widget) or "not open yet" in html_of(home.comfort.widget)
    form = home.comfort.forms["pre"]
    assert form.choices["open_forward"].options[0] == ("1 - Not at all confident", 1)
    assert "How confident are you that you can open a career conversation" in html_of(form.widget)
    assert "appears here once" in home.summary.sentences.value

    answer(form, 2)
    form.choices["follow_up"].value = None
    home.comfort.buttons["pre"].click()
    assert "question 10" in home.comfort.statuses["pre"].text and my_scores(store, mo.person).empty
    form.choices["follow_up"].value = 3
    home.comfort.buttons["pre"].click()
    assert home.comfort.statuses["pre"].state == "saved"
    assert "submitted" in home.comfort.statuses["pre"].text
    assert len(my_scores(store, mo.person)) == 10
    form.choices["follow_up"].value = 2  # answering again replaces; the history is kept
    home.comfort.buttons["pre"].click()
    scores = my_scores(store, mo.person)
    assert scores.set_index("item").loc["follow_up", "score"] == 2

    set_wave(store, COHORT, "pre", False)
    set_wave(store, COHORT, "post", True)
    home = ManagerHome(store, mo.person)
    assert set(home.comfort.forms) == {"post", "then"} and "Reaction" in home.tabs.titles
    page = html_of(home.comfort.widget)
    assert "it closed when the check at the end of the programme opened, so it takes no new answers" in page
    assert "You last submitted it on" in page
    then_text = html_of(home.comfort.forms["then"].widget)
    assert "Looking back to before the programme, how confident were you" in then_text
    answer(home.comfort.forms["post"], 4)
    answer(home.comfort.forms["then"], 1)
    home.comfort.buttons["post"].click()
    assert home.comfort.statuses["post"].state == "saved"
    waves = my_scores(store, mo.person).groupby("wave")["score"].mean().to_dict()
    assert waves == {"pre": 2.0, "post": 4.0, "then": 1.0}

    sentences = home.summary.sentences.value
    assert "Your overall confidence rose from 2.0" in sentences and "Nobody else sees" in sentences
    chart = home.summary.chart.value
    png = base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', chart)[1])
    assert png.startswith(b"\x89PNG") and 'alt="Chart of your confidence ratings' in chart


def page_click(button, values) -> None:
    """The click message the page's submit button sends, carrying the answers the page shows."""
    content = {"event": "submit", "values": {group.model_id: value for group, value in values.items()}}
    button._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})


def test_a_submit_stores_the_answers_the_page_showed_when_it_was_clicked(store, mo):
    """The click can reach the kernel before the last choices (ipywidgets holds back a control's
    changes while the kernel is busy, but not a click): the click carries what the page shows."""
    home = ManagerHome(store, mo.person)
    form = home.comfort.forms["pre"]
    button = home.comfort.buttons["pre"]
    answer(form, 2)
    form.choices["follow_up"].value = None  # the kernel has not heard of the last choice yet
    shown = {group: 2 for group in form.choices.values()} | {form.choices["follow_up"]: 5}
    page_click(button, shown)
    assert home.comfort.statuses["pre"].state == "saved"
    scores = my_scores(store, mo.person).set_index("item")["score"]
    assert scores["follow_up"] == 5 and scores["open_forward"] == 2
    assert form.choices["follow_up"].value == 5  # the kernel now agrees with the page
    # the page shows a question unanswered: the clear message, never a record of an older choice
    page_click(button, shown | {form.choices["follow_up"]: None})
    assert "question 10" in home.comfort.statuses["pre"].text
    assert my_scores(store, mo.person).set_index("item")["score"]["follow_up"] == 5
    # a value no option has (or true for 1) is refused whole: nothing stored, no choice changed
    for crafted in (7, True, "5", [5]):
        page_click(button, shown | {form.choices["open_forward"]: crafted})
        assert home.comfort.statuses["pre"].state == "error"
        assert "is not one of its options; nothing was saved" in home.comfort.statuses["pre"].text
        assert form.choices["open_forward"].value == 2
    assert len(my_scores(store, mo.person)) == len(ITEMS)


def test_a_knowledge_check_takes_the_choice_sent_with_its_click(store, mo):
    page = lesson_page(store, mo)
    check = page.open_block("check_who_leads")
    check.choice.value = "manager"  # an older choice: the page has moved on to the right one
    page_click(check.button, {check.choice: "team_member"})
    assert "That is right" in check.feedback.value
    saved = store.current_answers(mo.person.id, lesson_scope("practices"))
    assert saved["check_who_leads"].value == {"choice": "team_member"}
    page_click(check.button, {check.choice: "nonsense"})
    assert "not one of its options" in check.feedback.value and check.choice.value == "team_member"
    page_click(check.button, {check.choice: None})
    assert "Choose an answer first" in check.feedback.value


def test_no_cohort_and_closed_waves_are_explained(store):
    loner = identity.add_participant(store, "No Cohort")
    home = ManagerHome(store, loner.person)
    assert "not in a cohort" in html_of(home.comfort.widget) and "Reaction" not in home.tabs.titles
    assert home.comfort.submit("pre", {"pre": dict.fromkeys(ITEMS, 3)}) is False
    assert "not in a cohort" in home.comfort.statuses["other"].text
    member = identity.add_participant(store, "Closed", cohort="Autumn")
    closed = html_of(ManagerHome(store, member.person).comfort.widget)
    assert "This check is closed" in closed and "not open yet" in closed


def test_crafted_scores_are_refused_and_nothing_changes(store, mo):
    home = ManagerHome(store, mo.person)
    full = dict.fromkeys(ITEMS, 3)
    before = store.count_answers(), my_scores(store, mo.person)
    crafted = [
        ("pre", {"pre": {**full, "open_forward": 9}}, "outside the scale"),
        ("pre", {"pre": {**full, "open_forward": "5"}}, "expected a whole number"),
        ("pre", {"pre": {**full, "open_forward": True}}, "expected a whole number"),
        ("pre", {"pre": {**full, "not_an_item": 3}}, "not a question of the check"),
        ("pre", {"post": full}, "expected answers to"),
        ("during", {"during": full}, "not a check you can submit"),
        ("post", None, "not open for you"),
        ("post", {"post": full, "then": full}, "the post check is not open"),
    ]
    for submit, answers, message in crafted:
        assert home.comfort.submit(submit, answers) is False
        status = home.comfort.statuses.get(submit, home.comfort.statuses["pre"])
        assert status.state == "error" and message in status.text, (submit, status.text)
    set_wave(store, COHORT, "pre", False)  # closed after the page was opened
    answer(home.comfort.forms["pre"], 5)
    home.comfort.buttons["pre"].click()
    assert "the pre check is not open" in home.comfort.statuses["pre"].text
    assert store.count_answers() == before[0] and my_scores(store, mo.person).equals(before[1])
    with pytest.raises(Exception):  # noqa: B017 - the widget itself refuses values off the scale
        home.comfort.forms["pre"].choices["open_forward"].value = 9


def test_a_late_pre_is_refused_on_the_page_and_through_a_crafted_message(store, mo):
    home = ManagerHome(store, mo.person)
    form, button = home.comfort.forms["pre"], home.comfort.buttons["pre"]
    set_wave(store, COHORT, "post", True)  # the facilitator opens post while the page is open: pre closes
    answer(form, 1)
    button.click()
    status = home.comfort.statuses["pre"]
    assert (
        status.state == "error"
        and "it closed when the check at the end of the programme opened" in status.text
    )
    page_click(button, {group: 1 for group in form.choices.values()})  # the click a page sends
    assert status.state == "error" and "takes no new answers" in status.text
    assert home.comfort.submit("pre", {"pre": dict.fromkeys(ITEMS, 1)}) is False  # a crafted submit
    assert my_scores(store, mo.person).empty
    page = html_of(ManagerHome(store, mo.person).comfort.widget)
    assert "This check is closed: it closed when the check at the end of the programme opened" in page
    assert "would describe you after the programme" in page


def test_a_reopened_pre_takes_answers_marked_late_and_says_so(store, mo):
    from sqlalchemy import select

    from workbook.models import Score

    set_wave(store, COHORT, "post", True)
    set_wave(store, COHORT, "pre", True, reason="Mo was away on the first day")
    home = ManagerHome(store, mo.person)
    assert {"pre", "post", "then"} <= set(home.comfort.forms)
    page = html_of(home.comfort.widget)
    assert "Your facilitator reopened it after the check at the end of the programme opened" in page
    assert "marked late" in page
    answer(home.comfort.forms["pre"], 2)
    home.comfort.buttons["pre"].click()
    assert home.comfort.statuses["pre"].state == "saved"
    answer(home.comfort.forms["post"], 4)
    answer(home.comfort.forms["then"], 2)
    home.comfort.buttons["post"].click()
    with store.read() as session:
        rows = session.execute(select(Score.wave, Score.late)).all()
    assert {wave for wave, late in rows if late} == {"pre"}
    assert {wave for wave, late in rows if not late} == {"post", "then"}


# -- reaction, planner, conversations ----------------------------------------------------------------------
def test_reaction_ratings_comment_and_visibility(store, mo):
    set_wave(store, COHORT, "post", True)
    home = ManagerHome(store, mo.person)
    reaction = home.reaction
    assert reaction is not None and reaction.visibility.value == "private"
    reaction.ratings["usefulness"].value = 4
    reaction.comment.value = "Useful scenarios."
    reaction.visibility.value = "facilitator"
    assert reaction.status.state == "saved"
    assert my_reaction(store, mo.person).ratings == {"usefulness": 4}
    reaction.ratings["relevance"].value = 5
    assert my_reaction(store, mo.person) == type(my_reaction(store, mo.person))(
        {"usefulness": 4, "relevance": 5}, "Useful scenarios.", "facilitator"
    )
    reaction.save_rating("usefulness", 9)
    assert reaction.status.state == "error" and "expected a whole number from 1 to 5" in reaction.status.text
    reaction.save_visibility("everyone")
    assert "not one of private, facilitator" in reaction.status.text
    assert my_reaction(store, mo.person).ratings["usefulness"] == 4
    again = ManagerHome(store, mo.person).reaction
    assert again.comment.value == "Useful scenarios." and again.ratings["relevance"].value == 5


def test_planner_add_edit_delete_and_downloads(store, mo):
    home = ManagerHome(store, mo.person)
    planner = home.planner
    assert "private" in html_of(planner.widget) and "No conversations planned yet" in html_of(planner.widget)
    card = planner.add()
    assert plan_entries(store, mo.person) == []
    card.alias.value = "Sam K"
    card.day.value = date(2030, 5, 14)
    card.time.value = "09:30"
    card.questions.value = "Where do you want to be in two years?"
    [entry] = plan_entries(store, mo.person)
    assert (entry.alias, entry.proposed_on, entry.time) == ("Sam K", date(2030, 5, 14), "09:30")
    assert planner.status.state == "saved" and "Sam K: 14 May 2030" in card.header.value

    name, mime, ics = data_url(card.links.value, "wb-download-ics")
    assert name == "career-conversation-sam-k-2030-05-14.ics" and mime == "text/calendar"
    event = parse_ics(ics)
    assert event["SUMMARY"] == "Career conversation with Sam K"
    assert event["DTSTART"] == "20300514T093000Z"  # no browser zone here: the default, UTC
    assert "Where you stand" in event["DESCRIPTION"] or "preparation" in event["DESCRIPTION"].lower()
    assert "Where do you want to be" not in event["DESCRIPTION"]  # private notes stay out by default
    planner.include_notes.value = True
    assert (
        "Where do you want to be in two years?"
        in parse_ics(data_url(card.links.value, "wb-download-ics")[2])["DESCRIPTION"]
    )
    from workbook.apps import clock

    planner.include_notes.value = False
    before = data_url(card.links.value, "wb-download-ics")[2]
    try:  # the manager's browser says they are in Lisbon: the time set from UTC stays 09:30 UTC, the
        clock.BrowserTimeZone().time_zone = "Europe/Lisbon"  # same file; a time set there is Lisbon's
        planner._rerender()
        assert data_url(card.links.value, "wb-download-ics")[2] == before
        card.time.value = "10:00"
        event = parse_ics(data_url(card.links.value, "wb-download-ics")[2])
        assert event["DTSTART;TZID=Europe/Lisbon"] == "20300514T100000"
        assert "10:00 (Europe/Lisbon)" in card.header.value
    finally:
        clock.forget_visitor_zone()
    assert "/voila/render/participant.ipynb</a>" in planner.widget.children[0].value

    card.alias.value = "Sam Kay"  # an edit updates the same entry
    [entry] = plan_entries(store, mo.person)
    assert entry.alias == "Sam Kay" and entry.id == "sam-k"
    second = planner.add()
    second.alias.value = "Lin"
    second.day.value = date(2030, 4, 1)
    name, mime, markdown = data_url(planner.markdown.value, "wb-download-md")
    assert name == "career-conversation-plan.md" and mime == "text/markdown"
    assert "## Lin: 1 April 2030" in markdown and "## Sam Kay: 14 May 2030, 10:00 (Europe/Lisbon)" in markdown

    card.time.value = "25:99"
    assert planner.status.state == "error" and "Write it like 14:30" in planner.status.text
    card.time.value = "09:30"
    card.alias.value = ""
    assert "must not be empty" in planner.status.text
    assert [e.alias for e in plan_entries(store, mo.person)] == ["Lin", "Sam Kay"]

    card.delete_button.click()  # deleting asks first, naming the conversation
    assert "Delete the conversation with Sam Kay?" in card.question.value
    assert len(plan_entries(store, mo.person)) == 2
    card.keep.click()
    assert card.asking.layout.display == "none" and len(plan_entries(store, mo.person)) == 2
    card.delete_button.click()
    card.confirm_delete.click()
    assert [e.alias for e in plan_entries(store, mo.person)] == ["Lin"]
    history = store.answer_history(mo.person.id, PLANNER_SCOPE, "sam-k")  # every version is kept
    assert history[0].value["alias"] == "Sam K" and history[-1].value == {"deleted": True}
    assert "Deleted the conversation with Sam Kay" in planner.deleted_note.value
    planner.undo_button.click()  # undo brings it back as it was
    [restored] = [e for e in plan_entries(store, mo.person) if e.id == "sam-k"]
    assert (restored.alias, restored.time) == ("Sam Kay", "09:30")
    assert planner.undo_bar.layout.display == "none"
    assert sorted(c.alias.value for c in planner.cards) == ["Lin", "Sam Kay"]
    [again] = [c for c in planner.cards if c.entry_id == "sam-k"]
    again.delete_button.click()
    again.confirm_delete.click()
    assert [e.alias for e in plan_entries(store, mo.person)] == ["Lin"]
    reopened = ManagerHome(store, mo.person).planner
    assert [c.alias.value for c in reopened.cards] == ["Lin"]
    assert "(1 planned)" in reopened.markdown.value


def test_the_planner_invites_a_team_member_known_to_the_store(store, mo):
    """The manager's own team members with an email can be invited; the invitation then names them."""
    identity.add_participant(store, "Ana Report", email="ana@example.org", manager_pid=mo.person.pid)
    identity.add_participant(store, "Someone Else", email="else@example.org")
    planner = ManagerHome(store, mo.person).planner
    card = planner.add()
    assert [label for label, _ in card.member.options] == [
        "Nobody: I send the invitation myself",
        "Ana Report (ana@example.org)",
    ]
    card.alias.value = "Ana"
    _, _, ics = data_url(card.links.value, "wb-download-ics")
    assert "ATTENDEE" not in ics
    card.member.value = card.member.options[1][1]
    _, _, ics = data_url(card.links.value, "wb-download-ics")
    unfolded = ics.replace("\r\n ", "")
    assert "ATTENDEE" not in unfolded and "ORGANIZER" not in unfolded  # the manager has no email
    from dataclasses import replace

    from sqlalchemy import update

    from workbook.models import Participant

    with store.write() as session:
        session.execute(
            update(Participant).where(Participant.id == mo.person.id).values(email="mo@example.org")
        )
    planner = ManagerHome(store, replace(mo.person, email="mo@example.org")).planner
    [card] = planner.cards
    unfolded = data_url(card.links.value, "wb-download-ics")[2].replace("\r\n ", "")
    assert 'ATTENDEE;CN="Ana Report";ROLE=REQ-PARTICIPANT:mailto:ana@example.org' in unfolded
    assert 'ORGANIZER;CN="Mo Manager":mailto:mo@example.org' in unfolded and "METHOD" not in unfolded
    [entry] = plan_entries(store, mo.person)
    again = ManagerHome(store, mo.person).planner.cards[0]
    assert entry.member == again.member.value == card.member.value
    alone = ManagerHome(store, identity.add_participant(store, "No Team", cohort=COHORT).person).planner
    assert alone.add().member.layout.display is None  # the dropdown itself; its box is hidden
    [box] = [w for w in alone.cards[0].widget.children if "wb-plan-member-box" in w._dom_classes]
    assert box.layout.display == "none"


def test_logging_conversations(store, mo):
    home = ManagerHome(store, mo.person)
    tab = home.conversations
    tab.day.value = date.today() - timedelta(days=2)
    tab.alias.value = "Jo"
    tab.idp.value = True
    tab.button.click()
    assert tab.status.state == "saved" and "Logged: your conversation with Jo" in tab.status.text
    assert tab.alias.value == "" and tab.idp.value is False
    [held] = conversations(store, mo.person)
    assert (held.alias, held.idp_started, held.follow_up_planned) == ("Jo", True, False)
    [entry] = tab.entries.values()
    assert "Jo" in entry.summary.value and "Development plan started: yes" in entry.summary.value
    assert "Follow-up planned: no" in entry.summary.value and "1 conversation logged" in tab.count.value
    tab.day.value = date.today() + timedelta(days=3)
    tab.alias.value = "Future"
    tab.button.click()
    assert tab.status.state == "error" and "has not come yet" in tab.status.text
    tab.day.value = None
    tab.button.click()
    assert "choose a date" in tab.status.text
    assert len(conversations(store, mo.person)) == 1


def test_a_logged_conversation_is_edited_deleted_and_brought_back_with_its_history(store, mo):
    from workbook.manager.behaviour import behaviour_counts, conversation_history

    held = log_conversation(store, mo.person, date.today() - timedelta(days=5), "Jo", False, False)
    tab = ManagerHome(store, mo.person).conversations
    entry = tab.entries[held.id]
    entry.edit_button.click()
    form = entry.fields
    assert form is not None and form.alias.value == "Jo" and entry.form.layout.display == "flex"
    form.alias.value = ""  # the same checks as a new entry, shown beside the input
    form.day.value = date.today() + timedelta(days=1)
    assert entry.save() is False
    assert "has not come yet" in form.notes["Date of the conversation"].widget.value
    assert conversation_history(store, mo.person, held.id)[-1].alias == "Jo"  # nothing changed
    form.day.value = date.today() - timedelta(days=4)
    assert entry.save() is False and "Must not be empty" in form.notes["Team member (alias)"].widget.value
    form.alias.value = "Jo B"
    form.idp.value = True
    assert entry.save() is True
    assert "Saved your changes to the conversation with Jo B" in tab.status.text
    [now] = conversations(store, mo.person)
    assert (now.id, now.alias, now.idp_started, now.held_on) == (
        held.id,
        "Jo B",
        True,
        date.today() - timedelta(days=4),
    )
    assert "Jo B" in tab.entries[held.id].summary.value
    assert behaviour_counts(store, COHORT)["idps_started"] == 1
    # delete asks first, naming the conversation; "Keep it" changes nothing
    entry = tab.entries[held.id]
    entry.delete_button.click()
    assert "Delete the conversation with Jo B" in entry.question.value
    assert entry.asking.layout.display == "flex"
    entry.set_mode("view")
    assert len(conversations(store, mo.person)) == 1
    entry.delete_button.click()
    [confirm] = [w for w in entry.asking.children if "wb-log-confirm-delete" in w._dom_classes]
    confirm.click()
    assert conversations(store, mo.person) == [] and tab.entries == {}
    assert behaviour_counts(store, COHORT)["conversations"] == 0
    assert "Deleted the conversation with Jo B" in tab.deleted_note.value
    assert tab.undo_bar.layout.display == "flex"
    tab.undo_button.click()
    assert [c.alias for c in conversations(store, mo.person)] == ["Jo B"]
    assert behaviour_counts(store, COHORT)["conversations"] == 1
    history = conversation_history(store, mo.person, held.id)
    assert [v.change for v in history] == [
        "logged",
        "Date of the conversation, Team member (alias), Development plan started",
        "deleted",
        "restored",
    ]
    assert [v.alias for v in history] == ["Jo", "Jo B", "Jo B", "Jo B"] and history[2].deleted
    assert {v.changed_by_id for v in history} == {mo.person.id}
    assert history == sorted(history, key=lambda v: v.changed_at)


def test_a_manager_cannot_edit_or_delete_another_managers_conversation(store, mo):
    """A crafted call with another manager's entry id (or no entry at all) is refused, in words, and
    changes nothing."""
    from workbook.manager.behaviour import conversation_history, delete_conversation, edit_conversation
    from workbook.validation import InputError

    bea = identity.add_participant(store, "Bea Other", cohort=COHORT)
    theirs = log_conversation(store, bea.person, date.today(), "BEA-ALIAS", True, True)
    tab = ManagerHome(store, mo.person).conversations
    for crafted in (theirs.id, 10_000, "1; DROP TABLE", None, True):
        assert tab.edit(crafted, date.today(), "Mine now", False, False) is False
        assert tab.status.state == "error" and "is not one of your logged conversations" in tab.status.text
        assert tab.delete(crafted) is False
        assert "is not one of your logged conversations" in tab.status.text
        assert "BEA-ALIAS" not in tab.status.text
    with pytest.raises(InputError, match="not one of your logged conversations"):
        edit_conversation(store, mo.person, theirs.id, date.today(), "x", False, False)
    with pytest.raises(InputError, match="not one of your logged conversations"):
        delete_conversation(store, mo.person, theirs.id)
    [still] = conversations(store, bea.person)
    assert (still.alias, still.idp_started) == ("BEA-ALIAS", True)
    assert len(conversation_history(store, bea.person, theirs.id)) == 1


# -- privacy and escaping ------------------------------------------------------------------------------------
def test_a_managers_kernel_holds_nothing_of_another_manager(store, mo):
    bea = identity.add_participant(store, "Bea Other", cohort=COHORT)
    save_scores(store, bea.person, "pre", dict.fromkeys(ITEMS, 5))
    save_reaction(store, bea.person, {"usefulness": 5}, "BEA-SECRET-COMMENT", "facilitator")
    store.save_answer(
        bea.person.id, lesson_scope("practices"), "reflect_next_practice", "BEA-SECRET-REFLECTION"
    )
    save_plan_entry(store, bea.person, "BEA-SECRET-ALIAS", "2030-01-01", questions="BEA-SECRET-QUESTION")
    log_conversation(store, bea.person, date.today(), "BEA-SECRET-LOGGED", True, True)
    save_plan_entry(store, mo.person, "Mo's own alias", "2030-01-01")
    set_wave(store, COHORT, "post", True)

    home = ManagerHome(store, mo.person)
    open_every_tab(home.widget)
    page = lesson_page(store, mo)
    for index in range(len(page.parts)):
        page.show_part(index)
    state = live_widget_state()
    assert "Mo's own alias" in state
    for secret in ("BEA-SECRET", "Bea Other", bea.code, bea.person.pid):
        assert secret not in state


def test_script_in_aliases_and_reflections_is_shown_as_text(store, mo):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    store.save_answer(mo.person.id, lesson_scope("practices"), "reflect_next_practice", payload)
    page = lesson_page(store, mo)
    assert page.open_block("reflect_next_practice").box.value == payload
    assert "<script>" not in html_of(page.widget)
    save_plan_entry(store, mo.person, payload, "2030-01-01", questions=payload)
    log_conversation(store, mo.person, date.today(), payload, False, False)
    evil = identity.add_participant(store, payload, cohort=COHORT)
    for home in (ManagerHome(store, mo.person), ManagerHome(store, evil.person)):
        open_every_tab(home.widget)
        text = html_of(home.widget)
        assert "<script>" not in text and "<img src=x" not in text
        assert "&lt;script&gt;" in text
    _, _, markdown = data_url(home.planner.markdown.value, "wb-download-md")
    assert "<script>" not in markdown


# -- wiring -------------------------------------------------------------------------------------------------
def test_the_apps_are_registered_and_their_notebooks_exist():
    notebooks = [app.notebook for app in available_apps()]
    for notebook in ("manager.ipynb", *LESSON_NOTEBOOKS.values()):
        assert notebook in notebooks
    lesson_apps = [a for a in APPS if a.notebook.startswith("lesson-")]
    assert len(lesson_apps) == 3
    assert {a.audience for a in lesson_apps} == {"Managers in the coaching programme"}
    assert set(LESSON_NOTEBOOKS) == {lesson.id for lesson in lessons().lessons}


def test_manager_app_shows_the_sign_in_without_a_code(store):
    app = manager_app(store)
    assert "Enter the access code" in html_of(app) and "Signed in as" not in html_of(app)


def test_a_lesson_shows_one_part_at_a_time(store):
    from workbook.apps.lessons import LessonPage
    from workbook.manager.content import TextBlock

    person = identity.add_participant(store, "Pat Parts", cohort="Parts").person
    lesson = lessons().lesson("practices")
    page = LessonPage(store, person, lesson)
    activities = [b for b in lesson.blocks if not isinstance(b, TextBlock)]
    assert len(page.parts) == len(activities)
    assert sum(len(part.keys) for part in page.parts) == len(lesson.blocks)
    assert page.part_box.children == (page.parts[0].widget,) and page.previous.disabled
    assert "Part 1 of 7" in page.part_label.value
    page.next.click()
    assert page.part_box.children == (page.parts[1].widget,) and not page.previous.disabled
    for _ in range(10):
        page.next.click()
    assert page.part == len(page.parts) - 1 and page.next.disabled
    page.show_part(-5)
    assert page.part == 0


def test_editing_the_log_again_and_again_keeps_the_kernel_from_growing(store, mo):
    """Each save, delete and undo redraws the log; what was drawn before is closed, so a manager who edits
    all afternoon does not fill the kernel with widgets nobody sees."""
    from ipywidgets.widgets.widget import _instances

    held = log_conversation(store, mo.person, date.today() - timedelta(days=5), "Jo", False, False)
    tab = ManagerHome(store, mo.person).conversations

    def edit_and_delete_and_undo(alias: str) -> None:
        entry = tab.entries[held.id]
        entry.edit_button.click()
        entry.fields.alias.value = alias
        assert entry.save() is True
        entry = tab.entries[held.id]
        entry.delete_button.click()
        [confirm] = [w for w in entry.asking.children if "wb-log-confirm-delete" in w._dom_classes]
        confirm.click()
        tab.undo_button.click()

    edit_and_delete_and_undo("Jo A")
    before = len(_instances)
    for round_ in range(5):
        edit_and_delete_and_undo(f"Jo {round_}")
    grown = len(_instances) - before
    assert grown < 20, f"{grown} widgets more after five rounds"  # layouts of closed widgets may stay
