"""Tests for the materialised stream statistics table and for results read from a database.

Each test runs on a SQLite file and, when a server is configured, on PostgreSQL; both must
give the numbers computed in memory from the same samples.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from metrics_series import at, combine, samples
from pandas.testing import assert_frame_equal

from twitchstats._storage import Database
from twitchstats.metrics import (
    STREAM_COLUMNS,
    SessionOptions,
    day_stats,
    load_sessions,
    read_stream_stats,
    sessionise,
    stream_stats,
    update_stream_stats,
)


def season() -> pd.DataFrame:
    """Three channels over three days: restarts, a spike, a drop and a stream across midnight."""
    rng = np.random.default_rng(11)

    def noisy(count: int, level: int) -> list[int | None]:
        return [int(value) for value in rng.integers(level // 2, level * 2, count)]

    spiky = noisy(90, 300)
    spiky[40] = 90_000
    dropped = noisy(120, 800)
    dropped[60] = 0
    return combine(
        samples(
            "2021-04-05 18:00", noisy(240, 1000), channel_id="1", login="alpha", stream_id="a1"
        ),
        # Quick restart two minutes later under a new id.
        samples("2021-04-05 22:02", noisy(60, 900), channel_id="1", login="alpha", stream_id="a2"),
        samples("2021-04-06 19:00", spiky, channel_id="1", login="alpha", stream_id="a3"),
        # Across midnight UTC, into the third day.
        samples("2021-04-06 23:00", dropped, channel_id="2", login="beta", stream_id="b1"),
        samples("2021-04-07 17:00", noisy(180, 50), channel_id="2", login="beta", stream_id="b2"),
        samples("2021-04-05 20:00", noisy(30, 10), channel_id="3", login="gamma", stream_id="c1"),
        samples("2021-04-07 20:00", noisy(100, 20), channel_id="3", login="gamma", stream_id="c2"),
    )


OPTIONS = SessionOptions(merge_gap=5)
WITHOUT_FOLLOWERS = [name for name in STREAM_COLUMNS if name != "followers_gained"]


def test_database_results_equal_in_memory(database: Database) -> None:
    frame = season()
    database.write_samples(frame)
    from_database = load_sessions(database, options=OPTIONS)
    in_memory = sessionise(frame, options=OPTIONS)
    assert_frame_equal(stream_stats(from_database), stream_stats(in_memory))
    assert_frame_equal(
        day_stats(from_database, timezone="Europe/Madrid"),
        day_stats(in_memory, timezone="Europe/Madrid"),
    )
    assert_frame_equal(from_database.flags, in_memory.flags)


@pytest.mark.slow
@pytest.mark.parametrize(
    "cuts",
    [
        pytest.param(["2021-04-06 00:00", "2021-04-07 00:00"], id="daily"),
        # Cut inside streams, inside the restart gap and just after the spike.
        pytest.param(
            ["2021-04-05 19:00", "2021-04-05 22:01", "2021-04-06 19:41", "2021-04-07 00:30"],
            id="mid-stream",
        ),
    ],
)
def test_incremental_equals_full_recompute(database: Database, cuts: list[str]) -> None:
    frame = season()
    edges = [at("2021-04-01 00:00"), *(at(cut) for cut in cuts), at("2021-04-09 00:00")]
    for first, last in itertools.pairwise(edges):
        part = frame.loc[(frame["observed_at"] >= first) & (frame["observed_at"] < last)]
        database.write_samples(part)
        update_stream_stats(database, options=OPTIONS)

    stored = read_stream_stats(database)
    full = stream_stats(load_sessions(database, options=OPTIONS))
    assert_frame_equal(stored[WITHOUT_FOLLOWERS], full[WITHOUT_FOLLOWERS])


def test_update_rerun_is_noop(database: Database) -> None:
    database.write_samples(season())
    first = update_stream_stats(database, options=OPTIONS)
    again = update_stream_stats(database, options=OPTIONS)
    assert first.sessions_written == len(read_stream_stats(database))
    assert first.full is True
    assert again.full is False
    assert again.channels == 0
    assert again.samples_read == 0
    assert again.sessions_written == 0


def test_update_reads_only_new_samples(database: Database) -> None:
    frame = season()
    early = frame.loc[frame["observed_at"] < at("2021-04-07 00:00")]
    database.write_samples(early)
    update_stream_stats(database, options=OPTIONS)
    database.write_samples(frame.loc[frame["observed_at"] >= at("2021-04-07 00:00")])
    summary = update_stream_stats(database, options=OPTIONS)
    # Only beta (its open stream b1 and b2) and gamma (c2) have new samples; alpha is untouched.
    assert summary.channels == 2
    reopened = frame.loc[
        ((frame["channel_id"] == "2") & (frame["observed_at"] >= at("2021-04-06 23:00")))
        | ((frame["channel_id"] == "3") & (frame["observed_at"] >= at("2021-04-05 20:00")))
    ]
    assert summary.samples_read == len(reopened)


def test_changed_options_recompute_everything(database: Database) -> None:
    database.write_samples(season())
    update_stream_stats(database, options=OPTIONS)
    apart = SessionOptions(merge_gap=0)
    summary = update_stream_stats(database, options=apart)
    assert summary.full is True
    stored = read_stream_stats(database)
    assert_frame_equal(
        stored[WITHOUT_FOLLOWERS],
        stream_stats(load_sessions(database, options=apart))[WITHOUT_FOLLOWERS],
    )
    # Without merging, alpha's restart is a stream of its own.
    assert "a2" in set(stored["stream_id"])


def awkward_samples() -> pd.DataFrame:
    """Samples that exercise every column the database path rebuilds from integer keys."""
    frame = combine(
        # Renamed halfway: the frame path and the key path both use the current login.
        samples("2021-04-05 18:00", [100] * 30, channel_id="7", login="old_name", stream_id="x1"),
        samples(
            "2021-04-05 18:30",
            [120] * 30,
            channel_id="7",
            login="new_name",
            stream_id="x1",
            games=["509658"] * 10 + ["32982"] * 20,
            titles=["Chatting"] * 15 + ["Marbella Vice | día 2"] * 15,
        ),
        # Polls a few seconds off the minute, twice in one minute, and ids sorting as text.
        samples(
            "2021-04-05 19:00",
            [50, 60, 70, 80],
            channel_id="10",
            login="beta",
            stream_id="9",
            offsets_seconds=[5, -20, 25, 10],
        ),
        samples("2021-04-05 19:00:20", [65], channel_id="10", login="beta", stream_id="9"),
        samples("2021-04-05 20:00", [0, 300, 9_000, 310, 0], channel_id="2", login="gamma"),
    )
    # A sample without stream, started_at, game and title.
    bare = samples("2021-04-05 21:00", [5], channel_id="2", login="gamma")
    bare[["stream_id", "game_id", "game_name", "title"]] = None
    bare["started_at"] = pd.NaT
    joined = combine(frame, bare)
    joined["started_at"] = pd.to_datetime(joined["started_at"], utc=True)
    return joined


@pytest.mark.parametrize(
    ("channel_ids", "since"),
    [
        pytest.param(None, None, id="everything"),
        pytest.param(["7", "2"], None, id="channels"),
        pytest.param(None, "2021-04-05 18:45", id="since"),
    ],
)
def test_load_sessions_matches_frame_path(
    database: Database, channel_ids: list[str] | None, since: str | None
) -> None:
    database.write_samples(awkward_samples())
    start = None if since is None else at(since).to_pydatetime()
    loaded = load_sessions(database, options=OPTIONS, channel_ids=channel_ids, since=start)
    from_frames = sessionise(
        database.read_samples(channel_ids=channel_ids, since=start),
        database.read_polls(since=start),
        options=OPTIONS,
    )
    assert len(loaded.minutes) > 0
    assert_frame_equal(loaded.minutes, from_frames.minutes)
    assert_frame_equal(loaded.gaps, from_frames.gaps)
    assert_frame_equal(loaded.flags, from_frames.flags)
    assert_frame_equal(stream_stats(loaded), stream_stats(from_frames))
    for name in ("channel", "login", "stream", "game_id", "game_name", "title"):
        assert list(getattr(loaded.arrays, name).values) == list(
            getattr(from_frames.arrays, name).values
        ), name


def test_load_sessions_keeps_large_counts(tmp_path: Path) -> None:
    # SQLite stores integers of any size; PostgreSQL's integer column would reject these.
    huge = 3_000_000_000
    with Database(url=f"sqlite:///{tmp_path / 'huge.db'}") as database:
        database.write_samples(samples("2021-04-05 18:00", [huge, huge + 5, huge - 5]))
        stats = stream_stats(load_sessions(database, options=OPTIONS))
    assert int(stats["peak_viewers"].iloc[0]) == huge + 5
    assert float(stats["average_viewers"].iloc[0]) == huge


def test_update_adds_channel_stored_late(database: Database) -> None:
    frame = season()
    gamma = frame["channel_id"] == "3"
    database.write_samples(frame.loc[~gamma])
    update_stream_stats(database, options=OPTIONS)
    # Gamma's samples are older than what the first update processed, and it has no state.
    database.write_samples(frame.loc[gamma])
    summary = update_stream_stats(database, options=OPTIONS)
    assert summary.channels == 1
    assert summary.samples_read == int(gamma.sum())
    stored = read_stream_stats(database)
    full = stream_stats(load_sessions(database, options=OPTIONS))
    assert_frame_equal(stored[WITHOUT_FOLLOWERS], full[WITHOUT_FOLLOWERS])
