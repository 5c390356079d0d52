"""The request handlers that replace Voila's own for pages and kernels.

- Rendering a page: refused with HTTP 429 (and no kernel) when the visitor's address has opened too
  many pages on which nobody signed in (``workbook.server.limits``); at the kernel cap, the kernel of
  the oldest page nobody signed in on is given back for it, and only when there is none is the visitor
  refused with a friendly busy page (503, no kernel); otherwise the page's kernel is bound to the
  visitor's per-visit cookie, and every asset reference to another host is taken out of the HTML
  (Voila's own bundle already carries Font Awesome).
- The kernel websocket: only the visit that owns the kernel may connect; frames are read by the
  protocol the client negotiated; a frame that does not add up, a message a widget page never sends
  (code to run above all: ``frames.PAGE_MESSAGES``), or more messages than a page's allowance
  (``limits.MessageAllowance``) closes that one connection before it reaches the kernel; kernel
  stderr and errors go to the server log, never to the visitor; a reply for a connection that is
  closed is dropped without a word; open and close feed the lifecycle.
- The kernel REST endpoints (model, shutdown, interrupt, restart, Voila's unload beacon): the
  owning visit only.
- A visit's sign-in (``workbook.server.sessions``): a kernel's announced sign-in is held for the visit
  that owns the kernel, turned into a signed cookie when that visit's page asks (``SessionHandler``),
  and handed to the kernel of each later page of the visit in a header only the server sets.
"""

from __future__ import annotations

import asyncio
import html
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from jupyter_core.utils import ensure_async
from jupyter_server.services.kernels.handlers import KernelActionHandler, KernelHandler
from tornado import web
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

from workbook import config
from workbook.server import frames
from workbook.server.lifecycle import KernelRegistry, Reaper, kernel_tag, pooled_kernel_ids
from workbook.server.limits import MessageAllowance, UnsignedPages, wait_sentence
from workbook.server.page import PAGE_TARGET  # a kernel announces its page's sign-in and close there
from workbook.server.sessions import (
    DISPLAY_COOKIE,
    SESSION_COOKIE,
    Grants,
    sign,
    vouch_for_session,
)
from workbook.signin_guard import address_from, client_key

VISIT_COOKIE = "workbook_visit"
# The header that carries the visitor's address to the page's kernel (as HTTP_X_WORKBOOK_CLIENT, through
# Voila's http_header_envs); the server sets it on every page request, so a visitor cannot choose it.
CLIENT_HEADER = "X-Workbook-Client"
BUSY_RETRY_S = 60

# Voila's lab template links Font Awesome from a CDN although voila.js bundles it; nbconvert's lab
# template adds a Mermaid loader from another CDN. Neither may reach another host.
_FOREIGN_LINK = re.compile(r"<link\b[^>]*\bhref=[\"'](?:https?:)?//[^\"']*[\"'][^>]*>\s*", re.IGNORECASE)
# Under a Jupyter server the page config names MathJax on a CDN (standalone Voila leaves it null).
_FOREIGN_MATHJAX = re.compile(r'"fullMathjaxUrl":\s*"(?:https?:)?//[^"]*"')
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>\s*", re.IGNORECASE | re.DOTALL)
_FOREIGN_CODE = re.compile(r"[\"'](?:https?:)?//[^\"'\s]+\.m?js\b", re.IGNORECASE)
_FOREIGN_SRC = re.compile(r"\bsrc=[\"'](?:https?:)?//", re.IGNORECASE)


def _keep_local_script(match: re.Match[str]) -> str:
    attributes, body = match.group(1), match.group(2)
    return "" if _FOREIGN_SRC.search(attributes) or _FOREIGN_CODE.search(body) else match.group(0)


def strip_foreign_assets(page: str) -> str:
    """The page without stylesheets or scripts from other hosts."""
    page = _FOREIGN_MATHJAX.sub('"fullMathjaxUrl": null', _FOREIGN_LINK.sub("", page))
    return _SCRIPT.sub(_keep_local_script, page)


BUSY_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>The workbook is busy</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em;color:#222}}
a{{color:#0072B2}}</style></head>
<body><main><h1>The workbook is busy</h1>
<p class="wb-busy" role="status">The workbook is busy, try again in a minute. Nothing you saved is lost.</p>
<p><a href="{again}">Try again</a></p></main></body></html>
"""

TOO_MANY_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Too many pages opened</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em;color:#222}}
</style></head><body><main><h1>Too many pages opened</h1>
<p class="wb-too-many" role="status">{sentence}</p></main></body></html>
"""


@dataclass
class Guard:
    """What the handlers share, kept in the tornado settings under ``workbook_guard``."""

    registry: KernelRegistry
    reaper: Reaper
    strict: bool  # standalone server: only kernels a page owns are reachable at all
    max_kernels: int
    log: Any
    unsigned: UnsignedPages = field(
        default_factory=lambda: UnsignedPages(config.unsigned_pages_per_address())
    )
    allowances: dict[str, MessageAllowance] = field(default_factory=dict)
    grants: Grants = field(default_factory=Grants)  # sign-ins waiting for their visit's cookie
    starting: int = 0  # pages admitted whose kernel is not started yet (they count against the cap)

    async def admit(self, kernel_manager: Any) -> bool:
        """Whether a new page may have a kernel: under the cap, or at it once the kernel of the oldest
        page nobody signed in on has been given back (pages being rendered are left alone)."""
        running = set(kernel_manager.list_kernel_ids())
        if len(running) + self.starting < self.max_kernels:
            return True
        for kernel_id in self.registry.anonymous(running, pooled_kernel_ids(kernel_manager)):
            if not self.reaper.closing(kernel_id):
                await self.reaper.shut_down(kernel_id, "the kernel cap is reached and nobody signed in on it")
                return True
        return False

    def page_announced(self, kernel_id: str, data: Any) -> None:
        """A page's kernel spoke on the ``workbook.page`` comm (``workbook.server.page``): it signed in,
        or it closed the page."""
        if not isinstance(data, dict):
            return
        if data.get("signed_in"):
            self.registry.signed_in(kernel_id)
            self.unsigned.signed_in(kernel_id)
            if owner := self.registry.owner(kernel_id):  # held for the visit that owns the kernel
                self.grants.announced(owner, data.get("session"))
        if data.get("closed"):
            self.reaper.page_closed(kernel_id)

    def allowance(self, kernel_id: str) -> MessageAllowance:
        """The widget messages the page of this kernel may still send (shared by its connections)."""
        found = self.allowances.get(kernel_id)
        if found is None:
            if len(self.allowances) > 2 * self.max_kernels:  # forget kernels that are gone
                for gone in [k for k in self.allowances if k not in self.registry.records]:
                    del self.allowances[gone]
            found = self.allowances[kernel_id] = MessageAllowance()
        return found

    def may_use(self, handler: web.RequestHandler, kernel_id: str) -> bool:
        """Whether the request comes from the visit whose page owns the kernel."""
        owner = self.registry.owner(kernel_id)
        if owner is None:
            return not self.strict
        return secrets.compare_digest(owner, visit_of(handler) or "")

    def is_page_kernel(self, kernel_id: str) -> bool:
        return self.registry.owner(kernel_id) is not None


def guard_of(handler: web.RequestHandler) -> Guard:
    return handler.settings["workbook_guard"]


def visit_of(handler: web.RequestHandler) -> str | None:
    """The per-visit token from the signed cookie, or None."""
    raw = handler.get_secure_cookie(VISIT_COOKIE)
    return raw.decode("ascii", "replace") if raw else None


def refuse_unless_owner(handler: web.RequestHandler, kernel_id: str) -> None:
    if not guard_of(handler).may_use(handler, kernel_id):
        handler.log.warning(
            "Refused %s %s to a visitor who does not own it", handler.request.method, kernel_tag(kernel_id)
        )
        raise web.HTTPError(403, "This kernel belongs to another page.")


class PlainErrors:
    """Errors as one line of text (the server's HTML error template needs settings Voila lacks)."""

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code}: {self._reason}\n")


class _BindingKernelManager:
    """Voila's kernel manager as seen by one page request: the kernel it starts or takes from the pool
    is bound to the request's visit; a pool kernel gets the executor's time limit from now on."""

    def __init__(self, manager: Any, handler: WorkbookRenderHandler) -> None:
        self._manager = manager
        self._handler = handler

    def __getattr__(self, name: str) -> Any:
        return getattr(self._manager, name)

    async def start_kernel(self, *args: Any, **kwargs: Any) -> str:
        kernel_id = await ensure_async(self._manager.start_kernel(*args, **kwargs))
        self._handler.took_kernel(kernel_id)
        return kernel_id

    async def get_rendered_notebook(self, *args: Any, **kwargs: Any) -> Any:
        render_task, rendered_cache, kernel_id = await self._manager.get_rendered_notebook(*args, **kwargs)
        self._handler.took_kernel(kernel_id)
        self._handler.limit_from_now(kernel_id, render_task)
        return render_task, rendered_cache, kernel_id


class WorkbookRenderHandler(TornadoVoilaHandler):
    """Renders a notebook page (see the module docstring)."""

    kernel_id: str | None = None
    address_key: str | None = None  # the visitor's address, hashed (``signin_guard.client_key``)
    admitted = False

    @property
    def kernel_manager(self) -> Any:  # type: ignore[override]
        return _BindingKernelManager(self.settings["kernel_manager"], self)

    def took_kernel(self, kernel_id: str) -> None:
        guard = guard_of(self)
        self.kernel_id = kernel_id
        guard.registry.bind(kernel_id, self.visit)
        self._started()
        if self.address_key is not None and not guard.registry.is_signed_in(kernel_id):
            guard.unsigned.opened(self.address_key, kernel_id)

    def _started(self) -> None:
        """The admitted page has its kernel (or never will): it no longer waits against the cap."""
        if self.admitted:
            self.admitted = False
            guard_of(self).starting -= 1

    def limit_from_now(self, kernel_id: str, render_task: asyncio.Future) -> None:
        """A preheated kernel ran its notebook up to the wait for its visitor without a time limit
        (see ``VisitorClockExecutor``); from the visitor's arrival the executor's limit applies."""
        limit = executor_timeout(self.traitlet_config)
        if not limit:
            return
        manager = self.settings["kernel_manager"]

        def interrupt() -> None:
            if not render_task.done() and kernel_id in manager:
                self.log.error(
                    "Page of %s still running after %s s: interrupting", kernel_tag(kernel_id), limit
                )
                asyncio.ensure_future(ensure_async(manager.interrupt_kernel(kernel_id)))

        asyncio.get_event_loop().call_later(limit, interrupt)

    def _visit(self) -> str:
        visit = visit_of(self)
        if not visit:
            visit = secrets.token_urlsafe(24)
            self.set_secure_cookie(
                VISIT_COOKIE,
                visit,
                expires_days=None,
                httponly=True,
                samesite="Lax",
                path=self.settings.get("base_url", "/") or "/",
            )
        return visit

    def _refuse(self, status: int, retry_after: float, page: str) -> None:
        self.set_status(status)
        self.set_header("Retry-After", str(int(retry_after)))
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(page)

    @web.authenticated
    async def get(self, path: str | None = None) -> None:
        guard = guard_of(self)
        address = address_from(self.request.headers.get("X-Forwarded-For"), self.request.remote_ip)
        self.address_key = client_key(address) if address else None
        if self.address_key is not None and (wait := guard.unsigned.wait(self.address_key)) is not None:
            guard.log.warning(
                "Too many pages nobody signed in on from client=%s: refused %s", self.address_key[:12], path
            )
            self._refuse(429, wait, TOO_MANY_PAGE.format(sentence=html.escape(wait_sentence(wait))))
            return
        kernel_manager = self.settings["kernel_manager"]
        if not await guard.admit(kernel_manager):
            running = len(kernel_manager.list_kernel_ids())
            guard.log.warning("Kernel cap reached (%s running): busy page for %s", running, path)
            again = html.escape(self.request.uri or "", quote=True)
            self._refuse(503, BUSY_RETRY_S, BUSY_PAGE.format(again=again))
            return
        guard.starting += 1
        self.admitted = True
        self.visit = self._visit()
        self.request.headers[CLIENT_HEADER] = self.request.remote_ip or ""
        vouch_for_session(self)
        self.xsrf_token  # noqa: B018 (sets the _xsrf cookie that Voila's unload beacon sends back: voila#1458)
        try:
            async for snippet in self.get_generator(path=path):
                self.write(strip_foreign_assets(snippet))
                self.flush()
        finally:
            self._started()
            if self.kernel_id:
                guard.registry.rendered(self.kernel_id)


def executor_timeout(traitlet_config: Any) -> float | None:
    try:
        value = traitlet_config.VoilaExecutor.timeout
    except AttributeError:
        return None
    return value if isinstance(value, int | float) and value > 0 else None


# The privacy page is plain HTML with an inline stylesheet: it may load nothing at all, from anywhere.
PRIVACY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class PrivacyPageHandler(web.RequestHandler):
    """The privacy page (``workbook.privacy``): a plain page, no kernel, no sign-in, nothing from another
    host. Open to anyone, as it says only how the workbook treats data."""

    def get(self) -> None:
        from workbook.privacy import privacy_page

        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-cache")
        for name, value in PRIVACY_HEADERS.items():
            self.set_header(name, value)
        self.finish(privacy_page())


class SessionHandler(web.RequestHandler):
    """``POST workbook/session``: the sign-in a kernel of this visit announced becomes the visit's signed
    cookie. Nothing is held for another visit: 404."""

    def post(self) -> None:
        visit = visit_of(self)
        taken = guard_of(self).grants.take(visit) if visit else None
        self.set_header("Cache-Control", "no-store")
        if taken is None:
            self.set_status(404)
            self.finish("404: No sign-in of this visit to carry.\n")
            return
        claims, expires = taken
        name = DISPLAY_COOKIE if claims.is_display else SESSION_COOKIE
        self.set_cookie(
            name,
            sign(name, claims, expires).decode("ascii"),
            expires=expires,
            httponly=True,
            samesite="Lax",
            secure=self.request.protocol == "https",
            path=self.settings.get("base_url", "/") or "/",
        )
        self.set_status(204)
        self.finish()


class GuardedKernelWebsocketHandler(PlainErrors, VoilaKernelWebsocketHandler):
    """A page's kernel websocket (see the module docstring)."""

    _counted = False
    _refused = False  # this connection is being closed: what it still sends is ignored

    async def get(self, kernel_id: str) -> None:  # type: ignore[override]
        refuse_unless_owner(self, kernel_id)
        await super().get(kernel_id)

    async def open(self, kernel_id: str) -> None:  # type: ignore[override]
        guard_of(self).registry.connected(kernel_id)
        self._counted = True
        await super().open(kernel_id)

    def on_close(self) -> None:
        if self._counted:
            self._counted = False
            guard_of(self).registry.disconnected(self.kernel_id)
        if self.connection is not None:
            super().on_close()

    def _drop(self, reason: str, close_reason: str = "malformed or refused frame") -> None:
        if self._refused:
            return
        self._refused = True
        self.log.warning("Closing a websocket of %s: %s", kernel_tag(self.kernel_id), reason)
        self.close(1008, close_reason)

    def on_message(self, ws_message: str | bytes) -> None:
        if self._refused:
            return
        guard = guard_of(self)
        if guard.is_page_kernel(self.kernel_id) and not guard.allowance(self.kernel_id).take():
            allowance = guard.allowance(self.kernel_id)
            self._drop(
                f"more than {allowance.burst:.0f} widget messages at once or {allowance.rate:.0f} a second",
                "too many messages",
            )
            return
        try:
            msg = frames.read(ws_message, self.selected_subprotocol)
            refusal = frames.refused_from_page(msg) if guard.is_page_kernel(self.kernel_id) else None
        except frames.FrameError as exc:
            self._drop(str(exc))
            return
        if refusal is not None:
            self._drop(f"refused {refusal}")
            return
        try:
            super().on_message(ws_message)
        except Exception as exc:  # a frame the kernel side cannot take: this connection only
            self._drop(f"{type(exc).__name__} while forwarding a frame")

    def write_message(self, message: Any, binary: bool = False) -> Any:  # type: ignore[override]
        base_write = super(VoilaKernelWebsocketHandler, self).write_message  # not Voila's: see below
        if self.ws_connection is None or self.ws_connection.is_closing():
            return None  # the page is gone: its replies are dropped, without a traceback each
        if isinstance(message, dict):  # status messages built by the server itself
            header = message.get("header") or {}
            msg = frames.Message(message.get("channel"), header, message.get("content") or {})
        else:
            try:
                msg = frames.read(message, self.selected_subprotocol)
            except frames.FrameError as exc:
                self.log.warning("Dropped a malformed message from %s: %s", kernel_tag(self.kernel_id), exc)
                return None
        if not self._may_pass(msg):
            return None
        # Voila's own override reads every binary frame as v1: it is skipped.
        written = base_write(message, binary)
        written.add_done_callback(_closed_meanwhile)
        return written

    def _may_pass(self, msg: frames.Message) -> bool:
        kind = msg.msg_type
        if kind == "execute_input":
            return False
        guard = guard_of(self)
        if not guard.is_page_kernel(self.kernel_id):
            return True
        tag = kernel_tag(self.kernel_id)
        if kind == "stream":
            content = msg.content()
            if content.get("name") == "stderr":
                self.log.warning("%s stderr: %s", tag, str(content.get("text", "")).rstrip())
                return False
        elif kind == "error":
            content = msg.content()
            trace = "\n".join(str(line) for line in content.get("traceback", []))
            self.log.warning("%s error %s: %s\n%s", tag, content.get("ename"), content.get("evalue"), trace)
            return False
        elif kind == "comm_open":
            content = msg.content()
            if content.get("target_name") == PAGE_TARGET:
                guard.page_announced(self.kernel_id, content.get("data"))
                return False
        return True


def _closed_meanwhile(written: asyncio.Future) -> None:
    """A write that the page's leaving cut short is dropped like any reply to a gone page: its error is
    taken here, so that asyncio does not log it with a traceback ("Task exception was never retrieved")."""
    if not written.cancelled():
        written.exception()


class GuardedKernelHandler(PlainErrors, KernelHandler):
    """A kernel's model and its shutdown (DELETE): the owning visit only."""

    async def get(self, kernel_id: str) -> None:
        refuse_unless_owner(self, kernel_id)
        await super().get(kernel_id)

    async def delete(self, kernel_id: str) -> None:
        refuse_unless_owner(self, kernel_id)
        await super().delete(kernel_id)


class GuardedKernelActionHandler(PlainErrors, KernelActionHandler):
    """Interrupt and restart: the owning visit only."""

    async def post(self, kernel_id: str, action: str) -> None:
        refuse_unless_owner(self, kernel_id)
        await super().post(kernel_id, action)


class GuardedShutdownHandler(PlainErrors, VoilaShutdownKernelHandler):
    """Voila's unload beacon: the owning visit only."""

    async def post(self, kernel_id: str) -> None:
        refuse_unless_owner(self, kernel_id)
        await super().post(kernel_id)
