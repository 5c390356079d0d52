"""Every app, every tab or part the tests reach, at a desktop and a phone size: no serious or critical
accessibility problem (axe-core), no sideways page scroll, no word cut in a tab or a label.

One page per app, resized in place, so each app loads once. The axe counts of every state are
printed and kept (test-artifacts/axe-counts.json) with a screenshot of each state at each size.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from workbook import identity
from workbook.manager.content import lessons
from workbook.manager.demo import seed_manager_demo
from workbook.manager.waves import set_wave

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
SIZES = {"wide": (1366, 900), "phone": (390, 844)}
BLOCKING = ("serious", "critical")
KEY = "browser-test-evaluator-key-0123456789"  # set for the server in conftest.py
COHORT = "Usability cohort"
FACILITATED = "Usability facilitation"  # the facilitator's own cohort, with its waves closed
COUNTS_FILE = ARTIFACTS / "axe-counts.json"

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
    where: v.nodes.slice(0, 4).map(n => n.target.join(' ')),
  }));
}"""

# Words cut off: a tab or a label whose text is wider than its box (clipped, or drawn with "...").
# Elements shrunk to a pixel on purpose (names for screen readers only) are not drawn, so not cut.
LAYOUT = r"""() => {
  const cut = [];
  const selector = '.lm-TabBar-tab, .lm-TabBar-tabLabel, label, .widget-label, .wb-label, legend, '
    + 'button, .widget-checkbox span, .wb-rating-option';
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    if (box.width <= 2 || box.height <= 2 || el.closest('[hidden]')) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const clipped = el.scrollHeight > el.clientHeight + 4 && style.overflowY === 'hidden';
    if (el.scrollWidth > el.clientWidth + 1 || clipped) {
      cut.push((el.className || el.tagName) + ': ' + (el.innerText || '').trim().slice(0, 40)
        + (style.textOverflow === 'ellipsis' ? ' (ellipsis)' : ''));
    }
  }
  // Every control a person can use has a name of its own: a label, aria-label or aria-labelledby
  // (a placeholder or a tooltip is not a name: it goes when one types, or shows only on hover).
  const unnamed = [];
  for (const el of document.querySelectorAll('input, textarea, select, button, [role="radiogroup"]')) {
    const box = el.getBoundingClientRect();
    if (el.type === 'hidden' || box.width === 0 || box.height === 0) continue;
    const by = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean)
      .map(id => (document.getElementById(id) || {}).textContent || '').join(' ');
    const labels = Array.from(el.labels || []).map(l => l.textContent).join(' ');
    const own = el.tagName === 'BUTTON' ? el.textContent : '';
    const name = [by, el.getAttribute('aria-label') || '', labels, own].join(' ').trim();
    if (!name) unnamed.push(el.tagName.toLowerCase() + '.' + String(el.className || '').split(' ')[0]
      + ' in ' + String((el.closest('.jupyter-widgets') || el.parentElement).className).slice(0, 80));
  }
  // A box holding only checkboxes (two or more) is one question's group: it needs a group role and a
  // name (fieldset and legend, or role=group named by aria-labelledby), or its question is never read.
  const groups = [];
  const boxes = new Set(Array.from(document.querySelectorAll('.widget-checkbox'), b => b.parentElement));
  for (const box of boxes) {
    const items = Array.from(box.children);
    if (items.length < 2 || !items.every(c => c.classList.contains('widget-checkbox'))) continue;
    if (box.getBoundingClientRect().width === 0) continue;
    const group = box.closest('[role="group"], fieldset');
    const by = group ? (group.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean)
      .map(id => (document.getElementById(id) || {}).textContent || '').join(' ') : '';
    const legend = group && group.tagName === 'FIELDSET'
      ? (group.querySelector('legend') || {}).textContent : '';
    const name = [by, group ? group.getAttribute('aria-label') || '' : '', legend || ''].join(' ').trim();
    if (!name) groups.push(items.map(c => c.innerText.trim()).join(' / ').slice(0, 80));
  }
  return {
    groups: groups.slice(0, 12),
    unnamed: unnamed.slice(0, 12),
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    cut: cut.slice(0, 12),
    title: document.title,
    h1: document.querySelectorAll('h1').length,
  };
}"""


def snap(page, path: Path, height: int) -> None:
    """A screenshot of the whole page: the apps scroll inside the page, so the window is made as
    tall as the content for the picture (widths, and so the layout across, stay as they are)."""
    tall = page.evaluate(
        "() => Math.max(...Array.from(document.querySelectorAll('#rendered_cells, body'),"
        " e => e.scrollHeight))"
    )
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": width, "height": min(max(tall, height), 8000)})
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": width, "height": height})


@dataclass
class Findings:
    """What the checks found in one app, state by state and size by size."""

    app: str
    problems: list[str] = field(default_factory=list)
    counts: dict[str, dict] = field(default_factory=dict)

    def check(self, page, state: str) -> None:
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(200)  # the tab bars and grids lay themselves out again
            where = f"{self.app} / {state} / {size}"
            if page.evaluate("typeof window.axe === 'undefined'"):
                page.add_script_tag(path=str(AXE))
            violations = page.evaluate(RUN_AXE)
            blocking = [v for v in violations if v["impact"] in BLOCKING]
            self.counts[f"{state} / {size}"] = {
                "serious_or_critical": sum(v["count"] for v in blocking),
                "all": sum(v["count"] for v in violations),
                "rules": {f"{v['id']} ({v['impact']})": v["count"] for v in violations},
            }
            for v in blocking:
                self.problems.append(f"{where}: axe {v['impact']} {v['id']} x{v['count']} {v['where']}")
            layout = page.evaluate(LAYOUT)
            if layout["overflow"] > 0:
                self.problems.append(f"{where}: the page scrolls sideways by {layout['overflow']} px")
            for control in layout["unnamed"]:
                self.problems.append(f"{where}: a control without a name: {control}")
            for group in layout["groups"]:
                self.problems.append(f"{where}: a group of checkboxes without a name: {group}")
            for text in layout["cut"]:
                self.problems.append(f"{where}: cut words in {text}")
            if layout["h1"] != 1:
                self.problems.append(f"{where}: {layout['h1']} h1 headings, not one")
            ARTIFACTS.mkdir(exist_ok=True)
            name = f"usability-{self.app}-{state}-{size}.png".replace(" ", "-").replace("/", "-")
            snap(page, ARTIFACTS / name, height)
        page.set_viewport_size({"width": SIZES["wide"][0], "height": SIZES["wide"][1]})

    def title(self, page, expected: str) -> None:
        if page.title() != expected:
            self.problems.append(f"{self.app}: the page is titled {page.title()!r}, not {expected!r}")

    def finish(self) -> None:
        """Keep the counts for the record, then fail with every problem found."""
        ARTIFACTS.mkdir(exist_ok=True)
        kept = json.loads(COUNTS_FILE.read_text()) if COUNTS_FILE.exists() else {}
        kept[self.app] = self.counts
        COUNTS_FILE.write_text(json.dumps(kept, indent=1, sort_keys=True))
        totals = [sum(c[k] for c in self.counts.values()) for k in ("serious_or_critical", "all")]
        views = len(self.counts)
        print(f"\naxe {self.app}: serious+critical {totals[0]}, all {totals[1]} over {views} views")
        assert not self.problems, "\n".join(self.problems)


@pytest.fixture(scope="module")
def people(server):
    """A team member, and a manager whose cohort has both checks open (so every tab shows)."""
    found = {
        "member": identity.add_participant(server.store, "Uma Usability"),
        "manager": identity.add_participant(server.store, "Max Usability", cohort=COHORT),
        "facilitator": identity.add_participant(
            server.store, "Fay Usability", roles=[f"facilitator:{FACILITATED}"], allow_privileged=True
        ),
    }
    identity.add_participant(server.store, "Mia Facilitated", cohort=FACILITATED)
    set_wave(server.store, COHORT, "pre", True)
    set_wave(server.store, COHORT, "post", True)  # closes pre: reopen it so both forms are on the page
    set_wave(server.store, COHORT, "pre", True, reason="both checks on one page for the usability checks")
    return found


@pytest.fixture(scope="module")
def pages(server, chromium, people):
    """Every app's page, opened once and kept for the module's tests (the checks, then the keyboard
    tests). Pages that need sign-in open with the person's own link. While one page is checked the
    next one in the tests' order is already loading, so its kernel starts in the meantime."""
    from workbook.apps.registry import LESSON_NOTEBOOKS

    seed_manager_demo(server.store)
    manager, member = people["manager"].code, people["member"].code
    base = f"{server.base}/voila/render"
    urls = {
        "landing": f"{base}/index.ipynb",
        "participant": f"{base}/participant.ipynb?code={member}",
        "manager": f"{base}/manager.ipynb?code={manager}",
        "evaluator gate": f"{base}/evaluator.ipynb",
        "evaluator": f"{base}/evaluator.ipynb?key={KEY}",
        "facilitator": f"{base}/facilitator.ipynb?code={people['facilitator'].code}",
    }
    for lesson, notebook in LESSON_NOTEBOOKS.items():
        urls[lesson] = f"{base}/{notebook}?code={manager}"
    context = chromium.new_context(viewport={"width": SIZES["wide"][0], "height": SIZES["wide"][1]})
    opened: dict = {}
    order = ["landing", "participant", *LESSON_NOTEBOOKS, "manager", "evaluator gate", "evaluator"]
    order.append("facilitator")

    def start(name: str) -> None:
        if name not in opened:
            opened[name] = context.new_page()
            opened[name].set_default_timeout(120_000)
            opened[name].goto(urls[name], wait_until="commit")

    def open_page(name: str):
        start(name)
        following = order[order.index(name) + 1 :] if name in order else []
        if following:
            start(following[0])
        return opened[name]

    yield open_page
    context.close()


RING = """(selector) => {
  const el = selector ? document.querySelector(selector) : document.activeElement;
  const style = getComputedStyle(el);
  return {width: parseFloat(style.outlineWidth), line: style.outlineStyle, colour: style.outlineColor,
          font: getComputedStyle(document.activeElement).fontFamily};
}"""


def contrast_with_white(colour: str) -> float:
    """WCAG contrast ratio of an "rgb(r, g, b)" colour against white."""
    channels = [int(c) / 255 for c in colour[colour.index("(") + 1 : colour.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def assert_clear_focus(ring: dict, what: str) -> None:
    assert ring["line"] != "none" and ring["width"] >= 2, f"{what}: focus ring {ring}"
    assert contrast_with_white(ring["colour"]) >= 3, f"{what}: focus ring {ring['colour']} under 3:1"


def tab_titles(page, scope: str) -> list[str]:
    return [t.strip() for t in page.locator(f"{scope} .lm-TabBar-tab").all_inner_texts()]


def test_landing_page(pages):
    page, findings = pages("landing"), Findings("landing")
    page.wait_for_selector(".wb-landing")
    findings.title(page, "Career conversations workbook")
    findings.check(page, "links")
    findings.finish()


def test_participant_app_every_section(pages):
    page, findings = pages("participant"), Findings("participant")
    page.wait_for_selector(".wb-workbook")
    findings.title(page, "Prepare for your career conversation")
    page.locator(".wb-workbook textarea").first.focus()
    ring = page.evaluate(RING, None)
    assert_clear_focus(ring, "a text area")
    assert "monospace" not in ring["font"], f"text areas use the page's font, not {ring['font']}"
    page.locator(".wb-workbook select").first.focus()
    assert_clear_focus(page.evaluate(RING, None), "a dropdown")
    for index, title in enumerate(tab_titles(page, ".wb-workbook")):
        page.locator(".wb-workbook .lm-TabBar-tab").nth(index).click()
        if title == "Your plan":
            page.click(".wb-build-plan")
            page.wait_for_selector(".wb-plan-preview table, .wb-plan-preview h1, .wb-plan-preview h2")
        findings.check(page, f"section {index + 1}")
    findings.finish()


def activity_kind(page) -> str:
    """The kind of activity the lesson's shown part ends with (text only, a check, a reflection...)."""
    return page.evaluate(
        """() => { const a = document.querySelector('.wb-lesson-part .wb-activity');
        const kinds = ['wb-check', 'wb-reflection', 'wb-scenario'];
        return a ? kinds.find(k => a.classList.contains(k)) : 'text'; }"""
    )


@pytest.mark.parametrize("lesson", [lesson.id for lesson in lessons().lessons])
def test_each_lesson_each_kind_of_part(pages, lesson):
    """Every lesson, its first part and each part that brings a kind of activity not checked yet."""
    from workbook.apps.registry import LESSON_NOTEBOOKS, app

    notebook = LESSON_NOTEBOOKS[lesson]
    page, findings = pages(lesson), Findings(notebook.removesuffix(".ipynb"))
    page.wait_for_selector(".wb-lesson")
    findings.title(page, app(notebook).title)
    part, seen = 1, set()
    while True:
        kind = activity_kind(page)
        if part == 1 or kind not in seen:
            findings.check(page, f"part {part}")
            seen.add(kind)
        if page.is_disabled("button.wb-part-next"):
            break
        page.click("button.wb-part-next")
        part += 1
        page.wait_for_function(
            "n => document.querySelector('.wb-part-label').innerText.includes('Part ' + n + ' ')", arg=part
        )
    assert seen >= {"wb-reflection"} or lesson != "why_it_matters", seen
    findings.finish()


def test_manager_home_every_tab(pages):
    page, findings = pages("manager"), Findings("manager")
    page.wait_for_selector(".wb-manager-home")
    findings.title(page, "Career conversations: the manager's course")
    titles = tab_titles(page, ".wb-manager-home")
    assert "Reaction" in titles and "Conversations held" in titles
    for index, title in enumerate(titles):
        page.locator(".wb-manager-home .lm-TabBar-tab").nth(index).click()
        if title == "Planner":
            page.click(".wb-plan-add")
            page.wait_for_selector(".wb-plan-alias")
        findings.check(page, title.lower())
    findings.finish()


def test_evaluator_gate_and_dashboard(pages):
    findings = Findings("evaluator")
    gate = pages("evaluator gate")
    gate.wait_for_selector(".wb-eval-gate")
    findings.title(gate, "Programme evaluation")
    findings.check(gate, "gate")
    page = pages("evaluator")
    page.wait_for_selector(".wb-eval-headline")
    page.wait_for_function("document.querySelector('.wb-eval-status .wb-eval-ready') !== null")
    page.wait_for_function("document.querySelectorAll('.wb-eval-chart img[src^=\"data:\"]').length >= 8")
    findings.check(page, "dashboard")
    findings.finish()


# The facilitator's tabs, each with what to do on it before it is checked (None: nothing). Every tab the
# page shows is checked; a new tab that needs a step first gets its line here.
FACILITATOR_TABS: dict[str, Callable | None] = {
    "Set up the cohort": lambda page: page.wait_for_selector(".wb-person-form"),
    "Hand out links": None,
    "Waves": lambda page: page.wait_for_selector(".wb-wave-switch-pre"),
    "At a glance": None,
}


def test_facilitator_every_tab(pages):
    from workbook.apps.registry import app

    page, findings = pages("facilitator"), Findings("facilitator")
    page.wait_for_selector(".wb-facilitator-app .wb-tabs")
    findings.title(page, app("facilitator.ipynb").title)
    titles = tab_titles(page, ".wb-facilitator-app")
    assert set(FACILITATOR_TABS) <= set(titles), titles
    for index, title in enumerate(titles):
        page.locator(".wb-facilitator-app .lm-TabBar-tab").nth(index).click()
        prepare = FACILITATOR_TABS.get(title)
        if prepare is not None:
            prepare(page)
        findings.check(page, title.lower())
    findings.finish()


# -- by keyboard alone ---------------------------------------------------------------------------------
FOCUSED_GROUP = """() => { const g = document.activeElement && document.activeElement.closest('.wb-item');
  return g ? Array.from(g.classList).find(c => c.startsWith('wb-item-')) : null; }"""


def test_comfort_check_by_keyboard_alone(server, pages, people):
    """Each question is one Tab stop; Space chooses, arrows move the choice; Enter submits."""
    from workbook.manager.content import instrument
    from workbook.manager.scores import my_scores

    page = pages("manager")
    page.wait_for_selector(".wb-manager-home")
    page.locator(".wb-manager-home .lm-TabBar-tab", has_text="Comfort check").click()
    items = instrument().item_ids
    page.locator(f".wb-item-pre-{items[0]} input").first.focus()  # where a Tab from the tabs lands
    for number, item in enumerate(items):
        assert page.evaluate(FOCUSED_GROUP) == f"wb-item-pre-{item}", f"Tab {number} did not reach {item}"
        page.keyboard.press("Space", delay=60)  # the first option: 1
        for _ in range(2):
            page.keyboard.press("ArrowRight", delay=60)  # then on to 3
            page.wait_for_timeout(150)  # a person's pace between keys
        assert page.evaluate("document.activeElement.checked") is True
        page.keyboard.press("Tab")  # one Tab leaves the whole question
        if number == 0:
            ring = page.evaluate(RING, ".wb-item-pre-" + items[1] + " .wb-choice-option:has(input:focus)")
            assert_clear_focus(ring, "a rating question")
    assert page.evaluate("document.activeElement.classList.contains('wb-submit-pre')")
    assert_clear_focus(page.evaluate(RING, None), "a button")
    page.keyboard.press("Enter")
    page.wait_for_selector(".wb-wave-status-pre .wb-status-saved", timeout=30_000)
    scores = my_scores(server.store, people["manager"].person)
    assert sorted(scores.loc[scores["wave"] == "pre", "score"]) == [3.0] * len(items)


def test_a_goal_by_keyboard_alone(server, pages, people):
    from workbook.preparation import SCOPE

    def saved_goals():  # without each goal's stable id, which the page makes
        saved = server.store.current_answers(people["member"].person.id, SCOPE).get("goals.goals")
        return [{k: v for k, v in goal.items() if k != "id"} for goal in saved.value] if saved else []

    page = pages("participant")
    page.wait_for_selector(".wb-workbook")
    page.locator(".wb-workbook .lm-TabBar-tab", has_text="Your goals").click()
    card = page.locator(".wb-goal-card").first
    card.locator(".wb-goal-goal input").focus()  # the first box of the first goal
    page.keyboard.type("Lead the team's planning")
    page.keyboard.press("Tab")
    page.keyboard.type("I run two planning rounds")
    page.keyboard.press("Tab")
    page.keyboard.type("05142030")  # the date field, month/day/year in this browser's language
    for _ in range(3):  # Tab steps through the date's parts, then on to the next box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") != "date":
            break
    page.keyboard.type("Ask to shadow the next round")
    expected = {
        "goal": "Lead the team's planning",
        "measure": "I run two planning rounds",
        "target_date": "2030-05-14",
        "first_step": "Ask to shadow the next round",
    }
    deadline = time.monotonic() + 30  # a busy machine saves the goal in steps: wait for the last one
    while not (saved_goals() and saved_goals()[0] == expected) and time.monotonic() < deadline:
        time.sleep(0.3)
    goals = saved_goals()
    assert goals and goals[0] == expected


def test_a_wave_opened_by_keyboard_alone(server, pages):
    """From the Waves tab: Tab to the button, Enter, Tab to the confirmation, Enter."""
    from workbook.manager.waves import open_waves

    page = pages("facilitator")
    page.wait_for_selector(".wb-facilitator-app .wb-tabs")
    tab = page.locator(".wb-facilitator-app .lm-TabBar-tab", has_text="Waves")
    tab.click()
    page.wait_for_selector(".wb-wave-switch-pre")
    assert open_waves(server.store, FACILITATED)["pre"] is False
    tab.focus()

    def tab_to(css_class: str, most: int = 8) -> None:
        for _ in range(most):
            page.keyboard.press("Tab")
            if page.evaluate("c => document.activeElement.classList.contains(c)", css_class):
                return
        raise AssertionError(f"Tab never reached .{css_class}")

    tab_to("wb-wave-switch-pre")
    assert_clear_focus(page.evaluate(RING, None), "a wave's button")
    page.keyboard.press("Enter")
    page.wait_for_selector(".wb-confirm-wave")
    tab_to("wb-confirm-wave")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.querySelector('.wb-wave-switch-pre').innerText.includes('Close the pre check')"
    )
    assert open_waves(server.store, FACILITATED)["pre"] is True


# -- nothing cut: a focus ring whole, a table whole at 390 px ------------------------------------------
RING_INSIDE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const reach = parseFloat(style.outlineWidth) + parseFloat(style.outlineOffset);
  const box = el.getBoundingClientRect();
  const ring = {left: box.left - reach, right: box.right + reach, top: box.top - reach,
                bottom: box.bottom + reach};
  const cut = [];
  for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
    const st = getComputedStyle(a);
    if (st.overflowX === 'visible' && st.overflowY === 'visible') continue;
    const r = a.getBoundingClientRect();  // what it shows: its padding box
    const left = r.left + a.clientLeft, top = r.top + a.clientTop;
    const inside = {left, top, right: left + a.clientWidth, bottom: top + a.clientHeight};
    const out = Math.max(inside.left - ring.left, ring.right - inside.right, inside.top - ring.top,
                         ring.bottom - inside.bottom);
    if (out > 0.5) cut.push(String(a.className).slice(0, 60) + ' cuts ' + out.toFixed(1) + ' px');
  }
  return {reach, line: style.outlineStyle, cut,
          name: el.textContent.trim(), classes: String(el.className)};
}"""


def assert_ring_whole(page, what: str) -> None:
    """The focused control's ring (outline and its offset around the control's box) lies inside the box
    each clipping ancestor shows: nothing of it is cut."""
    page.evaluate("() => document.activeElement.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(100)
    found = page.evaluate(RING_INSIDE)
    assert found["line"] != "none" and found["reach"] >= 4, f"{what}: no ring, {found}"
    assert not found["cut"], f"{what}: the focus ring is cut: {found}"


def test_the_focus_ring_of_submit_my_answers_and_check_is_whole(pages):
    from workbook.apps.registry import LESSON_NOTEBOOKS
    from workbook.manager.content import KnowledgeCheck

    page = pages("manager")
    page.wait_for_selector(".wb-manager-home")
    page.locator(".wb-manager-home .lm-TabBar-tab", has_text="Comfort check").click()
    page.locator(".wb-wave-pre .wb-choice-option input").last.focus()
    page.keyboard.press("Tab")  # from the last question to the button, as a keyboard user gets there
    assert page.evaluate("document.activeElement.textContent") == "Submit my answers"
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        assert_ring_whole(page, f"Submit my answers ({size})")
    page.set_viewport_size({"width": SIZES["wide"][0], "height": SIZES["wide"][1]})

    lesson = next(x for x in lessons().lessons if any(isinstance(b, KnowledgeCheck) for b in x.blocks))
    page = pages(lesson.id)
    page.wait_for_selector(".wb-lesson")
    assert LESSON_NOTEBOOKS[lesson.id]
    while not page.locator(".wb-lesson-part .wb-check-button").count():
        page.click("button.wb-part-next")
        page.wait_for_timeout(300)
    page.locator(".wb-lesson-part .wb-check .wb-choice-option input").last.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Check"
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        assert_ring_whole(page, f"Check ({size})")
    page.set_viewport_size({"width": SIZES["wide"][0], "height": SIZES["wide"][1]})


GLANCE_AT_PHONE = """() => {
  const table = document.querySelector('.wb-tab-glance table.wb-board');
  const width = window.innerWidth;
  const region = table.closest('[role="region"]');
  const scrolls = region.scrollWidth > region.clientWidth + 1;
  const hidden = [];
  for (const cell of table.querySelectorAll('tbody td')) {
    const r = cell.getBoundingClientRect();
    if (r.width < 2 || r.left < -0.5 || r.right > width + 0.5) hidden.push(cell.dataset.label);
  }
  const caption = table.querySelector('caption');
  const c = caption.getBoundingClientRect();
  const heads = Array.from(table.querySelectorAll('thead th'), th => th.textContent.trim());
  const labels = Array.from(table.querySelectorAll('tbody tr:first-child td'), td => td.dataset.label);
  return {scrolls, hidden, heads, labels, rows: table.querySelectorAll('tbody tr').length,
          caption: {left: c.left, right: c.right, cut: caption.scrollWidth > caption.clientWidth + 1,
                    text: caption.innerText.trim()},
          shownLabel: getComputedStyle(table.querySelector('tbody td'), '::before').content,
          role: table.getAttribute('role'), overflow: document.documentElement.scrollWidth - width};
}"""


def test_at_a_glance_at_390_px_shows_every_column_and_the_whole_caption(pages):
    """At a phone's width each person is a card of labelled lines: every column's value in view without
    scrolling sideways (neither the page nor the table), each labelled with its column's heading, and the
    caption whole; still a table for a screen reader."""
    page = pages("facilitator")
    page.wait_for_selector(".wb-facilitator-app .wb-tabs")
    page.locator(".wb-facilitator-app .lm-TabBar-tab", has_text="At a glance").click()
    page.wait_for_selector(".wb-tab-glance table.wb-board tbody tr")
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    try:
        found = page.evaluate(GLANCE_AT_PHONE)
        snap(page, ARTIFACTS / "usability-facilitator-at-a-glance-390.png", 844)
    finally:
        page.set_viewport_size({"width": SIZES["wide"][0], "height": SIZES["wide"][1]})
    assert len(found["heads"]) == 7 and found["labels"] == found["heads"], found
    assert found["rows"] >= 1 and not found["hidden"] and not found["scrolls"], found
    assert found["overflow"] <= 0, found
    assert found["shownLabel"] == '"Name"', found  # each line says which column it is
    assert not found["caption"]["cut"] and 0 <= found["caption"]["left"] and found["caption"]["right"] <= 390
    assert found["caption"]["text"] == "Completion only: nobody's answers are shown here."
    assert found["role"] == "table"
