"""One event day's numbers: rankings, the concurrency curve and how complete the data is."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd

from mvbot._config import EventConfig
from twitchstats import Database
from twitchstats.metrics import event_stats, rank, sessionise

__all__ = ["Coverage", "DayData", "load_day_data", "local_day_bounds", "poll_coverage"]

logger = logging.getLogger(__name__)

# Samples read before the day starts, so that streams running across midnight are stitched
# into sessions the same way as on the day they started.
_LOOKBACK: Final = dt.timedelta(hours=12)
_CHANNEL_RANKINGS: Final = ("average_viewers", "hours_watched", "peak_viewers")


def local_day_bounds(day: dt.date, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """Return the UTC start (inclusive) and end (exclusive) of the local `day` in `zone`."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(dt.UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return start, end.astimezone(dt.UTC)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Coverage:
    """How much of a local day the collector observed.

    Attributes:
        expected_minutes: minutes in the day (1380, 1440 or 1500 around clock changes).
        observed_minutes: minutes covered by an ok or partial poll.
        longest_gap_minutes: the maximum run of minutes without an ok or partial poll.
        missing_minutes: all minutes without an ok or partial poll.
        partial_polls: polls that could not read every channel.
    """

    expected_minutes: int
    observed_minutes: int
    longest_gap_minutes: int
    missing_minutes: int
    partial_polls: int

    @property
    def has_data(self) -> bool:
        """True when at least one poll observed the day."""
        return self.observed_minutes > 0

    def is_partial(self, gap_threshold_minutes: int) -> bool:
        """True when a gap longer than `gap_threshold_minutes` leaves the day incomplete."""
        return self.longest_gap_minutes > gap_threshold_minutes


def poll_coverage(
    polls: pd.DataFrame, day: dt.date, zone: dt.tzinfo, *, interval_seconds: int = 60
) -> Coverage:
    """Measure the collector's coverage of a local day from the polls table.

    A minute counts as observed when its poll interval has an ok or partial poll. A failed poll
    and a missing poll are both gaps: unknown, never offline.
    """
    start, end = local_day_bounds(day, zone)
    step = interval_seconds // 60 or 1
    expected = int((end - start).total_seconds() // 60)
    slots = expected // step

    observed = np.zeros(slots, dtype=bool)
    partial_polls = 0
    if len(polls):
        times = pd.to_datetime(polls["observed_at"], utc=True)
        usable = polls["outcome"].isin(["ok", "partial"]).to_numpy()
        offsets = ((times - pd.Timestamp(start)).dt.total_seconds() // interval_seconds).to_numpy()
        inside = (offsets >= 0) & (offsets < slots) & usable
        observed[offsets[inside].astype(np.int64)] = True
        in_day = (offsets >= 0) & (offsets < slots)
        partial_polls = int(((polls["outcome"] == "partial").to_numpy() & in_day).sum())

    longest = 0
    run = 0
    for seen in observed:
        run = 0 if seen else run + 1
        longest = max(longest, run)
    missing_slots = int((~observed).sum())
    return Coverage(
        expected_minutes=expected,
        observed_minutes=int(observed.sum()) * step,
        longest_gap_minutes=longest * step,
        missing_minutes=missing_slots * step,
        partial_polls=partial_polls,
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class DayData:
    """Everything the post and the infographics need for one local day.

    Attributes:
        day: the local day.
        day_number: the day's number in the event, from 1.
        rankings: ranking frames by metric (`rank` columns), with the previous day as
            reference; only the metrics chosen in the configuration.
        concurrency: the event's viewers per minute on the day, or None when not chosen.
        channels: the channels table, with the event file's display names applied.
        coverage: how complete the collector's data is.
        totals: the event's totals of the day (`hours_watched`, `average_viewers`,
            `peak_viewers`, `channels_live`), or None without data.
        polls: the collector's polls of the day, so that the concurrency curve can tell a
            minute with nobody live from a minute the collector did not observe.
    """

    day: dt.date
    day_number: int
    rankings: Mapping[str, pd.DataFrame]
    concurrency: pd.DataFrame | None
    channels: pd.DataFrame
    coverage: Coverage
    totals: Mapping[str, float] | None
    polls: pd.DataFrame | None = None

    @property
    def has_data(self) -> bool:
        """True when a channel of the event was live and observed on the day."""
        return self.coverage.has_data and any(len(frame) for frame in self.rankings.values())


def _interval_seconds(config: EventConfig) -> int:
    collector = config.raw.get("collector", {})
    value = collector.get("interval_seconds", 60) if isinstance(collector, dict) else 60
    return int(value) if isinstance(value, int) and value >= 60 else 60


def _day_number(database: Database, config: EventConfig, day: dt.date, end: dt.datetime) -> int:
    if config.event.start is not None:
        return max(1, (day - config.event.start).days + 1)
    # Without a start date, the event starts on the first local day with a poll.
    polls = database.read_polls(until=end)
    if not len(polls):
        return 1
    first = pd.to_datetime(polls["observed_at"], utc=True).min().to_pydatetime()
    return max(1, (day - first.astimezone(config.event.zone).date()).days + 1)


def _day_rows(days: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    dates = pd.to_datetime(days["day"]).dt.date
    rows = days.loc[(dates == day).to_numpy()]
    return rows.loc[rows["airtime_minutes"] > 0]


def load_day_data(database: Database, config: EventConfig, day: dt.date) -> DayData:
    """Read the samples and polls around `day` and compute its rankings and coverage."""
    zone = config.event.zone
    previous_day = day - dt.timedelta(days=1)
    day_start, day_end = local_day_bounds(day, zone)
    previous_start, _ = local_day_bounds(previous_day, zone)
    since = previous_start - _LOOKBACK

    polls = database.read_polls(since=since, until=day_end)
    poll_times = pd.to_datetime(polls["observed_at"], utc=True)
    in_day = (poll_times >= pd.Timestamp(day_start)) & (poll_times < pd.Timestamp(day_end))
    day_polls = polls.loc[in_day.to_numpy()].reset_index(drop=True)
    coverage = poll_coverage(polls, day, zone, interval_seconds=_interval_seconds(config))
    channels = database.read_channels()
    channels = _apply_display_names(channels, config)
    day_number = _day_number(database, config, day, day_end)
    chosen: list[str] = [kind for kind in config.mvbot.rankings if kind in _CHANNEL_RANKINGS]

    samples = database.read_samples(since=since, until=day_end)
    if not len(samples):
        logger.warning("no samples for %s on %s", config.event_id, day)
        empty = {
            kind: pd.DataFrame(columns=["rank", "channel_id", "channel_login"]) for kind in chosen
        }
        return DayData(
            day=day,
            day_number=day_number,
            rankings=empty,
            concurrency=None,
            channels=channels,
            coverage=coverage,
            totals=None,
            polls=day_polls,
        )

    snapshots = database.read_follower_snapshots(
        since=previous_start - dt.timedelta(days=1), until=day_end + dt.timedelta(days=1)
    )
    sessions = sessionise(samples, polls)
    start = previous_day
    if config.event.start is not None and start < config.event.start:
        start = config.event.start
    window = dataclasses.replace(config.event, start=min(start, day), end=day)
    stats = event_stats(sessions, window, channels=channels, snapshots=snapshots)

    today = _day_rows(stats.days, day)
    before = _day_rows(stats.days, previous_day)
    rankings = {
        kind: rank(today, kind, previous=before if len(before) else None) for kind in chosen
    }

    concurrency = None
    if "concurrency" in config.mvbot.rankings:
        times = pd.to_datetime(stats.concurrency["observed_at"], utc=True)
        inside = (times >= pd.Timestamp(day_start)) & (times < pd.Timestamp(day_end))
        concurrency = stats.concurrency.loc[inside.to_numpy()].reset_index(drop=True)

    totals = None
    daily_dates = pd.to_datetime(stats.daily["day"]).dt.date
    row = stats.daily.loc[(daily_dates == day).to_numpy()]
    if len(row):
        first = row.iloc[0]
        totals = {
            "hours_watched": float(first["hours_watched"]),
            "average_viewers": float(first["average_viewers"]),
            "peak_viewers": float(first["peak_viewers"]),
            "channels_live": float(first["channels_live"]),
        }

    return DayData(
        day=day,
        day_number=day_number,
        rankings=rankings,
        concurrency=concurrency,
        channels=channels,
        coverage=coverage,
        totals=totals,
        polls=day_polls,
    )


def _apply_display_names(channels: pd.DataFrame, config: EventConfig) -> pd.DataFrame:
    names = {
        channel.login: channel.display_name
        for channel in config.event.channels
        if channel.display_name
    }
    if not names or not len(channels):
        return channels
    channels = channels.copy()
    logins = channels["login"].astype(str)
    override = logins.map(names)
    channels["display_name"] = override.where(override.notna(), channels["display_name"])
    return channels
