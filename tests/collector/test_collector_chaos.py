"""A simulated day of collecting through injected faults, restarts and channel changes.

The real collector polls the fake server over loopback HTTP with the real HelixClient, into a
real database, driven by a manual clock. Every minute of the day must end up as one poll row,
and every observed minute must hold exactly what the simulation listed at that minute, which is
what a fault-free run stores (checked directly by the fault-free test below).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Iterator

import pandas as pd
import pytest
from collector_rig import StallingClock, build_client, build_config

from twitchstats._collector import Collector, ManualClock
from twitchstats._fakehelix import FakeHelixFault, FakeHelixServer, FaultKind
from twitchstats._storage import Database

START = dt.datetime(2021, 4, 16, 12, 0, tzinfo=dt.UTC)
END = START + dt.timedelta(hours=24)
MINUTE = dt.timedelta(minutes=1)
# 105 channels: two Get Streams requests per poll, so that one can fail alone (a partial poll).
CHANNELS = 105


def _at(hours: float, minutes: int = 0) -> dt.datetime:
    return START + dt.timedelta(hours=hours, minutes=minutes)


def _minutes(first: dt.datetime, count: int) -> list[dt.datetime]:
    return [first + k * MINUTE for k in range(count)]


def _window(
    kind: FaultKind, first: dt.datetime, minutes: int = 1, **options: object
) -> FakeHelixFault:
    options.setdefault("path", "/helix/streams")
    return FakeHelixFault(kind=kind, start=first, end=first + minutes * MINUTE, **options)  # type: ignore[arg-type]


# Whole-minute outages: every attempt of every request fails, so the minute is a gap.
OUTAGE = _minutes(_at(7), 4)  # 19:00-19:03 UTC, prime time in Madrid
RATE_LIMITED = _minutes(_at(9, 30), 2)
HUNG = _minutes(_at(10, 10), 1)
# One request's every attempt fails: the first 100 channels are not observed.
PARTIAL = [_at(7, 30), _at(8, 5), _at(12, 40)]
# The collector is down from 23:00 to 23:20 UTC and restarts at 23:20:05.
STOP_AT = _at(11)
RESTART_AT = _at(11, 20) + dt.timedelta(seconds=5)
DOWN = _minutes(STOP_AT, 20)
# The process freezes for 3 minutes just after the 02:00 poll.
STALL_AT = _at(14) + dt.timedelta(seconds=5)
STALLED = _minutes(_at(14, 1), 2)
FOLLOWERS_DUE = _at(16)  # 04:00 UTC the next day


def _fault_plan() -> list[FakeHelixFault]:
    plan = [
        _window(FaultKind.SERVER_ERROR, OUTAGE[0], len(OUTAGE), status=503),
        _window(FaultKind.RATE_LIMIT, RATE_LIMITED[0], len(RATE_LIMITED)),
        _window(FaultKind.HANG, HUNG[0], len(HUNG), delay_seconds=1.0),
        # Pagination trouble for an hour: short pages, repeated items and a looping cursor.
        _window(FaultKind.DUPLICATE_ACROSS_PAGES, _at(8), 60, page_size=9),
        _window(FaultKind.CURSOR_LOOP, _at(8), 60, page_size=9),
        _window(FaultKind.SHORT_PAGES, _at(10, 30), 30, page_size=4),
        # The users endpoint fails at the hourly channel refresh.
        _window(FaultKind.SERVER_ERROR, _at(3), 2, path="/helix/users"),
        # Two follower reads fail on every attempt (3 attempts each).
        _window(
            FaultKind.SERVER_ERROR, FOLLOWERS_DUE, 5, path="/helix/channels/followers", count=6
        ),
    ]
    plan += [_window(FaultKind.SERVER_ERROR, minute, count=3) for minute in PARTIAL]

    # Transient faults that one retry absorbs, spread over the day.
    rng = random.Random(20210416)
    transient: list[tuple[FaultKind, dict[str, object]]] = [
        (FaultKind.SERVER_ERROR, {"status": 500}),
        (FaultKind.SERVER_ERROR, {"status": 502}),
        (FaultKind.SERVER_ERROR, {"status": 504}),
        (FaultKind.RATE_LIMIT, {}),
        (FaultKind.RATE_LIMIT_NO_HEADERS, {}),
        (FaultKind.REVOKE_TOKEN, {}),
        (FaultKind.HANG, {"delay_seconds": 1.0}),
        (FaultKind.DROP_CONNECTION, {}),
        (FaultKind.INVALID_BODY, {}),
        (FaultKind.SLOW, {"delay_seconds": 0.05}),
    ]
    busy = set(OUTAGE + RATE_LIMITED + HUNG + PARTIAL + DOWN + STALLED)
    for minute in rng.sample(_minutes(START, 24 * 60), 60):
        if minute in busy:
            continue
        kind, options = rng.choice(transient)
        plan.append(_window(kind, minute, count=1, **options))
    return plan


def _truth(server: FakeHelixServer, minute: dt.datetime) -> pd.DataFrame:
    rows = [
        {
            "channel_id": stream.channel.id,
            "stream_id": stream.broadcast.stream_id,
            "viewer_count": stream.viewer_count,
            "game_id": stream.game.id,
            "title": stream.broadcast.title,
            "started_at": stream.broadcast.started_at,
        }
        for stream in server.simulation.live_streams(minute)
    ]
    return pd.DataFrame(
        rows, columns=["channel_id", "stream_id", "viewer_count", "game_id", "title", "started_at"]
    )


def _comparable(samples: pd.DataFrame) -> pd.DataFrame:
    frame = samples[
        ["observed_at", "channel_id", "stream_id", "viewer_count", "game_id", "title", "started_at"]
    ]
    frame = frame.astype({"channel_id": str, "stream_id": str, "game_id": str, "title": str})
    frame["started_at"] = pd.to_datetime(frame["started_at"], utc=True).dt.as_unit("us")
    frame["observed_at"] = pd.to_datetime(frame["observed_at"], utc=True).dt.as_unit("us")
    frame["viewer_count"] = frame["viewer_count"].astype("int64")
    return frame.sort_values(["observed_at", "channel_id"]).reset_index(drop=True)


def _expected_samples(server: FakeHelixServer, polls: pd.DataFrame) -> pd.DataFrame:
    frames = []
    for row in polls.itertuples():
        if row.outcome == "failed":
            continue
        minute = row.observed_at.to_pydatetime()
        truth = _truth(server, minute)
        truth = truth[~truth["channel_id"].isin(row.unobserved_channel_ids)]
        frames.append(truth.assign(observed_at=minute))
    return _comparable(pd.concat(frames, ignore_index=True))


@pytest.fixture
def day_clock() -> ManualClock:
    return ManualClock(START + dt.timedelta(seconds=2))


@pytest.fixture
def day_server(day_clock: ManualClock) -> Iterator[FakeHelixServer]:
    with FakeHelixServer(seed=5, channels=CHANNELS, clock=day_clock) as server:
        yield server


def _collector(
    server: FakeHelixServer,
    clock: ManualClock | StallingClock,
    database: Database,
    manual: ManualClock,
) -> tuple[Collector, object]:
    client = build_client(server, manual)
    config = build_config(
        server,
        followers=True,
        followers_time=FOLLOWERS_DUE.time(),
        followers_per_poll=40,
        channel_refresh_minutes=60,
    )
    return Collector(config=config, database=database, client=client, clock=clock), client


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_day_with_faults_records_every_minute(
    day_server: FakeHelixServer,
    day_clock: ManualClock,
    database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    simulation = day_server.simulation
    day_server.add_faults(*_fault_plan())
    # The renamed channel streams after the restart, and the new collector has only its old login.
    renamed = simulation.live_streams(_at(11, 40))[0].channel
    suspended = next(
        stream.channel
        for stream in simulation.live_streams(_at(8, 40))
        if stream.channel != renamed
    )
    day_server.rename_channel(renamed.id, "renombrada_rp", at=_at(8, 15))
    day_server.suspend_channel(suspended.id, at=_at(8, 45))

    with Database(url=database_url) as database, caplog.at_level(logging.WARNING):
        collector, client = _collector(day_server, day_clock, database, day_clock)
        with client:  # type: ignore[attr-defined]
            first_run = collector.run(until=STOP_AT)

        day_clock.set(RESTART_AT)
        stalling = StallingClock(day_clock, STALL_AT, 3 * MINUTE)
        collector, client = _collector(day_server, stalling, database, day_clock)
        with client:  # type: ignore[attr-defined]
            second_run = collector.run(until=END)

        polls = database.read_polls().set_index("observed_at", drop=False)
        samples = database.read_samples()
        channels = database.read_channels().set_index("channel_id")
        followers = database.read_follower_snapshots()

    # Every minute of the day has exactly one poll row.
    assert list(polls.index) == _minutes(START, 24 * 60)
    outcome = polls["outcome"]
    failed = polls[outcome == "failed"]
    partial = polls[outcome == "partial"]

    # The gaps are exactly the planned ones, each with its reason.
    assert sorted(failed.index) == sorted(OUTAGE + RATE_LIMITED + HUNG + DOWN + STALLED)
    assert set(failed.loc[DOWN, "reason"]) == {"collector not running"}
    assert set(failed.loc[STALLED, "reason"]) == {"overrun"}
    assert all("ServerError" in reason for reason in failed.loc[OUTAGE, "reason"])
    assert all("RateLimitError" in reason for reason in failed.loc[RATE_LIMITED, "reason"])
    assert all("Timeout" in reason for reason in failed.loc[HUNG, "reason"])
    assert first_run.gaps == 0
    assert second_run.gaps == len(DOWN) + len(STALLED)

    # Partial minutes name the channels they could not read.
    first_chunk = tuple(sorted(channel.id for channel in simulation.channels)[:100])
    assert list(partial.index) == PARTIAL
    assert all(ids == first_chunk for ids in partial["unobserved_channel_ids"])

    # No duplicate sample, no sample in a failed minute, no late poll.
    assert not samples.duplicated(["observed_at", "channel_id"]).any()
    assert not samples["observed_at"].isin(failed.index).any()
    assert not polls["reason"].str.contains("late: finished").any()

    # Every observed minute contains what the simulation listed then.
    pd.testing.assert_frame_equal(_comparable(samples), _expected_samples(day_server, polls))

    # The renamed channel is followed by id, the suspended one reported once.
    assert channels.loc[renamed.id, "login"] == "renombrada_rp"
    assert renamed.login in channels.loc[renamed.id, "previous_logins"]
    assert samples[samples["channel_id"] == renamed.id]["observed_at"].max() > pd.Timestamp(STOP_AT)
    assert channels.loc[suspended.id, "status"] == "suspended"
    reports = [
        r
        for r in caplog.records
        if suspended.id in r.getMessage() and "suspended" in r.getMessage()
    ]
    assert len(reports) == 2  # once per collector process

    # Follower totals: the first day's round starts with the collector (after 04:00 UTC), the
    # second at 04:00. One read per active channel; failed reads are stored as missing.
    rounds = followers.groupby("observed_at")
    first_round = rounds.get_group(pd.Timestamp(START))
    second_round = rounds.get_group(pd.Timestamp(FOLLOWERS_DUE))
    assert rounds.ngroups == 2
    assert len(first_round) == CHANNELS
    assert first_round["followers"].notna().all()
    assert len(second_round) == CHANNELS - 1
    assert second_round["followers"].isna().sum() == 2


@pytest.mark.slow
def test_fault_free_evening_matches_simulation(
    day_server: FakeHelixServer, day_clock: ManualClock, tmp_path: object
) -> None:
    day_clock.set(_at(7) + dt.timedelta(seconds=1))
    url = f"sqlite:///{tmp_path}/clean.db"
    with Database(url=url) as database:
        collector, client = _collector(day_server, day_clock, database, day_clock)
        with client:  # type: ignore[attr-defined]
            summary = collector.run(until=_at(8))
        polls = database.read_polls()
        samples = database.read_samples()

    assert summary.polls == {"ok": 60, "partial": 0, "failed": 0}
    assert len(samples) > 60 * 20
    pd.testing.assert_frame_equal(_comparable(samples), _expected_samples(day_server, polls))
