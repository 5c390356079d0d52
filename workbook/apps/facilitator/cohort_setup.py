"""Set up the cohort: its dates and sessions, its people (import a roster CSV with every row checked,
add, edit or remove one person) and each person's access code (issue, revoke, reissue).

Every act names the cohort on the page, and the domain calls check that the person is in it."""

from __future__ import annotations

import ipywidgets as widgets
from markupsafe import escape

from workbook.apps.aria import labelled_group
from workbook.apps.common import css, full_width
from workbook.apps.facilitator.shared import Confirm, Home
from workbook.apps.facilitator.templates import message, render
from workbook.facilitator import people
from workbook.facilitator.cohorts import cohort_info, edit_cohort, session_lines
from workbook.facilitator.roster import MAX_ROSTER_BYTES, RosterError, import_roster
from workbook.store import StoreError
from workbook.text import counted
from workbook.validation import EARLIEST_DATE, LATEST_DATE, InputError, clean_date

NEW = ""  # the person picker's value for "add a new person"


class CohortSetupTab:
    def __init__(self, home: Home) -> None:
        self.home = home
        self.details = widgets.HTML(_dom_classes=css("wb-cohort-info"))
        self.roster = widgets.HTML(_dom_classes=css("wb-roster-table"))
        self.starts = widgets.Text(
            description="Start date", placeholder="e.g. 2027-01-11", _dom_classes=css("wb-cohort-starts")
        )
        self.ends = widgets.Text(
            description="End date", placeholder="e.g. 2027-03-31", _dom_classes=css("wb-cohort-ends")
        )
        self.sessions = widgets.Textarea(
            description="Workshop sessions",
            placeholder="One per line: date, colon, title",
            rows=4,
            layout=full_width(),
            style={"description_width": "initial"},
            _dom_classes=css("wb-cohort-sessions"),
        )
        self.save_dates = widgets.Button(
            description="Save dates and sessions", _dom_classes=css("wb-cohort-save")
        )
        self.save_dates.on_click(lambda _b: self._save_dates())
        self.dates_message = widgets.HTML(_dom_classes=css("wb-cohort-message"))
        dates_form = widgets.VBox(
            [
                widgets.HTML(
                    "<h3>Dates and workshop sessions</h3><p class='wb-muted'>Dates as 2027-01-11, "
                    "11/01/2027 or 11 January 2027; one session a line, e.g. "
                    "<code>2027-01-12: Kick-off workshop</code>. Leave a date empty if it is not set.</p>"
                ),
                widgets.HBox([self.starts, self.ends]),
                self.sessions,
                self.save_dates,
                self.dates_message,
            ],
            _dom_classes=css("wb-cohort-form"),
        )
        self.upload = widgets.FileUpload(
            accept=".csv,text/csv",
            multiple=False,
            description="Import roster CSV",
            _dom_classes=css("wb-roster-upload"),
        )
        self.upload.observe(self._on_upload, "value")
        self.import_message = widgets.HTML(_dom_classes=css("wb-import-message"))
        self.pick = widgets.Dropdown(
            description="Person", _dom_classes=css("wb-person-pick"), layout=full_width()
        )
        self.pick.observe(lambda _c: self._fill(), "value")
        self.name = widgets.Text(description="Name", _dom_classes=css("wb-person-name"), layout=full_width())
        self.email = widgets.Text(
            description="Email", _dom_classes=css("wb-person-email"), layout=full_width()
        )
        self.role_boxes = {
            role: widgets.Checkbox(
                description=label, indent=False, _dom_classes=css(f"wb-person-role-{role}")
            )
            for role, label in people.ROLE_LABELS.items()
        }
        self.manager = widgets.Dropdown(description="Manager", _dom_classes=css("wb-person-manager"))
        self.save = widgets.Button(
            description="Add person", button_style="primary", _dom_classes=css("wb-person-save")
        )
        self.remove = widgets.Button(description="Remove from cohort", _dom_classes=css("wb-person-remove"))
        self.issue = widgets.Button(description="Issue code", _dom_classes=css("wb-person-issue"))
        self.revoke = widgets.Button(description="Revoke code", _dom_classes=css("wb-person-revoke"))
        self.save.on_click(lambda _b: self._save())
        self.remove.on_click(lambda _b: self._ask_remove())
        self.issue.on_click(lambda _b: self._ask_issue())
        self.revoke.on_click(lambda _b: self._ask_revoke())
        self.confirm = Confirm("person")
        self.person_message = widgets.HTML(_dom_classes=css("wb-person-message"))
        self._link_shown = False
        self.code_note = widgets.HTML(_dom_classes=css("wb-person-code-note"))
        self.code_buttons = widgets.VBox([widgets.HBox([self.issue, self.revoke]), self.code_note])
        form = widgets.VBox(
            [
                widgets.HTML("<h3>Add or change one person</h3>"),
                self.pick,
                self.name,
                self.email,
                *labelled_group("Roles", list(self.role_boxes.values()), "wb-person-roles", row=True),
                self.manager,
                widgets.HBox([self.save, self.remove]),
                self.code_buttons,
                self.confirm.widget,
                self.person_message,
            ],
            _dom_classes=css("wb-person-form"),
        )
        self.widget = widgets.VBox(
            [
                self.details,
                dates_form,
                self.roster,
                widgets.HTML(
                    "<h3>Import a roster</h3><p class='wb-muted'>A CSV file (UTF-8) with the columns "
                    "name, email, role and, for team members, manager_email. A role is manager, "
                    "team_member or facilitator (several separated by ;). An optional hub_user column "
                    "holds a person's user name on your JupyterHub, for signing in there (leave it empty "
                    "for anyone who opens their link instead). Every row is checked first: if any row "
                    "is wrong nothing is imported. Nobody gets a link until you hand links out.</p>"
                ),
                self.upload,
                self.import_message,
                form,
            ],
            _dom_classes=css("wb-tab-setup"),
        )
        self.refresh()

    # -- showing ---------------------------------------------------------------------------------------
    def refresh(self, keep: str | None = None) -> None:
        cohort = self.home.cohort
        info = cohort_info(self.home.store, cohort)
        self.details.value = render("cohort.html", info=info)
        self.starts.value = info.starts_on.isoformat() if info.starts_on else ""
        self.ends.value = info.ends_on.isoformat() if info.ends_on else ""
        self.sessions.value = "\n".join(f"{day.isoformat()}: {title}" for day, title in info.sessions)
        self.members = people.members(self.home.store, cohort)
        self.roster.value = render(
            "roster.html", cohort=cohort, people=self.members, live=sum(m.live_code for m in self.members)
        )
        options = [("Add a new person", NEW)] + [
            (f"{m.name} ({m.email or 'no email'})", m.pid) for m in self.members
        ]
        self.manager.options = [("(none)", "")] + [
            (m.name, m.pid) for m in self.members if "manager" in m.roles
        ]
        current = keep if keep in {pid for _, pid in options} else NEW
        self.pick.options = options
        self.pick.value = current
        self._fill()

    def forget_link(self) -> None:
        """A link shown by "Issue code" goes from the page once the facilitator leaves the tab."""
        if self._link_shown:
            self.person_message.value = ""
            self._link_shown = False

    def _chosen(self) -> people.Member | None:
        return next((m for m in self.members if m.pid == self.pick.value), None)

    def _fill(self) -> None:
        self.confirm.cancel()
        chosen = self._chosen()
        self.name.value = chosen.name if chosen else ""
        self.email.value = (chosen.email or "") if chosen else ""
        for role, box in self.role_boxes.items():
            box.value = bool(chosen and role in chosen.roles)
        self.manager.value = (
            (chosen.manager_pid or "")
            if chosen and chosen.manager_pid in {v for _, v in self.manager.options}
            else ""
        )
        self.save.description = "Save changes" if chosen else "Add person"
        self.remove.layout.display = None if chosen else "none"
        self.code_buttons.layout.display = None if chosen else "none"
        if chosen:
            self.issue.description = "Reissue code" if chosen.live_code else "Issue code"
            self.issue.disabled = chosen.signed_in and chosen.id != self.home.person.id
            self.revoke.disabled = not chosen.live_code
            self.code_note.value = (
                f"<p class='wb-muted'>{escape(chosen.name)} has signed in, so what they keep for "
                "themselves stays theirs: a new link goes to them alone, never through this page. The "
                "programme's operator can send one.</p>"
                if self.issue.disabled
                else ""
            )

    # -- acts --------------------------------------------------------------------------------------------
    def _save_dates(self) -> None:
        """The cohort's dates and sessions, each value checked; nothing is saved if any one is wrong."""
        try:
            starts, ends = (
                clean_date(label, box.value.strip(), earliest=EARLIEST_DATE, latest=LATEST_DATE)
                if isinstance(box.value, str) and box.value.strip()
                else None
                for label, box in (("Start date", self.starts), ("End date", self.ends))
            )
            sessions = session_lines(self.sessions.value if isinstance(self.sessions.value, str) else "")
            info = edit_cohort(
                self.home.store, self.home.cohort, starts_on=starts, ends_on=ends, sessions=sessions
            )
        except (InputError, StoreError) as exc:
            self.dates_message.value = message("error", f"Not saved: {exc}. Nothing was changed.")
            return
        self.refresh(keep=self.pick.value)
        self.dates_message.value = message(
            "done",
            f"Saved: {info.name} runs {info.dates}, with {counted(len(info.sessions), 'workshop session')}.",
        )

    def _say(self, kind: str, text: str, **extra: object) -> None:
        self.person_message.value = message(kind, text, **extra)
        self._link_shown = "link" in extra

    @property
    def _acting(self) -> people.Acting:
        return people.as_facilitator(self.home.person.id)

    def _save(self) -> None:
        roles = [role for role, box in self.role_boxes.items() if box.value]
        args = (self.name.value, self.email.value, roles, self.manager.value or None)
        try:
            if self.pick.value == NEW:
                done = people.add_person(self.home.store, self.home.cohort, *args, by=self._acting)
                said = f"Added {done.name} to {self.home.cohort}. They have no link yet."
            else:
                done = people.edit_person(
                    self.home.store, self.home.cohort, self.pick.value, *args, by=self._acting
                )
                said = f"Saved the changes to {done.name}."
        except (InputError, StoreError) as exc:
            self._say("error", f"Not saved: {exc}")
            return
        self.refresh(keep=done.pid)
        self._say("done", said)

    def _ask_remove(self) -> None:
        chosen = self._chosen()
        if chosen:
            self.confirm.ask(
                f"Remove {chosen.name} from {self.home.cohort}? Their roles in this cohort are "
                "withdrawn and, if "
                "they hold no other role, their link stops working and their open pages are signed out. "
                "Their answers are kept.",
                "Yes, remove",
                lambda: self._remove(chosen.pid),
            )

    def _remove(self, pid: str) -> None:
        try:
            said = people.remove_person(self.home.store, self.home.cohort, pid, by=self._acting)
        except (InputError, StoreError) as exc:
            self._say("error", f"Not removed: {exc}")
            return
        self.refresh()
        self._say("done", said)

    def _ask_issue(self) -> None:
        chosen = self._chosen()
        if not chosen:
            return
        if chosen.live_code:
            self.confirm.ask(
                f"Reissue {chosen.name}'s link? Their current link stops working and any page they have open "
                "is signed out.",
                "Yes, reissue",
                lambda: self._issue(chosen.pid),
            )
        else:
            self._issue(chosen.pid)

    def _issue(self, pid: str) -> None:
        if pid == self.home.person.pid:
            self._say("error", "Your own link is not changed here: that would sign this page out.")
            return
        try:
            issued = people.issue_code(self.home.store, self.home.cohort, pid, by=self._acting)
        except (InputError, StoreError) as exc:
            self._say("error", f"No code issued: {exc}")
            return
        self.refresh(keep=pid)
        self._say("done", f"New link for {issued.person.name}: give it to them.", link=issued.url)

    def _ask_revoke(self) -> None:
        chosen = self._chosen()
        if chosen and chosen.live_code:
            later = (
                "Since they have signed in before, a new link then comes from the programme's operator, "
                "not from this page."
                if chosen.signed_in
                else "You can issue a new one later."
            )
            self.confirm.ask(
                f"Revoke {chosen.name}'s link? It stops working at once and any page they have "
                f"open is signed out. {later}",
                "Yes, revoke",
                lambda: self._revoke(chosen.pid),
            )

    def _revoke(self, pid: str) -> None:
        if pid == self.home.person.pid:
            self._say("error", "You cannot revoke your own link from this page.")
            return
        try:
            people.revoke_code(self.home.store, self.home.cohort, pid, by=self._acting)
        except (InputError, StoreError) as exc:
            self._say("error", f"Not revoked: {exc}")
            return
        self.refresh(keep=pid)
        self._say("done", "The link was revoked: it no longer opens anything.")

    def _on_upload(self, change: dict) -> None:
        files = change["new"]
        if not files:
            return
        upload = files[0]
        name = str(upload.get("name", "upload.csv"))
        data = bytes(upload.get("content", b""))
        self.upload.value = ()
        if len(data) > MAX_ROSTER_BYTES:
            self.import_message.value = message("error", f"{name} is too large to be a roster.")
            return
        try:
            summary = import_roster(self.home.store, data, self.home.cohort, by=self._acting, name=name)
        except RosterError as exc:
            self.import_message.value = message(
                "error",
                f"{name}: {counted(len(exc.problems), 'problem')}, so nothing was imported.",
                problems=exc.problems[:40],
            )
            return
        except (InputError, StoreError) as exc:
            self.import_message.value = message("error", f"{name}: nothing was imported: {exc}")
            return
        self.refresh()  # the table shows the new people before the page says they are there
        self.import_message.value = message("done", summary.describe())
