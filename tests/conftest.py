"""Shared fixtures: every test gets its own store and data folder, never the user's."""

from __future__ import annotations

import pytest

from workbook.store import Store


def pytest_collection_modifyitems(config, items):
    """Fast tests first, real-browser tests last."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


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
