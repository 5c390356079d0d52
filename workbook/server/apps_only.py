"""Apps-only single-user servers under JupyterHub: the person's server serves the workbook's apps and
nothing else (no JupyterLab, no file browser, no terminals, no contents or sessions API, no kernel that a
page did not start).

The spawner sets ``WORKBOOK_APPS_ONLY=1`` (see deploy/jupyterhub/jupyterhub_config.py); the ``workbook``
server extension then installs the guards in strict mode and keeps only the routes named here, an
allowlist: a route that another extension adds, now or in a later version, is dropped unless it is one of
these. The server's own catch-all answers 404 for everything else.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from jupyter_server.base.handlers import JupyterHandler
from tornado import web
from tornado.routing import PathMatches, Rule, RuleRouter

from workbook.privacy import PRIVACY_PATH
from workbook.server.sessions import SESSION_PATH

APPS_ONLY_ENV = "WORKBOOK_APPS_ONLY"
HOME_PATH = "workbook/home"  # below the server's base URL: the spawner's default URL is "/" + HOME_PATH
# The store's settings: an apps-only server needs them (its pages read and write the store); the
# authors' JupyterLab must never see them.
STORE_SETTINGS = ("WORKBOOK_DATABASE_URL", "WORKBOOK_DATA_DIR", "WORKBOOK_PUBLISHED_CONTENT_DIR")
AUTHOR_SERVER = "author"  # the named server of a content author (JupyterLab on the drafts)
AUTHORS_GROUP = "content-authors"  # the hub group whose members may start it

_KERNEL = r"api/kernels/\(\?P<kernel_id>[^)]*\)"
# Routes kept, as the regular expressions tornado holds for them, below the base URL.
KEPT_ROUTES: tuple[str, ...] = (
    r"\??\$",  # the server's root: a redirect to the default URL (the person's home)
    r"voila/render/\(\.\*\)\$",  # the pages (guarded: WorkbookRenderHandler)
    r"voila/(static|templates|labextensions|api/themes)/\(\.\*\)\$",  # the pages' assets
    r"voila/api/shutdown/\(\.\*\)\$",  # a page's unload beacon (guarded)
    r"voila/files/\(\.\*\)\$",  # images next to the notebooks (voila.json's allow and deny lists)
    _KERNEL + r"\$",  # a page's kernel model and shutdown (guarded)
    _KERNEL + r"/\(\?P<action>restart\|interrupt\)\$",  # (guarded)
    _KERNEL + r"/channels\$",  # a page's kernel websocket (guarded)
    r"static/\(\.\*\)\$",  # the server's own static files (icons)
    r"api\$",  # the version the hub reads
    r"oauth_callback\$",  # the hub's sign-in
    r"logout\$",
    re.escape(PRIVACY_PATH) + r"\$",
    re.escape(SESSION_PATH) + r"\$",  # a page's sign-in becomes its visit's cookie (a room's display link)
    re.escape(HOME_PATH) + r"\$",
)
# Routes outside the base URL that are kept: the server's not-found page and its public icons.
KEPT_GLOBAL_ROUTES: tuple[str, ...] = (r"\(\.\*\)\$", r"/\(robots\\\.txt\)\$", r"/\(favicon\\\.ico\)\$")


# The settings of voila.json that every apps-only server must run with (as `workbook serve` does): the
# spawner passes the project's jupyter_config.json (the same file) with --config.
ENFORCED_SECTIONS = ("VoilaConfiguration", "VoilaExecutor", "MappingKernelManager")


def project_settings() -> dict[str, Any]:
    from workbook.config import REPO_ROOT

    return json.loads((Path(REPO_ROOT) / "voila.json").read_text())


def missing_settings(server_config: Any, wanted: dict[str, Any] | None = None) -> list[str]:
    """The workbook's Voila and kernel settings (voila.json) that the server's configuration does not
    carry, as ``Section.name`` strings; empty when every one is in force."""
    wanted = project_settings() if wanted is None else wanted
    expected = {(name, key): value for name in ENFORCED_SECTIONS for key, value in wanted[name].items()}
    expected[("ServerApp", "tornado_settings.headers")] = wanted["ServerApp"]["tornado_settings"]["headers"]
    missing = []
    for (section, key), value in expected.items():
        held = server_config.get(section, {})
        if key == "tornado_settings.headers":
            actual = (held.get("tornado_settings") or {}).get("headers") or {}
            ok = all(actual.get(name) == header for name, header in value.items())
        else:
            ok = key in held and held[key] == value
        if not ok:
            missing.append(f"{section}.{key}")
    return missing


def enabled() -> bool:
    """Whether this server serves the apps only (`WORKBOOK_APPS_ONLY`, set by the hub's spawner)."""
    return os.environ.get(APPS_ONLY_ENV, "").strip().lower() not in ("", "0", "false", "no")


def route_is_kept(pattern: str, base_url: str) -> bool:
    """Whether a route (tornado's regular expression for it) belongs to an apps-only server."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    if pattern.startswith(base):
        relative = pattern[len(base) :]
        return any(re.fullmatch(kept, relative) for kept in KEPT_ROUTES)
    return any(re.fullmatch(kept, pattern) for kept in KEPT_GLOBAL_ROUTES)


def _route_pattern(rule: Rule) -> str | None:
    matcher = rule.matcher
    return matcher.regex.pattern if isinstance(matcher, PathMatches) else None


def keep_only_app_routes(web_app: web.Application, log: Any) -> list[str]:
    """Drop every route an apps-only server does not serve; returns the dropped routes' patterns."""
    base_url = web_app.settings.get("base_url", "/") or "/"
    dropped: list[str] = []

    def prune(router: Any) -> None:
        kept = []
        for rule in getattr(router, "rules", []):
            if isinstance(rule.target, RuleRouter):
                prune(rule.target)
                kept.append(rule)
                continue
            pattern = _route_pattern(rule)
            if pattern is None or route_is_kept(pattern, base_url):
                kept.append(rule)
            else:
                dropped.append(pattern)
        router.rules[:] = kept

    prune(web_app.default_router)
    prune(web_app.wildcard_router)
    log.info("Apps-only server: kept the workbook's routes, dropped %s others", len(dropped))
    return dropped


NOT_TIED_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Career conversations workbook</title>
<style>
body{{font-family:system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em;color:#222}}
</style>
</head><body><main><h1>Career conversations workbook</h1>
<p class="wb-error" role="alert">{message}</p></main></body></html>
"""

_store: Any = None


def _shared_store() -> Any:
    global _store
    if _store is None:
        from workbook.store import Store

        _store = Store()
    return _store


def home_path_of(hub_user: str) -> str | None:
    """The app path (``/voila/render/...``) of the person tied to this hub user: the first home app, in
    the registry's order, that one of their roles opens; None if nobody in the store has that name.
    Raises LookupError when the person holds no role with a home app."""
    from workbook.apps.registry import available_apps
    from workbook.identity import AccessDenied, authenticate_hub

    try:
        person = authenticate_hub(_shared_store(), hub_user)
    except AccessDenied:
        return None
    for app in available_apps():
        if app.home and person.holds(*app.roles):
            return app.path
    raise LookupError(f"{person.pid} holds no role with an app of its own")


class HomeHandler(JupyterHandler):
    """The person's starting page: a redirect to the home app of their role, or a plain page saying their
    hub account is not tied to anyone in the workbook."""

    @web.authenticated
    def get(self) -> None:
        from workbook.config import hub_user
        from workbook.identity import not_in_workbook
        from workbook.server.handlers import PRIVACY_HEADERS

        owner = hub_user() or ""
        self.set_header("Cache-Control", "no-store")
        try:
            path = home_path_of(owner) if owner else None
        except LookupError:
            path = "/voila/render/index.ipynb"
        if path is not None:
            self.redirect(self.base_url.rstrip("/") + path)
            return
        from markupsafe import escape

        for name, value in PRIVACY_HEADERS.items():
            self.set_header(name, value)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(NOT_TIED_PAGE.format(message=escape(not_in_workbook(owner or "(none)"))))
