"""Clocks that the collector and the fake Helix server read time from.

Every clock returns timezone-aware UTC datetimes. A `ManualClock` turns `sleep()` into an instant
advance of its own time, so a test can run a day of per-minute polls in minutes. The same object
can be handed to the fake server so that both sides agree on the time.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Protocol, runtime_checkable

__all__ = ["AcceleratedClock", "Clock", "ManualClock", "SystemClock", "ensure_utc"]


def ensure_utc(value: dt.datetime, *, name: str = "datetime") -> dt.datetime:
    """Return `value` converted to UTC, or raise `ValueError` when it is naive."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{name} {value.isoformat()} has no time zone; pass an aware datetime, "
            "for example datetime(2021, 4, 5, tzinfo=datetime.UTC)"
        )
    return value.astimezone(dt.UTC)


@runtime_checkable
class Clock(Protocol):
    """Source of the current time, and a way to wait on it."""

    def now(self) -> dt.datetime:
        """Return the current time, timezone-aware UTC."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait `seconds` of this clock's time."""
        ...


class SystemClock:
    """The machine's wall clock."""

    def now(self) -> dt.datetime:
        """Return the machine's current time in UTC."""
        return dt.datetime.now(dt.UTC)

    def sleep(self, seconds: float) -> None:
        """Block the calling thread for `seconds` of real time."""
        if seconds > 0:
            time.sleep(seconds)


class ManualClock:
    """A clock that moves only through `set()`, `advance()` or `sleep()`.

    `sleep(seconds)` returns at once after moving the time forward, so code written against the
    `Clock` protocol runs simulated hours without waiting. Safe to share between threads.
    """

    def __init__(self, start: dt.datetime) -> None:
        self._now = ensure_utc(start, name="start")
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        """Return the clock's current time."""
        with self._lock:
            return self._now

    def set(self, value: dt.datetime) -> None:
        """Move the clock to `value` (earlier or later)."""
        value = ensure_utc(value, name="value")
        with self._lock:
            self._now = value

    def advance(self, seconds: float) -> dt.datetime:
        """Move the clock forward by `seconds` and return the new time."""
        if seconds < 0:
            raise ValueError(f"cannot advance a clock by {seconds} seconds; use set() to go back")
        with self._lock:
            self._now += dt.timedelta(seconds=seconds)
            return self._now

    def sleep(self, seconds: float) -> None:
        """Advance the clock by `seconds` without waiting (negative values are ignored)."""
        if seconds > 0:
            self.advance(seconds)


class AcceleratedClock:
    """A clock that starts at `start` and runs `factor` times faster than real time.

    `sleep(seconds)` waits `seconds / factor` of real time. Useful for demos: with `factor=60`
    a collector polls once per real second.
    """

    def __init__(self, *, start: dt.datetime, factor: float) -> None:
        if factor <= 0:
            raise ValueError(f"clock factor must be positive, got {factor}")
        self._start = ensure_utc(start, name="start")
        self._factor = factor
        self._origin = time.monotonic()

    @property
    def factor(self) -> float:
        """Simulated seconds per real second."""
        return self._factor

    def now(self) -> dt.datetime:
        """Return the simulated time."""
        elapsed = (time.monotonic() - self._origin) * self._factor
        return self._start + dt.timedelta(seconds=elapsed)

    def sleep(self, seconds: float) -> None:
        """Block for `seconds` of simulated time, that is `seconds / factor` of real time."""
        if seconds > 0:
            time.sleep(seconds / self._factor)
