"""The deployment files agree with the code and with each other: deploy/jupyterhub/jupyterhub_config.py
(run for real by tests/hub), the Zero to JupyterHub values and the single-user image (which cannot run
here: they are read and compared, so that they cannot drift)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from tornado import web
from traitlets.config import PyFileConfigLoader

from workbook import config
from workbook.config import REPO_ROOT
from workbook.server import apps_only

HUB_CONFIG = REPO_ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
VALUES = REPO_ROOT / "deploy" / "kubernetes" / "values.yaml"
DOCKERFILE = REPO_ROOT / "deploy" / "kubernetes" / "Dockerfile"


@pytest.fixture
def hub_config(monkeypatch, tmp_path):
    """The hub's configuration as JupyterHub loads it, with the tests' knobs."""
    for name, value in {
        "WORKBOOK_HUB_AUTHENTICATOR": "dummy",
        "WORKBOOK_HUB_DUMMY_PASSWORD": "a-password",
        "WORKBOOK_HUB_AUTHORS": "fay, mo",
        "WORKBOOK_HUB_STATE_DIR": str(tmp_path),
        "WORKBOOK_DATABASE_URL": "postgresql+psycopg://workbook@db/workbook",
        "WORKBOOK_HUB_PORT": "18123",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("WORKBOOK_HUB_EXTRA_CONFIG", raising=False)
    loader = PyFileConfigLoader(HUB_CONFIG.name, path=str(HUB_CONFIG.parent))
    return loader.load_config()


def test_the_hub_config_starts_apps_only_servers_with_the_projects_settings(hub_config):
    spawner = hub_config.Spawner
    assert spawner.environment[apps_only.APPS_ONLY_ENV] == "1"
    assert spawner.default_url == "/" + apps_only.HOME_PATH
    assert f"--config={REPO_ROOT / 'jupyter_config.json'}" in spawner.args
    assert "--ServerApp.terminals_enabled=False" in spawner.args
    assert f"--ServerApp.root_dir={REPO_ROOT / 'notebooks'}" in spawner.args
    assert "WORKBOOK_DATABASE_URL" in spawner.env_keep  # the apps read and write the store
    assert not any(name.startswith("WORKBOOK_HUB_") for name in spawner.env_keep)  # the hub's own knobs
    assert hub_config.JupyterHub.port == 18123
    assert hub_config.JupyterHub.authenticator_class == "dummy"
    assert hub_config.JupyterHub.load_groups == {apps_only.AUTHORS_GROUP: {"users": ["fay", "mo"]}}
    assert hub_config.JupyterHub.allow_named_servers is True


def test_the_dummy_authenticator_is_refused_without_a_password(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBOOK_HUB_AUTHENTICATOR", "dummy")
    monkeypatch.delenv("WORKBOOK_HUB_DUMMY_PASSWORD", raising=False)
    monkeypatch.setenv("WORKBOOK_HUB_STATE_DIR", str(tmp_path))
    with pytest.raises(KeyError, match="WORKBOOK_HUB_DUMMY_PASSWORD"):
        PyFileConfigLoader(HUB_CONFIG.name, path=str(HUB_CONFIG.parent)).load_config()


def a_spawner(hub_config, name: str, groups: tuple[str, ...]) -> SimpleNamespace:
    user = SimpleNamespace(name="fay", groups=[SimpleNamespace(name=g) for g in groups])
    return SimpleNamespace(
        name=name,
        user=user,
        args=list(hub_config.Spawner.args),
        default_url=hub_config.Spawner.default_url,
        environment=dict(hub_config.Spawner.environment),
        env_keep=list(hub_config.Spawner.env_keep),
    )


def test_the_author_server_is_jupyterlab_without_the_stores_settings(hub_config):
    spawner = a_spawner(hub_config, apps_only.AUTHOR_SERVER, (apps_only.AUTHORS_GROUP,))
    hub_config.Spawner.pre_spawn_hook(spawner)
    assert spawner.default_url.startswith("/lab")
    assert not set(apps_only.STORE_SETTINGS) & set(spawner.env_keep)
    assert "WORKBOOK_EVALUATOR_KEY" not in spawner.env_keep
    assert apps_only.APPS_ONLY_ENV not in spawner.environment
    assert spawner.environment[config.AUTHOR_SERVER_ENV] == "1"  # the preview opens without the store
    assert not any(arg.startswith("--config=") for arg in spawner.args)


def test_only_members_of_content_authors_get_the_author_server_and_no_other_name(hub_config):
    with pytest.raises(web.HTTPError) as refused:
        hub_config.Spawner.pre_spawn_hook(a_spawner(hub_config, apps_only.AUTHOR_SERVER, ("others",)))
    assert refused.value.status_code == 403
    with pytest.raises(web.HTTPError):
        hub_config.Spawner.pre_spawn_hook(a_spawner(hub_config, "lab", (apps_only.AUTHORS_GROUP,)))
    default = a_spawner(hub_config, "", ())
    hub_config.Spawner.pre_spawn_hook(default)  # the apps-only server is left as configured
    assert default.environment[apps_only.APPS_ONLY_ENV] == "1"


def test_the_hub_config_names_the_same_settings_as_the_workbook():
    """The hub's config does not import the workbook (a hub may run in another environment): its names are
    compared here instead."""
    text = HUB_CONFIG.read_text()
    namespace: dict = {}
    for name in ("STORE_SETTINGS", "AUTHOR_SERVER", "AUTHORS_GROUP", "APPS_ONLY_DEFAULT_URL"):
        found = re.search(rf"^{name} = (.+)$", text, re.MULTILINE)
        assert found, name
        namespace[name] = eval(found.group(1), {})  # noqa: S307 (a literal from our own file)
    assert tuple(namespace["STORE_SETTINGS"]) == apps_only.STORE_SETTINGS
    assert namespace["AUTHOR_SERVER"] == apps_only.AUTHOR_SERVER
    assert namespace["AUTHORS_GROUP"] == apps_only.AUTHORS_GROUP
    assert namespace["APPS_ONLY_DEFAULT_URL"] == "/" + apps_only.HOME_PATH


def test_the_kubernetes_values_name_the_same_apps_only_settings(hub_config):
    values = yaml.safe_load(VALUES.read_text())
    singleuser = values["singleuser"]
    command = singleuser["cmd"]
    assert command[0] == "jupyterhub-singleuser"
    # the same arguments as the hub's config, for the image's project folder
    image_root = Path("/srv/workbook")
    root_args = [a for a in hub_config.Spawner.args if a != "--allow-root"]
    assert command[1:] == [a.replace(str(REPO_ROOT), str(image_root)) for a in root_args]
    assert singleuser["defaultUrl"] == hub_config.Spawner.default_url
    env = singleuser["extraEnv"]
    for name, value in hub_config.Spawner.environment.items():
        if name != "WORKBOOK_MAX_KERNELS":
            assert env[name] == value, name
    assert env["WORKBOOK_DATABASE_URL"]["valueFrom"]["secretKeyRef"]["key"]  # from a secret, never inline
    assert values["cull"]["enabled"] is True and values["cull"]["timeout"] > 0
    assert values["hub"]["config"]["JupyterHub"]["allow_named_servers"] is True
    assert apps_only.AUTHORS_GROUP in values["hub"]["loadGroups"]
    hook = values["hub"]["extraConfig"]["workbook-author-server"]
    assert f'AUTHOR_SERVER = "{apps_only.AUTHOR_SERVER}"' in hook
    assert f'AUTHORS_GROUP = "{apps_only.AUTHORS_GROUP}"' in hook
    for name in (*apps_only.STORE_SETTINGS, "WORKBOOK_EVALUATOR_KEY"):
        assert f'"{name}"' in hook
    assert f'spawner.environment["{config.AUTHOR_SERVER_ENV}"] = "1"' in hook
    compile(hook, "extraConfig", "exec")  # the hub's Python must at least parse


def test_the_single_user_image_installs_the_project_with_postgres():
    text = DOCKERFILE.read_text()
    assert re.search(r'pip install -c constraints\.txt -e "\.\[postgres\]" jupyterhub', text)
    assert "COPY . /srv/workbook" in text and "WORKDIR /srv/workbook" in text
    assert re.search(r"^USER (?!root|0\b)", text, re.MULTILINE)  # servers never run as root


def test_apps_only_servers_load_voila_and_the_guards_and_none_of_jupyterlab(hub_config):
    args = hub_config.Spawner.args
    for name in ("voila", "workbook"):
        assert f"--ServerApp.jpserver_extensions={name}=True" in args
    for name in ("jupyterlab", "jupyter_lsp", "notebook_shim", "jupyter_server_terminals"):
        assert f"--ServerApp.jpserver_extensions={name}=False" in args
    assert hub_config.Spawner.http_timeout >= 120  # a server's start takes seconds of CPU under load
