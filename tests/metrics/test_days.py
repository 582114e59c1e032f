"""Tests for per-day, per-period and per-range totals, including time zones and DST."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from metrics_series import at, combine, polls, samples
from pandas.testing import assert_frame_equal

from twitchstats import MetricsError
from twitchstats.metrics import (
    SessionOptions,
    day_stats,
    period_stats,
    range_stats,
    sessionise,
    stream_stats,
)

MADRID = "Europe/Madrid"


def minutes_live(start: str, end: str, viewers: int = 60) -> pd.DataFrame:
    """Samples every minute from `start` to `end` exclusive (UTC), all at `viewers`."""
    count = int((at(end) - at(start)) / pd.Timedelta(minutes=1))
    return samples(start, [viewers] * count)


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        # April: Madrid is UTC+2, so 21:30-22:30 UTC is 23:30-00:30 local.
        pytest.param(
            "2021-04-05 21:30",
            "2021-04-05 22:30",
            {dt.date(2021, 4, 5): 30, dt.date(2021, 4, 6): 30},
            id="across-midnight-madrid",
        ),
        # 2021-03-28 has 23 local hours: 2021-03-27 23:00 UTC to 2021-03-28 22:00 UTC.
        pytest.param(
            "2021-03-27 23:00",
            "2021-03-28 22:00",
            {dt.date(2021, 3, 28): 23 * 60},
            id="spring-dst-day-23-hours",
        ),
        # 2021-10-31 has 25 local hours: 2021-10-30 22:00 UTC to 2021-10-31 23:00 UTC.
        pytest.param(
            "2021-10-30 22:00",
            "2021-10-31 23:00",
            {dt.date(2021, 10, 31): 25 * 60},
            id="autumn-dst-day-25-hours",
        ),
        # Local 2021-03-27 23:30 to 2021-03-28 03:30 (UTC+1 then UTC+2): 30 + 180 minutes.
        pytest.param(
            "2021-03-27 22:30",
            "2021-03-28 01:30",
            {dt.date(2021, 3, 27): 30, dt.date(2021, 3, 28): 150},
            id="across-midnight-on-spring-change",
        ),
        # Local 2021-10-30 23:00 (UTC+2) to 2021-10-31 02:00 (UTC+1), with 02:00-03:00 twice.
        pytest.param(
            "2021-10-30 21:00",
            "2021-10-31 01:00",
            {dt.date(2021, 10, 30): 60, dt.date(2021, 10, 31): 180},
            id="across-midnight-on-autumn-change",
        ),
    ],
)
def test_minutes_counted_in_local_day(start: str, end: str, days: dict[dt.date, int]) -> None:
    result = day_stats(sessionise(minutes_live(start, end)), timezone=MADRID)
    assert dict(zip(result["day"], result["airtime_minutes"], strict=True)) == days
    # 60 viewers for one minute is one hour watched.
    assert list(result["hours_watched"]) == [float(minutes) for minutes in days.values()]
    assert list(result["streams"]) == [1] * len(days)
    # Each day's polls come from the same samples, so every minute was observed.
    assert list(result["polled_minutes"]) == list(days.values())


def test_day_with_no_data() -> None:
    frame = combine(
        minutes_live("2021-04-05 18:00", "2021-04-05 19:00"),
        samples("2021-04-07 18:00", [60] * 60),
    )
    poll_frame = pd.concat(
        [
            polls("2021-04-05 18:00", "2021-04-05 18:59"),
            polls("2021-04-07 18:00", "2021-04-07 18:59"),
        ],
        ignore_index=True,
    )
    result = day_stats(sessionise(frame, poll_frame), timezone=MADRID)
    wanted = pd.DataFrame(
        {
            "day": pd.Series(
                [dt.date(2021, 4, 5), dt.date(2021, 4, 6), dt.date(2021, 4, 7)], dtype=object
            ),
            "channel_id": pd.Series(["1", "1", "1"], dtype=str),
            "channel_login": pd.Series(["alpha", "alpha", "alpha"], dtype=str),
            "airtime_minutes": np.array([60, 0, 60], dtype=np.int64),
            "hours_watched": [60.0, 0.0, 60.0],
            "average_viewers": [60.0, np.nan, 60.0],
            "peak_viewers": pd.array([60, pd.NA, 60], dtype="Int64"),
            "peak_at": pd.Series(
                [at("2021-04-05 18:00"), pd.NaT, at("2021-04-07 18:00")],
                dtype="datetime64[us, UTC]",
            ),
            "streams": np.array([1, 0, 1], dtype=np.int64),
            "followers_gained": pd.array([pd.NA] * 3, dtype="Int64"),
            # No poll on 2021-04-06: the day is unknown, not a day off.
            "polled_minutes": np.array([60, 0, 60], dtype=np.int64),
        }
    )
    assert_frame_equal(result, wanted)


def test_explicit_range_adds_empty_days() -> None:
    frame = minutes_live("2021-04-05 18:00", "2021-04-05 19:00")
    result = day_stats(
        sessionise(frame), timezone=MADRID, start=dt.date(2021, 4, 4), end=dt.date(2021, 4, 6)
    )
    assert list(result["day"]) == [dt.date(2021, 4, 4), dt.date(2021, 4, 5), dt.date(2021, 4, 6)]
    assert list(result["airtime_minutes"]) == [0, 60, 0]


def test_week_and_month_periods() -> None:
    # Sunday 2021-04-04 and Monday 2021-04-05 fall in different weeks, the same month.
    frame = combine(
        minutes_live("2021-04-04 18:00", "2021-04-04 19:00"),
        samples("2021-04-05 18:00", [30] * 60, stream_id="s2"),
    )
    sessions = sessionise(frame)
    weeks = period_stats(sessions, timezone=MADRID, period="week")
    assert list(weeks["period_start"]) == [dt.date(2021, 3, 29), dt.date(2021, 4, 5)]
    assert list(weeks["hours_watched"]) == [60.0, 30.0]
    months = period_stats(sessions, timezone=MADRID, period="month")
    assert list(months["period_start"]) == [dt.date(2021, 4, 1)]
    # Average of the month = hours watched / hours live = 90 / 2, not a mean of averages.
    assert list(months["average_viewers"]) == [45.0]
    assert list(months["streams"]) == [2]


def test_range_stats_window() -> None:
    frame = minutes_live("2021-04-05 18:00", "2021-04-05 20:00")
    result = range_stats(
        sessionise(frame), start=at("2021-04-05 18:30"), end=at("2021-04-05 19:00")
    )
    assert list(result["airtime_minutes"]) == [30]
    assert list(result["streams"]) == [1]


def test_period_followers_from_nearest_snapshots() -> None:
    frame = minutes_live("2021-04-05 18:00", "2021-04-05 19:00")
    snapshots = pd.DataFrame(
        {
            "channel_id": ["1", "1"],
            # Madrid midnight of 04-05 is 2021-04-04 22:00 UTC, of 04-06 2021-04-05 22:00 UTC.
            "observed_at": [at("2021-04-05 00:05"), at("2021-04-06 00:05")],
            "followers": pd.array([500, 530], dtype="Int64"),
        }
    )
    result = day_stats(sessionise(frame), timezone=MADRID, snapshots=snapshots)
    assert list(result["followers_gained"]) == [30]


def test_invalid_timezone_named() -> None:
    with pytest.raises(MetricsError, match="Mars/Olympus"):
        day_stats(
            sessionise(minutes_live("2021-04-05 18:00", "2021-04-05 18:05")),
            timezone="Mars/Olympus",
        )


@st.composite
def random_samples(draw: st.DrawFn) -> pd.DataFrame:
    """Up to three channels with a few streams each, over about two days around a DST change."""
    frames = []
    for channel in range(draw(st.integers(1, 3))):
        start = at("2021-03-27 20:00") + pd.Timedelta(minutes=draw(st.integers(0, 600)))
        for number in range(draw(st.integers(1, 3))):
            length = draw(st.integers(1, 200))
            viewers = draw(st.lists(st.integers(0, 5000), min_size=length, max_size=length))
            holes = draw(st.lists(st.integers(0, length - 1), max_size=5))
            values: list[int | None] = list(viewers)
            for hole in holes:
                values[hole] = None
            frames.append(
                samples(
                    start.strftime("%Y-%m-%d %H:%M"),
                    values,
                    channel_id=str(channel + 1),
                    login=f"c{channel + 1}",
                    stream_id=f"s{channel}-{number}",
                )
            )
            start += pd.Timedelta(minutes=length + draw(st.integers(0, 90)))
    return pd.concat(frames, ignore_index=True)


PROPERTY_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(random_samples(), st.integers(0, 20))
def test_hours_watched_is_average_times_airtime(frame: pd.DataFrame, merge_gap: int) -> None:
    streams = stream_stats(sessionise(frame, options=SessionOptions(merge_gap=merge_gap)))
    product = streams["average_viewers"] * streams["airtime_minutes"] / 60
    np.testing.assert_allclose(streams["hours_watched"], product, rtol=1e-12)


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(random_samples())
def test_day_totals_add_up_to_range(frame: pd.DataFrame) -> None:
    sessions = sessionise(frame)
    days = day_stats(sessions, timezone=MADRID)
    total = range_stats(sessions)
    by_channel = days.groupby("channel_id")[["airtime_minutes", "hours_watched"]].sum()
    assert list(by_channel["airtime_minutes"]) == list(total["airtime_minutes"])
    np.testing.assert_allclose(by_channel["hours_watched"], total["hours_watched"], rtol=1e-9)
    streams = stream_stats(sessions)
    assert streams["airtime_minutes"].sum() == total["airtime_minutes"].sum()
    # Peaks of the days never exceed the peak of the whole range.
    assert days["peak_viewers"].max() == total["peak_viewers"].max()


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(random_samples(), st.integers(0, 2**32 - 1))
def test_shuffled_rows_change_nothing(frame: pd.DataFrame, seed: int) -> None:
    shuffled = frame.sample(frac=1.0, random_state=np.random.default_rng(seed))
    shuffled = shuffled.reset_index(drop=True)
    first = sessionise(frame, options=SessionOptions(merge_gap=10))
    second = sessionise(shuffled, options=SessionOptions(merge_gap=10))
    assert_frame_equal(stream_stats(first), stream_stats(second))
    assert_frame_equal(day_stats(first, timezone=MADRID), day_stats(second, timezone=MADRID))
    assert_frame_equal(first.flags, second.flags)
    assert_frame_equal(first.gaps, second.gaps)
