"""Fixtures for the fake Helix server tests: a server on a manual clock and a logged-in client."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import httpx
import pytest

from twitchstats._collector._clock import ManualClock
from twitchstats._fakehelix import DEFAULT_CLIENT_SECRET, FakeHelixServer

# A Friday evening in Madrid (21:30 local time), when many simulated channels are live.
EVENING = dt.datetime(2021, 4, 16, 19, 30, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(EVENING)


@pytest.fixture
def server(clock: ManualClock) -> Iterator[FakeHelixServer]:
    with FakeHelixServer(seed=7, channels=300, clock=clock) as running:
        yield running


def _mint_token(client: httpx.Client, server: FakeHelixServer) -> str:
    response = client.post(
        f"{server.auth_base_url}/token",
        data={
            "client_id": server.client_id,
            "client_secret": DEFAULT_CLIENT_SECRET,
            "grant_type": "client_credentials",
        },
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


@pytest.fixture
def helix(server: FakeHelixServer) -> Iterator[httpx.Client]:
    """An httpx client with the Helix base URL and a valid app token."""
    with httpx.Client(base_url=server.helix_base_url, timeout=5) as client:
        token = _mint_token(client, server)
        client.headers["Client-Id"] = server.client_id
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


@pytest.fixture
def mint(server: FakeHelixServer) -> Callable[[httpx.Client], str]:
    """A function that mints a new app token from the server."""
    return lambda client: _mint_token(client, server)
