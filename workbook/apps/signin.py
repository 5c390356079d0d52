"""Sign-in: a page opens for a person whose access code is in its link or typed on it, or, under a
JupyterHub, for the hub's user; only if they hold one of the app's roles. Nothing about anyone is loaded
before that. Every value put into HTML here is escaped by :func:`workbook.apps.markup.html`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from workbook.apps.common import app_href, app_style, css, query_param
from workbook.apps.markup import html, joined
from workbook.identity import NOT_VALID, AccessDenied, Person, authenticate, code_is_live
from workbook.server import page
from workbook.store import Store
from workbook.validation import InputError

ENTER_CODE = "Enter the access code from your invitation."


def query_code() -> str | None:
    """The access code from the page's URL."""
    return query_param("code")


@dataclass(frozen=True)
class PageSession:
    """What a page gets at sign-in: the person, their roles, their own code (for links to their other
    apps only) and a store whose every write first checks that the code is still live."""

    person: Person
    store: Store
    code: str


class AccessWithdrawn(InputError):
    """The page's access code was revoked while the page was open; nothing more is saved."""


SIGNED_OUT_HUB = (
    "This page has been signed out because your hub account is no longer tied to a workbook, so nothing "
    "more is saved here. If you think this is a mistake, ask your facilitator."
)
SIGNED_OUT = (
    "This page has been signed out because its access code was withdrawn, so nothing more is saved "
    "here. If you think this is a mistake, ask your facilitator for a new link."
)


class SignIn:
    """Opens an app for a person whose access code is in the link or typed on the page, if they hold
    one of the app's roles.

    Nothing about anyone is loaded into the kernel until a code checks out and its person may use this
    app; someone else is told which app is theirs. Failed tries are limited per page and per address
    (`workbook.signin_guard`). If the code is revoked while the page is open, the page's next save is
    refused inside its write transaction and the page says why.
    """

    def __init__(
        self,
        store: Store,
        on_success: Callable[[PageSession], widgets.Widget],
        title: str,
        notebook: str,
    ) -> None:
        from workbook.apps.registry import app
        from workbook.signin_guard import SignInGuard

        self.store = store
        self.on_success = on_success
        self.app = app(notebook)
        self.guard = SignInGuard(store, self.app.notebook.removesuffix(".ipynb"))
        self.session: PageSession | None = None
        self.code = widgets.Password(
            description="Access code", placeholder="from your invitation", _dom_classes=css("wb-code")
        )
        self.button = widgets.Button(description="Open", button_style="primary", _dom_classes=css("wb-open"))
        self.message = widgets.HTML(_dom_classes=css("wb-signin-message"))
        self.button.on_click(lambda _b: self.try_code(self.code.value))
        self.form = widgets.VBox(
            [
                widgets.HTML(html("<h1>{title}</h1><p>{how}</p>", title=title, how=ENTER_CODE)),
                widgets.HBox([self.code, self.button]),
                self.message,
            ],
            _dom_classes=css("wb-signin"),
        )
        self.setup = app_style()  # kept across the page's states: one time-zone widget per page
        self.widget = widgets.VBox([self.setup, self.form], _dom_classes=css("wb-app"))

    def try_code(self, code: object) -> Person | None:
        from workbook.signin_guard import wait_message

        wait = self.guard.wait()
        if wait is not None:
            self._refuse(wait_message(wait))
            return None
        if not isinstance(code, str):
            self.guard.failed()
            self._refuse(NOT_VALID)
            return None
        try:
            person = authenticate(self.store, code)
        except AccessDenied as exc:
            if code.strip():
                self.guard.failed()
            self._refuse(str(exc))
            return None
        self.code.value = ""
        live_code = code.strip()

        def still_live(session: Any) -> None:
            if not code_is_live(session, live_code):
                self._signed_out()
                raise AccessWithdrawn(SIGNED_OUT)

        return self._open(person, still_live, live_code)

    def try_hub(self, hub_user: str) -> Person | None:
        """Open the app for the person the hub says is visiting (no code under a hub)."""
        from workbook.identity import authenticate_hub, hub_user_is_live

        try:
            person = authenticate_hub(self.store, hub_user)
        except AccessDenied as exc:
            self.form.children = [self.form.children[0], self.message]  # no code to type under a hub
            self._refuse(str(exc))
            return None

        def still_live(session: Any) -> None:
            if not hub_user_is_live(session, person.id, hub_user):
                self._signed_out(SIGNED_OUT_HUB)
                raise AccessWithdrawn(SIGNED_OUT_HUB)

        return self._open(person, still_live, "")

    def _open(self, person: Person, still_live: Callable[[Any], None], code: str) -> Person | None:
        if not set(self.app.roles) & {role.name for role in person.roles}:
            self._wrong_app(person, code)
            return None
        self.session = PageSession(person, self.store.guarded(still_live), code)
        page.current().signed_in()
        self.widget.children = [self.setup, self.on_success(self.session)]
        return person

    def _wrong_app(self, person: Person, code: str) -> None:
        """Tell a person whose roles this app does not serve which app is theirs; load nothing."""
        from workbook.apps.registry import apps_for

        theirs = apps_for(role.name for role in person.roles)
        links = joined(
            html('<li><a href="{href}">{title}</a></li>', href=app_href(a.notebook, code), title=a.title)
            for a in theirs
        )
        yours = "Your code" if code else "Your account"  # no code under a hub
        where = (
            html("<p>{yours} opens:</p><ul>{links}</ul>", yours=yours, links=links)
            if theirs
            else html("<p>{yours} does not open any app yet; ask your facilitator.</p>", yours=yours)
        )
        self.widget.children = [
            self.setup,
            widgets.HTML(
                html(
                    '<div class="wb-wrong-app" role="alert"><h1>{title}</h1>'
                    "<p>This page is for {audience}, so it does not open for you.</p>{where}</div>",
                    title=self.app.title,
                    audience=self.app.audience.lower(),
                    where=where,
                ),
                _dom_classes=css("wb-wrong-app-message"),
            ),
        ]

    def _signed_out(self, text: str = SIGNED_OUT) -> None:
        self.widget.children = [
            self.setup,
            widgets.HTML(
                html(
                    '<div class="wb-signed-out" role="alert"><h1>{title}</h1>'
                    '<p class="wb-error">{text}</p></div>',
                    title=self.app.title,
                    text=text,
                ),
                _dom_classes=css("wb-signed-out-message"),
            ),
        ]

    def _refuse(self, message: str) -> None:
        self.message.value = html('<p class="wb-error" role="alert">{message}</p>', message=message)

    def start(self) -> widgets.Widget:
        """Under a JupyterHub, open for the hub's user; else try the code from the URL, if any, or show
        the form."""
        from workbook.config import hub_user

        visitor = hub_user()
        if visitor is not None:
            self.try_hub(visitor)
            return self.widget
        code = query_code()
        if code is not None:
            self.try_code(code)
        return self.widget
