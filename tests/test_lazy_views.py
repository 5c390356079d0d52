"""Pages build a section, lesson part or tab when it is first opened; views hold their values in traits
and never the page they are on."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import pytest
from ipywidgets.widgets.widget import _instances
from widget_helpers import find, open_tab

from workbook import content, identity
from workbook.apps.common import SaveStatus
from workbook.apps.lessons import LessonPage
from workbook.apps.manager import ManagerHome
from workbook.apps.participant import PreparationWorkbook, SectionView
from workbook.manager.content import instrument, lesson_scope, lessons
from workbook.manager.scores import save_scores
from workbook.manager.waves import set_wave
from workbook.preparation import SCOPE

PREP = content.preparation()
COHORT = "Lazy cohort"


@pytest.fixture
def ana(store):
    return identity.add_participant(store, "Ana Lazy")


@pytest.fixture
def mo(store):
    return identity.add_participant(store, "Mo Lazy", cohort=COHORT)


def widgets_below(root: widgets.Widget) -> int:
    """How many widgets hang below `root` (itself included)."""
    count, stack = 0, [root]
    while stack:
        node = stack.pop()
        count += 1
        stack.extend(getattr(node, "children", ()) or ())
    return count


# -- participant ------------------------------------------------------------------------------------------
def test_only_the_first_section_is_built_and_the_others_when_first_opened(store, ana):
    book = PreparationWorkbook(store, ana.person, PREP)
    first, *others = PREP.sections
    assert book.views[first.id].built and book.views[first.id].inputs
    for section in others:
        view = book.views[section.id]
        assert not view.built and view.inputs == {} and view.widget.children == ()
    made = len(_instances)
    book.open_section("aspirations")
    assert book.views["aspirations"].built and len(_instances) > made
    assert find(book.widget, "wb-field-aspirations-in_two_years")
    assert not book.views["goals"].built
    made = len(_instances)
    book.open_section("aspirations")  # built once
    assert len(_instances) == made


def test_a_click_on_a_tab_builds_its_section(store, ana):
    book = PreparationWorkbook(store, ana.person, PREP)
    shown = open_tab(book.widget, "5. ")
    assert book.views["goals"].built and find(shown, "wb-goals")


def test_sections_never_opened_count_in_progress_and_the_plan(store, ana):
    aspirations = PREP.section("aspirations")
    for field in aspirations.fields:
        store.save_answer(ana.person.id, SCOPE, f"aspirations.{field.id}", f"ASPIRATION {field.id}")
    book = PreparationWorkbook(store, ana.person, PREP)
    assert 'class="wb-progress-done" data-section="aspirations"' in book.progress.value
    assert "1 of 5 sections complete" in book.progress.value
    book.views["self_awareness"].inputs["strengths"].value = "Patient"
    assert book.status.state == "saved"
    assert "1 of 5 sections complete" in book.progress.value, "the unopened section still counts"
    book.build_plan()
    assert f"ASPIRATION {aspirations.fields[0].id}" in book.plan_preview.value
    assert "Patient" in book.plan_preview.value
    assert not book.views["aspirations"].built, "nothing above needed the section's widgets"


def test_a_section_view_holds_its_checked_answers_in_traits_without_a_page():
    status = SaveStatus()
    view = SectionView(PREP.section("self_awareness"), {}, "private", status)
    view.build()
    seen: list[dict] = []
    view.observe(lambda change: seen.append(change["new"]), names="answers")
    view.inputs["strengths"].value = "Listening"
    assert view.answers == {"self_awareness.strengths": "Listening"}
    view.inputs["trends"].value = "x" * 5000  # refused beside the field, never in the traits
    assert "self_awareness.trends" not in view.answers and len(seen) == 1
    assert "At most 4000 characters" in view.notes["trends"].widget.value
    view.visibility.value = "manager"
    assert view.level == "manager"


# -- no view holds its page ---------------------------------------------------------------------------------
TRAITLETS_MACHINERY = {"_trait_notifiers", "_trait_validators", "_cross_validation_lock"}


def holds(obj: Any, target: object, depth: int = 4, seen: set[int] | None = None) -> bool:
    """Whether `obj`, through its attributes, containers and bound methods (`depth` levels down), is or
    reaches `target`. Widgets are not followed (they hold only their own state)."""
    seen = seen if seen is not None else set()
    if obj is target:
        return True
    if getattr(obj, "__self__", None) is target:  # a bound method of the target
        return True
    if depth == 0 or id(obj) in seen or isinstance(obj, widgets.Widget | str | bytes | int | float):
        return False
    seen.add(id(obj))
    if isinstance(obj, dict):
        items = list(obj.values())
    elif isinstance(obj, list | tuple | set | frozenset):
        items = list(obj)
    elif hasattr(obj, "__dict__"):
        items = [value for name, value in vars(obj).items() if name not in TRAITLETS_MACHINERY]
    else:
        return False
    return any(holds(item, target, depth - 1, seen) for item in items)


def test_participant_sections_hold_no_reference_to_the_workbook(store, ana):
    book = PreparationWorkbook(store, ana.person, PREP)
    for section in PREP.sections:
        view = book.open_section(section.id)
        assert not holds(view, book), section.id
    assert holds(book, book.views["goals"]), "the check can find a reference where there is one"


def test_lesson_parts_and_their_views_hold_no_reference_to_the_page(store, mo):
    page = LessonPage(store, mo.person, lessons().lesson("practices"))
    for index, part in enumerate(page.parts):
        page.show_part(index)
        assert not holds(part, page)
        for view in part.views.values():
            assert not holds(view, page)


# -- lessons --------------------------------------------------------------------------------------------
def test_a_lesson_builds_a_part_when_it_is_first_shown(store, mo):
    lesson = lessons().lesson("practices")
    store.save_answer(mo.person.id, lesson_scope(lesson.id), "reflect_next_practice", "Saved before")
    page = LessonPage(store, mo.person, lesson)
    assert page.parts[0].built and not any(part.built for part in page.parts[1:])
    assert set(page.views) == set(page.parts[0].keys)
    assert "1 of 7 activities done" in page.progress.value, "an answer in a part not shown counts"
    view = page.open_block("reflect_next_practice")
    assert view.box.value == "Saved before"
    view.box.value = "Changed later"
    saved = store.current_answers(mo.person.id, lesson_scope(lesson.id))["reflect_next_practice"]
    assert saved.value == "Changed later" and page.status.state == "saved"
    built = [part.built for part in page.parts]
    assert built.count(True) == 2


# -- the manager's home -------------------------------------------------------------------------------------
def test_the_managers_tabs_are_built_when_first_opened(store, mo):
    set_wave(store, COHORT, "pre", True)
    home = ManagerHome(store, mo.person)
    assert find(home.widget, "wb-lesson-list")
    for container in home.tabs.children[1:]:
        assert container.children == ()
    small = widgets_below(home.widget)
    check = open_tab(home.widget, "Comfort check")
    assert find(check, "wb-wave-form-pre") and widgets_below(home.widget) > small
    assert open_tab(home.widget, "Planner").children and not home.tabs.children[-1].children


def test_a_submitted_check_shows_in_a_summary_opened_later(store, mo):
    set_wave(store, COHORT, "pre", True)
    save_scores(store, mo.person, "pre", dict.fromkeys(instrument().item_ids, 2))  # pre, then post
    set_wave(store, COHORT, "post", True)
    home = ManagerHome(store, mo.person)
    scores = dict.fromkeys(home.comfort.inst.item_ids, 4)
    assert home.comfort.submit("post", {"post": scores, "then": dict.fromkeys(scores, 1)})
    summary = open_tab(home.widget, "My before and after")
    assert "appears here once" not in str(find(summary, "wb-summary-sentences")[0].value)
    assert find(summary, "wb-before-after-chart")[0].value.startswith("<img")


# -- what a first page loads -----------------------------------------------------------------------------
FIRST_RENDERS = {
    "participant": ("team", "from workbook.apps.participant import participant_app as app; app()"),
    "manager": ("manager", "from workbook.apps.manager import manager_app as app; app()"),
    "lesson": ("manager", "from workbook.apps.lessons import lesson_app as app; app('why_it_matters')"),
    "conversation": ("report", "from workbook.apps.conversation import conversation_app as app; app()"),
}


@pytest.mark.parametrize("page", sorted(FIRST_RENDERS))
def test_a_first_page_loads_no_templates_tables_or_charts(page, tmp_path, monkeypatch):
    """A signed-in first render builds its HTML with markupsafe and reads no frame or chart: Jinja, pandas
    and matplotlib load only when a part that needs them is opened (the first-page benchmarks rely on it)."""
    import os
    import subprocess
    import sys

    from workbook import config
    from workbook.store import Store

    monkeypatch.setenv("WORKBOOK_DATA_DIR", str(tmp_path))
    store = Store(config.database_url())
    manager = identity.add_participant(store, "Max First", cohort=COHORT)
    codes = {
        "team": identity.add_participant(store, "Tess First").code,
        "manager": manager.code,
        "report": identity.add_participant(store, "Rae First", manager_pid=manager.person.pid).code,
    }
    who, call = FIRST_RENDERS[page]
    probe = (
        "import asyncio, sys\n"
        "from ipywidgets.widgets.widget import _instances\n"
        f"async def visit():\n    {call}\n    await asyncio.sleep(0.3)\n"
        "asyncio.run(visit())\n"
        "heavy = ('jinja2', 'pandas', 'matplotlib', 'scipy')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in heavy}))\n"
        "print(any('wb-whoami' in str(getattr(w, 'value', '')) for w in _instances.values()))\n"
    )
    env = {**os.environ, "QUERY_STRING": f"code={codes[who]}"}
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]", "True"], out.stdout  # signed in, and nothing heavy loaded
