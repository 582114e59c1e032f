"""Bulk writers. Every function here runs inside a transaction that the caller opened."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from twitchstats._exceptions import StorageError
from twitchstats._storage._records import (
    OUTCOME_RANK,
    ChannelRecord,
    FollowerRecord,
    GameRecord,
    PollRecord,
)
from twitchstats._storage._tables import (
    CHANNEL_LOGINS,
    CHANNELS,
    FOLLOWER_SNAPSHOTS,
    GAMES,
    POLLS,
    STREAMS,
    TITLES,
)
from twitchstats._storage._types import from_epoch_us, to_epoch_us

# SQL text in this module is built only from constants, column names and placeholders, so
# the S608 (SQL injection) warnings on it are silenced line by line.
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

# Rows per executemany call, and values per IN (...) list. Both stay far below SQLite's limit
# of 32,766 bound parameters per statement.
BATCH_ROWS = 50_000
IN_CHUNK = 900

# Samples per INSERT statement: 64 rows of 7 values is 448 bound parameters, below the limit
# of 999 of SQLite builds before 3.32. 32 and 128 rows measured the same.
ROWS_PER_INSERT = 64

IMPORT_REASON = "imported"

# INT64 min, the NaT value of datetime64, marks a missing time in integer columns. Written as an
# expression because the literal 9223372036854775808 does not fit a PostgreSQL bigint.
MISSING_TIME = np.iinfo(np.int64).min
_MISSING_TIME_SQL = "(-9223372036854775807 - 1)"

_channels = CHANNELS
_logins = CHANNEL_LOGINS
_streams = STREAMS
_games = GAMES
_titles = TITLES
_polls = POLLS
_followers = FOLLOWER_SNAPSHOTS


def dialect_insert(connection: Connection, table: Table) -> Any:
    """Return an INSERT for `table` that supports ON CONFLICT on this connection's database."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def chunked(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def time_placeholder(connection: Connection) -> str:
    """SQL for one bound timestamp given as integer microseconds since the epoch."""
    if connection.dialect.name == "postgresql":
        # NOTE: PostgreSQL multiplies the interval in double precision, so a time more than
        # 2**53 microseconds (about 285 years) from 1970 can be off by some microseconds.
        return "(TIMESTAMPTZ 'epoch' + %s * INTERVAL '1 microsecond')"
    return "?"


def plain_placeholder(connection: Connection) -> str:
    return "%s" if connection.dialect.name == "postgresql" else "?"


# --- lookup tables --------------------------------------------------------------------------


def _select_keys(
    connection: Connection, table: Table, column: str, values: Sequence[str]
) -> dict[str, int]:
    keys: dict[str, int] = {}
    for chunk in chunked(values, IN_CHUNK):
        rows = connection.execute(
            select(table.c[column], table.c.id).where(table.c[column].in_(chunk))
        )
        keys.update({value: key for value, key in rows})
    return keys


def ensure_titles(connection: Connection, titles: Iterable[str]) -> dict[str, int]:
    """Insert the titles that are new; return the key of every title."""
    distinct = sorted(set(titles))
    keys = _select_keys(connection, _titles, "text", distinct)
    missing = [text for text in distinct if text not in keys]
    if missing:
        statement = dialect_insert(connection, _titles).on_conflict_do_nothing(
            index_elements=["text"]
        )
        connection.execute(statement, [{"text": text} for text in missing])
        keys.update(_select_keys(connection, _titles, "text", missing))
    return keys


def ensure_streams(connection: Connection, streams: dict[str, int]) -> dict[str, int]:
    """Insert the streams (Twitch stream id -> channel key) that are new; return their keys."""
    distinct = sorted(streams)
    keys = _select_keys(connection, _streams, "twitch_id", distinct)
    missing = [stream_id for stream_id in distinct if stream_id not in keys]
    if missing:
        statement = dialect_insert(connection, _streams).on_conflict_do_nothing(
            index_elements=["twitch_id"]
        )
        rows = [
            {"twitch_id": stream_id, "channel_key": streams[stream_id]} for stream_id in missing
        ]
        connection.execute(statement, rows)
        keys.update(_select_keys(connection, _streams, "twitch_id", missing))
    return keys


def upsert_games(connection: Connection, games: Iterable[GameRecord]) -> dict[str, int]:
    """Insert or update games (the last record per id wins); return the key of every game."""
    latest = {game.game_id: game for game in games}
    if not latest:
        return {}
    insert = dialect_insert(connection, _games)
    statement = insert.on_conflict_do_update(
        index_elements=["twitch_id"],
        set_={
            "name": insert.excluded.name,
            "box_art_url": func.coalesce(insert.excluded.box_art_url, _games.c.box_art_url),
        },
        # Skip the write when nothing changes: the collector sends the same games every minute.
        where=(_games.c.name != insert.excluded.name)
        | (
            insert.excluded.box_art_url.is_not(None)
            & (func.coalesce(_games.c.box_art_url, "") != insert.excluded.box_art_url)
        ),
    )
    connection.execute(
        statement,
        [
            {"twitch_id": game.game_id, "name": game.name, "box_art_url": game.box_art_url}
            for game in latest.values()
        ],
    )
    return _select_keys(connection, _games, "twitch_id", sorted(latest))


# --- channels and their login history -------------------------------------------------------


@dataclasses.dataclass(slots=True)
class ChannelObservation:
    """A channel seen under `login` from `first` to `last` (both aware UTC)."""

    twitch_id: str
    login: str
    first: dt.datetime
    last: dt.datetime
    display_name: str | None = None
    profile_image_url: str | None = None
    status: str = "active"


def observations_from_records(records: Iterable[ChannelRecord]) -> list[ChannelObservation]:
    return [
        ChannelObservation(
            twitch_id=record.channel_id,
            login=record.login,
            first=record.observed_at,
            last=record.observed_at,
            display_name=record.display_name,
            profile_image_url=record.profile_image_url,
            status=record.status,
        )
        for record in records
    ]


def upsert_channels(
    connection: Connection, observations: Sequence[ChannelObservation]
) -> dict[str, int]:
    """Insert new channels, update known ones and record renames; return every channel's key.

    Observations are applied in time order. The usual case, a channel seen again under its
    current login, becomes one batched UPDATE; renames and observations older than the stored
    ones go through `_apply_history`.
    """
    ordered = sorted(observations, key=lambda o: (o.first, o.last))
    ids = sorted({o.twitch_id for o in ordered})
    stored = {
        row.twitch_id: row
        for chunk in chunked(ids, IN_CHUNK)
        for row in connection.execute(
            select(_channels.c.id, _channels.c.twitch_id, _channels.c.login).where(
                _channels.c.twitch_id.in_(chunk)
            )
        )
    }
    keys = {twitch_id: row.id for twitch_id, row in stored.items()}
    latest_login = _latest_logins(connection, list(keys.values()))

    created = _insert_new_channels(connection, ordered, keys)
    for twitch_id, key in created.items():
        keys[twitch_id] = key
    latest_login.update(_latest_logins(connection, list(created.values())))
    creating = {id(observation) for observation in _first_per_channel(ordered, created)}

    fast_updates: list[dict[str, Any]] = []
    for observation in ordered:
        if id(observation) in creating:
            continue
        key = keys[observation.twitch_id]
        login, since = latest_login[key]
        if login == observation.login and observation.first >= since:
            fast_updates.append(
                {
                    "b_key": key,
                    "b_login": login,
                    "b_last": observation.last,
                    "b_status": observation.status,
                }
            )
            _update_profile(connection, key, observation)
            continue
        # Pending updates go first: they extend rows that this observation may close.
        _apply_fast_updates(connection, fast_updates)
        fast_updates = []
        _apply_history(connection, key, observation)
        latest_login[key] = _latest_logins(connection, [key])[key]

    _apply_fast_updates(connection, fast_updates)
    return keys


def _apply_fast_updates(connection: Connection, fast_updates: list[dict[str, Any]]) -> None:
    """Extend channels seen again under their current login, in three batched UPDATEs."""
    if not fast_updates:
        return
    # Only widen: an observation never moves last_seen_at back.
    connection.execute(
        update(_channels)
        .where(_channels.c.id == bindparam("b_key"))
        .where(_channels.c.last_seen_at < bindparam("b_last"))
        .values(last_seen_at=bindparam("b_last")),
        fast_updates,
    )
    # The status of the newest observation wins: seen live again means active again.
    connection.execute(
        update(_channels)
        .where(_channels.c.id == bindparam("b_key"))
        .where(_channels.c.last_seen_at <= bindparam("b_last"))
        .where(_channels.c.status != bindparam("b_status"))
        .values(status=bindparam("b_status")),
        fast_updates,
    )
    connection.execute(
        update(_logins)
        .where(_logins.c.channel_key == bindparam("b_key"))
        .where(_logins.c.login == bindparam("b_login"))
        .where(_logins.c.last_seen_at < bindparam("b_last"))
        .where(
            _logins.c.first_seen_at
            == select(func.max(_logins.c.first_seen_at))
            .where(_logins.c.channel_key == bindparam("b_key"))
            .scalar_subquery()
        )
        .values(last_seen_at=bindparam("b_last")),
        fast_updates,
    )


def _latest_logins(connection: Connection, keys: list[int]) -> dict[int, tuple[str, dt.datetime]]:
    """Return each channel's newest history row as (login, first_seen_at)."""
    latest: dict[int, tuple[str, dt.datetime]] = {}
    for chunk in chunked(keys, IN_CHUNK):
        rows = connection.execute(
            select(_logins.c.channel_key, _logins.c.login, _logins.c.first_seen_at)
            .where(_logins.c.channel_key.in_(chunk))
            .order_by(_logins.c.channel_key, _logins.c.first_seen_at)
        )
        for key, login, first_seen in rows:
            latest[key] = (login, first_seen)
    return latest


def _first_per_channel(
    ordered: Sequence[ChannelObservation], ids: Iterable[str]
) -> list[ChannelObservation]:
    selected = set(ids)
    first: dict[str, ChannelObservation] = {}
    for observation in ordered:
        if observation.twitch_id in selected and observation.twitch_id not in first:
            first[observation.twitch_id] = observation
    return list(first.values())


def _insert_new_channels(
    connection: Connection, ordered: Sequence[ChannelObservation], keys: dict[str, int]
) -> dict[str, int]:
    """Insert the channels not in `keys` from their earliest observation; return their keys."""
    new_ids = {o.twitch_id for o in ordered if o.twitch_id not in keys}
    firsts = _first_per_channel(ordered, new_ids)
    if not firsts:
        return {}
    # NOTE: a concurrent writer inserting the same new channel makes this transaction fail
    # with a unique violation on PostgreSQL; SQLite writers are serialised by BEGIN IMMEDIATE.
    connection.execute(
        _channels.insert(),
        [
            {
                "twitch_id": o.twitch_id,
                "login": o.login,
                "display_name": o.display_name,
                "profile_image_url": o.profile_image_url,
                "status": o.status,
                "first_seen_at": o.first,
                "last_seen_at": o.last,
            }
            for o in firsts
        ],
    )
    created = _select_keys(connection, _channels, "twitch_id", sorted(new_ids))
    connection.execute(
        _logins.insert(),
        [
            {
                "channel_key": created[o.twitch_id],
                "login": o.login,
                "first_seen_at": o.first,
                "last_seen_at": o.last,
            }
            for o in firsts
        ],
    )
    return created


def _update_profile(connection: Connection, key: int, observation: ChannelObservation) -> None:
    """Store the display name and profile image of an observation that carries them."""
    values: dict[str, Any] = {}
    if observation.display_name is not None:
        values["display_name"] = observation.display_name
    if observation.profile_image_url is not None:
        values["profile_image_url"] = observation.profile_image_url
    if not values:
        return
    connection.execute(
        update(_channels)
        .where(_channels.c.id == key)
        .where(_channels.c.last_seen_at <= observation.last)
        .values(**values)
    )


def _apply_history(connection: Connection, key: int, observation: ChannelObservation) -> None:
    """Merge one observation into a channel's login history and refresh the channel row.

    The observation extends the history row that covers or precedes it when that row has the
    same login. Failing that, it extends the following row if that one has the same login.
    Otherwise it becomes a row of its own: a rename, or a rename back.
    """
    rows = connection.execute(
        select(_logins.c.id, _logins.c.login, _logins.c.first_seen_at, _logins.c.last_seen_at)
        .where(_logins.c.channel_key == key)
        .order_by(_logins.c.first_seen_at)
    ).all()
    previous = [row for row in rows if row.first_seen_at <= observation.first]
    following = [row for row in rows if row.first_seen_at > observation.first]

    if previous and previous[-1].login == observation.login:
        row = previous[-1]
        connection.execute(
            update(_logins)
            .where(_logins.c.id == row.id)
            .values(last_seen_at=max(row.last_seen_at, observation.last))
        )
    elif following and following[0].login == observation.login:
        row = following[0]
        connection.execute(
            update(_logins)
            .where(_logins.c.id == row.id)
            .values(
                first_seen_at=observation.first,
                last_seen_at=max(row.last_seen_at, observation.last),
            )
        )
    else:
        # NOTE: an observation that falls inside another login's range splits nothing: the two
        # ranges then overlap, which only happens when the input itself is inconsistent.
        connection.execute(
            _logins.insert().values(
                channel_key=key,
                login=observation.login,
                first_seen_at=observation.first,
                last_seen_at=observation.last,
            )
        )

    newest = connection.execute(
        select(_logins.c.login)
        .where(_logins.c.channel_key == key)
        .order_by(_logins.c.first_seen_at.desc())
        .limit(1)
    ).scalar_one()
    bounds = connection.execute(
        select(func.min(_logins.c.first_seen_at), func.max(_logins.c.last_seen_at)).where(
            _logins.c.channel_key == key
        )
    ).one()
    connection.execute(
        update(_channels)
        .where(_channels.c.id == key)
        .values(login=newest, first_seen_at=bounds[0], last_seen_at=bounds[1])
    )
    _update_profile(connection, key, observation)
    connection.execute(
        update(_channels)
        .where(_channels.c.id == key)
        .where(_channels.c.last_seen_at <= observation.last)
        .values(status=observation.status)
    )


# --- polls ------------------------------------------------------------------------------------


def poll_values(poll: PollRecord) -> dict[str, Any]:
    return {
        "observed_at": poll.observed_at,
        "requested_at": poll.requested_at,
        "outcome": poll.outcome,
        "reason": poll.reason,
        "channels_requested": poll.channels_requested,
        "channels_live": poll.channels_live,
        "viewers_total": poll.viewers_total,
        "latency_ms": poll.latency_ms,
        "unobserved_channel_ids": json.dumps(list(poll.unobserved_channel_ids)),
    }


def store_poll(connection: Connection, poll: PollRecord) -> bool:
    """Insert the poll, or replace a stored poll of the same minute whose outcome ranks lower.

    Returns False, changing nothing, when the minute already has a poll that is as good.
    """
    stored = connection.execute(
        select(_polls.c.outcome).where(_polls.c.observed_at == poll.observed_at)
    ).scalar_one_or_none()
    if stored is None:
        connection.execute(_polls.insert().values(**poll_values(poll)))
        return True
    if OUTCOME_RANK[poll.outcome] <= OUTCOME_RANK[stored]:
        return False
    connection.execute(
        update(_polls).where(_polls.c.observed_at == poll.observed_at).values(**poll_values(poll))
    )
    return True


def ensure_import_polls(connection: Connection, observed_us: np.ndarray) -> None:
    """Give every observation time an "ok" poll; an imported sample proves the minute observed.

    Missing polls are created and failed ones are upgraded, both with reason "imported". Their
    `channels_live` and `viewers_total` are recomputed by `refresh_import_polls` afterwards.
    Times travel as integer microseconds, like the samples, so that thousands of polls cost
    one range query and one `executemany` instead of a datetime conversion per value.
    """
    times = np.unique(observed_us)
    if not len(times):
        return
    first, last = from_epoch_us(int(times[0])), from_epoch_us(int(times[-1]))
    rows = connection.execute(
        select(_polls.c.observed_at, _polls.c.outcome).where(
            _polls.c.observed_at >= first, _polls.c.observed_at <= last
        )
    )
    stored = {to_epoch_us(observed_at): outcome for observed_at, outcome in rows}

    observed = time_placeholder(connection)
    new = [(int(t),) for t in times.tolist() if t not in stored]
    for chunk in chunked(new, BATCH_ROWS):
        connection.exec_driver_sql(
            "INSERT INTO polls (observed_at, outcome, reason, channels_live, viewers_total, "  # noqa: S608
            f"unobserved_channel_ids) VALUES ({observed}, 'ok', '{IMPORT_REASON}', 0, 0, '[]')",
            list(chunk),
        )
    failed = [{"t": from_epoch_us(t)} for t, outcome in stored.items() if outcome == "failed"]
    if failed:
        connection.execute(
            update(_polls)
            .where(_polls.c.observed_at == bindparam("t"))
            .values(outcome="ok", reason=IMPORT_REASON, unobserved_channel_ids="[]"),
            failed,
        )


def refresh_import_polls(connection: Connection, observed_us: np.ndarray) -> None:
    """Recompute the live channels and viewer total of imported polls from their samples."""
    placeholder = time_placeholder(connection)
    sql = (
        "UPDATE polls SET "  # noqa: S608
        "channels_live = (SELECT count(*) FROM samples s WHERE s.observed_at = polls.observed_at), "
        "viewers_total = (SELECT coalesce(sum(s.viewer_count), 0) FROM samples s "
        "WHERE s.observed_at = polls.observed_at) "
        f"WHERE observed_at = {placeholder} AND reason = '{IMPORT_REASON}'"
    )
    times = [(int(t),) for t in np.unique(observed_us)]
    for chunk in chunked(times, BATCH_ROWS):
        connection.exec_driver_sql(sql, list(chunk))


# --- samples ----------------------------------------------------------------------------------


def to_epoch_us_array(values: pd.Series, column: str) -> np.ndarray:
    """Convert a column of aware timestamps to int64 microseconds; NaT becomes INT64 min."""
    if len(values) == 0:
        return np.empty(0, dtype=np.int64)
    if not isinstance(values.dtype, pd.DatetimeTZDtype):
        if values.isna().all():
            return np.full(len(values), MISSING_TIME, dtype=np.int64)
        raise StorageError(
            f"column {column!r} must hold timezone-aware timestamps (dtype datetime64[..., UTC]), "
            f"got {values.dtype}: convert it with pd.to_datetime(..., utc=True)"
        )
    naive = values.dt.tz_convert("UTC").dt.tz_localize(None).dt.as_unit("us")
    result: np.ndarray = naive.to_numpy(dtype="datetime64[us]").view(np.int64)
    return result


TEXT_COLUMNS = ("channel_id", "channel_login", "stream_id", "game_id", "game_name", "title")


@dataclasses.dataclass(frozen=True, slots=True)
class TextColumn:
    """A factorised text column: row i contains `values[codes[i]]`, and "" means no value."""

    codes: np.ndarray
    values: list[str]

    def take(self, rows: np.ndarray) -> TextColumn:
        return TextColumn(self.codes[rows], self.values)

    def strings(self) -> list[str]:
        return [self.values[code] for code in self.codes.tolist()]


@dataclasses.dataclass(frozen=True, slots=True)
class SampleBatch:
    """Checked samples, one per (observed_at, channel_id), as integer and factorised columns.

    Times are int64 microseconds since the epoch, with INT64 min for a missing `started_at`.
    """

    observed_at: np.ndarray
    started_at: np.ndarray
    viewer_count: np.ndarray
    text: dict[str, TextColumn]

    def __len__(self) -> int:
        return len(self.observed_at)


def _text_column(values: pd.Series | None, rows: int) -> TextColumn:
    if values is None:
        return TextColumn(np.zeros(rows, dtype=np.int64), [""])
    # Factorising the column as it is (Arrow strings, categories or objects) touches each
    # distinct value once, instead of building a Python string per row.
    codes, uniques = pd.factorize(values)
    labels = [str(value) for value in uniques]
    codes = codes.astype(np.int64)
    if (codes < 0).any():
        codes[codes < 0] = len(labels)
        labels.append("")
    return TextColumn(codes, labels)


def normalise_samples(frame: pd.DataFrame) -> SampleBatch:
    """Check a samples DataFrame and return it with one row per (observed_at, channel_id).

    The first of several rows for the same key is kept: PostgreSQL rejects a statement that
    would insert the same key twice, and on SQLite the later rows would be ignored anyway.

    Raises:
        StorageError: a required column is missing or contains invalid values.
    """
    missing = [
        name
        for name in ("observed_at", "channel_id", "channel_login", "viewer_count")
        if name not in frame.columns
    ]
    if missing:
        raise StorageError(
            f"samples DataFrame lacks the columns {missing}; expected {list(SAMPLE_COLUMNS)}"
        )
    rows = len(frame)
    observed = to_epoch_us_array(frame["observed_at"], "observed_at")
    if (observed == MISSING_TIME).any():
        raise StorageError(
            "column 'observed_at' has missing values; every sample needs its poll time"
        )
    if "started_at" in frame.columns:
        started = to_epoch_us_array(frame["started_at"], "started_at")
    else:
        started = np.full(rows, MISSING_TIME, dtype=np.int64)
    counts = pd.to_numeric(frame["viewer_count"], errors="raise")
    if counts.isna().any() or (counts < 0).any():
        raise StorageError("column 'viewer_count' must hold non-negative integers without gaps")
    text = {
        name: _text_column(frame[name] if name in frame.columns else None, rows)
        for name in TEXT_COLUMNS
    }
    channel = text["channel_id"]
    if "" in channel.values and (channel.codes == channel.values.index("")).any():
        raise StorageError("column 'channel_id' has empty values; every sample needs its channel")

    keys = pd.DataFrame({"observed": observed, "channel": channel.codes})
    keep = np.flatnonzero(~keys.duplicated(keep="first").to_numpy())
    return SampleBatch(
        observed_at=observed[keep],
        started_at=started[keep],
        viewer_count=counts.to_numpy(dtype=np.int64)[keep],
        text={name: column.take(keep) for name, column in text.items()},
    )


def write_samples(connection: Connection, samples: SampleBatch, *, create_polls: bool) -> int:
    """Write checked samples with their channels, streams, games and titles.

    `samples` comes from `normalise_samples`. With `create_polls`, observation times without a
    poll get one (see `ensure_import_polls`); otherwise the caller has written the poll. Returns
    how many samples were new.
    """
    if len(samples) == 0:
        return 0
    text = samples.text

    channel = text["channel_id"]
    channel_keys = upsert_channels(connection, _channel_observations(samples))
    channel_key = _keys_for(channel, channel_keys)

    stream = text["stream_id"]
    owner_position = _first_positions(stream.codes, len(stream.values))
    stream_owner = {
        stream_id: int(channel_key[position])
        for stream_id, position in zip(stream.values, owner_position.tolist(), strict=True)
        if stream_id and position >= 0
    }
    stream_key = _keys_for(stream, ensure_streams(connection, stream_owner))

    game = text["game_id"]
    game_key = _keys_for(game, upsert_games(connection, _latest_games(samples)))

    title = text["title"]
    used_titles = (title.values[code] for code in np.unique(title.codes).tolist())
    title_key = _keys_for(title, ensure_titles(connection, (t for t in used_titles if t)))

    if create_polls:
        ensure_import_polls(connection, samples.observed_at)

    matrix = np.column_stack(
        (
            samples.observed_at,
            channel_key,
            stream_key,
            samples.started_at,
            samples.viewer_count,
            game_key,
            title_key,
        )
    )
    inserted = _insert_sample_rows(connection, matrix)

    if create_polls:
        refresh_import_polls(connection, samples.observed_at)
    return inserted


def _keys_for(column: TextColumn, keys: dict[str, int]) -> np.ndarray:
    """Map a text column to database keys; "" (no value) maps to 0, stored as NULL."""
    table = np.array([keys.get(value, 0) for value in column.values], dtype=np.int64)
    result: np.ndarray = table[column.codes]
    return result


def _first_positions(codes: np.ndarray, count: int) -> np.ndarray:
    """Return, for each code 0..count-1, the first row where it occurs (-1 when absent)."""
    positions = np.full(count, -1, dtype=np.int64)
    positions[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    return positions


def _latest_games(samples: SampleBatch) -> list[GameRecord]:
    """Return one record per game id, with the name of its latest sample."""
    game = samples.text["game_id"]
    name = samples.text["game_name"]
    pairs = pd.DataFrame(
        {"observed": samples.observed_at, "game": game.codes, "name": name.codes}
    ).sort_values("observed", kind="stable")
    latest = pairs.drop_duplicates("game", keep="last")
    records = []
    for game_code, name_code in zip(latest["game"].tolist(), latest["name"].tolist(), strict=True):
        game_id = game.values[game_code]
        if game_id:
            records.append(GameRecord(game_id=game_id, name=name.values[name_code]))
    return records


def _channel_observations(samples: SampleBatch) -> list[ChannelObservation]:
    channel = samples.text["channel_id"]
    login = samples.text["channel_login"]
    spans = (
        pd.DataFrame(
            {"channel": channel.codes, "login": login.codes, "observed": samples.observed_at}
        )
        .groupby(["channel", "login"], sort=False)["observed"]
        .agg(["min", "max"])
    )
    return [
        ChannelObservation(
            twitch_id=channel.values[channel_code],
            login=login.values[login_code],
            first=from_epoch_us(int(first)),
            last=from_epoch_us(int(last)),
        )
        for (channel_code, login_code), first, last in zip(
            spans.index, spans["min"].tolist(), spans["max"].tolist(), strict=True
        )
    ]


def _insert_sample_rows(connection: Connection, matrix: np.ndarray) -> int:
    """Insert rows of (observed_at, channel, stream, started_at, viewers, game, title) integers.

    Missing values arrive as sentinels rather than None, so the rows stay plain integers: key 0
    and INT64 min (for started_at) become NULL through NULLIF in the statement. Each statement
    inserts `ROWS_PER_INSERT` rows with one multi-row VALUES list: for the 120,000 rows of the
    storage benchmark's synthetic day, `executemany` then took about half the CPU time it took
    with one row per statement.
    """
    plain = plain_placeholder(connection)
    observed = time_placeholder(connection)
    started = observed.replace(plain, f"NULLIF({plain}, {_MISSING_TIME_SQL})")
    key = f"NULLIF({plain}, 0)"
    row = f"({observed}, {plain}, {key}, {started}, {plain}, {key}, {key})"

    def statement(rows: int) -> str:
        return (
            "INSERT INTO samples (observed_at, channel_key, stream_key, started_at, "  # noqa: S608
            f"viewer_count, game_key, title_key) VALUES {', '.join([row] * rows)} "
            "ON CONFLICT (observed_at, channel_key) DO NOTHING"
        )

    width = matrix.shape[1]
    grouped = len(matrix) // ROWS_PER_INSERT * ROWS_PER_INSERT
    inserted = 0
    if grouped:
        # One flat parameter list per statement, built by NumPy. The DB-API cursor of the
        # connection's own transaction takes the lists as they are; SQLAlchemy's
        # exec_driver_sql would first need a tuple per statement, a copy of every value.
        groups = matrix[:grouped].reshape(-1, width * ROWS_PER_INSERT).tolist()
        sql = statement(ROWS_PER_INSERT)
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            for chunk in chunked(groups, BATCH_ROWS // ROWS_PER_INSERT):
                cursor.executemany(sql, chunk)
                inserted += max(cursor.rowcount, 0)
        finally:
            cursor.close()
    rest = matrix[grouped:]
    if len(rest):
        result = connection.exec_driver_sql(statement(len(rest)), tuple(rest.reshape(-1).tolist()))
        inserted += max(result.rowcount, 0)
    return inserted


# --- follower snapshots -----------------------------------------------------------------------


def write_followers(connection: Connection, records: Iterable[FollowerRecord]) -> int:
    """Store follower totals; a stored NULL (failed read) is filled by a later real value.

    Returns the number of records given after de-duplication.

    Raises:
        StorageError: a record names a channel that is not in the database.
    """
    unique: dict[tuple[str, dt.datetime], int | None] = {}
    for record in records:
        key = (record.channel_id, record.observed_at)
        if unique.get(key) is None:
            unique[key] = record.followers
    if not unique:
        return 0

    ids = sorted({channel_id for channel_id, _ in unique})
    keys = _select_keys(connection, _channels, "twitch_id", ids)
    unknown = [channel_id for channel_id in ids if channel_id not in keys]
    if unknown:
        raise StorageError(
            f"follower snapshots for unknown channels {unknown[:10]}: "
            "store the channels first with Database.upsert_channels()"
        )

    insert = dialect_insert(connection, _followers)
    statement = insert.on_conflict_do_update(
        index_elements=["channel_key", "observed_at"],
        set_={"followers": func.coalesce(_followers.c.followers, insert.excluded.followers)},
    )
    rows = [
        {"channel_key": keys[channel_id], "observed_at": observed_at, "followers": followers}
        for (channel_id, observed_at), followers in unique.items()
    ]
    for chunk in chunked(rows, BATCH_ROWS):
        connection.execute(statement, list(chunk))
    return len(rows)
