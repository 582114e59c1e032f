"""Measure Twitch audiences around an event.

twitchstats is a typed Twitch Helix client, a per-minute collector that stores viewer samples in
SQL, a metrics engine that turns samples into stream sessions and tracker-grade statistics, and
Plotly chart themes. The public names are listed in `__all__`; everything in a module whose name
starts with an underscore is private.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from twitchstats._exceptions import (
    AuthenticationError,
    BadRequestError,
    ChartError,
    ChromiumNotFoundError,
    ConfigurationError,
    ExportTimeoutError,
    HelixError,
    HelixStatusError,
    HelixTimeoutError,
    HelixTransportError,
    InvalidResponseError,
    MetricsError,
    NotFoundError,
    RateLimitError,
    SampleImportError,
    SchemaVersionError,
    ServerError,
    StorageError,
    TwitchStatsError,
)
from twitchstats._version import __version__

if TYPE_CHECKING:
    from twitchstats._collector import (
        AcceleratedClock,
        ChannelSpec,
        Clock,
        Collector,
        CollectorConfig,
        CollectorRun,
        ManualClock,
        SystemClock,
    )
    from twitchstats._fakehelix import FakeHelixFault, FakeHelixServer, FaultKind
    from twitchstats._helix import (
        AsyncHelixClient,
        Game,
        HelixClient,
        MutedSegment,
        RateLimit,
        RequestStats,
        RetryPolicy,
        Stream,
        User,
        Video,
        parse_video_duration,
    )
    from twitchstats._storage import (
        ChannelRecord,
        Database,
        FollowerRecord,
        GameRecord,
        PollRecord,
        SampleRecord,
    )

__all__ = [
    "AcceleratedClock",
    "AsyncHelixClient",
    "AuthenticationError",
    "BadRequestError",
    "ChannelRecord",
    "ChannelSpec",
    "ChartError",
    "ChromiumNotFoundError",
    "Clock",
    "Collector",
    "CollectorConfig",
    "CollectorRun",
    "ConfigurationError",
    "Database",
    "ExportTimeoutError",
    "FakeHelixFault",
    "FakeHelixServer",
    "FaultKind",
    "FollowerRecord",
    "Game",
    "GameRecord",
    "HelixClient",
    "HelixError",
    "HelixStatusError",
    "HelixTimeoutError",
    "HelixTransportError",
    "InvalidResponseError",
    "ManualClock",
    "MetricsError",
    "MutedSegment",
    "NotFoundError",
    "PollRecord",
    "RateLimit",
    "RateLimitError",
    "RequestStats",
    "RetryPolicy",
    "SampleImportError",
    "SampleRecord",
    "SchemaVersionError",
    "ServerError",
    "StorageError",
    "Stream",
    "SystemClock",
    "TwitchStatsError",
    "User",
    "Video",
    "__version__",
    "parse_video_duration",
]

# Public name -> private module that defines it. These load on first access, so that importing
# twitchstats for its Helix client does not load pandas, SQLAlchemy or Alembic.
_LAZY: dict[str, str] = {
    "AcceleratedClock": "twitchstats._collector",
    "AsyncHelixClient": "twitchstats._helix",
    "ChannelRecord": "twitchstats._storage",
    "ChannelSpec": "twitchstats._collector",
    "Clock": "twitchstats._collector",
    "Collector": "twitchstats._collector",
    "CollectorConfig": "twitchstats._collector",
    "CollectorRun": "twitchstats._collector",
    "Database": "twitchstats._storage",
    "FakeHelixFault": "twitchstats._fakehelix",
    "FakeHelixServer": "twitchstats._fakehelix",
    "FaultKind": "twitchstats._fakehelix",
    "FollowerRecord": "twitchstats._storage",
    "Game": "twitchstats._helix",
    "GameRecord": "twitchstats._storage",
    "HelixClient": "twitchstats._helix",
    "ManualClock": "twitchstats._collector",
    "MutedSegment": "twitchstats._helix",
    "PollRecord": "twitchstats._storage",
    "RateLimit": "twitchstats._helix",
    "RequestStats": "twitchstats._helix",
    "RetryPolicy": "twitchstats._helix",
    "SampleRecord": "twitchstats._storage",
    "Stream": "twitchstats._helix",
    "SystemClock": "twitchstats._collector",
    "User": "twitchstats._helix",
    "Video": "twitchstats._helix",
    "parse_video_duration": "twitchstats._helix",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'twitchstats' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
