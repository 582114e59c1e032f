"""Tests for the materialised stream statistics table and for results read from a database.

Each test runs on a SQLite file and, when a server is configured, on PostgreSQL; both must
give the numbers computed in memory from the same samples.
"""

from __future__ import annotations

import itertools

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
    assert first.full is False
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
