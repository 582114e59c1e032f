"""Storage of polls, viewer samples, channels, games and follower totals in SQL."""

from __future__ import annotations

from twitchstats._storage._database import Database
from twitchstats._storage._records import (
    ChannelRecord,
    FollowerRecord,
    GameRecord,
    PollRecord,
    SampleRecord,
)

__all__ = [
    "ChannelRecord",
    "Database",
    "FollowerRecord",
    "GameRecord",
    "PollRecord",
    "SampleRecord",
]
