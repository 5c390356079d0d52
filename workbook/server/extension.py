"""The workbook's guards as a Jupyter server extension (JupyterHub single-user servers, Binder,
`jupyter server` with Voila as an extension): enable `workbook` next to `voila` in
``ServerApp.jpserver_extensions``.

With ``WORKBOOK_APPS_ONLY=1`` (a team member's, manager's, facilitator's or evaluator's server under
JupyterHub) the server serves the apps only: the guards are strict (a kernel no page owns is reachable by
nobody) and every route that is not one of the apps' is dropped (:mod:`workbook.server.apps_only`).
"""

from __future__ import annotations

from typing import Any

from tornado.ioloop import IOLoop


def _hold_the_store() -> None:
    """Mark an SQLite store as in use while this server runs (`workbook restore` refuses meanwhile); a
    content author's server has no store."""
    from workbook import config
    from workbook.store_in_use import hold_store_for_apps

    if not config.author_server():
        hold_store_for_apps()


def _load_jupyter_server_extension(server_app: Any) -> None:
    from workbook.server import apps_only
    from workbook.server.install import install

    _hold_the_store()
    strict = apps_only.enabled()
    if strict:
        server_app.terminals_enabled = False

    # Voila's extension may load after this one: swap the handlers once every extension is in,
    # which is before the first request is served.
    def fit() -> None:
        web_app = server_app.web_app
        if strict:
            missing = apps_only.missing_settings(server_app.config)
            if missing:
                server_app.log.critical(
                    "Apps-only server stopped: the workbook's settings are not in force (%s). Start it with "
                    "--config=<the project>/jupyter_config.json, as deploy/jupyterhub does.",
                    ", ".join(missing),
                )
                server_app.stop()
                return
            server_app.log.info("Apps-only server: the workbook's Voila and kernel settings are in force")
        install(web_app, server_app.kernel_manager, server_app.log, strict=strict)
        if strict:
            base_url = web_app.settings.get("base_url", "/") or "/"
            web_app.add_handlers(".*$", [(base_url + apps_only.HOME_PATH, apps_only.HomeHandler)])
            apps_only.keep_only_app_routes(web_app, server_app.log)

    IOLoop.current().add_callback(fit)


load_jupyter_server_extension = _load_jupyter_server_extension
