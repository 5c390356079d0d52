"""What screen readers and keyboards rely on, checked without a browser: named controls, one radio
group per question that refuses values off its options, page titles, one card per audience."""

from __future__ import annotations

import ipywidgets as widgets
import nbformat
import pytest
import traitlets

from workbook.apps.choices import ChoiceGroup
from workbook.apps.common import named, scrolling_table
from workbook.apps.landing import landing_page
from workbook.apps.registry import APPS, NOTEBOOKS


def test_a_choice_group_is_named_by_its_question_and_keeps_only_its_options():
    group = ChoiceGroup("How confident are you?", [("1 - Not at all", 1), ("2 - A little", 2)], value=2)
    assert group.question == "How confident are you?"
    assert group.options == [("1 - Not at all", 1), ("2 - A little", 2)]
    assert group.value == 2
    group.value = None
    with pytest.raises(traitlets.TraitError):
        group.value = 9  # what a crafted page might send
    assert group.value is None
    group.set_state({"_values": [1, 2, 9]})  # a crafted client rewrites the options it was drawn with
    with pytest.raises(traitlets.TraitError):
        group.set_state({"value": 9})
    assert group.value is None and group.options == [("1 - Not at all", 1), ("2 - A little", 2)]


def test_the_radio_group_in_the_page_shares_one_name_inside_a_fieldset():
    esm = ChoiceGroup("Q", [("a", "a")])._esm
    assert "fieldset" in esm and "legend" in esm and "input.name = name" in esm and "'radio'" in esm


def test_named_gives_a_control_its_label_as_accessible_name():
    box = named(widgets.Textarea(), "What are your strengths?")
    assert box.description == "What are your strengths?" and "wb-named" in box._dom_classes


def test_a_scrolling_table_can_be_reached_by_keyboard_and_says_what_it_holds():
    html = scrolling_table("<table></table>", 'Your log <of> "conversations"')
    assert 'tabindex="0"' in html and 'role="region"' in html
    assert 'aria-label="Your log &lt;of&gt; &#34;conversations&#34;"' in html


@pytest.mark.parametrize("notebook", [*(app.notebook for app in APPS), "index.ipynb"])
def test_every_notebook_gives_its_page_a_real_title(notebook):
    titles = {app.notebook: app.title for app in APPS} | {"index.ipynb": "Career conversations workbook"}
    assert nbformat.read(NOTEBOOKS / notebook, as_version=4).metadata["title"] == titles[notebook]


def test_the_landing_page_has_one_card_per_audience_and_one_h1():
    page = landing_page()
    html = "".join(child.value for child in page.children if isinstance(child, widgets.HTML))
    audiences = {app.audience for app in APPS}
    assert html.count('class="wb-audience"') == len(audiences)
    assert html.count("<h1") == 1
    for app in APPS:
        assert f'href="{app.notebook}"' in html


def test_a_group_of_checkboxes_is_named_by_its_question_on_every_page():
    """Each box of checkboxes answering one question is marked as a group named by the question's
    label (the page-setup widget turns the marks into role=group and aria-labelledby)."""
    import re

    from workbook.apps.aria import GroupNames, labelled_group
    from workbook.apps.common import app_style

    boxes = [widgets.Checkbox(description=d) for d in ("A mentor", "A course")]
    heading, group = labelled_group("Who or what could support you?", boxes, "wb-field-x")
    [by] = [c for c in group._dom_classes if c.startswith("wb-labelledby-")]
    label_id = by.removeprefix("wb-labelledby-")
    assert "wb-named-group" in group._dom_classes and list(group.children) == boxes
    assert re.search(rf'id="{label_id}">Who or what could support you\?<', heading.value)
    assert labelled_group("Another", boxes[:1])[0].value != heading.value  # ids never repeat
    assert any(isinstance(w, GroupNames) for w in app_style().children)
    esm = GroupNames()._esm
    assert 'setAttribute("role", "group")' in esm and '"aria-labelledby"' in esm


def test_the_participants_and_lessons_checkbox_groups_are_named(store):
    from widget_helpers import find, open_every_tab

    from workbook import content, identity
    from workbook.apps.lessons import LessonPage
    from workbook.apps.participant import PreparationWorkbook
    from workbook.manager.content import lessons

    member = identity.add_participant(store, "Gia Group")
    prep = content.preparation()
    page = PreparationWorkbook(store, member.person, prep)
    open_every_tab(page.widget)
    fields = [(s.id, f.id) for s in prep.sections for f in s.fields if f.kind == "choices"]
    assert fields
    for section, field in fields:
        [group] = find(page.widget, f"wb-field-{section}-{field}")
        assert "wb-named-group" in group._dom_classes
    manager = identity.add_participant(store, "Max Group", cohort="G")
    lesson = LessonPage(store, manager.person, lessons().lesson("practices"))
    scenario = lesson.open_block("scenario_promise")
    assert find(scenario.widget, "wb-named-group")
