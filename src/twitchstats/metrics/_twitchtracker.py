"""Stream statistics computed the way TwitchTracker publishes them.

TwitchTracker's stream pages follow these rules (matched against its published numbers):

1. It samples every 10 minutes on the wall-clock grid (:00, :10, ...) and adds a reading of 0
   at the stream's `started_at`.
2. The stream starts at `started_at`, to the second, and ends at the last live sample plus
   half the sampling interval.
3. The duration is the whole number of minutes between start and end, rounded down.
4. The average is the arithmetic mean of the samples taken at least 5 minutes after
   `started_at`, rounded half up; samples that are missing are left out of the mean, while
   the duration stays wall-clock time.
5. The peak is the largest sample.
6. Hours watched = floor(rounded average x duration in minutes / 60).
7. Per category, the sample at a change belongs to the new category; a category's duration is
   the floor of the minutes of its pieces, its average the rounded mean of its own samples
   (same 5-minute rule) and its hours watched follow rule 6.

Here the samples are the readings of our own per-minute collector on the chosen grid, so the
results match TwitchTracker's only where it sampled the same values at the same minutes.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from twitchstats._exceptions import MetricsError
from twitchstats.metrics._sessions import (
    FLAGGED,
    MEASURED,
    Sessions,
    seconds_to_datetimes,
)
from twitchstats.metrics._stats import (
    DEFAULT_STREAM_FOLLOWERS_TOLERANCE,
    _boundaries,
    _followers_gained,
    _stream_ids,
    segment_starts,
)

__all__ = ["TWITCHTRACKER_COLUMNS", "twitchtracker_stats"]

TWITCHTRACKER_COLUMNS = (
    "channel_id",
    "channel_login",
    "stream_id",
    "stream_ids",
    "started_at",
    "ended_at",
    "airtime_minutes",
    "average_viewers",
    "peak_viewers",
    "peak_at",
    "hours_watched",
    "followers_gained",
    "samples",
)


def _round_half_up(total: pd.Series, count: pd.Series) -> pd.Series:
    """Round total / count half up with integer arithmetic; NA where count is 0."""
    numerator = 2 * total.astype("Int64") + count.astype("Int64")
    denominator = 2 * count.astype("Int64")
    result = (numerator // denominator.where(denominator > 0)).astype("Int64")
    return result


def twitchtracker_stats(
    sessions: Sessions,
    *,
    interval_minutes: int = 10,
    start_exclusion_minutes: int = 5,
    by_category: bool = False,
    snapshots: pd.DataFrame | None = None,
    followers_tolerance: dt.timedelta = DEFAULT_STREAM_FOLLOWERS_TOLERANCE,
) -> pd.DataFrame:
    """Compute per-stream numbers with TwitchTracker's rules (see the module docstring).

    Sessions (and so restart merging) come from `sessionise`; readings flagged as absurd are
    kept, because TwitchTracker has no such guard, and interpolated minutes are not samples.

    Args:
        sessions: output of `sessionise`.
        interval_minutes: the sampling interval; samples are the readings at minutes since
            the epoch divisible by it (10 gives :00, :10, ... in UTC).
        start_exclusion_minutes: samples earlier than this after `started_at` stay out of the
            average.
        by_category: one row per (session, game), with `game_id` and `game_name`.
        snapshots: follower snapshots for `followers_gained`, computed as in `stream_stats`.
        followers_tolerance: how far from the start and end a follower snapshot may be.

    Returns:
        The `TWITCHTRACKER_COLUMNS`: `airtime_minutes`, `average_viewers`, `peak_viewers` and
        `hours_watched` are whole numbers (Int64; the average is NA when no sample qualifies),
        `samples` (int64) counts the samples in the average.
    """
    if interval_minutes < 1 or start_exclusion_minutes < 0:
        raise MetricsError(
            f"invalid interval_minutes={interval_minutes} or "
            f"start_exclusion_minutes={start_exclusion_minutes}: use 1 or more and 0 or more"
        )
    arrays = sessions.arrays
    n = len(arrays)
    boundary = _boundaries([arrays.session])
    starts = segment_starts(boundary)
    ends = np.append(starts[1:], n)[: len(starts)] - 1

    started_s = arrays.started_s[starts]
    started_s = np.where(np.isnan(started_s), arrays.minute[starts] * 60.0, started_s)
    # Whole seconds: Twitch gives started_at to the second.
    started_whole = np.floor(started_s).astype(np.int64)
    session_of = arrays.session[starts]

    is_reading = (arrays.kind == MEASURED) | (arrays.kind == FLAGGED)
    on_grid = is_reading & (arrays.minute % interval_minutes == 0)
    rows = np.flatnonzero(on_grid)
    start_by_session = pd.Series(started_whole, index=session_of)
    samples = pd.DataFrame(
        {
            "session": arrays.session[rows],
            "seconds": arrays.minute[rows] * 60,
            "viewers": arrays.raw_viewers[rows],
            "game": arrays.game_id.codes[rows],
        }
    )
    samples["start"] = start_by_session.reindex(samples["session"]).to_numpy()
    samples = samples.loc[samples["seconds"] >= samples["start"]]
    samples["eligible"] = samples["seconds"] - samples["start"] >= start_exclusion_minutes * 60

    frame = pd.DataFrame(
        {
            "session": session_of,
            "channel_id": arrays.channel.values.take(arrays.channel.codes[starts]),
            "channel_login": arrays.login.values.take(arrays.login.codes[ends]),
            "stream_id": arrays.stream.values.take(arrays.stream.codes[starts]),
            "stream_ids": pd.Series(_stream_ids(arrays, boundary), dtype=object),
            "start": started_whole,
            "first_game": arrays.game_id.codes[starts],
        }
    ).astype({"channel_id": "str", "channel_login": "str", "stream_id": "str"})
    frame["started_at"] = seconds_to_datetimes(started_whole.astype(np.float64))

    half_interval = interval_minutes * 30
    last_sample = samples.groupby("session")["seconds"].max()
    frame["end"] = (
        frame["session"].map(last_sample).fillna(frame["start"]).astype(np.int64) + half_interval
    )
    frame["ended_at"] = seconds_to_datetimes(frame["end"].to_numpy().astype(np.float64))
    frame["followers_gained"] = _followers_gained(frame, snapshots, followers_tolerance)

    if not by_category:
        result = _summarise(frame, samples, ["session"], frame["end"] - frame["start"])
        return result[list(TWITCHTRACKER_COLUMNS)].reset_index(drop=True)
    pairs = pd.DataFrame({"id": arrays.game_id.codes, "name": arrays.game_name.codes})
    pairs = pairs.drop_duplicates("id", keep="last")
    name_of_game = pd.Series(
        arrays.game_name.values.take(pairs["name"].to_numpy()), index=pairs["id"].to_numpy()
    )
    return _by_category(frame, samples, arrays.game_id.values, name_of_game)


def _summarise(
    frame: pd.DataFrame, samples: pd.DataFrame, keys: list[str], seconds: pd.Series
) -> pd.DataFrame:
    """Add the TwitchTracker numbers to `frame` rows identified by `keys`."""
    eligible = samples.loc[samples["eligible"]]
    sums = eligible.groupby(keys)["viewers"].agg(["sum", "size"])
    indexed = frame.set_index(keys)
    total = sums["sum"].reindex(indexed.index).fillna(0)
    count = sums["size"].reindex(indexed.index).fillna(0)
    average = _round_half_up(total, count)

    best = samples.sort_values(
        [*keys, "viewers", "seconds"], ascending=[True] * len(keys) + [False, True]
    )
    best = best.drop_duplicates(keys).set_index(keys)
    peak = best["viewers"].reindex(indexed.index)
    peak_seconds = best["seconds"].reindex(indexed.index)
    # The 0 inserted at started_at is a sample too, so the peak is never below 0 and a stream
    # without samples peaks at 0 at its start.
    without = peak.isna() | (peak <= 0)
    peak_value = peak.fillna(0).clip(lower=0).astype(np.int64)
    peak_at = np.where(without, indexed["start"].to_numpy(), peak_seconds.fillna(0).to_numpy())

    minutes = pd.Series(np.floor_divide(seconds.to_numpy(), 60), index=indexed.index)
    result = indexed.copy()
    result["airtime_minutes"] = minutes.astype("Int64")
    result["average_viewers"] = average
    result["peak_viewers"] = pd.array(peak_value.to_numpy(), dtype="Int64")
    result["peak_at"] = seconds_to_datetimes(peak_at.astype(np.float64))
    result["hours_watched"] = (average * result["airtime_minutes"]) // 60
    result["samples"] = count.astype(np.int64).to_numpy()
    return result.reset_index()


def _by_category(
    frame: pd.DataFrame,
    samples: pd.DataFrame,
    game_ids: pd.Index,
    name_of_game: pd.Series,
) -> pd.DataFrame:
    # Pieces: the 0 at started_at opens a piece of the first game; each sample whose game
    # differs from the previous sample's opens a new piece, which lasts until the next one.
    opening = pd.DataFrame(
        {"session": frame["session"], "seconds": frame["start"], "game": frame["first_game"]}
    )
    timeline = pd.concat([opening, samples[["session", "seconds", "game"]]], ignore_index=True)
    timeline = timeline.sort_values(["session", "seconds"], kind="stable")
    changed = (timeline["session"] != timeline["session"].shift()) | (
        timeline["game"] != timeline["game"].shift()
    )
    pieces = timeline.loc[changed].copy()
    end_by_session = frame.set_index("session")["end"]
    next_start = pieces.groupby("session")["seconds"].shift(-1)
    pieces["stop"] = next_start.fillna(pieces["session"].map(end_by_session)).astype(np.int64)
    pieces["length"] = pieces["stop"] - pieces["seconds"]
    per_game = pieces.groupby(["session", "game"], sort=False).agg(
        seconds=("length", "sum"), first=("seconds", "min")
    )
    per_game = per_game.reset_index()

    rows = per_game.merge(frame, on="session", how="left")
    result = _summarise(rows, samples, ["session", "game"], rows["seconds"])
    result["game_id"] = game_ids.take(result["game"].to_numpy())
    result["game_name"] = result["game"].map(name_of_game).fillna("")
    result = result.sort_values(["session", "first"], kind="stable")
    result = result.astype({"game_id": "str", "game_name": "str"})
    return result[[*TWITCHTRACKER_COLUMNS, "game_id", "game_name"]].reset_index(drop=True)
