"""The sync client against the project's fake Helix server with injected faults.

Each fault must leave the result unchanged: the same live streams, each once.
"""

from __future__ import annotations

import datetime as dt
import logging
import runpy
from collections.abc import Iterator
from pathlib import Path

import pytest

from twitchstats import HelixClient, RetryPolicy
from twitchstats._collector._clock import ManualClock
from twitchstats._fakehelix import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    FakeHelixFault,
    FakeHelixServer,
    FaultKind,
)
from twitchstats._fakehelix._faults import BLOCKING_KINDS

pytestmark = pytest.mark.slow  # starts a simulated server per test and waits on real timeouts

# A Friday evening in Madrid, when many simulated channels are live.
EVENING = dt.datetime(2021, 4, 16, 19, 30, tzinfo=dt.UTC)
QUICK_RETRIES = RetryPolicy(
    backoff_initial_seconds=0.01,
    backoff_max_seconds=0.02,
    rate_limit_fallback_seconds=0.05,
    total_budget_seconds=10.0,
)
EXAMPLE = Path(__file__).parents[2] / "examples" / "helix_quickstart.py"


@pytest.fixture
def server() -> Iterator[FakeHelixServer]:
    with FakeHelixServer(seed=3, channels=250, clock=ManualClock(EVENING)) as running:
        yield running


def make_client(server: FakeHelixServer) -> HelixClient:
    return HelixClient(
        client_id=DEFAULT_CLIENT_ID,
        client_secret=DEFAULT_CLIENT_SECRET,
        base_url=server.helix_base_url,
        auth_base_url=server.auth_base_url,
        timeout=1.0,
        retry=QUICK_RETRIES,
    )


def channel_ids(server: FakeHelixServer) -> list[str]:
    return [channel.id for channel in server.simulation.channels]


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(
            FakeHelixFault(kind=FaultKind.SERVER_ERROR, status=503, count=2), id="503-html"
        ),
        pytest.param(FakeHelixFault(kind=FaultKind.SERVER_ERROR, status=500, count=1), id="500"),
        pytest.param(FakeHelixFault(kind=FaultKind.RATE_LIMIT_NO_HEADERS, count=1), id="429"),
        pytest.param(FakeHelixFault(kind=FaultKind.REVOKE_TOKEN, count=1), id="revoked-token"),
        pytest.param(FakeHelixFault(kind=FaultKind.DROP_CONNECTION, count=1), id="dropped"),
        pytest.param(FakeHelixFault(kind=FaultKind.INVALID_BODY, count=1), id="truncated-json"),
        pytest.param(
            FakeHelixFault(kind=FaultKind.HANG, delay_seconds=1.5, count=1), id="hung-connection"
        ),
        pytest.param(FakeHelixFault(kind=FaultKind.CURSOR_LOOP, page_size=40), id="cursor-loop"),
        pytest.param(
            FakeHelixFault(kind=FaultKind.DUPLICATE_ACROSS_PAGES, page_size=40),
            id="duplicates",
        ),
        pytest.param(FakeHelixFault(kind=FaultKind.SHORT_PAGES, page_size=30), id="short-pages"),
    ],
)
def test_fault_leaves_streams_unchanged(
    server: FakeHelixServer, fault: FakeHelixFault, caplog: pytest.LogCaptureFixture
) -> None:
    ids = channel_ids(server)
    with make_client(server) as client:
        expected = sorted(stream.id for stream in client.get_streams(user_ids=ids))
        server.add_faults(fault)
        with caplog.at_level(logging.WARNING, logger="twitchstats"):
            streams = client.get_streams(user_ids=ids)

    stream_ids = [stream.id for stream in streams]
    assert len(expected) > 10  # the evening has live channels, so the comparison means something
    assert sorted(stream_ids) == expected
    assert len(set(stream_ids)) == len(stream_ids)
    if fault.kind in (*BLOCKING_KINDS, FaultKind.CURSOR_LOOP):
        # The fault really happened: the client logged its retry or the looping cursor.
        assert any(record.name.startswith("twitchstats") for record in caplog.records)


def test_users_followers_and_videos(server: FakeHelixServer) -> None:
    channels = server.simulation.channels[:3]

    with make_client(server) as client:
        users = client.get_users(logins=[channel.login for channel in channels])
        totals = [client.get_follower_total(user.id) for user in users]
        videos = list(client.iter_videos(user_id=channels[0].id, max_pages=5))

    assert [user.id for user in users] == [channel.id for channel in channels]
    assert all(total >= 0 for total in totals)
    assert all(video.user_id == channels[0].id for video in videos)
    assert all(video.created_at.tzinfo is dt.UTC for video in videos)


def test_quickstart_example_runs(
    server: FakeHelixServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TWITCH_CLIENT_ID", DEFAULT_CLIENT_ID)
    monkeypatch.setenv("TWITCH_CLIENT_SECRET", DEFAULT_CLIENT_SECRET)
    logins = [channel.login for channel in server.simulation.channels[:3]]
    main = runpy.run_path(str(EXAMPLE))["main"]

    code = main(
        [
            *logins,
            "no_such_login",
            "--base-url",
            server.helix_base_url,
            "--auth-base-url",
            server.auth_base_url,
        ]
    )

    output = capsys.readouterr().out
    assert code == 0
    assert "no_such_login: not found" in output
    for channel in server.simulation.channels[:3]:
        assert f"(id {channel.id})" in output
    assert "points left" in output
