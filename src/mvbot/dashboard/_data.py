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
    "EventFigures",
    "EventTotals",
    "StreamRow",
    "category_hours",
    "channel_infos",
    "channel_totals",
    "daily_ranks",
    "event_days",
    "event_figures",
    "event_totals",
    "numbers",
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
DAY_COLUMNS: Final = ("day", "channel_id", "hours_watched", "airtime_minutes")
SAMPLE_COLUMNS: Final = ("observed_at", "channel_id", "viewer_count")


def require_columns(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    """Raise `RenderError` naming the columns of `columns` that `frame` lacks."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise RenderError(
            f"the {name} DataFrame has no column {', '.join(missing)}: pass the {name} table "
            f"from twitchstats (columns {', '.join(columns)})"
        )


def numbers(values: pd.Series) -> pd.Series:
    """Return `values` as float64, with NaN for every missing or non-numeric value.

    The metrics engine returns counts such as `followers_gained` and `peak_viewers` as nullable
    `Int64`, whose `pd.NA` makes `float()` raise TypeError. NaN passes and shows as unknown.
    """
    return pd.to_numeric(values, errors="coerce").astype("float64")


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
                airtime_minutes=_float_or_nan(record["airtime_minutes"]),
                titles=titles,
                categories=categories,
                average_viewers=_float_or_nan(record["average_viewers"]),
                peak_viewers=_float_or_nan(record["peak_viewers"]),
                hours_watched=_float_or_nan(record["hours_watched"]),
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
    # float(pd.NA) raises TypeError: a missing value of a nullable column becomes NaN.
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return number


@dataclass(frozen=True, slots=True)
class ChannelTotals:
    """A channel's totals over all its streams, in every category. NaN is unknown."""

    hours_watched: float
    airtime_hours: float
    average_viewers: float
    peak_viewers: float
    peak_at: pd.Timestamp | None
    streams: int
    followers_gained: float


def channel_totals(
    streams: pd.DataFrame, channel_id: str, followers: pd.DataFrame | None = None
) -> ChannelTotals:
    """Return the channel's totals; the average is hours watched over hours live.

    A sum is unknown (NaN) when every value in it is missing, so a channel whose follower reads
    all failed shows an unknown gain, never 0. With follower snapshots (`channel_id`,
    `observed_at` or `day`, `followers`), the gain is the last known total minus the first,
    which daily snapshots allow even when no stream has a snapshot at its start and end.
    """
    own = streams.loc[streams["channel_id"].astype(str) == channel_id]
    hours_watched = float(numbers(own["hours_watched"]).sum(min_count=1))
    airtime_hours = float(numbers(own["airtime_minutes"]).sum(min_count=1)) / 60
    peaks = numbers(own["peak_viewers"]).reset_index(drop=True)
    peak_viewers = float(peaks.max()) if peaks.notna().any() else math.nan
    peak_at = None
    if not math.isnan(peak_viewers) and "peak_at" in own.columns:
        value = own["peak_at"].iloc[int(peaks.argmax())]
        if not pd.isna(value):
            peak_at = pd.Timestamp(value).tz_convert("UTC")
    gained = math.nan
    if "followers_gained" in own.columns:
        gained = float(numbers(own["followers_gained"]).sum(min_count=1))
    if followers is not None and len(followers):
        from_snapshots = _snapshot_gain(followers, channel_id)
        if not math.isnan(from_snapshots):
            gained = from_snapshots
    return ChannelTotals(
        hours_watched=hours_watched,
        airtime_hours=airtime_hours,
        average_viewers=_ratio(hours_watched, airtime_hours),
        peak_viewers=peak_viewers,
        peak_at=peak_at,
        streams=len(own),
        followers_gained=gained,
    )


def _snapshot_gain(followers: pd.DataFrame, channel_id: str) -> float:
    """Return the last known follower total minus the first, or NaN with fewer than two."""
    own = followers.loc[followers["channel_id"].astype(str) == channel_id]
    time_column = "observed_at" if "observed_at" in own.columns else "day"
    counts = numbers(own["followers"])
    known = own.assign(_count=counts).loc[counts.notna().to_numpy()]
    if len(known) < 2:
        return math.nan
    ordered = known.sort_values(time_column)
    return float(ordered["_count"].iloc[-1] - ordered["_count"].iloc[0])


def _ratio(numerator: float, denominator: float) -> float:
    if math.isnan(numerator) or math.isnan(denominator) or denominator <= 0:
        return math.nan
    return numerator / denominator


@dataclass(frozen=True, slots=True)
class EventFigures:
    """A channel's figures over the event's attributed minutes only (the days table).

    `rank` orders the channels by these hours watched (1 = most). A channel without event hours
    watched has no rank. NaN is unknown.
    """

    rank: int | None
    hours_watched: float
    airtime_hours: float
    average_viewers: float
    peak_viewers: float
    share: float


def event_figures(days: pd.DataFrame, channel_ids: Sequence[str]) -> dict[str, EventFigures]:
    """Return each of `channel_ids`'s event figures, all summed from `days`."""
    frame = pd.DataFrame(
        {
            "channel_id": days["channel_id"].astype(str),
            "hours_watched": numbers(days["hours_watched"]),
            "airtime_minutes": numbers(days["airtime_minutes"]),
            "peak_viewers": numbers(days["peak_viewers"])
            if "peak_viewers" in days.columns
            else math.nan,
        }
    )
    grouped = frame.groupby("channel_id")
    hours = grouped["hours_watched"].sum(min_count=1)
    airtime = grouped["airtime_minutes"].sum(min_count=1) / 60
    peaks = grouped["peak_viewers"].max()
    event_hours = float(frame["hours_watched"].sum(min_count=1))
    ranks = hours.loc[hours > 0].rank(ascending=False, method="min")

    figures = {}
    for channel_id in channel_ids:
        channel_hours = float(hours.get(channel_id, math.nan))
        channel_airtime = float(airtime.get(channel_id, math.nan))
        rank = ranks.get(channel_id)
        figures[channel_id] = EventFigures(
            rank=int(rank) if rank is not None and not pd.isna(rank) else None,
            hours_watched=channel_hours,
            airtime_hours=channel_airtime,
            average_viewers=_ratio(channel_hours, channel_airtime),
            peak_viewers=float(peaks.get(channel_id, math.nan)),
            share=_ratio(channel_hours, event_hours),
        )
    return figures


def event_days(days: pd.DataFrame) -> list[dt.date]:
    """Return the local dates of the days table, oldest first."""
    return sorted(set(pd.to_datetime(days["day"]).dt.date))


def daily_ranks(days: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Return `day, channel_id, rank`: each day's rank by `metric` among the channels live that day.

    A channel with no airtime that day, or no `metric` value, has no row for that day, so a chart
    shows a gap there instead of a last place.
    """
    require_columns(days, ("day", "channel_id", "airtime_minutes", metric), "days")
    frame = pd.DataFrame(
        {
            "day": pd.to_datetime(days["day"]).dt.date,
            "channel_id": days["channel_id"].astype(str),
            "airtime_minutes": numbers(days["airtime_minutes"]),
            "value": numbers(days[metric]),
        }
    )
    frame = frame.loc[(frame["airtime_minutes"] > 0) & frame["value"].notna()]
    frame["rank"] = frame.groupby("day")["value"].rank(ascending=False, method="min").astype(int)
    return frame.loc[:, ["day", "channel_id", "rank"]].sort_values(["day", "rank"])


def category_hours(samples: pd.DataFrame, channel_id: str, sampling_minutes: int) -> pd.DataFrame:
    """Return `game_name, hours_watched` for the channel: Σ viewers × interval per category."""
    own = samples.loc[samples["channel_id"].astype(str) == channel_id]
    if own.empty or "game_name" not in own.columns:
        return pd.DataFrame({"game_name": [], "hours_watched": []})
    hours = (
        numbers(own["viewer_count"]).groupby(own["game_name"].fillna("")).sum()
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
    hours_watched = float(numbers(days["hours_watched"]).sum(min_count=1))
    day_values = event_days(days)
    peak = math.nan
    peak_at = None
    average = math.nan
    if concurrency is not None and len(concurrency):
        # In time order, so that a tied peak is the first one, as on the concurrency chart.
        ordered = concurrency.assign(
            _time=utc_column(concurrency, "observed_at", "concurrency")
        ).sort_values("_time", kind="stable")
        times = ordered["_time"].reset_index(drop=True)
        viewers = numbers(ordered["viewers"]).reset_index(drop=True)
        if viewers.notna().any():
            position = int(viewers.argmax())
            peak = float(viewers.iloc[position])
            peak_at = times.iloc[position]
        if "channels_live" in ordered.columns:
            steps = times.diff().dt.total_seconds().dropna()
            step_hours = (float(steps.median()) if not steps.empty else 60.0) / 3600
            live = numbers(ordered["channels_live"]).fillna(0) > 0
            live_hours = float(live.sum()) * step_hours
            average = _ratio(hours_watched, live_hours)
    return EventTotals(
        hours_watched=hours_watched,
        channels=channels,
        peak_viewers=peak,
        peak_at=peak_at,
        average_viewers=average,
        first_day=min(day_values) if day_values else None,
        last_day=max(day_values) if day_values else None,
    )
