"""Sign-in: a page opens for a person whose access code is in its link or typed on it, for the visit's
signed session (a reload, a link from another app: ``workbook.server.sessions``), or, under a
JupyterHub, for the hub's user; only if they hold one of the app's roles. Nothing about anyone is loaded
before that. Once signed in, the page takes the code out of its address (``workbook.apps.address``).
Every value put into HTML here is escaped by :func:`workbook.apps.markup.html`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from workbook.apps.address import SignedInAddress
from workbook.apps.common import app_href, app_style, css, query_param
from workbook.apps.markup import html, joined
from workbook.identity import NOT_VALID, AccessDenied, Person, authenticate, code_is_live
from workbook.server import page
from workbook.server.sessions import Claims, visit_claims
from workbook.session_identity import live_code_id
from workbook.store import Store
from workbook.validation import InputError

ENTER_CODE = "Enter the access code from your invitation."


def query_code() -> str | None:
    """The access code from the page's URL."""
    return query_param("code")


@dataclass(frozen=True)
class PageSession:
    """What a page gets at sign-in: the person, their roles and a store whose every write first checks
    that the code (or hub user) is still live. It holds no code: links between apps carry none."""

    person: Person
    store: Store


class AccessWithdrawn(InputError):
    """The page's access code was revoked while the page was open; nothing more is saved."""


SESSION_ENDED = "Your sign-in on this browser has ended. " + ENTER_CODE
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
        with self.store.read() as session:
            code_id = live_code_id(session, live_code)

        def still_live(session: Any) -> None:
            if not code_is_live(session, live_code):
                self._signed_out()
                raise AccessWithdrawn(SIGNED_OUT)

        carried = Claims(person=person.id, code=code_id) if code_id is not None else None
        return self._open(person, still_live, carried)

    def try_session(self, claims: Claims) -> Person | None:
        """Open the app for the person of the visit's session (the server checked its cookie): only while
        the code it was opened with is live, and only if they hold one of the app's roles now."""
        from workbook.session_identity import authenticate_session, code_id_is_live

        if claims.person is None or claims.code is None:
            return None
        person_id, code_id = claims.person, claims.code
        try:
            person = authenticate_session(self.store, person_id, code_id)
        except AccessDenied:
            self._refuse(SESSION_ENDED)
            return None

        def still_live(session: Any) -> None:
            if not code_id_is_live(session, person_id, code_id):
                self._signed_out()
                raise AccessWithdrawn(SIGNED_OUT)

        return self._open(person, still_live, None)

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

        return self._open(person, still_live, None, hub=True)

    def _open(
        self, person: Person, still_live: Callable[[Any], None], carried: Claims | None, *, hub: bool = False
    ) -> Person | None:
        """`carried`: a new sign-in the visit's cookie is to carry (None: a session or a hub, or nothing
        to carry). Either way the code goes from the address."""
        page.current().signed_in(carried.payload() if carried else None)
        self.setup.children = (*self.setup.children, SignedInAddress(carry=carried is not None))
        if not set(self.app.roles) & {role.name for role in person.roles}:
            self._wrong_app(person, hub)
            return None
        self.session = PageSession(person, self.store.guarded(still_live))
        self.widget.children = [self.setup, self.on_success(self.session)]
        return person

    def _wrong_app(self, person: Person, hub: bool) -> None:
        """Tell a person whose roles this app does not serve which app is theirs; load nothing."""
        from workbook.apps.registry import apps_for

        theirs = apps_for(role.name for role in person.roles)
        links = joined(
            html('<li><a href="{href}">{title}</a></li>', href=app_href(a.notebook), title=a.title)
            for a in theirs
        )
        yours = "Your account" if hub else "Your code"  # no code under a hub
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
        """Under a JupyterHub, open for the hub's user; else try the code from the URL, if any, else the
        visit's session, or show the form."""
        from workbook.config import hub_user

        visitor = hub_user()
        if visitor is not None:
            self.try_hub(visitor)
            return self.widget
        code = query_code()
        if code is not None:
            self.try_code(code)
        elif (claims := visit_claims()) is not None and claims.person is not None:
            self.try_session(claims)
        return self.widget
