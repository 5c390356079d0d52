"""A visit's sign-in, carried by a signed cookie so that no secret has to stay in a page's address.

The flow, with the server (never the page's visitor) vouching for every step:

1. A page's kernel checks a code (or a room's display link) against the store and announces the sign-in
   on the ``workbook.page`` comm with what it checked (:class:`Claims`: the person and the id of their
   code row, the evaluator key's fingerprint, or the display link's row). The server reads that
   announcement from the kernel, never from the browser, and holds it for the visit whose cookie owns
   the kernel (:class:`Grants`).
2. The page (``workbook.apps.address``) takes the code out of its address and asks the server to turn
   the grant into a cookie (``POST workbook/session``): the server sets it for that same visit only,
   signed with a secret that lives outside the served tree (``config.session_secret_file``), HttpOnly,
   SameSite=Lax, Secure when the server is https, and expiring (``WORKBOOK_SESSION_HOURS``; a display
   link's at the end of its day).
3. On a reload or a link to another app, the page request carries the cookie; the server checks its
   signature and expiry and hands the claims to the kernel in a header it sets itself (a header of
   that name sent by the visitor is dropped). The kernel then checks them against the store again, as a
   sign-in with the code does: a revoked code, a withdrawn role or an ended display link ends it.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from tornado import web

from workbook import config

SESSION_COOKIE = "workbook_session"  # a person's sign-in (a code) or the evaluator key
DISPLAY_COOKIE = "workbook_display"  # a room's display link: opens the room view only
SESSION_HEADER = "X-Workbook-Session"  # what the server hands the page's kernel (voila.json's header envs)
SESSION_ENV = "HTTP_X_WORKBOOK_SESSION"
SESSION_PATH = "workbook/session"  # below the base URL
GRANT_TTL_S = 120.0  # a page claims its grant within seconds of signing in
MAX_GRANTS = 4096
SECRET_BYTES = 32


class Claims(BaseModel):
    """What a sign-in checked, by row ids and fingerprints only (never a code): a person and their code
    row, the evaluator key's fingerprint, or a display link's row."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    person: int | None = None
    code: int | None = None
    key: str | None = None
    display: int | None = None

    @property
    def is_display(self) -> bool:
        return self.display is not None

    def payload(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


def read_claims(data: Any) -> Claims | None:
    """Claims from a decoded value, or None when it is not a well-formed set of them."""
    if not isinstance(data, dict):
        return None
    try:
        claims = Claims.model_validate(data)
    except ValidationError:
        return None
    has_person = claims.person is not None and claims.code is not None
    return claims if (has_person or claims.key is not None or claims.is_display) else None


# -- inside a page's kernel ------------------------------------------------------------------------------
def visit_claims() -> Claims | None:
    """The claims the server vouched for on this page's request (from its signed cookies), or None."""
    raw = os.environ.get(SESSION_ENV, "")
    if not raw:
        return None
    try:
        return read_claims(json.loads(raw))
    except ValueError:
        return None


# -- on the server ---------------------------------------------------------------------------------------
_secrets: dict[Path, bytes] = {}


def server_secret() -> bytes:
    """The secret that signs session cookies, made on first use in a file only the server's user reads."""
    path = config.session_secret_file()
    cached = _secrets.get(path)
    if cached is not None:
        return cached
    try:
        value = path.read_bytes().strip()
    except FileNotFoundError:
        value = b""
    if len(value) < SECRET_BYTES:
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = secrets.token_hex(SECRET_BYTES).encode("ascii")
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another server made it meanwhile, or it was too short: use what is there
            value = path.read_bytes().strip()
            if len(value) < SECRET_BYTES:
                raise config.ConfigError(
                    f"the session secret file {path} holds fewer than {SECRET_BYTES} bytes: delete it"
                ) from None
        else:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(fresh)
            value = fresh
    _secrets[path] = value
    return value


def sign(name: str, claims: Claims, expires: float) -> bytes:
    """A cookie value for `claims` that expires at `expires` (epoch seconds), signed with the secret."""
    from tornado.web import create_signed_value

    body = json.dumps({**claims.payload(), "exp": expires}, sort_keys=True)
    return create_signed_value(server_secret(), name, body)


def verify(name: str, raw: str | bytes | None, now: float | None = None) -> Claims | None:
    """The claims of a cookie value if its signature holds and it has not expired, else None."""
    from tornado.web import decode_signed_value

    if not raw:
        return None
    most_days = max(config.session_hours(), 24.0) / 24.0 + 1.0  # a display link lasts to midnight
    decoded = decode_signed_value(server_secret(), name, raw, max_age_days=most_days)
    if decoded is None:
        return None
    try:
        data = json.loads(decoded)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    expires = data.pop("exp", None)
    if not isinstance(expires, int | float) or expires <= (time.time() if now is None else now):
        return None
    return read_claims(data)


def merged(*found: Claims | None) -> Claims | None:
    """One set of claims from a person's session and a display link's (each cookie names its own)."""
    values: dict[str, Any] = {}
    for claims in found:
        if claims is not None:
            values.update(claims.payload())
    return read_claims(values) if values else None


class Grants:
    """Sign-ins that kernels announced, waiting for their visit's page to claim them as a cookie: each
    is held for one visit (the one whose cookie owns the kernel), for a short while, and taken once."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self.clock = clock
        self._held: dict[str, tuple[float, Claims, float]] = {}  # visit -> (when, claims, expires)

    def offer(self, visit: str, claims: Claims, expires: float) -> None:
        now = self.clock()
        if len(self._held) >= MAX_GRANTS:
            for gone in [v for v, (when, _c, _e) in self._held.items() if now - when > GRANT_TTL_S]:
                del self._held[gone]
            while len(self._held) >= MAX_GRANTS:
                del self._held[next(iter(self._held))]
        self._held[visit] = (now, claims, expires)

    def announced(self, visit: str, session: Any) -> None:
        """Hold what a kernel of this visit announced it checked (``{"session": …}`` on its comm)."""
        if isinstance(session, dict):
            claims = read_claims({name: value for name, value in session.items() if name != "ends"})
            if claims is not None:
                self.offer(visit, claims, expiry_of(session))

    def take(self, visit: str) -> tuple[Claims, float] | None:
        held = self._held.pop(visit, None)
        if held is None or self.clock() - held[0] > GRANT_TTL_S:
            return None
        return held[1], held[2]


def expiry_of(data: dict[str, Any], now: float | None = None) -> float:
    """When a sign-in's cookie ends: a display link at its own end (sent by the kernel, which read it
    from the store), never later than a day; a person's after `WORKBOOK_SESSION_HOURS`."""
    now = time.time() if now is None else now
    if "display" in data:
        ends = data.get("ends")
        return min(float(ends), now + 86400.0) if isinstance(ends, int | float) else now
    return now + config.session_hours() * 3600.0


def vouch_for_session(handler: web.RequestHandler) -> None:
    """Hand a page's kernel the claims of the visit's signed cookies, checked here (signature and
    expiry), in a header the visitor cannot set: one of that name in the request is dropped."""
    headers = handler.request.headers
    if SESSION_HEADER in headers:
        del headers[SESSION_HEADER]
    claims = merged(
        verify(SESSION_COOKIE, handler.get_cookie(SESSION_COOKIE)),
        verify(DISPLAY_COOKIE, handler.get_cookie(DISPLAY_COOKIE)),
    )
    if claims is not None:
        headers[SESSION_HEADER] = json.dumps(claims.payload(), sort_keys=True)
