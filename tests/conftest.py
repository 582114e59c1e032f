"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import os

import pytest

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
