"""The workbook's guards as a Jupyter server extension (JupyterHub single-user servers, Binder,
`jupyter server` with Voila as an extension): enable `workbook` next to `voila` in
``ServerApp.jpserver_extensions``."""

from __future__ import annotations

from typing import Any

from tornado.ioloop import IOLoop


def _load_jupyter_server_extension(server_app: Any) -> None:
    from workbook.server.install import install

    # Voila's extension may load after this one: swap the handlers once every extension is in,
    # which is before the first request is served.
    def fit() -> None:
        install(server_app.web_app, server_app.kernel_manager, server_app.log, strict=False)

    IOLoop.current().add_callback(fit)


load_jupyter_server_extension = _load_jupyter_server_extension
