"""Reading samples, polls and channels back as DataFrames."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from storage_samples import START, minute, ok_poll, sample, samples_frame

from twitchstats import ChannelRecord, Database, PollRecord
from twitchstats._storage import _readers

STRING_COLUMNS = ["channel_id", "channel_login", "stream_id", "game_id", "game_name", "title"]


def test_sample_dtypes(database: Database) -> None:
    database.write_samples(samples_frame(channels=3, minutes=4))

    samples = database.read_samples()

    assert list(samples.columns) == [
        "observed_at",
        "channel_id",
        "channel_login",
        "stream_id",
        "started_at",
        "viewer_count",
        "game_id",
        "game_name",
        "title",
    ]
    assert samples["observed_at"].dtype == "datetime64[us, UTC]"
    assert samples["started_at"].dtype == "datetime64[us, UTC]"
    assert samples["viewer_count"].dtype == np.int64
    for name in STRING_COLUMNS:
        assert isinstance(samples[name].dtype, pd.CategoricalDtype), name


def test_empty_database_gives_typed_frame(database: Database) -> None:
    samples = database.read_samples()

    assert samples.empty
    assert samples["observed_at"].dtype == "datetime64[us, UTC]"
    assert samples["viewer_count"].dtype == np.int64


def test_samples_round_trip_values(database: Database) -> None:
    frame = samples_frame(channels=4, minutes=5)

    database.write_samples(frame)
    stored = database.read_samples()

    expected = frame.sort_values(["observed_at", "channel_id"]).reset_index(drop=True)
    stored = stored.sort_values(["observed_at", "channel_id"]).reset_index(drop=True)
    for name in STRING_COLUMNS:
        stored[name] = stored[name].astype(str)
        expected[name] = expected[name].astype(str)
    pd.testing.assert_frame_equal(stored, expected, check_dtype=False)
    assert stored["viewer_count"].tolist() == expected["viewer_count"].tolist()


@pytest.mark.parametrize(
    "moment",
    [
        pytest.param(dt.datetime(2021, 4, 5, 18, 0, 0, 1, tzinfo=dt.UTC), id="one-microsecond"),
        pytest.param(dt.datetime(2021, 3, 28, 0, 59, 59, 999_999, tzinfo=dt.UTC), id="before-dst"),
        pytest.param(
            dt.datetime(2021, 10, 31, 2, 30, 0, 123_456, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            id="offset-input",
        ),
        pytest.param(dt.datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=dt.UTC), id="pre-epoch"),
    ],
)
def test_timestamps_round_trip_exactly(database: Database, moment: dt.datetime) -> None:
    started = moment - dt.timedelta(hours=3, microseconds=7)
    poll = PollRecord(observed_at=moment, requested_at=moment, outcome="ok")
    database.record_poll(poll, [sample(1, 5, started_at=started)])

    samples = database.read_samples()
    polls = database.read_polls()
    channels = database.read_channels()

    assert samples["observed_at"].iloc[0].to_pydatetime() == moment
    assert samples["started_at"].iloc[0].to_pydatetime() == started
    assert polls["requested_at"].iloc[0].to_pydatetime() == moment
    assert channels["first_seen_at"].iloc[0].to_pydatetime() == moment
    assert str(samples["observed_at"].iloc[0].tz) == "UTC"


def test_missing_values_read_as_empty(database: Database) -> None:
    bare = sample(1, 5, stream_id="", started_at=None, game_id="", game_name="", title="")
    database.record_poll(ok_poll(0, [bare]), [bare])

    row = database.read_samples().iloc[0]

    assert row["stream_id"] == ""
    assert row["game_id"] == ""
    assert row["game_name"] == ""
    assert row["title"] == ""
    assert pd.isna(row["started_at"])


def test_filters_by_channel_and_time(database: Database) -> None:
    database.write_samples(samples_frame(channels=4, minutes=10))

    selected = database.read_samples(channel_ids=["101", "103"], since=minute(2), until=minute(5))

    assert sorted(set(selected["channel_id"].astype(str))) == ["101", "103"]
    assert selected["observed_at"].min() == pd.Timestamp(minute(2))
    assert selected["observed_at"].max() == pd.Timestamp(minute(4))
    assert len(selected) == 6


def test_unknown_channel_gives_empty_frame(database: Database) -> None:
    database.write_samples(samples_frame(channels=2, minutes=2))

    assert database.read_samples(channel_ids=["999"]).empty


def test_rows_in_time_then_channel_key_order(database: Database) -> None:
    late_first = [sample(9, 1)]
    database.record_poll(ok_poll(1, late_first), late_first)
    both = [sample(1, 2), sample(9, 3)]
    database.record_poll(ok_poll(0, both), both)

    samples = database.read_samples()

    assert samples["observed_at"].tolist() == [pd.Timestamp(minute(i)) for i in (0, 0, 1)]
    # Channel 109 was stored first, so it comes first within a poll.
    assert samples["channel_id"].astype(str).tolist() == ["109", "101", "109"]


def test_polls_in_time_order(database: Database) -> None:
    database.record_poll(PollRecord(observed_at=minute(2), outcome="failed", reason="HTTP 500"))
    database.record_poll(ok_poll(1, []))

    polls = database.read_polls()

    assert polls["observed_at"].tolist() == [pd.Timestamp(minute(1)), pd.Timestamp(minute(2))]
    assert polls["outcome"].tolist() == ["ok", "failed"]
    assert polls["latency_ms"].dtype == "Int64"
    assert pd.isna(polls["latency_ms"].iloc[1])


def test_channels_frame(database: Database) -> None:
    database.upsert_channels(
        [ChannelRecord(channel_id="2", login="b", observed_at=START, display_name="B")]
    )
    database.upsert_channels([ChannelRecord(channel_id="10", login="a", observed_at=START)])

    channels = database.read_channels()

    assert channels["channel_id"].tolist() == ["10", "2"]
    assert channels["display_name"].tolist() == [None, "B"]
    assert channels["previous_logins"].tolist() == [(), ()]
    assert channels["first_seen_at"].dtype == "datetime64[us, UTC]"


def test_packed_and_plain_reads_agree(database: Database) -> None:
    frame = samples_frame(channels=5, minutes=7)
    frame.loc[4, "started_at"] = pd.NaT
    frame.loc[5, "viewer_count"] = 40_000_000
    database.write_samples(frame)

    with database.connect() as connection, connection.begin():
        packed = _readers.read_samples(
            connection, channel_ids=None, since=minute(1), until=None, packed=True
        )
        plain = _readers.read_samples(
            connection, channel_ids=None, since=minute(1), until=None, packed=False
        )

    assert len(packed) == 30
    pd.testing.assert_frame_equal(packed, plain)


def test_packed_read_keeps_extreme_start_times(database: Database) -> None:
    frame = samples_frame(channels=4, minutes=3)
    started = frame["started_at"].copy()
    # Far in the past, after the poll time, and one microsecond before it.
    started.iloc[0] = pd.Timestamp("1900-01-01 00:00:00.000001", tz="UTC")
    started.iloc[1] = frame["observed_at"].iloc[1] + pd.Timedelta(hours=2)
    started.iloc[2] = frame["observed_at"].iloc[2] - pd.Timedelta(microseconds=1)
    started.iloc[3] = pd.NaT
    frame["started_at"] = started
    database.write_samples(frame)

    with database.connect() as connection, connection.begin():
        packed = _readers.read_samples(
            connection, channel_ids=None, since=None, until=None, packed=True
        )
        plain = _readers.read_samples(
            connection, channel_ids=None, since=None, until=None, packed=False
        )

    pd.testing.assert_frame_equal(packed, plain)
    assert packed["started_at"].tolist()[:4] == started.tolist()[:4]


def test_packed_read_of_many_polls_by_channel(database: Database) -> None:
    # More polls than one fetch of the grouped query returns, read for two channels.
    frame = samples_frame(channels=3, minutes=_readers.TEXT_FETCH_POLLS + 5)
    database.write_samples(frame)

    samples = database.read_samples(channel_ids=["100", "102"], since=minute(3))

    expected = frame[frame["channel_id"].isin(["100", "102"]) & (frame["observed_at"] >= minute(3))]
    assert len(samples) == len(expected)
    assert samples["viewer_count"].tolist() == expected["viewer_count"].tolist()
    assert samples["channel_id"].astype(str).tolist() == expected["channel_id"].tolist()
