"""The manager's home: lessons, the comfort and skill check, their own before and after, their reaction
to the programme, the conversation planner and the log of conversations held.

Behind the same sign-in as every app. The kernel holds only the signed-in manager's own data; every
value from the page goes through the manager-track domain functions, which check it on the server and
raise InputError (shown in the status line, nothing stored). Text a person wrote is escaped in HTML.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

import ipywidgets as widgets
import pandas as pd

from workbook.apps.common import (
    Autosaver,
    CheckedParts,
    FieldNote,
    SaveStatus,
    SignIn,
    css,
    esc,
    full_width,
    when,
)
from workbook.apps.lessons import (
    app_href,
    label,
    manager_style,
    wide_button,
)
from workbook.apps.registry import HOME_NOTEBOOK, LESSON_NOTEBOOKS
from workbook.identity import Person
from workbook.manager.behaviour import conversations, log_conversation
from workbook.manager.content import Instrument, instrument, lesson_progress, lesson_scope, lessons
from workbook.manager.planner import (
    SEND_AHEAD,
    PlanItem,
    clean_plan_part,
    delete_plan_entry,
    plan_entries,
    plan_markdown,
    save_plan_entry,
    to_ics,
)
from workbook.manager.reaction import COMMENT_VISIBILITY, clean_comment, my_reaction, save_reaction
from workbook.manager.scores import SUBMITS, WAVE_NAMES, my_scores, submit_comfort_check, unanswered
from workbook.manager.summary import BeforeAfter, before_after, before_after_figure
from workbook.manager.waves import open_waves
from workbook.store import Store, utcnow
from workbook.validation import InputError

TITLE = "Career conversations: the manager's course"
NOT_ANSWERED = '<p class="wb-field-error" role="alert">Not answered yet.</p>'
VISIBILITY_CHOICES = {"private": "Only me (private)", "facilitator": "Me and my facilitator"}
PLAN_AHEAD = timedelta(days=14)


class SubmitStatus(SaveStatus):
    """The status line of a form that is sent with a button rather than saved as one types."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.idle(message)

    def idle(self, message: str) -> None:
        self._show("idle", message)

    def done(self, message: str) -> None:
        self._show("saved", message)


def _download(css_class: str, filename: str, mime: str, text: str, caption: str) -> str:
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return (
        f'<a class="wb-download {css_class}" download="{esc(filename)}" '
        f'href="data:{mime};charset=utf-8;base64,{payload}">{esc(caption)}</a>'
    )


def _day(moment: date) -> str:
    return moment.strftime("%d %b %Y").lstrip("0")


# -- Lessons ---------------------------------------------------------------------------------------------
class LessonsTab:
    """Each lesson with the manager's progress and a link that opens it with the manager's own code."""

    def __init__(self, home: ManagerHome) -> None:
        self.home = home
        self.course = lessons()
        self.list = widgets.HTML(_dom_classes=css("wb-lesson-list"))
        self.widget = widgets.VBox(
            [widgets.HTML(f"<h3>{esc(self.course.title)}</h3><p>{esc(self.course.intro)}</p>"), self.list],
            _dom_classes=css("wb-tab-lessons"),
        )
        self.refresh()

    def progress(self) -> dict[str, tuple[int, int]]:
        store, person = self.home.store, self.home.person
        return {
            lesson.id: lesson_progress(lesson, store.current_answers(person.id, lesson_scope(lesson.id)))
            for lesson in self.course.lessons
        }

    def refresh(self) -> None:
        items = []
        for number, lesson in enumerate(self.course.lessons, start=1):
            done, total = self.progress()[lesson.id]
            state = "done" if done == total else ("started" if done else "todo")
            href = app_href(LESSON_NOTEBOOKS.get(lesson.id, ""), self.home.code)
            items.append(
                f'<li class="wb-lesson-item wb-progress-{state}" data-lesson="{esc(lesson.id)}">'
                f'<a class="wb-lesson-link" href="{esc(href)}">Lesson {number}: {esc(lesson.title)}</a>'
                f' <span class="wb-lesson-progress">({done} of {total} activities done)</span>'
                f'<br><span class="wb-muted">{esc(lesson.summary)}</span></li>'
            )
        self.list.value = f'<ol class="wb-lessons">{"".join(items)}</ol>'


# -- Comfort check -------------------------------------------------------------------------------------
class WaveForm:
    """The ten questions of one wave, each with a 5-point choice labelled by its anchors."""

    def __init__(self, inst: Instrument, wave: str, saved: Mapping[str, float]) -> None:
        self.wave = wave
        self.choices: dict[str, widgets.ToggleButtons] = {}
        self.marks: dict[str, widgets.HTML] = {}
        rows: list[widgets.Widget] = []
        values = dict(inst.scale.options())
        for number, item in enumerate(inst.items, start=1):
            previous = saved.get(item.id)
            choice = widgets.ToggleButtons(
                options=inst.scale.options(),
                value=int(previous) if previous is not None and int(previous) in values.values() else None,
                style={"button_width": "auto"},
                _dom_classes=css("wb-item", f"wb-item-{wave}-{item.id}"),
            )
            self.choices[item.id] = choice
            mark = self.marks[item.id] = widgets.HTML(_dom_classes=css("wb-field-note"))
            choice.observe(lambda _c, m=mark: setattr(m, "value", ""), "value")
            rows += [label(f"{number}. {inst.wording(item.id, wave)}", "wb-question"), choice, mark]
        self.widget = widgets.VBox(rows, _dom_classes=css("wb-wave-form", f"wb-wave-form-{wave}"))

    def values(self) -> dict[str, Any]:
        return {item: box.value for item, box in self.choices.items() if box.value is not None}

    def mark_unanswered(self) -> None:
        """Say beside each unanswered question that it still needs an answer (answers stay chosen)."""
        for item, box in self.choices.items():
            if box.value is None:
                self.marks[item].value = NOT_ANSWERED


class ComfortCheck:
    """Which waves are open for the manager's cohort, and the questions of the open ones."""

    def __init__(self, home: ManagerHome) -> None:
        self.home = home
        self.inst = instrument()
        self.forms: dict[str, WaveForm] = {}
        self.statuses: dict[str, SubmitStatus] = {}
        self.buttons: dict[str, widgets.Button] = {}
        self.widget = widgets.VBox(_dom_classes=css("wb-tab-check"))
        self.build()

    def build(self) -> None:
        home = self.home
        self.forms.clear()
        self.statuses.clear()
        self.buttons.clear()
        head = widgets.HTML(f"<h3>{esc(self.inst.title)}</h3><p>{esc(self.inst.intro)}</p>")
        if home.waves is None:
            self.widget.children = [
                head,
                widgets.HTML(
                    '<p class="wb-no-cohort">You are not in a cohort of the programme yet, so there is no '
                    "check for you to answer. Your facilitator adds you to a cohort; if you think this is a "
                    "mistake, ask them.</p>"
                ),
            ]
            return
        scores = home.scores
        children: list[widgets.Widget] = [head]
        for submit, waves in SUBMITS.items():
            answered = scores[scores["wave"] == submit]
            last = answered["answered_at"].max() if len(answered) else None
            last_text = f"You last submitted it on {when(last.to_pydatetime())}." if last is not None else ""
            title = "At the start of the programme" if submit == "pre" else "At the end of the programme"
            if not home.waves[submit]:
                if last is not None:
                    text = f"This check is closed. {last_text}"
                elif submit == "pre":
                    text = "This check is closed. It is open at the start of the programme."
                else:
                    text = (
                        "This check is not open yet. Your facilitator opens it at the end of the programme."
                    )
                children.append(
                    widgets.HTML(
                        f"<h4>{esc(title)}</h4>"
                        f'<p class="wb-wave-closed wb-wave-closed-{submit}">{esc(text)}</p>'
                    )
                )
                continue
            parts: list[widgets.Widget] = [
                widgets.HTML(
                    f"<h4>{esc(title)}</h4>"
                    f'<p class="wb-wave-open">This check is open. {esc(last_text)} '
                    "Answer every question, then submit; you can submit again while the check is open "
                    "(your earlier answers are kept).</p>"
                )
            ]
            for wave in waves:
                saved = dict(
                    zip(*(scores.loc[scores["wave"] == wave, c] for c in ("item", "score")), strict=True)
                )
                form = WaveForm(self.inst, wave, saved)
                self.forms[wave] = form
                if wave == "then":
                    parts.append(widgets.HTML(f"<h4>Looking back</h4><p>{esc(self.inst.then_intro)}</p>"))
                parts.append(form.widget)
            button = widgets.Button(
                description="Submit my answers",
                layout=wide_button(),
                button_style="primary",
                icon="paper-plane",
                _dom_classes=css("wb-submit-wave", f"wb-submit-{submit}"),
            )
            button.on_click(lambda _b, s=submit: self.submit(s))
            status = SubmitStatus("Your answers are saved when you submit them.")
            status.widget.add_class(f"wb-wave-status-{submit}")
            self.buttons[submit] = button
            self.statuses[submit] = status
            parts += [button, status.widget]
            children.append(widgets.VBox(parts, _dom_classes=css("wb-wave", f"wb-wave-{submit}")))
        self.widget.children = children

    def _status_for(self, submit: object) -> SubmitStatus:
        """The status line under the submit button (or a new one, when the page shows no form)."""
        if isinstance(submit, str) and submit in self.statuses:
            return self.statuses[submit]
        if self.statuses:
            return next(iter(self.statuses.values()))
        status = SubmitStatus("")
        self.statuses["other"] = status
        self.widget.children = [*self.widget.children, status.widget]
        return status

    def submit(self, submit: str, answers: Mapping[str, Any] | None = None) -> bool:
        """Submit the answers on the page (or `answers` as {wave: {item: score}}, as a crafted client
        might send) with `submit_comfort_check`, which stores all of it or nothing; unanswered
        questions are marked beside themselves."""
        status = self._status_for(submit)
        try:
            if answers is None:
                waves = SUBMITS.get(submit, ()) if isinstance(submit, str) else ()
                closed = [w for w in waves if w not in self.forms]
                if closed:
                    raise InputError(f"scores: {WAVE_NAMES[closed[0]]} is not open for you")
                answers = {wave: self.forms[wave].values() for wave in waves}
                for wave in waves:
                    if unanswered(answers[wave]):
                        self.forms[wave].mark_unanswered()
            moment = submit_comfort_check(self.home.store, self.home.person, submit, answers)
        except InputError as exc:
            status.error(str(exc))
            return False
        status.done(
            f"Thank you: your answers were submitted on {when(moment)}. You can change them and submit "
            "again while the check is open; your earlier answers are kept."
        )
        self.home.after_scores()
        return True


# -- My before and after -----------------------------------------------------------------------------
class SummaryTab:
    """The manager's own before/after, once they have answered the check at the end."""

    def __init__(self, home: ManagerHome) -> None:
        self.home = home
        self.sentences = widgets.HTML(_dom_classes=css("wb-summary-sentences"))
        self.chart = widgets.HTML(_dom_classes=css("wb-before-after-chart"))
        self.widget = widgets.VBox(
            [widgets.HTML("<h3>My before and after</h3>"), self.sentences, self.chart],
            _dom_classes=css("wb-tab-summary"),
        )
        self.summary: BeforeAfter | None = None
        self.refresh()

    def refresh(self) -> None:
        scores = self.home.scores
        privacy = (
            '<p class="wb-private wb-muted">Nobody else sees your individual answers: your facilitator '
            "and the evaluators only ever see results of groups of managers.</p>"
        )
        if not (scores["wave"] == "post").any():
            self.summary = None
            if (scores["wave"] == "pre").any():
                text = (
                    "You answered the check at the start. Your before and after appears here once you "
                    "have answered the check at the end of the programme, which your facilitator opens "
                    "near the end."
                )
            else:
                text = (
                    "Your before and after appears here once you have answered the comfort check at the "
                    "start and at the end of the programme."
                )
            self.sentences.value = f'<p class="wb-summary-pending">{esc(text)}</p>{privacy}'
            self.chart.value = ""
            return
        self.summary = before_after(scores)
        self.sentences.value = (
            "".join(f'<p class="wb-summary-sentence">{esc(s)}</p>' for s in self.summary.sentences) + privacy
        )
        self.chart.value = self._chart(self.summary)

    @staticmethod
    def _chart(summary: BeforeAfter) -> str:
        figure = before_after_figure(summary)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=90)
        png = base64.b64encode(buffer.getvalue()).decode("ascii")
        table = summary.table

        def num(value: float) -> str:
            return "–" if pd.isna(value) else f"{value:.1f}"

        overall = table.iloc[-1]
        alt = (
            f"Chart of your confidence ratings for each of the {len(table) - 1} questions and overall, "
            f"on a scale of {summary.scale_min} to {summary.scale_max}. "
            f"Overall: {num(overall['pre'])} at the start, {num(overall['then'])} looking back, "
            f"{num(overall['post'])} at the end. "
            "The table below gives every number."
        )
        rows = "".join(
            f"<tr><td>{esc(row['label'])}</td><td>{num(row['pre'])}</td><td>{num(row['then'])}</td>"
            f"<td>{num(row['post'])}</td></tr>"
            for _, row in table.iterrows()
        )
        return (
            f'<img class="wb-chart" style="max-width:100%" alt="{esc(alt)}" '
            f'src="data:image/png;base64,{png}">'
            "<details><summary>The numbers behind the chart</summary>"
            '<table class="wb-table"><tr><th>Question</th><th>At the start</th><th>Looking back</th>'
            f"<th>At the end</th></tr>{rows}</table></details>"
        )


# -- Reaction ----------------------------------------------------------------------------------------------
class ReactionTab:
    """Four ratings of the programme and a comment; the comment is private unless shared."""

    def __init__(self, home: ManagerHome) -> None:
        self.home = home
        self.status = SaveStatus()
        self.status.widget.add_class("wb-reaction-status")
        self.autosaver = Autosaver(self.status)
        reaction = instrument().reaction
        self.current = my_reaction(home.store, home.person)
        self.ratings: dict[str, widgets.ToggleButtons] = {}
        rows: list[widgets.Widget] = [
            widgets.HTML(f"<h3>Your reaction to the programme</h3><p>{esc(reaction.intro)}</p>"),
            self.status.widget,
        ]
        for question in reaction.questions:
            box = widgets.ToggleButtons(
                options=[(f"{n} - {anchor}", n) for n, anchor in enumerate(question.anchors, start=1)],
                value=self.current.ratings.get(question.id),
                style={"button_width": "auto"},
                _dom_classes=css("wb-rating", f"wb-rating-{question.id}"),
            )
            box.observe(lambda change, q=question.id: self.save_rating(q, change["new"]), "value")
            self.ratings[question.id] = box
            rows += [label(question.wording), box]
        self.comment = widgets.Textarea(
            value=self.current.comment, rows=4, layout=full_width(), _dom_classes=css("wb-reaction-comment")
        )
        self.comment_note = FieldNote(self.status, "comment", self.comment)
        self.comment.observe(lambda change: self.save_comment(change["new"]), "value")
        self.visibility = widgets.RadioButtons(
            options=[(VISIBILITY_CHOICES[key], key) for key in COMMENT_VISIBILITY],
            value=self.current.visibility,
            _dom_classes=css("wb-reaction-visibility"),
        )
        self.visibility.observe(lambda change: self.save_visibility(change["new"]), "value")
        rows += [
            label(reaction.comment.label),
            widgets.HTML(f'<p class="wb-help">{esc(reaction.comment.help)}</p>')
            if reaction.comment.help
            else None,
            self.comment,
            self.comment_note.widget,
            label("Who can see your comment"),
            self.visibility,
        ]
        self.widget = widgets.VBox([r for r in rows if r is not None], _dom_classes=css("wb-tab-reaction"))

    def _save(self, ratings: Mapping[str, Any], comment: str | None, visibility: object) -> datetime:
        self.current = save_reaction(self.home.store, self.home.person, ratings, comment, visibility)
        return utcnow()

    def save_rating(self, question: object, value: object) -> None:
        self.autosaver.schedule(
            f"rating:{question}", lambda: self._save({question: value}, None, self.current.visibility)
        )

    def save_comment(self, text: object) -> None:
        """Check the comment at once (a bad one is shown beside it); save it after a pause in typing."""
        try:
            comment = clean_comment(text)
        except InputError as exc:
            self.comment_note.refuse(exc)
            return
        self.comment_note.accept()
        self.autosaver.schedule("comment", lambda: self._save({}, comment, self.current.visibility))

    def save_visibility(self, level: object) -> None:
        self.autosaver.schedule("visibility", lambda: self._save({}, None, level))


# -- Planner -------------------------------------------------------------------------------------------
class PlanCard:
    """One planned conversation, saved as it is edited; a new card is stored once it has an alias."""

    def __init__(self, planner: PlannerTab, item: PlanItem | None) -> None:
        self.planner = planner
        self.item = item
        self.entry_id = item.id if item else None
        self.header = widgets.HTML(_dom_classes=css("wb-plan-title"))
        self.alias = widgets.Text(
            value=item.alias if item else "",
            placeholder="initials or a nickname, not a full name",
            layout=full_width(),
            _dom_classes=css("wb-plan-alias"),
        )
        self.day = widgets.DatePicker(
            value=item.proposed_on if item else date.today() + PLAN_AHEAD, _dom_classes=css("wb-plan-date")
        )
        self.time = widgets.Text(
            value=(item.time or "") if item else "",
            placeholder="HH:MM, optional",
            _dom_classes=css("wb-plan-time"),
        )
        self.send = widgets.Dropdown(
            options=[(text[0].upper() + text[1:], key) for key, text in SEND_AHEAD.items()],
            value=item.send_ahead if item else "both",
            layout=widgets.Layout(width="auto"),
            _dom_classes=css("wb-plan-send"),
        )
        self.questions = widgets.Textarea(
            value=item.questions if item else "",
            rows=3,
            layout=full_width(),
            _dom_classes=css("wb-plan-questions"),
        )
        self.support = widgets.Textarea(
            value=item.support_ideas if item else "",
            rows=3,
            layout=full_width(),
            _dom_classes=css("wb-plan-support"),
        )
        self.inputs: dict[str, widgets.ValueWidget] = {
            "alias": self.alias,
            "proposed_on": self.day,
            "time": self.time,
            "send_ahead": self.send,
            "questions": self.questions,
            "support_ideas": self.support,
        }
        self.parts = CheckedParts(
            planner.status,
            "plan",
            {
                "alias": self.alias.value.strip(),
                "proposed_on": self.day.value.isoformat(),
                "time": self.time.value or None,
                "send_ahead": self.send.value,
                "questions": self.questions.value,
                "support_ideas": self.support.value,
            },
        )
        notes = {part: self.parts.note(part, box) for part, box in self.inputs.items()}
        for part, box in self.inputs.items():
            box.observe(lambda change, part=part: self.changed(part, change["new"]), "value")
        self.links = widgets.HTML(_dom_classes=css("wb-plan-links"))
        self.delete_button = widgets.Button(
            description="Delete", icon="trash", _dom_classes=css("wb-plan-delete")
        )
        self.delete_button.on_click(lambda _b: self.planner.delete(self))
        self.widget = widgets.VBox(
            [
                self.header,
                label("Team member (alias)"),
                self.alias,
                notes["alias"].widget,
                widgets.HBox(
                    [
                        widgets.VBox([label("Proposed date"), self.day, notes["proposed_on"].widget]),
                        widgets.VBox([label("Time (optional)"), self.time, notes["time"].widget]),
                        widgets.VBox([label("Send ahead"), self.send, notes["send_ahead"].widget]),
                    ]
                ),
                label("Questions to explore"),
                self.questions,
                notes["questions"].widget,
                label("Support ideas"),
                self.support,
                notes["support_ideas"].widget,
                self.links,
                self.delete_button,
            ],
            layout=full_width(),
            _dom_classes=css("wb-plan-entry", "wb-goal-card"),
        )
        self.render()

    def changed(self, part: str, value: object) -> None:
        """Check the changed part at once; save the entry (with every good part) after a pause."""
        if part == "proposed_on" and value is None:
            self.parts.note(part).refuse(InputError("Proposed date: choose a date"))
            return
        if self.parts.check(part, lambda v: clean_plan_part(part, v), value) and self.parts.good["alias"]:
            self.planner.autosaver.schedule(f"card:{id(self)}", self.commit)

    def commit(self) -> datetime:
        good = self.parts.good
        item = save_plan_entry(
            self.planner.home.store,
            self.planner.home.person,
            good["alias"],
            good["proposed_on"],
            good["send_ahead"],
            good["questions"],
            good["support_ideas"],
            start_time=good["time"],
            entry_id=self.entry_id,
        )
        self.item, self.entry_id = item, item.id
        self.render()
        self.planner.refresh_markdown()
        return item.saved_at or utcnow()

    def render(self) -> None:
        item = self.item
        if item is None:
            self.header.value = (
                "<h4>New conversation</h4>"
                '<p class="wb-muted">Give the team member an alias: the entry is saved once it has one.</p>'
            )
            self.links.value = ""
            return
        moment = _day(item.proposed_on) + (f", {item.time}" if item.time else "")
        self.header.value = f"<h4>{esc(item.alias)}: {esc(moment)}</h4>"
        ics = to_ics(
            item, self.planner.home.person.name, include_private_notes=self.planner.include_notes.value
        )
        self.links.value = (
            "<p>"
            + _download(
                "wb-download-ics",
                f"career-conversation-{item.id}-{item.proposed_on.isoformat()}.ics",
                "text/calendar",
                ics,
                "Download the calendar invitation (.ics)",
            )
            + ' <span class="wb-muted">with the preparation outline for your team member</span></p>'
        )


class PlannerTab:
    """The manager's private plan of conversations ahead."""

    def __init__(self, home: ManagerHome) -> None:
        self.home = home
        self.status = SaveStatus()
        self.status.widget.add_class("wb-planner-status")
        self.autosaver = Autosaver(self.status)
        self.include_notes = widgets.Checkbox(
            value=False,
            description="Put my questions and support ideas in the invitations too",
            indent=False,
            layout=full_width(),
            _dom_classes=css("wb-plan-include-notes"),
        )
        self.include_notes.observe(lambda _c: self._rerender(), "value")
        self.cards: list[PlanCard] = [PlanCard(self, item) for item in plan_entries(home.store, home.person)]
        self.list = widgets.VBox(_dom_classes=css("wb-plan-list"))
        self.add_button = widgets.Button(
            description="Plan a conversation",
            layout=wide_button(),
            icon="plus",
            button_style="primary",
            _dom_classes=css("wb-plan-add"),
        )
        self.add_button.on_click(lambda _b: self.add())
        self.markdown = widgets.HTML(_dom_classes=css("wb-plan-markdown"))
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    "<h3>Conversation planner</h3>"
                    '<p class="wb-private">Your plan is private: only you can see it. '
                    "Refer to team members by an alias. The calendar invitation goes to your team member, "
                    "so it carries the alias, the date and the preparation outline, and your own notes "
                    "only if you tick the box.</p>"
                ),
                self.include_notes,
                self.status.widget,
                self.list,
                self.add_button,
                self.markdown,
            ],
            _dom_classes=css("wb-tab-planner"),
        )
        self._show_cards()
        self.refresh_markdown()

    def _show_cards(self) -> None:
        if self.cards:
            self.list.children = [card.widget for card in self.cards]
        else:
            self.list.children = [widgets.HTML('<p class="wb-muted">No conversations planned yet.</p>')]

    def _rerender(self) -> None:
        for card in self.cards:
            card.render()

    def add(self) -> PlanCard:
        card = PlanCard(self, None)
        self.cards.append(card)
        self._show_cards()
        return card

    def delete(self, card: PlanCard) -> None:
        if card.entry_id is not None:
            try:
                delete_plan_entry(self.home.store, self.home.person, card.entry_id)
            except InputError as exc:
                self.status.error(str(exc))
                return
            self.status.saved(utcnow())
        card.parts.forget_problems()
        if card in self.cards:
            self.cards.remove(card)
        self._show_cards()
        self.refresh_markdown()

    def refresh_markdown(self) -> None:
        entries = plan_entries(self.home.store, self.home.person)
        text = plan_markdown(self.home.person.name, entries)
        self.markdown.value = (
            "<p>"
            + _download(
                "wb-download-md",
                "career-conversation-plan.md",
                "text/markdown",
                text,
                "Download the whole plan (Markdown)",
            )
            + f' <span class="wb-muted">({len(entries)} planned)</span></p>'
        )


# -- Conversations held -----------------------------------------------------------------------------------
class ConversationsTab:
    """Log a career conversation held, and see the ones logged so far."""

    def __init__(self, home: ManagerHome) -> None:
        self.home = home
        self.day = widgets.DatePicker(value=date.today(), _dom_classes=css("wb-log-date"))
        self.alias = widgets.Text(
            placeholder="initials or a nickname, not a full name",
            layout=full_width(),
            _dom_classes=css("wb-log-alias"),
        )
        self.idp = widgets.Checkbox(
            description="The team member has started a development plan (IDP)",
            indent=False,
            layout=full_width(),
            _dom_classes=css("wb-log-idp"),
        )
        self.follow = widgets.Checkbox(
            description="We planned a follow-up conversation",
            indent=False,
            layout=full_width(),
            _dom_classes=css("wb-log-follow"),
        )
        self.button = widgets.Button(
            description="Log this conversation",
            layout=wide_button(),
            icon="check",
            button_style="primary",
            _dom_classes=css("wb-log"),
        )
        self.button.on_click(lambda _b: self.log())
        self.status = SubmitStatus("A conversation is added to your log when you press the button.")
        self.status.widget.add_class("wb-log-status")
        self.notes = {
            "Date of the conversation": FieldNote(self.status, "log-date", self.day),
            "Team member (alias)": FieldNote(self.status, "log-alias", self.alias),
        }
        self.list = widgets.HTML(_dom_classes=css("wb-conversation-list"))
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    "<h3>Conversations held</h3><p>Log each career conversation you hold. Your facilitator "
                    "and the evaluators only ever see counts, never the aliases.</p>"
                ),
                label("Date of the conversation"),
                self.day,
                self.notes["Date of the conversation"].widget,
                label("Team member (alias)"),
                self.alias,
                self.notes["Team member (alias)"].widget,
                self.idp,
                self.follow,
                self.button,
                self.status.widget,
                widgets.HTML("<h4>Your log</h4>"),
                self.list,
            ],
            _dom_classes=css("wb-tab-conversations"),
        )
        self.refresh()

    def log(self) -> bool:
        """Add the conversation to the log; a bad field is named beside itself and nothing is cleared."""
        for note in self.notes.values():
            note.accept()
        try:
            if self.day.value is None:
                raise InputError("Date of the conversation: choose a date")
            held = log_conversation(
                self.home.store,
                self.home.person,
                self.day.value,
                self.alias.value,
                self.idp.value,
                self.follow.value,
            )
        except InputError as exc:
            if exc.field in self.notes:
                self.notes[exc.field].refuse(exc)
            else:
                self.status.error(str(exc))
            return False
        self.status.done(f"Logged: your conversation with {held.alias} on {_day(held.held_on)}.")
        self.alias.value = ""
        self.idp.value = self.follow.value = False
        self.refresh()
        return True

    def refresh(self) -> None:
        held = conversations(self.home.store, self.home.person)
        if not held:
            self.list.value = '<p class="wb-muted">No conversations logged yet.</p>'
            return

        def yes(flag: bool) -> str:
            return "yes" if flag else "no"

        rows = "".join(
            f"<tr><td>{esc(_day(c.held_on))}</td><td>{esc(c.alias)}</td><td>{yes(c.idp_started)}</td>"
            f"<td>{yes(c.follow_up_planned)}</td></tr>"
            for c in held
        )
        self.list.value = (
            '<table class="wb-table"><tr><th>Date</th><th>Team member</th><th>Development plan started</th>'
            f"<th>Follow-up planned</th></tr>{rows}</table>"
            f'<p class="wb-muted">{len(held)} conversation{"s" if len(held) != 1 else ""} logged.</p>'
        )


# -- the home ---------------------------------------------------------------------------------------------
class ManagerHome:
    """Everything of one signed-in manager; holds only that manager's own data."""

    def __init__(self, store: Store, person: Person, code: str = "") -> None:
        self.store = store
        self.person = person
        self.code = code  # the viewer's own code, for links to their lessons only
        self.waves: dict[str, bool] | None = open_waves(store, person.cohort) if person.cohort else None
        self.scores: pd.DataFrame = my_scores(store, person)
        self.lessons_tab = LessonsTab(self)
        self.comfort = ComfortCheck(self)
        self.summary = SummaryTab(self)
        self.reaction: ReactionTab | None = ReactionTab(self) if self._reaction_due() else None
        self.planner = PlannerTab(self)
        self.conversations = ConversationsTab(self)
        pages = [
            ("Lessons", self.lessons_tab.widget),
            ("Comfort check", self.comfort.widget),
            ("My before and after", self.summary.widget),
        ]
        if self.reaction is not None:
            pages.append(("Reaction", self.reaction.widget))
        pages += [("Planner", self.planner.widget), ("Conversations held", self.conversations.widget)]
        self.tabs = widgets.Tab(
            children=[page for _, page in pages],
            titles=[title for title, _ in pages],
            _dom_classes=css("wb-tabs"),
        )
        self.tabs.observe(self._on_tab, "selected_index")
        header = widgets.HTML(
            f'<h2 class="wb-title">{esc(TITLE)}</h2>'
            f'<p class="wb-whoami">Signed in as <strong>{esc(person.name)}</strong>'
            + (f" · cohort {esc(person.cohort)}" if person.cohort else "")
            + "</p>"
        )
        self.widget = widgets.VBox([manager_style(), header, self.tabs], _dom_classes=css("wb-manager-home"))

    def _reaction_due(self) -> bool:
        return bool(self.waves and self.waves["post"]) or bool((self.scores["wave"] == "post").any())

    def _on_tab(self, change: dict) -> None:
        if change["new"] == 0:
            self.lessons_tab.refresh()

    def after_scores(self) -> None:
        self.scores = my_scores(self.store, self.person)
        self.summary.refresh()


def manager_app(store: Store | None = None) -> widgets.Widget:
    """The manager's home, behind sign-in with an access code."""
    store = store or Store()
    return SignIn(
        store,
        lambda page: ManagerHome(page.store, page.person, page.code).widget,
        title=TITLE,
        notebook=HOME_NOTEBOOK,
    ).start()


__all__ = ["manager_app", "ManagerHome"]
