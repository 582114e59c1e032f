"""The public names of the storage layer: exported, documented and keyword-only."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

import twitchstats

STORAGE_NAMES = [
    "ChannelRecord",
    "Database",
    "FollowerRecord",
    "GameRecord",
    "PollRecord",
    "SampleRecord",
]


@pytest.mark.parametrize("name", STORAGE_NAMES)
def test_name_exported_and_documented(name: str) -> None:
    exported = getattr(twitchstats, name)

    assert name in twitchstats.__all__
    assert exported.__doc__
    assert len(exported.__doc__.strip()) > 40


def test_database_takes_keywords_only() -> None:
    parameters = inspect.signature(twitchstats.Database).parameters.values()

    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters)


@pytest.mark.parametrize("name", [n for n in STORAGE_NAMES if n != "Database"])
def test_records_frozen_and_keyword_only(name: str) -> None:
    record = getattr(twitchstats, name)
    parameters = inspect.signature(record).parameters.values()

    assert dataclasses.is_dataclass(record)
    assert record.__dataclass_params__.frozen
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters)
