"""Helpers shared by the collector tests: the wiring of a collector to the fake server."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from twitchstats import HelixClient, RetryPolicy
from twitchstats._collector import ChannelSpec, Collector, CollectorConfig, ManualClock
from twitchstats._fakehelix import DEFAULT_CLIENT_SECRET, FakeHelixServer
from twitchstats._storage import Database

# 19:00 UTC is 21:00 in Madrid in April: most simulated channels are live or about to be.
EVENING = dt.datetime(2021, 4, 16, 19, 0, tzinfo=dt.UTC)

# Short timeouts and budgets keep retries inside the polling minute and the tests fast.
TEST_RETRY = RetryPolicy(
    max_attempts=3,
    backoff_initial_seconds=1.0,
    backoff_max_seconds=4.0,
    rate_limit_fallback_seconds=3.0,
    max_rate_limit_wait_seconds=10.0,
    total_budget_seconds=15.0,
)


def build_client(server: FakeHelixServer, clock: ManualClock) -> HelixClient:
    """A real HelixClient pointed at the fake server and driven by the manual clock."""
    return HelixClient(
        client_id=server.client_id,
        client_secret=DEFAULT_CLIENT_SECRET,
        base_url=server.helix_base_url,
        auth_base_url=server.auth_base_url,
        timeout=0.5,
        retry=TEST_RETRY,
        sleep=clock.sleep,
        clock=lambda: clock.now().timestamp(),
    )


def build_config(server: FakeHelixServer, **settings: Any) -> CollectorConfig:
    """Settings polling every simulated channel of `server` by login."""
    channels = tuple(ChannelSpec(login=channel.login) for channel in server.simulation.channels)
    settings.setdefault("followers", False)
    return CollectorConfig(
        channels=channels,
        helix_base_url=server.helix_base_url,
        auth_base_url=server.auth_base_url,
        **settings,
    )


@dataclasses.dataclass
class Rig:
    """A collector wired to the fake server, a real SQLite or PostgreSQL database and a clock."""

    server: FakeHelixServer
    clock: ManualClock
    database: Database
    client: HelixClient
    collector: Collector

    def close(self) -> None:
        self.client.close()


class StallingClock:
    """Wraps the manual clock; the first sleep after `at` also loses `stall` (a frozen process)."""

    def __init__(self, clock: ManualClock, at: dt.datetime, stall: dt.timedelta) -> None:
        self._clock = clock
        self._at = at
        self._stall = stall
        self._done = False

    def now(self) -> dt.datetime:
        return self._clock.now()

    def sleep(self, seconds: float) -> None:
        self._clock.sleep(seconds)
        if not self._done and self._clock.now() >= self._at:
            self._done = True
            self._clock.advance(self._stall.total_seconds())
