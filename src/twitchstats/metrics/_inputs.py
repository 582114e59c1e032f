"""Validation of the input frames and their conversion to sorted numpy arrays."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from twitchstats._exceptions import MetricsError

SAMPLE_COLUMNS = (
    "observed_at",
    "channel_id",
    "channel_login",
    "stream_id",
    "started_at",
    "viewer_count",
    "game_id",
    "game_name",
    "title",
)
POLL_COLUMNS = ("observed_at", "outcome")
OBSERVED_OUTCOMES = ("ok", "partial")
# Column of a polls frame listing the channel ids that a partial poll could not observe.
UNOBSERVED_COLUMN = "unobserved_channel_ids"

# Channel codes are multiplied by this to build one sortable int64 key per (channel, time).
# Epoch milliseconds stay below 2**42 until the year 2109.
CHANNEL_KEY_FACTOR = np.int64(2**42)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

EMPTY_INT: IntArray = np.zeros(0, dtype=np.int64)


@dataclasses.dataclass(frozen=True)
class Codes:
    """A column stored as integer codes into an array of distinct values."""

    codes: IntArray
    values: pd.Index

    def take(self, rows: IntArray) -> Codes:
        return Codes(self.codes[rows], self.values)

    def categorical(self) -> pd.Categorical:
        return pd.Categorical.from_codes(self.codes, categories=self.values)


@dataclasses.dataclass(frozen=True)
class SampleArrays:
    """Samples sorted by (channel, minute), one per channel and minute."""

    channel: Codes
    login: Codes
    stream: Codes
    game_id: Codes
    game_name: Codes
    title: Codes
    minute: IntArray
    started_s: FloatArray
    viewers: IntArray

    def __len__(self) -> int:
        return len(self.minute)

    def take(self, rows: IntArray) -> SampleArrays:
        return SampleArrays(
            channel=self.channel.take(rows),
            login=self.login.take(rows),
            stream=self.stream.take(rows),
            game_id=self.game_id.take(rows),
            game_name=self.game_name.take(rows),
            title=self.title.take(rows),
            minute=self.minute[rows],
            started_s=self.started_s[rows],
            viewers=self.viewers[rows],
        )


@dataclasses.dataclass(frozen=True)
class PollArrays:
    """Minutes in which the collector observed channels.

    Attributes:
        minutes: sorted distinct minutes (since the epoch) with an ok or partial poll.
        unobserved: sorted keys `channel_code * CHANNEL_KEY_FACTOR + minute` of the channels
            that a partial poll could not observe.
    """

    minutes: IntArray
    unobserved: IntArray


def _require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise MetricsError(
            f"the {what} frame has no column {', '.join(missing)}: it needs "
            f"{', '.join(columns)} (read it with the storage read functions)"
        )


def epoch_milliseconds(values: pd.Series, column: str) -> IntArray:
    """Convert a timezone-aware datetime column to int64 milliseconds since the epoch."""
    if not isinstance(values.dtype, pd.DatetimeTZDtype):
        try:
            values = pd.to_datetime(values, utc=False)
        except (TypeError, ValueError) as exc:
            raise MetricsError(
                f"invalid {column} values ({exc}): expected timezone-aware datetimes"
            ) from exc
        if not isinstance(values.dtype, pd.DatetimeTZDtype):
            raise MetricsError(
                f"{column} contains naive datetimes: localize them to UTC first "
                "(series.dt.tz_localize('UTC'))"
            )
    if values.isna().any():
        raise MetricsError(f"{column} has missing values: every row needs a time")
    naive = values.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
    milliseconds: IntArray = naive.astype("datetime64[ms]").astype(np.int64)
    return milliseconds


def _optional_seconds(values: pd.Series, column: str) -> FloatArray:
    """Convert an optional datetime column to float seconds since the epoch, NaN when missing."""
    if not isinstance(values.dtype, pd.DatetimeTZDtype):
        values = pd.to_datetime(values, utc=True)
    naive = values.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
    missing = np.isnat(naive)
    seconds: FloatArray = naive.astype("datetime64[ms]").astype(np.int64) / 1000.0
    seconds[missing] = np.nan
    return seconds


def minutes_from_milliseconds(milliseconds: IntArray) -> IntArray:
    """Round epoch milliseconds to the nearest minute, which aligns readings to the poll grid."""
    return np.floor_divide(milliseconds + 30_000, 60_000)


def factorize(values: pd.Series, rows: IntArray | None = None) -> Codes:
    """Encode a column (or its `rows`, in that order) as codes into its distinct values.

    The values are sorted as text, which makes the codes, and so the order of every result,
    independent of the row order.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        # The codes are already there. Missing values have code -1, which indexes the last
        # entry of `position` below, so they become "".
        raw = values.cat.codes.to_numpy()
        categories = [str(value) for value in values.cat.categories]
        if (raw < 0).any():
            categories.append("")
        text = np.array(categories, dtype=object)
    else:
        raw, uniques = pd.factorize(values, use_na_sentinel=False)
        text = np.array([str(value) for value in uniques], dtype=object)
    order = np.argsort(text, kind="stable")
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order), dtype=np.int64)
    selected = raw if rows is None else raw[rows]
    return Codes(position[selected], pd.Index(text[order], dtype=object))


def _channel_time_order(channel: IntArray, milliseconds: IntArray) -> IntArray:
    """Return the row order by (channel, time), cheaply for input already sorted by time."""
    n = len(channel)
    if n < 2:
        return np.arange(n, dtype=np.int64)
    key = channel * CHANNEL_KEY_FACTOR + milliseconds
    if bool(np.all(key[1:] > key[:-1])):
        return np.arange(n, dtype=np.int64)
    if bool(np.all(milliseconds[1:] >= milliseconds[:-1])) and int(channel.max()) < 2**16:
        # Rows sorted by time (as the database returns them): a stable sort by channel alone
        # is enough, and numpy sorts 16-bit keys with a linear-time radix sort.
        return np.argsort(channel.astype(np.uint16), kind="stable").astype(np.int64)
    return np.argsort(key, kind="stable").astype(np.int64)


def _text_column(frame: pd.DataFrame, column: str) -> pd.Series:
    series = frame[column]
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series
    return series.fillna("")


def prepare_samples(samples: pd.DataFrame) -> SampleArrays:
    """Validate a samples frame and return its rows sorted and aligned to the minute grid.

    Two samples of one channel that round to the same minute keep the later one, so the
    result does not depend on the order of the input rows.
    """
    _require_columns(samples, SAMPLE_COLUMNS, "samples")
    viewers_column = samples["viewer_count"]
    if viewers_column.isna().any():
        raise MetricsError("viewer_count has missing values: a sample without a count is invalid")
    viewers = viewers_column.to_numpy(dtype=np.int64)
    if len(viewers) and viewers.min() < 0:
        bad = int(viewers.min())
        raise MetricsError(f"invalid viewer_count {bad}: counts are 0 or more")

    milliseconds = epoch_milliseconds(samples["observed_at"], "observed_at")
    channel = factorize(samples["channel_id"])

    order = _channel_time_order(channel.codes, milliseconds)
    minute = minutes_from_milliseconds(milliseconds[order])
    channel_sorted = channel.codes[order]

    # Keep the last sample of each (channel, minute).
    keep = np.ones(len(order), dtype=bool)
    if len(order) > 1:
        keep[:-1] = (channel_sorted[1:] != channel_sorted[:-1]) | (minute[1:] != minute[:-1])
    rows = order[keep]

    return SampleArrays(
        channel=Codes(channel_sorted[keep], channel.values),
        login=factorize(_text_column(samples, "channel_login"), rows),
        stream=factorize(_text_column(samples, "stream_id"), rows),
        game_id=factorize(_text_column(samples, "game_id"), rows),
        game_name=factorize(_text_column(samples, "game_name"), rows),
        title=factorize(_text_column(samples, "title"), rows),
        minute=minute[keep],
        started_s=_optional_seconds(samples["started_at"], "started_at")[rows],
        viewers=viewers[rows],
    )


def _unobserved_lists(values: Any) -> list[str]:
    if values is None or (isinstance(values, float) and np.isnan(values)):
        return []
    if isinstance(values, str):
        text = values.strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except json.JSONDecodeError as exc:
                raise MetricsError(
                    f"invalid {UNOBSERVED_COLUMN} value {values!r}: expected a JSON array of ids"
                ) from exc
            return [str(item) for item in parsed]
        return [item for item in text.split(",") if item.strip()]
    return [str(item) for item in values]


def _distinct_sorted(minutes: IntArray) -> IntArray:
    """Return the distinct minutes in order, by marking a table when their range is small."""
    if len(minutes) == 0:
        return EMPTY_INT
    first = int(minutes.min())
    span = int(minutes.max()) - first + 1
    if span > 20 * len(minutes) + 1_000_000:
        return np.unique(minutes)
    seen = np.zeros(span, dtype=bool)
    seen[minutes - first] = True
    return np.flatnonzero(seen).astype(np.int64) + first


def prepare_polls(polls: pd.DataFrame | None, samples: SampleArrays) -> PollArrays:
    """Return the minutes that had a usable poll.

    Without a polls frame, every minute in which at least one sample exists counts as polled:
    a minute without any sample is then a collector gap.
    """
    if polls is None:
        return PollArrays(minutes=_distinct_sorted(samples.minute), unobserved=EMPTY_INT)

    _require_columns(polls, POLL_COLUMNS, "polls")
    outcome = polls["outcome"].astype(str).str.lower()
    unknown = sorted(set(outcome.unique()) - {"ok", "partial", "failed"})
    if unknown:
        raise MetricsError(
            f"invalid poll outcome {unknown[0]!r}: expected 'ok', 'partial' or 'failed'"
        )
    usable = polls.loc[outcome.isin(OBSERVED_OUTCOMES).to_numpy()]
    minutes = minutes_from_milliseconds(epoch_milliseconds(usable["observed_at"], "observed_at"))

    unobserved = EMPTY_INT
    if UNOBSERVED_COLUMN in usable.columns and len(usable):
        lookup = {str(value): code for code, value in enumerate(samples.channel.values)}
        keys: list[int] = []
        for minute, listed in zip(minutes.tolist(), usable[UNOBSERVED_COLUMN], strict=True):
            for channel_id in _unobserved_lists(listed):
                code = lookup.get(channel_id.strip())
                if code is not None:
                    keys.append(code * int(CHANNEL_KEY_FACTOR) + minute)
        unobserved = np.unique(np.asarray(keys, dtype=np.int64))
    return PollArrays(minutes=_distinct_sorted(minutes), unobserved=unobserved)
