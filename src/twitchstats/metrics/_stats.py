"""Per-stream statistics from sessions."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from twitchstats.metrics._followers import followers_at, prepare_snapshots
from twitchstats.metrics._inputs import BoolArray, CodeArray, FloatArray, IntArray
from twitchstats.metrics._sessions import (
    DROPOUT,
    FLAGGED,
    GAP,
    MinuteArrays,
    Sessions,
    minutes_to_datetimes,
    seconds_to_datetimes,
)

__all__ = ["STREAM_COLUMNS", "segment_starts", "stream_stats", "title_history"]

# Per-stream columns, in output order.
STREAM_COLUMNS = (
    "channel_id",
    "channel_login",
    "stream_id",
    "stream_ids",
    "started_at",
    "first_seen_at",
    "ended_at",
    "airtime_minutes",
    "average_viewers",
    "peak_viewers",
    "peak_at",
    "hours_watched",
    "followers_gained",
    "offline_minutes",
    "dropout_minutes",
    "gap_minutes",
    "flagged_readings",
    "title",
)
CATEGORY_COLUMNS = ("game_id", "game_name", "pieces", "game_first_seen_at")

DEFAULT_STREAM_FOLLOWERS_TOLERANCE = dt.timedelta(minutes=30)


def segment_starts(boundary: BoolArray) -> IntArray:
    """Return the first row of each run, given True where a new run begins."""
    return np.flatnonzero(boundary).astype(np.int64)


def _boundaries(keys: list[CodeArray]) -> BoolArray:
    n = len(keys[0])
    boundary = np.zeros(n, dtype=bool)
    if n:
        boundary[0] = True
        for key in keys:
            boundary[1:] |= key[1:] != key[:-1]
    return boundary


def _peaks(valid: FloatArray, minute: IntArray, starts: IntArray) -> tuple[FloatArray, IntArray]:
    """Return the peak of each segment and the first minute reaching it (-1 peak when none)."""
    n = len(valid)
    if n == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    peak = np.maximum.reduceat(valid, starts)
    lengths = np.diff(np.append(starts, n))
    # Only the rows at their segment's peak are looked at again, which are few.
    at_peak = np.flatnonzero(valid == np.repeat(peak, lengths))
    segment = np.searchsorted(starts, at_peak, side="right") - 1
    peak_minute = np.full(len(starts), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(peak_minute, segment, minute[at_peak])
    return peak, peak_minute


def _peak_columns(peak: FloatArray, peak_minute: IntArray) -> tuple[pd.Series, pd.Series]:
    has_peak = peak >= 0
    viewers = pd.Series(pd.array(np.where(has_peak, peak, 0).astype(np.int64), dtype="Int64"))
    viewers[~has_peak] = pd.NA
    times = pd.Series(minutes_to_datetimes(np.where(has_peak, peak_minute, 0)))
    times = times.where(has_peak)
    return viewers, times


def _segment_frame(arrays: MinuteArrays, starts: IntArray) -> pd.DataFrame:
    """Sum, count and peak columns for contiguous row segments."""
    n = len(arrays)
    if n == 0:
        return pd.DataFrame(
            {
                "airtime_minutes": pd.Series(dtype=np.int64),
                "viewer_minutes": pd.Series(dtype=np.float64),
                "peak_viewers": pd.Series(dtype="Int64"),
                "peak_at": pd.Series(dtype="datetime64[us, UTC]"),
            }
        )
    lengths = np.diff(np.append(starts, n))
    viewer_minutes = np.add.reduceat(arrays.viewers, starts)
    peak, peak_minute = _peaks(arrays.valid_viewers(), arrays.minute, starts)
    peak_viewers, peak_at = _peak_columns(peak, peak_minute)
    return pd.DataFrame(
        {
            "airtime_minutes": lengths.astype(np.int64),
            "viewer_minutes": viewer_minutes,
            "peak_viewers": peak_viewers,
            "peak_at": peak_at,
        }
    )


def _stream_ids(arrays: MinuteArrays, boundary: BoolArray) -> list[list[str]]:
    """Return the broadcast ids of each session in order of appearance."""
    change = boundary.copy()
    if len(change) > 1:
        change[1:] |= arrays.stream.codes[1:] != arrays.stream.codes[:-1]
    rows = np.flatnonzero(change)
    ids = arrays.stream.values.take(arrays.stream.codes[rows])
    session_of_row = np.cumsum(boundary)[rows] - 1
    grouped: list[list[str]] = [[] for _ in range(int(boundary.sum()))]
    for session_number, stream_id in zip(session_of_row.tolist(), ids.tolist(), strict=True):
        if stream_id not in grouped[session_number]:
            grouped[session_number].append(stream_id)
    return grouped


def stream_stats(
    sessions: Sessions,
    *,
    by_category: bool = False,
    snapshots: pd.DataFrame | None = None,
    followers_tolerance: dt.timedelta = DEFAULT_STREAM_FOLLOWERS_TOLERANCE,
) -> pd.DataFrame:
    """Compute one row of statistics per stream session (or per session and category).

    Args:
        sessions: output of `sessionise`.
        by_category: one row per (session, game); the minute where a new game first appears
            belongs to the new game, and a game played in several pieces gets one row with
            the pieces summed.
        snapshots: follower snapshots; `followers_gained` is the count at the first snapshot at
            or after the end minus the count at the last snapshot at or before the start, both
            within `followers_tolerance`, and NA otherwise.
        followers_tolerance: how far from the start and end a snapshot may be.

    Returns:
        The columns listed in `STREAM_COLUMNS` (plus `CATEGORY_COLUMNS` when `by_category`),
        sorted by channel id and start. See docs/metrics.md for the dtypes.
    """
    arrays = sessions.arrays
    n = len(arrays)
    boundary = _boundaries([arrays.session])
    starts = segment_starts(boundary)
    ends = np.append(starts[1:], n)[: len(starts)] - 1

    segments = _segment_frame(arrays, starts)
    first_minute = arrays.minute[starts]
    last_minute = arrays.minute[ends]
    started_s = arrays.started_s[starts]
    started_s = np.where(np.isnan(started_s), first_minute * 60.0, started_s)

    kind = arrays.kind
    frame = pd.DataFrame(
        {
            "session": arrays.session[starts],
            "channel_id": arrays.channel.values.take(arrays.channel.codes[starts]),
            "channel_login": arrays.login.values.take(arrays.login.codes[ends]),
            "stream_id": arrays.stream.values.take(arrays.stream.codes[starts]),
            "stream_ids": pd.Series(_stream_ids(arrays, boundary), dtype=object),
            "started_at": seconds_to_datetimes(started_s),
            "first_seen_at": minutes_to_datetimes(first_minute),
            "ended_at": minutes_to_datetimes(last_minute + 1),
            "airtime_minutes": segments["airtime_minutes"],
            "offline_minutes": (last_minute - first_minute + 1 - segments["airtime_minutes"]),
            "dropout_minutes": _count(kind == DROPOUT, starts),
            "gap_minutes": _count(kind == GAP, starts),
            "flagged_readings": _count(kind == FLAGGED, starts),
            "title": arrays.title.values.take(arrays.title.codes[starts]),
        }
    )
    frame = frame.astype(
        {"channel_id": "str", "channel_login": "str", "stream_id": "str", "title": "str"}
    )
    frame["followers_gained"] = _followers_gained(frame, snapshots, followers_tolerance)

    if not by_category:
        _add_rates(frame, segments)
        return frame[list(STREAM_COLUMNS)].reset_index(drop=True)
    return _by_category(arrays, frame)


def _count(mask: BoolArray, starts: IntArray) -> IntArray:
    if len(mask) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.add.reduceat(mask.astype(np.int64), starts)


def _add_rates(frame: pd.DataFrame, segments: pd.DataFrame) -> None:
    viewer_minutes = segments["viewer_minutes"].to_numpy()
    airtime = segments["airtime_minutes"].to_numpy()
    frame["hours_watched"] = viewer_minutes / 60.0
    frame["average_viewers"] = viewer_minutes / np.maximum(airtime, 1)
    frame["peak_viewers"] = segments["peak_viewers"].array
    frame["peak_at"] = segments["peak_at"].array


def _followers_gained(
    frame: pd.DataFrame, snapshots: pd.DataFrame | None, tolerance: dt.timedelta
) -> pd.Series:
    if snapshots is None or frame.empty:
        return pd.Series(pd.NA, index=frame.index, dtype="Int64")
    prepared = prepare_snapshots(snapshots)
    start = followers_at(
        prepared,
        frame["channel_id"],
        frame["started_at"],
        direction="backward",
        tolerance=tolerance,
    )
    end = followers_at(
        prepared,
        frame["channel_id"],
        frame["ended_at"],
        direction="forward",
        tolerance=tolerance,
    )
    gained = end.to_numpy() - start.to_numpy()
    return pd.Series(pd.array(gained, dtype="Int64"), index=frame.index)


def _by_category(arrays: MinuteArrays, sessions_frame: pd.DataFrame) -> pd.DataFrame:
    n = len(arrays)
    piece_starts = segment_starts(_boundaries([arrays.session, arrays.game_id.codes]))
    pieces = _segment_frame(arrays, piece_starts)
    pieces["session"] = arrays.session[piece_starts]
    pieces["game_code"] = arrays.game_id.codes[piece_starts]
    pieces["game_name"] = arrays.game_name.values.take(arrays.game_name.codes[piece_starts])
    pieces["first_minute"] = arrays.minute[piece_starts]
    pieces["peak_for_order"] = pieces["peak_viewers"].fillna(-1)
    del n

    grouped = pieces.groupby(["session", "game_code"], sort=False)
    totals = grouped.agg(
        airtime_minutes=("airtime_minutes", "sum"),
        viewer_minutes=("viewer_minutes", "sum"),
        pieces=("airtime_minutes", "size"),
        first_minute=("first_minute", "min"),
        game_name=("game_name", "first"),
    )
    # Peak of a game: the largest piece peak, at the earliest time it was reached.
    best = pieces.sort_values(
        ["session", "game_code", "peak_for_order", "peak_at"],
        ascending=[True, True, False, True],
        kind="stable",
    ).drop_duplicates(["session", "game_code"])
    totals = totals.join(best.set_index(["session", "game_code"])[["peak_viewers", "peak_at"]])
    totals = totals.reset_index()
    totals["game_id"] = arrays.game_id.values.take(totals["game_code"].to_numpy())
    totals["hours_watched"] = totals["viewer_minutes"] / 60.0
    totals["average_viewers"] = totals["viewer_minutes"] / totals["airtime_minutes"].clip(lower=1)
    totals["game_first_seen_at"] = minutes_to_datetimes(totals["first_minute"].to_numpy())

    session_columns = [
        "session",
        "channel_id",
        "channel_login",
        "stream_id",
        "stream_ids",
        "started_at",
        "first_seen_at",
        "ended_at",
        "offline_minutes",
        "followers_gained",
        "title",
    ]
    merged = totals.merge(sessions_frame[session_columns], on="session", how="left")
    merged["dropout_minutes"] = 0
    merged["gap_minutes"] = 0
    merged["flagged_readings"] = 0
    merged = merged.sort_values(["session", "first_minute"], kind="stable")
    merged = merged.astype({"game_id": "str", "game_name": "str"})
    _fill_category_kind_counts(arrays, merged)
    return merged[list(STREAM_COLUMNS) + list(CATEGORY_COLUMNS)].reset_index(drop=True)


def _fill_category_kind_counts(arrays: MinuteArrays, merged: pd.DataFrame) -> None:
    """Count dropout, gap and flagged minutes per (session, game)."""
    kinds = pd.DataFrame(
        {
            "session": arrays.session,
            "game_code": arrays.game_id.codes,
            "dropout_minutes": arrays.kind == DROPOUT,
            "gap_minutes": arrays.kind == GAP,
            "flagged_readings": arrays.kind == FLAGGED,
        }
    )
    counted = kinds.groupby(["session", "game_code"]).sum().astype(np.int64)
    index = pd.MultiIndex.from_arrays([merged["session"], merged["game_code"]])
    for column in ("dropout_minutes", "gap_minutes", "flagged_readings"):
        merged[column] = counted[column].reindex(index).to_numpy()


def title_history(sessions: Sessions) -> pd.DataFrame:
    """List each session's titles with the first minute each was seen.

    Returns:
        Columns `channel_id`, `channel_login`, `stream_id` (the session's first broadcast id,
        as in `stream_stats`), `changed_at` (datetime64[us, UTC]) and `title` (str), one row
        per title change including each session's first title.
    """
    arrays = sessions.arrays
    boundary = _boundaries([arrays.session])
    change = boundary.copy()
    if len(change) > 1:
        change[1:] |= arrays.title.codes[1:] != arrays.title.codes[:-1]
    rows = np.flatnonzero(change)
    session_first = segment_starts(boundary)
    first_row_of_session = session_first[np.cumsum(boundary)[rows] - 1]
    frame = pd.DataFrame(
        {
            "channel_id": arrays.channel.values.take(arrays.channel.codes[rows]),
            "channel_login": arrays.login.values.take(arrays.login.codes[rows]),
            "stream_id": arrays.stream.values.take(arrays.stream.codes[first_row_of_session]),
            "changed_at": minutes_to_datetimes(arrays.minute[rows]),
            "title": arrays.title.values.take(arrays.title.codes[rows]),
        }
    )
    return frame.astype(
        {"channel_id": "str", "channel_login": "str", "stream_id": "str", "title": "str"}
    )
