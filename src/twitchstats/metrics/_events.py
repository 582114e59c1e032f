"""Event statistics: attributed minutes of a set of channels, summed on the common minute grid."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re

import numpy as np
import pandas as pd

from twitchstats.metrics._days import (
    DEFAULT_PERIOD_FOLLOWERS_TOLERANCE,
    local_day_numbers,
    local_midnight_minute,
    period_stats,
    range_stats,
)
from twitchstats.metrics._event_config import Attribution, EventDefinition
from twitchstats.metrics._inputs import BoolArray, IntArray
from twitchstats.metrics._rankings import rank
from twitchstats.metrics._sessions import MEASURED, MinuteArrays, Sessions, minutes_to_datetimes

__all__ = ["EventStats", "attributed_minutes", "event_stats"]

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class EventStats:
    """Results of `event_stats`.

    Attributes:
        totals: one row: `event` (str), `hours_watched` (float64), `live_minutes` (int64,
            minutes with at least one attributed channel live), `average_viewers` (float64,
            hours watched / hours live), `peak_viewers` (Int64, largest sum over channels at
            one minute, rounded), `peak_at` (datetime64[us, UTC]), `channels_live` (int64,
            channels with any attributed minute), `airtime_minutes` (int64, summed over
            channels), `streams` (int64).
        concurrency: one row per minute with at least one attributed channel live:
            `observed_at`, `viewers` (float64 sum over channels), `channels_live` (int64) and
            `estimated_channels` (int64, channels whose count at that minute is interpolated).
        channels: one row per event channel, `range_stats` columns plus `display_name` and
            `group` (str, "" when not set); channels without data have zero airtime.
        days: per channel per local day of attributed minutes (`day_stats` columns).
        daily: per local day event totals: `day`, `hours_watched`, `live_minutes`,
            `average_viewers`, `peak_viewers`, `peak_at`, `channels_live`.
        rankings: channels ranked by hours watched over the event (`rank` columns).
        missing_logins: event logins never seen in the data.
    """

    totals: pd.DataFrame
    concurrency: pd.DataFrame
    channels: pd.DataFrame
    days: pd.DataFrame
    daily: pd.DataFrame
    rankings: pd.DataFrame
    missing_logins: tuple[str, ...]


def _attribution_mask(arrays: MinuteArrays, attribution: Attribution) -> BoolArray:
    n = len(arrays)
    if attribution.is_everything:
        return np.ones(n, dtype=bool)
    rules: list[BoolArray] = []
    if attribution.game_ids:
        wanted = set(attribution.game_ids)
        by_code = np.array([value in wanted for value in arrays.game_id.values], dtype=bool)
        rules.append(by_code[arrays.game_id.codes] if n else np.zeros(0, dtype=bool))
    if attribution.title_pattern is not None:
        pattern = re.compile(attribution.title_pattern)
        by_code = np.array(
            [pattern.search(str(value)) is not None for value in arrays.title.values], dtype=bool
        )
        rules.append(by_code[arrays.title.codes] if n else np.zeros(0, dtype=bool))
    combined = rules[0]
    for rule in rules[1:]:
        combined = combined & rule if attribution.match == "all" else combined | rule
    return combined


def _channel_ids_for(
    arrays: MinuteArrays, logins: tuple[str, ...], channels: pd.DataFrame | None
) -> tuple[dict[str, str], tuple[str, ...]]:
    """Map event logins to channel ids, through the samples and an optional channels frame."""
    known: dict[str, str] = {}
    if channels is not None and {"login", "channel_id"} <= set(channels.columns):
        for login, channel_id in zip(channels["login"], channels["channel_id"], strict=True):
            known[str(login).lower()] = str(channel_id)
        if "previous_logins" in channels.columns:
            for previous, channel_id in zip(
                channels["previous_logins"], channels["channel_id"], strict=True
            ):
                if isinstance(previous, list | tuple):
                    for login in previous:
                        known.setdefault(str(login).lower(), str(channel_id))
    if len(arrays):
        pairs = pd.DataFrame(
            {"login": arrays.login.codes, "channel": arrays.channel.codes}
        ).drop_duplicates()
        for login_code, channel_code in zip(pairs["login"], pairs["channel"], strict=True):
            login = str(arrays.login.values[login_code]).lower()
            known.setdefault(login, str(arrays.channel.values[channel_code]))
    found = {login: known[login] for login in logins if login in known}
    missing = tuple(login for login in logins if login not in known)
    return found, missing


def attributed_minutes(
    sessions: Sessions, event: EventDefinition, channels: pd.DataFrame | None = None
) -> BoolArray:
    """Return one bool per live minute of `sessions`: True where the minute counts for the event.

    A minute counts when its channel takes part, its local date lies within the event's dates,
    and it passes the attribution rule. Interpolated minutes take the category and title of the
    reading before them.
    """
    arrays = sessions.arrays
    found, _ = _channel_ids_for(arrays, event.logins, channels)
    wanted = set(found.values())
    channel_in = np.array([value in wanted for value in arrays.channel.values], dtype=bool)
    mask = channel_in[arrays.channel.codes] if len(arrays) else np.zeros(0, dtype=bool)
    mask &= _attribution_mask(arrays, event.attribution)
    zone = event.zone
    if event.start is not None:
        mask &= arrays.minute >= local_midnight_minute(event.start, zone)
    if event.end is not None:
        mask &= arrays.minute < local_midnight_minute(event.end + dt.timedelta(days=1), zone)
    return mask


def event_stats(
    sessions: Sessions,
    event: EventDefinition,
    *,
    channels: pd.DataFrame | None = None,
    snapshots: pd.DataFrame | None = None,
    followers_tolerance: dt.timedelta = DEFAULT_PERIOD_FOLLOWERS_TOLERANCE,
) -> EventStats:
    """Compute an event's totals, concurrency curve, per-channel and per-day statistics.

    Only attributed minutes count (see `attributed_minutes`). The peak is the largest sum of
    all channels' viewers at one minute, never a sum of per-channel peaks, and the average is
    event hours watched divided by the hours in which at least one attributed channel was live.

    Args:
        sessions: output of `sessionise`.
        event: the event definition.
        channels: optional channels frame (`channel_id`, `login`, optional `previous_logins`)
            to find channels whose login changed.
        snapshots: follower snapshots for `followers_gained`.
        followers_tolerance: how far from a boundary a follower snapshot may be.
    """
    arrays = sessions.arrays
    found, missing = _channel_ids_for(arrays, event.logins, channels)
    if missing:
        logger.warning(
            "event %r: no data for %d channels: %s", event.name, len(missing), ", ".join(missing)
        )
    mask = attributed_minutes(sessions, event, channels)
    selected = arrays.take(np.flatnonzero(mask))

    concurrency = _concurrency(selected)
    channel_ids = [found[login] for login in event.logins if login in found]
    start, end = _event_bounds(event, selected)
    per_channel = range_stats(
        sessions,
        start=start,
        end=end,
        snapshots=snapshots,
        followers_tolerance=followers_tolerance,
        mask=mask,
        channel_ids=channel_ids,
    )
    by_login = {channel.login: channel for channel in event.channels}
    login_of = {channel_id: login for login, channel_id in found.items()}
    per_channel["display_name"] = [
        by_login[login_of[channel_id]].display_name or login_of[channel_id]
        for channel_id in per_channel["channel_id"]
    ]
    per_channel["group"] = [
        by_login[login_of[channel_id]].group or "" for channel_id in per_channel["channel_id"]
    ]
    per_channel = per_channel.astype({"display_name": "str", "group": "str"})
    # A channel without attributed minutes has no login among them, so the event's is used.
    blank = (per_channel["channel_login"] == "").to_numpy()
    if blank.any():
        per_channel.loc[blank, "channel_login"] = [
            login_of[channel_id] for channel_id in per_channel.loc[blank, "channel_id"]
        ]

    days = period_stats(
        sessions,
        timezone=event.zone,
        period="day",
        start=event.start,
        end=event.end,
        snapshots=snapshots,
        followers_tolerance=followers_tolerance,
        mask=mask,
        channel_ids=channel_ids,
    )
    return EventStats(
        totals=_totals(event, concurrency, per_channel),
        concurrency=concurrency,
        channels=per_channel,
        days=days,
        daily=_daily(concurrency, event, days),
        rankings=rank(per_channel.loc[per_channel["airtime_minutes"] > 0], "hours_watched"),
        missing_logins=missing,
    )


def _event_bounds(
    event: EventDefinition, selected: MinuteArrays
) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    zone = event.zone
    start = end = None
    if event.start is not None:
        start = pd.Timestamp(
            local_midnight_minute(event.start, zone) * 60_000_000, unit="us", tz="UTC"
        )
    elif len(selected):
        start = pd.Timestamp(int(selected.minute.min()) * 60_000_000, unit="us", tz="UTC")
    if event.end is not None:
        next_day = event.end + dt.timedelta(days=1)
        end = pd.Timestamp(local_midnight_minute(next_day, zone) * 60_000_000, unit="us", tz="UTC")
    elif len(selected):
        end = pd.Timestamp((int(selected.minute.max()) + 1) * 60_000_000, unit="us", tz="UTC")
    return start, end


def _concurrency(selected: MinuteArrays) -> pd.DataFrame:
    if len(selected) == 0:
        return pd.DataFrame(
            {
                "observed_at": pd.Series(dtype="datetime64[us, UTC]"),
                "viewers": pd.Series(dtype=np.float64),
                "channels_live": pd.Series(dtype=np.int64),
                "estimated_channels": pd.Series(dtype=np.int64),
            }
        )
    first = int(selected.minute.min())
    index = selected.minute - first
    size = int(index.max()) + 1
    viewers = np.bincount(index, weights=selected.viewers, minlength=size)
    live = np.bincount(index, minlength=size)
    estimated = np.bincount(index, weights=(selected.kind != MEASURED), minlength=size)
    minutes = np.flatnonzero(live)
    return pd.DataFrame(
        {
            "observed_at": minutes_to_datetimes(minutes + first),
            "viewers": viewers[minutes],
            "channels_live": live[minutes].astype(np.int64),
            "estimated_channels": estimated[minutes].astype(np.int64),
        }
    )


def _round_half_up(value: float) -> int:
    return int(np.floor(value + 0.5))


def _totals(
    event: EventDefinition, concurrency: pd.DataFrame, per_channel: pd.DataFrame
) -> pd.DataFrame:
    live_minutes = len(concurrency)
    viewer_minutes = float(concurrency["viewers"].sum())
    if live_minutes:
        peak_row = int(np.argmax(concurrency["viewers"].to_numpy()))
        peak: object = _round_half_up(float(concurrency["viewers"].iloc[peak_row]))
        peak_at: object = concurrency["observed_at"].iloc[peak_row]
        average = viewer_minutes / live_minutes
    else:
        peak, peak_at, average = pd.NA, pd.NaT, np.nan
    return pd.DataFrame(
        {
            "event": pd.Series([event.name], dtype="str"),
            "hours_watched": [viewer_minutes / 60.0],
            "live_minutes": np.array([live_minutes], dtype=np.int64),
            "average_viewers": [average],
            "peak_viewers": pd.Series([peak], dtype="Int64"),
            "peak_at": pd.Series([peak_at], dtype="datetime64[us, UTC]"),
            "channels_live": np.array(
                [int((per_channel["airtime_minutes"] > 0).sum())], dtype=np.int64
            ),
            "airtime_minutes": np.array(
                [int(per_channel["airtime_minutes"].sum())], dtype=np.int64
            ),
            "streams": np.array([int(per_channel["streams"].sum())], dtype=np.int64),
        }
    )


def _daily(
    concurrency: pd.DataFrame, event: EventDefinition, channel_days: pd.DataFrame
) -> pd.DataFrame:
    minutes: IntArray = np.asarray(
        concurrency["observed_at"].astype("int64") // 60_000_000, dtype=np.int64
    )
    days = local_day_numbers(minutes, event.zone)
    frame = pd.DataFrame(
        {
            "day_number": days,
            "viewers": concurrency["viewers"].to_numpy(),
            "observed_at": concurrency["observed_at"].to_numpy(),
            "channels_live": concurrency["channels_live"].to_numpy(),
        }
    )
    grouped = frame.groupby("day_number", sort=True)
    daily = grouped.agg(
        viewer_minutes=("viewers", "sum"),
        live_minutes=("viewers", "size"),
        peak=("viewers", "max"),
    )
    peak_rows = frame.loc[grouped["viewers"].idxmax().to_numpy()]
    daily["peak_at"] = peak_rows["observed_at"].to_numpy()
    result = pd.DataFrame(
        {
            "day": pd.Series(
                [dt.date(1970, 1, 1) + dt.timedelta(days=int(number)) for number in daily.index],
                dtype=object,
            ),
            "hours_watched": (daily["viewer_minutes"] / 60.0).to_numpy(),
            "live_minutes": daily["live_minutes"].to_numpy().astype(np.int64),
            "average_viewers": (daily["viewer_minutes"] / daily["live_minutes"]).to_numpy(),
            "peak_viewers": pd.array(
                np.floor(daily["peak"].to_numpy() + 0.5).astype(np.int64), dtype="Int64"
            ),
            "peak_at": pd.Series(daily["peak_at"].to_numpy(), dtype="datetime64[us, UTC]"),
        }
    )
    live_per_day = channel_days.loc[channel_days["airtime_minutes"] > 0].groupby("day").size()
    result["channels_live"] = result["day"].map(live_per_day).fillna(0).astype(np.int64)
    return result
