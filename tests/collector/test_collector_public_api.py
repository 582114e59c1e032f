"""The public names of the collector and the fake server: exported, documented, keyword-only."""

from __future__ import annotations

import inspect

import pytest

import twitchstats

COLLECTOR_NAMES = [
    "AcceleratedClock",
    "ChannelSpec",
    "Clock",
    "Collector",
    "CollectorConfig",
    "CollectorRun",
    "FakeHelixFault",
    "FakeHelixServer",
    "FaultKind",
    "ManualClock",
    "SystemClock",
]


@pytest.mark.parametrize("name", COLLECTOR_NAMES)
def test_name_exported_and_documented(name: str) -> None:
    assert name in twitchstats.__all__
    exported = getattr(twitchstats, name)
    assert exported.__doc__
    assert exported.__module__.startswith(("twitchstats._collector", "twitchstats._fakehelix"))


@pytest.mark.parametrize(
    "name", ["Collector", "CollectorConfig", "FakeHelixServer", "FakeHelixFault"]
)
def test_construction_is_keyword_only(name: str) -> None:
    parameters = inspect.signature(getattr(twitchstats, name)).parameters.values()
    positional = [p.name for p in parameters if p.kind is not inspect.Parameter.KEYWORD_ONLY]
    assert positional == []


def test_collector_methods_documented() -> None:
    for method in ("run", "poll_once", "refresh_channels"):
        assert getattr(twitchstats.Collector, method).__doc__, method


def test_all_is_sorted() -> None:
    assert twitchstats.__all__ == sorted(twitchstats.__all__)
