"""Shared fixtures: every test gets its own store and data folder, never the user's."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from store_copies import POSTGRES_TEMPLATE, store_copy, store_file

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
        "HTTP_X_WORKBOOK_SESSION",
        "WORKBOOK_SESSION_SECRET_FILE",
        "WORKBOOK_TRUSTED_PROXY",
        "WORKBOOK_TIME_ZONE",
    ):
        monkeypatch.delenv(name, raising=False)
    from workbook.apps.clock import forget_visitor_zone

    forget_visitor_zone()  # a zone a test's page learnt is not the next test's
    return data


@pytest.fixture
def content_drafts(tmp_path, monkeypatch) -> Path:
    """A copy of the content folder that a test may edit, set as the content folder (the authors' drafts)."""
    import shutil

    from workbook import config

    folder = tmp_path / "drafts"
    shutil.copytree(config.REPO_ROOT / "data", folder)
    monkeypatch.setenv("WORKBOOK_CONTENT_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def migrated_store_file(tmp_path_factory) -> Path:
    """An empty store at the newest schema, made once: each test's store starts as a copy of it, so the
    migrations (tested on their own in test_store) do not run again for every test."""
    return store_file(Store(f"sqlite:///{tmp_path_factory.mktemp('template') / 'store.sqlite'}"))


@pytest.fixture(scope="session")
def postgres():
    """One throwaway PostgreSQL server for the run, with a migrated template database each test's
    database is copied from."""
    from workbook.postgres_dev import TemporaryPostgres

    server = TemporaryPostgres()
    try:
        template = Store(server.create_database(POSTGRES_TEMPLATE), migrate=False)
        template.upgrade()
        template.close()
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path, migrated_store_file) -> str:
    """The URL of a new store at the newest schema, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        store_copy(migrated_store_file, tmp_path).close()
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    server = request.getfixturevalue("postgres")
    return server.create_database(f"test_{uuid.uuid4().hex[:12]}", template=POSTGRES_TEMPLATE)


@pytest.fixture
def any_store(store_url) -> Store:
    """A store on each database the workbook supports (tests of the store itself)."""
    opened = Store(store_url)
    yield opened
    opened.close()


@pytest.fixture
def store(tmp_path, migrated_store_file) -> Store:
    opened = store_copy(migrated_store_file, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def as_hub_user(monkeypatch):
    """`as_hub_user(name)`: the environment a hub's spawner gives a person's single-user server (and so its
    kernels), for that hub user."""

    def visiting(user: str) -> None:
        monkeypatch.setenv("JUPYTERHUB_USER", user)
        monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "a-token-of-the-single-user-server")

    return visiting
