"""The materialised stream statistics table, updated incrementally from new samples.

Per channel, `stream_stats_state` stores the time of the last processed sample and the start
of the channel's last session. An update reads only the samples from that start on for the
channels with newer samples, recomputes those sessions (the last one may continue, merge with
a restart or be split) and replaces their rows. Earlier sessions cannot change, because the
decision that closed them depends only on samples and polls before the reopened session.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from twitchstats._storage._engine import WRITE_OPTION
from twitchstats._storage._tables import CHANNELS, SAMPLES
from twitchstats._storage._types import UTCDateTime, from_epoch_us, to_epoch_us
from twitchstats.metrics._inputs import SampleArrays, prepare_polls, prepare_sample_keys
from twitchstats.metrics._options import SessionOptions
from twitchstats.metrics._sessions import Sessions, build_sessions
from twitchstats.metrics._stats import STREAM_COLUMNS, _followers_gained, stream_stats

if TYPE_CHECKING:
    from collections.abc import Sequence

    from twitchstats._storage import Database
    from twitchstats._storage._readers import SampleKeys

__all__ = ["UpdateSummary", "load_sessions", "read_stream_stats", "update_stream_stats"]

logger = logging.getLogger(__name__)

_metadata = sa.MetaData()

STREAM_STATS = sa.Table(
    "stream_stats",
    _metadata,
    sa.Column("channel_id", sa.String(64), primary_key=True),
    sa.Column("first_seen_at", UTCDateTime(), primary_key=True),
    sa.Column("channel_login", sa.String(64), nullable=False),
    sa.Column("stream_id", sa.String(64), nullable=False),
    sa.Column("stream_ids", sa.Text(), nullable=False),
    sa.Column("started_at", UTCDateTime(), nullable=False),
    sa.Column("ended_at", UTCDateTime(), nullable=False),
    sa.Column("airtime_minutes", sa.Integer(), nullable=False),
    sa.Column("average_viewers", sa.Float(), nullable=False),
    sa.Column("peak_viewers", sa.Integer(), nullable=True),
    sa.Column("peak_at", UTCDateTime(), nullable=True),
    sa.Column("hours_watched", sa.Float(), nullable=False),
    sa.Column("offline_minutes", sa.Integer(), nullable=False),
    sa.Column("dropout_minutes", sa.Integer(), nullable=False),
    sa.Column("gap_minutes", sa.Integer(), nullable=False),
    sa.Column("flagged_readings", sa.Integer(), nullable=False),
    sa.Column("title", sa.Text(), nullable=False),
)

STREAM_STATS_STATE = sa.Table(
    "stream_stats_state",
    _metadata,
    sa.Column("channel_id", sa.String(64), primary_key=True),
    sa.Column("processed_until", UTCDateTime(), nullable=False),
    sa.Column("reopen_from", UTCDateTime(), nullable=False),
    sa.Column("options", sa.Text(), nullable=False),
)

_STORED_COLUMNS = [column.name for column in STREAM_STATS.columns]
_INTEGER_COLUMNS = (
    "airtime_minutes",
    "offline_minutes",
    "dropout_minutes",
    "gap_minutes",
    "flagged_readings",
)


@dataclasses.dataclass(frozen=True)
class UpdateSummary:
    """Summary of one `update_stream_stats` call.

    Attributes:
        channels: channels whose sessions were recomputed.
        samples_read: samples read from the database.
        sessions_written: rows written to `stream_stats`.
        full: True when every row was recomputed (first run, `full=True` or changed options).
    """

    channels: int
    samples_read: int
    sessions_written: int
    full: bool


def load_sessions(
    database: Database,
    *,
    options: SessionOptions | None = None,
    channel_ids: Sequence[str] | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> Sessions:
    """Read samples and polls from a database and sessionise them.

    `since` and `until` select samples by poll time; a session cut by them is cut in the
    result too, so pass a range a little wider than the one you report on.
    """
    samples, polls = database._read_sample_keys(channel_ids=channel_ids, since=since, until=until)
    arrays = prepare_sample_keys(samples)
    # The raw columns take as much memory as the arrays: let them go before sessionising.
    del samples
    return _sessionise_arrays(arrays, polls, options or SessionOptions())


def _sessionise_arrays(
    arrays: SampleArrays, polls: pd.DataFrame, options: SessionOptions
) -> Sessions:
    # An empty polls frame means no poll was stored, so sample minutes stand in for them.
    return build_sessions(arrays, prepare_polls(polls if len(polls) else None, arrays), options)


def _latest_samples(
    connection: sa.Connection, channel_ids: Sequence[str] | None = None
) -> dict[str, dt.datetime]:
    """Return the time of the latest sample of each channel (of `channel_ids` when given)."""
    latest = sa.type_coerce(
        sa.select(sa.func.max(SAMPLES.c.observed_at))
        .where(SAMPLES.c.channel_key == CHANNELS.c.id)
        .scalar_subquery(),
        UTCDateTime(),
    )
    query = sa.select(CHANNELS.c.twitch_id, latest)
    if channel_ids is not None:
        query = query.where(CHANNELS.c.twitch_id.in_(channel_ids))
    rows = connection.execute(query).all()
    return {str(channel_id): value for channel_id, value in rows if value is not None}


def _newer_samples(
    connection: sa.Connection, state: dict[str, tuple[dt.datetime, dt.datetime, str]]
) -> dict[str, dt.datetime]:
    """Return the latest sample time of each channel that may have samples after its state.

    Samples are stored by time, so one range scan from the oldest `processed_until` on finds
    the channels with newer samples. A per-channel maximum would scan back from the end to
    each channel's latest sample, which is far for a channel that has not streamed lately.
    Channels without a state row are looked up one by one.
    """
    latest: dict[str, dt.datetime] = {}
    if state:
        floor = min(stored[0] for stored in state.values())
        newest = sa.type_coerce(sa.func.max(SAMPLES.c.observed_at), UTCDateTime())
        rows = connection.execute(
            sa.select(CHANNELS.c.twitch_id, newest)
            .join(CHANNELS, CHANNELS.c.id == SAMPLES.c.channel_key)
            .where(SAMPLES.c.observed_at > floor)
            .group_by(CHANNELS.c.twitch_id)
        ).all()
        latest.update({str(channel_id): value for channel_id, value in rows})
    known = set(connection.execute(sa.select(CHANNELS.c.twitch_id)).scalars())
    unstated = sorted(str(channel_id) for channel_id in known - set(state))
    for start in range(0, len(unstated), 500):
        latest.update(_latest_samples(connection, unstated[start : start + 500]))
    return latest


def _read_state(connection: sa.Connection) -> dict[str, tuple[dt.datetime, dt.datetime, str]]:
    rows = connection.execute(sa.select(STREAM_STATS_STATE)).all()
    return {str(row[0]): (row[1], row[2], str(row[3])) for row in rows}


def update_stream_stats(
    database: Database, *, options: SessionOptions | None = None, full: bool = False
) -> UpdateSummary:
    """Bring the `stream_stats` table up to date with the stored samples.

    Only channels with samples newer than their last update are read, from the start of
    their last stored session on. Running it again without new samples writes nothing. The
    rows equal those of `stream_stats(load_sessions(database, options=options))` except
    `followers_gained`, which is not stored (see `read_stream_stats`).

    Args:
        database: the database (its schema is migrated on open).
        options: sessioniser settings. When they differ from the ones stored with the
            table, everything is recomputed.
        full: recompute every channel from its first sample.
    """
    options = options or SessionOptions()
    fingerprint = options.fingerprint()
    with database.connect() as connection:
        state = _read_state(connection)
        # Without any state, every channel is computed from its first sample: a full update.
        full = full or not state
        if any(stored[2] != fingerprint for stored in state.values()):
            logger.info("stream statistics options changed: recomputing every channel")
            full = True
        latest = _latest_samples(connection) if full else _newer_samples(connection, state)

    if full:
        affected = sorted(latest)
        reopen: dict[str, dt.datetime | None] = dict.fromkeys(affected)
    else:
        affected = sorted(
            channel_id
            for channel_id, last in latest.items()
            if channel_id not in state or last > state[channel_id][0]
        )
        reopen = {
            channel_id: state[channel_id][1] if channel_id in state else None
            for channel_id in affected
        }
    if not affected:
        logger.info("stream statistics are up to date")
        return UpdateSummary(channels=0, samples_read=0, sessions_written=0, full=full)

    known_starts = [value for value in reopen.values() if value is not None]
    since = None if len(known_starts) < len(reopen) else min(known_starts)
    samples, polls = database._read_sample_keys(channel_ids=None if full else affected, since=since)
    samples = _from_reopen_points(samples, reopen)
    samples_read = len(samples)
    last_sample = _last_sample_times(samples)
    arrays = prepare_sample_keys(samples)
    # The raw columns take as much memory as the arrays: let them go before sessionising.
    del samples
    sessions = _sessionise_arrays(arrays, polls, options)
    stats = stream_stats(sessions)
    del arrays, sessions

    rows = _stored_rows(stats)
    new_state = _state_rows(stats, last_sample, fingerprint)
    with database.engine.execution_options(**{WRITE_OPTION: True}).begin() as connection:
        if full:
            connection.execute(sa.delete(STREAM_STATS))
            connection.execute(sa.delete(STREAM_STATS_STATE))
        else:
            # One executemany per kind of deletion instead of one statement per channel.
            from_start = [
                {"channel": channel_id, "start": reopen[channel_id]}
                for channel_id in affected
                if reopen[channel_id] is not None
            ]
            whole = [
                {"channel": channel_id} for channel_id in affected if reopen[channel_id] is None
            ]
            if from_start:
                connection.execute(
                    sa.delete(STREAM_STATS).where(
                        (STREAM_STATS.c.channel_id == sa.bindparam("channel"))
                        & (
                            STREAM_STATS.c.first_seen_at
                            >= sa.bindparam("start", type_=UTCDateTime())
                        )
                    ),
                    from_start,
                )
            if whole:
                connection.execute(
                    sa.delete(STREAM_STATS).where(
                        STREAM_STATS.c.channel_id == sa.bindparam("channel")
                    ),
                    whole,
                )
            connection.execute(
                sa.delete(STREAM_STATS_STATE).where(STREAM_STATS_STATE.c.channel_id.in_(affected))
            )
        if rows:
            connection.execute(sa.insert(STREAM_STATS), rows)
        if new_state:
            connection.execute(sa.insert(STREAM_STATS_STATE), new_state)
    logger.info(
        "updated stream statistics of %d channels: %d samples read, %d sessions written",
        len(affected),
        samples_read,
        len(rows),
    )
    return UpdateSummary(
        channels=len(affected), samples_read=samples_read, sessions_written=len(rows), full=full
    )


def _from_reopen_points(samples: SampleKeys, reopen: dict[str, dt.datetime | None]) -> SampleKeys:
    """Keep each channel's samples from its reopen point on."""
    if len(samples) == 0:
        return samples
    lowest = np.iinfo(np.int64).min
    # Channels outside `reopen` get no limit here: the caller read only affected channels.
    limit_of_key = np.full(int(samples.channel.max()) + 1, lowest, dtype=np.int64)
    for key, (channel_id, _login) in samples.channels.items():
        start = reopen.get(channel_id)
        if start is not None and key < len(limit_of_key):
            limit_of_key[key] = to_epoch_us(start)
    keep = samples.observed_us >= limit_of_key[samples.channel]
    return samples if bool(keep.all()) else samples.take(keep)


def _python_time(value: Any) -> dt.datetime | None:
    if value is None or pd.isna(value):
        return None
    stamp: dt.datetime = pd.Timestamp(value).to_pydatetime()
    return stamp


def _stored_rows(stats: pd.DataFrame) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for record in stats.to_dict("records"):
        row = {name: record[name] for name in _STORED_COLUMNS if name != "stream_ids"}
        row["stream_ids"] = json.dumps(list(record["stream_ids"]))
        for name in ("first_seen_at", "started_at", "ended_at", "peak_at"):
            row[name] = _python_time(record[name])
        row["peak_viewers"] = (
            None if pd.isna(record["peak_viewers"]) else int(record["peak_viewers"])
        )
        for name in _INTEGER_COLUMNS:
            row[name] = int(record[name])
        row["average_viewers"] = float(record["average_viewers"])
        row["hours_watched"] = float(record["hours_watched"])
        rows.append(row)
    return rows


def _last_sample_times(samples: SampleKeys) -> dict[str, dt.datetime]:
    """Return the time of each channel's latest sample among `samples`."""
    if len(samples) == 0:
        return {}
    missing = np.iinfo(np.int64).min
    latest = np.full(int(samples.channel.max()) + 1, missing, dtype=np.int64)
    np.maximum.at(latest, samples.channel, samples.observed_us)
    return {
        channel_id: from_epoch_us(int(latest[key]))
        for key, (channel_id, _login) in samples.channels.items()
        if key < len(latest) and latest[key] != missing
    }


def _state_rows(
    stats: pd.DataFrame, last_sample: dict[str, dt.datetime], fingerprint: str
) -> list[dict[str, Any]]:
    if stats.empty:
        return []
    last_session = stats.sort_values("first_seen_at").groupby("channel_id")["first_seen_at"].max()
    return [
        {
            "channel_id": channel_id,
            "processed_until": last_sample[str(channel_id)],
            "reopen_from": _python_time(reopen_from),
            "options": fingerprint,
        }
        for channel_id, reopen_from in last_session.items()
    ]


def read_stream_stats(
    database: Database,
    *,
    channel_ids: Sequence[str] | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    snapshots: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Read the materialised stream statistics, in the `stream_stats` column layout.

    Args:
        database: the database.
        channel_ids: channels to read; None for all.
        since: first session start (`first_seen_at`) included.
        until: first session start excluded.
        snapshots: follower snapshots for `followers_gained` (NA without them).
    """
    query = sa.select(STREAM_STATS)
    if channel_ids is not None:
        query = query.where(STREAM_STATS.c.channel_id.in_([str(i) for i in channel_ids]))
    if since is not None:
        query = query.where(STREAM_STATS.c.first_seen_at >= since)
    if until is not None:
        query = query.where(STREAM_STATS.c.first_seen_at < until)
    query = query.order_by(STREAM_STATS.c.channel_id, STREAM_STATS.c.first_seen_at)
    with database.connect() as connection:
        rows = [dict(row._mapping) for row in connection.execute(query)]

    frame = pd.DataFrame(rows, columns=_STORED_COLUMNS)
    for name in ("first_seen_at", "started_at", "ended_at", "peak_at"):
        frame[name] = pd.to_datetime(frame[name], utc=True).astype("datetime64[us, UTC]")
    frame["stream_ids"] = pd.Series(
        [json.loads(text) for text in frame["stream_ids"]], dtype=object, index=frame.index
    )
    for name in _INTEGER_COLUMNS:
        frame[name] = frame[name].astype(np.int64)
    frame["peak_viewers"] = frame["peak_viewers"].astype("Int64")
    for name in ("average_viewers", "hours_watched"):
        frame[name] = frame[name].astype(np.float64)
    for name in ("channel_id", "channel_login", "stream_id", "title"):
        frame[name] = frame[name].astype(str)
    frame["followers_gained"] = _followers_gained(frame, snapshots, dt.timedelta(minutes=30))
    return frame[list(STREAM_COLUMNS)]
