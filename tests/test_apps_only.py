"""Apps-only single-user servers (workbook.server.apps_only): the routes a real Jupyter server keeps, the
settings it must run with, and the person's home. The whole thing under a real hub: tests/hub."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from workbook import identity
from workbook.config import REPO_ROOT
from workbook.devtools import free_port
from workbook.server import apps_only

# A Jupyter server as the hub starts one (the project's config, a user's base URL): its routes before and
# after the allowlist, and the settings it carries. In a process of its own (a server application is a
# process-wide singleton).
SERVER_PROBE = textwrap.dedent(
    """
    import json, logging, sys
    from jupyter_server.serverapp import ServerApp
    from tornado.routing import PathMatches
    from workbook.server import apps_only

    app = ServerApp()
    app.initialize([*sys.argv[1:], "--port=0", "--allow-root", "--ServerApp.base_url=/user/ana/",
                    "--ServerApp.default_url=/workbook/home"])

    def patterns(router):
        for rule in getattr(router, "rules", []):
            if isinstance(rule.matcher, PathMatches):
                yield rule.matcher.regex.pattern
            yield from patterns(rule.target)

    before = sorted(set(patterns(app.web_app.default_router)))
    apps_only.keep_only_app_routes(app.web_app, logging.getLogger("probe"))
    after = sorted(set(patterns(app.web_app.default_router)))
    print(json.dumps({"before": before, "after": after, "missing": apps_only.missing_settings(app.config)}))
    """
)


def probe_server(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", SERVER_PROBE, *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def configured_server():
    return probe_server(
        f"--config={REPO_ROOT / 'jupyter_config.json'}", "--ServerApp.terminals_enabled=False"
    )


def test_the_allowlist_keeps_the_apps_routes_and_nothing_else(configured_server):
    base = "/user/ana/"
    kept = {p[len(base) :] if p.startswith(base) else p for p in configured_server["after"]}
    assert {
        r"voila/render/(.*)$",
        r"voila/static/(.*)$",
        r"voila/api/shutdown/(.*)$",
        r"voila/files/(.*)$",
        r"api/kernels/(?P<kernel_id>\w+-\w+-\w+-\w+-\w+)/channels$",
        r"api/kernels/(?P<kernel_id>\w+-\w+-\w+-\w+-\w+)$",
        "api$",
        "?$",
        "(.*)$",
    } <= kept
    refused = ("lab", "tree", "api/contents", "api/sessions", "api/kernelspecs", "files/", "nbconvert",
               "api/terminals", "terminals", "api/status", "api/events", "voila/tree", "voila/api/contents",
               "lsp", "api/kernels$", "view", "metrics", "login")  # fmt: skip
    for route in kept:
        assert not any(route.startswith(prefix) for prefix in refused), route
    dropped = set(configured_server["before"]) - set(configured_server["after"])
    assert base + "api/kernels$" in dropped and base + "api/contents(?P<path>(?:(?:/[^/]+)+|/?))$" in dropped
    assert any(p.startswith(base + "lab") for p in dropped)


def test_a_route_is_kept_only_below_the_servers_base_url():
    assert apps_only.route_is_kept("/user/ana/voila/render/(.*)$", "/user/ana/")
    assert not apps_only.route_is_kept("/user/ana/voila/tree(?P<path>.*)$", "/user/ana/")
    assert not apps_only.route_is_kept("/elsewhere/voila/render/(.*)$", "/user/ana/")
    assert not apps_only.route_is_kept("/user/ana/api/kernels$", "/user/ana/")


def test_the_single_user_server_reads_the_workbooks_settings_from_the_projects_config(configured_server):
    """The spawner's --config gives the server voila.json's settings (iopub_timeout, file lists, culling,
    headers): nothing is missing. Without it, the same check names what is missing (and the extension
    stops such a server: the next test)."""
    assert configured_server["missing"] == []
    bare = probe_server("--ServerApp.terminals_enabled=False")
    assert "VoilaExecutor.iopub_timeout" in bare["missing"]
    assert "VoilaConfiguration.file_denylist" in bare["missing"]
    assert "MappingKernelManager.cull_idle_timeout" in bare["missing"]


def test_missing_settings_names_each_setting_that_differs():
    wanted = apps_only.project_settings()
    held = json.loads(json.dumps(wanted))
    assert apps_only.missing_settings(held, wanted) == []
    held["VoilaExecutor"]["iopub_timeout"] = 4
    del held["ServerApp"]["tornado_settings"]
    assert apps_only.missing_settings(held, wanted) == [
        "VoilaExecutor.iopub_timeout",
        "ServerApp.tornado_settings.headers",
    ]


def test_an_apps_only_server_without_the_workbooks_settings_stops(tmp_path):
    env = {**os.environ, "WORKBOOK_APPS_ONLY": "1", "JUPYTER_CONFIG_DIR": str(tmp_path)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter_server",
            f"--port={free_port()}",
            "--allow-root",
            "--no-browser",
            "--ServerApp.jpserver_extensions=voila=True",
            "--ServerApp.jpserver_extensions=workbook=True",
            f"--ServerApp.root_dir={REPO_ROOT / 'notebooks'}",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Apps-only server stopped: the workbook's settings are not in force" in done.stderr
    assert "VoilaExecutor.iopub_timeout" in done.stderr


def test_home_is_the_first_home_app_of_the_persons_roles(store, monkeypatch):
    monkeypatch.setattr(apps_only, "_store", store)
    identity.add_participant(store, "Ana", hub_user="ana")
    identity.add_participant(store, "Mo", roles=["manager:North"], hub_user="mo")
    identity.add_participant(store, "Eve", roles=["evaluator"], hub_user="eve", allow_privileged=True)
    identity.add_participant(store, "Both", roles=["team_member", "manager:North"], hub_user="both")
    assert apps_only.home_path_of("ana") == "/voila/render/participant.ipynb"
    assert apps_only.home_path_of("mo") == "/voila/render/manager.ipynb"
    assert apps_only.home_path_of("eve") == "/voila/render/evaluator.ipynb"
    assert apps_only.home_path_of("both") == "/voila/render/participant.ipynb"
    assert apps_only.home_path_of("nobody") is None


def test_apps_only_is_off_unless_the_spawner_says_so(monkeypatch):
    monkeypatch.delenv(apps_only.APPS_ONLY_ENV, raising=False)
    assert not apps_only.enabled()
    for value, expected in (("1", True), ("yes", True), ("0", False), ("false", False)):
        monkeypatch.setenv(apps_only.APPS_ONLY_ENV, value)
        assert apps_only.enabled() is expected
