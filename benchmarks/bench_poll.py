"""Measure one collector poll of many channels against the fake Helix server on loopback.

Three timings, all in the same run so that their ratio holds on any machine:

- batched: the collector's Get Streams requests alone (100 ids per request, `first=100`);
- poll: `Collector.poll_once()`, the same requests plus the SQLite write of the minute;
- baseline: the same channels read one request per channel, one after the other.

The fake server runs in this process on 127.0.0.1, with its rate limit raised so that the
baseline's 1,000 requests get no 429 responses. Target: a poll of 1,000 channels in < 1 s.

Usage: python benchmarks/bench_poll.py [--channels 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from twitchstats import HelixClient
from twitchstats._collector import ChannelSpec, Collector, CollectorConfig, ManualClock
from twitchstats._fakehelix import DEFAULT_CLIENT_SECRET, FakeHelixServer
from twitchstats._storage import Database

# Friday 21:00 in Madrid: about half of the simulated channels are live.
EVENING = dt.datetime(2021, 4, 16, 19, 0, tzinfo=dt.UTC)
TARGET_SECONDS = 1.0


def _median_seconds(action: Callable[[], object], repeat: int) -> tuple[float, object]:
    times = []
    result: object = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=1000, help="simulated channels to poll")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions of each timing")
    args = parser.parse_args()

    clock = ManualClock(EVENING)
    server = FakeHelixServer(seed=1, channels=args.channels, clock=clock, rate_limit_points=10**9)
    with server, tempfile.TemporaryDirectory() as folder:
        ids = [channel.id for channel in server.simulation.channels]
        client = HelixClient(
            client_id=server.client_id,
            client_secret=DEFAULT_CLIENT_SECRET,
            base_url=server.helix_base_url,
            auth_base_url=server.auth_base_url,
            sleep=clock.sleep,
            clock=lambda: clock.now().timestamp(),
        )
        database = Database(url=f"sqlite:///{Path(folder) / 'bench.db'}").open()
        config = CollectorConfig(
            channels=tuple(
                ChannelSpec(login=channel.login) for channel in server.simulation.channels
            ),
            helix_base_url=server.helix_base_url,
            auth_base_url=server.auth_base_url,
            followers=False,
        )
        collector = Collector(config=config, database=database, client=client, clock=clock)
        with client:
            # Warm-up: token, connection, channel lookup and the simulation's schedule cache.
            collector.refresh_channels()
            live = len(client.get_streams(user_ids=ids))

            batched, _ = _median_seconds(lambda: client.get_streams(user_ids=ids), args.repeat)

            minutes = iter(EVENING + dt.timedelta(minutes=k) for k in range(args.repeat))
            poll, last = _median_seconds(lambda: collector.poll_once(next(minutes)), args.repeat)

            print(f"baseline: {len(ids)} sequential requests ...", file=sys.stderr)
            requests_before = server.request_counts["/helix/streams"]
            baseline, _ = _median_seconds(
                lambda: [client.get_streams(user_ids=[channel_id]) for channel_id in ids], 1
            )
            baseline_requests = server.request_counts["/helix/streams"] - requests_before
        database.close()

    stored = getattr(last, "channels_live", "?")
    batched_requests = -(-len(ids) // 100)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"channels: {len(ids)}, live: {live}, samples stored per poll: {stored}")
    print(f"batched Get Streams, {batched_requests} requests: {batched * 1000:8.1f} ms")
    print(f"poll_once, requests + SQLite write: {poll * 1000:8.1f} ms")
    print(f"baseline, {baseline_requests} requests: {baseline * 1000:8.1f} ms (one run)")
    print(f"medians of {args.repeat} runs")
    print(f"ratio baseline / batched: {baseline / batched:6.1f}x")
    print(f"ratio baseline / poll_once: {baseline / poll:6.1f}x")
    verdict = "met" if poll < TARGET_SECONDS else "NOT met"
    print(f"target poll_once < {TARGET_SECONDS:.0f} s: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
