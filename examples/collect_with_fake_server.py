"""Collect two simulated evening hours from the fake Helix server into a SQLite file.

Runs offline in a few seconds: the fake server listens on 127.0.0.1, and a manual clock shared
by the server, the client and the collector turns every wait into an instant jump.

    python examples/collect_with_fake_server.py
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from twitchstats import (
    ChannelSpec,
    Collector,
    CollectorConfig,
    Database,
    FakeHelixFault,
    FakeHelixServer,
    FaultKind,
    HelixClient,
    ManualClock,
)

# 19:00 UTC is 21:00 in Madrid in April: the simulated channels are starting their evening.
start = dt.datetime(2021, 4, 16, 19, 0, tzinfo=dt.UTC)
clock = ManualClock(start)

with (
    FakeHelixServer(seed=1, channels=40, clock=clock) as server,
    tempfile.TemporaryDirectory() as folder,
):
    # Five minutes of Twitch outage at 20:00 UTC: those minutes are recorded as gaps.
    outage = start + dt.timedelta(hours=1)
    server.add_faults(
        FakeHelixFault(
            kind=FaultKind.SERVER_ERROR, start=outage, end=outage + dt.timedelta(minutes=5)
        )
    )

    config = CollectorConfig(
        channels=tuple(ChannelSpec(login=channel.login) for channel in server.simulation.channels),
        helix_base_url=server.helix_base_url,
        auth_base_url=server.auth_base_url,
        followers=False,
    )
    client = HelixClient(
        client_id=server.client_id,
        client_secret=server.client_secret,
        base_url=server.helix_base_url,
        auth_base_url=server.auth_base_url,
        sleep=clock.sleep,
        clock=lambda: clock.now().timestamp(),
    )
    url = f"sqlite:///{Path(folder) / 'demo.db'}"
    with Database(url=url) as database, client:
        collector = Collector(config=config, database=database, client=client, clock=clock)
        run = collector.run(until=start + dt.timedelta(hours=2))

        polls = database.read_polls()
        samples = database.read_samples()

    print(f"polls: {run.polls}")
    print(polls.loc[polls["outcome"] == "failed", ["observed_at", "reason"]].to_string(index=False))
    peak = samples.groupby("observed_at")["viewer_count"].sum().max()
    print(f"{len(samples)} samples from {samples['channel_id'].nunique()} channels, peak {peak}")
