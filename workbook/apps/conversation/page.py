"""The 1:1 page: one career 1:1 of a team member with their manager, opened by either side with their own
access code. The team member opens their own; a manager one of their reports, chosen on the page or named
by the address (`?member=PID`, never a code).

The kernel holds only what the viewer may read (`workbook.team.snapshot.read_state`: the viewer's own
private notes, never the other side's), and every read and write asks again who may open the 1:1, so the
page of a manager who is no longer the team member's manager reads nothing more at its next refresh. The
page re-reads the other side's changes every few seconds (`apps.live.Ticker`)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import ipywidgets as widgets
from markupsafe import Markup

from workbook.apps.choices import SubmitButton
from workbook.apps.clock import local_time, visitor_zone
from workbook.apps.common import (
    Autosaver,
    SaveStatus,
    close_tree,
    css,
    label,
    named,
    query_param,
    wide_button,
)
from workbook.apps.conversation.history import HistoryView, earlier_html
from workbook.apps.conversation.history import long_day as _day
from workbook.apps.conversation.parts import ActionsView, AgendaView, NotesView
from workbook.apps.downloads import Prepared
from workbook.apps.live import Ticker
from workbook.apps.markup import html, joined, section_head, signed_in_as, status_line
from workbook.apps.registry import CONVERSATION_NOTEBOOK
from workbook.apps.signin import PageSession, SignIn
from workbook.content import ConversationGuide, conversation_guide
from workbook.identity import Person
from workbook.store import Store
from workbook.team.conversation import (
    MANAGER,
    MEMBER,
    PRIVATE,
    SHARED,
    NotAllowed,
    Thread,
    open_thread,
    record_held,
)
from workbook.team.plan import Plan, set_planned_date
from workbook.team.relation import manager_id_of, reports_of
from workbook.team.snapshot import ConversationState, read_state

if TYPE_CHECKING:
    from workbook.team.briefing import Briefing
from workbook.validation import InputError

NOTEBOOK = CONVERSATION_NOTEBOOK
REFRESH_S = 5.0  # the other side's changes show within 10 s: a refresh every 5 s and the time one takes
PAGE_STYLE = """<style>
.wb-conversation .wb-note-text, .wb-conversation li, .wb-conversation p { overflow-wrap: anywhere; }
.wb-conversation .wb-note-text { white-space: pre-wrap; }
.wb-conversation .wb-also { border-left: 4px solid #8a4b00; padding: 4px 10px; background: #fff8ef; }
.wb-conversation .wb-also-version { margin: 6px 0; }
.wb-conversation .wb-prompts { border-left: 4px solid #005a8c; padding: 2px 12px; background: #f3f8fb; }
.wb-conversation .wb-action-row, .wb-conversation .wb-agenda-row {
  border-top: 1px solid #ddd; padding: 4px 0; }
.wb-conversation .wb-past-talk, .wb-conversation .wb-note-version {
  border-left: 4px solid #767676; padding: 2px 10px; margin: 6px 0; }
</style>"""


def plan_html(plan: Plan | None) -> str:
    """The plan as the page says it: the date, and the time in the zone it was set in with the visitor's
    own clock beside it when that differs."""
    if plan is None:
        return "No date planned yet."
    start = plan.start
    if start is None:
        return f"Planned for {_day(plan.day)} (no time set)."
    said = f"Planned for {_day(plan.day)} at {plan.time} ({plan.time_zone} time)"
    if visitor_zone().key != plan.time_zone:
        said += f", {local_time(start, '%A %d %B at %H:%M')} your time"
    return said + "."


def briefing_content(brief: Briefing) -> tuple:
    """What a briefing holds of the 1:1 and the preparation (its notes, agenda, actions and goals): once any
    of it is no longer the reader's to see, a briefing prepared before is taken off the page."""
    return (
        brief.last_shared_notes,
        brief.last_private_notes,
        brief.agenda,
        tuple(a.text for a in brief.open_actions),
        brief.goals,
    )


def prompts_html(guide: ConversationGuide) -> str:
    """The manager's prompts, a group per practice (the team member's page never shows them)."""
    groups = joined(
        html(
            "<h3>{title}</h3><p>{intro}</p><ul>{items}</ul>",
            title=group.title,
            intro=group.intro,
            items=joined(html("<li>{p}</li>", p=p) for p in group.prompts),
        )
        for group in guide.prompts
    )
    return html('<div class="wb-prompts" role="note"><h2>Prompts for you</h2>{groups}</div>', groups=groups)


class ConversationPage:
    """One series of 1:1s as the viewer opened it, showing its current 1:1 (or, after a refresh, the
    next one once the other side records it as held)."""

    def __init__(self, store: Store, thread: Thread, guide: ConversationGuide) -> None:
        self.store, self.thread, self.guide = store, thread, guide
        self.status = SaveStatus()
        self.autosaver = Autosaver(self.status)
        self.conversation_id = 0
        self.state: ConversationState | None = None
        self.heading = widgets.HTML(_dom_classes=css("wb-1on1-heading"))
        self.planned = named(
            widgets.DatePicker(_dom_classes=css("wb-planned-date")), "Planned date of this 1:1"
        )
        self.planned.observe(lambda change: self.set_planned(change["new"], self.planned_time.value), "value")
        self.planned_time = named(
            widgets.Text(
                placeholder="e.g. 14:30, optional",
                continuous_update=False,
                _dom_classes=css("wb-planned-time"),
            ),
            "Planned time (optional)",
        )
        self.planned_time.observe(lambda change: self.set_planned(self.planned.value, change["new"]), "value")
        self.planned_note = widgets.HTML(_dom_classes=css("wb-field-note"))
        self.history = HistoryView(thread)
        self._quiet = False
        self.agenda = AgendaView(store, thread, self.status, self.refresh)
        self.actions = ActionsView(store, thread, self.status, self.refresh)
        self.notes: dict[str, NotesView] = {}
        self.notes_box = widgets.VBox(_dom_classes=css("wb-notes"))
        self.held_day = named(
            widgets.DatePicker(value=date.today(), _dom_classes=css("wb-held-date")), "Date held"
        )
        self.record = SubmitButton(  # its click carries the date the page shows
            "Record this conversation as held",
            [self.held_day],
            classes=css("wb-record-held"),
            layout=wide_button(),
        )
        self.record.on_submit(self._record_submitted)
        self.held_message = widgets.HTML(_dom_classes=css("wb-held-message"))
        self.brief = widgets.Button(
            description="Prepare my briefing",
            icon="file",
            layout=wide_button(),
            _dom_classes=css("wb-make-briefing"),
        )
        self.brief.on_click(lambda _b: self.make_briefing())
        self.downloads = widgets.HTML(_dom_classes=css("wb-downloads"))
        self.briefing_files = Prepared(self.downloads, self._briefing_now)
        self.notes_deleted = widgets.HTML(_dom_classes=css("wb-notes-deleted"))
        manager = thread.side == MANAGER
        self.gone_message = widgets.HTML(_dom_classes=css("wb-gone"))
        self.body = widgets.VBox(
            [
                self.heading,
                label("Planned date of this 1:1"),
                self.planned,
                label("Planned time (optional)"),
                self.planned_time,
                self.planned_note,
                self.status.widget,
                widgets.HTML(
                    section_head(
                        "Agenda", "The team member leads: their shared preparation and topics come first.", 2
                    )
                ),
                self.agenda.widget,
                *([widgets.HTML(prompts_html(guide), _dom_classes=css("wb-prompts-box"))] if manager else []),
                widgets.HTML(section_head("Notes", "Both notes save as you type.", 2)),
                self.notes_deleted,
                self.notes_box,
                widgets.HTML(
                    section_head("Actions", "Open actions carry into the next 1:1 until they are done.", 2)
                ),
                self.actions.widget,
                widgets.HTML(
                    section_head(
                        "Record this conversation",
                        "Once you have met, either of you records it: it goes once into the manager's "
                        "log of conversations held, and the next 1:1 opens here.",
                        2,
                    )
                ),
                label("Date held"),
                self.held_day,
                self.record,
                self.held_message,
                widgets.HTML(
                    section_head(
                        "Before the next talk",
                        "A one-page briefing for you (PDF) and a calendar entry for the next 1:1.",
                        2,
                    )
                ),
                self.brief,
                self.downloads,
                widgets.HTML(
                    section_head(
                        "Past 1:1s",
                        "Every earlier 1:1 you may open, with its shared notes, actions and outcome: "
                        "to read, nobody writes in them any more.",
                        2,
                    )
                ),
                self.history.widget,
            ],
            _dom_classes=css("wb-1on1-body"),
        )
        self.widget = widgets.VBox([self.gone_message, self.body], _dom_classes=css("wb-1on1"))
        self.ticker = Ticker(REFRESH_S, self.refresh, self.widget)
        self.refresh()

    # -- reading ------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the 1:1 again as the viewer may see it now: the other side's notes, topics and actions, the
        next 1:1 once this one is recorded; nothing at all once the viewer may no longer open it."""
        try:
            state = read_state(self.store, self.thread)
        except NotAllowed as exc:
            self.gone(str(exc))
            return
        if state.conversation_id != self.conversation_id:
            self._open(state.conversation_id)
        self.state = state
        who = state.member_name if self.thread.side == MANAGER else state.manager_name
        self.heading.value = html(
            '<h2 class="wb-1on1-title">1:1 number {number} with {who}</h2><p>{planned}</p>{earlier}',
            number=state.number,
            who=who,
            planned=plan_html(state.plan),
            earlier=earlier_html(state),
        )
        planned_time = state.plan.time if state.plan and state.plan.time else ""
        if self.planned.value != state.planned_on or self.planned_time.value != planned_time:
            self._quiet = True
            try:
                self.planned.value = state.planned_on
                self.planned_time.value = planned_time
            finally:
                self._quiet = False
        self.agenda.show(state)
        self.notes[SHARED].show(state.shared)
        if not self.notes[PRIVATE].typing:
            self.notes[PRIVATE].show(state.private)
        self.actions.show(state)
        self.notes_deleted.value = (
            status_line(
                f"Some notes of your 1:1s with {state.member_name} were deleted at the team member's "
                f"request on {_day(state.notes_deleted_at.date())}. What they said is not kept anywhere.",
                "wb-notice",
                "status",
            )
            if state.notes_deleted_at is not None
            else ""
        )
        self.history.show(state)
        self.briefing_files.follow()  # a briefing made before holds only what is still here to see

    def _briefing_now(self) -> object:
        from workbook.team.briefing import briefing

        return briefing_content(briefing(self.store, self.thread))

    def _open(self, conversation_id: int) -> None:
        """Show another 1:1 (the next one, once the current one was recorded): notes typed for the one
        before are saved to it first."""
        self.autosaver.flush()
        old = list(self.notes.values())
        self.conversation_id = conversation_id
        self.notes = {
            kind: NotesView(self.store, self.thread, conversation_id, kind, self.autosaver)
            for kind in (SHARED, PRIVATE)
        }
        self.notes_box.children = [view.widget for view in self.notes.values()]
        for view in old:
            close_tree(view.widget)

    def gone(self, why: str) -> None:
        """The viewer may no longer open this 1:1: stop, and drop everything the page showed of it."""
        self.ticker.stop()
        self.gone_message.value = status_line(why, "wb-error", "alert")
        if self.body.children:
            children = list(self.body.children)
            self.body.children = []
            for child in children:
                close_tree(child)

    # -- writing ------------------------------------------------------------------------------------------
    def set_planned(self, value: object, start_time: object = None) -> None:
        """Save the plan as the page shows it: the date and the time, in the visitor's own time zone."""
        if self._quiet:
            return
        try:
            set_planned_date(
                self.store, self.thread, self.conversation_id, value, start_time, visitor_zone().key
            )
        except InputError as exc:
            self.planned_note.value = status_line(str(exc), "wb-field-error", "alert")
            return
        self.planned_note.value = status_line("Saved.", "wb-field-info")
        self.refresh()

    def _record_submitted(self, problem: str | None) -> None:
        if problem is not None:
            self.held_message.value = status_line(problem, "wb-field-error", "alert")
            return
        self.record_held(self.held_day.value)

    def record_held(self, day: object) -> None:
        self.autosaver.flush()
        try:
            held = record_held(self.store, self.thread, self.conversation_id, day)
        except InputError as exc:
            self.held_message.value = status_line(str(exc), "wb-field-error", "alert")
            return
        if held.recorded_now:
            text = (
                f"Recorded as held on {_day(held.held_on)}, once, in the manager's log of conversations "
                "held. "
                "The next 1:1 is open: open actions carry into it."
            )
        else:
            text = f"This 1:1 was already recorded as held on {_day(held.held_on)}; nothing more was added."
        self.held_message.value = status_line(text, "wb-field-info")
        self.refresh()

    def make_briefing(self) -> None:
        from workbook.apps.downloads import download, links_html
        from workbook.team.briefing import (
            briefing,
            briefing_filename,
            briefing_pdf,
            calendar_filename,
            next_conversation_ics,
        )

        self.autosaver.flush()
        try:
            brief = briefing(self.store, self.thread)
        except NotAllowed as exc:
            self.gone(str(exc))
            return
        files = [
            download(
                "pdf",
                "application/pdf",
                briefing_filename(brief),
                briefing_pdf(brief),
                "Download my briefing (PDF)",
            )
        ]
        ics = next_conversation_ics(brief, self.thread)
        if ics is not None:
            files.append(
                download(
                    "ics",
                    "text/calendar",
                    calendar_filename(brief),
                    ics,
                    "Add the next 1:1 to my calendar (.ics)",
                )
            )
        no_date = (
            ""
            if ics is not None
            else html(
                ' <span class="wb-muted">No date is planned for the next 1:1 yet: set it above to add '
                "it to your calendar.</span>"
            )
        )
        self.briefing_files.offer(
            html(
                '<p class="wb-download-links">{links}{no_date}</p>', links=links_html(files), no_date=no_date
            ),
            briefing_content(brief),
        )


class ConversationApp:
    """The signed-in page: whose 1:1 (a manager chooses among their reports, and their own 1:1 if they
    have a manager too), and that 1:1."""

    def __init__(
        self, session: PageSession, member_pid: str | None = None, guide: ConversationGuide | None = None
    ) -> None:
        self.store, self.person = session.store, session.person
        self.guide = guide or conversation_guide()
        self.page: ConversationPage | None = None
        self.message = widgets.HTML(_dom_classes=css("wb-1on1-message"))
        self.intro = widgets.HTML(_dom_classes=css("wb-1on1-intro"))
        options = self._choices(self.person)
        self.chooser = named(
            widgets.Dropdown(options=options, value=None, _dom_classes=css("wb-1on1-choose")), "Whose 1:1"
        )
        self.chooser.layout.display = None if len(options) > 1 else "none"
        self._choosing = False
        self.chooser.observe(self._chosen, names="value")
        self.holder = widgets.VBox(_dom_classes=css("wb-1on1-holder"))
        header = widgets.HTML(
            Markup(PAGE_STYLE)
            + html('<h1 class="wb-title">{title}</h1>', title=self.guide.title)
            + signed_in_as(self.person.name)
        )
        chooser_label = label("Whose 1:1") if len(options) > 1 else widgets.HTML()
        self.widget = widgets.VBox(
            [header, self.intro, chooser_label, self.chooser, self.message, self.holder],
            _dom_classes=css("wb-conversation"),
        )
        wanted = member_pid or (options[0][1] if options else None)
        if wanted is None:
            self.message.value = status_line(
                "There is no 1:1 for you here yet: you have no manager in the workbook and nobody "
                "reports to you.",
                "wb-error",
                "alert",
            )
        else:
            self.open(wanted)

    def _choices(self, person: Person) -> list[tuple[str, str]]:
        with self.store.read() as session:
            reports = reports_of(session, person.id)
            own = person.holds("team_member") and manager_id_of(session, person.id) is not None
        return ([("My own 1:1 with my manager", person.pid)] if own else []) + [
            (f"{report.name} (your team member)", report.pid) for report in reports
        ]

    def _chosen(self, change: dict) -> None:
        if change["new"] is not None and not self._choosing:
            self.open(change["new"])

    def open(self, member_pid: object) -> None:
        """Open the 1:1s of ``member_pid`` if the viewer may (any value from the page is checked here)."""
        if self.page is not None:
            self.page.ticker.stop()
            self.page.autosaver.flush()
            close_tree(self.page.widget)
            self.page = None
            self.holder.children = []
        try:
            thread = open_thread(self.store, self.person, member_pid)
        except NotAllowed as exc:
            self.message.value = status_line(str(exc), "wb-error", "alert")
            return
        self.message.value = ""
        self.intro.value = html(
            "<p>{intro}</p>",
            intro=self.guide.member_intro if thread.side == MEMBER else self.guide.manager_intro,
        )
        if thread.member_pid in [pid for _, pid in self.chooser.options]:
            self._choosing = True
            try:
                self.chooser.value = thread.member_pid
            finally:
                self._choosing = False
        self.page = ConversationPage(self.store, thread, self.guide)
        self.holder.children = [self.page.widget]


def conversation_app(store: Store | None = None) -> widgets.Widget:
    """The 1:1 page behind sign-in with the viewer's own access code (`?member=PID` opens a report's)."""
    store = store or Store()
    guide = conversation_guide()
    return SignIn(
        store,
        lambda page: ConversationApp(page, query_param("member"), guide).widget,
        title=guide.title,
        notebook=NOTEBOOK,
    ).start()
