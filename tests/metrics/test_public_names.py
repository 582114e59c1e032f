"""Tests for the public surface of `twitchstats.metrics`."""

from __future__ import annotations

import twitchstats.metrics

EXPECTED = {
    "CATEGORY_COLUMNS",
    "DAY_COLUMNS",
    "RANKING_COLUMNS",
    "READING_KINDS",
    "STREAM_COLUMNS",
    "TWITCHTRACKER_COLUMNS",
    "Attribution",
    "EventChannel",
    "EventDefinition",
    "EventStats",
    "Period",
    "SessionOptions",
    "Sessions",
    "UpdateSummary",
    "attributed_minutes",
    "daily_rankings",
    "day_stats",
    "event_stats",
    "load_sessions",
    "period_stats",
    "range_stats",
    "rank",
    "read_stream_stats",
    "sessionise",
    "stream_stats",
    "title_history",
    "twitchtracker_stats",
    "update_stream_stats",
}


def test_public_names_exact() -> None:
    assert set(twitchstats.metrics.__all__) == EXPECTED
    assert len(set(twitchstats.metrics.__all__)) == len(twitchstats.metrics.__all__)


def test_public_names_importable() -> None:
    for name in twitchstats.metrics.__all__:
        assert hasattr(twitchstats.metrics, name), name
