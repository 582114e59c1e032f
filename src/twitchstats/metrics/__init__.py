"""The metrics engine: stream sessions, per-stream, per-day and per-event statistics, rankings.

Everything works on pandas DataFrames: the samples and polls frames of the storage layer go in
(`sessionise`), documented frames come out. `docs/metrics.md` defines every number, lists the
columns with their dtypes, and compares the results with TwitchTracker and StreamsCharts.
"""

from __future__ import annotations

from twitchstats.metrics._days import DAY_COLUMNS, Period, day_stats, period_stats, range_stats
from twitchstats.metrics._event_config import Attribution, EventChannel, EventDefinition
from twitchstats.metrics._events import EventStats, attributed_minutes, event_stats
from twitchstats.metrics._options import SessionOptions
from twitchstats.metrics._rankings import RANKING_COLUMNS, daily_rankings, rank
from twitchstats.metrics._sessions import READING_KINDS, Sessions, sessionise
from twitchstats.metrics._stats import CATEGORY_COLUMNS, STREAM_COLUMNS, stream_stats, title_history
from twitchstats.metrics._table import (
    UpdateSummary,
    load_sessions,
    read_stream_stats,
    update_stream_stats,
)
from twitchstats.metrics._twitchtracker import TWITCHTRACKER_COLUMNS, twitchtracker_stats

__all__ = [
    "CATEGORY_COLUMNS",
    "DAY_COLUMNS",
    "RANKING_COLUMNS",
    "READING_KINDS",
    "STREAM_COLUMNS",
    "TWITCHTRACKER_COLUMNS",
    "Attribution",
    "EventChannel",
    "EventDefinition",
    "EventStats",
    "Period",
    "SessionOptions",
    "Sessions",
    "UpdateSummary",
    "attributed_minutes",
    "daily_rankings",
    "day_stats",
    "event_stats",
    "load_sessions",
    "period_stats",
    "range_stats",
    "rank",
    "read_stream_stats",
    "sessionise",
    "stream_stats",
    "title_history",
    "twitchtracker_stats",
    "update_stream_stats",
]
