"""Create the channels, streams, games, titles, polls, samples and follower tables.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from twitchstats._storage._types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channels",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("twitch_id", sa.String(64), nullable=False),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=True),
        sa.Column("profile_image_url", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="active"),
        sa.Column("first_seen_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("twitch_id", name="uq_channels_twitch_id"),
        sa.CheckConstraint("status IN ('active', 'suspended')", name="ck_channels_status"),
    )
    op.create_index("ix_channels_login", "channels", ["login"])

    op.create_table(
        "channel_logins",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "channel_key",
            sa.Integer(),
            sa.ForeignKey("channels.id", ondelete="CASCADE", name="fk_channel_logins_channel"),
            nullable=False,
        ),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("first_seen_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("channel_key", "first_seen_at", name="uq_channel_logins_start"),
    )
    op.create_index("ix_channel_logins_login", "channel_logins", ["login"])

    op.create_table(
        "streams",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("twitch_id", sa.String(64), nullable=False),
        sa.Column(
            "channel_key",
            sa.Integer(),
            sa.ForeignKey("channels.id", ondelete="CASCADE", name="fk_streams_channel"),
            nullable=False,
        ),
        sa.UniqueConstraint("twitch_id", name="uq_streams_twitch_id"),
    )

    op.create_table(
        "games",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("twitch_id", sa.String(64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("box_art_url", sa.Text(), nullable=True),
        sa.UniqueConstraint("twitch_id", name="uq_games_twitch_id"),
    )

    op.create_table(
        "titles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.UniqueConstraint("text", name="uq_titles_text"),
    )

    op.create_table(
        "polls",
        sa.Column("observed_at", UTCDateTime(), primary_key=True),
        sa.Column("requested_at", UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("channels_requested", sa.Integer(), nullable=True),
        sa.Column("channels_live", sa.Integer(), nullable=False),
        sa.Column("viewers_total", sa.BigInteger(), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=True),
        sa.Column("unobserved_channel_ids", sa.Text(), nullable=False, server_default="[]"),
        sa.CheckConstraint("outcome IN ('ok', 'partial', 'failed')", name="ck_polls_outcome"),
    )

    op.create_table(
        "samples",
        sa.Column(
            "observed_at",
            UTCDateTime(),
            sa.ForeignKey("polls.observed_at", ondelete="CASCADE", name="fk_samples_poll"),
            primary_key=True,
        ),
        sa.Column(
            "channel_key",
            sa.Integer(),
            sa.ForeignKey("channels.id", ondelete="CASCADE", name="fk_samples_channel"),
            primary_key=True,
        ),
        # stream_key, game_key and title_key are written only by twitchstats from the lookup
        # tables in the same transaction; leaving them undeclared as foreign keys saves a
        # lookup each per inserted row on SQLite.
        sa.Column("stream_key", sa.Integer(), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("viewer_count", sa.Integer(), nullable=False),
        sa.Column("game_key", sa.Integer(), nullable=True),
        sa.Column("title_key", sa.Integer(), nullable=True),
        # Rows live in the primary-key b-tree on SQLite: no hidden rowid, no second copy. There
        # is no index by channel: it would double the insert cost, and reads by channel over a
        # time range still use the primary key for the range.
        sqlite_with_rowid=False,
    )

    op.create_table(
        "follower_snapshots",
        sa.Column(
            "channel_key",
            sa.Integer(),
            sa.ForeignKey("channels.id", ondelete="CASCADE", name="fk_follower_snapshots_channel"),
            primary_key=True,
        ),
        sa.Column("observed_at", UTCDateTime(), primary_key=True),
        sa.Column("followers", sa.Integer(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("follower_snapshots")
    op.drop_table("samples")
    op.drop_table("polls")
    op.drop_table("titles")
    op.drop_table("games")
    op.drop_table("streams")
    op.drop_index("ix_channel_logins_login", table_name="channel_logins")
    op.drop_table("channel_logins")
    op.drop_index("ix_channels_login", table_name="channels")
    op.drop_table("channels")
