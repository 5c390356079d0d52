"""The evaluator's gate: the page opens for a person with the evaluator role (their access code) or for
anyone with the shared evaluator key (``WORKBOOK_EVALUATOR_KEY``, as ``?key=`` in the URL or on the page).

Under a JupyterHub (``config.hub_user()``) there are no shared keys and no codes: the page opens only for
the hub user tied to a person who holds the evaluator role, and closes at its next refresh once the role
is withdrawn or the name untied.

Once open, the key or code leaves the page's address and the visit's signed session carries the sign-in
over a reload (``workbook.server.sessions``): for the key, by its fingerprint, so that a new key ends it;
for a code, by its row, so that a revoked code ends it.

Nothing is read from the programme's data before the key or code checks out, and nothing heavy is
imported here: the dashboard (pandas, scipy, matplotlib, the statistics) is imported when the gate opens.
"""

from __future__ import annotations

import asyncio
import hmac
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from workbook import config
from workbook.apps.common import app_style, close_tree, css, query_param
from workbook.apps.evaluator.templates import APP_TITLE, render
from workbook.server import page

if TYPE_CHECKING:
    from workbook.apps.evaluator.dashboard import EvaluatorDashboard
    from workbook.apps.evaluator.runner import Runner

KEY_ENV = "WORKBOOK_EVALUATOR_KEY"
# Under a hub, what anyone who is not an evaluator is told (nothing more: not whether they are known).
EVALUATORS_ONLY = "This page is for the programme's evaluators, so it does not open for your hub account."
HUB_CLOSED = (
    "This page has been closed because your hub account no longer opens the evaluator's figures. If you "
    "think this is a mistake, ask whoever runs the workbook."
)
EVALUATOR_STYLE = (Path(__file__).with_name("templates") / "style.html").read_text(encoding="utf-8")


def configured_key() -> str | None:
    """The evaluator key from the environment, or None when it is unset or empty."""
    return config.evaluator_key()


def key_matches(given: object, expected: str) -> bool:
    """Constant-time comparison of a key from the page with the configured one."""
    if not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(given.strip().encode("utf-8"), expected.encode("utf-8"))


def key_fingerprint(key: str) -> str:
    """What a visit's session keeps of the evaluator key: a hash that names it, never the key."""
    import hashlib

    return hashlib.sha256(b"workbook evaluator key\0" + key.encode("utf-8")).hexdigest()[:32]


def query_key() -> str | None:
    """The ``key`` parameter of the page's URL (Voila passes the query string to the kernel)."""
    return query_param("key")


class EvaluatorGate:
    """Opens the dashboard for an evaluator: a person with the evaluator role (their access code) or
    anyone with the shared evaluator key. Nothing is read from the programme's data before that.

    Failed tries count per page and per address, like every sign-in (`workbook.signin_guard`)."""

    def __init__(self, store: Any = None, *, runner: Runner | None = None) -> None:
        from workbook.signin_guard import SignInGuard

        self.store = store
        self.runner = runner
        self.dashboard: EvaluatorDashboard | None = None
        self.message = widgets.HTML(_dom_classes=css("wb-key-message"))
        self._guard: SignInGuard | None = None
        style = widgets.HTML(EVALUATOR_STYLE)
        self.key = widgets.Password(
            description="Access code or evaluator key",
            placeholder="your access code, or the evaluator key",
            style={"description_width": "initial"},
            _dom_classes=css("wb-key"),
        )
        self.button = widgets.Button(
            description="Open", button_style="primary", _dom_classes=css("wb-key-open")
        )
        self.button.on_click(lambda _b: self.try_key(self.key.value))
        self.key_row = widgets.HBox([self.key, self.button])
        self.form = widgets.VBox(
            [
                widgets.HTML(
                    render("gate.html", title=APP_TITLE, problem=self.key_problem(), hub=False),
                    _dom_classes=css("wb-eval-gate-intro"),
                ),
                self.key_row,
                self.message,
            ],
            _dom_classes=css("wb-eval-gate"),
        )
        self.widget = widgets.VBox(
            [app_style(), style, self.form], _dom_classes=css("wb-app", "wb-evaluator-app")
        )

    @staticmethod
    def key_problem() -> str | None:
        """Why the shared key cannot be used (unset, or too weak), or None when it can."""
        expected = configured_key()
        if expected is None:
            return (
                f"none is set. To set one, start the server with {KEY_ENV} holding a random key made with: "
                f"{config.MAKE_KEY_COMMAND}"
            )
        try:
            config.check_evaluator_key(expected)
        except config.ConfigError as exc:
            return str(exc)
        return None

    def _store(self) -> Any:
        if self.store is None:
            from workbook.store import Store

            self.store = Store()
        return self.store

    def guard(self) -> Any:
        if self._guard is None:
            from workbook.signin_guard import SignInGuard

            self._guard = SignInGuard(self._store(), "evaluator")
        return self._guard

    def try_key(self, given: object) -> bool:
        """Open the dashboard for the evaluator key or an evaluator's access code."""
        from workbook.identity import NOT_VALID, AccessDenied, authenticate
        from workbook.signin_guard import wait_message

        if config.hub_user() is not None:  # under a hub no key or code opens anything
            self._refuse(EVALUATORS_ONLY)
            return False
        guard = self.guard()
        wait = guard.wait()
        if wait is not None:
            self._refuse(wait_message(wait))
            return False
        from workbook.server.sessions import Claims
        from workbook.session_identity import live_code_id

        expected = configured_key()
        if expected is not None and self.key_problem() is None and key_matches(given, expected):
            return self._open(carried=Claims(key=key_fingerprint(expected)))
        try:
            person = authenticate(self._store(), given if isinstance(given, str) else "")
        except AccessDenied:
            guard.failed()
            self._refuse(NOT_VALID.replace("access code", "access code or evaluator key", 1))
            return False
        if not person.holds("evaluator"):
            self._refuse(
                "This page is for the programme's evaluators, so it does not open with your code. "
                "Open the link from your invitation to reach your own pages."
            )
            return False
        with self._store().read() as session:
            code_id = live_code_id(session, given.strip() if isinstance(given, str) else "")
        if code_id is None:
            return self._open()
        check = self._code_evaluator_check(person.id, code_id)
        return self._open(still_allowed=check, carried=Claims(person=person.id, code=code_id))

    def try_session(self, claims: Any) -> bool:
        """Open for the visit's session (the server checked its cookie): the evaluator key it names, if it
        is still the configured key, or a code that is still live of a person who is still an evaluator."""
        expected = configured_key()
        if claims.key is not None:
            if expected is None or self.key_problem() is not None:
                return False
            if not hmac.compare_digest(claims.key, key_fingerprint(expected)):
                return False
            return self._open()
        if claims.person is None or claims.code is None:
            return False
        check = self._code_evaluator_check(claims.person, claims.code)
        if not check():
            return False
        return self._open(still_allowed=check)

    def _code_evaluator_check(self, person_id: int, code_id: int) -> Callable[[], bool]:
        """Whether the code is still live and its person still holds the evaluator role."""
        from workbook.identity import holds_role_now
        from workbook.session_identity import code_id_is_live

        def still_allowed() -> bool:
            with self._store().read() as session:
                return code_id_is_live(session, person_id, code_id) and holds_role_now(
                    session, person_id, "evaluator"
                )

        return still_allowed

    def try_hub(self, hub_user: str) -> bool:
        """Open the dashboard for the hub user if they are tied to a person who holds the evaluator role
        now; anyone else is told only that the page is for evaluators. No key form is shown."""
        from workbook.identity import AccessDenied, authenticate_hub

        self.form.children = [
            widgets.HTML(
                render("gate.html", title=APP_TITLE, problem=None, hub=True),
                _dom_classes=css("wb-eval-gate-intro"),
            ),
            self.message,
        ]
        close_tree(self.key_row)  # no key form, and a crafted message to its widgets reaches nothing
        try:
            person = authenticate_hub(self._store(), hub_user)
        except AccessDenied:
            self._refuse(EVALUATORS_ONLY)
            return False
        if not person.holds("evaluator"):
            self._refuse(EVALUATORS_ONLY)
            return False
        return self._open(still_allowed=self._hub_evaluator_check(person.id, hub_user))

    def _hub_evaluator_check(self, person_id: int, hub_user: str) -> Callable[[], bool]:
        """Whether the hub user still belongs to this person and they still hold the evaluator role."""
        from workbook.identity import holds_role_now, hub_user_is_live

        def still_allowed() -> bool:
            with self._store().read() as session:
                return hub_user_is_live(session, person_id, hub_user) and holds_role_now(
                    session, person_id, "evaluator"
                )

        return still_allowed

    def _closed(self) -> None:
        """The page's access was withdrawn while it was open: the figures go, and the page says why."""
        if self.dashboard is not None:
            close_tree(self.dashboard.widget)
            self.dashboard = None
        self.message.value = render("message.html", kind="refused", text=HUB_CLOSED)
        self.widget.children = [self.widget.children[0], self.widget.children[1], self.form]

    def _open(self, still_allowed: Callable[[], bool] | None = None, carried: Any = None) -> bool:
        """The one successful path: the key, code or hub user checked out, so the dashboard (and its
        heavy imports) may load. `still_allowed` is asked again before each refresh of the figures."""
        from workbook.apps.address import SignedInAddress
        from workbook.apps.evaluator.dashboard import EvaluatorDashboard

        if self.key.comm is not None:  # closed under a hub
            self.key.value = ""
        page.current().signed_in(carried.payload() if carried is not None else None)
        setup = self.widget.children[0]
        setup.children = (*setup.children, SignedInAddress(carry=carried is not None))
        start_prefetch()  # the heavy imports start only once the key or code checks out
        self.dashboard = EvaluatorDashboard(
            self._store(), runner=self.runner, still_allowed=still_allowed, on_withdrawn=self._closed
        )
        self.widget.children = [self.widget.children[0], self.widget.children[1], self.dashboard.widget]
        return True

    def _refuse(self, message: str) -> None:
        self.message.value = render("message.html", kind="refused", text=message)

    def start(self) -> widgets.Widget:
        """Under a JupyterHub, open for the hub's user (a key or code in the URL is ignored); else try the
        key or code from the URL, if any, or show the form."""
        visitor = config.hub_user()
        if visitor is not None:
            self.try_hub(visitor)
            return self.widget
        given = query_key() or query_param("code")
        if given is not None:
            self.try_key(given)
            return self.widget
        from workbook.server.sessions import visit_claims

        claims = visit_claims()
        if claims is not None and not claims.is_display:
            self.try_session(claims)
        return self.widget


def _prefetch() -> None:
    """Import what the figures need (pandas, scipy, the store's tables); reads no data."""
    import workbook.apps.evaluator.dashboard  # noqa: F401
    import workbook.evaluation.stats  # noqa: F401
    import workbook.manager.reaction_summary  # noqa: F401
    import workbook.manager.scores  # noqa: F401


def start_prefetch() -> threading.Thread | None:
    """Inside a kernel, start the slow imports on a thread once the key or code checks out: they then
    overlap with the dashboard's first widgets reaching the browser."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return None
    thread = threading.Thread(target=_prefetch, name="wb-evaluator-prefetch", daemon=True)
    thread.start()
    return thread


def evaluator_app(store: Any = None) -> widgets.Widget:
    """The evaluator's app, behind the evaluator key (``WORKBOOK_EVALUATOR_KEY``)."""
    return EvaluatorGate(store).start()
