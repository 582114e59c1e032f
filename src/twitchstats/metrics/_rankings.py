"""Rankings of channels by any metric, with the change against a previous period."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from twitchstats._exceptions import MetricsError

__all__ = ["RANKING_COLUMNS", "daily_rankings", "rank"]

RANKING_COLUMNS = (
    "rank",
    "channel_id",
    "channel_login",
    "value",
    "previous_rank",
    "rank_change",
    "previous_value",
)


def _ranked(frame: pd.DataFrame, value: str, ascending: bool) -> pd.DataFrame:
    if value not in frame.columns:
        raise MetricsError(
            f"cannot rank by {value!r}: the frame has no such column "
            f"(columns: {', '.join(map(str, frame.columns))})"
        )
    rows = frame.loc[frame[value].notna(), ["channel_id", "channel_login", value]]
    rows = rows.rename(columns={value: "value"})
    rows["value"] = rows["value"].astype(np.float64)
    # Competition ranking ("1224"): tied values share the best rank and leave a hole after.
    rows["rank"] = rows["value"].rank(method="min", ascending=ascending).astype("Int64")
    return rows.sort_values(["rank", "channel_login", "channel_id"], kind="stable")


def rank(
    frame: pd.DataFrame,
    value: str,
    *,
    previous: pd.DataFrame | None = None,
    ascending: bool = False,
) -> pd.DataFrame:
    """Rank the channels of a stats frame by one column.

    Args:
        frame: any frame with `channel_id`, `channel_login` and the `value` column, such as
            the output of `range_stats` or one day of `day_stats`. Rows whose value is NA are
            left out.
        value: the column to rank by, for example "hours_watched" or "peak_viewers".
        previous: the same kind of frame for the previous period; its ranks give
            `previous_rank`, `previous_value` and `rank_change`.
        ascending: rank the smallest value first.

    Returns:
        Columns `rank` (Int64, competition ranking: ties share the best rank, as in 1, 2, 2, 4),
        `channel_id`, `channel_login` (str), `value` (float64), `previous_rank` (Int64, NA for
        channels absent from `previous`), `rank_change` (Int64, previous rank minus rank, so
        a climb is positive) and `previous_value` (float64). Ties are listed by login.
    """
    current = _ranked(frame, value, ascending)
    if previous is not None:
        before = _ranked(previous, value, ascending)[["channel_id", "rank", "value"]]
        before = before.rename(columns={"rank": "previous_rank", "value": "previous_value"})
        current = current.merge(before, on="channel_id", how="left")
    else:
        current["previous_rank"] = pd.array([pd.NA] * len(current), dtype="Int64")
        current["previous_value"] = np.nan
    current["previous_rank"] = current["previous_rank"].astype("Int64")
    current["previous_value"] = current["previous_value"].astype(np.float64)
    current["rank_change"] = (current["previous_rank"] - current["rank"]).astype("Int64")
    current = current.astype({"channel_id": "str", "channel_login": "str"})
    return current[list(RANKING_COLUMNS)].reset_index(drop=True)


def daily_rankings(
    days: pd.DataFrame, value: str = "hours_watched", *, ascending: bool = False
) -> pd.DataFrame:
    """Rank the channels live on each day, against the day before.

    Args:
        days: output of `day_stats` (or `period_stats`; the `period_start` column is used
            then). Rows with no airtime are left out: a channel that did not stream that day
            is not ranked, and the next day it counts as a new entry.
        value: the column to rank by.
        ascending: rank the smallest value first.

    Returns:
        A `day` (or `period_start`) column followed by the `rank` columns, ordered by day
        then rank.
    """
    day_column = "day" if "day" in days.columns else "period_start"
    if value not in days.columns:
        _ranked(days, value, ascending)
    periods = sorted(days[day_column].unique())
    following = dict(itertools.pairwise(periods))

    live = days.loc[(days["airtime_minutes"] > 0) & days[value].notna()]
    current = live[[day_column, "channel_id", "channel_login", value]].rename(
        columns={value: "value"}
    )
    current["value"] = current["value"].astype(np.float64)
    # Competition ranking within each day, as in `rank`.
    current["rank"] = (
        current.groupby(day_column)["value"].rank(method="min", ascending=ascending)
    ).astype("Int64")

    # Each day's ranks become the next day's previous ranks.
    before = current[[day_column, "channel_id", "rank", "value"]].rename(
        columns={"rank": "previous_rank", "value": "previous_value"}
    )
    before[day_column] = before[day_column].map(following)
    before = before.dropna(subset=[day_column])
    merged = current.merge(before, on=[day_column, "channel_id"], how="left")
    merged["previous_rank"] = merged["previous_rank"].astype("Int64")
    merged["previous_value"] = merged["previous_value"].astype(np.float64)
    merged["rank_change"] = (merged["previous_rank"] - merged["rank"]).astype("Int64")
    merged = merged.astype({"channel_id": "str", "channel_login": "str"})
    merged = merged.sort_values([day_column, "rank", "channel_login", "channel_id"], kind="stable")
    merged[day_column] = pd.Series(list(merged[day_column]), index=merged.index, dtype=object)
    return merged[[day_column, *RANKING_COLUMNS]].reset_index(drop=True)
