"""Writing polls, samples, channels, games and follower totals."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from storage_samples import START, minute, ok_poll, sample, samples_frame

from twitchstats import (
    ChannelRecord,
    Database,
    FollowerRecord,
    GameRecord,
    PollRecord,
    StorageError,
)
from twitchstats._storage import _pollwriter, _writers


def _count(database: Database, table: str) -> int:
    with database.connect() as connection:
        sql = f"SELECT count(*) FROM {table}"  # noqa: S608 (table names come from the tests)
        return int(connection.exec_driver_sql(sql).scalar_one())


def test_record_poll_stores_poll_and_samples(database: Database) -> None:
    samples = [sample(1, 120), sample(2, 45)]

    written = database.record_poll(ok_poll(0, samples), samples)

    assert written is True
    stored = database.read_samples()
    assert list(stored["channel_id"]) == ["101", "102"]
    assert list(stored["viewer_count"]) == [120, 45]
    assert (stored["observed_at"] == pd.Timestamp(minute(0))).all()
    polls = database.read_polls()
    assert list(polls["outcome"]) == ["ok"]
    assert polls["viewers_total"].iloc[0] == 165


def test_record_poll_twice_adds_nothing(database: Database) -> None:
    samples = [sample(1, 120), sample(2, 45)]
    database.record_poll(ok_poll(0, samples), samples)

    again = database.record_poll(ok_poll(0, samples), [sample(1, 999), sample(3, 5)])

    assert again is False
    stored = database.read_samples()
    assert len(stored) == 2
    assert list(stored["viewer_count"]) == [120, 45]
    assert _count(database, "polls") == 1


def test_failed_poll_replaced_by_later_success(database: Database) -> None:
    failed = PollRecord(observed_at=minute(0), outcome="failed", reason="HTTP 503")
    database.record_poll(failed)
    samples = [sample(1, 120)]

    replaced = database.record_poll(ok_poll(0, samples), samples)

    assert replaced is True
    polls = database.read_polls()
    assert list(polls["outcome"]) == ["ok"]
    assert list(polls["reason"]) == [""]
    assert len(database.read_samples()) == 1


def test_ok_poll_not_replaced_by_failure(database: Database) -> None:
    samples = [sample(1, 120)]
    database.record_poll(ok_poll(0, samples), samples)

    replaced = database.record_poll(
        PollRecord(observed_at=minute(0), outcome="failed", reason="timeout")
    )

    assert replaced is False
    assert list(database.read_polls()["outcome"]) == ["ok"]


def test_partial_poll_keeps_unobserved_ids(database: Database) -> None:
    samples = [sample(1, 120)]
    poll = PollRecord(
        observed_at=minute(0),
        outcome="partial",
        reason="page 2 timed out",
        channels_requested=3,
        channels_live=1,
        viewers_total=120,
        unobserved_channel_ids=("102", "103"),
    )

    database.record_poll(poll, samples)

    polls = database.read_polls()
    assert polls["unobserved_channel_ids"].iloc[0] == ("102", "103")
    assert polls["outcome"].iloc[0] == "partial"


def test_failed_poll_with_samples_rejected(database: Database) -> None:
    poll = PollRecord(observed_at=minute(0), outcome="failed")

    with pytest.raises(ValueError, match="failed poll has no samples"):
        database.record_poll(poll, [sample(1, 3)])


def test_duplicate_key_in_one_batch(database: Database) -> None:
    samples = [sample(1, 120), sample(1, 130), sample(2, 45)]

    database.record_poll(ok_poll(0, samples), samples)

    stored = database.read_samples()
    assert list(stored["channel_id"]) == ["101", "102"]
    assert list(stored["viewer_count"]) == [120, 45]


def test_poll_and_samples_are_atomic(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    real_insert = _pollwriter._insert_samples

    def insert_then_fail(*args: object) -> int:
        real_insert(*args)  # type: ignore[arg-type]
        raise RuntimeError("power cut after the samples were sent")

    monkeypatch.setattr(_pollwriter, "_insert_samples", insert_then_fail)
    samples = [sample(1, 120), sample(2, 45)]

    with pytest.raises(RuntimeError, match="power cut"):
        database.record_poll(ok_poll(0, samples), samples)

    for table in ("polls", "samples", "channels", "channel_logins", "streams", "titles", "games"):
        assert _count(database, table) == 0, table


def test_write_samples_twice_adds_nothing(database: Database) -> None:
    frame = samples_frame(channels=5, minutes=30)

    first = database.write_samples(frame)
    second = database.write_samples(frame)

    assert first == 150
    assert second == 0
    assert _count(database, "samples") == 150
    assert _count(database, "polls") == 30


def test_write_samples_creates_imported_polls(database: Database) -> None:
    frame = samples_frame(channels=4, minutes=3)

    database.write_samples(frame)

    polls = database.read_polls()
    assert list(polls["outcome"]) == ["ok"] * 3
    assert list(polls["reason"]) == ["imported"] * 3
    assert list(polls["channels_live"]) == [4, 4, 4]
    expected = frame.groupby("observed_at")["viewer_count"].sum().tolist()
    assert polls["viewers_total"].tolist() == expected
    assert polls["requested_at"].isna().all()


def test_imported_poll_totals_follow_later_imports(database: Database) -> None:
    frame = samples_frame(channels=4, minutes=2)
    database.write_samples(frame[frame["channel_id"] != "103"])

    database.write_samples(frame)

    assert list(database.read_polls()["channels_live"]) == [4, 4]


def test_write_samples_rejects_naive_times(database: Database) -> None:
    frame = samples_frame(channels=1, minutes=1)
    frame["observed_at"] = frame["observed_at"].dt.tz_localize(None)

    with pytest.raises(StorageError, match="timezone-aware"):
        database.write_samples(frame)


def test_write_samples_rejects_missing_columns(database: Database) -> None:
    frame = samples_frame(channels=1, minutes=1).drop(columns="viewer_count")

    with pytest.raises(StorageError, match="viewer_count"):
        database.write_samples(frame)


def test_rename_kept_in_history(database: Database) -> None:
    first = [sample(1, 10, channel_login="oldname")]
    database.record_poll(ok_poll(0, first), first)
    renamed = [sample(1, 12, channel_login="newname")]
    database.record_poll(ok_poll(60, renamed), renamed)

    channels = database.read_channels()
    history = database.read_channel_logins()

    assert channels["login"].tolist() == ["newname"]
    assert channels["previous_logins"].iloc[0] == ("oldname",)
    assert history["login"].tolist() == ["oldname", "newname"]
    assert history["first_seen_at"].tolist() == [pd.Timestamp(minute(0)), pd.Timestamp(minute(60))]
    assert history["last_seen_at"].tolist() == [pd.Timestamp(minute(0)), pd.Timestamp(minute(60))]
    assert database.read_samples()["channel_login"].tolist() == ["newname", "newname"]


def test_rename_back_adds_third_row(database: Database) -> None:
    for index, login in enumerate(["a_name", "b_name", "a_name"]):
        database.upsert_channels(
            [ChannelRecord(channel_id="7", login=login, observed_at=minute(index * 10))]
        )

    history = database.read_channel_logins()

    assert history["login"].tolist() == ["a_name", "b_name", "a_name"]
    assert database.read_channels()["login"].tolist() == ["a_name"]


def test_same_login_extends_range(database: Database) -> None:
    for index in (0, 5, 9):
        database.upsert_channels(
            [ChannelRecord(channel_id="7", login="steady", observed_at=minute(index))]
        )

    history = database.read_channel_logins()
    channels = database.read_channels()

    assert len(history) == 1
    assert history["last_seen_at"].iloc[0] == pd.Timestamp(minute(9))
    assert channels["first_seen_at"].iloc[0] == pd.Timestamp(minute(0))
    assert channels["last_seen_at"].iloc[0] == pd.Timestamp(minute(9))


def test_older_observation_does_not_rename(database: Database) -> None:
    database.upsert_channels(
        [ChannelRecord(channel_id="7", login="current", observed_at=minute(50))]
    )

    database.upsert_channels([ChannelRecord(channel_id="7", login="former", observed_at=minute(1))])

    assert database.read_channels()["login"].tolist() == ["current"]
    assert database.read_channel_logins()["login"].tolist() == ["former", "current"]


def test_channel_profile_and_status(database: Database) -> None:
    database.upsert_channels(
        [
            ChannelRecord(
                channel_id="7",
                login="someone",
                observed_at=minute(0),
                display_name="SomeOne",
                profile_image_url="https://static-cdn.jtvnw.net/x.png",
            )
        ]
    )
    database.upsert_channels(
        [ChannelRecord(channel_id="7", login="someone", observed_at=minute(5), status="suspended")]
    )

    channel = database.read_channels().iloc[0]

    assert channel["display_name"] == "SomeOne"
    assert channel["profile_image_url"] == "https://static-cdn.jtvnw.net/x.png"
    assert channel["status"] == "suspended"


def test_seen_live_again_means_active(database: Database) -> None:
    database.upsert_channels(
        [
            ChannelRecord(
                channel_id="101", login="streamer1", observed_at=minute(0), status="suspended"
            )
        ]
    )
    samples = [sample(1, 10)]

    database.record_poll(ok_poll(3, samples), samples)

    assert database.read_channels()["status"].tolist() == ["active"]


def test_follower_failure_stays_missing(database: Database) -> None:
    database.upsert_channels([ChannelRecord(channel_id="7", login="x", observed_at=START)])
    day = START.replace(hour=0)
    database.write_follower_snapshots(
        [
            FollowerRecord(channel_id="7", observed_at=day, followers=1500),
            FollowerRecord(channel_id="7", observed_at=day + dt.timedelta(days=1), followers=None),
            FollowerRecord(channel_id="7", observed_at=day + dt.timedelta(days=2), followers=0),
        ]
    )

    followers = database.read_follower_snapshots()["followers"]

    assert followers.dtype == "Int64"
    assert followers.iloc[0] == 1500
    assert followers.isna().tolist() == [False, True, False]
    assert followers.iloc[2] == 0


def test_follower_value_fills_failed_read_once(database: Database) -> None:
    database.upsert_channels([ChannelRecord(channel_id="7", login="x", observed_at=START)])
    database.write_follower_snapshots(
        [FollowerRecord(channel_id="7", observed_at=START, followers=None)]
    )

    database.write_follower_snapshots(
        [FollowerRecord(channel_id="7", observed_at=START, followers=10)]
    )
    database.write_follower_snapshots(
        [FollowerRecord(channel_id="7", observed_at=START, followers=None)]
    )
    database.write_follower_snapshots(
        [FollowerRecord(channel_id="7", observed_at=START, followers=99)]
    )

    assert database.read_follower_snapshots()["followers"].tolist() == [10]


def test_follower_for_unknown_channel(database: Database) -> None:
    with pytest.raises(StorageError, match="unknown channels"):
        database.write_follower_snapshots(
            [FollowerRecord(channel_id="404", observed_at=START, followers=1)]
        )


def test_games_upsert_updates_name(database: Database) -> None:
    database.upsert_games(
        [GameRecord(game_id="32982", name="GTA V", box_art_url="https://a/{width}")]
    )

    database.upsert_games([GameRecord(game_id="32982", name="Grand Theft Auto V")])

    games = database.read_games()
    assert games["name"].tolist() == ["Grand Theft Auto V"]
    assert games["box_art_url"].tolist() == ["https://a/{width}"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        pytest.param("outcome", "maybe", "outcome must be one of", id="outcome"),
        pytest.param(
            "observed_at",
            dt.datetime(2021, 4, 5, 18),  # noqa: DTZ001 (the naive time under test)
            "naive datetime",
            id="naive",
        ),
        pytest.param("channels_live", -1, "non-negative", id="negative"),
    ],
)
def test_poll_record_validation(field: str, value: object, message: str) -> None:
    values: dict[str, object] = {"observed_at": START, "outcome": "ok", field: value}

    with pytest.raises(ValueError, match=message):
        PollRecord(**values)  # type: ignore[arg-type]


def test_records_convert_offsets_to_utc() -> None:
    madrid_summer = dt.timezone(dt.timedelta(hours=2))
    poll = PollRecord(observed_at=dt.datetime(2021, 4, 5, 20, tzinfo=madrid_summer), outcome="ok")

    assert poll.observed_at == dt.datetime(2021, 4, 5, 18, tzinfo=dt.UTC)
    assert poll.observed_at.tzinfo is dt.UTC


def test_rename_inside_one_batch(database: Database) -> None:
    frame = samples_frame(channels=1, minutes=6)
    frame.loc[3:, "channel_login"] = "renamed"

    database.write_samples(frame)

    history = database.read_channel_logins()
    assert history["login"].tolist() == ["streamer0", "renamed"]
    assert history["first_seen_at"].tolist() == [pd.Timestamp(minute(0)), pd.Timestamp(minute(3))]
    assert history["last_seen_at"].tolist() == [pd.Timestamp(minute(2)), pd.Timestamp(minute(5))]
    assert database.read_channels()["login"].tolist() == ["renamed"]


def test_write_samples_in_multi_row_statements(database: Database) -> None:
    # 205 rows: three full multi-row INSERT statements and a shorter last one.
    frame = samples_frame(channels=5, minutes=41)
    assert len(frame) % _writers.ROWS_PER_INSERT != 0
    repeated = pd.concat([frame, frame.iloc[[70, 150]]], ignore_index=True)

    assert database.write_samples(repeated) == len(frame)
    assert database.write_samples(frame) == 0
    stored = database.read_samples()
    assert len(stored) == len(frame)
    assert stored["viewer_count"].tolist() == frame["viewer_count"].tolist()
