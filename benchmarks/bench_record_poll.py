"""Benchmark `Database.record_poll` for one collector minute, against baselines in the same run.

Each variant records `--polls` consecutive minutes of `--samples` live channels into a fresh
database, after a few warm-up minutes, and reports the mean wall and CPU time per poll:

- records: `record_poll(poll, [SampleRecord, ...])`, the collector's call, on the fast path
  with its key cache;
- records, no cache: the same call with the key cache switched off, so every stream, game and
  title key is looked up again;
- DataFrame (baseline): `record_poll(poll, DataFrame)`, which goes through the bulk writers that
  every poll used before the fast path existed.

The channels get a new stream every 60 minutes, so some polls insert streams and titles, as a
season does. SQLite always runs; PostgreSQL runs when a URL is given with `--postgres` or in
TWITCHSTATS_TEST_POSTGRES_URL (a temporary schema is created and dropped). CPU time counts
this process only, so for PostgreSQL it leaves out the server's work.

Example:

    python benchmarks/bench_record_poll.py --samples 100 --polls 200
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy

from twitchstats import Database, PollRecord, SampleRecord
from twitchstats._storage._database import samples_frame

START = dt.datetime(2021, 4, 16, 18, 0, tzinfo=dt.UTC)
WARM_UP_POLLS = 5

Poll = tuple[PollRecord, list[SampleRecord]]


def make_polls(samples: int, polls: int) -> list[Poll]:
    """Return consecutive minutes of `samples` live channels, a new stream every hour."""
    result = []
    for index in range(polls + WARM_UP_POLLS):
        observed_at = START + dt.timedelta(minutes=index)
        hour = index // 60
        records = [
            SampleRecord(
                channel_id=str(10_000 + channel),
                channel_login=f"streamer{channel}",
                viewer_count=100 + (index * 7 + channel) % 900,
                stream_id=f"{hour}{channel:05d}",
                started_at=START + dt.timedelta(hours=hour),
                game_id="32982" if channel % 4 else "509658",
                game_name="Grand Theft Auto V" if channel % 4 else "Just Chatting",
                title=f"Marbella Vice día {hour} #{channel % 10}",
            )
            for channel in range(samples)
        ]
        poll = PollRecord(
            observed_at=observed_at,
            requested_at=observed_at,
            outcome="ok",
            channels_requested=samples,
            channels_live=samples,
            viewers_total=sum(record.viewer_count for record in records),
            latency_ms=250,
        )
        result.append((poll, records))
    return result


Recorder = Callable[[Database, Poll], object]


def record_records(database: Database, poll: Poll) -> object:
    return database.record_poll(poll[0], poll[1])


def record_frame(database: Database, poll: Poll) -> object:
    return database.record_poll(poll[0], samples_frame(poll[1], poll[0].observed_at))


def measure(url: str, polls: list[Poll], recorder: Recorder, *, cache: bool) -> tuple[float, float]:
    """Record `polls` into the empty database at `url`; return (wall, CPU) ms per timed poll."""
    with Database(url=url) as database:
        database._poll_writer.use_cache = cache
        for poll in polls[:WARM_UP_POLLS]:
            recorder(database, poll)
        timed = polls[WARM_UP_POLLS:]
        wall = time.perf_counter()
        cpu = time.process_time()
        for poll in timed:
            recorder(database, poll)
        wall = time.perf_counter() - wall
        cpu = time.process_time() - cpu
    return wall / len(timed) * 1000, cpu / len(timed) * 1000


@contextmanager
def sqlite_urls() -> Iterator[Callable[[], str]]:
    with tempfile.TemporaryDirectory() as folder:
        names = iter(range(1000))
        yield lambda: f"sqlite:///{Path(folder) / f'bench{next(names)}.db'}"


@contextmanager
def postgres_urls(server_url: str) -> Iterator[Callable[[], str]]:
    admin = sqlalchemy.create_engine(server_url, isolation_level="AUTOCOMMIT")
    schemas: list[str] = []

    def new_url() -> str:
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        schemas.append(schema)
        url = sqlalchemy.make_url(server_url).update_query_dict(
            {"options": f"-csearch_path={schema}"}
        )
        return url.render_as_string(hide_password=False)

    try:
        yield new_url
    finally:
        with admin.connect() as connection:
            for schema in schemas:
                connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


def run_backend(name: str, new_url: Callable[[], str], polls: list[Poll]) -> None:
    variants: list[tuple[str, Recorder, bool]] = [
        ("records", record_records, True),
        ("records, no cache", record_records, False),
        ("DataFrame (baseline)", record_frame, True),
    ]
    results = []
    for label, recorder, cache in variants:
        print(f"{name}: measuring {label} ...", flush=True)
        results.append((label, *measure(new_url(), polls, recorder, cache=cache)))
    baseline_wall, baseline_cpu = results[-1][1], results[-1][2]
    print(f"| {name} | variant | wall ms/poll | CPU ms/poll | baseline CPU / this |")
    for label, wall, cpu in results:
        ratio = f"{baseline_cpu / cpu:.1f}x"
        print(f"| {name} | {label} | {wall:.2f} | {cpu:.2f} | {ratio} |")
    print(f"({name} baseline wall {baseline_wall:.2f} ms/poll)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100, help="live channels per poll")
    parser.add_argument("--polls", type=int, default=200, help="timed polls per variant")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TWITCHSTATS_TEST_POSTGRES_URL", ""),
        help="PostgreSQL server URL; a temporary schema is used",
    )
    args = parser.parse_args()
    polls = make_polls(args.samples, args.polls)
    print(f"{args.polls} polls of {args.samples} samples per variant")

    with sqlite_urls() as new_url:
        run_backend("SQLite", new_url, polls)
    if args.postgres:
        with postgres_urls(args.postgres) as new_url:
            run_backend("PostgreSQL", new_url, polls)


if __name__ == "__main__":
    main()
