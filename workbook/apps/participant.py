"""The team member's app: prepare for a career conversation, section by section, and leave
with a development plan. Every answer saves as it is typed."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import ipywidgets as widgets

from workbook import content
from workbook.apps.common import (
    Autosaver,
    CheckedParts,
    FieldNote,
    SaveStatus,
    SignIn,
    css,
    esc,
    full_width,
    named,
    when,
)
from workbook.apps.registry import PARTICIPANT_NOTEBOOK
from workbook.content import VISIBILITY_LABELS, GoalGuidance, Preparation, PrepField, PrepSection
from workbook.identity import Person
from workbook.preparation import (
    GOALS_FIELD,
    SCOPE,
    answer_key,
    clean_field,
    clean_goals,
    clean_part,
    clean_visibility,
    goal_is_complete,
    goal_is_empty,
    goal_label,
    load_plan,
    saved_goals,
    section_progress,
)
from workbook.store import SavedAnswer, Store
from workbook.validation import InputError, long_date

TEXTAREA_ROWS = 3


def _field_label(text: str) -> widgets.HTML:
    return widgets.HTML(f'<label class="wb-label">{esc(text)}</label>')


class SectionView:
    """One section of the preparation: its questions, who can see it, when it last changed."""

    def __init__(self, workbook: PreparationWorkbook, section: PrepSection) -> None:
        self.workbook = workbook
        self.section = section
        self.inputs: dict[str, widgets.Widget] = {}
        self.notes: dict[str, FieldNote] = {}
        answers = workbook.answers
        level = workbook.visibility.get(section.id, section.default_visibility)
        self.visibility = widgets.Dropdown(
            options=[(label, key) for key, label in VISIBILITY_LABELS.items()],
            value=level,
            description="Who can see this",
            style={"description_width": "initial"},
            _dom_classes=css("wb-visibility", f"wb-visibility-{section.id}"),
        )
        self.visibility.observe(self._on_visibility, names="value")
        self.last_changed = widgets.HTML(_dom_classes=css("wb-last-changed"))
        rows: list[widgets.Widget] = [
            widgets.HTML(
                f'<h3 class="wb-section-title">{esc(section.title)}</h3>'
                f'<p class="wb-why"><strong>Why this matters:</strong> {esc(section.why)}</p>'
                + (f"<p>{esc(section.intro)}</p>" if section.intro else "")
            ),
            widgets.HBox([self.visibility, self.last_changed]),
        ]
        for prep_field in section.fields:
            saved = answers.get(answer_key(section.id, prep_field.id))
            rows.append(self._field(prep_field, saved))
        if section.goals is not None:
            self.goals = GoalsEditor(
                section.goals,
                saved_goals(section, answers),
                workbook.status,
                on_change=lambda goals: workbook.save_goals(section, goals),
            )
            rows.append(self.goals.widget)
        self.widget = widgets.VBox(rows, _dom_classes=css("wb-section", f"wb-section-{section.id}"))
        self.refresh()

    def _field(self, prep_field: PrepField, saved: SavedAnswer | None) -> widgets.Widget:
        key = answer_key(self.section.id, prep_field.id)
        classes = css("wb-field", f"wb-field-{self.section.id}-{prep_field.id}")
        if prep_field.kind == "choices":
            chosen = set(saved.value) if saved else set()
            boxes = [
                widgets.Checkbox(
                    value=choice.id in chosen,
                    description=choice.label,
                    indent=False,
                    _dom_classes=css(f"wb-choice-{choice.id}"),
                )
                for choice in prep_field.choices
            ]

            def on_choice(_change: object) -> None:
                value = [c.id for c, box in zip(prep_field.choices, boxes, strict=True) if box.value]
                self.workbook.save(self.section, prep_field, key, value)

            for box in boxes:
                box.observe(on_choice, names="value")
            self.inputs[prep_field.id] = widgets.VBox(boxes, _dom_classes=classes)
            group = self.inputs[prep_field.id]
            note = self.notes[prep_field.id] = FieldNote(self.workbook.status, key, group)
            return widgets.VBox([_field_label(prep_field.label), group, note.widget])
        if prep_field.kind == "long_text":
            box = widgets.Textarea(rows=TEXTAREA_ROWS, layout=full_width())
        else:
            box = widgets.Text(layout=full_width())
        named(box, prep_field.label)
        box.value = saved.value if saved else ""
        box.placeholder = prep_field.placeholder
        box.tooltip = prep_field.label
        box.add_class(classes[0])
        box.add_class(classes[1])
        box.observe(
            lambda change: self.workbook.save(self.section, prep_field, key, change["new"]), names="value"
        )
        self.inputs[prep_field.id] = box
        note = self.notes[prep_field.id] = FieldNote(self.workbook.status, key, box)
        parts: list[widgets.Widget] = [_field_label(prep_field.label), box, note.widget]
        if prep_field.help:
            parts.append(widgets.HTML(f'<p class="wb-help">{esc(prep_field.help)}</p>'))
        return widgets.VBox(parts, layout=full_width())

    def _on_visibility(self, change: dict) -> None:
        self.workbook.save_visibility(self.section, change["new"])

    def refresh(self) -> None:
        progress = section_progress(self.section, self.workbook.answers)
        self.last_changed.value = (
            f'<span class="wb-muted">Last changed: {esc(when(progress.last_changed))}</span>'
        )


class GoalCard:
    """One goal on the page; its parts are checked and saved one by one (see CheckedParts)."""

    def __init__(self, guidance: GoalGuidance, saved: dict[str, str], status: SaveStatus, key: str) -> None:
        self.fields = {f.id: f for f in guidance.fields}
        good = {f.id: str(saved.get(f.id, "") or "") for f in guidance.fields}
        self.parts = CheckedParts(status, key, good)
        self.inputs: dict[str, widgets.ValueWidget] = {}
        self.number = 0
        self.on_part: Callable[[GoalCard, PrepField, Any], None] = lambda *_: None
        for goal_field in guidance.fields:
            box = named(self._input(goal_field, self.good[goal_field.id]), goal_field.label)
            box.add_class(f"wb-goal-{goal_field.id}")
            box.observe(lambda change, f=goal_field: self.on_part(self, f, change["new"]), names="value")
            self.inputs[goal_field.id] = box
            note = self.parts.note(goal_field.id, box)
            if goal_field.kind == "date" and self.good[goal_field.id]:
                note.accept(understood(date.fromisoformat(self.good[goal_field.id])))

    @property
    def good(self) -> dict[str, str]:
        return self.parts.good

    @property
    def notes(self) -> dict[str, FieldNote]:
        return self.parts.notes

    @staticmethod
    def _input(goal_field: PrepField, value: str) -> widgets.ValueWidget:
        if goal_field.kind == "date":
            return widgets.DatePicker(
                value=date.fromisoformat(value) if value else None, layout=widgets.Layout(width="auto")
            )
        return widgets.Text(
            value=value, placeholder=goal_field.placeholder, tooltip=goal_field.label, layout=full_width()
        )

    def check(self, goal_field: PrepField, value: Any) -> bool:
        """Check one part; a good value becomes the goal's, a bad one is shown beside its input."""
        label = goal_label(self.number, goal_field)
        kept = self.parts.check(goal_field.id, lambda v: clean_part(label, goal_field, v), value)
        cleaned = self.good[goal_field.id]
        if kept and goal_field.kind == "date" and cleaned:
            self.notes[goal_field.id].accept(understood(date.fromisoformat(cleaned)))
        return kept

    def is_empty(self) -> bool:
        """Nothing in the goal and nothing (not even a bad value) waiting on the page."""
        return goal_is_empty(self.good) and not self.parts.has_problems

    def forget_problems(self) -> None:
        self.parts.forget_problems()


def understood(moment: date) -> str:
    """What a chosen date was read as, in words nobody can misread (the picker's order is the browser's)."""
    return f"Understood as {long_date(moment)}."


class GoalsEditor:
    """Two or three goals, each with a measure, a target date and a first step.

    The goals are one record in the store, rebuilt from every card's good parts at each change; cards
    with nothing in them are not stored and never stop a new goal being added.
    """

    def __init__(
        self,
        guidance: GoalGuidance,
        saved: list[dict[str, str]],
        status: SaveStatus,
        on_change: Callable[[list[dict[str, str]]], None],
        key: str = GOALS_FIELD,
    ) -> None:
        self.guidance = guidance
        self.status = status
        self.on_change = on_change
        self.key = key
        self.cards: list[GoalCard] = []
        self._waiting = 0  # the number of an empty card "Add a goal" pointed to
        self.list_box = widgets.VBox(_dom_classes=css("wb-goals"))
        self.add_button = widgets.Button(
            description="Add a goal", icon="plus", _dom_classes=css("wb-add-goal")
        )
        self.add_button.on_click(lambda _b: self.add_goal())
        self.advice = widgets.HTML(_dom_classes=css("wb-goal-advice"))
        self.widget = widgets.VBox(
            [widgets.HTML(f"<p>{esc(guidance.why)}</p>"), self.list_box, self.add_button, self.advice]
        )
        for goal in saved[: guidance.max]:
            self._add_card(goal)
        while len(self.cards) < guidance.recommended_min:
            self._add_card({})
        self._render()

    def _add_card(self, goal: dict[str, str]) -> GoalCard:
        card = GoalCard(self.guidance, goal, self.status, self.key)
        card.on_part = self._part_changed
        self.cards.append(card)
        return card

    def _part_changed(self, card: GoalCard, goal_field: PrepField, value: Any) -> None:
        if card.check(goal_field, value):
            self.on_change(self.values())
        self._update_controls()

    def add_goal(self) -> None:
        """A new empty card while there is room; at the most goals, point to a card still empty."""
        if len(self.cards) >= self.guidance.max:
            self._waiting = next((card.number for card in self.cards if card.is_empty()), 0)
            self._update_controls()
            return
        self._add_card({})
        self._render()

    def remove_goal(self, index: int) -> None:
        if 0 <= index < len(self.cards):
            self.cards.pop(index).forget_problems()
            self._render()
            self.on_change(self.values())

    def values(self) -> list[dict[str, str]]:
        """The goals to store: each card's good parts, empty cards left out."""
        return [dict(card.good) for card in self.cards if not goal_is_empty(card.good)]

    def _render(self) -> None:
        labels = {f.id: f.label for f in self.guidance.fields}
        cards = []
        for index, card in enumerate(self.cards):
            card.number = index + 1
            remove = widgets.Button(
                description="Remove",
                icon="trash",
                tooltip=f"Remove goal {index + 1}",
                _dom_classes=css("wb-remove-goal"),
            )
            remove.on_click(lambda _b, i=index: self.remove_goal(i))
            parts: list[widgets.Widget] = [widgets.HTML(f"<h4>Goal {index + 1}</h4>")]
            for key, box in card.inputs.items():
                parts += [_field_label(labels[key]), box, card.notes[key].widget]
            parts.append(remove)
            cards.append(widgets.VBox(parts, _dom_classes=css("wb-goal-card")))
        self.list_box.children = cards
        self._update_controls()

    def _update_controls(self) -> None:
        """"Add a goal" is offered until the plan holds its most goals; the advice counts complete ones."""
        filled = sum(not card.is_empty() for card in self.cards)
        self.add_button.disabled = filled >= self.guidance.max
        done = sum(1 for goal in self.values() if goal_is_complete(goal))
        low, high = self.guidance.recommended_min, self.guidance.max
        empty = next((card.number for card in self.cards if card.is_empty()), 0)
        if self._waiting and self._waiting == empty:
            text = f"Goal {empty} is still empty: write your new goal there."
        elif done < low:
            text = f"{done} goal(s) with a measure so far. Aim for {low} to {high}: give each one a measure."
        elif done >= high:
            text = f"{done} goals: that is the most this plan holds, so each one gets real attention."
        else:
            text = f"{done} goals: a focused plan. You can add one more if it really matters."
        self.advice.value = f'<p class="wb-muted">{esc(text)}</p>'


class PreparationWorkbook:
    """The whole preparation for one signed-in person. Holds only that person's answers."""

    def __init__(self, store: Store, person: Person, prep: Preparation) -> None:
        self.store = store
        self.person = person
        self.prep = prep
        self.status = SaveStatus()
        self.autosaver = Autosaver(self.status)
        self.answers: dict[str, SavedAnswer] = store.current_answers(person.id, SCOPE)
        self.visibility: dict[str, str] = store.visibilities(person.id, SCOPE)
        self.progress = widgets.HTML(_dom_classes=css("wb-progress"))
        self.views = {section.id: SectionView(self, section) for section in prep.sections}
        self.plan_preview = widgets.HTML(_dom_classes=css("wb-plan-preview"))
        self.downloads = widgets.HTML(_dom_classes=css("wb-downloads"))
        make = widgets.Button(
            description="Build my plan",
            icon="file",
            button_style="primary",
            _dom_classes=css("wb-build-plan"),
        )
        make.on_click(lambda _b: self.build_plan())
        plan_tab = widgets.VBox(
            [
                widgets.HTML(
                    "<h3>Your development plan</h3><p>Your plan is assembled from your answers. "
                    "Build it to see a preview and download it as Word, PDF or Markdown.</p>"
                ),
                make,
                self.downloads,
                self.plan_preview,
            ],
            _dom_classes=css("wb-section", "wb-section-plan"),
        )
        titles = [f"{i}. {s.title}" for i, s in enumerate(prep.sections, start=1)] + ["Your plan"]
        self.tabs = widgets.Tab(
            children=[v.widget for v in self.views.values()] + [plan_tab],
            titles=titles,
            _dom_classes=css("wb-tabs"),
        )
        header = widgets.HTML(
            f'<h1 class="wb-title">{esc(prep.title)}</h1>'
            f'<p class="wb-whoami">Signed in as <strong>{esc(person.name)}</strong></p>'
            f"<p>{esc(prep.intro)}</p>"
        )
        self.widget = widgets.VBox(
            [header, self.progress, self.status.widget, self.tabs], _dom_classes=css("wb-workbook")
        )
        self._update_progress()

    # -- saving -------------------------------------------------------------------------------
    def _record(self, key: str, value: object) -> datetime:
        moment = self.store.save_answer(self.person.id, SCOPE, key, value)
        self.answers[key] = SavedAnswer(value, moment)
        self._after_save(key.split(".", 1)[0])
        return moment

    def save(self, section: PrepSection, prep_field: PrepField, key: str, value: object) -> None:
        """Check a value from the page at once; save it after a pause in typing.

        A bad value is shown beside its field and not saved; a good value typed before it, still
        waiting for the pause, is saved all the same.
        """
        note = self.views[section.id].notes[prep_field.id] if section.id in self.views else None
        try:
            cleaned = clean_field(section, prep_field, value)
        except InputError as exc:
            if note is None:
                self.status.error(str(exc))
            else:
                note.refuse(exc)
            return
        if note is not None:
            note.accept()
        self.autosaver.schedule(key, lambda: self._record(key, cleaned))

    def save_goals(self, section: PrepSection, goals: list[dict[str, str]]) -> None:
        """Store the goals (built from the good parts of every card) after a pause in typing."""
        key = answer_key(section.id, GOALS_FIELD)
        try:
            cleaned = clean_goals(section, goals)
        except InputError as exc:
            self.status.error(str(exc))
            return
        self.autosaver.schedule(key, lambda: self._record(key, cleaned))

    def save_visibility(self, section: PrepSection, level: object) -> None:
        try:
            level = clean_visibility(section, level)
        except ValueError as exc:
            self.status.error(str(exc))
            return
        moment = self.store.set_visibility(self.person.id, SCOPE, section.id, level)
        self.visibility[section.id] = level
        self.status.saved(moment)

    def _after_save(self, section_id: str) -> None:
        if section_id in self.views:
            self.views[section_id].refresh()
        self._update_progress()

    def _update_progress(self) -> None:
        items = []
        complete = 0
        for section in self.prep.sections:
            progress = section_progress(section, self.answers)
            complete += progress.complete
            mark = "✓" if progress.complete else f"{progress.answered}/{progress.total}"
            state = "done" if progress.complete else ("started" if progress.answered else "todo")
            items.append(
                f'<li class="wb-progress-{state}" data-section="{esc(section.id)}">'
                f"{esc(section.title)}: <strong>{esc(mark)}</strong></li>"
            )
        total = len(self.prep.sections)
        self.progress.value = (
            f'<div class="wb-progress-summary"><strong>{complete} of {total} sections complete.</strong> '
            "Do them in any order, a little at a time.</div>"
            f'<ul class="wb-progress-list">{"".join(items)}</ul>'
        )

    # -- the plan -------------------------------------------------------------------------------
    def build_plan(self) -> None:
        from workbook import idp

        self.autosaver.flush()
        plan = load_plan(self.store, self.prep, self.person, date.today())
        self.plan_preview.value = idp.render_html(plan)
        links = []
        mime = {
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "pdf": "application/pdf",
            "md": "text/markdown",
        }
        labels = {"docx": "Word (.docx)", "pdf": "PDF", "md": "Markdown"}
        for fmt in idp.FORMATS:
            payload = base64.b64encode(idp.render(plan, fmt)).decode("ascii")
            links.append(
                f'<a class="wb-download wb-download-{fmt}" download="{esc(idp.filename(plan, fmt))}" '
                f'href="data:{mime[fmt]};base64,{payload}">Download {labels[fmt]}</a>'
            )
        self.downloads.value = '<p class="wb-download-links">' + " · ".join(links) + "</p>"


def participant_app(store: Store | None = None) -> widgets.Widget:
    """The team member's preparation app, behind sign-in with an access code."""
    store = store or Store()
    prep = content.preparation()
    return SignIn(
        store,
        lambda page: PreparationWorkbook(page.store, page.person, prep).widget,
        title=prep.title,
        notebook=PARTICIPANT_NOTEBOOK,
    ).start()

