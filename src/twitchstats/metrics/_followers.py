"""Follower counts at given instants, from follower snapshots."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import numpy as np
import pandas as pd

from twitchstats._exceptions import MetricsError

__all__ = ["followers_at", "prepare_snapshots"]


def prepare_snapshots(snapshots: pd.DataFrame) -> pd.DataFrame:
    """Return `channel_id, observed_at, followers` rows with known counts, sorted by time.

    A snapshot with only a `day` is taken at 00:00 UTC of that day. Missing counts (failed
    reads) are dropped, so they never read as 0.
    """
    if "channel_id" not in snapshots.columns or "followers" not in snapshots.columns:
        raise MetricsError(
            "the follower snapshots frame needs columns channel_id and followers, plus "
            "observed_at or day"
        )
    if "observed_at" in snapshots.columns:
        times = pd.to_datetime(snapshots["observed_at"], utc=True)
    elif "day" in snapshots.columns:
        times = pd.to_datetime(snapshots["day"]).dt.tz_localize("UTC")
    else:
        raise MetricsError("the follower snapshots frame needs an observed_at or a day column")
    frame = pd.DataFrame(
        {
            "channel_id": snapshots["channel_id"].astype(str).to_numpy(),
            "observed_at": times.astype("datetime64[us, UTC]").to_numpy(),
            "followers": pd.to_numeric(snapshots["followers"]).astype("Float64").to_numpy(),
        }
    )
    frame = frame.dropna(subset=["followers", "observed_at"])
    return frame.sort_values(["observed_at", "channel_id"], kind="stable").reset_index(drop=True)


def followers_at(
    snapshots: pd.DataFrame,
    channel_ids: pd.Series,
    times: pd.Series,
    *,
    direction: Literal["backward", "forward", "nearest"],
    tolerance: dt.timedelta | None,
) -> pd.Series:
    """Look up the follower count of each channel at each time.

    Args:
        snapshots: output of `prepare_snapshots`.
        channel_ids: channel of each lookup.
        times: instant of each lookup (UTC).
        direction: "backward" takes the latest snapshot at or before the instant, "forward"
            the earliest at or after it, "nearest" the closest either way.
        tolerance: the largest distance between the instant and the snapshot; None for any.

    Returns:
        Int64 counts aligned with the lookups, NA where no snapshot qualifies.
    """
    lookups = pd.DataFrame(
        {
            "channel_id": channel_ids.astype(str).to_numpy(),
            "observed_at": pd.to_datetime(times, utc=True).astype("datetime64[us, UTC]").to_numpy(),
            "position": np.arange(len(channel_ids)),
        }
    )
    known = lookups["observed_at"].notna()
    result = pd.Series(pd.NA, index=range(len(lookups)), dtype="Int64")
    if not known.any() or snapshots.empty:
        return result
    ordered = lookups.loc[known].sort_values("observed_at", kind="stable")
    matched = pd.merge_asof(
        ordered,
        snapshots,
        on="observed_at",
        by="channel_id",
        direction=direction,
        tolerance=pd.Timedelta(tolerance) if tolerance is not None else None,
        allow_exact_matches=True,
    )
    values = matched["followers"].round().astype("Int64")
    result.iloc[matched["position"].to_numpy()] = values.to_numpy()
    return result
