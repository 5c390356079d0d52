"""The project's own files agree with each other: dependencies, settings, notebooks."""

from __future__ import annotations

import json
import re
import tomllib

import nbformat
import yaml

from workbook.apps.registry import APPS, NOTEBOOKS
from workbook.config import REPO_ROOT


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    declared = project["dependencies"] + extras["test"] + extras["postgres"]
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert sorted(p for p in pip_section if not p.startswith("-e")) == sorted(declared)


def test_voila_and_jupyter_server_are_recent_enough():
    declared = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert "voila>=0.5.6,<0.6" in declared and "jupyter_server>=2.21" in declared


def test_voila_settings_are_production_safe():
    settings = json.loads((REPO_ROOT / "voila.json").read_text())
    voila = settings["VoilaConfiguration"]
    assert voila["strip_sources"] is True and voila["show_tracebacks"] is False
    assert voila["allow_template_override"] == "NO" and voila["allow_theme_override"] == "NO"
    assert all(".*" != pattern for pattern in voila["file_allowlist"])
    assert settings["VoilaExecutor"]["timeout"] > 0
    # a busy kernel's last output (the app itself) can come seconds after its reply: wait for it rather
    # than draw an empty page (the library's default is 4 s)
    assert settings["VoilaExecutor"]["iopub_timeout"] >= 30
    assert settings["MappingKernelManager"]["cull_idle_timeout"] > 0
    assert settings["Voila"]["ip"] == "127.0.0.1"


def test_only_the_evaluator_keeps_preheated_kernels():
    """Voila gives every notebook a pool of one unless "default" says otherwise."""
    settings = json.loads((REPO_ROOT / "voila.json").read_text())
    pools = settings["VoilaKernelManager"]["kernel_pools_config"]
    assert pools["default"]["pool_size"] == 0
    assert {name for name, pool in pools.items() if pool["pool_size"] > 0} == {"evaluator.ipynb"}


def test_notebooks_are_thin_and_clean():
    for path in NOTEBOOKS.glob("*.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        code = [c for c in notebook.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), path
        assert sum(len(c.source.splitlines()) for c in code) <= 12, (
            f"{path} holds logic: move it to workbook/"
        )
        assert not re.search(r"(?<![\w.])/(?:home|root|tmp|work|Users)/", path.read_text()), path


def test_every_registered_app_has_its_notebook_or_is_not_listed():
    from workbook.apps.registry import available_apps

    assert [a.notebook for a in available_apps()] == [
        a.notebook for a in APPS if (NOTEBOOKS / a.notebook).exists()
    ]
    assert (NOTEBOOKS / "participant.ipynb").exists() and (NOTEBOOKS / "index.ipynb").exists()
