"""Every app, every tab or part the tests reach, at a desktop and a phone size: no serious or critical
accessibility problem (axe-core), no sideways page scroll, no word cut in a tab or a label.

One page per app, resized in place, so each app loads once. The axe counts of every state are
printed and kept (test-artifacts/axe-counts.json) with a screenshot of each state at each size.
"""

from __future__ import annotations

import json
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
LAYOUT = """() => {
  const cut = [];
  const selector = '.lm-TabBar-tab, .lm-TabBar-tabLabel, label, .widget-label, .wb-label, legend, '
    + 'button, .widget-checkbox span, .wb-rating-option';
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    if (box.width <= 2 || box.height <= 2 || el.closest('[hidden]')) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 4 && style.overflowY === 'hidden') {
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
  return {
    unnamed: unnamed.slice(0, 12),
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    cut: cut.slice(0, 12),
    title: document.title,
    h1: document.querySelectorAll('h1').length,
  };
}"""


@dataclass
class Findings:
    """What the checks found in one app, state by state and size by size."""

    app: str
    problems: list[str] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

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
            }
            for v in blocking:
                self.problems.append(f"{where}: axe {v['impact']} {v['id']} x{v['count']} {v['where']}")
            layout = page.evaluate(LAYOUT)
            if layout["overflow"] > 0:
                self.problems.append(f"{where}: the page scrolls sideways by {layout['overflow']} px")
            for control in layout["unnamed"]:
                self.problems.append(f"{where}: a control without a name: {control}")
            for text in layout["cut"]:
                self.problems.append(f"{where}: cut words in {text}")
            if layout["h1"] != 1:
                self.problems.append(f"{where}: {layout['h1']} h1 headings, not one")
            ARTIFACTS.mkdir(exist_ok=True)
            name = f"usability-{self.app}-{state}-{size}.png".replace(" ", "-").replace("/", "-")
            page.screenshot(path=str(ARTIFACTS / name), full_page=True)
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
        print(f"\naxe {self.app}: serious+critical {totals[0]}, all {totals[1]} over {len(self.counts)} views")
        assert not self.problems, "\n".join(self.problems)


@pytest.fixture(scope="module")
def people(server):
    """A team member, and a manager whose cohort has both checks open (so every tab shows)."""
    found = {
        "member": identity.add_participant(server.store, "Uma Usability"),
        "manager": identity.add_participant(server.store, "Max Usability", cohort=COHORT),
    }
    set_wave(server.store, COHORT, "pre", True)
    set_wave(server.store, COHORT, "post", True)
    return found


def tab_titles(page, scope: str) -> list[str]:
    return [t.strip() for t in page.locator(f"{scope} .lm-TabBar-tab").all_inner_texts()]


def test_landing_page(server, page):
    findings = Findings("landing")
    page.goto(server.url("/voila/render/index.ipynb"))
    page.wait_for_selector(".wb-landing", timeout=90_000)
    findings.title(page, "Career conversations workbook")
    findings.check(page, "links")
    findings.finish()


def test_participant_app_every_section(server, page, people):
    findings = Findings("participant")
    page.goto(identity.personal_link(people["member"].code, "participant"))
    page.wait_for_selector(".wb-workbook", timeout=90_000)
    findings.title(page, "Prepare for your career conversation")
    for index, title in enumerate(tab_titles(page, ".wb-workbook")):
        page.locator(".wb-workbook .lm-TabBar-tab").nth(index).click()
        if title == "Your plan":
            page.click(".wb-build-plan")
            page.wait_for_selector(".wb-plan-preview table, .wb-plan-preview h1, .wb-plan-preview h2")
        findings.check(page, f"section {index + 1}")
    findings.finish()


@pytest.mark.parametrize("lesson", [lesson.id for lesson in lessons().lessons])
def test_each_lesson_every_part(server, page, people, lesson):
    from workbook.apps.registry import LESSON_NOTEBOOKS, app

    notebook = LESSON_NOTEBOOKS[lesson]
    findings = Findings(notebook.removesuffix(".ipynb"))
    page.goto(identity.personal_link(people["manager"].code, notebook.removesuffix(".ipynb")))
    page.wait_for_selector(".wb-lesson", timeout=90_000)
    findings.title(page, app(notebook).title)
    part = 1
    while True:
        findings.check(page, f"part {part}")
        if page.is_disabled("button.wb-part-next"):
            break
        page.click("button.wb-part-next")
        part += 1
        page.wait_for_function(
            "n => document.querySelector('.wb-part-label').innerText.includes('Part ' + n + ' ')", arg=part
        )
    findings.finish()


def test_manager_home_every_tab(server, page, people):
    findings = Findings("manager")
    page.goto(identity.personal_link(people["manager"].code, "manager"))
    page.wait_for_selector(".wb-manager-home", timeout=90_000)
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


def test_evaluator_gate_and_dashboard(server, page):
    seed_manager_demo(server.store)
    findings = Findings("evaluator")
    page.goto(server.url("/voila/render/evaluator.ipynb"))
    page.wait_for_selector(".wb-eval-gate", timeout=90_000)
    findings.title(page, "Programme evaluation")
    findings.check(page, "gate")
    page.goto(server.url(f"/voila/render/evaluator.ipynb?key={KEY}"))
    page.wait_for_selector(".wb-eval-headline", timeout=90_000)
    page.wait_for_function(
        "document.querySelector('.wb-eval-status .wb-eval-ready') !== null", timeout=90_000
    )
    page.wait_for_function(
        "document.querySelectorAll('.wb-eval-chart img[src^=\"blob:\"], .wb-eval-chart img[src^=\"data:\"]')"
        ".length >= 8",
        timeout=90_000,
    )
    findings.check(page, "dashboard")
    findings.finish()
