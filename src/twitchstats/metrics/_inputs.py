"""Validation of the input frames and their conversion to sorted numpy arrays."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from twitchstats._exceptions import MetricsError

if TYPE_CHECKING:
    from twitchstats._storage._readers import SampleKeys

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

# Threads that reorder the sample columns. Two cores gave 1.6 times the speed of one.
_WORKERS = min(4, os.cpu_count() or 1)


# Codes of a text column, in the narrowest integer type that fits them. A season's channel
# and game codes fit one byte, its stream and title codes two.
CodeArray = npt.NDArray[np.integer[Any]]


@dataclasses.dataclass(frozen=True)
class Codes:
    """A column stored as integer codes into an array of distinct values.

    The codes have the narrowest integer type that fits them (see `CodeArray`), so
    arithmetic on them must widen first; comparisons and indexing need nothing.
    """

    codes: CodeArray
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

    def slice(self, start: int, stop: int) -> SampleArrays:
        """Return rows `start` to `stop` (excluded) as views, without copying."""
        return SampleArrays(
            channel=Codes(self.channel.codes[start:stop], self.channel.values),
            login=Codes(self.login.codes[start:stop], self.login.values),
            stream=Codes(self.stream.codes[start:stop], self.stream.values),
            game_id=Codes(self.game_id.codes[start:stop], self.game_id.values),
            game_name=Codes(self.game_name.codes[start:stop], self.game_name.values),
            title=Codes(self.title.codes[start:stop], self.title.values),
            minute=self.minute[start:stop],
            started_s=self.started_s[start:stop],
            viewers=self.viewers[start:stop],
        )

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


_TICKS_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}
_MISSING_TICK = np.iinfo(np.int64).min


def _as_aware(values: pd.Series, column: str) -> pd.Series:
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values
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
    return values


def _ticks(values: pd.Series) -> tuple[IntArray, int]:
    """Return the stored int64 times of an aware datetime column, and their ticks per second.

    pandas keeps aware times as UTC ticks since the epoch in the column's unit (missing ones as
    INT64 min), so this is a view: a season's columns are not copied or converted.
    """
    dtype = values.dtype
    assert isinstance(dtype, pd.DatetimeTZDtype)
    ticks: IntArray = values.array.asi8
    return ticks, _TICKS_PER_SECOND[dtype.unit]


def epoch_ticks(values: pd.Series, column: str) -> tuple[IntArray, int]:
    """Return a timezone-aware datetime column as int64 ticks since the epoch, and ticks/second."""
    values = _as_aware(values, column)
    if values.isna().any():
        raise MetricsError(f"{column} has missing values: every row needs a time")
    return _ticks(values)


def _optional_ticks(values: pd.Series) -> tuple[IntArray, int]:
    """Return an optional datetime column as `epoch_ticks` does, INT64 min where missing."""
    if not isinstance(values.dtype, pd.DatetimeTZDtype):
        values = pd.to_datetime(values, utc=True)
    return _ticks(values)


def minutes_from_ticks(ticks: IntArray, per_second: int, *, in_place: bool = False) -> IntArray:
    """Round epoch ticks to the nearest minute, which aligns readings to the poll grid.

    With `in_place`, the result overwrites `ticks` instead of taking new memory.
    """
    per_minute = 60 * per_second
    if not in_place:
        return np.floor_divide(ticks + per_minute // 2, per_minute)
    ticks += per_minute // 2
    np.floor_divide(ticks, per_minute, out=ticks)
    return ticks


def _rescaled(ticks: IntArray, per_second: int, target_per_second: int) -> IntArray:
    """Return epoch ticks at `target_per_second` (rounded down), keeping INT64 min."""
    if per_second == target_per_second:
        return ticks
    if per_second > target_per_second:
        scaled = ticks // (per_second // target_per_second)
    else:
        scaled = ticks * (target_per_second // per_second)
    scaled[ticks == _MISSING_TICK] = _MISSING_TICK
    return scaled


@dataclasses.dataclass(frozen=True)
class _IdColumn:
    """A text column as an integer id per row, with the code of each id among sorted texts.

    Codes number the distinct texts in text order, which makes the codes, and so the order of
    every result, independent of the row order. An id of -1 stands for the last entry of
    `code_of_id`, as numpy indexing reads it.
    """

    ids: npt.NDArray[np.integer[Any]]
    code_of_id: IntArray
    values: pd.Index

    @classmethod
    def from_series(cls, values: pd.Series) -> _IdColumn:
        """Encode a column; missing values become ""."""
        if isinstance(values.dtype, pd.CategoricalDtype):
            # The ids are there already. Missing values have id -1, which indexes the last
            # entry of `code_of_id`, so they become "".
            ids = values.cat.codes.to_numpy()
            texts = [str(value) for value in values.cat.categories]
            if (ids < 0).any():
                texts.append("")
        else:
            ids, uniques = pd.factorize(values.fillna(""), use_na_sentinel=False)
            texts = [str(value) for value in uniques]
        return cls._sorted(ids, texts, np.arange(len(texts)))

    @classmethod
    def from_keys(
        cls, keys: IntArray, labels: Mapping[int, str], present: IntArray | None = None
    ) -> _IdColumn:
        """Encode database keys through their labels; key 0 and keys without one become "".

        `present` lists the distinct keys, sorted, when the caller already has them.
        """
        if present is None:
            present = _distinct_keys(keys)
        texts = [labels.get(int(key), "") for key in present]
        return cls._sorted(keys, texts, present)

    @classmethod
    def _sorted(
        cls, ids: npt.NDArray[np.integer[Any]], texts: list[str], id_of_text: IntArray
    ) -> _IdColumn:
        distinct = sorted(set(texts))
        position = {value: code for code, value in enumerate(distinct)}
        size = int(id_of_text.max()) + 1 if len(id_of_text) else 0
        code_of_id = np.zeros(size, dtype=np.int64)
        code_of_id[id_of_text] = [position[value] for value in texts]
        return cls(ids, code_of_id, pd.Index(distinct, dtype=object))

    def row_codes(self) -> npt.NDArray[np.integer[Any]]:
        """Return the code of every row, in the narrowest integer type that fits them."""
        identity = len(self.ids) == 0 or (
            int(self.ids.min()) >= 0
            and np.array_equal(self.code_of_id, np.arange(len(self.code_of_id)))
        )
        if identity:
            return _smallest(self.ids)
        return np.take(_smallest(self.code_of_id), self.ids)


def _distinct_keys(keys: IntArray) -> IntArray:
    """Return the distinct non-negative `keys`, sorted."""
    return np.flatnonzero(np.bincount(keys)) if len(keys) else EMPTY_INT


def _channel_time_order(
    channel: npt.NDArray[np.integer[Any]], ticks: IntArray, per_second: int
) -> IntArray:
    """Return the row order by (channel, time), cheaply for input already sorted by time."""
    n = len(channel)
    if n < 2:
        return np.arange(n, dtype=np.int64)
    time_sorted = bool(np.all(ticks[1:] >= ticks[:-1]))
    if time_sorted and int(channel.max()) < 2**16 and int(channel.min()) >= 0:
        # Rows sorted by time (as the database returns them): a stable sort by channel alone
        # is enough, and numpy sorts 16-bit keys with a linear-time radix sort.
        order = np.argsort(channel.astype(np.uint16), kind="stable")
        return order.astype(np.int64, copy=False)
    key = channel * CHANNEL_KEY_FACTOR + _rescaled(ticks, per_second, 1_000)
    if bool(np.all(key[1:] > key[:-1])):
        return np.arange(n, dtype=np.int64)
    return np.argsort(key, kind="stable").astype(np.int64, copy=False)


def _checked_viewers(viewers: IntArray) -> IntArray:
    if len(viewers) and viewers.min() < 0:
        bad = int(viewers.min())
        raise MetricsError(f"invalid viewer_count {bad}: counts are 0 or more")
    return viewers


def _smallest(ids: npt.NDArray[np.integer[Any]]) -> npt.NDArray[np.integer[Any]]:
    """Return `ids` in the narrowest signed integer type that fits them."""
    if len(ids) == 0:
        return ids
    low, high = int(ids.min()), int(ids.max())
    for dtype in (np.int8, np.int16, np.int32):
        limits = np.iinfo(dtype)
        if limits.min <= low and high <= limits.max:
            return ids.astype(dtype, copy=False)
    return ids


def _assemble(
    text: dict[str, _IdColumn],
    observed: IntArray,
    started: IntArray,
    per_second: int,
    viewers: IntArray,
) -> SampleArrays:
    """Sort samples by (channel, minute), keep the last of each minute and encode the texts.

    `text` holds the columns `channel`, `login`, `stream`, `game_id`, `game_name` and `title`;
    `observed` and `started` are epoch ticks, `per_second` to a second, and `started` is
    INT64 min where unknown. Two samples of one channel that round to the
    same minute keep the later one, so the result does not depend on the order of the rows.

    The rows come in time order and are needed in channel order. Reordering costs a cache
    miss per value of a large array, so the codes are narrowed to the smallest integer type
    first, which keeps most of them in cache, and stay narrow.
    """
    channel = text["channel"]
    channel_codes = channel.row_codes()
    order = _channel_time_order(channel_codes, observed, per_second)
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        # NumPy releases the GIL while it gathers, so the columns move in parallel.
        sorted_channel = pool.submit(np.take, channel_codes, order)
        minute = minutes_from_ticks(np.take(observed, order), per_second, in_place=True)
        channel_sorted = sorted_channel.result()
        n = len(order)
        keep = np.ones(n, dtype=bool)
        if n > 1:
            keep[:-1] = (channel_sorted[1:] != channel_sorted[:-1]) | (minute[1:] != minute[:-1])
        if not keep.all():
            order, minute, channel_sorted = order[keep], minute[keep], channel_sorted[keep]
        del keep

        def reordered(column: _IdColumn) -> Codes:
            return Codes(np.take(column.row_codes(), order), column.values)

        def started_seconds() -> FloatArray:
            ticks = np.take(started, order)
            missing = ticks == _MISSING_TICK
            # The seconds overwrite the ticks they come from, one element at a time, which
            # saves a season-sized array (NumPy allows exactly overlapping input and output).
            seconds: FloatArray = ticks.view(np.float64)
            np.divide(ticks, float(per_second), out=seconds)
            seconds[missing] = np.nan
            return seconds

        names = ("login", "stream", "game_id", "game_name", "title")
        coded = {name: pool.submit(reordered, text[name]) for name in names}
        started_s = pool.submit(started_seconds)
        sorted_viewers = pool.submit(np.take, viewers, order)
        return SampleArrays(
            channel=Codes(channel_sorted, channel.values),
            login=coded["login"].result(),
            stream=coded["stream"].result(),
            game_id=coded["game_id"].result(),
            game_name=coded["game_name"].result(),
            title=coded["title"].result(),
            minute=minute,
            started_s=started_s.result(),
            viewers=sorted_viewers.result(),
        )


def prepare_samples(samples: pd.DataFrame) -> SampleArrays:
    """Validate a samples frame and return its rows sorted and aligned to the minute grid.

    Two samples of one channel that round to the same minute keep the later one, so the
    result does not depend on the order of the input rows.
    """
    _require_columns(samples, SAMPLE_COLUMNS, "samples")
    viewers_column = samples["viewer_count"]
    if viewers_column.isna().any():
        raise MetricsError("viewer_count has missing values: a sample without a count is invalid")
    viewers = _checked_viewers(viewers_column.to_numpy(dtype=np.int64))
    observed, per_second = epoch_ticks(samples["observed_at"], "observed_at")
    columns = {
        "channel": "channel_id",
        "login": "channel_login",
        "stream": "stream_id",
        "game_id": "game_id",
        "game_name": "game_name",
        "title": "title",
    }
    text = {name: _IdColumn.from_series(samples[column]) for name, column in columns.items()}
    started, started_per_second = _optional_ticks(samples["started_at"])
    if started_per_second != per_second:
        # Rare: the two columns have different units. Bring both to microseconds.
        observed = _rescaled(observed, per_second, 1_000_000)
        started = _rescaled(started, started_per_second, 1_000_000)
        per_second = 1_000_000
    return _assemble(text, observed, started, per_second, viewers)


def prepare_sample_keys(samples: SampleKeys) -> SampleArrays:
    """Return samples read as integer keys, as `prepare_samples` returns the same samples.

    The columns come straight from the database's integer keys and lookups, which skips
    building categorical columns of text only to take them apart again.
    """
    viewers = _checked_viewers(samples.viewers.astype(np.int64, copy=False))
    observed = samples.observed_us.astype(np.int64, copy=False)
    started = samples.started_us.astype(np.int64, copy=False)
    channel_ids = {key: row[0] for key, row in samples.channels.items()}
    logins = {key: row[1] for key, row in samples.channels.items()}
    game_ids = {key: row[0] for key, row in samples.games.items()}
    game_names = {key: row[1] for key, row in samples.games.items()}
    # Channel ids and logins share the channel keys, game ids and names the game keys.
    channels = _distinct_keys(samples.channel)
    games = _distinct_keys(samples.game)
    text = {
        "channel": _IdColumn.from_keys(samples.channel, channel_ids, channels),
        "login": _IdColumn.from_keys(samples.channel, logins, channels),
        "stream": _IdColumn.from_keys(samples.stream, samples.streams),
        "game_id": _IdColumn.from_keys(samples.game, game_ids, games),
        "game_name": _IdColumn.from_keys(samples.game, game_names, games),
        "title": _IdColumn.from_keys(samples.title, samples.titles),
    }
    return _assemble(text, observed, started, 1_000_000, viewers)


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
    minutes = minutes_from_ticks(*epoch_ticks(usable["observed_at"], "observed_at"))

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
