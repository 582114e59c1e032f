"""Compute stream, day and event statistics from a samples frame, without a database.

Run it with `python examples/metrics_from_frames.py`.
"""

from __future__ import annotations

import pandas as pd

from twitchstats.metrics import (
    EventChannel,
    EventDefinition,
    SessionOptions,
    day_stats,
    event_stats,
    sessionise,
    stream_stats,
)


def channel_samples(channel_id: str, login: str, start: str, viewers: list[int]) -> pd.DataFrame:
    """Build one reading per minute from `start` (UTC), in the storage layer's samples layout."""
    observed = pd.date_range(pd.Timestamp(start, tz="UTC"), periods=len(viewers), freq="min")
    return pd.DataFrame(
        {
            "observed_at": observed,
            "channel_id": channel_id,
            "channel_login": login,
            "stream_id": f"{login}-1",
            "started_at": observed[0],
            "viewer_count": viewers,
            "game_id": "32982",
            "game_name": "Grand Theft Auto V",
            "title": "Marbella Vice",
        }
    )


def main() -> None:
    samples = pd.concat(
        [
            # 23:30 to 00:30 in Madrid: the stream is split between two local days.
            channel_samples("1", "alpha", "2021-04-05 21:30", [1200] * 60),
            channel_samples("2", "beta", "2021-04-05 22:00", [300] * 45),
        ],
        ignore_index=True,
    )
    sessions = sessionise(samples, options=SessionOptions(merge_gap=10))

    streams = stream_stats(sessions)
    print(streams[["channel_login", "started_at", "airtime_minutes", "average_viewers"]])

    days = day_stats(sessions, timezone="Europe/Madrid")
    print(days[["day", "channel_login", "airtime_minutes", "hours_watched"]])

    event = EventDefinition(
        name="Marbella Vice",
        timezone="Europe/Madrid",
        channels=(EventChannel(login="alpha"), EventChannel(login="beta")),
    )
    result = event_stats(sessions, event)
    print(result.totals[["hours_watched", "peak_viewers", "peak_at", "average_viewers"]])


if __name__ == "__main__":
    main()
