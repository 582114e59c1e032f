"""Per-channel and event-wide numbers for the dashboards, from the metrics DataFrames."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import pandas as pd

from mvbot._exceptions import RenderError

__all__ = [
    "ChannelInfo",
    "ChannelTotals",
    "EventTotals",
    "StreamRow",
    "category_hours",
    "channel_infos",
    "channel_totals",
    "daily_ranks",
    "event_ranks",
    "event_totals",
    "require_columns",
    "stream_rows",
    "utc_column",
]

STREAM_COLUMNS: Final = (
    "channel_id",
    "started_at",
    "ended_at",
    "airtime_minutes",
    "average_viewers",
    "peak_viewers",
    "hours_watched",
)
DAY_COLUMNS: Final = ("day", "channel_id", "hours_watched")
SAMPLE_COLUMNS: Final = ("observed_at", "channel_id", "viewer_count")


def require_columns(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    """Raise `RenderError` naming the columns of `columns` that `frame` lacks."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise RenderError(
            f"the {name} DataFrame has no column {', '.join(missing)}: pass the {name} table "
            f"from twitchstats (columns {', '.join(columns)})"
        )


def utc_column(frame: pd.DataFrame, column: str, name: str) -> pd.Series:
    """Return `frame[column]` as aware UTC timestamps, or raise `RenderError` for naive ones."""
    values = pd.to_datetime(frame[column])
    if values.dt.tz is None:
        raise RenderError(f"{name}.{column} has no time zone: pass timezone-aware UTC timestamps")
    return values.dt.tz_convert("UTC")


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    """Names and picture URL of one channel."""

    channel_id: str
    login: str
    display_name: str
    profile_image_url: str | None


def channel_infos(channels: pd.DataFrame) -> list[ChannelInfo]:
    """Return the table's channels in order; a missing display name falls back to the login."""
    require_columns(channels, ("channel_id", "login"), "channels")
    infos = []
    for row in channels.to_dict("records"):
        login = str(row["login"])
        display_name = row.get("display_name")
        url = row.get("profile_image_url")
        infos.append(
            ChannelInfo(
                channel_id=str(row["channel_id"]),
                login=login,
                display_name=str(display_name)
                if isinstance(display_name, str) and display_name
                else login,
                profile_image_url=url if isinstance(url, str) and url else None,
            )
        )
    return infos


@dataclass(frozen=True, slots=True)
class StreamRow:
    """One stream as listed in a dashboard's table."""

    started_at: pd.Timestamp
    airtime_minutes: float
    titles: tuple[str, ...]
    categories: tuple[str, ...]
    average_viewers: float
    peak_viewers: float
    hours_watched: float
    followers_gained: float


def stream_rows(streams: pd.DataFrame, samples: pd.DataFrame, channel_id: str) -> list[StreamRow]:
    """Return the channel's streams, oldest first, with titles and categories from the samples.

    A stream's samples are the channel's samples between its start and end, so merged restarts
    keep every title and category they had.
    """
    own = streams.loc[streams["channel_id"].astype(str) == channel_id].copy()
    own["_start"] = utc_column(own, "started_at", "streams")
    own["_end"] = utc_column(own, "ended_at", "streams")
    own = own.sort_values("_start", kind="stable")
    channel_samples = samples.loc[samples["channel_id"].astype(str) == channel_id]
    sample_times = utc_column(channel_samples, "observed_at", "samples")

    rows = []
    for record in own.to_dict("records"):
        inside = channel_samples.loc[
            (sample_times >= record["_start"]) & (sample_times <= record["_end"])
        ]
        titles = _distinct(inside, "title")
        if not titles and isinstance(record.get("title"), str):
            titles = (record["title"],)
        categories = _distinct(inside, "game_name")
        if not categories and isinstance(record.get("game_name"), str):
            categories = (record["game_name"],)
        rows.append(
            StreamRow(
                started_at=record["_start"],
                airtime_minutes=float(record["airtime_minutes"]),
                titles=titles,
                categories=categories,
                average_viewers=float(record["average_viewers"]),
                peak_viewers=float(record["peak_viewers"]),
                hours_watched=float(record["hours_watched"]),
                followers_gained=_float_or_nan(record.get("followers_gained")),
            )
        )
    return rows


def _distinct(frame: pd.DataFrame, column: str) -> tuple[str, ...]:
    if column not in frame.columns:
        return ()
    values = [str(value) for value in frame[column].dropna() if str(value)]
    return tuple(dict.fromkeys(values))


def _float_or_nan(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return number


@dataclass(frozen=True, slots=True)
class ChannelTotals:
    """A channel's totals over the event."""

    hours_watched: float
    airtime_hours: float
    average_viewers: float
    peak_viewers: float
    peak_at: pd.Timestamp | None
    streams: int
    followers_gained: float
    share: float
    event_rank: int | None


def channel_totals(
    streams: pd.DataFrame, days: pd.DataFrame, channel_id: str, ranks: pd.Series
) -> ChannelTotals:
    """Return the channel's totals; the average is hours watched over hours live."""
    own = streams.loc[streams["channel_id"].astype(str) == channel_id]
    hours_watched = float(own["hours_watched"].sum())
    airtime_hours = float(own["airtime_minutes"].sum()) / 60
    peak_viewers = float(own["peak_viewers"].max()) if len(own) else math.nan
    peak_at = None
    if len(own) and "peak_at" in own.columns:
        position = int(own["peak_viewers"].astype(float).to_numpy().argmax())
        value = own["peak_at"].iloc[position]
        if not pd.isna(value):
            peak_at = pd.Timestamp(value).tz_convert("UTC")
    followers = None
    if len(own) and "followers_gained" in own.columns:
        followers = pd.to_numeric(own["followers_gained"], errors="coerce")
    event_hours = float(days["hours_watched"].sum())
    rank = ranks.get(channel_id)
    return ChannelTotals(
        hours_watched=hours_watched,
        airtime_hours=airtime_hours,
        average_viewers=hours_watched / airtime_hours if airtime_hours > 0 else math.nan,
        peak_viewers=peak_viewers,
        peak_at=peak_at,
        streams=len(own),
        # A failed follower read stays unknown: the sum is unknown when every value is missing.
        followers_gained=float(followers.sum(min_count=1)) if followers is not None else math.nan,
        share=hours_watched / event_hours if event_hours > 0 else math.nan,
        event_rank=int(rank) if rank is not None and not pd.isna(rank) else None,
    )


def event_ranks(days: pd.DataFrame) -> pd.Series:
    """Return each channel's rank by total hours watched over the event (1 = most)."""
    totals = days.groupby(days["channel_id"].astype(str))["hours_watched"].sum()
    return totals.rank(ascending=False, method="min").astype(int)


def daily_ranks(days: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Return `day, channel_id, rank`: each day's rank by `metric` among the channels that day."""
    require_columns(days, ("day", "channel_id", metric), "days")
    frame = days.loc[:, ["day", "channel_id", metric]].copy()
    frame["channel_id"] = frame["channel_id"].astype(str)
    frame["rank"] = frame.groupby("day")[metric].rank(ascending=False, method="min").astype(int)
    return frame.loc[:, ["day", "channel_id", "rank"]].sort_values(["day", "rank"])


def category_hours(samples: pd.DataFrame, channel_id: str, sampling_minutes: int) -> pd.DataFrame:
    """Return `game_name, hours_watched` for the channel: Σ viewers × interval per category."""
    own = samples.loc[samples["channel_id"].astype(str) == channel_id]
    if own.empty or "game_name" not in own.columns:
        return pd.DataFrame({"game_name": [], "hours_watched": []})
    hours = (
        own["viewer_count"].astype(float).groupby(own["game_name"].fillna("")).sum()
        * sampling_minutes
        / 60
    )
    return hours.rename("hours_watched").rename_axis("game_name").reset_index()


@dataclass(frozen=True, slots=True)
class EventTotals:
    """The event's totals over all channels."""

    hours_watched: float
    channels: int
    peak_viewers: float
    peak_at: pd.Timestamp | None
    average_viewers: float
    first_day: dt.date | None
    last_day: dt.date | None


def event_totals(
    days: pd.DataFrame, concurrency: pd.DataFrame | None, channels: int
) -> EventTotals:
    """Return the event totals; peak and average need the event concurrency."""
    hours_watched = float(days["hours_watched"].sum())
    day_values: list[dt.date] = list(pd.to_datetime(days["day"]).dt.date) if len(days) else []
    peak = math.nan
    peak_at = None
    average = math.nan
    if concurrency is not None and len(concurrency):
        times = utc_column(concurrency, "observed_at", "concurrency")
        viewers = pd.to_numeric(concurrency["viewers"], errors="coerce")
        if viewers.notna().any():
            position = int(viewers.fillna(-1).to_numpy().argmax())
            peak = float(viewers.iloc[position])
            peak_at = times.iloc[position]
        if "channels_live" in concurrency.columns:
            steps = times.sort_values().diff().dt.total_seconds().dropna()
            step_hours = (float(steps.median()) if not steps.empty else 60.0) / 3600
            live = pd.to_numeric(concurrency["channels_live"], errors="coerce").fillna(0) > 0
            live_hours = float(live.sum()) * step_hours
            average = hours_watched / live_hours if live_hours > 0 else math.nan
    return EventTotals(
        hours_watched=hours_watched,
        channels=channels,
        peak_viewers=peak,
        peak_at=peak_at,
        average_viewers=average,
        first_day=min(day_values) if day_values else None,
        last_day=max(day_values) if day_values else None,
    )
