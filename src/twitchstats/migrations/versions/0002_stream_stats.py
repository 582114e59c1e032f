"""Create the materialised stream statistics tables.

`stream_stats` holds one row per stream session computed by `twitchstats.metrics`;
`stream_stats_state` holds, per channel, how far the samples were processed.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from twitchstats._storage._types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stream_stats",
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
    op.create_index("ix_stream_stats_started_at", "stream_stats", ["started_at"])
    op.create_table(
        "stream_stats_state",
        sa.Column("channel_id", sa.String(64), primary_key=True),
        sa.Column("processed_until", UTCDateTime(), nullable=False),
        sa.Column("reopen_from", UTCDateTime(), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("stream_stats_state")
    op.drop_index("ix_stream_stats_started_at", table_name="stream_stats")
    op.drop_table("stream_stats")
