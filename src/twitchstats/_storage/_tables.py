"""Tables of the twitchstats database, as SQLModel classes.

Only the Alembic revisions in `twitchstats.migrations` create and change the schema. These
classes describe it for queries (`select(Sample)`) and must match the latest revision.

Twitch ids are strings and appear once, in the `twitch_id` column of `channels`, `streams` and
`games`. Other tables refer to rows by integer surrogate keys (`channel_key` -> `channels.id`),
and stream titles are stored once in `titles`. That keeps the `samples` table, which grows by one
row per live channel per minute, to a handful of integers per row.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from twitchstats._storage._types import UTCDateTime

# The key of each table below is what makes writes idempotent: a sample is unique per
# (observed_at, channel_key), a poll per observed_at, a follower snapshot per
# (channel_key, observed_at), and writers insert with ON CONFLICT DO NOTHING against those keys.


class Channel(SQLModel, table=True):
    """A Twitch channel (broadcaster), identified by its Twitch user id.

    `login` is the current login; earlier logins live in `channel_logins`. `status` is "active"
    or "suspended" (no longer returned by Twitch).
    """

    __tablename__ = "channels"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'suspended')", name="ck_channels_status"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    twitch_id: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    login: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    display_name: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    profile_image_url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: str = Field(
        default="active", sa_column=Column(String(16), nullable=False, server_default="active")
    )
    first_seen_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_seen_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ChannelLogin(SQLModel, table=True):
    """One login a channel used, with the first and last time it was seen under it.

    A channel renamed A -> B -> A has three rows.
    """

    __tablename__ = "channel_logins"
    __table_args__ = (
        UniqueConstraint("channel_key", "first_seen_at", name="uq_channel_logins_start"),
        Index("ix_channel_logins_login", "login"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    channel_key: int = Field(
        sa_column=Column(Integer, ForeignKey("channels.id", ondelete="CASCADE"), nullable=False)
    )
    login: str = Field(sa_column=Column(String(64), nullable=False))
    first_seen_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_seen_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Stream(SQLModel, table=True):
    """A Twitch stream (one broadcast), identified by the stream id Twitch gives it."""

    __tablename__ = "streams"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    twitch_id: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    channel_key: int = Field(
        sa_column=Column(Integer, ForeignKey("channels.id", ondelete="CASCADE"), nullable=False)
    )


class Game(SQLModel, table=True):
    """A Twitch category (game). `name` is the latest name seen for the id."""

    __tablename__ = "games"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    twitch_id: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    name: str = Field(sa_column=Column(Text, nullable=False))
    box_art_url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Title(SQLModel, table=True):
    """A distinct stream title; samples refer to it by key instead of repeating the text."""

    __tablename__ = "titles"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    text: str = Field(sa_column=Column(Text, nullable=False, unique=True))


class Poll(SQLModel, table=True):
    """One collection minute: what the collector requested and what came back.

    `observed_at` is the poll's own time, shared by all its samples; `requested_at` is when the
    request actually started (None for polls created by an import). A minute without an "ok" or
    "partial" poll was not observed: its viewers are unknown, not zero.
    `unobserved_channel_ids` is a JSON array of the Twitch ids a partial poll could not read.
    """

    __tablename__ = "polls"
    __table_args__ = (
        CheckConstraint("outcome IN ('ok', 'partial', 'failed')", name="ck_polls_outcome"),
    )

    observed_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), primary_key=True))
    requested_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    outcome: str = Field(sa_column=Column(String(16), nullable=False))
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    channels_requested: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    channels_live: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    viewers_total: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    latency_ms: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    unobserved_channel_ids: str = Field(
        default="[]", sa_column=Column(Text, nullable=False, server_default="[]")
    )


class Sample(SQLModel, table=True):
    """The viewer count of one live channel at one poll.

    Empty Twitch values (`game_id` "", no stream id, empty title) are stored as NULL keys. On
    SQLite the table is WITHOUT ROWID, so the rows live in the primary-key b-tree in time order.
    `stream_key`, `game_key` and `title_key` point to `streams`, `games` and `titles` but are not
    declared as foreign keys, and there is no index by channel. Both would slow every insert,
    and only the storage layer inserts, with keys it has just looked up.
    """

    __tablename__ = "samples"
    __table_args__ = ({"sqlite_with_rowid": False},)

    observed_at: dt.datetime = Field(
        sa_column=Column(
            UTCDateTime(),
            ForeignKey("polls.observed_at", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    channel_key: int = Field(
        sa_column=Column(Integer, ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True)
    )
    stream_key: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    started_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    viewer_count: int = Field(sa_column=Column(Integer, nullable=False))
    game_key: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    title_key: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))


class FollowerSnapshot(SQLModel, table=True):
    """A channel's follower total read at one time.

    `followers` is NULL when the read failed: a missing value, never a 0.
    """

    __tablename__ = "follower_snapshots"

    channel_key: int = Field(
        sa_column=Column(Integer, ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True)
    )
    observed_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), primary_key=True))
    followers: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


CHANNELS = _table("channels")
CHANNEL_LOGINS = _table("channel_logins")
STREAMS = _table("streams")
GAMES = _table("games")
TITLES = _table("titles")
POLLS = _table("polls")
SAMPLES = _table("samples")
FOLLOWER_SNAPSHOTS = _table("follower_snapshots")

STORAGE_TABLES = (
    CHANNELS,
    CHANNEL_LOGINS,
    STREAMS,
    GAMES,
    TITLES,
    POLLS,
    SAMPLES,
    FOLLOWER_SNAPSHOTS,
)
