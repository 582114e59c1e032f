"""Builders of small samples and polls frames for the metrics tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

UTC = dt.UTC


def at(text: str) -> pd.Timestamp:
    """Parse a UTC time such as "2021-04-05 10:00" or "2021-04-05 10:00:07"."""
    return pd.Timestamp(text, tz="UTC")


def samples(
    start: str,
    viewers: Sequence[int | None],
    *,
    channel_id: str = "1",
    login: str = "alpha",
    stream_id: str = "s1",
    started_at: str | None = None,
    games: Sequence[str] | None = None,
    titles: Sequence[str] | None = None,
    step_minutes: int = 1,
    offsets_seconds: Sequence[int] | None = None,
) -> pd.DataFrame:
    """One channel's samples, one per `step_minutes` from `start`; None is a minute without a row.

    `games` and `titles` give one value per entry of `viewers`; `offsets_seconds` shifts each
    observation time by that many seconds to imitate polls that are not exactly on the minute.
    """
    first = at(start)
    kept = [index for index, count in enumerate(viewers) if count is not None]
    offsets = [offsets_seconds[index] if offsets_seconds else 0 for index in kept]
    observed = first + pd.to_timedelta(
        [index * step_minutes * 60 + offset for index, offset in zip(kept, offsets, strict=True)],
        unit="s",
    )
    game_ids = [games[index] if games is not None else "32982" for index in kept]
    return pd.DataFrame(
        {
            "observed_at": observed,
            "channel_id": channel_id,
            "channel_login": login,
            "stream_id": stream_id,
            "started_at": at(started_at) if started_at else first,
            "viewer_count": pd.array([viewers[index] for index in kept], dtype="int64"),
            "game_id": game_ids,
            "game_name": [f"Game {game}" for game in game_ids],
            "title": [titles[index] if titles is not None else "Marbella Vice" for index in kept],
        }
    )


def combine(*frames: pd.DataFrame) -> pd.DataFrame:
    """Concatenate samples frames."""
    return pd.concat(frames, ignore_index=True)


def polls(start: str, end: str, *, missing: Sequence[tuple[str, str]] = ()) -> pd.DataFrame:
    """An ok poll every minute from `start` to `end` inclusive, except the `missing` ranges.

    Each missing range is `(first, last)`, both inclusive; those minutes get a failed poll.
    """
    minutes = pd.date_range(at(start), at(end), freq="min")
    outcome = pd.Series("ok", index=minutes)
    for first, last in missing:
        outcome[(minutes >= at(first)) & (minutes <= at(last))] = "failed"
    return pd.DataFrame(
        {
            "observed_at": minutes,
            "outcome": outcome.to_numpy(),
            "unobserved_channel_ids": [()] * len(minutes),
        }
    )
