"""Per-channel totals per local day, week, month or any time range."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Literal

import numpy as np
import pandas as pd

from twitchstats._exceptions import MetricsError
from twitchstats.metrics._followers import followers_at, prepare_snapshots
from twitchstats.metrics._inputs import BoolArray, CodeArray, IntArray
from twitchstats.metrics._sessions import MinuteArrays, Sessions, minutes_to_datetimes
from twitchstats.metrics._stats import _peak_columns, _peaks

__all__ = ["DAY_COLUMNS", "Period", "day_stats", "period_stats", "range_stats"]

Period = Literal["day", "week", "month"]

DAY_COLUMNS = (
    "day",
    "channel_id",
    "channel_login",
    "airtime_minutes",
    "hours_watched",
    "average_viewers",
    "peak_viewers",
    "peak_at",
    "streams",
    "followers_gained",
    "polled_minutes",
)
TOTAL_COLUMNS = DAY_COLUMNS[1:-1]

DEFAULT_PERIOD_FOLLOWERS_TOLERANCE = dt.timedelta(hours=12)
# A zone's local date is looked up once per quarter hour instead of once per minute. In the IANA
# database every offset in use since 1972 is a whole number of quarter hours and changes on a
# quarter hour. NOTE: older local mean times (offsets in seconds) would be off by those seconds.
_BLOCK_MINUTES = 15
_EPOCH_DATE = dt.date(1970, 1, 1)


def resolve_zone(timezone: str | dt.tzinfo) -> dt.tzinfo:
    """Return a tzinfo for an IANA name, or raise MetricsError naming the value."""
    if isinstance(timezone, dt.tzinfo):
        return timezone
    try:
        return zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise MetricsError(
            f"invalid time zone {timezone!r}: use an IANA name such as 'Europe/Madrid' or 'UTC'"
        ) from exc


def local_day_numbers(minutes: IntArray, zone: dt.tzinfo) -> IntArray:
    """Return the local calendar day (days since 1970-01-01) of each UTC minute."""
    if len(minutes) == 0:
        return np.zeros(0, dtype=np.int64)
    blocks = np.floor_divide(minutes, _BLOCK_MINUTES)
    first = int(blocks.min())
    block_minutes = np.arange(first, int(blocks.max()) + 1, dtype=np.int64) * _BLOCK_MINUTES
    utc = minutes_to_datetimes(block_minutes)
    local = utc.tz_convert(zone).tz_localize(None)
    local_minutes = local.as_unit("us").asi8 // 60_000_000
    offsets = local_minutes - block_minutes
    days: IntArray = np.floor_divide(minutes + offsets[blocks - first], 1440)
    return days


def day_number(day: dt.date) -> int:
    return (day - _EPOCH_DATE).days


def day_from_number(number: int) -> dt.date:
    return _EPOCH_DATE + dt.timedelta(days=number)


def local_midnight_minute(day: dt.date, zone: dt.tzinfo) -> int:
    """Return the UTC minute at which a local day starts (the first existing local time)."""
    stamp = pd.Timestamp(day).tz_localize(zone, nonexistent="shift_forward", ambiguous=False)
    return int(stamp.tz_convert("UTC").value // 60_000_000_000)


def _period_number(days: IntArray, period: Period) -> IntArray:
    if period == "day":
        return days
    if period == "week":
        # 1970-01-01 was a Thursday; weeks start on Monday.
        return np.floor_divide(days + 3, 7)
    dates = (days.astype("datetime64[D]")).astype("datetime64[M]")
    return dates.astype(np.int64)


def _period_start(number: int, period: Period) -> dt.date:
    if period == "day":
        return day_from_number(number)
    if period == "week":
        return day_from_number(number * 7 - 3)
    year, month = divmod(number, 12)
    return dt.date(1970 + year, month + 1, 1)


def _next_period_start(start: dt.date, period: Period) -> dt.date:
    if period == "day":
        return start + dt.timedelta(days=1)
    if period == "week":
        return start + dt.timedelta(days=7)
    return dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)


def aggregate(arrays: MinuteArrays, key: IntArray) -> pd.DataFrame:
    """Sum live minutes per (channel, key), where key is nondecreasing within each channel.

    Rows of `arrays` are in (session, minute) order and sessions in (channel, time) order, so a
    key that grows with time gives contiguous (channel, key) runs.
    """
    n = len(arrays)
    channel = arrays.channel.codes
    if n == 0:
        return pd.DataFrame(
            {
                "channel_code": pd.Series(dtype=np.int64),
                "key": pd.Series(dtype=np.int64),
                "airtime_minutes": pd.Series(dtype=np.int64),
                "viewer_minutes": pd.Series(dtype=np.float64),
                "peak_viewers": pd.Series(dtype="Int64"),
                "peak_at": pd.Series(dtype="datetime64[us, UTC]"),
                "streams": pd.Series(dtype=np.int64),
                "login_code": pd.Series(dtype=np.int64),
            }
        )
    boundary = np.ones(n, dtype=bool)
    boundary[1:] = (channel[1:] != channel[:-1]) | (key[1:] != key[:-1])
    new_session = np.ones(n, dtype=bool)
    new_session[1:] = arrays.session[1:] != arrays.session[:-1]
    starts = np.flatnonzero(boundary)
    ends = np.append(starts[1:], n) - 1
    if len(starts) > 1 and not _is_sorted_pairs(channel[starts], key[starts]):
        raise MetricsError("internal error: live minutes are not in channel and time order")

    peak, peak_minute = _peaks(arrays.valid_viewers(), arrays.minute, starts)
    peak_viewers, peak_at = _peak_columns(peak, peak_minute)
    return pd.DataFrame(
        {
            "channel_code": channel[starts],
            "key": key[starts],
            "airtime_minutes": np.diff(np.append(starts, n)).astype(np.int64),
            "viewer_minutes": np.add.reduceat(arrays.viewers, starts),
            "peak_viewers": peak_viewers,
            "peak_at": peak_at,
            "streams": np.add.reduceat((new_session | boundary).astype(np.int64), starts),
            "login_code": arrays.login.codes[ends],
        }
    )


def _is_sorted_pairs(first: CodeArray, second: IntArray) -> bool:
    increasing = (first[1:] > first[:-1]) | ((first[1:] == first[:-1]) & (second[1:] > second[:-1]))
    return bool(np.all(increasing))


def _latest_logins(arrays: MinuteArrays) -> dict[str, str]:
    """Map each channel id to the login of its latest live minute.

    Rows are in channel then time order, so a channel's last row is its latest minute.
    """
    n = len(arrays)
    if n == 0:
        return {}
    channel = arrays.channel.codes
    last = np.flatnonzero(np.append(channel[1:] != channel[:-1], True))
    channel_ids = arrays.channel.values.take(channel[last])
    logins = arrays.login.values.take(arrays.login.codes[last])
    return dict(zip(channel_ids.tolist(), logins.tolist(), strict=True))


def period_stats(
    sessions: Sessions,
    *,
    timezone: str | dt.tzinfo = "UTC",
    period: Period = "day",
    start: dt.date | None = None,
    end: dt.date | None = None,
    snapshots: pd.DataFrame | None = None,
    followers_tolerance: dt.timedelta = DEFAULT_PERIOD_FOLLOWERS_TOLERANCE,
    mask: BoolArray | None = None,
    channel_ids: list[str] | None = None,
) -> pd.DataFrame:
    """Compute per-channel totals for each local day, week (Monday first) or month.

    Every live minute counts in the period its own local time falls in, so a stream across
    midnight is split between two days, and days of 23 or 25 hours need no special case.

    Args:
        sessions: output of `sessionise`.
        timezone: IANA zone whose calendar cuts the periods.
        period: "day", "week" or "month".
        start: first local date to report (default: the first date with data or a poll).
        end: last local date to report, inclusive (default: the last date with data or a poll).
        snapshots: follower snapshots. `followers_gained` is the count at the snapshot nearest
            to the end of the period minus the one nearest to its start, each within
            `followers_tolerance`, and NA when either is missing.
        followers_tolerance: how far from a period boundary a snapshot may be.
        mask: live minutes to count (one bool per row of `sessions.arrays`); all when None.
        channel_ids: channels to report, with zero rows where they have no data; default
            every channel with data.

    Returns:
        One row per (period, channel) in `DAY_COLUMNS` order, with `day` renamed
        `period_start` for weeks and months. A period without live minutes has airtime 0,
        hours watched 0.0, average and peak NA and streams 0; `polled_minutes` counts the minutes
        of the period that the collector observed, so a period with no data shows 0 there.
    """
    if period not in ("day", "week", "month"):
        raise MetricsError(f"invalid period {period!r}: use 'day', 'week' or 'month'")
    zone = resolve_zone(timezone)
    arrays = sessions.arrays if mask is None else sessions.arrays.take(np.flatnonzero(mask))

    days = local_day_numbers(arrays.minute, zone)
    key = _period_number(days, period)
    totals = aggregate(arrays, key)
    totals["channel_id"] = arrays.channel.values.take(totals["channel_code"].to_numpy())

    polled_days = local_day_numbers(sessions.polled_minutes, zone)
    first_number, last_number = _default_range(days, polled_days, start, end)
    numbers = np.unique(
        _period_number(np.arange(first_number, last_number + 1, dtype=np.int64), period)
    )
    polled_keys = _period_number(polled_days, period)
    polled_keys = polled_keys[(polled_days >= first_number) & (polled_days <= last_number)]
    polled = pd.Series(polled_keys).value_counts()

    logins = _latest_logins(sessions.arrays)
    wanted = sorted(logins) if channel_ids is None else list(dict.fromkeys(channel_ids))
    grid = pd.MultiIndex.from_product([numbers, wanted], names=["key", "channel_id"])
    frame = totals.set_index(["key", "channel_id"]).reindex(grid).reset_index()

    frame["airtime_minutes"] = frame["airtime_minutes"].fillna(0).astype(np.int64)
    frame["viewer_minutes"] = frame["viewer_minutes"].fillna(0.0).astype(np.float64)
    frame["streams"] = frame["streams"].fillna(0).astype(np.int64)
    frame["hours_watched"] = frame["viewer_minutes"] / 60.0
    frame["average_viewers"] = np.where(
        frame["airtime_minutes"] > 0,
        frame["viewer_minutes"] / frame["airtime_minutes"].clip(lower=1),
        np.nan,
    )
    frame["peak_viewers"] = frame["peak_viewers"].astype("Int64")
    frame["channel_login"] = frame["channel_id"].map(logins).fillna("").astype(str)
    frame["channel_id"] = frame["channel_id"].astype(str)
    frame["polled_minutes"] = frame["key"].map(polled).fillna(0).astype(np.int64)
    starts = [_period_start(int(number), period) for number in frame["key"]]
    frame["day"] = pd.Series(starts, index=frame.index, dtype=object)
    frame["followers_gained"] = _period_followers(
        frame, period, zone, snapshots, followers_tolerance
    )
    frame["peak_at"] = frame["peak_at"].astype("datetime64[us, UTC]")

    result = frame[list(DAY_COLUMNS)].sort_values(["day", "channel_id"], kind="stable")
    result = result.reset_index(drop=True)
    if period != "day":
        result = result.rename(columns={"day": "period_start"})
    return result


def _default_range(
    days: IntArray, polled_days: IntArray, start: dt.date | None, end: dt.date | None
) -> tuple[int, int]:
    known = np.concatenate([days, polled_days])
    if start is None and len(known) == 0 and end is None:
        return 0, -1
    if start is not None:
        first = day_number(start)
    elif len(known):
        first = int(known.min())
    else:
        first = day_number(end) if end is not None else 0
    if end is not None:
        last = day_number(end)
    elif len(known):
        last = int(known.max())
    else:
        last = first
    if last < first:
        raise MetricsError(
            f"invalid range: end {day_from_number(last)} is before start {day_from_number(first)}"
        )
    return first, last


def _period_followers(
    frame: pd.DataFrame,
    period: Period,
    zone: dt.tzinfo,
    snapshots: pd.DataFrame | None,
    tolerance: dt.timedelta,
) -> pd.Series:
    if snapshots is None or frame.empty:
        return pd.Series(pd.NA, index=frame.index, dtype="Int64")
    prepared = prepare_snapshots(snapshots)
    boundaries: dict[dt.date, pd.Timestamp] = {}
    for start in frame["day"].unique():
        for day in (start, _next_period_start(start, period)):
            if day not in boundaries:
                boundaries[day] = pd.Timestamp(
                    local_midnight_minute(day, zone) * 60_000_000, unit="us", tz="UTC"
                )
    period_starts = frame["day"].map(boundaries)
    period_ends = frame["day"].map(lambda day: boundaries[_next_period_start(day, period)])
    at_start = followers_at(
        prepared, frame["channel_id"], period_starts, direction="nearest", tolerance=tolerance
    )
    at_end = followers_at(
        prepared, frame["channel_id"], period_ends, direction="nearest", tolerance=tolerance
    )
    return pd.Series(
        pd.array(at_end.to_numpy() - at_start.to_numpy(), dtype="Int64"), index=frame.index
    )


def day_stats(
    sessions: Sessions,
    *,
    timezone: str | dt.tzinfo = "UTC",
    start: dt.date | None = None,
    end: dt.date | None = None,
    snapshots: pd.DataFrame | None = None,
    followers_tolerance: dt.timedelta = DEFAULT_PERIOD_FOLLOWERS_TOLERANCE,
    channel_ids: list[str] | None = None,
) -> pd.DataFrame:
    """Compute per-channel totals per local day; `period_stats` with `period="day"`."""
    return period_stats(
        sessions,
        timezone=timezone,
        period="day",
        start=start,
        end=end,
        snapshots=snapshots,
        followers_tolerance=followers_tolerance,
        channel_ids=channel_ids,
    )


def range_stats(
    sessions: Sessions,
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    snapshots: pd.DataFrame | None = None,
    followers_tolerance: dt.timedelta = DEFAULT_PERIOD_FOLLOWERS_TOLERANCE,
    mask: BoolArray | None = None,
    channel_ids: list[str] | None = None,
) -> pd.DataFrame:
    """Compute per-channel totals over the minutes in `[start, end)` (aware datetimes).

    Returns:
        One row per channel with the `DAY_COLUMNS` columns except `day` and `polled_minutes`.
        `followers_gained` uses the snapshots nearest to `start` and `end` (NA without both).
    """
    arrays = sessions.arrays
    keep = np.ones(len(arrays), dtype=bool) if mask is None else mask.copy()
    for bound, name in ((start, "start"), (end, "end")):
        if bound is not None and (bound.tzinfo is None or bound.utcoffset() is None):
            raise MetricsError(f"naive {name} {bound.isoformat()}: pass a timezone-aware datetime")
    if start is not None:
        keep &= arrays.minute >= int(pd.Timestamp(start).value // 60_000_000_000)
    if end is not None:
        keep &= arrays.minute < int(pd.Timestamp(end).value // 60_000_000_000)
    selected = arrays.take(np.flatnonzero(keep))
    totals = aggregate(selected, np.zeros(len(selected), dtype=np.int64))
    totals["channel_id"] = selected.channel.values.take(totals["channel_code"].to_numpy())

    logins = _latest_logins(arrays)
    wanted = sorted(logins) if channel_ids is None else list(dict.fromkeys(channel_ids))
    frame = totals.set_index("channel_id").reindex(pd.Index(wanted, name="channel_id"))
    frame = frame.reset_index()
    frame["airtime_minutes"] = frame["airtime_minutes"].fillna(0).astype(np.int64)
    frame["viewer_minutes"] = frame["viewer_minutes"].fillna(0.0).astype(np.float64)
    frame["streams"] = frame["streams"].fillna(0).astype(np.int64)
    frame["hours_watched"] = frame["viewer_minutes"] / 60.0
    frame["average_viewers"] = np.where(
        frame["airtime_minutes"] > 0,
        frame["viewer_minutes"] / frame["airtime_minutes"].clip(lower=1),
        np.nan,
    )
    frame["peak_viewers"] = frame["peak_viewers"].astype("Int64")
    frame["peak_at"] = frame["peak_at"].astype("datetime64[us, UTC]")
    frame["channel_login"] = frame["channel_id"].map(logins).fillna("").astype(str)
    frame["channel_id"] = frame["channel_id"].astype(str)
    if snapshots is not None and start is not None and end is not None and not frame.empty:
        prepared = prepare_snapshots(snapshots)
        count = len(frame)
        at_start = followers_at(
            prepared,
            frame["channel_id"],
            pd.Series([pd.Timestamp(start)] * count),
            direction="nearest",
            tolerance=followers_tolerance,
        )
        at_end = followers_at(
            prepared,
            frame["channel_id"],
            pd.Series([pd.Timestamp(end)] * count),
            direction="nearest",
            tolerance=followers_tolerance,
        )
        frame["followers_gained"] = pd.array(at_end.to_numpy() - at_start.to_numpy(), dtype="Int64")
    else:
        frame["followers_gained"] = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    return frame[list(TOTAL_COLUMNS)].reset_index(drop=True)
