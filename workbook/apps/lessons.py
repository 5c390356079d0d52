"""The manager's lessons: short passages, knowledge checks, private reflections and practice scenarios.

One app per lesson (`lesson_app("practices")`), behind the same sign-in as every app. The page holds
only the signed-in manager's own answers; every answer is checked by `clean_lesson_answer` on the
server before it is stored, and everything shown as HTML is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import ipywidgets as widgets
import traitlets
from markupsafe import Markup

from workbook.apps.aria import labelled_group
from workbook.apps.choices import ChoiceGroup, SubmitButton
from workbook.apps.common import (
    Autosaver,
    CheckedParts,
    FieldNote,
    SaveStatus,
    app_href,
    css,
    full_width,
    manager_style,
    named,
    wide_button,
)
from workbook.apps.lazy import ViewGroup
from workbook.apps.lesson_end import lesson_ending
from workbook.apps.markup import html, joined, signed_in_as, status_line
from workbook.apps.registry import HOME_NOTEBOOK, LESSON_NOTEBOOKS
from workbook.apps.signin import SignIn
from workbook.content.course import lesson_parts, paragraph_runs
from workbook.identity import Person
from workbook.manager.content import (
    KnowledgeCheck,
    Lesson,
    Reflection,
    Scenario,
    TextBlock,
    clean_lesson_answer,
    clean_scenario_response,
    lesson_progress,
    lesson_scope,
    lessons,
    save_lesson_answer,
)
from workbook.store import Store, utcnow
from workbook.validation import InputError

PRIVATE_NOTE = "Only you can see this."


def paragraphs_html(paragraphs: list[str]) -> Markup:
    """Plain paragraphs as HTML; lines starting with "- " become a bulleted list. Everything escaped."""
    out: list[Markup] = []
    for paragraph in paragraphs:
        runs = paragraph_runs(paragraph)
        for bullet, lines in runs:
            if bullet:
                items = joined(html("<li>{item}</li>", item=item) for item in lines)
                out.append(html("<ul>{items}</ul>", items=items))
            else:
                out.append(html("<p>{text}</p>", text=" ".join(lines)))
    return joined(out)


# -- one view per kind of block -------------------------------------------------------------------------
# An activity's view holds the checked answer in its `value` trait (only good values get there); the
# part it is in gathers them into its `answers`, which the page observes to store them.
class TextView:
    def __init__(self, block: TextBlock) -> None:
        self.block = block
        self.widget = widgets.HTML(
            html('<div class="wb-lesson-text">{text}</div>', text=paragraphs_html(block.paragraphs())),
            layout=full_width(),
            _dom_classes=css("wb-text", f"wb-text-{block.id}"),
        )


class CheckView(traitlets.HasTraits):
    """A multiple-choice question; "Check" stores the choice and explains the right answer."""

    value = traitlets.Any(None, allow_none=True, help="the checked choice, {'choice': option id}")

    def __init__(self, lesson: Lesson, block: KnowledgeCheck, saved: Any, status: SaveStatus) -> None:
        super().__init__()
        self.lesson = lesson
        self.block = block
        self.status = status
        chosen = saved.get("choice") if isinstance(saved, dict) else None
        ids = [o.id for o in block.options]
        self.choice = ChoiceGroup(
            block.question,
            [(o.label, o.id) for o in block.options],
            value=chosen if chosen in ids else None,
            _dom_classes=css("wb-check-choice"),
        )
        self.button = SubmitButton("Check", [self.choice], classes=css("wb-check-button"))
        self.button.on_submit(lambda problem: self.check() if problem is None else self.refuse(problem))
        self.feedback = widgets.HTML(_dom_classes=css("wb-check-feedback"))
        self.widget = widgets.VBox(
            [
                widgets.HTML('<h4 class="wb-activity-kind">Check your understanding</h4>'),
                self.choice,
                self.button,
                self.feedback,
            ],
            _dom_classes=css("wb-activity", "wb-check", f"wb-check-{block.id}"),
        )
        if self.choice.value is not None:
            self.value = {"choice": self.choice.value}
            self._show(self.choice.value)

    def check(self, choice: object = None) -> None:
        """Store the chosen option (or `choice`, as a crafted client might send) and explain."""
        choice = self.choice.value if choice is None else choice
        if choice is None:
            self.feedback.value = '<p class="wb-error" role="alert">Choose an answer first.</p>'
            return
        try:
            cleaned = clean_lesson_answer(self.lesson, self.block.id, {"choice": choice})
        except InputError as exc:
            self.status.error(str(exc))
            self.feedback.value = ""
            return
        self._show(cleaned["choice"])
        self.value = cleaned

    def refuse(self, problem: str) -> None:
        """The answer sent with the click was not one of the options: say so, store nothing."""
        text = problem[:1].upper() + problem[1:]
        self.feedback.value = status_line(text, "wb-error", "alert")

    def _show(self, choice: str) -> None:
        option = self.block.option(choice)
        best = self.block.correct_option.label
        if option.correct:
            verdict = html("<strong>✓ That is right.</strong> {feedback}", feedback=option.feedback)
        else:
            verdict = html(
                "<strong>Not quite.</strong> The best answer is “{best}”. {feedback}",
                best=best,
                feedback=option.feedback,
            )
        state = "right" if option.correct else "wrong"
        self.feedback.value = html(
            '<div class="wb-feedback" role="status">'
            '<p class="wb-check-verdict wb-check-{state}">{verdict}</p></div>',
            state=state,
            verdict=verdict,
        )


class ReflectionView(traitlets.HasTraits):
    """A private free-text prompt, saved as it is typed."""

    value = traitlets.Any(None, allow_none=True, help="the last good text typed")

    def __init__(self, lesson: Lesson, block: Reflection, saved: Any, status: SaveStatus) -> None:
        super().__init__()
        self.lesson = lesson
        self.block = block
        self.box = widgets.Textarea(
            value=saved if isinstance(saved, str) else "",
            rows=4,
            placeholder="Write as much or as little as you like.",
            layout=full_width(),
            _dom_classes=css("wb-reflection-text"),
        )
        named(self.box, block.prompt)
        self.value = self.box.value if isinstance(saved, str) else None
        self.note = FieldNote(status, f"reflection:{block.id}", self.box)
        self.box.observe(lambda change: self.typed(change["new"]), "value")
        privacy = block.help if "only you" in block.help.lower() else f"{PRIVATE_NOTE} {block.help}".strip()
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    html(
                        '<h4 class="wb-activity-kind">Reflect</h4><label class="wb-label">{prompt}</label>'
                        '<p class="wb-private wb-muted">{privacy}</p>',
                        prompt=block.prompt,
                        privacy=privacy,
                    )
                ),
                self.box,
                self.note.widget,
            ],
            layout=full_width(),
            _dom_classes=css("wb-activity", "wb-reflection", f"wb-reflection-{block.id}"),
        )

    def typed(self, text: object) -> None:
        """Check the text at once: a bad one is shown beside the box; a good one becomes the value (and a
        good one typed before a bad one is stored all the same)."""
        try:
            cleaned = clean_lesson_answer(self.lesson, self.block.id, text)
        except InputError as exc:
            self.note.refuse(exc)
            return
        self.note.accept()
        self.value = cleaned


class ScenarioView(traitlets.HasTraits):
    """A situation to practise: a response, a self-review checklist and an example answer."""

    value = traitlets.Any(None, allow_none=True, help="the good response and the ticks on the page")

    def __init__(self, lesson: Lesson, block: Scenario, saved: Any, status: SaveStatus) -> None:
        super().__init__()
        self.lesson = lesson
        self.block = block
        saved = saved if isinstance(saved, dict) else {}
        ticked = set(saved.get("ticked", []))
        response = saved.get("response", "") if isinstance(saved.get("response"), str) else ""
        self.parts = CheckedParts(status, f"scenario:{block.id}", {"response": response})
        self.response = widgets.Textarea(
            value=response,
            rows=5,
            placeholder="Write the words you would use.",
            layout=full_width(),
            _dom_classes=css("wb-scenario-response"),
        )
        named(self.response, block.prompt)
        self.response.observe(lambda change: self._response_changed(change["new"]), "value")
        self.boxes = [
            widgets.Checkbox(
                value=index in ticked,
                description=item,
                indent=False,
                layout=full_width(),
                _dom_classes=css("wb-scenario-tick", f"wb-scenario-tick-{index}"),
            )
            for index, item in enumerate(block.checklist)
        ]
        for box in self.boxes:
            box.observe(lambda _c: self._changed(), "value")
        self.example_button = widgets.Button(
            description="Show an example answer",
            icon="eye",
            layout=wide_button(),
            _dom_classes=css("wb-show-example"),
        )
        self.example_button.on_click(lambda _b: self.reveal_example())
        self.example = widgets.HTML(_dom_classes=css("wb-example"))
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    html(
                        '<h4 class="wb-activity-kind">Practise: {title}</h4>'
                        '<p class="wb-situation">{situation}</p><label class="wb-label">{prompt}</label>'
                        '<p class="wb-private wb-muted">{privacy}</p>',
                        title=block.title,
                        situation=block.situation,
                        prompt=block.prompt,
                        privacy=PRIVATE_NOTE,
                    )
                ),
                self.response,
                self.parts.note("response", self.response).widget,
                *labelled_group(
                    "Then review your answer: tick what your response did.",
                    self.boxes,
                    "wb-scenario-checklist",
                ),
                self.example_button,
                self.example,
            ],
            layout=full_width(),
            _dom_classes=css("wb-activity", "wb-scenario", f"wb-scenario-{block.id}"),
        )
        self.value = self.current() if saved else None

    def current(self) -> dict[str, Any]:
        """The answer to store: the last good response and the ticks as they are on the page."""
        return {
            "response": self.parts.good["response"],
            "ticked": [index for index, box in enumerate(self.boxes) if box.value],
        }

    def _response_changed(self, text: object) -> None:
        if self.parts.check("response", lambda v: clean_scenario_response(self.block, v), text):
            self._changed()

    def _changed(self) -> None:
        self.value = self.current()

    def reveal_example(self) -> None:
        self.example.value = html(
            '<div class="wb-example-answer"><p><strong>One way to say it</strong> '
            "(there are many good answers):</p><blockquote>{example}</blockquote></div>",
            example=self.block.example,
        )
        self.example_button.layout.display = "none"


# -- the lesson page ------------------------------------------------------------------------------------
VIEWS = {KnowledgeCheck: CheckView, Reflection: ReflectionView, Scenario: ScenarioView}


def block_views(lesson: Lesson, blocks: Sequence[Any], saved: Mapping[str, Any], status: SaveStatus) -> dict:
    """A view for each block (by block id), showing its saved answer; a lesson part is made of them."""
    return {
        block.id: TextView(block)
        if isinstance(block, TextBlock)
        else VIEWS[type(block)](lesson, block, saved.get(block.id), status)
        for block in blocks
    }


class LessonPage:
    """One lesson for one signed-in manager; holds only that manager's own answers to it."""

    def __init__(self, store: Store, person: Person, lesson: Lesson) -> None:
        self.store = store
        self.person = person
        self.lesson = lesson
        self.status = SaveStatus()
        self.autosaver = Autosaver(self.status)
        saved = store.current_answers(person.id, lesson_scope(lesson.id))
        self.answers: dict[str, Any] = {key: answer.value for key, answer in saved.items()}
        self.progress = widgets.HTML(_dom_classes=css("wb-lesson-progress"))
        saved_now = dict(self.answers)
        self.parts = [
            ViewGroup([b.id for b in blocks], partial(block_views, lesson, blocks, saved_now, self.status))
            for blocks in lesson_parts(lesson.blocks)
        ]
        for part in self.parts:
            part.observe(self._answers_changed, "answers")
        course = lessons()
        number = next(i for i, item in enumerate(course.lessons, start=1) if item.id == lesson.id)
        home = app_href(HOME_NOTEBOOK)
        self.ending = widgets.HTML(
            layout=widgets.Layout(display="none"), _dom_classes=css("wb-lesson-ending")
        )
        header = widgets.HTML(
            html(
                '<p class="wb-muted"><a class="wb-home-link" href="{home}">← Your course home</a> · '
                '{course}, lesson {number} of {count}</p><h1 class="wb-title">{title}</h1>'
                "{whoami}<p><em>{summary}</em></p>",
                home=home,
                course=course.title,
                number=number,
                count=len(course.lessons),
                title=lesson.title,
                whoami=signed_in_as(person.name),
                summary=lesson.summary,
            )
        )
        footer = widgets.HTML(
            html(
                '<p class="wb-muted">Your answers are saved as you go and are here when you come back. '
                '<a href="{home}">Back to your course home</a>.</p>',
                home=home,
            )
        )
        self.part = 0
        self.part_box = widgets.VBox(_dom_classes=css("wb-lesson-part"))
        self.part_label = widgets.HTML(_dom_classes=css("wb-part-label"))
        self.previous = widgets.Button(
            description="Previous", icon="arrow-left", _dom_classes=css("wb-part-prev")
        )
        self.next = widgets.Button(
            description="Next", icon="arrow-right", button_style="primary", _dom_classes=css("wb-part-next")
        )
        self.previous.on_click(lambda _b: self.show_part(self.part - 1))
        self.next.on_click(lambda _b: self.show_part(self.part + 1))
        self.show_part(0)
        self.widget = widgets.VBox(
            [
                manager_style(),
                header,
                widgets.HBox([self.progress, self.status.widget]),
                self.part_label,
                self.part_box,
                self.ending,
                widgets.HBox([self.previous, self.next], _dom_classes=css("wb-part-nav")),
                footer,
            ],
            layout=widgets.Layout(max_width="900px"),
            _dom_classes=css("wb-lesson", f"wb-lesson-{lesson.id}"),
        )
        self._update_progress()

    def show_part(self, index: int) -> None:
        """Show one part of the lesson: a few paragraphs and the activity that follows them.

        Only the shown part is built and drawn, so a long lesson opens as fast as a short one.
        """
        self.part = max(0, min(index, len(self.parts) - 1))
        shown = self.parts[self.part]
        shown.build()
        self.part_box.children = [shown.widget]
        self.part_label.value = f'<p class="wb-muted">Part {self.part + 1} of {len(self.parts)}</p>'
        self.previous.disabled = self.part == 0
        self.next.disabled = self.part == len(self.parts) - 1
        self.ending.layout.display = None if self.next.disabled else "none"

    @property
    def views(self) -> dict[str, Any]:
        """The views of the blocks in the parts shown so far, by block id."""
        return {block_id: view for part in self.parts for block_id, view in part.views.items()}

    def open_block(self, block_id: str) -> Any:
        """Show the part holding a block, as Next and Previous do; the block's view."""
        self.show_part(next(i for i, part in enumerate(self.parts) if block_id in part.keys))
        return self.views[block_id]

    def _answers_changed(self, change: dict) -> None:
        """An activity's checked answer changed: a check is stored at once, text after a pause in typing."""
        for block_id, value in change["new"].items():
            if block_id in change["old"] and change["old"][block_id] == value:
                continue
            if isinstance(self.lesson.block(block_id), KnowledgeCheck):
                try:
                    self.save(block_id, value)
                except InputError:
                    pass  # the status line says why
            else:
                self.save_later(block_id, value)

    def save(self, block_id: str, value: object) -> Any:
        """Check and store an answer now; the status line shows the result. InputError is re-raised."""
        try:
            cleaned = save_lesson_answer(self.store, self.person, self.lesson.id, block_id, value)
        except InputError as exc:
            self.status.error(str(exc))
            raise
        self.answers[block_id] = cleaned
        self.status.saved(utcnow())
        self._update_progress()
        return cleaned

    def save_later(self, block_id: str, value: object) -> None:
        """Check a value once more in the kernel (a bad one is refused in the status line; the views
        show theirs beside the input); store it after a pause in typing."""
        try:
            cleaned = clean_lesson_answer(self.lesson, block_id, value)
        except InputError as exc:
            self.status.error(str(exc))
            return

        def commit():
            stored = save_lesson_answer(self.store, self.person, self.lesson.id, block_id, cleaned)
            self.answers[block_id] = stored
            self._update_progress()
            return utcnow()

        self.autosaver.schedule(block_id, commit)

    def _update_progress(self) -> None:
        done, total = lesson_progress(self.lesson, self.answers)
        self.progress.value = (
            f'<p class="wb-progress-summary"><strong>{done} of {total} activities done</strong></p>'
        )
        self.ending.value = lesson_ending(self.lesson, self.answers)


def lesson_app(lesson_id: str, store: Store | None = None) -> widgets.Widget:
    """One lesson of the manager's course, behind sign-in with an access code."""
    lesson = lessons().lesson(lesson_id)
    store = store or Store()
    notebook = LESSON_NOTEBOOKS[lesson_id]
    return SignIn(
        store,
        lambda page: LessonPage(page.store, page.person, lesson).widget,
        title=lesson.title,
        notebook=notebook,
    ).start()


__all__ = ["lesson_app", "LessonPage"]
