"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy

from twitchstats import Database

# Read once at import: the autouse fixture below removes project variables from each test's
# environment, and the PostgreSQL address must survive that.
POSTGRES_URL_ENV = "TWITCHSTATS_TEST_POSTGRES_URL"
_POSTGRES_URL = os.environ.get(POSTGRES_URL_ENV, "")

_CLEARED_PREFIXES = ("TWITCH_", "TWITCHSTATS_", "MVBOT_", "X_API_", "MASTODON_", "BLUESKY_")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test without the project's environment variables, so none leaks in."""
    for name in list(os.environ):
        if name.startswith(_CLEARED_PREFIXES):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """URL of the PostgreSQL server for tests, or a skip when none is configured."""
    if not _POSTGRES_URL:
        pytest.skip(f"no PostgreSQL server: set {POSTGRES_URL_ENV} to run this test")
    return _POSTGRES_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database: a SQLite file, then a fresh schema on the PostgreSQL server.

    The PostgreSQL case gets its own schema (through `search_path`), dropped after the test, so
    parallel test runs never share tables. It skips when no server is configured.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'twitchstats.db'}"
        return

    server_url = request.getfixturevalue("postgres_server_url")
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = sqlalchemy.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        url = sqlalchemy.make_url(server_url).update_query_dict(
            {"options": f"-csearch_path={schema}"}
        )
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the newest schema once, copied by `database` for each test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    with Database(url=f"sqlite:///{path}"):
        pass
    return path


@pytest.fixture
def database(database_url: str, request: pytest.FixtureRequest) -> Iterator[Database]:
    """An open `Database` at the newest schema, on each backend of `database_url`."""
    if database_url.startswith("sqlite:///"):
        # Copying a migrated file is much faster than running the migrations for every test.
        template = request.getfixturevalue("_sqlite_template")
        shutil.copyfile(template, database_url.removeprefix("sqlite:///"))
    with Database(url=database_url) as opened:
        yield opened
