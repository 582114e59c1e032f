"""Tests of the clocks shared by the collector and the fake server."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from twitchstats import AcceleratedClock, Clock, ManualClock, SystemClock

START = dt.datetime(2021, 4, 16, 19, 0, tzinfo=dt.UTC)


def test_manual_clock_sleep_advances_instantly() -> None:
    clock = ManualClock(START)
    started = time.perf_counter()
    clock.sleep(3600)
    assert time.perf_counter() - started < 0.5
    assert clock.now() == START + dt.timedelta(hours=1)


def test_manual_clock_set_and_advance() -> None:
    clock = ManualClock(START)
    assert clock.advance(90) == START + dt.timedelta(seconds=90)
    clock.set(START - dt.timedelta(days=1))
    assert clock.now() == START - dt.timedelta(days=1)
    clock.sleep(-5)
    assert clock.now() == START - dt.timedelta(days=1)


def test_manual_clock_converts_to_utc() -> None:
    madrid = dt.timezone(dt.timedelta(hours=2))
    clock = ManualClock(dt.datetime(2021, 4, 16, 21, 0, tzinfo=madrid))
    assert clock.now() == START
    assert clock.now().tzinfo == dt.UTC


def test_manual_clock_rejects_naive_time() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        ManualClock(dt.datetime(2021, 4, 16, 19, 0))  # noqa: DTZ001 - the case under test


def test_manual_clock_rejects_going_back_by_advance() -> None:
    with pytest.raises(ValueError, match="use set"):
        ManualClock(START).advance(-1)


def test_manual_clock_is_thread_safe() -> None:
    clock = ManualClock(START)
    threads = [
        threading.Thread(target=lambda: [clock.sleep(1) for _ in range(500)]) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert clock.now() == START + dt.timedelta(seconds=2000)


def test_accelerated_clock_runs_faster() -> None:
    clock = AcceleratedClock(start=START, factor=600)
    clock.sleep(60)  # 0.1 s of real time
    elapsed = clock.now() - START
    assert elapsed >= dt.timedelta(seconds=60)
    assert elapsed < dt.timedelta(minutes=30)


def test_accelerated_clock_rejects_bad_factor() -> None:
    with pytest.raises(ValueError, match="positive"):
        AcceleratedClock(start=START, factor=0)


def test_system_clock_is_aware_utc() -> None:
    now = SystemClock().now()
    assert now.tzinfo == dt.UTC
    assert abs(now - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)


@pytest.mark.parametrize(
    "clock",
    [SystemClock(), ManualClock(START), AcceleratedClock(start=START, factor=2)],
    ids=["system", "manual", "accelerated"],
)
def test_clocks_follow_protocol(clock: object) -> None:
    assert isinstance(clock, Clock)
