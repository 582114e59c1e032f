"""Tests for the TwitchTracker method on synthetic series computed by hand."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from metrics_series import at, samples

from twitchstats.metrics import SessionOptions, sessionise, twitchtracker_stats

NUMBERS = [
    "started_at",
    "ended_at",
    "airtime_minutes",
    "average_viewers",
    "peak_viewers",
    "hours_watched",
    "samples",
]


def numbers(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = frame[NUMBERS].astype(object).to_dict("records")
    return [
        {key: (None if value is pd.NA else value) for key, value in row.items()} for row in rows
    ]


CASES = [
    pytest.param(
        # Started 20:03:30; per-minute readings 20:04-21:01, all 100 except 51 at 20:20.
        # Samples on the 10-minute grid: 20:10, 20:20, 20:30, 20:40, 20:50, 21:00.
        # Average (5 x 100 + 51) / 6 = 91.83 -> 92. End = 21:00 + 5 min = 21:05.
        # Duration floor(61.5 min) = 61. Hours watched floor(92 x 61 / 60) = floor(93.53) = 93.
        samples(
            "2021-01-01 20:04", [100] * 16 + [51] + [100] * 41, started_at="2021-01-01 20:03:30"
        ),
        {},
        {
            "started_at": at("2021-01-01 20:03:30"),
            "ended_at": at("2021-01-01 21:05"),
            "airtime_minutes": 61,
            "average_viewers": 92,
            "peak_viewers": 100,
            "hours_watched": 93,
            "samples": 6,
        },
        id="grid-subsample-and-end",
    ),
    pytest.param(
        # Started 20:06:00. 20:10 is 4 minutes after the start: out of the average (rule of
        # 5 minutes) but still the peak. Grid samples: 20:10 = 900, 20:20 = 10, 20:30 = 11.
        # Average (10 + 11) / 2 = 10.5 -> 11 (half up). End 20:35, duration 29.
        # Hours watched floor(11 x 29 / 60) = floor(5.32) = 5.
        samples(
            "2021-01-01 20:07",
            [5, 5, 5, 900, 5, 5, 5, 5, 5, 5, 5, 5, 5, 10] + [5] * 9 + [11],
            started_at="2021-01-01 20:06",
        ),
        {},
        {
            "started_at": at("2021-01-01 20:06"),
            "ended_at": at("2021-01-01 20:35"),
            "airtime_minutes": 29,
            "average_viewers": 11,
            "peak_viewers": 900,
            "hours_watched": 5,
            "samples": 2,
        },
        id="start-exclusion-and-half-up",
    ),
    pytest.param(
        # Started 12:00:00 with readings 12:00-12:40 at 300, but 12:20 is missing (collector
        # gap). Grid samples 12:10, 12:30, 12:40 (12:00 is within 5 minutes of the start).
        # Average 300. The last sample is 12:40, so the end is 12:45 and the duration 45
        # minutes: the missing sample shortens nothing. Hours watched 300 x 45 / 60 = 225.
        samples(
            "2021-01-01 12:00", [300] * 20 + [None] + [300] * 20, started_at="2021-01-01 12:00"
        ),
        {},
        {
            "started_at": at("2021-01-01 12:00"),
            "ended_at": at("2021-01-01 12:45"),
            "airtime_minutes": 45,
            "average_viewers": 300,
            "peak_viewers": 300,
            "hours_watched": 225,
            "samples": 3,
        },
        id="missing-sample-dropped",
    ),
    pytest.param(
        # Same stream as the first case on a 5-minute grid: samples 20:05 (out: 1.5 minutes
        # after the start), 20:10, 20:15, 20:20 = 51, ..., 21:00: eleven in the mean.
        # Average (10 x 100 + 51) / 11 = 95.5 -> 96. End 21:00 + 2.5 min = 21:02:30,
        # duration floor(59) = 59. Hours watched floor(96 x 59 / 60) = floor(94.4) = 94.
        samples(
            "2021-01-01 20:04", [100] * 16 + [51] + [100] * 41, started_at="2021-01-01 20:03:30"
        ),
        {"interval_minutes": 5},
        {
            "started_at": at("2021-01-01 20:03:30"),
            "ended_at": at("2021-01-01 21:02:30"),
            "airtime_minutes": 59,
            "average_viewers": 96,
            "peak_viewers": 100,
            "hours_watched": 94,
            "samples": 11,
        },
        id="five-minute-interval",
    ),
    pytest.param(
        # A stream of 3 minutes has no grid sample: end = started_at + 5 minutes, no average.
        samples("2021-01-01 20:01", [40, 50, 60], started_at="2021-01-01 20:00:20"),
        {},
        {
            "started_at": at("2021-01-01 20:00:20"),
            "ended_at": at("2021-01-01 20:05:20"),
            "airtime_minutes": 5,
            "average_viewers": None,
            "peak_viewers": 0,
            "hours_watched": None,
            "samples": 0,
        },
        id="no-grid-sample",
    ),
]


@pytest.mark.parametrize(("frame", "parameters", "wanted"), CASES)
def test_twitchtracker_rules(
    frame: pd.DataFrame, parameters: dict[str, Any], wanted: dict[str, Any]
) -> None:
    result = twitchtracker_stats(sessionise(frame), **parameters)
    assert numbers(result) == [wanted]


def test_twitchtracker_keeps_flagged_spike() -> None:
    # TwitchTracker has no guard: the spike at 20:20 counts in its peak and average.
    # Samples 20:10 = 100, 20:20 = 5000, 20:30 = 100: average 1733.3 -> 1733.
    frame = samples(
        "2021-01-01 20:00", [100] * 20 + [5000] + [100] * 10, started_at="2021-01-01 20:00"
    )
    sessions = sessionise(frame)
    assert len(sessions.flags) == 1
    result = twitchtracker_stats(sessions)
    assert result["peak_viewers"].iloc[0] == 5000
    assert result["average_viewers"].iloc[0] == 1733


def test_twitchtracker_per_game() -> None:
    # Started 20:03:30, readings 20:04-21:01; game A until 20:29, B 20:30-20:49, A again.
    # Pieces: A 20:03:30-20:30 (26.5 min) + A 20:50-21:05 (15 min) = 41.5 -> 41 minutes;
    # B 20:30-20:50 = 20 minutes. A samples 20:10 = 100, 20:20 = 51, 20:50 = 100, 21:00 = 100:
    # average 351 / 4 = 87.75 -> 88, hours watched floor(88 x 41 / 60) = 60.
    # B samples 20:30, 20:40 = 100: average 100, hours watched floor(100 x 20 / 60) = 33.
    games = ["A"] * 26 + ["B"] * 20 + ["A"] * 12
    frame = samples(
        "2021-01-01 20:04",
        [100] * 16 + [51] + [100] * 41,
        started_at="2021-01-01 20:03:30",
        games=games,
    )
    result = twitchtracker_stats(sessionise(frame), by_category=True)
    assert list(result["game_id"]) == ["A", "B"]
    assert list(result["airtime_minutes"]) == [41, 20]
    assert list(result["average_viewers"]) == [88, 100]
    assert list(result["hours_watched"]) == [60, 33]
    assert list(result["game_name"]) == ["Game A", "Game B"]


def test_twitchtracker_merges_restarts_when_asked() -> None:
    first = samples("2021-01-01 20:00", [100] * 30, stream_id="s1", started_at="2021-01-01 20:00")
    second = samples("2021-01-01 20:32", [100] * 30, stream_id="s2", started_at="2021-01-01 20:32")
    frame = pd.concat([first, second], ignore_index=True)
    apart = twitchtracker_stats(sessionise(frame))
    merged = twitchtracker_stats(sessionise(frame, options=SessionOptions(merge_gap=5)))
    assert len(apart) == 2
    assert len(merged) == 1
    # Merged: 20:00 to the last grid sample 21:00 plus 5 minutes.
    assert merged["airtime_minutes"].iloc[0] == 65
    assert merged["stream_ids"].iloc[0] == ["s1", "s2"]
