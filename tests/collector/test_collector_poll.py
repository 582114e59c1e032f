"""Tests of single polls, channel tracking, gaps and follower reads against the fake server."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

import pandas as pd
import pytest
from collector_rig import EVENING, Rig, StallingClock

from twitchstats._collector import ChannelSpec, Collector, CollectorConfig
from twitchstats._collector._schedule import ceil_to_interval, floor_to_interval
from twitchstats._fakehelix import FakeHelixFault, FaultKind

MINUTE = dt.timedelta(minutes=1)


def _truth(rig: Rig, minute: dt.datetime) -> dict[str, tuple[str, int, str, str]]:
    """Return what the simulation lists at `minute`: channel id -> stream fields."""
    return {
        stream.channel.id: (
            stream.broadcast.stream_id,
            stream.viewer_count,
            stream.game.id,
            stream.broadcast.title,
        )
        for stream in rig.server.simulation.live_streams(minute)
    }


def _stored(rig: Rig, minute: dt.datetime) -> dict[str, tuple[str, int, str, str]]:
    samples = rig.database.read_samples(since=minute, until=minute + MINUTE)
    return {
        str(row.channel_id): (
            str(row.stream_id),
            int(row.viewer_count),
            str(row.game_id),
            str(row.title),
        )
        for row in samples.itertuples()
    }


def _polls(rig: Rig) -> pd.DataFrame:
    return rig.database.read_polls().set_index("observed_at")


def test_poll_once_stores_live_channels(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig()
    rig.clock.set(EVENING + dt.timedelta(seconds=3))
    poll = rig.collector.poll_once()
    assert poll.observed_at == EVENING
    assert poll.outcome == "ok"
    assert poll.channels_requested == 130
    assert poll.channels_live == len(_truth(rig, EVENING)) > 0
    assert poll.viewers_total == sum(item[1] for item in _truth(rig, EVENING).values())
    assert _stored(rig, EVENING) == _truth(rig, EVENING)


def test_poll_once_late_in_minute_gets_full_budget(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig()
    rig.clock.set(EVENING + dt.timedelta(seconds=55))

    poll = rig.collector.poll_once()

    assert poll.observed_at == EVENING
    assert poll.outcome == "ok"
    assert poll.channels_live == len(_truth(rig, EVENING))


def test_poll_once_uses_chunks_of_100(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig()
    rig.collector.poll_once(EVENING)
    assert rig.server.request_counts["/helix/streams"] == 2


def test_logins_resolve_to_ids(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig()
    rig.collector.poll_once(EVENING)
    expected = {channel.id: channel.login for channel in rig.server.simulation.channels}
    assert rig.collector.channels == expected
    stored = rig.database.read_channels()
    assert set(stored["channel_id"].astype(str)) == set(expected)


def test_failed_chunk_gives_partial_poll(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig()
    rig.collector.refresh_channels()
    rig.server.add_faults(
        FakeHelixFault(kind=FaultKind.SERVER_ERROR, path="/helix/streams", count=3)
    )
    poll = rig.collector.poll_once(EVENING)
    first_chunk = sorted(rig.collector.channels)[:100]
    assert poll.outcome == "partial"
    assert poll.unobserved_channel_ids == tuple(first_chunk)
    assert "ServerError" in poll.reason
    stored = _stored(rig, EVENING)
    truth = {cid: item for cid, item in _truth(rig, EVENING).items() if cid not in first_chunk}
    assert stored == truth


def test_all_chunks_failing_gives_failed_poll(
    make_rig: Callable[..., Rig], caplog: pytest.LogCaptureFixture
) -> None:
    rig = make_rig()
    rig.collector.refresh_channels()
    rig.server.add_faults(FakeHelixFault(kind=FaultKind.SERVER_ERROR, path="/helix/streams"))
    with caplog.at_level(logging.ERROR):
        poll = rig.collector.poll_once(EVENING)
    assert poll.outcome == "failed"
    assert poll.channels_live == 0
    assert len(poll.unobserved_channel_ids) == 130
    assert _stored(rig, EVENING) == {}
    assert _polls(rig).loc[EVENING, "outcome"] == "failed"
    assert any("Get Streams failed" in record.message for record in caplog.records)


def test_retried_faults_still_give_ok(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig()
    rig.collector.refresh_channels()
    rig.server.add_faults(
        FakeHelixFault(kind=FaultKind.SERVER_ERROR, path="/helix/streams", count=1),
        FakeHelixFault(kind=FaultKind.RATE_LIMIT, path="/helix/streams", count=1),
        FakeHelixFault(kind=FaultKind.REVOKE_TOKEN, path="/helix/streams", count=1),
        FakeHelixFault(kind=FaultKind.HANG, path="/helix/streams", count=1, delay_seconds=1),
    )
    poll = rig.collector.poll_once(EVENING)
    assert poll.outcome == "ok"
    assert _stored(rig, EVENING) == _truth(rig, EVENING)


def test_pagination_faults_do_not_change_samples(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig()
    rig.server.add_faults(
        FakeHelixFault(kind=FaultKind.DUPLICATE_ACROSS_PAGES, path="/helix/streams", page_size=7),
        FakeHelixFault(kind=FaultKind.CURSOR_LOOP, path="/helix/streams", page_size=7),
    )
    poll = rig.collector.poll_once(EVENING)
    assert poll.outcome == "ok"
    assert _stored(rig, EVENING) == _truth(rig, EVENING)


def test_no_channel_resolved_records_failed(
    make_rig: Callable[..., Rig], caplog: pytest.LogCaptureFixture
) -> None:
    rig = make_rig()
    rig.server.add_faults(FakeHelixFault(kind=FaultKind.SERVER_ERROR, path="/helix/users"))
    poll = rig.collector.poll_once(EVENING)
    assert poll.outcome == "failed"
    assert "not resolved" in poll.reason
    assert len(rig.collector.unresolved_logins) == 130


def test_unknown_login_warns_and_others_poll(
    server: object, make_rig: Callable[..., Rig], caplog: pytest.LogCaptureFixture
) -> None:
    rig = make_rig()
    config = CollectorConfig(
        channels=(*rig.collector.config.channels, ChannelSpec(login="nadie_existe")),
        helix_base_url=rig.collector.config.helix_base_url,
        auth_base_url=rig.collector.config.auth_base_url,
    )
    collector = Collector(config=config, database=rig.database, client=rig.client, clock=rig.clock)
    with caplog.at_level(logging.WARNING):
        poll = collector.poll_once(EVENING)
    assert poll.outcome == "ok"
    assert collector.unresolved_logins == ["nadie_existe"]
    assert any("'nadie_existe' was not found" in record.message for record in caplog.records)


def test_rename_is_followed_by_id(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(channel_refresh_minutes=30)
    live = rig.server.simulation.live_streams(EVENING)[0].channel
    rig.server.rename_channel(live.id, "nuevo_login", at=EVENING + 2 * MINUTE)
    rig.collector.run(until=EVENING + 5 * MINUTE)
    samples = rig.database.read_samples(channel_ids=[live.id])
    channels = rig.database.read_channels().set_index("channel_id")
    assert len(samples) == 5
    assert rig.collector.channels[live.id] == "nuevo_login"
    assert channels.loc[live.id, "login"] == "nuevo_login"
    assert live.login in channels.loc[live.id, "previous_logins"]


def test_suspended_channel_is_reported(
    make_rig: Callable[..., Rig], caplog: pytest.LogCaptureFixture
) -> None:
    rig = make_rig(channel_refresh_minutes=2)
    victim = rig.server.simulation.live_streams(EVENING)[0].channel
    rig.server.suspend_channel(victim.id, at=EVENING + 1 * MINUTE)
    with caplog.at_level(logging.WARNING):
        summary = rig.collector.run(until=EVENING + 5 * MINUTE)
    channels = rig.database.read_channels().set_index("channel_id")
    samples = rig.database.read_samples(channel_ids=[victim.id])
    warnings = [
        r for r in caplog.records if r.levelno == logging.WARNING and victim.id in r.message
    ]
    assert summary.polls == {"ok": 5, "partial": 0, "failed": 0}
    assert channels.loc[victim.id, "status"] == "suspended"
    assert len(samples) == 1
    assert len(warnings) == 1
    assert "suspended" in warnings[0].message


def test_run_polls_on_minute_boundaries(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig()
    rig.clock.set(EVENING + dt.timedelta(seconds=45))
    summary = rig.collector.run(until=EVENING + 4 * MINUTE)
    polls = _polls(rig)
    requested = pd.to_datetime(polls["requested_at"])
    assert list(polls.index) == [EVENING + k * MINUTE for k in (1, 2, 3)]
    assert summary.polls["ok"] == 3
    assert all(requested >= polls.index)
    assert all((requested - polls.index) < pd.Timedelta(seconds=1))


def test_late_start_within_threshold_polls_current_minute(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig()
    rig.clock.set(EVENING + dt.timedelta(seconds=10))
    rig.collector.run(until=EVENING + MINUTE)
    assert list(_polls(rig).index) == [EVENING]


def test_overrun_minutes_recorded_as_gaps(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig()
    stalling = StallingClock(rig.clock, EVENING + 2 * MINUTE + dt.timedelta(seconds=5), 3 * MINUTE)
    collector = Collector(
        config=rig.collector.config, database=rig.database, client=rig.client, clock=stalling
    )
    summary = collector.run(until=EVENING + 8 * MINUTE)
    polls = _polls(rig)
    assert list(polls.index) == [EVENING + k * MINUTE for k in range(8)]
    gaps = polls[polls["outcome"] == "failed"]
    assert list(gaps.index) == [EVENING + k * MINUTE for k in (3, 4)]
    assert set(gaps["reason"]) == {"overrun"}
    assert summary.gaps == 2


def test_restart_records_downtime_without_duplicates(make_rig: Callable[..., Rig]) -> None:
    first = make_rig()
    first.collector.run(until=EVENING + 3 * MINUTE)
    samples_before = len(first.database.read_samples())

    # Restart in the middle of minute 2 (already polled), then after a 4-minute outage.
    first.clock.set(EVENING + 2 * MINUTE + dt.timedelta(seconds=5))
    again = make_rig()
    again.collector.run(until=EVENING + 3 * MINUTE)
    assert len(again.database.read_samples()) == samples_before

    again.clock.set(EVENING + 7 * MINUTE + dt.timedelta(seconds=2))
    later = make_rig()
    summary = later.collector.run(until=EVENING + 9 * MINUTE)
    polls = _polls(later)
    samples = later.database.read_samples()
    assert list(polls.index) == [EVENING + k * MINUTE for k in range(9)]
    assert list(polls.loc[polls["outcome"] == "failed"].index) == [
        EVENING + k * MINUTE for k in (3, 4, 5, 6)
    ]
    assert set(polls.loc[polls["outcome"] == "failed", "reason"]) == {"collector not running"}
    assert summary.gaps == 4
    assert not samples.duplicated(["observed_at", "channel_id"]).any()


def test_stop_during_poll_abandons_minute(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig()
    stop = threading.Event()
    original = rig.client.get_streams

    def get_streams_then_stop(*, user_ids: object) -> object:
        result = original(user_ids=user_ids)  # type: ignore[arg-type]
        stop.set()
        return result

    rig.client.get_streams = get_streams_then_stop  # type: ignore[method-assign]
    summary = rig.collector.run(stop_event=stop)
    assert summary.abandoned_minute == EVENING
    assert rig.database.read_polls().empty
    assert rig.database.read_samples().empty
    assert not summary.interrupted


def test_keyboard_interrupt_reported_in_summary(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig()
    original = rig.client.get_streams

    def get_streams_then_interrupt(*, user_ids: object) -> object:
        # Ctrl-C arrives during the third minute's poll.
        if rig.clock.now() >= EVENING + 2 * MINUTE:
            raise KeyboardInterrupt
        return original(user_ids=user_ids)  # type: ignore[arg-type]

    rig.client.get_streams = get_streams_then_interrupt  # type: ignore[method-assign]
    summary = rig.collector.run(until=EVENING + 10 * MINUTE)

    assert summary.interrupted
    assert summary.polls["ok"] == 2
    assert summary.stopped_at is not None
    assert list(_polls(rig).index) == [EVENING, EVENING + MINUTE]


def test_run_to_until_not_interrupted(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig()
    summary = rig.collector.run(until=EVENING + 2 * MINUTE)

    assert not summary.interrupted
    assert summary.polls["ok"] == 2


def test_follower_totals_read_once_a_day(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(followers=True, followers_time=dt.time(19, 2), followers_per_poll=50)
    rig.server.add_faults(
        FakeHelixFault(kind=FaultKind.SERVER_ERROR, path="/helix/channels/followers", count=3)
    )
    rig.collector.run(until=EVENING + 8 * MINUTE)
    snapshots = rig.database.read_follower_snapshots()
    due = EVENING + 2 * MINUTE
    assert len(snapshots) == 130
    assert set(snapshots["observed_at"]) == {pd.Timestamp(due)}
    missing = snapshots[snapshots["followers"].isna()]
    assert len(missing) == 1
    present = snapshots.dropna(subset=["followers"]).set_index("channel_id")
    for channel_id, followers in present["followers"].items():
        channel = rig.server.simulation.channel(str(channel_id))
        assert channel is not None
        # Read during the minutes after `due`; the simulated total grows continuously.
        lowest = rig.server.simulation.followers_total(channel, due)
        highest = rig.server.simulation.followers_total(channel, due + 10 * MINUTE)
        assert lowest <= followers <= highest
    # A restart the same day does not read them again.
    before = rig.server.request_counts["/helix/channels/followers"]
    again = make_rig(followers=True, followers_time=dt.time(19, 2))
    again.collector.run(until=EVENING + 10 * MINUTE)
    assert rig.server.request_counts["/helix/channels/followers"] - before == 1


def test_schedule_rounding() -> None:
    at = dt.datetime(2021, 4, 16, 19, 0, 30, tzinfo=dt.UTC)
    assert floor_to_interval(at, 60) == EVENING
    assert ceil_to_interval(at, 60) == EVENING + MINUTE
    assert ceil_to_interval(EVENING, 60) == EVENING
    assert floor_to_interval(at, 300) == EVENING


def test_restart_after_rename_keeps_channel(make_rig: Callable[..., Rig]) -> None:
    first = make_rig()
    live = first.server.simulation.live_streams(EVENING)[0].channel
    first.server.rename_channel(live.id, "otro_nombre", at=EVENING + MINUTE)
    first.collector.run(until=EVENING + 3 * MINUTE)

    # The event file still lists the old login, which Twitch no longer resolves.
    second = make_rig()
    second.collector.run(until=EVENING + 5 * MINUTE)
    samples = second.database.read_samples(channel_ids=[live.id])
    assert second.collector.channels[live.id] == "otro_nombre"
    assert second.collector.unresolved_logins == []
    assert len(samples) == 5
