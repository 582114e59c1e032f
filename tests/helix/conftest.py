"""Fixtures for the Helix client tests."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from twitchstats import AsyncHelixClient, HelixClient, RetryPolicy


def _register_fakes() -> None:
    """Make `helix_fakes` importable by the test modules of this folder.

    pytest runs with `--import-mode=importlib`, which leaves sys.path alone, so the shared
    payload helpers are loaded once here, before pytest collects the test modules.
    """
    if "helix_fakes" in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(
        "helix_fakes", Path(__file__).with_name("helix_fakes.py")
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["helix_fakes"] = module
    spec.loader.exec_module(module)


_register_fakes()

from helix_fakes import CLIENT_ID, CLIENT_SECRET, FakeTime  # noqa: E402


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def helix_mock() -> Iterator[respx.MockRouter]:
    """Mock every httpx request; unmatched requests fail the test."""
    with respx.mock(assert_all_called=False) as router:
        yield router


@pytest.fixture
def make_client(
    fake_time: FakeTime, helix_mock: respx.MockRouter
) -> Iterator[Callable[..., HelixClient]]:
    """Build sync clients on the fake clock and the mocked routes, closing them afterwards.

    The routes are passed as `transport=`, which also spares each client the TLS set-up of the
    default transport.
    """
    clients: list[HelixClient] = []

    def build(**overrides: Any) -> HelixClient:
        options: dict[str, Any] = {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "sleep": fake_time.sleep,
            "clock": fake_time.clock,
            "retry": RetryPolicy(),
            "transport": httpx.MockTransport(helix_mock.handler),
        }
        options.update(overrides)
        client = HelixClient(**options)
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


@pytest.fixture
def make_async_client(
    fake_time: FakeTime, helix_mock: respx.MockRouter
) -> Callable[..., AsyncHelixClient]:
    """Build async clients on the fake clock and the mocked routes; tests close them."""

    def build(**overrides: Any) -> AsyncHelixClient:
        options: dict[str, Any] = {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "sleep": fake_time.async_sleep,
            "clock": fake_time.clock,
            "transport": httpx.MockTransport(helix_mock.handler),
        }
        options.update(overrides)
        return AsyncHelixClient(**options)

    return build


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
