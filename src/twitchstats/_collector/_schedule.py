"""Minute arithmetic of the polling schedule. All times are timezone-aware UTC."""

from __future__ import annotations

import datetime as dt

from twitchstats._collector._clock import ensure_utc

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def floor_to_interval(at: dt.datetime, seconds: int) -> dt.datetime:
    """Return the latest interval boundary at or before `at`, counted from the Unix epoch."""
    at = ensure_utc(at, name="time")
    elapsed = int((at - _EPOCH).total_seconds() // seconds) * seconds
    return _EPOCH + dt.timedelta(seconds=elapsed)


def ceil_to_interval(at: dt.datetime, seconds: int) -> dt.datetime:
    """Return the earliest interval boundary at or after `at`."""
    floor = floor_to_interval(at, seconds)
    return floor if floor == at else floor + dt.timedelta(seconds=seconds)


def boundaries(start: dt.datetime, end: dt.datetime, seconds: int) -> list[dt.datetime]:
    """Return the interval boundaries in `[start, end)`; `start` must be a boundary."""
    step = dt.timedelta(seconds=seconds)
    times = []
    current = start
    while current < end:
        times.append(current)
        current += step
    return times


def followers_moment(day: dt.date, time_of_day: dt.time) -> dt.datetime:
    """Return the UTC moment of a day's follower reads."""
    return dt.datetime.combine(day, time_of_day.replace(tzinfo=None), tzinfo=dt.UTC)
