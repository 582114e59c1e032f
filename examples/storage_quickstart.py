"""Store two polls in a SQLite file, read them back, and export the samples as CSV.

Runs offline and writes only to a temporary folder:

    python examples/storage_quickstart.py
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from twitchstats import Database, PollRecord, SampleRecord

started = dt.datetime(2021, 4, 5, 17, 58, 41, tzinfo=dt.UTC)

with tempfile.TemporaryDirectory() as folder:
    url = f"sqlite:///{Path(folder) / 'season.db'}"

    # Opening creates the tables, or migrates an older file, before the first write.
    with Database(url=url) as database:
        for minute, viewers in enumerate([1200, 1340]):
            observed_at = dt.datetime(2021, 4, 5, 18, minute, tzinfo=dt.UTC)
            sample = SampleRecord(
                channel_id="83232866",
                channel_login="ibai",
                viewer_count=viewers,
                stream_id="41375541868",
                started_at=started,
                game_id="32982",
                game_name="Grand Theft Auto V",
                title="Marbella Vice",
            )
            poll = PollRecord(
                observed_at=observed_at,
                requested_at=observed_at + dt.timedelta(milliseconds=40),
                outcome="ok",
                channels_requested=1,
                channels_live=1,
                viewers_total=viewers,
                latency_ms=180,
            )
            database.record_poll(poll, [sample])

        # Recording a minute again stores nothing new.
        assert database.record_poll(poll, [sample]) is False

        samples = database.read_samples()
        print(samples[["observed_at", "channel_login", "viewer_count"]])
        print(database.read_polls()[["observed_at", "outcome", "viewers_total"]])
        database.export_samples_csv(sys.stdout)
