"""The fast path of `Database.record_poll`: one poll and its `SampleRecord`s.

The collector records one poll of a few hundred samples per minute. The bulk writers in
`_writers` build DataFrames and SQLAlchemy statements for each call, which costs tens of
milliseconds however small the batch. This module writes the same rows with a handful of
plain SQL statements built from the records, inside the caller's transaction.

Keys of streams, games and titles are kept in a `KeyCache` between calls, so a poll whose
streams, games and titles are all known does not look them up. Such a key stays valid while
its row exists, and twitchstats never deletes or re-keys rows of those tables. Everything that
can change (a channel's login, status and time range, a game's name, the stored poll) is read
or written conditionally inside the transaction on every call. So another process writing the
same database through twitchstats, renames included, leaves the result as it would be without
the cache.

NOTE: rows of `streams`, `games` or `titles` deleted by hand, or a database file replaced,
while a `Database` object stays open are not detected: its cached keys would then point at
missing or reused rows. `Database.close()` empties the cache.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection

from twitchstats._storage import _writers
from twitchstats._storage._records import OUTCOME_RANK, PollRecord, SampleRecord
from twitchstats._storage._types import to_epoch_us

# A cache map that grows past this many entries is emptied and filled again from the
# database. A season of a few hundred channels stays far below it, so the bound only caps
# memory for a collector that runs for years.
MAX_CACHED_KEYS = 200_000

# Values per IN (...) list on SQLite, far below its limit of 32,766 bound parameters.
IN_CHUNK = _writers.IN_CHUNK


@dataclasses.dataclass(slots=True)
class KeyCache:
    """Surrogate keys by Twitch id (streams, games) or text (titles)."""

    streams: dict[str, int] = dataclasses.field(default_factory=dict)
    games: dict[str, int] = dataclasses.field(default_factory=dict)
    titles: dict[str, int] = dataclasses.field(default_factory=dict)

    def clear(self) -> None:
        self.streams.clear()
        self.games.clear()
        self.titles.clear()

    def update(self, other: KeyCache) -> None:
        for mine, theirs in (
            (self.streams, other.streams),
            (self.games, other.games),
            (self.titles, other.titles),
        ):
            if len(mine) + len(theirs) > MAX_CACHED_KEYS:
                mine.clear()
            mine.update(theirs)

    def __len__(self) -> int:
        return len(self.streams) + len(self.games) + len(self.titles)


_POLL_COLUMNS = (
    "observed_at",
    "requested_at",
    "outcome",
    "reason",
    "channels_requested",
    "channels_live",
    "viewers_total",
    "latency_ms",
    "unobserved_channel_ids",
)


def _rank_sql(column: str) -> str:
    cases = " ".join(f"WHEN '{outcome}' THEN {rank}" for outcome, rank in OUTCOME_RANK.items())
    return f"(CASE {column} {cases} END)"


class _Dialect:
    """SQL text and bound values for one backend.

    SQLite stores times as integer microseconds since the epoch (see `UTCDateTime`), and
    PostgreSQL takes aware datetimes for its `timestamptz` columns.
    """

    def __init__(self, name: str) -> None:
        self.postgresql = name == "postgresql"
        self.mark = "%s" if self.postgresql else "?"
        # The statements below hold only constants and placeholders, hence the S608 waivers.
        self.upsert_poll = (
            f"INSERT INTO polls ({', '.join(_POLL_COLUMNS)}) "  # noqa: S608
            f"VALUES ({self.marks(len(_POLL_COLUMNS))}) "
            "ON CONFLICT (observed_at) DO UPDATE SET "
            + ", ".join(f"{name} = excluded.{name}" for name in _POLL_COLUMNS[1:])
            + f" WHERE {_rank_sql('excluded.outcome')} > {_rank_sql('polls.outcome')}"
        )
        self.insert_stream = (
            f"INSERT INTO streams (twitch_id, channel_key) VALUES ({self.marks(2)}) "  # noqa: S608
            "ON CONFLICT (twitch_id) DO NOTHING"
        )
        # The WHERE clause skips the write when the name is unchanged, the usual case.
        self.upsert_game = (
            f"INSERT INTO games (twitch_id, name) VALUES ({self.marks(2)}) "  # noqa: S608
            "ON CONFLICT (twitch_id) DO UPDATE SET name = excluded.name "
            "WHERE games.name <> excluded.name"
        )
        self.insert_title = (
            f"INSERT INTO titles (text) VALUES ({self.mark}) "  # noqa: S608
            "ON CONFLICT (text) DO NOTHING"
        )
        columns = (
            "INSERT INTO samples (observed_at, channel_key, stream_key, started_at, "
            "viewer_count, game_key, title_key) "
        )
        if self.postgresql:
            # One statement with a column array per field: executemany would run one INSERT
            # per row, which on PostgreSQL costs more than the rest of the poll.
            values = (
                "SELECT %s::timestamptz, u.* FROM unnest(%s::integer[], %s::integer[], "
                "%s::timestamptz[], %s::integer[], %s::integer[], %s::integer[]) AS u "
            )
        else:
            values = f"VALUES ({self.marks(7)}) "
        self.insert_samples = columns + values + "ON CONFLICT (observed_at, channel_key) DO NOTHING"

    def time(self, value: dt.datetime) -> Any:
        return value if self.postgresql else to_epoch_us(value)

    def marks(self, count: int) -> str:
        return ", ".join([self.mark] * count)

    def in_list(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """Return a `column IN (values)` condition and its parameters."""
        if self.postgresql:
            # One array parameter keeps the SQL text the same whatever the list's length.
            return f"{column} = ANY(%s)", [list(values)]
        return f"{column} IN ({self.marks(len(values))})", list(values)


_DIALECTS = {name: _Dialect(name) for name in ("sqlite", "postgresql")}


class PollWriter:
    """Write polls given as records, keeping a `KeyCache` for one `Database` object.

    Use `tracking()` around each transaction: keys learned inside it join the cache only when
    it commits, and a failure empties the cache, so the next call reads every key again.
    """

    def __init__(self, *, use_cache: bool = True) -> None:
        self.cache = KeyCache()
        self.use_cache = use_cache
        self._learned = KeyCache()

    def clear(self) -> None:
        """Forget every cached key."""
        self.cache.clear()
        self._learned.clear()

    @contextmanager
    def tracking(self) -> Iterator[None]:
        """Wrap one write transaction: keep its keys on success, empty the cache on failure."""
        self._learned = KeyCache()
        try:
            yield
        except BaseException:
            self.clear()
            raise
        if self.use_cache:
            self.cache.update(self._learned)
        self._learned = KeyCache()

    def write(
        self, connection: Connection, poll: PollRecord, samples: Sequence[SampleRecord]
    ) -> int | None:
        """Store the poll and its samples, returning the samples inserted (None: poll not stored).

        The poll is inserted, or replaces a stored poll of the same minute whose outcome ranks
        lower (failed < partial < ok). When the stored poll is as good, nothing is written.
        """
        dialect = _DIALECTS[connection.dialect.name]
        if not _store_poll(connection, dialect, poll):
            return None
        if not samples:
            return 0

        # One sample per channel: the first wins, as in `_writers.normalise_samples`.
        unique: dict[str, SampleRecord] = {}
        for sample in samples:
            unique.setdefault(sample.channel_id, sample)
        records = list(unique.values())
        observed = dialect.time(poll.observed_at)

        channel_keys = _update_channels(connection, dialect, poll.observed_at, records)
        stream_keys = self._stream_keys(connection, dialect, records, channel_keys)
        game_keys = self._game_keys(connection, dialect, records)
        title_keys = self._title_keys(connection, dialect, records)

        # Most samples of a poll share a few start times, so each is converted once.
        started: dict[dt.datetime, Any] = {}
        for sample in records:
            if sample.started_at is not None and sample.started_at not in started:
                started[sample.started_at] = dialect.time(sample.started_at)
        rows = [
            (
                observed,
                channel_keys[sample.channel_id],
                stream_keys.get(sample.stream_id),
                None if sample.started_at is None else started[sample.started_at],
                sample.viewer_count,
                game_keys.get(sample.game_id),
                title_keys.get(sample.title),
            )
            for sample in records
        ]
        return _insert_samples(connection, dialect, rows)

    # --- lookup tables --------------------------------------------------------------------

    def _known(
        self, cached: dict[str, int], learned: dict[str, int], values: list[str]
    ) -> dict[str, int]:
        """Return the keys of `values` found in the cache or learned in this transaction."""
        keys: dict[str, int] = {}
        for value in values:
            key = cached.get(value) if self.use_cache else None
            if key is None:
                key = learned.get(value)
            if key is not None:
                keys[value] = key
        return keys

    def _stream_keys(
        self,
        connection: Connection,
        dialect: _Dialect,
        records: list[SampleRecord],
        channel_keys: dict[str, int],
    ) -> dict[str, int]:
        owners: dict[str, int] = {}
        for sample in records:
            if sample.stream_id:
                owners.setdefault(sample.stream_id, channel_keys[sample.channel_id])
        keys = self._known(self.cache.streams, self._learned.streams, list(owners))
        missing = [stream_id for stream_id in owners if stream_id not in keys]
        if missing:
            found = _select_keys(connection, dialect, "streams", "twitch_id", missing)
            new = [stream_id for stream_id in missing if stream_id not in found]
            if new:
                connection.exec_driver_sql(
                    dialect.insert_stream, [(stream_id, owners[stream_id]) for stream_id in new]
                )
                found.update(_select_keys(connection, dialect, "streams", "twitch_id", new))
            self._learned.streams.update(found)
            keys.update(found)
        return keys

    def _game_keys(
        self, connection: Connection, dialect: _Dialect, records: list[SampleRecord]
    ) -> dict[str, int]:
        # The name of the last sample per game wins, as in `_writers.upsert_games`.
        names: dict[str, str] = {}
        for sample in records:
            if sample.game_id:
                names[sample.game_id] = sample.game_name
        if not names:
            return {}
        # Run on every call rather than trusting a cached name, because another process may
        # have renamed the game since.
        connection.exec_driver_sql(dialect.upsert_game, list(names.items()))
        keys = self._known(self.cache.games, self._learned.games, list(names))
        missing = [game_id for game_id in names if game_id not in keys]
        if missing:
            found = _select_keys(connection, dialect, "games", "twitch_id", missing)
            self._learned.games.update(found)
            keys.update(found)
        return keys

    def _title_keys(
        self, connection: Connection, dialect: _Dialect, records: list[SampleRecord]
    ) -> dict[str, int]:
        titles = list(dict.fromkeys(sample.title for sample in records if sample.title))
        keys = self._known(self.cache.titles, self._learned.titles, titles)
        missing = [text for text in titles if text not in keys]
        if missing:
            found = _select_keys(connection, dialect, "titles", "text", missing)
            new = [text for text in missing if text not in found]
            if new:
                connection.exec_driver_sql(dialect.insert_title, [(text,) for text in new])
                found.update(_select_keys(connection, dialect, "titles", "text", new))
            self._learned.titles.update(found)
            keys.update(found)
        return keys


def _select_keys(
    connection: Connection, dialect: _Dialect, table: str, column: str, values: list[str]
) -> dict[str, int]:
    keys: dict[str, int] = {}
    for chunk in _writers.chunked(values, IN_CHUNK):
        condition, parameters = dialect.in_list(column, chunk)
        rows = connection.exec_driver_sql(
            f"SELECT {column}, id FROM {table} WHERE {condition}",  # noqa: S608
            tuple(parameters),
        )
        keys.update({value: key for value, key in rows})
    return keys


# --- polls ------------------------------------------------------------------------------------


def _store_poll(connection: Connection, dialect: _Dialect, poll: PollRecord) -> bool:
    """Insert the poll or upgrade the stored one of its minute, returning whether it was written.

    One upsert does both: its WHERE clause lets the update through only when the new outcome
    ranks higher, and the row count is 0 when the stored poll is kept.
    """
    values = (
        dialect.time(poll.observed_at),
        None if poll.requested_at is None else dialect.time(poll.requested_at),
        poll.outcome,
        poll.reason,
        poll.channels_requested,
        poll.channels_live,
        poll.viewers_total,
        poll.latency_ms,
        json.dumps(list(poll.unobserved_channel_ids)),
    )
    result = connection.exec_driver_sql(dialect.upsert_poll, values)
    return bool(result.rowcount > 0)


# --- channels ---------------------------------------------------------------------------------


def _update_channels(
    connection: Connection,
    dialect: _Dialect,
    observed_at: dt.datetime,
    records: list[SampleRecord],
) -> dict[str, int]:
    """Extend the channels seen again under their current login, returning every channel's key.

    The usual case, a known channel whose newest login row has the sample's login and starts
    no later than the poll, takes two UPDATE statements for all channels together. New
    channels, renames and polls older than the newest login go through
    `_writers.upsert_channels`, which keeps the login history.
    """
    observed = dialect.time(observed_at)
    logins = {sample.channel_id: sample.channel_login for sample in records}

    # The newest login row of each channel, read in this transaction, so a rename that another
    # process stored is seen.
    state: dict[str, tuple[int, int, str, Any]] = {}
    ids = list(logins)
    for chunk in _writers.chunked(ids, IN_CHUNK):
        condition, parameters = dialect.in_list("c.twitch_id", chunk)
        rows = connection.exec_driver_sql(
            "SELECT c.twitch_id, c.id, l.id, l.login, l.first_seen_at "  # noqa: S608
            "FROM channels c JOIN channel_logins l ON l.channel_key = c.id "
            f"WHERE {condition} AND l.first_seen_at = "
            "(SELECT max(m.first_seen_at) FROM channel_logins m WHERE m.channel_key = c.id)",
            tuple(parameters),
        )
        for twitch_id, channel_key, login_key, login, first_seen in rows:
            state[twitch_id] = (channel_key, login_key, login, first_seen)

    keys: dict[str, int] = {}
    login_rows: list[int] = []
    history: list[_writers.ChannelObservation] = []
    for twitch_id, login in logins.items():
        stored = state.get(twitch_id)
        if stored is not None and stored[2] == login and observed >= stored[3]:
            keys[twitch_id] = stored[0]
            login_rows.append(stored[1])
        else:
            history.append(
                _writers.ChannelObservation(
                    twitch_id=twitch_id, login=login, first=observed_at, last=observed_at
                )
            )

    if keys:
        _extend_channels(connection, dialect, observed, list(keys.values()), login_rows)
    if history:
        keys.update(_writers.upsert_channels(connection, history))
    return keys


def _extend_channels(
    connection: Connection,
    dialect: _Dialect,
    observed: Any,
    channel_keys: list[int],
    login_rows: list[int],
) -> None:
    """Move `last_seen_at` forward to the poll and mark the channels active.

    A channel last seen after the poll keeps its time and status: the newest observation wins.
    """
    for chunk in _writers.chunked(channel_keys, IN_CHUNK):
        condition, parameters = dialect.in_list("id", chunk)
        connection.exec_driver_sql(
            f"UPDATE channels SET last_seen_at = {dialect.mark}, status = 'active' "  # noqa: S608
            f"WHERE {condition} AND last_seen_at <= {dialect.mark}",
            (observed, *parameters, observed),
        )
    for chunk in _writers.chunked(login_rows, IN_CHUNK):
        condition, parameters = dialect.in_list("id", chunk)
        connection.exec_driver_sql(
            f"UPDATE channel_logins SET last_seen_at = {dialect.mark} "  # noqa: S608
            f"WHERE {condition} AND last_seen_at < {dialect.mark}",
            (observed, *parameters, observed),
        )


# --- samples ----------------------------------------------------------------------------------


def _insert_samples(connection: Connection, dialect: _Dialect, rows: list[tuple[Any, ...]]) -> int:
    """Insert the sample rows of one poll, skipping stored ones, and return how many were new."""
    if dialect.postgresql:
        columns = list(zip(*rows, strict=True))
        observed = rows[0][0]
        arrays = tuple(list(column) for column in columns[1:])
        result = connection.exec_driver_sql(dialect.insert_samples, (observed, *arrays))
    else:
        result = connection.exec_driver_sql(dialect.insert_samples, rows)
    return max(result.rowcount, 0)
