"""Benchmark the metrics engine on a season of per-minute samples, against SQL baselines.

Generates a season (by default 240 channels x 71 days, about 8 million one-minute samples)
into a SQLite file through `Database.write_samples` and keeps it in `--cache` for later runs;
generation time is reported apart. Then, each step in a fresh subprocess so that its peak
memory (maximum resident set size) is its own:

- full: read samples and polls from the SQLite file, sessionise, per-stream statistics, per-day
  statistics in Europe/Madrid and daily rankings (`load_sessions`, `stream_stats`,
  `day_stats`, `daily_rankings`);
- memory: the same computation from an in-memory samples frame (the read is not timed);
- sqlite-window: a window-function query doing the same sessionisation (stream id change or a
  gap over the limit starts a session) and per-session sums inside SQLite;
- duckdb: the same query in DuckDB over the in-memory samples (loading not timed), with
  DuckDB's default threads (one per core) and again with one thread (`duckdb-1`);
- materialise: `update_stream_stats` on a copy of the season (the first, full update);
- incremental: one more day of samples written to that copy, then `update_stream_stats`
  (the write is not timed).

Example:

    python benchmarks/bench_metrics.py --channels 240 --days 71
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from twitchstats import Database
from twitchstats.metrics import (
    SessionOptions,
    daily_rankings,
    day_stats,
    load_sessions,
    sessionise,
    stream_stats,
    update_stream_stats,
)

START = dt.datetime(2021, 4, 5, tzinfo=dt.UTC)
OPTIONS = SessionOptions(merge_gap=10)
TIMEZONE = "Europe/Madrid"

# Sessionisation in SQL: a sample starts a session when it is the channel's first, its stream
# id differs from the previous sample's, or more than 30 minutes (in microseconds) passed.
WINDOW_SQL = """
WITH ordered AS (
    SELECT channel_key, observed_at, stream_key, viewer_count,
           LAG(observed_at) OVER (PARTITION BY channel_key ORDER BY observed_at) AS previous_at,
           LAG(stream_key) OVER (PARTITION BY channel_key ORDER BY observed_at) AS previous_stream
    FROM samples
),
flagged AS (
    SELECT *, CASE WHEN previous_at IS NULL OR stream_key IS NOT previous_stream
                     OR observed_at - previous_at > 1860000000 THEN 1 ELSE 0 END AS starts
    FROM ordered
),
numbered AS (
    SELECT *, SUM(starts) OVER (PARTITION BY channel_key ORDER BY observed_at
                                ROWS UNBOUNDED PRECEDING) AS session
    FROM flagged
)
SELECT channel_key, session, MIN(observed_at) AS first_seen, MAX(observed_at) AS last_seen,
       COUNT(*) AS samples, SUM(viewer_count) AS viewer_minutes, MAX(viewer_count) AS peak
FROM numbered
GROUP BY channel_key, session
"""


def season_day(day: int, channels: int, rng: np.random.Generator) -> pd.DataFrame:
    """Return one day of samples: most channels stream once or twice, some not at all."""
    frames: list[pd.DataFrame] = []
    day_start = pd.Timestamp(START) + pd.Timedelta(days=day)
    for channel in range(channels):
        level = 30 * (1 + channel % 40) ** 1.6
        offset = int(rng.integers(14 * 60, 20 * 60))
        pieces = 1 if rng.random() < 0.85 else 2
        for piece in range(pieces):
            if rng.random() < 0.07:
                continue
            length = int(rng.integers(300, 700)) // pieces
            minutes = np.arange(length)
            ramp = np.minimum(1.0, (minutes + 1) / 30)
            noise = rng.normal(1.0, 0.05, length).clip(0.5, 1.5)
            viewers = (level * ramp * noise).astype(np.int64)
            if rng.random() < 0.02:
                viewers[length // 2] *= 50
            observed = day_start + pd.to_timedelta(offset + minutes, unit="min")
            game = np.where(minutes < length * 0.9, "32982", "509658")
            frames.append(
                pd.DataFrame(
                    {
                        "observed_at": observed,
                        "channel_id": str(100_000 + channel),
                        "channel_login": f"streamer_{channel:03d}",
                        "stream_id": f"{day:03d}{channel:03d}{piece}",
                        "started_at": observed[0] - pd.Timedelta(seconds=int(rng.integers(5, 90))),
                        "viewer_count": viewers,
                        "game_id": game,
                        "game_name": np.where(
                            game == "32982", "Grand Theft Auto V", "Just Chatting"
                        ),
                        "title": f"Marbella Vice day {day + 1} | streamer {channel}",
                    }
                )
            )
            # A second piece starts after a short offline break (a quick restart).
            offset += length + int(rng.integers(1, 8))
    return pd.concat(frames, ignore_index=True)


def generate(path: Path, channels: int, days: int, seed: int) -> float:
    """Write the season into a new SQLite file; return the seconds it took."""
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    with Database(url=f"sqlite:///{path}") as database:
        for day in range(days):
            database.write_samples(season_day(day, channels, rng))
            print(f"  generated day {day + 1}/{days}", file=sys.stderr, flush=True)
    return time.perf_counter() - started


def peak_rss_mib() -> float:
    """Maximum resident set size of this process, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step_full(path: Path) -> dict[str, Any]:
    started = time.perf_counter()
    with Database(url=f"sqlite:///{path}") as database:
        sessions = load_sessions(database, options=OPTIONS)
    read_done = time.perf_counter()
    streams = stream_stats(sessions)
    days = day_stats(sessions, timezone=TIMEZONE)
    rankings = daily_rankings(days, "hours_watched")
    finished = time.perf_counter()
    return {
        "seconds": finished - started,
        "read_and_sessionise_seconds": read_done - started,
        "samples": int((sessions.arrays.kind != 2).sum()),
        "streams": len(streams),
        "day_rows": len(days),
        "ranking_rows": len(rankings),
    }


def _read_frames(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    with Database(url=f"sqlite:///{path}") as database:
        return database.read_samples(), database.read_polls()


def step_memory(path: Path) -> dict[str, Any]:
    samples, polls = _read_frames(path)
    started = time.perf_counter()
    sessions = sessionise(samples, polls, options=OPTIONS)
    streams = stream_stats(sessions)
    days = day_stats(sessions, timezone=TIMEZONE)
    daily_rankings(days, "hours_watched")
    return {"seconds": time.perf_counter() - started, "rows": len(samples), "streams": len(streams)}


def step_sqlite_window(path: Path) -> dict[str, Any]:
    import sqlite3

    connection = sqlite3.connect(path)
    started = time.perf_counter()
    rows = connection.execute(WINDOW_SQL).fetchall()
    elapsed = time.perf_counter() - started
    connection.close()
    return {"seconds": elapsed, "sessions": len(rows)}


def step_duckdb(path: Path, threads: int | None = None) -> dict[str, Any]:
    import sqlite3

    import duckdb

    connection = sqlite3.connect(path)
    frame = pd.read_sql(
        "SELECT channel_key, observed_at, coalesce(stream_key, 0) AS stream_key, viewer_count "
        "FROM samples",
        connection,
    )
    connection.close()
    duck = duckdb.connect()
    if threads is not None:
        duck.execute(f"SET threads TO {threads}")
    duck.register("samples", frame)
    query = WINDOW_SQL.replace("stream_key IS NOT previous_stream", "stream_key <> previous_stream")
    started = time.perf_counter()
    rows = duck.execute(query).fetchall()
    elapsed = time.perf_counter() - started
    used = duck.execute("SELECT current_setting('threads')").fetchone()
    return {
        "seconds": elapsed,
        "sessions": len(rows),
        "rows": len(frame),
        "threads": None if used is None else used[0],
    }


def step_materialise(path: Path) -> dict[str, Any]:
    with Database(url=f"sqlite:///{path}") as database:
        started = time.perf_counter()
        summary = update_stream_stats(database, options=OPTIONS)
        return {"seconds": time.perf_counter() - started, "sessions": summary.sessions_written}


def step_incremental(path: Path, channels: int, days: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed + 1)
    with Database(url=f"sqlite:///{path}") as database:
        database.write_samples(season_day(days, channels, rng))
        started = time.perf_counter()
        summary = update_stream_stats(database, options=OPTIONS)
        elapsed = time.perf_counter() - started
        again_started = time.perf_counter()
        again = update_stream_stats(database, options=OPTIONS)
        again_elapsed = time.perf_counter() - again_started
    return {
        "seconds": elapsed,
        "samples_read": summary.samples_read,
        "sessions": summary.sessions_written,
        "rerun_seconds": again_elapsed,
        "rerun_channels": again.channels,
    }


def run_step(arguments: argparse.Namespace, step: str, path: Path) -> dict[str, Any]:
    """Run one step in a child process and return its result with its peak memory."""
    command = [
        sys.executable,
        __file__,
        "--step",
        step,
        "--db-path",
        str(path),
        "--channels",
        str(arguments.channels),
        "--days",
        str(arguments.days),
        "--seed",
        str(arguments.seed),
    ]
    print(f"running {step} ...", file=sys.stderr, flush=True)
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--channels", type=int, default=240, help="channels (default 240)")
    parser.add_argument("--days", type=int, default=71, help="days in the season (default 71)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(__file__).resolve().parent / "cache",
        help="folder for the generated season file (default benchmarks/cache)",
    )
    parser.add_argument(
        "--steps",
        default="full,memory,sqlite-window,duckdb,duckdb-1,materialise,incremental",
        help="comma-separated steps to run, from: full, memory, sqlite-window, duckdb, "
        "duckdb-1, materialise, incremental (default all)",
    )
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--db-path", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    if arguments.step:
        steps = {
            "full": lambda: step_full(arguments.db_path),
            "memory": lambda: step_memory(arguments.db_path),
            "sqlite-window": lambda: step_sqlite_window(arguments.db_path),
            "duckdb": lambda: step_duckdb(arguments.db_path),
            "duckdb-1": lambda: step_duckdb(arguments.db_path, threads=1),
            "materialise": lambda: step_materialise(arguments.db_path),
            "incremental": lambda: step_incremental(
                arguments.db_path, arguments.channels, arguments.days, arguments.seed
            ),
        }
        result = steps[arguments.step]()
        result["peak_rss_mib"] = peak_rss_mib()
        print(json.dumps(result))
        return

    arguments.cache.mkdir(parents=True, exist_ok=True)
    season = arguments.cache / f"season-{arguments.channels}x{arguments.days}-{arguments.seed}.db"
    if season.exists():
        print(f"season file: {season} (cached)")
    else:
        partial = season.with_suffix(".partial.db")
        partial.unlink(missing_ok=True)
        seconds = generate(partial, arguments.channels, arguments.days, arguments.seed)
        partial.rename(season)
        print(f"season file: {season} (generated in {seconds:.1f} s)")

    requested = [step.strip() for step in arguments.steps.split(",") if step.strip()]
    known = ("full", "memory", "sqlite-window", "duckdb", "duckdb-1", "materialise", "incremental")
    unknown = sorted(set(requested) - set(known))
    if unknown:
        parser.error(f"unknown steps {unknown}: choose from {', '.join(known)}")
    results = {step: run_step(arguments, step, season) for step in known[:5] if step in requested}
    if "materialise" in requested or "incremental" in requested:
        copy = arguments.cache / "incremental-copy.db"
        shutil.copyfile(season, copy)
        results["materialise"] = run_step(arguments, "materialise", copy)
        if "incremental" in requested:
            results["incremental"] = run_step(arguments, "incremental", copy)
        copy.unlink()

    print(f"\n{'step':<14}{'seconds':>10}{'peak RSS MiB':>14}  details")
    for step, result in results.items():
        details = {k: v for k, v in result.items() if k not in ("seconds", "peak_rss_mib")}
        print(f"{step:<14}{result['seconds']:>10.2f}{result['peak_rss_mib']:>14.0f}  {details}")
    if "full" in results and "sqlite-window" in results:
        ratio = results["full"]["seconds"] / results["sqlite-window"]["seconds"]
        print(f"\nfull recompute from the file / SQLite window query: {ratio:.2f}")
    if "memory" in results and "duckdb" in results:
        ratio = results["memory"]["seconds"] / results["duckdb"]["seconds"]
        print(f"in-memory computation / DuckDB query:               {ratio:.2f}")
    if "memory" in results and "duckdb-1" in results:
        ratio = results["memory"]["seconds"] / results["duckdb-1"]["seconds"]
        print(f"in-memory computation / DuckDB query on 1 thread:   {ratio:.2f}")


if __name__ == "__main__":
    main()
