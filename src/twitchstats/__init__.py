"""Measure Twitch audiences around an event.

twitchstats is a typed Twitch Helix client, a per-minute collector that stores viewer samples in
SQL, a metrics engine that turns samples into stream sessions and tracker-grade statistics, and
Plotly chart themes. The public names are listed in `__all__`; everything in a module whose name
starts with an underscore is private.
"""

from __future__ import annotations

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

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "ChartError",
    "ChromiumNotFoundError",
    "ConfigurationError",
    "ExportTimeoutError",
    "HelixError",
    "HelixStatusError",
    "HelixTimeoutError",
    "HelixTransportError",
    "InvalidResponseError",
    "MetricsError",
    "NotFoundError",
    "RateLimitError",
    "SampleImportError",
    "SchemaVersionError",
    "ServerError",
    "StorageError",
    "TwitchStatsError",
    "__version__",
]
