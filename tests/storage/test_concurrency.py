"""A reader holding a long query must not block the collector's writes."""

from __future__ import annotations

import threading

import pandas as pd
from storage_samples import minute, ok_poll, sample, samples_frame

from twitchstats import Database

# Generous for a loaded machine, and far below SQLite's 30 s busy timeout, so a writer that
# waits for the reader's lock fails this test instead of passing late.
WRITE_DEADLINE_S = 10.0


def _write_in_thread(url: str) -> tuple[threading.Thread, list[BaseException], list[bool]]:
    errors: list[BaseException] = []
    results: list[bool] = []

    def write() -> None:
        try:
            with Database(url=url) as writer:
                samples = [sample(1, 500), sample(2, 600)]
                results.append(writer.record_poll(ok_poll(500, samples), samples))
                later = samples_frame(channels=2, minutes=30)
                later["observed_at"] += pd.Timedelta(days=2)
                writer.write_samples(later)
        except BaseException as exc:  # reported to the test thread
            errors.append(exc)

    thread = threading.Thread(target=write)
    thread.start()
    return thread, errors, results


def test_reader_does_not_block_writer(database_url: str) -> None:
    with Database(url=database_url) as setup:
        setup.write_samples(samples_frame(channels=20, minutes=60))

    reader = Database(url=database_url)
    with reader.connect() as connection, connection.begin():
        cursor = connection.exec_driver_sql("SELECT observed_at, viewer_count FROM samples")
        first_rows = cursor.fetchmany(10)
        count_before = connection.exec_driver_sql("SELECT count(*) FROM samples").scalar_one()

        thread, errors, results = _write_in_thread(database_url)
        thread.join(WRITE_DEADLINE_S)
        finished = not thread.is_alive()

        rest = cursor.fetchall()
        count_inside = connection.exec_driver_sql("SELECT count(*) FROM samples").scalar_one()
    thread.join()
    reader.close()

    assert finished, "the writer waited for the reader"
    assert errors == []
    assert results == [True]
    assert len(first_rows) + len(rest) == 1200
    if database_url.startswith("sqlite"):
        # WAL gives the open read transaction a snapshot taken at its first read.
        assert count_inside == count_before
    with Database(url=database_url) as check:
        samples = check.read_samples()
    assert len(samples) == 1200 + 2 + 60
    assert minute(500) in set(samples["observed_at"])
