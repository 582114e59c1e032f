"""Builders of sample data shared by the storage tests."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from twitchstats import PollRecord, SampleRecord

START = dt.datetime(2021, 4, 5, 18, 0, tzinfo=dt.UTC)


def minute(index: int) -> dt.datetime:
    """Return the poll time `index` minutes after START."""
    return START + dt.timedelta(minutes=index)


def sample(channel: int, viewers: int, **overrides: object) -> SampleRecord:
    """Return a sample of channel number `channel` (id "10<channel>", login "streamer<channel>")."""
    values: dict[str, object] = {
        "channel_id": f"10{channel}",
        "channel_login": f"streamer{channel}",
        "viewer_count": viewers,
        "stream_id": f"40{channel}",
        "started_at": START - dt.timedelta(minutes=30, microseconds=250_000),
        "game_id": "32982",
        "game_name": "Grand Theft Auto V",
        "title": f"Marbella Vice día {channel}",
    }
    values.update(overrides)
    return SampleRecord(**values)  # type: ignore[arg-type]


def ok_poll(index: int, samples: list[SampleRecord]) -> PollRecord:
    """Return an ok poll at minute `index` whose totals match `samples`."""
    observed_at = minute(index)
    return PollRecord(
        observed_at=observed_at,
        requested_at=observed_at + dt.timedelta(microseconds=431_007),
        outcome="ok",
        channels_requested=len(samples) + 1,
        channels_live=len(samples),
        viewers_total=sum(s.viewer_count for s in samples),
        latency_ms=312,
    )


def samples_frame(channels: int, minutes: int, *, seed: int = 7) -> pd.DataFrame:
    """Return a samples DataFrame of `channels` channels live for `minutes` minutes."""
    rng = np.random.default_rng(seed)
    observed = pd.date_range(START, periods=minutes, freq="min", tz="UTC", unit="us")
    rows = len(observed) * channels
    channel = np.tile(np.arange(channels), len(observed))
    game_ids = np.array(["32982", "509658", ""], dtype=object)
    game_names = np.array(["Grand Theft Auto V", "Just Chatting", ""], dtype=object)
    game = (channel % 3 + np.repeat(np.arange(len(observed)) // 120, channels)) % 3
    return pd.DataFrame(
        {
            "observed_at": np.repeat(observed, channels),
            "channel_id": [f"10{c}" for c in channel],
            "channel_login": [f"streamer{c}" for c in channel],
            "stream_id": [f"40{c}" for c in channel],
            "started_at": pd.Series(START - dt.timedelta(minutes=30), index=range(rows)).astype(
                "datetime64[us, UTC]"
            ),
            "viewer_count": rng.integers(0, 50_000, rows),
            "game_id": game_ids[game],
            "game_name": game_names[game],
            "title": [f"Marbella Vice día {c % 7}" for c in channel],
        }
    )
