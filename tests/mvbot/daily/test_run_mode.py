"""Tests for `BotRunner`: collect from the fake Helix server and post across simulated days."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from mvbot._config import EventConfig, load_config
from mvbot._run import BotRunner
from mvbot.daily._job import Renderer
from mvbot.publish import PublicationLedger
from twitchstats import (
    Collector,
    CollectorConfig,
    Database,
    FakeHelixServer,
    HelixClient,
    ManualClock,
    RetryPolicy,
)
from twitchstats._fakehelix import DEFAULT_CLIENT_SECRET

# 23:50 in Madrid on 14 April 2021, just before the event's first day.
START = dt.datetime(2021, 4, 14, 21, 50, tzinfo=dt.UTC)
# 10:30 in Madrid on 17 April: after the posts of the 15th and the 16th.
UNTIL = dt.datetime(2021, 4, 17, 8, 30, tzinfo=dt.UTC)

RETRY = RetryPolicy(
    max_attempts=2,
    backoff_initial_seconds=1.0,
    backoff_max_seconds=2.0,
    rate_limit_fallback_seconds=2.0,
    max_rate_limit_wait_seconds=5.0,
    total_budget_seconds=10.0,
)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def server(clock: ManualClock) -> Iterator[FakeHelixServer]:
    with FakeHelixServer(seed=11, channels=12, clock=clock) as running:
        yield running


def _event_file(folder: Path, server: FakeHelixServer) -> Path:
    logins = ", ".join(f'"{channel.login}"' for channel in server.simulation.channels)
    path = folder / "event.toml"
    path.write_text(
        f"""
[event]
name = "Marbella Vice"
timezone = "Europe/Madrid"
start = 2021-04-15
channels = [{logins}]

[event.attribution]
game_ids = ["32982"]

[collector]
helix_base_url = "{server.helix_base_url}"
auth_base_url = "{server.auth_base_url}"
interval_seconds = 900
followers = true
followers_time = "04:00"

[mvbot]
post_time = "10:00"
publishers = ["outbox"]
avatars = false
output_dir = "output"
outbox_dir = "outbox"
""",
        encoding="utf-8",
    )
    return path


def _runner(
    config: EventConfig,
    database: Database,
    server: FakeHelixServer,
    clock: ManualClock,
    render: Renderer,
) -> tuple[BotRunner, HelixClient]:
    collector_config = CollectorConfig.from_mapping(config.raw, source="event.toml")
    client = HelixClient(
        client_id=server.client_id,
        client_secret=DEFAULT_CLIENT_SECRET,
        base_url=collector_config.helix_base_url,
        auth_base_url=collector_config.auth_base_url,
        timeout=0.5,
        retry=RETRY,
        sleep=clock.sleep,
        clock=lambda: clock.now().timestamp(),
    )
    collector = Collector(config=collector_config, database=database, client=client, clock=clock)
    runner = BotRunner(
        config=config, database=database, collector=collector, clock=clock, render=render
    )
    return runner, client


def test_next_post_time_is_local(tmp_path: Path, server: FakeHelixServer) -> None:
    config = load_config(_event_file(tmp_path, server))
    runner = BotRunner(config=config, database=Database(url="sqlite://"), collector=None)

    # 10:00 in Madrid is 08:00 UTC in summer time and 09:00 UTC in winter time.
    summer = runner.next_post_time(dt.datetime(2021, 4, 16, 7, 0, tzinfo=dt.UTC))
    after = runner.next_post_time(dt.datetime(2021, 4, 16, 8, 0, tzinfo=dt.UTC))
    winter = runner.next_post_time(dt.datetime(2021, 12, 1, 12, 0, tzinfo=dt.UTC))

    assert summer == dt.datetime(2021, 4, 16, 8, 0, tzinfo=dt.UTC)
    assert after == dt.datetime(2021, 4, 17, 8, 0, tzinfo=dt.UTC)
    assert winter == dt.datetime(2021, 12, 2, 9, 0, tzinfo=dt.UTC)


@pytest.mark.slow
def test_collects_and_posts_two_days_once(
    tmp_path: Path, server: FakeHelixServer, clock: ManualClock, quick_render: Renderer
) -> None:
    config = load_config(_event_file(tmp_path, server))
    database = Database(url=f"sqlite:///{tmp_path / 'run.db'}").open()
    runner, client = _runner(config, database, server, clock, quick_render)

    with client:
        summary = runner.run(until=UNTIL)

    posted = [result for result in summary.days if result.status == "posted"]
    assert [result.day for result in posted] == [dt.date(2021, 4, 15), dt.date(2021, 4, 16)]
    assert all(not result.partial for result in posted)
    assert summary.collector_errors == 0
    assert summary.posting_errors == 0
    assert clock.now() == UNTIL

    polls = database.read_polls(since=START, until=UNTIL)
    assert (polls["outcome"] == "ok").sum() >= len(polls) - 2
    assert len(polls) == (UNTIL - START) // dt.timedelta(minutes=15)
    assert len(database.read_follower_snapshots()) > 0

    ledger = PublicationLedger(database.engine)
    rows = ledger.publications("marbella-vice")
    assert [(row.day, row.status, row.attempts) for row in rows] == [
        (dt.date(2021, 4, 15), "posted", 1),
        (dt.date(2021, 4, 16), "posted", 1),
    ]
    folders = sorted(path.parent.name for path in (tmp_path / "outbox").rglob("manifest.json"))
    assert folders == ["2021-04-15", "2021-04-16"]

    # A restart after the posting time posts nothing again.
    manifest = tmp_path / "outbox" / "marbella-vice" / "2021-04-16" / "manifest.json"
    written = json.loads(manifest.read_text(encoding="utf-8"))["created_at"]
    restart_until = UNTIL + dt.timedelta(minutes=30)
    runner, client = _runner(config, database, server, clock, quick_render)
    with client:
        again = runner.run(until=restart_until)

    assert [result.status for result in again.days] == ["no_data"]
    assert json.loads(manifest.read_text(encoding="utf-8"))["created_at"] == written
    assert len(ledger.publications("marbella-vice")) == 2
    database.close()


def test_posting_error_is_logged_and_loop_continues(
    database: Database, event_file: Path, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    config = load_config(event_file)

    def broken_render(**arguments: object) -> list[object]:
        raise RuntimeError("renderer crashed")

    clock.set(dt.datetime(2021, 4, 16, 7, 50, tzinfo=dt.UTC))
    runner = BotRunner(
        config=config,
        database=database,
        collector=None,
        clock=clock,
        render=broken_render,  # type: ignore[arg-type]
    )

    summary = runner.run(until=dt.datetime(2021, 4, 16, 8, 10, tzinfo=dt.UTC))

    assert summary.posting_errors == 2  # the catch-up round at start and the 10:00 round
    assert clock.now() == dt.datetime(2021, 4, 16, 8, 10, tzinfo=dt.UTC)
    assert "posting round for marbella-vice failed" in caplog.text
    assert "renderer crashed" in caplog.text


def test_ctrl_c_in_collector_stops_run(
    tmp_path: Path, server: FakeHelixServer, clock: ManualClock, quick_render: Renderer
) -> None:
    config = load_config(_event_file(tmp_path, server))
    database = Database(url=f"sqlite:///{tmp_path / 'run.db'}").open()
    runner, client = _runner(config, database, server, clock, quick_render)
    interrupt_at = START + dt.timedelta(hours=1)
    interrupts = 0
    original = client.get_streams

    def get_streams(*, user_ids: object) -> object:
        # Ctrl-C arrives during the first poll at or after `interrupt_at`. `Collector.run`
        # catches it and returns; without a stop event only the runner can end the run.
        nonlocal interrupts
        if clock.now() >= interrupt_at:
            interrupts += 1
            raise KeyboardInterrupt
        return original(user_ids=user_ids)  # type: ignore[arg-type]

    client.get_streams = get_streams  # type: ignore[method-assign]
    with client:
        summary = runner.run(until=UNTIL)

    assert summary.interrupted
    assert interrupts == 1
    assert clock.now() < interrupt_at + dt.timedelta(minutes=15)
    assert summary.stopped_at == clock.now()
    assert not [result for result in summary.days if result.status == "posted"]
    assert not list((tmp_path / "outbox").rglob("manifest.json"))
    polls = database.read_polls()
    assert polls["observed_at"].max() < pd.Timestamp(interrupt_at)
    database.close()


def test_run_to_until_not_interrupted(
    database: Database, event_file: Path, clock: ManualClock, quick_render: Renderer
) -> None:
    config = load_config(event_file)
    clock.set(dt.datetime(2021, 4, 16, 7, 50, tzinfo=dt.UTC))
    runner = BotRunner(
        config=config, database=database, collector=None, clock=clock, render=quick_render
    )

    summary = runner.run(until=dt.datetime(2021, 4, 16, 8, 10, tzinfo=dt.UTC))

    assert not summary.interrupted
    assert clock.now() == dt.datetime(2021, 4, 16, 8, 10, tzinfo=dt.UTC)
