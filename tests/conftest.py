"""Fixtures: every storage-touching test runs on SQLite, and on PostgreSQL when
ACCOUNTS_CENTER_TEST_POSTGRES_URL is set (CI sets it)."""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

# pytest-xdist's workers inherit COLUMNS=80 and LINES=24; the CLI's Rich consoles, made at
# import, would keep that width for good, whatever width a test then asks for.
os.environ.pop("COLUMNS", None)
os.environ.pop("LINES", None)

import pytest
from sqlalchemy import create_engine, text
from starlette.testclient import TestClient

from accounts_center.hub import Hub, build_hub
from accounts_center.store import migrate
from accounts_center.store.schema import metadata
from accounts_center.web.app import create_app
from tests.support import FakeClock, cheap_settings

POSTGRES_URL = os.environ.get("ACCOUNTS_CENTER_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def with_search_path(url: str, schema: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "hub.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    """A private schema in the test database, migrated once, dropped at the end."""
    schema = f"ac_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = with_search_path(POSTGRES_URL, schema)
    migrate.upgrade(url)
    try:
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of each backend."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "hub.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    url: str = request.getfixturevalue("postgres_schema_url")
    yield url
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def hub(database_url: str, clock: FakeClock) -> Iterator[Hub]:
    built = build_hub(cheap_settings(database_url), clock=clock)
    yield built
    # Archives build on threads of their own: let any a test started finish before the
    # database is emptied under them.
    for thread in threading.enumerate():
        if thread.name.startswith("archive-"):
            thread.join(timeout=30)
    built.close()


@pytest.fixture
def client(hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(hub), base_url="http://testserver",
                    follow_redirects=False) as test_client:
        yield test_client
