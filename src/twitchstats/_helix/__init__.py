"""Typed clients of the Twitch Helix API (private package; import from `twitchstats`)."""

from __future__ import annotations

from twitchstats._helix._async_client import AsyncHelixClient
from twitchstats._helix._client import HelixClient
from twitchstats._helix._config import RetryPolicy
from twitchstats._helix._models import (
    Game,
    MutedSegment,
    RateLimit,
    RequestStats,
    Stream,
    User,
    Video,
    parse_video_duration,
)

__all__ = [
    "AsyncHelixClient",
    "Game",
    "HelixClient",
    "MutedSegment",
    "RateLimit",
    "RequestStats",
    "RetryPolicy",
    "Stream",
    "User",
    "Video",
    "parse_video_duration",
]
