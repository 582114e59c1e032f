"""Benchmark bulk sample writes and reads against naive baselines measured in the same run.

Writes one synthetic day of per-minute samples (by default 240 channels, each live for about
500 minutes, about 120,000 rows) with `Database.write_samples` into a fresh database, then
compares:

- insert: `Database.write_samples` against `pandas.DataFrame.to_sql` of the same rows into a
  plain table, and against row-by-row `session.add` of SQLModel `Sample` objects (on a subset,
  `--orm-rows`, because it is slow);
- re-insert: writing the same rows again (all skipped as duplicates);
- read: `Database.read_samples` against `pandas.read_sql` of the same join;
- large read: `Database.read_samples` of a SQLite file of many such days (by default 67 days,
  about 8 million samples, `--read-days`), against the reader's fallback that fetches one
  column per value. The file is generated once into `--cache` (default benchmarks/cache/) and
  reused by later runs.

Every timing shows wall-clock seconds and the CPU seconds of this process, because the machine
may be shared. SQLite always runs; PostgreSQL runs when a URL is given with `--postgres` or in
TWITCHSTATS_TEST_POSTGRES_URL (a temporary schema is created and dropped).

Example:

    python benchmarks/bench_storage_insert.py --channels 240 --live-minutes 500
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy
from sqlmodel import Session

from twitchstats import Database
from twitchstats._storage import _readers
from twitchstats._storage._tables import Sample

START = dt.datetime(2021, 4, 5, 0, 0, tzinfo=dt.UTC)

READ_SQL = """
SELECT s.observed_at, c.twitch_id AS channel_id, c.login AS channel_login,
       st.twitch_id AS stream_id, s.started_at, s.viewer_count, g.twitch_id AS game_id,
       g.name AS game_name, t.text AS title
FROM samples s
JOIN channels c ON c.id = s.channel_key
LEFT JOIN streams st ON st.id = s.stream_key
LEFT JOIN games g ON g.id = s.game_key
LEFT JOIN titles t ON t.id = s.title_key
ORDER BY s.observed_at, c.twitch_id
"""


def synthetic_day(channels: int, live_minutes: int, seed: int, day: int = 0) -> pd.DataFrame:
    """Return one day of samples: each channel live once for about `live_minutes` minutes."""
    rng = np.random.default_rng([seed, day])
    start = START + dt.timedelta(days=day)
    frames = []
    for channel in range(channels):
        length = int(rng.integers(live_minutes // 2, live_minutes * 3 // 2 + 1))
        first = int(rng.integers(0, 1440 - length + 1))
        observed = pd.date_range(
            start + dt.timedelta(minutes=first), periods=length, freq="min", unit="us"
        )
        started = start + dt.timedelta(minutes=first, seconds=-int(rng.integers(10, 50)))
        game_change = int(rng.integers(0, length))
        viewers = np.maximum(0, rng.normal(2_000, 1_500, length)).astype(np.int64)
        frames.append(
            pd.DataFrame(
                {
                    "observed_at": observed,
                    "channel_id": str(40_000_000 + channel),
                    "channel_login": f"streamer_{channel}",
                    "stream_id": str(41_000_000_000 + day * 1_000 + channel),
                    "started_at": pd.Timestamp(started),
                    "viewer_count": viewers,
                    "game_id": np.where(np.arange(length) < game_change, "509658", "32982"),
                    "game_name": np.where(
                        np.arange(length) < game_change, "Just Chatting", "Grand Theft Auto V"
                    ),
                    "title": f"Marbella Vice día {day} | !discord {channel}",
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    frame["started_at"] = frame["started_at"].astype("datetime64[us, UTC]")
    return frame.sort_values(["observed_at", "channel_id"], ignore_index=True)


@dataclasses.dataclass(frozen=True)
class Timing:
    """Wall-clock seconds, and CPU seconds of this process (the client side only)."""

    wall: float
    cpu: float


def timed(action: Callable[[], object]) -> Timing:
    wall = time.perf_counter()
    cpu = time.process_time()
    action()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu)


@contextmanager
def postgres_schema(server_url: str) -> Iterator[str]:
    """Yield a URL whose search_path is a new schema, dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        url = sqlalchemy.make_url(server_url).update_query_dict(
            {"options": f"-csearch_path={schema}"}
        )
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


def orm_timing(url: str, frame: pd.DataFrame, rows: int) -> Timing:
    """Insert `rows` samples with one `session.add` and flush each, reusing the stored keys."""
    with Database(url=url) as database, database.connect() as connection:
        channel_key = dict(connection.exec_driver_sql("SELECT twitch_id, id FROM channels").all())
        stream_key = dict(connection.exec_driver_sql("SELECT twitch_id, id FROM streams").all())
        game_key = dict(connection.exec_driver_sql("SELECT twitch_id, id FROM games").all())
        title_key = dict(connection.exec_driver_sql("SELECT text, id FROM titles").all())
        connection.exec_driver_sql("DELETE FROM samples")
        connection.commit()
    subset = frame.head(rows)
    database = Database(url=url)

    def insert() -> None:
        with Session(database.engine) as session:
            for row in subset.itertuples(index=False):
                session.add(
                    Sample(
                        observed_at=row.observed_at.to_pydatetime(),
                        channel_key=channel_key[row.channel_id],
                        stream_key=stream_key[row.stream_id],
                        started_at=row.started_at.to_pydatetime(),
                        viewer_count=int(row.viewer_count),
                        game_key=game_key[row.game_id],
                        title_key=title_key[row.title],
                    )
                )
                session.flush()
            session.commit()

    timing = timed(insert)
    database.close()
    return timing


def result_row(
    backend: str, operation: str, rows: int, timing: Timing, reference: Timing | None
) -> list[str]:
    ratio = f"{timing.wall / reference.wall:.1f}x" if reference else ""
    return [
        backend,
        operation,
        f"{rows:,}",
        f"{timing.wall:.2f}",
        f"{rows / timing.wall:,.0f}",
        f"{timing.cpu:.2f}",
        f"{rows / timing.cpu:,.0f}" if timing.cpu > 0 else "",
        ratio,
    ]


def run_backend(backend: str, url: str, frame: pd.DataFrame, orm_rows: int) -> list[list[str]]:
    rows = len(frame)
    with Database(url=url) as database:
        database.read_polls()  # creates the schema outside the timings
        insert = timed(lambda: database.write_samples(frame))
        again = timed(lambda: database.write_samples(frame))
        read = timed(lambda: database.read_samples())
        read_sql = timed(lambda: pd.read_sql(READ_SQL, database.engine))
        to_sql = timed(
            lambda: frame.to_sql(
                "bench_flat_samples", database.engine, index=False, chunksize=50_000
            )
        )
        with database.connect() as connection:
            connection.exec_driver_sql("DROP TABLE bench_flat_samples")
            connection.commit()
    orm = orm_timing(url, frame, orm_rows)
    # Scale the ORM subset's time to the full row count for the ratio.
    orm_scaled = Timing(orm.wall * rows / orm_rows, orm.cpu * rows / orm_rows)
    orm_row = result_row(backend, "session.add + flush per row", orm_rows, orm, None)
    orm_row[-1] = f"{orm_scaled.wall / insert.wall:.1f}x"

    return [
        result_row(backend, "write_samples", rows, insert, None),
        result_row(backend, "pandas to_sql, flat table", rows, to_sql, insert),
        orm_row,
        result_row(backend, "write_samples again (no-op)", rows, again, None),
        result_row(backend, "read_samples", rows, read, None),
        result_row(backend, "pandas read_sql of the join", rows, read_sql, read),
    ]


def large_read_file(args: argparse.Namespace) -> Path:
    """Return the SQLite file of `args.read_days` synthetic days, generating it when missing."""
    args.cache.mkdir(parents=True, exist_ok=True)
    name = f"storage-read-{args.channels}x{args.read_days}-{args.seed}.db"
    path = args.cache / name
    if path.exists():
        print(f"large-read file: {path} (cached)", flush=True)
        return path
    partial = path.with_suffix(".partial.db")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    with Database(url=f"sqlite:///{partial}") as database:
        for day in range(args.read_days):
            database.write_samples(synthetic_day(args.channels, args.live_minutes, args.seed, day))
            print(f"  generated day {day + 1}/{args.read_days}", end="\r", flush=True)
    # The WAL is folded into the file when the last connection closes, so the rename is safe.
    shutil.move(partial, path)
    print(f"large-read file: {path} (generated in {time.perf_counter() - started:.0f} s)")
    return path


def large_read(args: argparse.Namespace) -> list[list[str]]:
    """Time `read_samples` of the large file against the one-column-per-value fallback."""
    path = large_read_file(args)
    with Database(url=f"sqlite:///{path}") as database:
        frame = database.read_samples()
        rows = len(frame)
        del frame
        ours = timed(database.read_samples)

        def plain() -> None:
            with database.connect() as connection, connection.begin():
                _readers.read_samples(
                    connection, channel_ids=None, since=None, until=None, packed=False
                )

        fallback = timed(plain)
    return [
        result_row("sqlite", f"read_samples, {args.read_days} days", rows, ours, None),
        result_row("sqlite", "  one column per value", rows, fallback, ours),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--channels", type=int, default=240, help="channels (default 240)")
    parser.add_argument(
        "--live-minutes",
        type=int,
        default=500,
        help="mean minutes each channel is live in the day (default 500)",
    )
    parser.add_argument(
        "--orm-rows",
        type=int,
        default=5_000,
        help="rows for the row-by-row session.add baseline (default 5000)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get("TWITCHSTATS_TEST_POSTGRES_URL", ""),
        help="PostgreSQL server URL; default TWITCHSTATS_TEST_POSTGRES_URL; empty skips it",
    )
    parser.add_argument(
        "--read-days",
        type=int,
        default=67,
        help="days in the SQLite file of the large read (default 67, about 8 million samples); "
        "0 skips it",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(__file__).resolve().parent / "cache",
        help="folder for the generated large-read file (default benchmarks/cache)",
    )
    args = parser.parse_args()

    frame = synthetic_day(args.channels, args.live_minutes, args.seed)
    print(f"{len(frame):,} samples, {args.channels} channels, one day", flush=True)

    results: list[list[str]] = []
    with tempfile.TemporaryDirectory() as folder:
        # Untimed warm-up, so that imports and SQLAlchemy's first compilation of each statement
        # (one-time costs of a process) stay out of the timings.
        with Database(url=f"sqlite:///{Path(folder) / 'warm-up.db'}") as database:
            database.write_samples(frame.head(1_000))
            database.read_samples()
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        results += run_backend("sqlite", url, frame, args.orm_rows)
        print(f"SQLite file size: {(Path(folder) / 'bench.db').stat().st_size / 1e6:.1f} MB")
    if args.postgres:
        with postgres_schema(args.postgres) as url:
            results += run_backend("postgresql", url, frame, args.orm_rows)

    if args.read_days > 0:
        results += large_read(args)

    header = [
        "backend",
        "operation",
        "rows",
        "wall s",
        "rows/s wall",
        "CPU s",
        "rows/s CPU",
        "time vs ours",
    ]
    widths = [max(len(row[i]) for row in [header, *results]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *results]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(
        "CPU s is this process only: for PostgreSQL the server's work is not in it. "
        "'time vs ours' is the baseline's wall time over write_samples' or read_samples' "
        "(the session.add row scaled to all rows)."
    )


if __name__ == "__main__":
    main()
