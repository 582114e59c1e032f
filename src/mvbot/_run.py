"""The long-running mode: collect every minute and post each day at the local posting time.

One process, one thread. The collector polls until the minute before the posting time, the
daily job then posts the due days (catching up missed ones by the `missed_days` setting), and
collecting resumes at the posting minute. Follower totals are read by the collector at its own
daily time (`[collector].followers_time`). Every error is logged and the loop continues.

Posting happens between two polls. The collector records a minute as a gap, never as offline,
when posting delays its poll past `[collector].gap_threshold_seconds`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Mapping, Sequence
from typing import Final, Protocol

from mvbot._config import EventConfig
from mvbot.daily._job import DayResult, Renderer, build_publishers, run_daily
from mvbot.infographic import render_daily_infographics
from mvbot.publish._protocol import Publisher
from twitchstats import Clock, CollectorRun, Database, SystemClock

__all__ = ["BotRunner", "RunSummary"]

logger = logging.getLogger(__name__)

# How long to wait after an unexpected collector failure before trying again.
_RETRY_SECONDS: Final = 60.0
# Maximum length of one sleep, so that a stop request is noticed within this time.
_MAX_SLEEP_SECONDS: Final = 30.0


class CollectorLike(Protocol):
    """The part of twitchstats' `Collector` that the runner uses."""

    def run(
        self, *, stop_event: threading.Event | None = None, until: dt.datetime | None = None
    ) -> CollectorRun: ...


@dataclasses.dataclass
class RunSummary:
    """Summary of one `BotRunner.run`.

    Attributes:
        started_at: when the run started (UTC).
        stopped_at: when it stopped (UTC), or None while running.
        days: the daily job's result for every day it handled, in order.
        collector_errors: how many times the collector failed and was restarted.
        posting_errors: how many posting rounds raised an unexpected error.
        interrupted: True when the run stopped because of Ctrl-C (`KeyboardInterrupt`).
    """

    started_at: dt.datetime
    stopped_at: dt.datetime | None = None
    days: list[DayResult] = dataclasses.field(default_factory=list)
    collector_errors: int = 0
    posting_errors: int = 0
    interrupted: bool = False


class BotRunner:
    """Run the collector and the daily posts of one event in one loop.

    Args:
        config: the event file.
        database: the database the collector writes and the daily job reads.
        collector: a twitchstats `Collector` for the event (with the same clock), or None to
            only post.
        clock: the time source shared with the collector; a `ManualClock` runs simulated days
            in seconds.
        dry_run: post to the outbox folder only.
        lang: language of posts and messages; default the file's `mvbot.language`.
        publishers: publishers to use instead of the configured ones.
        environ: where credentials are read (default: `os.environ`).
        render: the infographic renderer.
    """

    def __init__(
        self,
        *,
        config: EventConfig,
        database: Database,
        collector: CollectorLike | None,
        clock: Clock | None = None,
        dry_run: bool = False,
        lang: str | None = None,
        publishers: Sequence[Publisher] | None = None,
        environ: Mapping[str, str] | None = None,
        render: Renderer = render_daily_infographics,
    ) -> None:
        self._config = config
        self._database = database
        self._collector = collector
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._dry_run = dry_run
        self._lang = lang
        self._publishers = publishers
        self._environ = environ
        self._render = render

    def next_post_time(self, after: dt.datetime) -> dt.datetime:
        """Return the first posting moment strictly after `after`, in UTC.

        The posting time is a local time of the event's zone. On a day when that local time
        does not exist or repeats (clock changes), `zoneinfo`'s usual resolution applies.
        """
        zone = self._config.event.zone
        local = after.astimezone(zone)
        candidate = dt.datetime.combine(local.date(), self._config.mvbot.post_time, tzinfo=zone)
        while candidate.astimezone(dt.UTC) <= after:
            candidate = dt.datetime.combine(
                candidate.date() + dt.timedelta(days=1), self._config.mvbot.post_time, tzinfo=zone
            )
        return candidate.astimezone(dt.UTC)

    def post_due(
        self, now: dt.datetime, summary: RunSummary, publishers: Sequence[Publisher]
    ) -> None:
        """Post every due day as of `now`; log and count any error instead of raising it."""
        logger.info("posting round for %s at %s", self._config.event_id, now.isoformat())
        try:
            results = run_daily(
                self._config,
                database=self._database,
                now=now,
                dry_run=self._dry_run,
                lang=self._lang,
                publishers=publishers,
                environ=self._environ,
                render=self._render,
            )
        except Exception:
            summary.posting_errors += 1
            logger.exception("posting round for %s failed", self._config.event_id)
            return
        for result in results:
            for message in result.messages:
                log = logger.error if not result.ok else logger.info
                log("%s", message)
        summary.days.extend(results)

    def run(
        self, *, stop_event: threading.Event | None = None, until: dt.datetime | None = None
    ) -> RunSummary:
        """Collect and post until `stop_event` is set, the clock reaches `until` or Ctrl-C.

        On start, days missed while the process was down are posted first. Ctrl-C stops the
        run both when it reaches this loop and when the collector catches it.

        Raises:
            PublisherSetupError: a publisher lacks a credential or its optional package.
        """
        stop = stop_event if stop_event is not None else threading.Event()
        summary = RunSummary(started_at=self._clock.now())

        # Publishers live as long as the run, so that a Bluesky login serves every day.
        owned: list[Publisher] = []
        if self._publishers is None:
            owned, messages = build_publishers(
                self._config, dry_run=self._dry_run, lang=self._lang, environ=self._environ
            )
            for message in messages:
                logger.warning("%s", message)
        publishers = self._publishers if self._publishers is not None else owned

        logger.info(
            "mvbot run started for %s: posting daily at %s %s",
            self._config.event_id,
            self._config.mvbot.post_time.isoformat("minutes"),
            self._config.event.timezone,
        )
        try:
            self.post_due(self._clock.now(), summary, publishers)
            while not stop.is_set():
                now = self._clock.now()
                if until is not None and now >= until:
                    break
                post_at = self.next_post_time(now)
                segment_end = post_at if until is None else min(post_at, until)

                self._collect_until(segment_end, stop, summary)
                if stop.is_set():
                    break
                if segment_end == post_at:
                    # The collector stops after the minute before `post_at`; the round is
                    # dated at `post_at` so that "yesterday" is right even at midnight.
                    self.post_due(post_at, summary, publishers)
                self._sleep_until(segment_end, stop)
        except KeyboardInterrupt:
            summary.interrupted = True
            logger.info("mvbot run interrupted")
        finally:
            for publisher in owned:
                publisher.close()
            summary.stopped_at = self._clock.now()
            logger.info(
                "mvbot run stopped for %s: %d days handled, %d collector errors, %d posting errors",
                self._config.event_id,
                len(summary.days),
                summary.collector_errors,
                summary.posting_errors,
            )
        return summary

    def _collect_until(self, end: dt.datetime, stop: threading.Event, summary: RunSummary) -> None:
        if self._collector is None:
            self._sleep_until(end, stop)
            return
        while not stop.is_set() and self._clock.now() < end:
            try:
                collected = self._collector.run(stop_event=stop, until=end)
            except Exception:
                summary.collector_errors += 1
                logger.exception("the collector failed; restarting in %.0f s", _RETRY_SECONDS)
                self._sleep_until(
                    min(end, self._clock.now() + dt.timedelta(seconds=_RETRY_SECONDS)), stop
                )
                continue
            if collected.interrupted:
                # `Collector.run` catches Ctrl-C and returns normally, so it is raised again
                # here to stop `run` before it posts or starts the next segment.
                raise KeyboardInterrupt
            return

    def _sleep_until(self, end: dt.datetime, stop: threading.Event) -> None:
        while not stop.is_set():
            remaining = (end - self._clock.now()).total_seconds()
            if remaining <= 0:
                return
            self._clock.sleep(min(remaining, _MAX_SLEEP_SECONDS))
