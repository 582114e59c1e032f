"""Stream sessions from per-minute samples.

A session is one continuous stream of one channel. The steps, all vectorised over the samples
sorted by (channel, minute):

1. Each pair of consecutive samples of a channel is classified: same stream id or a new one,
   how many minutes lie between them, and how many of those minutes had a poll that observed
   the channel (the channel was absent) or had no usable poll (unknown time).
2. A new session starts at every pair that is not spanned (same stream id, short absence, short
   collector gap) or merged (a quick restart under a new stream id, when enabled).
3. Absurd readings are flagged against the median of their neighbours in the session.
4. Spanned minutes are added to the session; flagged and added minutes get viewers by linear
   interpolation between the nearest valid readings of the session.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import logging
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt
import pandas as pd

from twitchstats.metrics._inputs import (
    _WORKERS,
    CHANNEL_KEY_FACTOR,
    BoolArray,
    CodeArray,
    Codes,
    FloatArray,
    IntArray,
    PollArrays,
    SampleArrays,
    prepare_polls,
    prepare_samples,
)
from twitchstats.metrics._options import SessionOptions

__all__ = ["READING_KINDS", "MinuteArrays", "Sessions", "sessionise"]

logger = logging.getLogger(__name__)

# Kind of each live minute, stored as int8 codes into this tuple.
READING_KINDS = ("measured", "flagged", "dropout", "gap")
MEASURED, FLAGGED, DROPOUT, GAP = range(4)

GAP_ACTIONS = ("spanned", "split", "merged", "between_streams")
FLAG_REASONS = ("spike", "drop_to_zero")

UTC_US = "datetime64[us, UTC]"


def minutes_to_datetimes(minutes: IntArray) -> pd.DatetimeIndex:
    """Convert minutes since the epoch to a timezone-aware UTC index (microsecond unit)."""
    values = (minutes * 60_000_000).astype("datetime64[us]")
    return pd.DatetimeIndex(values).tz_localize("UTC")


def seconds_to_datetimes(seconds: FloatArray) -> pd.DatetimeIndex:
    """Convert float seconds since the epoch (NaN when unknown) to a UTC index."""
    missing = np.isnan(seconds)
    micro = np.where(missing, 0, np.round(seconds * 1e6)).astype(np.int64)
    values = micro.astype("datetime64[us]")
    values[missing] = np.datetime64("NaT")
    return pd.DatetimeIndex(values).tz_localize("UTC")


@dataclasses.dataclass(frozen=True)
class MinuteArrays:
    """Live minutes sorted by (session, minute): the columnar core behind `Sessions.minutes`."""

    session: IntArray
    channel: Codes
    login: Codes
    stream: Codes
    game_id: Codes
    game_name: Codes
    title: Codes
    minute: IntArray
    viewers: FloatArray
    kind: npt.NDArray[np.int8]
    raw_viewers: IntArray
    started_s: FloatArray

    def __len__(self) -> int:
        return len(self.minute)

    @classmethod
    def from_samples(
        cls,
        samples: SampleArrays,
        *,
        session: IntArray,
        minute: IntArray,
        viewers: FloatArray,
        kind: npt.NDArray[np.int8],
        raw: IntArray | None = None,
    ) -> MinuteArrays:
        """Build the minutes of `samples` (one row each); `raw` defaults to their counts."""
        return cls(
            session=session,
            channel=samples.channel,
            login=samples.login,
            stream=samples.stream,
            game_id=samples.game_id,
            game_name=samples.game_name,
            title=samples.title,
            minute=minute,
            viewers=viewers,
            kind=kind,
            raw_viewers=samples.viewers if raw is None else raw,
            started_s=samples.started_s,
        )

    def take(self, rows: IntArray) -> MinuteArrays:
        return MinuteArrays(
            session=self.session[rows],
            channel=self.channel.take(rows),
            login=self.login.take(rows),
            stream=self.stream.take(rows),
            game_id=self.game_id.take(rows),
            game_name=self.game_name.take(rows),
            title=self.title.take(rows),
            minute=self.minute[rows],
            viewers=self.viewers[rows],
            kind=self.kind[rows],
            raw_viewers=self.raw_viewers[rows],
            started_s=self.started_s[rows],
        )

    def valid_viewers(self) -> FloatArray:
        """Viewer counts of measured minutes, -1 elsewhere (peaks use only these)."""
        valid = self.raw_viewers.astype(np.float64)
        valid[self.kind != MEASURED] = -1.0
        return valid


@dataclasses.dataclass(frozen=True)
class Sessions:
    """Stream sessions built by `sessionise`.

    Attributes:
        options: the settings used.
        gaps: reported holes inside or between sessions (see `Sessions.gaps` columns in the docs).
        flags: readings rejected as absurd.
        polled_minutes: sorted minutes since the epoch that had an ok or partial poll.
    """

    arrays: MinuteArrays
    gaps: pd.DataFrame
    flags: pd.DataFrame
    polled_minutes: IntArray
    options: SessionOptions

    @functools.cached_property
    def minutes(self) -> pd.DataFrame:
        """One row per live minute of every session.

        Columns: `session` (int64, numbered from 0 in channel then time order), `observed_at`
        (datetime64[us, UTC]), `channel_id`, `channel_login`, `stream_id`, `game_id`,
        `game_name`, `title` (category), `viewers` (float64, interpolated where not measured),
        `reading` (category: measured, flagged, dropout, gap), `viewer_count` (Int64, the raw
        reading, NA for minutes without one).
        """
        a = self.arrays
        raw = pd.array(a.raw_viewers, dtype="Int64")
        raw[a.raw_viewers < 0] = pd.NA
        return pd.DataFrame(
            {
                "session": a.session,
                "observed_at": minutes_to_datetimes(a.minute),
                "channel_id": a.channel.categorical(),
                "channel_login": a.login.categorical(),
                "stream_id": a.stream.categorical(),
                "game_id": a.game_id.categorical(),
                "game_name": a.game_name.categorical(),
                "title": a.title.categorical(),
                "viewers": a.viewers,
                "reading": pd.Categorical.from_codes(
                    a.kind.astype(np.int64), categories=pd.Index(READING_KINDS)
                ),
                "viewer_count": raw,
            }
        )


def sessionise(
    samples: pd.DataFrame,
    polls: pd.DataFrame | None = None,
    *,
    options: SessionOptions | None = None,
) -> Sessions:
    """Group samples into stream sessions.

    Args:
        samples: the samples frame (one row per poll and live channel).
        polls: the polls frame; minutes without an ok or partial poll are collector gaps. When
            omitted, a minute in which no channel has a sample is taken as a collector gap.
        options: sessioniser and readings-guard settings; `SessionOptions()` when omitted.

    Raises:
        MetricsError: a missing column, a naive or missing time, a negative viewer count.
    """
    options = options or SessionOptions()
    arrays = prepare_samples(samples)
    poll_arrays = prepare_polls(polls, arrays)
    return build_sessions(arrays, poll_arrays, options)


def _neighbours(values: FloatArray, session: IntArray, rows: IntArray, window: int) -> FloatArray:
    """Return, for each of `rows`, the readings 1 to `window` places before and after it.

    The result has one column per neighbour, NaN where the neighbour is outside the session.
    """
    n = len(values)
    columns: list[FloatArray] = []
    for distance in range(1, window + 1):
        for sign in (-1, 1):
            other = rows + sign * distance
            inside = (other >= 0) & (other < n)
            safe = np.clip(other, 0, max(n - 1, 0))
            same = inside & (session[safe] == session[rows])
            columns.append(np.where(same, values[safe], np.nan))
    return np.column_stack(columns) if columns else np.zeros((len(rows), 0))


def _shifted_extremes(values: FloatArray, window: int) -> tuple[FloatArray, FloatArray]:
    """Return the lowest and highest of the readings within `window` places, across sessions.

    Ignoring session boundaries can only lower the lowest and raise the highest, so these are
    safe bounds for picking candidates; the exact test uses `_neighbours`.
    """
    n = len(values)
    lowest = np.full(n, np.inf)
    highest = np.full(n, -np.inf)
    for distance in range(1, min(window, n - 1) + 1):
        np.minimum(lowest[distance:], values[:-distance], out=lowest[distance:])
        np.minimum(lowest[:-distance], values[distance:], out=lowest[:-distance])
        np.maximum(highest[distance:], values[:-distance], out=highest[distance:])
        np.maximum(highest[:-distance], values[distance:], out=highest[:-distance])
    return lowest, highest


def _flag_readings(
    viewers: IntArray,
    session: IntArray,
    first_reading: BoolArray,
    options: SessionOptions,
) -> tuple[IntArray, FloatArray, IntArray]:
    """Find absurd readings.

    Returns:
        rows of flagged readings, the neighbours' median of each, and the reason code of each
        (index into FLAG_REASONS).
    """
    values = viewers.astype(np.float64)
    lowest, highest = _shifted_extremes(values, options.spike_window)

    # Cheap bounds first: the median of the neighbours lies between the lowest and the highest
    # of them, so only these rows can pass the exact test below.
    spike_candidate = (values >= options.spike_min_viewers) & (
        values >= options.spike_ratio * lowest
    )
    drop_candidate = (values == 0) & ~first_reading & (highest >= options.drop_min_viewers)
    rows = np.flatnonzero(spike_candidate | drop_candidate).astype(np.int64)
    if len(rows) == 0:
        return rows, np.zeros(0), np.zeros(0, dtype=np.int64)

    neighbours = _neighbours(values, session, rows, options.spike_window)
    has_neighbours = ~np.all(np.isnan(neighbours), axis=1)
    median = np.full(len(rows), np.nan)
    if has_neighbours.any():
        median[has_neighbours] = np.nanmedian(neighbours[has_neighbours], axis=1)
    candidate_values = values[rows]
    with np.errstate(invalid="ignore"):
        is_spike = spike_candidate[rows] & (candidate_values >= options.spike_ratio * median)
        is_drop = drop_candidate[rows] & (median >= options.drop_min_viewers)
    keep = (is_spike | is_drop) & has_neighbours
    reasons = np.where(is_spike, 0, 1).astype(np.int64)
    return rows[keep], median[keep], reasons[keep]


def _interpolate(
    viewers: FloatArray, known: BoolArray, session: IntArray, minute: IntArray
) -> FloatArray:
    """Fill unknown minutes linearly between the nearest known minutes of the same session.

    `viewers` is filled in place and returned.
    """
    total = len(viewers)
    unknown = np.flatnonzero(~known)
    if total == 0 or len(unknown) == 0:
        return viewers
    known_rows = np.flatnonzero(known)
    after_index = np.searchsorted(known_rows, unknown)
    previous = np.where(after_index > 0, known_rows[np.clip(after_index - 1, 0, None)], -1)
    following = np.where(
        after_index < len(known_rows),
        known_rows[np.clip(after_index, 0, max(len(known_rows) - 1, 0))]
        if len(known_rows)
        else total,
        total,
    )
    previous_safe = np.clip(previous, 0, total - 1)
    following_safe = np.clip(following, 0, total - 1)
    has_previous = (previous >= 0) & (session[previous_safe] == session[unknown])
    has_following = (following < total) & (session[following_safe] == session[unknown])

    before = viewers[previous_safe]
    after = viewers[following_safe]
    span = (minute[following_safe] - minute[previous_safe]).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.where(span > 0, (minute[unknown] - minute[previous_safe]) / span, 0.0)
    between = before + (after - before) * fraction
    viewers[unknown] = np.where(
        has_previous & has_following,
        between,
        np.where(has_previous, before, np.where(has_following, after, 0.0)),
    )
    return viewers


# Below this many samples, one thread sessionises everything: splitting costs more than it
# saves. Tests lower it to run the split path on small inputs.
PARALLEL_MIN_SAMPLES = 1_000_000


def build_sessions(arrays: SampleArrays, polls: PollArrays, options: SessionOptions) -> Sessions:
    """Sessionise prepared samples (see the module docstring for the steps).

    Sessions never cross channels, so large inputs are cut into runs of whole channels that
    threads sessionise at the same time (NumPy releases the GIL in its array loops). The
    pieces are joined in channel order, which gives the same result as one pass.
    """
    bounds = (
        _channel_bounds(arrays.channel.codes, _WORKERS)
        if len(arrays) >= PARALLEL_MIN_SAMPLES
        else [0, len(arrays)]
    )
    if len(bounds) < 3:
        sessions = _build_part(arrays, polls, options)
    else:
        parts = [arrays.slice(start, stop) for start, stop in itertools.pairwise(bounds)]
        with ThreadPoolExecutor(max_workers=len(parts)) as pool:
            pieces = list(pool.map(lambda part: _build_part(part, polls, options), parts))
        sessions = _join(arrays, parts, pieces, polls, options)
    if len(sessions.flags):
        logger.info("flagged %d absurd readings out of %d", len(sessions.flags), len(arrays))
    return sessions


def _channel_bounds(channel: CodeArray, parts: int) -> list[int]:
    """Return row positions that cut `channel` (sorted) into up to `parts` runs of channels."""
    n = len(channel)
    changes = np.flatnonzero(channel[1:] != channel[:-1]) + 1
    if n == 0 or parts < 2 or len(changes) == 0:
        return [0, n]
    cuts: set[int] = set()
    for index in range(1, parts):
        # The first channel change at or after an even share of the rows.
        position = min(int(np.searchsorted(changes, n * index // parts)), len(changes) - 1)
        cuts.add(int(changes[position]))
    return [0, *sorted(cuts), n]


def _join(
    arrays: SampleArrays,
    parts: list[SampleArrays],
    pieces: list[Sessions],
    polls: PollArrays,
    options: SessionOptions,
) -> Sessions:
    """Join the sessions of consecutive runs of channels into one `Sessions`."""
    offsets = np.cumsum([0] + [_session_count(piece) for piece in pieces[:-1]])
    session = np.concatenate(
        [piece.arrays.session + offset for piece, offset in zip(pieces, offsets, strict=True)]
    )
    viewers = np.concatenate([piece.arrays.viewers for piece in pieces])
    kind = np.concatenate([piece.arrays.kind for piece in pieces])
    added = any(len(piece.arrays) != len(part) for piece, part in zip(pieces, parts, strict=True))
    if added:
        joined = [piece.arrays for piece in pieces]
        source = SampleArrays(
            channel=_join_codes([a.channel for a in joined]),
            login=_join_codes([a.login for a in joined]),
            stream=_join_codes([a.stream for a in joined]),
            game_id=_join_codes([a.game_id for a in joined]),
            game_name=_join_codes([a.game_name for a in joined]),
            title=_join_codes([a.title for a in joined]),
            minute=np.concatenate([a.minute for a in joined]),
            started_s=np.concatenate([a.started_s for a in joined]),
            viewers=np.concatenate([a.raw_viewers for a in joined]),
        )
    else:
        # No minute was added, so every column but these three is the input's, uncopied.
        source = arrays
    minute_arrays = MinuteArrays.from_samples(
        source, session=session, minute=source.minute, viewers=viewers, kind=kind
    )
    return Sessions(
        arrays=minute_arrays,
        gaps=pd.concat([piece.gaps for piece in pieces], ignore_index=True),
        flags=pd.concat([piece.flags for piece in pieces], ignore_index=True),
        polled_minutes=polls.minutes,
        options=options,
    )


def _session_count(sessions: Sessions) -> int:
    session = sessions.arrays.session
    return int(session[-1]) + 1 if len(session) else 0


def _join_codes(columns: list[Codes]) -> Codes:
    return Codes(np.concatenate([column.codes for column in columns]), columns[0].values)


def _build_part(arrays: SampleArrays, polls: PollArrays, options: SessionOptions) -> Sessions:
    """Sessionise samples of whole channels in one thread."""
    n = len(arrays)
    channel = arrays.channel.codes
    minute = arrays.minute
    stream = arrays.stream.codes

    # 1. Classify each pair of consecutive samples.
    same_channel = channel[1:] == channel[:-1]
    hole = minute[1:] - minute[:-1] - 1
    # Polls are counted only where minutes are missing: most pairs are one minute apart.
    with_hole = np.flatnonzero(hole > 0)
    before_minute = minute[with_hole]
    after_minute = minute[with_hole + 1]
    polls_between = np.searchsorted(polls.minutes, after_minute, "left") - np.searchsorted(
        polls.minutes, before_minute, "right"
    )
    unobserved_between = np.searchsorted(
        polls.unobserved, channel[with_hole + 1] * CHANNEL_KEY_FACTOR + after_minute, "left"
    ) - np.searchsorted(
        polls.unobserved, channel[with_hole] * CHANNEL_KEY_FACTOR + before_minute, "right"
    )
    absent = np.zeros(len(hole), dtype=np.int64)
    absent[with_hole] = np.clip(polls_between - unobserved_between, 0, None)
    unknown = hole - absent
    same_stream = same_channel & (stream[1:] == stream[:-1])

    spanned = same_stream & (absent <= options.max_dropout) & (unknown <= options.max_unknown_gap)
    merged = (
        same_channel
        & ~same_stream
        & (options.merge_gap > 0)
        & (hole <= options.merge_gap)
        & (unknown <= options.max_unknown_gap)
    )

    # 2. Session numbers.
    new_session = np.concatenate([[True], ~(spanned | merged)])[:n]
    session = np.cumsum(new_session)
    session -= 1
    # The first reading of a session, or of a new stream id inside one, may be 0: Twitch can
    # list a new stream before counting its viewers, and after a split the level is unknown.
    first_reading = new_session | np.concatenate([[True], ~same_stream])[:n]

    # 3. Absurd readings.
    flagged_rows, references, reasons = _flag_readings(
        arrays.viewers, session, first_reading, options
    )
    flagged = np.zeros(n, dtype=bool)
    flagged[flagged_rows] = True

    # 4. Add spanned minutes and interpolate.
    if (spanned & (hole > 0)).any():
        expanded, minute_all, session_all, kind, raw = _add_spanned_minutes(
            arrays, np.where(spanned, hole, 0), session, flagged, polls
        )
    else:
        # Usually no minute is added, and every column keeps its rows without a copy.
        expanded, minute_all, session_all, raw = arrays, minute, session, arrays.viewers
        kind = np.full(n, MEASURED, dtype=np.int8)
        kind[flagged] = FLAGGED
    known = kind == MEASURED
    readings = raw.astype(np.float64)
    readings[~known] = 0.0
    viewers = _interpolate(readings, known, session_all, minute_all)

    minute_arrays = MinuteArrays.from_samples(
        expanded, session=session_all, minute=minute_all, viewers=viewers, kind=kind, raw=raw
    )

    gaps = _gap_frame(arrays, same_channel, same_stream, spanned, merged, hole, absent, unknown)
    flags = _flag_frame(arrays, flagged_rows, references, reasons)
    return Sessions(
        arrays=minute_arrays,
        gaps=gaps,
        flags=flags,
        polled_minutes=polls.minutes,
        options=options,
    )


def _add_spanned_minutes(
    arrays: SampleArrays,
    fill: IntArray,
    session: IntArray,
    flagged: BoolArray,
    polls: PollArrays,
) -> tuple[SampleArrays, IntArray, IntArray, npt.NDArray[np.int8], IntArray]:
    """Insert the `fill` missing minutes after each sample that a session spans.

    Returns the samples with a copy of the preceding reading for each added minute, and the
    minute, session, kind and raw viewer count (-1 for an added minute) of every row.
    """
    n = len(arrays)
    channel = arrays.channel.codes
    counts = np.ones(n, dtype=np.int64)
    counts[:-1] += fill[: n - 1]
    rows = np.repeat(np.arange(n, dtype=np.int64), counts)
    starts = np.cumsum(counts) - counts
    offset = np.arange(len(rows), dtype=np.int64) - np.repeat(starts, counts)
    minute_all = arrays.minute[rows] + offset
    session_all = session[rows]
    reading_row = offset == 0

    kind = np.full(len(rows), MEASURED, dtype=np.int8)
    kind[reading_row & flagged[rows]] = FLAGGED
    added = np.flatnonzero(~reading_row)
    added_minutes = minute_all[added]
    polled = np.isin(added_minutes, polls.minutes)
    unobserved = np.isin(
        channel[rows[added]] * CHANNEL_KEY_FACTOR + added_minutes, polls.unobserved
    )
    kind[added] = np.where(polled & ~unobserved, DROPOUT, GAP)
    raw = np.where(reading_row, arrays.viewers[rows], -1)
    return arrays.take(rows), minute_all, session_all, kind, raw


def _gap_frame(
    arrays: SampleArrays,
    same_channel: BoolArray,
    same_stream: BoolArray,
    spanned: BoolArray,
    merged: BoolArray,
    hole: IntArray,
    absent: IntArray,
    unknown: IntArray,
) -> pd.DataFrame:
    action = np.full(len(hole), -1, dtype=np.int64)
    action[same_channel & ~same_stream & (unknown > 0)] = 3
    action[same_stream & ~spanned] = 1
    action[merged] = 2
    action[spanned & (hole > 0)] = 0
    pairs = np.flatnonzero(action >= 0)
    before = pairs
    after = pairs + 1
    return pd.DataFrame(
        {
            "channel_id": arrays.channel.values.take(arrays.channel.codes[before]),
            "channel_login": arrays.login.values.take(arrays.login.codes[after]),
            "stream_id": arrays.stream.values.take(arrays.stream.codes[before]),
            "next_stream_id": arrays.stream.values.take(arrays.stream.codes[after]),
            "gap_start": minutes_to_datetimes(arrays.minute[before] + 1),
            "gap_end": minutes_to_datetimes(arrays.minute[after]),
            "minutes": hole[pairs].astype(np.int64),
            "absent_minutes": absent[pairs].astype(np.int64),
            "unknown_minutes": unknown[pairs].astype(np.int64),
            "action": pd.Categorical.from_codes(action[pairs], categories=pd.Index(GAP_ACTIONS)),
        }
    ).astype(
        {"channel_id": "str", "channel_login": "str", "stream_id": "str", "next_stream_id": "str"}
    )


def _flag_frame(
    arrays: SampleArrays, rows: IntArray, references: FloatArray, reasons: IntArray
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "channel_id": arrays.channel.values.take(arrays.channel.codes[rows]),
            "channel_login": arrays.login.values.take(arrays.login.codes[rows]),
            "stream_id": arrays.stream.values.take(arrays.stream.codes[rows]),
            "observed_at": minutes_to_datetimes(arrays.minute[rows]),
            "viewer_count": arrays.viewers[rows].astype(np.int64),
            "reference": references.astype(np.float64),
            "reason": pd.Categorical.from_codes(reasons, categories=pd.Index(FLAG_REASONS)),
        }
    ).astype({"channel_id": "str", "channel_login": "str", "stream_id": "str"})
