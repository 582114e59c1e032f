"""The record_poll fast path and its key cache, checked against the bulk writers."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy
from storage_samples import minute, ok_poll, sample

from twitchstats import ChannelRecord, Database, PollRecord, SampleRecord
from twitchstats._storage import _pollwriter
from twitchstats._storage._database import samples_frame

Step = Callable[[Database, Database], None]


@pytest.fixture
def other_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second empty database on the same backend as `database_url`."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'reference.db'}"
        return
    server_url = database_url.split("?", 1)[0]
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = sqlalchemy.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        url = sqlalchemy.make_url(server_url).update_query_dict(
            {"options": f"-csearch_path={schema}"}
        )
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


def _state(database: Database) -> dict[str, pd.DataFrame]:
    return {
        "samples": database.read_samples(),
        "polls": database.read_polls(),
        "channels": database.read_channels(),
        "logins": database.read_channel_logins(),
        "games": database.read_games(),
    }


def _assert_same_state(actual: Database, expected: Database) -> None:
    expected_state = _state(expected)
    for name, frame in _state(actual).items():
        pd.testing.assert_frame_equal(frame, expected_state[name], obj=name)


def _stored_keys(database: Database, table: str, column: str) -> dict[str, int]:
    with database.connect() as connection:
        rows = connection.exec_driver_sql(f"SELECT {column}, id FROM {table}")  # noqa: S608
        return {value: key for value, key in rows}


def _record_as_frame(database: Database, poll: PollRecord, samples: list[SampleRecord]) -> bool:
    """Record through the bulk writers, the reference for the fast path."""
    return database.record_poll(poll, samples_frame(samples, poll.observed_at))


def _polls(start: int, count: int) -> list[tuple[PollRecord, list[SampleRecord]]]:
    polls = []
    for index in range(start, start + count):
        samples = [sample(channel, 100 + index) for channel in range(1, 4)]
        polls.append((ok_poll(index, samples), samples))
    return polls


def _record(index: int, login: str = "", **overrides: object) -> tuple[Step, Step]:
    samples = [
        sample(channel, 100 + index, **({"channel_login": login} if login else {}), **overrides)
        for channel in range(1, 4)
    ]
    poll = ok_poll(index, samples)

    def fast(database: Database, _other: Database) -> None:
        database.record_poll(poll, samples)

    def reference(database: Database, _other: Database) -> None:
        _record_as_frame(database, poll, samples)

    return fast, reference


def _run_pairs(
    pairs: list[tuple[Step, Step]], fast_url: str, reference_url: str
) -> tuple[Database, Database]:
    fast = Database(url=fast_url).open()
    fast_other = Database(url=fast_url).open()
    reference = Database(url=reference_url).open()
    reference_other = Database(url=reference_url).open()
    try:
        for fast_step, reference_step in pairs:
            fast_step(fast, fast_other)
            reference_step(reference, reference_other)
    finally:
        fast_other.close()
        reference_other.close()
    return fast, reference


def _both(step: Step) -> tuple[Step, Step]:
    return step, step


def test_fast_path_matches_bulk_writers(database_url: str, other_url: str) -> None:
    pairs = [_record(index) for index in range(5)]
    pairs.append(_record(6, game_id="509658", game_name="Just Chatting", title="charla"))
    pairs.append(_record(7, stream_id="", game_id="", game_name="", title="", started_at=None))

    fast, reference = _run_pairs(pairs, database_url, other_url)

    with fast, reference:
        _assert_same_state(fast, reference)
        assert len(fast.read_samples()) == 21


def test_rename_after_caching(database_url: str, other_url: str) -> None:
    pairs = [_record(0), _record(1), _record(60, login="renamed"), _record(61, login="renamed")]
    pairs.append(_record(70))

    fast, reference = _run_pairs(pairs, database_url, other_url)

    with fast, reference:
        _assert_same_state(fast, reference)
        history = fast.read_channel_logins()
        first = history[history["channel_id"] == "101"]
        assert first["login"].tolist() == ["streamer1", "renamed", "streamer1"]
        assert fast.read_channels()["login"].tolist() == ["streamer1", "streamer2", "streamer3"]


def test_poll_older_than_newest_login(database_url: str, other_url: str) -> None:
    pairs = [_record(50, login="current"), _record(1, login="former"), _record(51)]

    fast, reference = _run_pairs(pairs, database_url, other_url)

    with fast, reference:
        _assert_same_state(fast, reference)
        assert fast.read_channels()["login"].tolist() == ["streamer1", "streamer2", "streamer3"]


def test_second_writer_between_polls(database_url: str, other_url: str) -> None:
    def rename_elsewhere(_database: Database, other: Database) -> None:
        other.upsert_channels(
            [ChannelRecord(channel_id="101", login="elsewhere", observed_at=minute(3))]
        )

    def record_elsewhere(_database: Database, other: Database) -> None:
        samples = [
            sample(1, 5, channel_login="elsewhere", game_name="GTA V", stream_id="999"),
            sample(9, 7, title="nuevo", game_name="GTA V"),
        ]
        other.record_poll(ok_poll(4, samples), samples)

    pairs = [
        _record(0),
        _record(1),
        _both(rename_elsewhere),
        _record(5),
        _both(record_elsewhere),
        _record(6),
        _record(7, login="elsewhere"),
    ]

    fast, reference = _run_pairs(pairs, database_url, other_url)

    with fast, reference:
        _assert_same_state(fast, reference)
        history = fast.read_channel_logins()
        first = history[history["channel_id"] == "101"]
        assert first["login"].tolist() == ["streamer1", "elsewhere", "streamer1", "elsewhere"]
        assert fast.read_games()["name"].tolist() == ["Grand Theft Auto V"]


def test_cached_keys_match_database(database: Database) -> None:
    for poll, samples in _polls(0, 3):
        database.record_poll(poll, samples)
    other = [sample(5, 1, stream_id="77", title="otro", game_id="1", game_name="Chess")]
    with Database(url=database.url) as second:
        second.record_poll(ok_poll(3, other), other)
    for poll, samples in [*_polls(4, 2), (ok_poll(6, other), other)]:
        database.record_poll(poll, samples)

    cache = database._poll_writer.cache

    assert cache.streams == _stored_keys(database, "streams", "twitch_id")
    assert cache.titles == _stored_keys(database, "titles", "text")
    assert cache.games == _stored_keys(database, "games", "twitch_id")


def test_failure_empties_cache(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    for poll, samples in _polls(0, 2):
        database.record_poll(poll, samples)
    assert len(database._poll_writer.cache) > 0
    real_insert = _pollwriter._insert_samples

    def insert_then_fail(*args: object) -> int:
        real_insert(*args)  # type: ignore[arg-type]
        raise RuntimeError("power cut after the samples were sent")

    monkeypatch.setattr(_pollwriter, "_insert_samples", insert_then_fail)
    fresh = [sample(1, 5, stream_id="555", title="nunca guardado", game_id="7", game_name="X")]
    with pytest.raises(RuntimeError, match="power cut"):
        database.record_poll(ok_poll(2, fresh), fresh)

    assert len(database._poll_writer.cache) == 0
    assert "555" not in _stored_keys(database, "streams", "twitch_id")
    assert "nunca guardado" not in _stored_keys(database, "titles", "text")

    monkeypatch.setattr(_pollwriter, "_insert_samples", real_insert)
    other = [sample(2, 9, stream_id="556", title="de otro proceso")]
    with Database(url=database.url) as second:
        second.record_poll(ok_poll(3, other), other)
    assert database.record_poll(ok_poll(2, fresh), fresh) is True

    stored = database.read_samples()
    retried = stored[stored["observed_at"] == pd.Timestamp(minute(2))]
    assert retried["stream_id"].astype(str).tolist() == ["555"]
    assert retried["title"].astype(str).tolist() == ["nunca guardado"]
    stored_streams = _stored_keys(database, "streams", "twitch_id")
    assert database._poll_writer.cache.streams == {"555": stored_streams["555"]}


def test_close_empties_cache(database: Database) -> None:
    for poll, samples in _polls(0, 1):
        database.record_poll(poll, samples)

    database.close()

    assert len(database._poll_writer.cache) == 0


def test_cache_bound_empties_map(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_pollwriter, "MAX_CACHED_KEYS", 4)
    for index in range(6):
        samples = [sample(channel, 10, stream_id=f"{index}{channel}") for channel in range(1, 4)]
        database.record_poll(ok_poll(index, samples), samples)

    streams = database._poll_writer.cache.streams

    assert 0 < len(streams) <= 4
    stored = _stored_keys(database, "streams", "twitch_id")
    assert all(stored[stream_id] == key for stream_id, key in streams.items())
    assert len(database.read_samples()["stream_id"].unique()) == 18


@pytest.mark.parametrize(
    ("first", "second", "replaced"),
    [
        pytest.param("failed", "partial", True, id="failed-then-partial"),
        pytest.param("failed", "ok", True, id="failed-then-ok"),
        pytest.param("partial", "ok", True, id="partial-then-ok"),
        pytest.param("partial", "partial", False, id="partial-twice"),
        pytest.param("ok", "partial", False, id="ok-then-partial"),
        pytest.param("partial", "failed", False, id="partial-then-failed"),
    ],
)
def test_outcome_upgrade_rules(database: Database, first: str, second: str, replaced: bool) -> None:
    def poll(outcome: str, channel: int) -> tuple[PollRecord, list[SampleRecord]]:
        samples = [] if outcome == "failed" else [sample(channel, 10 * channel)]
        record = PollRecord(
            observed_at=minute(0),
            outcome=outcome,  # type: ignore[arg-type]
            reason=f"{outcome} {channel}",
            channels_live=len(samples),
        )
        return record, samples

    database.record_poll(*poll(first, 1))

    assert database.record_poll(*poll(second, 2)) is replaced
    polls = database.read_polls()
    assert polls["outcome"].tolist() == [second if replaced else first]
    assert polls["reason"].tolist() == [f"{second} 2" if replaced else f"{first} 1"]
    expected_channels = {"101"} if first != "failed" else set()
    if replaced and second != "failed":
        expected_channels.add("102")
    assert set(database.read_samples()["channel_id"].astype(str)) == expected_channels
