"""The comfort and skill check (its waves, submitted as one) and the manager's own before and after."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import pandas as pd

from workbook.apps.choices import ChoiceGroup, SubmitButton
from workbook.apps.common import (
    css,
    scrolling_table,
    when,
)
from workbook.apps.manager.shared import (
    NOT_ANSWERED,
    Home,
    SubmitStatus,
)
from workbook.apps.markup import html, joined, section_head
from workbook.manager.content import Instrument, instrument
from workbook.manager.scores import submit_comfort_check, unanswered
from workbook.manager.summary import BeforeAfter, before_after, before_after_figure
from workbook.manager.waves import ORDER, SUBMITS, SWITCHED_WAVES, WAVE_NAMES, waves_of
from workbook.validation import InputError


# -- Comfort check -------------------------------------------------------------------------------------
class WaveForm:
    """The ten questions of one wave, each with a 5-point choice labelled by its anchors."""

    def __init__(self, inst: Instrument, wave: str, saved: Mapping[str, float]) -> None:
        self.wave = wave
        self.choices: dict[str, ChoiceGroup] = {}
        self.marks: dict[str, widgets.HTML] = {}
        rows: list[widgets.Widget] = []
        values = dict(inst.scale.options())
        for number, item in enumerate(inst.items, start=1):
            previous = saved.get(item.id)
            choice = ChoiceGroup(
                f"{number}. {inst.wording(item.id, wave)}",
                inst.scale.options(),
                value=int(previous) if previous is not None and int(previous) in values.values() else None,
                _dom_classes=css("wb-item", f"wb-item-{wave}-{item.id}"),
            )
            self.choices[item.id] = choice
            mark = self.marks[item.id] = widgets.HTML(_dom_classes=css("wb-field-note"))
            choice.observe(lambda _c, m=mark: setattr(m, "value", ""), "value")
            rows += [choice, mark]
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

    def __init__(self, home: Home) -> None:
        self.home = home
        self.inst = instrument()
        self.forms: dict[str, WaveForm] = {}
        self.statuses: dict[str, SubmitStatus] = {}
        self.buttons: dict[str, SubmitButton] = {}
        self.widget = widgets.VBox(_dom_classes=css("wb-tab-check"))
        self.build()

    def build(self) -> None:
        home = self.home
        self.forms.clear()
        self.statuses.clear()
        self.buttons.clear()
        head = widgets.HTML(section_head(self.inst.title, self.inst.intro))
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
        state = waves_of(home.store, home.person.cohort or "")
        children: list[widgets.Widget] = [head]
        for wave_of_order in ORDER:
            submit, waves, title = wave_of_order.name, wave_of_order.asks, wave_of_order.title
            answered = scores[scores["wave"] == submit]
            last = answered["answered_at"].max() if len(answered) else None
            last_text = f"You last submitted it on {when(last.to_pydatetime())}." if last is not None else ""
            passed_by = state.passed_by(submit)
            if not state.open[submit]:
                if passed_by is not None:
                    text = (
                        f"This check is closed: it closed when {WAVE_NAMES[passed_by]} opened, so it takes "
                        "no new answers (an answer about the start given now would describe you after "
                        f"the programme). {last_text}"
                    )
                elif last is not None:
                    text = f"This check is closed. {last_text}"
                elif state.opened_ever[submit]:
                    text = "This check is closed. Your facilitator opens it when it is time to answer."
                elif submit == SWITCHED_WAVES[0]:
                    text = f"This check is closed. It is open {title[0].lower()}{title[1:]}."
                else:
                    text = (
                        "This check is not open yet. Your facilitator opens it "
                        f"{title[0].lower()}{title[1:]}."
                    )
                children.append(
                    widgets.HTML(
                        html(
                            '<h4>{title}</h4><p class="wb-wave-closed wb-wave-closed-{submit}">{text}</p>',
                            title=title,
                            submit=submit,
                            text=text.strip(),
                        )
                    )
                )
                continue
            late = ""
            if passed_by is not None:
                late = (
                    f" Your facilitator reopened it after {WAVE_NAMES[passed_by]} opened: answers given now "
                    "are kept but marked late, and the group's before-and-after figures leave them out "
                    "unless the evaluator includes late answers."
                )
            parts: list[widgets.Widget] = [
                widgets.HTML(
                    html(
                        '<h4>{title}</h4><p class="wb-wave-open">This check is open. {last} '
                        "Answer every question, then submit; you can submit again while the check is open "
                        "(your earlier answers are kept).</p>{late}",
                        title=title,
                        last=last_text,
                        late=html('<p class="wb-wave-late">{text}</p>', text=late.strip()) if late else "",
                    )
                )
            ]
            for wave in waves:
                saved = dict(
                    zip(*(scores.loc[scores["wave"] == wave, c] for c in ("item", "score")), strict=True)
                )
                form = WaveForm(self.inst, wave, saved)
                self.forms[wave] = form
                if wave == "then":
                    parts.append(widgets.HTML(section_head("Looking back", self.inst.then_intro, level=4)))
                parts.append(form.widget)
            button = SubmitButton(
                "Submit my answers",
                [choice for wave in waves for choice in self.forms[wave].choices.values()],
                classes=css("wb-submit-wave", f"wb-submit-{submit}"),
            )
            button.on_submit(lambda problem, s=submit: self.submit(s, problem=problem))
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

    def submit(
        self, submit: str, answers: Mapping[str, Any] | None = None, problem: str | None = None
    ) -> bool:
        """Submit the answers on the page (or `answers` as {wave: {item: score}}, as a crafted client
        might send) with `submit_comfort_check`, which stores all of it or nothing; unanswered
        questions are marked beside themselves. `problem`: the answers sent with the click were refused."""
        status = self._status_for(submit)
        if problem is not None:
            status.error(problem)
            return False
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

    def __init__(self, home: Home) -> None:
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
        privacy = html(
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
            self.sentences.value = html('<p class="wb-summary-pending">{text}</p>', text=text) + privacy
            self.chart.value = ""
            return
        self.summary = before_after(scores)
        self.sentences.value = (
            joined(html('<p class="wb-summary-sentence">{text}</p>', text=s) for s in self.summary.sentences)
            + privacy
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
        rows = joined(
            html(
                "<tr><td>{label}</td><td>{pre}</td><td>{then}</td><td>{post}</td></tr>",
                label=row["label"],
                pre=num(row["pre"]),
                then=num(row["then"]),
                post=num(row["post"]),
            )
            for _, row in table.iterrows()
        )
        table_html = html(
            '<table class="wb-table"><tr><th>Question</th><th>At the start</th><th>Looking back</th>'
            "<th>At the end</th></tr>{rows}</table>",
            rows=rows,
        )
        return html(
            '<img class="wb-chart" style="max-width:100%" alt="{alt}" src="data:image/png;base64,{png}">'
            "<details><summary>The numbers behind the chart</summary>{table}</details>",
            alt=alt,
            png=png,
            table=scrolling_table(table_html, "The numbers behind the chart"),
        )
