"""Fixtures for the collector tests: a fake Helix server on a shared manual clock."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from twitchstats._collector import Collector, ManualClock
from twitchstats._fakehelix import FakeHelixServer
from twitchstats._storage import Database


def _register_rig() -> None:
    """Make `collector_rig` importable by the test modules of this folder.

    pytest runs with `--import-mode=importlib`, which leaves sys.path alone, so the helper
    module is loaded once here, before pytest collects the test modules.
    """
    if "collector_rig" in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(
        "collector_rig", Path(__file__).with_name("collector_rig.py")
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["collector_rig"] = module
    spec.loader.exec_module(module)


_register_rig()

from collector_rig import EVENING, Rig, build_client, build_config  # noqa: E402


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(EVENING)


@pytest.fixture
def server(clock: ManualClock) -> Iterator[FakeHelixServer]:
    with FakeHelixServer(seed=3, channels=130, clock=clock) as running:
        yield running


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'collector.db'}"


@pytest.fixture
def make_rig(
    server: FakeHelixServer, clock: ManualClock, sqlite_url: str
) -> Iterator[Callable[..., Rig]]:
    """Build a collector; each call gets a new client and collector on the same database."""
    rigs: list[Rig] = []
    databases: list[Database] = []

    def factory(*, url: str | None = None, **settings: Any) -> Rig:
        database = Database(url=url or sqlite_url).open()
        databases.append(database)
        client = build_client(server, clock)
        collector = Collector(
            config=build_config(server, **settings), database=database, client=client, clock=clock
        )
        rig = Rig(server, clock, database, client, collector)
        rigs.append(rig)
        return rig

    yield factory
    for rig in rigs:
        rig.close()
    for database in databases:
        database.close()
