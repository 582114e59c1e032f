"""The demo's simulated event: its dates, its event file, its clock and the collector outage."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from twitchstats import Collector, CollectorRun, ManualClock

__all__ = [
    "EVENT_NAME",
    "FIRST_DAY",
    "KEYWORD",
    "TIMEZONE",
    "DemoClock",
    "DemoPlan",
    "OutageCollector",
    "write_event_file",
]

logger = logging.getLogger(__name__)

EVENT_NAME: Final = "Vice City Nights Demo"
# The word that the simulated streamers put in their titles; the attribution rule looks for it.
KEYWORD: Final = "Vice City Nights"
TIMEZONE: Final = "Europe/Madrid"
# A fixed first day keeps every run with the same seed identical. Madrid has no clock change
# between 12 May and 12 June, so each of the at most 31 days has 1440 minutes.
FIRST_DAY: Final = dt.date(2025, 5, 12)
# Posts are made shortly after midnight, so the collection ends soon after the last day.
POST_TIME: Final = dt.time(0, 30)
# The collector is stopped for this long on the second day (the first when there is one day).
OUTAGE_MINUTES: Final = 30
_OUTAGE_LOCAL_START: Final = dt.time(21, 10)
_GTA_V_GAME_ID: Final = "32982"


@dataclasses.dataclass(frozen=True, kw_only=True)
class DemoPlan:
    """The simulated timeline of one demo run. Every datetime is UTC.

    Attributes:
        days: the event's local days, in order.
        start: local midnight before the first day: the collector's first minute.
        until: the posting time after the last day: the run stops there.
        outage_start: the first minute that the stopped collector misses.
        outage_end: the minute at which the collector runs again.
    """

    days: tuple[dt.date, ...]
    start: dt.datetime
    until: dt.datetime
    outage_start: dt.datetime
    outage_end: dt.datetime

    @classmethod
    def build(cls, days: int, *, first_day: dt.date = FIRST_DAY) -> DemoPlan:
        """Plan `days` local days from `first_day`, with the outage on day 2 (or day 1)."""
        if days < 1:
            raise ValueError(f"a demo needs at least one day, got {days}")
        zone = ZoneInfo(TIMEZONE)
        dates = tuple(first_day + dt.timedelta(days=offset) for offset in range(days))
        outage_day = dates[min(1, days - 1)]
        outage_start = dt.datetime.combine(outage_day, _OUTAGE_LOCAL_START, tzinfo=zone)
        after_last = dates[-1] + dt.timedelta(days=1)
        return cls(
            days=dates,
            start=dt.datetime.combine(first_day, dt.time(0), tzinfo=zone).astimezone(dt.UTC),
            until=dt.datetime.combine(after_last, POST_TIME, tzinfo=zone).astimezone(dt.UTC),
            outage_start=outage_start.astimezone(dt.UTC),
            outage_end=(outage_start + dt.timedelta(minutes=OUTAGE_MINUTES)).astimezone(dt.UTC),
        )

    @property
    def total_minutes(self) -> int:
        """Simulated minutes from `start` to `until`."""
        return int((self.until - self.start).total_seconds() // 60)


class DemoClock(ManualClock):
    """A `ManualClock` that calls `on_change(now)` whenever its time moves.

    The fake server, the Helix client and the collector share it, and the progress display
    follows the simulated time through the callback.
    """

    def __init__(
        self, start: dt.datetime, *, on_change: Callable[[dt.datetime], None] | None = None
    ) -> None:
        super().__init__(start)
        self.on_change = on_change

    def set(self, value: dt.datetime) -> None:
        """Move the clock to `value` and report the new time."""
        super().set(value)
        self._notify()

    def advance(self, seconds: float) -> dt.datetime:
        """Move the clock forward by `seconds`, report and return the new time."""
        now = super().advance(seconds)
        self._notify()
        return now

    def _notify(self) -> None:
        if self.on_change is not None:
            self.on_change(self.now())


class OutageCollector:
    """Run a fresh `Collector` for each stretch of time, leaving the outage window unpolled.

    It plays the collector process of `mvbot run` being stopped at `outage_start` and started
    again at `outage_end`. Nothing polls in between, and the restarted collector records the
    missed minutes as gaps ("collector not running"), as it does after any restart.

    Args:
        make_collector: builds a new collector, as a restarted process would.
        clock: the shared simulated clock.
        outage_start: the first minute not polled.
        outage_end: the minute at which polling resumes.
        on_outage: called with (start, end) when the outage begins.
    """

    def __init__(
        self,
        *,
        make_collector: Callable[[], Collector],
        clock: ManualClock,
        outage_start: dt.datetime,
        outage_end: dt.datetime,
        on_outage: Callable[[dt.datetime, dt.datetime], None] | None = None,
    ) -> None:
        self._make_collector = make_collector
        self._clock = clock
        self._outage_start = outage_start
        self._outage_end = outage_end
        self._on_outage = on_outage
        self._collector: Collector | None = None
        self.runs: list[CollectorRun] = []

    def run(
        self, *, stop_event: threading.Event | None = None, until: dt.datetime | None = None
    ) -> CollectorRun:
        """Collect until `until` (or a stop), skipping the outage window when it falls inside."""
        now = self._clock.now()
        crosses_outage = until is not None and now < self._outage_start < until
        if not crosses_outage:
            return self._run_collector(stop_event, until)

        before = self._run_collector(stop_event, self._outage_start)
        if before.interrupted or (stop_event is not None and stop_event.is_set()):
            return before
        logger.warning(
            "demo: collector stopped from %s to %s (simulated outage)",
            self._outage_start.isoformat(),
            self._outage_end.isoformat(),
        )
        if self._on_outage is not None:
            self._on_outage(self._outage_start, self._outage_end)
        # The process is down: a new one starts when the outage ends.
        self._collector = None
        remaining = (self._outage_end - self._clock.now()).total_seconds()
        self._clock.sleep(remaining)
        return self._run_collector(stop_event, until)

    def _run_collector(
        self, stop_event: threading.Event | None, until: dt.datetime | None
    ) -> CollectorRun:
        if self._collector is None:
            self._collector = self._make_collector()
        result = self._collector.run(stop_event=stop_event, until=until)
        self.runs.append(result)
        return result


def _toml_string(value: str) -> str:
    # JSON string escapes are valid in TOML basic strings.
    return json.dumps(value)


def _toml_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(_toml_string(value) for value in values) + "]"


def write_event_file(
    path: Path,
    *,
    plan: DemoPlan,
    logins: Sequence[str],
    helix_base_url: str,
    auth_base_url: str,
    lang: str,
) -> Path:
    """Write the demo's event TOML file to `path` and return `path`.

    The collector table points at the address of this run's fake server. The file documents
    the run, and its addresses stop working when the demo ends.
    """
    title_pattern = "(?i)" + r"\s*".join(KEYWORD.lower().split())
    channel_lines = "".join(f"    {_toml_string(login)},\n" for login in logins)
    text = f"""\
# Event file written by `mvbot demo`. The channels are fictional: the bundled fake Helix
# server simulates them on 127.0.0.1. The [collector] addresses are those of this run's server,
# which stops when the demo ends.

[event]
name = {_toml_string(EVENT_NAME)}
timezone = {_toml_string(TIMEZONE)}
start = {plan.days[0].isoformat()}
end = {plan.days[-1].isoformat()}
channels = [
{channel_lines}]

# A minute counts for the event when the stream is in Grand Theft Auto V and its title
# names the event.
[event.attribution]
game_ids = {_toml_list([_GTA_V_GAME_ID])}
title_pattern = {_toml_string(title_pattern)}
match = "all"

[collector]
helix_base_url = {_toml_string(helix_base_url)}
auth_base_url = {_toml_string(auth_base_url)}
interval_seconds = 60
followers = true
followers_time = "04:00"

[mvbot]
language = {_toml_string(lang)}
post_time = {_toml_string(POST_TIME.isoformat("minutes"))}
publishers = ["outbox"]
hashtags = ["ViceCityNightsDemo"]
# The simulated profile pictures point at Twitch's servers, which the demo never contacts.
avatars = false
output_dir = "images"
outbox_dir = "outbox"
"""
    path.write_text(text, encoding="utf-8")
    return path
