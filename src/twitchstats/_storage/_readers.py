"""Readers that return pandas DataFrames with aware UTC times and Twitch ids as strings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from twitchstats._storage._types import to_epoch_us

# SQL text in this module is built only from constants, column names and placeholders, so
# the S608 (SQL injection) warnings on it are silenced line by line.
UTC_US = pd.DatetimeTZDtype(unit="us", tz="UTC")
_NAT = np.iinfo(np.int64).min
# INT64 min as SQL: the literal 9223372036854775808 does not fit a 64-bit integer.
_NAT_SQL = "(-9223372036854775807 - 1)"

# Rows fetched from the database cursor per round: big enough to amortise the Python calls,
# small enough that the list of row tuples stays a few tens of MB.
FETCH_ROWS = 100_000

# With more distinct keys than this, a lookup table is read whole instead of by IN (...) lists.
_WHOLE_TABLE_ABOVE = 2_000


def epoch_us_sql(connection: Connection, column: str) -> str:
    """SQL giving `column` (a UTCDateTime) as integer microseconds since the epoch."""
    if connection.dialect.name == "postgresql":
        # Exact on every PostgreSQL version, unlike EXTRACT(EPOCH ...) * 1e6 in floating point.
        return (
            f"(EXTRACT(EPOCH FROM date_trunc('second', {column}))::bigint * 1000000 "
            f"+ mod(EXTRACT(MICROSECONDS FROM {column})::bigint, 1000000))"
        )
    return column


def _placeholder(connection: Connection) -> str:
    return "%s" if connection.dialect.name == "postgresql" else "?"


def _time_param(connection: Connection, value: dt.datetime) -> Any:
    return value if connection.dialect.name == "postgresql" else to_epoch_us(value)


def _time_filters(
    connection: Connection, column: str, since: dt.datetime | None, until: dt.datetime | None
) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    mark = _placeholder(connection)
    if since is not None:
        clauses.append(f"{column} >= {mark}")
        params.append(_time_param(connection, since))
    if until is not None:
        clauses.append(f"{column} < {mark}")
        params.append(_time_param(connection, until))
    return clauses, params


def fetch_int_matrix(
    connection: Connection, sql: str, params: Sequence[Any], width: int
) -> np.ndarray:
    """Run a query whose columns are all non-NULL integers and return an (n, width) int64 array.

    Goes through the raw DBAPI cursor in chunks: building Python row objects and a pandas
    frame per row, as `pandas.read_sql` does, costs several times more than the query itself.
    """
    raw = connection.connection.driver_connection
    if raw is None:
        raise RuntimeError("the connection has no driver connection")
    if connection.dialect.name == "postgresql":
        # A named (server-side) cursor streams the rows instead of buffering them all.
        cursor = raw.cursor(name="twitchstats_read")
    else:
        cursor = raw.cursor()
    chunks: list[np.ndarray] = []
    try:
        cursor.execute(sql, tuple(params))
        while True:
            rows = cursor.fetchmany(FETCH_ROWS)
            if not rows:
                break
            # fromiter over the flattened rows took less than half the time of np.array(rows)
            # for 300,000 rows of three integers.
            flat = itertools.chain.from_iterable(rows)
            values = np.fromiter(flat, dtype=np.int64, count=len(rows) * width)
            chunks.append(values.reshape(len(rows), width))
    finally:
        cursor.close()
    if not chunks:
        return np.empty((0, width), dtype=np.int64)
    return np.concatenate(chunks)


def _lookup(
    connection: Connection, table: str, columns: str, keys: np.ndarray
) -> list[tuple[Any, ...]]:
    """Read `id, <columns>` rows of a lookup table for the given keys (0 meaning none)."""
    # Keys are small positive integers, so a count per key finds the distinct ones in one pass.
    wanted = np.flatnonzero(np.bincount(keys))
    wanted = wanted[wanted > 0]
    if len(wanted) == 0:
        return []
    if len(wanted) > _WHOLE_TABLE_ABOVE:
        return list(connection.exec_driver_sql(f"SELECT id, {columns} FROM {table}").all())  # noqa: S608
    mark = _placeholder(connection)
    rows: list[tuple[Any, ...]] = []
    values = [int(key) for key in wanted]
    for start in range(0, len(values), 900):
        chunk = values[start : start + 900]
        marks = ", ".join([mark] * len(chunk))
        sql = f"SELECT id, {columns} FROM {table} WHERE id IN ({marks})"  # noqa: S608
        rows.extend(tuple(row) for row in connection.exec_driver_sql(sql, tuple(chunk)))
    return rows


def categorical_from_keys(
    keys: np.ndarray, lookup: dict[int, str], counts: np.ndarray | None = None
) -> pd.Categorical:
    """Map integer keys to their strings as a Categorical with sorted categories; 0 maps to "".

    Only the strings that occur become categories. The mapping is worked out once per distinct
    key, so the rows are touched twice: one count per key (`counts`, `np.bincount(keys)`, may
    be passed in when several columns share the keys) and one gather of the final codes.
    """
    if counts is None:
        counts = np.bincount(keys)
    size = len(counts)
    labels = np.full(size, "", dtype=object)
    for key, value in lookup.items():
        if key < size:
            labels[key] = value
    used_keys = np.flatnonzero(counts)
    categories, code_of_used = np.unique(labels[used_keys].astype(str), return_inverse=True)
    # The codes get the dtype pandas would pick for this many categories, so from_codes keeps
    # them without another pass over the rows.
    code_dtype = _code_dtype(len(categories))
    code_of_key = np.full(size, -1, dtype=code_dtype)
    code_of_key[used_keys] = code_of_used
    dtype = pd.CategoricalDtype(pd.Index(categories, dtype=str))
    # Every code comes from code_of_used, so it is valid by construction.
    return pd.Categorical.from_codes(code_of_key[keys], dtype=dtype, validate=False)


def _code_dtype(categories: int) -> type[np.signedinteger[Any]]:
    for dtype in (np.int8, np.int16, np.int32):
        if categories < np.iinfo(dtype).max:
            return dtype
    return np.int64


def _times(values: np.ndarray) -> pd.Series:
    """Turn int64 microseconds since the epoch (INT64 min for missing) into aware UTC times."""
    return pd.Series(values.view("M8[us]")).dt.tz_localize("UTC")


@dataclasses.dataclass(frozen=True)
class SampleKeys:
    """Samples as integer columns, with the rows of the lookup tables their keys point to.

    Rows are sorted by (`observed_us`, `channel`). Times are int64 microseconds since the
    epoch, with INT64 min for a missing `started_us`. The key columns hold the internal ids of
    the `channels`, `streams`, `games` and `titles` tables, or 0 where the sample has none.
    Each lookup maps the keys that occur to their text. For `channels` that is the Twitch id
    and the current login, for `games` the Twitch id and the latest name.
    """

    observed_us: np.ndarray
    channel: np.ndarray
    stream: np.ndarray
    started_us: np.ndarray
    viewers: np.ndarray
    game: np.ndarray
    title: np.ndarray
    channels: dict[int, tuple[str, str]]
    streams: dict[int, str]
    games: dict[int, tuple[str, str]]
    titles: dict[int, str]

    def __len__(self) -> int:
        return len(self.observed_us)

    def take(self, rows: np.ndarray) -> SampleKeys:
        """Return the given rows (a boolean mask or positions); the lookups are shared."""
        return dataclasses.replace(
            self,
            observed_us=self.observed_us[rows],
            channel=self.channel[rows],
            stream=self.stream[rows],
            started_us=self.started_us[rows],
            viewers=self.viewers[rows],
            game=self.game[rows],
            title=self.title[rows],
        )


def read_sample_keys(
    connection: Connection,
    *,
    channel_ids: Sequence[str] | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    packed: bool | None = None,
) -> SampleKeys:
    """Read samples as integer columns and lookups; the filters are those of `read_samples`.

    `packed` chooses the packed query (see `_fetch_packed`); None uses it when the keys fit.
    """
    clauses, params = _time_filters(connection, "s.observed_at", since, until)
    if channel_ids is not None:
        keys = _channel_keys(connection, channel_ids)
        if not keys:
            empty = np.empty(0, dtype=np.int64)
            return SampleKeys(empty, empty, empty, empty, empty, empty, empty, {}, {}, {}, {})
        clauses.append(f"s.channel_key IN ({', '.join(str(key) for key in keys)})")
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""

    if packed is None:
        packed = _fits_packed_layout(connection)
    if packed and connection.dialect.name == "sqlite":
        columns = _fetch_packed_text(connection, where, params)
    elif packed:
        columns = _fetch_packed(connection, where, params)
    else:
        columns = _fetch_unpacked(connection, where, params)
    observed_us, channel, stream, started_us, viewers, game, title = columns
    return SampleKeys(
        observed_us=observed_us,
        channel=channel,
        stream=stream,
        started_us=started_us,
        viewers=viewers,
        game=game,
        title=title,
        channels={
            row[0]: (row[1], row[2])
            for row in _lookup(connection, "channels", "twitch_id, login", channel)
        },
        streams={row[0]: row[1] for row in _lookup(connection, "streams", "twitch_id", stream)},
        games={
            row[0]: (row[1], row[2])
            for row in _lookup(connection, "games", "twitch_id, name", game)
        },
        titles={row[0]: row[1] for row in _lookup(connection, "titles", "text", title)},
    )


def read_samples(
    connection: Connection,
    *,
    channel_ids: Sequence[str] | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    packed: bool | None = None,
) -> pd.DataFrame:
    """Read samples as documented on `Database.read_samples`.

    `packed` chooses the packed query (see `_fetch_packed`); None uses it when the keys fit.
    """
    samples = read_sample_keys(
        connection, channel_ids=channel_ids, since=since, until=until, packed=packed
    )
    if len(samples) == 0:
        return empty_samples()
    channel_counts = np.bincount(samples.channel)
    game_counts = np.bincount(samples.game)
    channel, game = samples.channel, samples.game
    return pd.DataFrame(
        {
            "observed_at": _times(samples.observed_us),
            "channel_id": categorical_from_keys(
                channel, {key: row[0] for key, row in samples.channels.items()}, channel_counts
            ),
            "channel_login": categorical_from_keys(
                channel, {key: row[1] for key, row in samples.channels.items()}, channel_counts
            ),
            "stream_id": categorical_from_keys(samples.stream, samples.streams),
            "started_at": _times(samples.started_us),
            "viewer_count": samples.viewers,
            "game_id": categorical_from_keys(
                game, {key: row[0] for key, row in samples.games.items()}, game_counts
            ),
            "game_name": categorical_from_keys(
                game, {key: row[1] for key, row in samples.games.items()}, game_counts
            ),
            "title": categorical_from_keys(samples.title, samples.titles),
        },
        copy=False,
    )


# Bit layout of the packed sample query, which packs six integer columns into two. The widths
# bound the keys to about a million channels and games, eight million streams and sixteen
# million titles, and leave viewer_count 39 bits. `_fits_packed_layout` checks the key bounds
# before each read.
_CHANNEL_BITS = 20
_GAME_BITS = 20
_STREAM_BITS = 23
_TITLE_BITS = 24
_KEY_LIMITS = {
    "channels": 1 << _CHANNEL_BITS,
    "games": 1 << _GAME_BITS,
    "streams": 1 << _STREAM_BITS,
    "titles": 1 << _TITLE_BITS,
}

SampleColumns = tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray
]


def _fits_packed_layout(connection: Connection) -> bool:
    for table, limit in _KEY_LIMITS.items():
        largest = connection.exec_driver_sql(f"SELECT max(id) FROM {table}").scalar()  # noqa: S608
        if largest is not None and int(largest) >= limit:
            return False
    return True


def _fetch_unpacked(connection: Connection, where: str, params: Sequence[Any]) -> SampleColumns:
    observed = epoch_us_sql(connection, "s.observed_at")
    started = epoch_us_sql(connection, "s.started_at")
    sql = (
        f"SELECT {observed}, s.channel_key, coalesce(s.stream_key, 0), "  # noqa: S608
        f"coalesce({started}, {_NAT}), s.viewer_count, coalesce(s.game_key, 0), "
        f"coalesce(s.title_key, 0) FROM samples s {where} ORDER BY s.observed_at, s.channel_key"
    )
    matrix = fetch_int_matrix(connection, sql, params, 7)
    return (
        matrix[:, 0].copy(),
        matrix[:, 1].copy(),
        matrix[:, 2].copy(),
        matrix[:, 3].copy(),
        matrix[:, 4].copy(),
        matrix[:, 5].copy(),
        matrix[:, 6].copy(),
    )


def _fetch_packed(connection: Connection, where: str, params: Sequence[Any]) -> SampleColumns:
    """Fetch samples as three integers per row and unpack them with NumPy.

    Building Python objects for every value is the main cost of a large read, so the database
    packs the keys into two integers with shifts, and the poll times come from a second, grouped
    query: rows are ordered by time, so each time repeats for its count of rows. Both queries
    run in the caller's transaction and see the same rows.
    """
    observed = epoch_us_sql(connection, "s.observed_at")
    times = fetch_int_matrix(
        connection,
        f"SELECT {observed}, count(*) FROM samples s {where} "  # noqa: S608
        "GROUP BY s.observed_at ORDER BY s.observed_at",
        params,
        2,
    )

    started = epoch_us_sql(connection, "s.started_at")
    first_shift = _CHANNEL_BITS
    second_shift = _CHANNEL_BITS + _GAME_BITS
    sql = (
        "SELECT CAST(s.channel_key AS BIGINT) "  # noqa: S608
        f"| (CAST(coalesce(s.game_key, 0) AS BIGINT) << {first_shift}) "
        f"| (CAST(coalesce(s.stream_key, 0) AS BIGINT) << {second_shift}), "
        f"CAST(coalesce(s.title_key, 0) AS BIGINT) "
        f"| (CAST(s.viewer_count AS BIGINT) << {_TITLE_BITS}), "
        f"coalesce({started}, {_NAT}) "
        f"FROM samples s {where} ORDER BY s.observed_at, s.channel_key"
    )
    matrix = fetch_int_matrix(connection, sql, params, 3)
    if len(matrix) != int(times[:, 1].sum()):
        raise RuntimeError("the sample count changed between two queries of one transaction")

    keys = matrix[:, 0]
    counts = matrix[:, 1]
    return (
        np.repeat(times[:, 0], times[:, 1]),
        keys & ((1 << _CHANNEL_BITS) - 1),
        keys >> second_shift,
        matrix[:, 2].copy(),
        counts >> _TITLE_BITS,
        (keys >> first_shift) & ((1 << _GAME_BITS) - 1),
        counts & ((1 << _TITLE_BITS) - 1),
    )


# Polls per fetchmany() of the grouped text query: with a few hundred samples per poll, the
# joined text of one round stays a few tens of MB.
TEXT_FETCH_POLLS = 2_000


def _fetch_packed_text(connection: Connection, where: str, params: Sequence[Any]) -> SampleColumns:
    """Fetch samples on SQLite as one row per poll, with the packed integers joined as text.

    Python's sqlite3 module builds a tuple and an int object for every value it returns, and
    for 8 million samples that took more than half of the read's CPU time. Here SQLite
    aggregates each poll into one row whose `group_concat` columns hold the packed integers
    (the layout of `_fetch_packed`) as comma-separated decimal text, which NumPy parses in C.
    The integers are exact: NumPy parses int64 text without going through floating point.
    `started_at` travels as its distance to `observed_at`, which has fewer digits to format
    and parse.
    """
    started = f"coalesce(s.observed_at - s.started_at, {_NAT_SQL})"
    sql = (
        f"SELECT s.observed_at, count(*), group_concat({_packed_keys_sql()}), "  # noqa: S608
        f"group_concat({_packed_counts_sql()}), group_concat({started}) "
        f"FROM samples s {where} GROUP BY s.observed_at ORDER BY s.observed_at"
    )
    raw = connection.connection.driver_connection
    if raw is None:
        raise RuntimeError("the connection has no driver connection")
    times: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    words: list[list[np.ndarray]] = [[], [], []]
    cursor = raw.cursor()
    try:
        cursor.execute(sql, tuple(params))
        while rows := cursor.fetchmany(TEXT_FETCH_POLLS):
            times.append(np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows)))
            chunk_counts = np.fromiter((row[1] for row in rows), dtype=np.int64, count=len(rows))
            counts.append(chunk_counts)
            expected = int(chunk_counts.sum())
            for position, parts in enumerate(words, start=2):
                text = ",".join([row[position] for row in rows])
                values = np.fromstring(text, dtype=np.int64, sep=",")
                if len(values) != expected:
                    raise RuntimeError(
                        f"read {len(values)} values from a samples query that counted {expected}"
                    )
                parts.append(values)
    finally:
        cursor.close()
    if not times:
        empty = np.empty(0, dtype=np.int64)
        return (empty, empty, empty, empty, empty, empty, empty)

    poll_counts = np.concatenate(counts)
    keys, packed_counts, started_before = (np.concatenate(parts) for parts in words)
    observed_us = np.repeat(np.concatenate(times), poll_counts)
    started_us = np.where(started_before == _NAT, _NAT, observed_us - started_before)
    channel = keys & ((1 << _CHANNEL_BITS) - 1)
    # SQLite documents the order of group_concat as arbitrary. In practice it follows the
    # primary-key scan, so rows of one poll come by channel key; sort only when they do not.
    same_poll = observed_us[1:] == observed_us[:-1]
    if (same_poll & (channel[1:] <= channel[:-1])).any():
        order = np.lexsort((channel, observed_us))
        observed_us, keys, packed_counts, started_us, channel = (
            values[order] for values in (observed_us, keys, packed_counts, started_us, channel)
        )
    return _unpack(observed_us, channel, keys, packed_counts, started_us)


def _packed_keys_sql() -> str:
    return (
        "(CAST(s.channel_key AS BIGINT) "
        f"| (CAST(coalesce(s.game_key, 0) AS BIGINT) << {_CHANNEL_BITS}) "
        f"| (CAST(coalesce(s.stream_key, 0) AS BIGINT) << {_CHANNEL_BITS + _GAME_BITS}))"
    )


def _packed_counts_sql() -> str:
    return (
        "(CAST(coalesce(s.title_key, 0) AS BIGINT) "
        f"| (CAST(s.viewer_count AS BIGINT) << {_TITLE_BITS}))"
    )


def _unpack(
    observed_us: np.ndarray,
    channel: np.ndarray,
    keys: np.ndarray,
    packed_counts: np.ndarray,
    started_us: np.ndarray,
) -> SampleColumns:
    return (
        observed_us,
        channel,
        keys >> (_CHANNEL_BITS + _GAME_BITS),
        started_us,
        packed_counts >> _TITLE_BITS,
        (keys >> _CHANNEL_BITS) & ((1 << _GAME_BITS) - 1),
        packed_counts & ((1 << _TITLE_BITS) - 1),
    )


def empty_samples() -> pd.DataFrame:
    """Return an empty samples DataFrame with the documented columns and dtypes."""
    empty_category = pd.Categorical([], categories=pd.Index([], dtype=str))
    return pd.DataFrame(
        {
            "observed_at": pd.Series([], dtype=UTC_US),
            "channel_id": empty_category,
            "channel_login": empty_category,
            "stream_id": empty_category,
            "started_at": pd.Series([], dtype=UTC_US),
            "viewer_count": pd.Series([], dtype=np.int64),
            "game_id": empty_category,
            "game_name": empty_category,
            "title": empty_category,
        }
    )


def _channel_keys(connection: Connection, channel_ids: Sequence[str]) -> list[int]:
    ids = sorted({str(i) for i in channel_ids})
    if not ids:
        return []
    mark = _placeholder(connection)
    keys: list[int] = []
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        sql = f"SELECT id FROM channels WHERE twitch_id IN ({', '.join([mark] * len(chunk))})"  # noqa: S608
        keys.extend(int(row[0]) for row in connection.exec_driver_sql(sql, tuple(chunk)))
    return sorted(keys)


def _frame_from_query(
    connection: Connection,
    sql: str,
    params: Sequence[Any],
    columns: list[str],
    time_columns: Sequence[str],
) -> pd.DataFrame:
    rows = [tuple(row) for row in connection.exec_driver_sql(sql, tuple(params))]
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    for name in time_columns:
        position = columns.index(name)
        # Built from the row values, not the frame column, so NULLs never pass through float.
        values = np.array(
            [_NAT if row[position] is None else int(row[position]) for row in rows],
            dtype=np.int64,
        )
        frame[name] = _times(values)
    return frame


def read_polls(
    connection: Connection, *, since: dt.datetime | None, until: dt.datetime | None
) -> pd.DataFrame:
    """Read polls as documented on `Database.read_polls`."""
    clauses, params = _time_filters(connection, "observed_at", since, until)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    sql = (
        f"SELECT {epoch_us_sql(connection, 'observed_at')}, "  # noqa: S608
        f"{epoch_us_sql(connection, 'requested_at')}, outcome, reason, channels_requested, "
        "channels_live, viewers_total, latency_ms, unobserved_channel_ids "
        f"FROM polls {where} ORDER BY observed_at"
    )
    columns = [
        "observed_at",
        "requested_at",
        "outcome",
        "reason",
        "channels_requested",
        "channels_live",
        "viewers_total",
        "latency_ms",
        "unobserved_channel_ids",
    ]
    frame = _frame_from_query(connection, sql, params, columns, ["observed_at", "requested_at"])
    frame["outcome"] = frame["outcome"].astype(str)
    frame["reason"] = frame["reason"].astype(str)
    for name in ("channels_requested", "latency_ms"):
        frame[name] = frame[name].astype("Int64")
    for name in ("channels_live", "viewers_total"):
        frame[name] = frame[name].astype(np.int64)
    frame["unobserved_channel_ids"] = pd.Series(
        [tuple(json.loads(text)) for text in frame["unobserved_channel_ids"]],
        dtype=object,
        index=frame.index,
    )
    return frame


def read_channels(connection: Connection) -> pd.DataFrame:
    """Read channels as documented on `Database.read_channels`."""
    sql = (
        "SELECT c.twitch_id, c.login, c.display_name, c.profile_image_url, c.status, "  # noqa: S608
        f"{epoch_us_sql(connection, 'c.first_seen_at')}, "
        f"{epoch_us_sql(connection, 'c.last_seen_at')}, c.id FROM channels c ORDER BY c.twitch_id"
    )
    columns = [
        "channel_id",
        "login",
        "display_name",
        "profile_image_url",
        "status",
        "first_seen_at",
        "last_seen_at",
        "key",
    ]
    frame = _frame_from_query(connection, sql, (), columns, ["first_seen_at", "last_seen_at"])
    history = read_channel_logins(connection)
    previous: dict[str, list[str]] = {}
    for channel_id, login in zip(history["channel_id"], history["login"], strict=True):
        previous.setdefault(channel_id, []).append(login)
    frame["previous_logins"] = pd.Series(
        [
            tuple(dict.fromkeys(name for name in previous.get(channel_id, []) if name != login))
            for channel_id, login in zip(frame["channel_id"], frame["login"], strict=True)
        ],
        dtype=object,
        index=frame.index,
    )
    for name in ("channel_id", "login", "status"):
        frame[name] = frame[name].astype(str)
    return frame.drop(columns="key")


def read_channel_logins(connection: Connection) -> pd.DataFrame:
    """Read the login history as documented on `Database.read_channel_logins`."""
    sql = (
        "SELECT c.twitch_id, l.login, "  # noqa: S608
        f"{epoch_us_sql(connection, 'l.first_seen_at')}, "
        f"{epoch_us_sql(connection, 'l.last_seen_at')} "
        "FROM channel_logins l JOIN channels c ON c.id = l.channel_key "
        "ORDER BY c.twitch_id, l.first_seen_at"
    )
    columns = ["channel_id", "login", "first_seen_at", "last_seen_at"]
    frame = _frame_from_query(connection, sql, (), columns, ["first_seen_at", "last_seen_at"])
    for name in ("channel_id", "login"):
        frame[name] = frame[name].astype(str)
    return frame


def read_follower_snapshots(
    connection: Connection,
    *,
    channel_ids: Sequence[str] | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> pd.DataFrame:
    """Read follower snapshots as documented on `Database.read_follower_snapshots`."""
    clauses, params = _time_filters(connection, "f.observed_at", since, until)
    if channel_ids is not None:
        keys = _channel_keys(connection, channel_ids)
        clauses.append(f"f.channel_key IN ({', '.join(str(k) for k in keys) or 'NULL'})")
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    sql = (
        f"SELECT c.twitch_id, {epoch_us_sql(connection, 'f.observed_at')}, f.followers "  # noqa: S608
        f"FROM follower_snapshots f JOIN channels c ON c.id = f.channel_key {where} "
        "ORDER BY c.twitch_id, f.observed_at"
    )
    columns = ["channel_id", "observed_at", "followers"]
    frame = _frame_from_query(connection, sql, params, columns, ["observed_at"])
    frame["channel_id"] = frame["channel_id"].astype(str)
    frame["followers"] = frame["followers"].astype("Int64")
    return frame


def read_games(connection: Connection) -> pd.DataFrame:
    """Read games as documented on `Database.read_games`."""
    rows = connection.exec_driver_sql(
        "SELECT twitch_id, name, box_art_url FROM games ORDER BY twitch_id"
    ).all()
    frame = pd.DataFrame([tuple(row) for row in rows], columns=["game_id", "name", "box_art_url"])
    frame["game_id"] = frame["game_id"].astype(str)
    frame["name"] = frame["name"].astype(str)
    return frame
