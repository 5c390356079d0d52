"""Shared fixtures: every test gets its own store and data folder, never the user's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from workbook.store import Store


def pytest_configure(config):
    """Tests run in two worker processes (pytest-xdist): each worker gets its own data folder, so the
    notebooks it runs (whose kernels read WORKBOOK_DATA_DIR) never share a store with the other's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    base = os.environ.get("WORKBOOK_DATA_DIR")
    if worker and base:
        folder = Path(base) / worker
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["WORKBOOK_DATA_DIR"] = str(folder)


def pytest_collection_modifyitems(config, items):
    """Real-browser tests first and together, everything else a file at a time.

    With two processes (``-n 2 --dist loadgroup``) one takes the browser tests, one after the other, while
    the other runs the logic tests and notebooks: browser pages are never slowed by a second browser, and a
    notebook's cells stay together in one process."""
    is_browser = {item: item.get_closest_marker("browser") is not None for item in items}
    items.sort(key=lambda item: not is_browser[item])
    for item in items:
        group = "browser" if is_browser[item] else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory, monkeypatch):
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("WORKBOOK_DATA_DIR", str(data))
    monkeypatch.delenv("WORKBOOK_DATABASE_URL", raising=False)
    monkeypatch.delenv("WORKBOOK_CONTENT_DIR", raising=False)
    monkeypatch.delenv("WORKBOOK_ANONYMITY_THRESHOLD", raising=False)
    for name in (
        "QUERY_STRING",
        "HTTP_X_WORKBOOK_CLIENT",
        "HTTP_X_FORWARDED_FOR",
        "WORKBOOK_TRUSTED_PROXY",
        "WORKBOOK_TIME_ZONE",
    ):
        monkeypatch.delenv(name, raising=False)
    from workbook.apps.clock import forget_visitor_zone

    forget_visitor_zone()  # a zone a test's page learnt is not the next test's
    return data


@pytest.fixture
def store(tmp_path) -> Store:
    opened = Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    yield opened
    opened.close()
