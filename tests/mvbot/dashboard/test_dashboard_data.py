"""Tests of the dashboard figures computed from the metrics DataFrames."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from mvbot.dashboard._data import channel_totals, daily_ranks, event_figures, numbers

UTC_START = pd.Timestamp("2021-04-15 18:00", tz="UTC")


def _streams(**columns: object) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "channel_id": ["1", "1", "2"],
            "started_at": [UTC_START, UTC_START + pd.Timedelta(days=1), UTC_START],
            "ended_at": [UTC_START + pd.Timedelta(hours=2)] * 3,
            "airtime_minutes": [120, 60, 90],
            "average_viewers": [100.0, 200.0, 50.0],
            "peak_viewers": pd.array([150, 260, 80], dtype="Int64"),
            "peak_at": [UTC_START + pd.Timedelta(minutes=k) for k in (10, 20, 30)],
            "hours_watched": [200.0, 200.0, 75.0],
            "followers_gained": pd.array([12, pd.NA, pd.NA], dtype="Int64"),
        }
    )
    return frame.assign(**columns)


def _days(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    """Days rows of (day, channel id, airtime minutes, hours watched)."""
    return pd.DataFrame(
        {
            "day": [dt.date.fromisoformat(day) for day, _, _, _ in rows],
            "channel_id": [channel for _, channel, _, _ in rows],
            "airtime_minutes": [airtime for _, _, airtime, _ in rows],
            "hours_watched": [hours for _, _, _, hours in rows],
            "peak_viewers": pd.array(
                [pd.NA if airtime == 0 else 10 for _, _, airtime, _ in rows], dtype="Int64"
            ),
        }
    )


def test_numbers_turn_missing_into_nan() -> None:
    values = numbers(pd.Series(pd.array([3, pd.NA], dtype="Int64")))

    assert values.dtype == "float64"
    assert values.iloc[0] == 3.0
    assert math.isnan(values.iloc[1])


def test_channel_totals_nullable_followers() -> None:
    streams = _streams()

    known = channel_totals(streams, "1")
    unknown = channel_totals(streams, "2")

    assert known.followers_gained == 12.0, "the known gain, with the missing one left out"
    assert math.isnan(unknown.followers_gained), "every read failed: unknown, never 0"
    assert unknown.hours_watched == 75.0


def test_channel_totals_peak_skips_missing() -> None:
    streams = _streams(peak_viewers=pd.array([pd.NA, 260, 80], dtype="Int64"))

    totals = channel_totals(streams, "1")

    assert totals.peak_viewers == 260.0
    assert totals.peak_at == UTC_START + pd.Timedelta(minutes=20)


def test_channel_totals_without_streams_unknown() -> None:
    totals = channel_totals(_streams(), "99")

    assert totals.streams == 0
    assert math.isnan(totals.hours_watched)
    assert math.isnan(totals.peak_viewers)
    assert totals.peak_at is None
    assert math.isnan(totals.average_viewers)


def test_event_figures_from_days_only() -> None:
    days = _days(
        [
            ("2021-04-15", "1", 120, 40.0),
            ("2021-04-15", "2", 60, 60.0),
            ("2021-04-15", "3", 0, 0.0),
        ]
    )

    figures = event_figures(days, ["1", "2", "3", "4"])

    assert figures["2"].rank == 1
    assert figures["1"].rank == 2
    assert figures["1"].hours_watched == 40.0
    assert figures["1"].airtime_hours == 2.0
    assert figures["1"].average_viewers == 20.0
    assert figures["1"].share == pytest.approx(0.4)
    assert figures["3"].rank is None, "no event hours watched: no rank"
    assert figures["3"].hours_watched == 0.0
    assert figures["4"].rank is None
    assert math.isnan(figures["4"].hours_watched), "no rows: unknown, not 0"
    assert math.isnan(figures["4"].share)


def test_daily_ranks_leave_out_days_off() -> None:
    days = _days(
        [
            ("2021-04-15", "1", 120, 40.0),
            ("2021-04-15", "2", 60, 60.0),
            ("2021-04-16", "1", 120, 30.0),
            ("2021-04-16", "2", 0, 0.0),
        ]
    )

    ranks = daily_ranks(days, "hours_watched")

    assert list(ranks.itertuples(index=False, name=None)) == [
        (dt.date(2021, 4, 15), "2", 1),
        (dt.date(2021, 4, 15), "1", 2),
        (dt.date(2021, 4, 16), "1", 1),
    ]


def test_daily_ranks_skip_missing_metric() -> None:
    days = _days([("2021-04-15", "1", 120, 40.0), ("2021-04-15", "2", 60, 60.0)])
    days["peak_viewers"] = pd.array([pd.NA, 90], dtype="Int64")

    ranks = daily_ranks(days, "peak_viewers")

    assert list(ranks["channel_id"]) == ["2"]
    assert list(ranks["rank"]) == [1]


def test_channel_totals_followers_from_snapshots() -> None:
    snapshots = pd.DataFrame(
        {
            "channel_id": ["2", "2", "2", "1"],
            "observed_at": [UTC_START + pd.Timedelta(days=k) for k in (2, 0, 1, 0)],
            "followers": pd.array([1_300, 1_000, pd.NA, 50], dtype="Int64"),
        }
    )

    totals = channel_totals(_streams(), "2", snapshots)
    single = channel_totals(_streams(), "1", snapshots)

    assert totals.followers_gained == 300.0, "last known total minus the first"
    assert single.followers_gained == 12.0, "one snapshot: keep the per-stream figure"
