"""The collector: polls the configured channels every interval and stores each minute."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Iterable, Sequence
from typing import Literal, Protocol

from twitchstats._collector._clock import Clock, SystemClock, ensure_utc
from twitchstats._collector._config import ChannelSpec, CollectorConfig
from twitchstats._collector._schedule import (
    boundaries,
    ceil_to_interval,
    floor_to_interval,
    followers_moment,
)
from twitchstats._exceptions import HelixError, StorageError
from twitchstats._helix import Stream, User
from twitchstats._storage import (
    ChannelRecord,
    Database,
    FollowerRecord,
    PollRecord,
    SampleRecord,
)

__all__ = ["Collector", "CollectorRun", "HelixReader"]

logger = logging.getLogger(__name__)

# Helix accepts at most 100 user ids per Get Streams request.
_IDS_PER_REQUEST = 100
# Maximum single sleep of the run loop, in clock seconds, so that a stop request is seen soon.
_MAX_SLEEP_SECONDS = 1.0
# Follower reads after a poll stop this many seconds before the next poll is due.
_FOLLOWERS_MARGIN_SECONDS = 5.0
_MAX_IDS_IN_MESSAGE = 5

REASON_NOT_RUNNING = "collector not running"
REASON_OVERRUN = "overrun"


class HelixReader(Protocol):
    """The part of `HelixClient` that the collector uses."""

    def get_streams(self, *, user_ids: Iterable[str]) -> list[Stream]: ...

    def get_users(self, *, ids: Iterable[str] = (), logins: Iterable[str] = ()) -> list[User]: ...

    def get_follower_total(self, broadcaster_id: str) -> int: ...


@dataclasses.dataclass
class _Channel:
    """A channel being polled, keyed by its Twitch id."""

    channel_id: str
    login: str
    display_name: str | None = None
    profile_image_url: str | None = None
    status: Literal["active", "suspended"] = "active"


@dataclasses.dataclass
class CollectorRun:
    """Summary of one `Collector.run()`.

    Attributes:
        started_at: when the run started, on the collector's clock.
        stopped_at: when it returned.
        polls: outcome -> number of polls recorded by this run ("ok", "partial", "failed").
        gaps: minutes recorded as failed without a poll ("overrun", "collector not running").
        abandoned_minute: the minute left unrecorded because a stop was requested while it was
            being polled, or None.
        interrupted: True when the run ended because of a `KeyboardInterrupt` (Ctrl-C), which
            `run()` catches, so that a caller looping over runs can stop as well.
    """

    started_at: dt.datetime
    stopped_at: dt.datetime | None = None
    polls: dict[str, int] = dataclasses.field(
        default_factory=lambda: {"ok": 0, "partial": 0, "failed": 0}
    )
    gaps: int = 0
    abandoned_minute: dt.datetime | None = None
    interrupted: bool = False


class _Abandoned(Exception):
    """A stop was requested in the middle of a poll."""


def _short_ids(ids: Sequence[str]) -> str:
    listed = ", ".join(ids[:_MAX_IDS_IN_MESSAGE])
    more = len(ids) - _MAX_IDS_IN_MESSAGE
    return f"{listed} and {more} more" if more > 0 else listed


def _error_text(exc: BaseException) -> str:
    # Helix messages can be long; the first line names the endpoint, the status and the cause.
    first_line = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {first_line}"[:300]


class Collector:
    """Poll the configured channels once per interval and store every minute.

    Each minute gets one poll row: "ok", "partial" (the ids it could not read are listed) or
    "failed" (with the reason). A minute that could not be observed is never stored as offline.
    Errors from Twitch or the database are caught and logged with the ids involved. `run()`
    returns only when a stop is requested or when `until` is reached.

    Args:
        config: the collector settings and channels.
        database: where polls, samples, channels and follower totals are written.
        client: a `HelixClient` (or anything with its `get_streams`, `get_users` and
            `get_follower_total` methods). Give it the same clock, for example
            `HelixClient(sleep=clock.sleep, clock=lambda: clock.now().timestamp())`.
        clock: the time source; a `ManualClock` runs simulated days in seconds.
    """

    def __init__(
        self,
        *,
        config: CollectorConfig,
        database: Database,
        client: HelixReader,
        clock: Clock | None = None,
    ) -> None:
        self._config = config
        self._database = database
        self._client = client
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._interval = dt.timedelta(seconds=config.interval_seconds)

        self._channels: dict[str, _Channel] = {}
        self._pending: dict[str, ChannelSpec] = {}
        for spec in config.channels:
            if spec.channel_id is not None:
                self._channels[spec.channel_id] = _Channel(spec.channel_id, spec.login)
            else:
                self._pending[spec.login] = spec
        self._stored_channels = False
        self._checked_database = False
        self._next_refresh: dt.datetime | None = None
        self._last_refresh_error = ""

        self._followers_due: dt.datetime | None = None
        self._followers_at: dt.datetime | None = None
        self._followers_queue: list[str] = []
        self._followers_results: list[FollowerRecord] = []

    # -- public state ----------------------------------------------------------------------

    @property
    def config(self) -> CollectorConfig:
        """The settings this collector runs with."""
        return self._config

    @property
    def channels(self) -> dict[str, str]:
        """Polled channels: Twitch id -> current login."""
        return {channel_id: channel.login for channel_id, channel in self._channels.items()}

    @property
    def unresolved_logins(self) -> list[str]:
        """Configured logins that have no Twitch id yet (not found, or the lookup failed)."""
        return sorted(self._pending)

    # -- channels --------------------------------------------------------------------------

    def refresh_channels(self) -> None:
        """Resolve logins to ids, follow renames and notice suspended channels.

        Reads the users endpoint for every known id and every unresolved login, updates the
        stored channels, and schedules the next refresh. A channel missing from the response is
        marked suspended and logged as a WARNING. It stays in the polls and is checked again at
        the next refresh.

        Raises:
            HelixError: the users request failed (nothing is changed).
            StorageError: the channels could not be written.
        """
        now = self._clock.now()
        self._next_refresh = now + dt.timedelta(minutes=self._config.channel_refresh_minutes)
        if not self._checked_database:
            self._resolve_from_database()
        users = self._client.get_users(ids=sorted(self._channels), logins=sorted(self._pending))
        by_id = {user.id: user for user in users}
        by_login = {user.login: user for user in users}

        for login, spec in list(self._pending.items()):
            user = by_login.get(login)
            if user is None:
                logger.warning(
                    "Channel login %r was not found on Twitch (misspelled, renamed before the "
                    "first lookup, suspended or deleted); looking it up again in %d minutes",
                    login,
                    self._config.channel_refresh_minutes,
                )
                continue
            del self._pending[login]
            if user.id in self._channels:
                continue
            logger.info("Channel %s resolved to id %s", spec.login, user.id)
            self._channels[user.id] = _Channel(user.id, user.login)

        records = []
        for channel in self._channels.values():
            user = by_id.get(channel.channel_id) or by_login.get(channel.login)
            if user is None or user.id != channel.channel_id:
                if channel.status == "active":
                    logger.warning(
                        "Channel %s (id %s) is missing from Twitch's Get Users response: suspended "
                        "or deleted. It stays in the polls and is checked again in %d minutes",
                        channel.login,
                        channel.channel_id,
                        self._config.channel_refresh_minutes,
                    )
                channel.status = "suspended"
            else:
                if channel.status == "suspended":
                    logger.info("Channel %s (id %s) is back on Twitch", user.login, user.id)
                self._note_login(channel, user.login)
                channel.status = "active"
                channel.display_name = user.display_name or None
                channel.profile_image_url = user.profile_image_url or None
            records.append(
                ChannelRecord(
                    channel_id=channel.channel_id,
                    login=channel.login,
                    observed_at=now,
                    display_name=channel.display_name,
                    profile_image_url=channel.profile_image_url,
                    status=channel.status,
                )
            )
        self._database.upsert_channels(records)
        self._stored_channels = True
        self._last_refresh_error = ""

    def _resolve_from_database(self) -> None:
        """Give pending logins the ids stored for them, so a restart follows earlier renames.

        A configured login that a stored channel has, or had before a rename, resolves to that
        channel's id without asking Twitch.
        """
        stored = self._database.read_channels()
        self._checked_database = True
        rows = [
            (str(channel_id), str(login), [str(old) for old in previous])
            for channel_id, login, previous in zip(
                stored["channel_id"], stored["login"], stored["previous_logins"], strict=True
            )
        ]
        known: dict[str, tuple[str, str]] = {}
        for channel_id, login, previous in rows:
            for old_login in previous:
                known.setdefault(old_login, (channel_id, login))
        for channel_id, login, _ in rows:
            known[login] = (channel_id, login)

        for login in list(self._pending):
            if login not in known:
                continue
            channel_id, current = known[login]
            del self._pending[login]
            if channel_id not in self._channels:
                self._channels[channel_id] = _Channel(channel_id, current)
                if current != login:
                    logger.info(
                        "Channel %s is stored as %s (id %s) since a rename",
                        login,
                        current,
                        channel_id,
                    )

    def _note_login(self, channel: _Channel, login: str) -> None:
        if login and login != channel.login:
            logger.info(
                "Channel %s (id %s) was renamed to %s", channel.login, channel.channel_id, login
            )
            channel.login = login

    def _refresh_if_due(self) -> None:
        now = self._clock.now()
        if self._next_refresh is not None and now < self._next_refresh:
            return
        try:
            self.refresh_channels()
        except (HelixError, StorageError) as exc:
            self._last_refresh_error = _error_text(exc)
            # Retried at the next poll while some logins have no id, at the usual refresh otherwise.
            if self._pending or not self._stored_channels:
                self._next_refresh = now + self._interval
            retry_at = self._next_refresh or now + self._interval
            logger.warning(
                "Could not read channels %s and logins %s: %s; trying again at %s",
                _short_ids(sorted(self._channels)) or "-",
                _short_ids(sorted(self._pending)) or "-",
                self._last_refresh_error,
                retry_at.isoformat(),
            )

    # -- polling ---------------------------------------------------------------------------

    def poll_once(self, minute: dt.datetime | None = None) -> PollRecord:
        """Poll every channel once and record the result for `minute`.

        Args:
            minute: the minute the samples belong to; defaults to the current interval
                boundary. It is rounded down to the interval.

        Returns:
            The poll as recorded (or as it would have been, when the database write failed).

        The poll deadline (`poll_deadline_seconds`) counts from this call, not from the start
        of the minute: a single poll started late in a minute still gets its full budget.
        """
        target = floor_to_interval(minute or self._clock.now(), self._config.interval_seconds)
        self._refresh_if_due()
        budget = dt.timedelta(seconds=self._config.poll_deadline_seconds)
        return self._poll(target, stop=None, deadline=self._clock.now() + budget)

    def _poll(
        self,
        minute: dt.datetime,
        stop: threading.Event | None,
        *,
        deadline: dt.datetime | None = None,
    ) -> PollRecord:
        requested_at = self._clock.now()
        if deadline is None:
            deadline = minute + dt.timedelta(seconds=self._config.poll_deadline_seconds)
        ids = sorted(self._channels)
        pending_note = ""
        if self._pending and self._last_refresh_error:
            pending_note = (
                f"logins {_short_ids(sorted(self._pending))} not resolved "
                f"({self._last_refresh_error})"
            )

        if not ids:
            reason = pending_note or "no configured channel was found on Twitch"
            poll = PollRecord(
                observed_at=minute,
                requested_at=requested_at,
                outcome="failed",
                reason=reason,
                channels_requested=0,
            )
            logger.error("Poll %s failed: %s", minute.isoformat(), reason)
            self._store(poll, [])
            return poll

        streams: dict[str, Stream] = {}
        unobserved: list[str] = []
        reasons: list[str] = []
        for start in range(0, len(ids), _IDS_PER_REQUEST):
            chunk = ids[start : start + _IDS_PER_REQUEST]
            if stop is not None and stop.is_set():
                raise _Abandoned
            if self._clock.now() > deadline:
                unobserved.extend(chunk)
                reasons.append("poll deadline passed")
                continue
            try:
                found = self._client.get_streams(user_ids=chunk)
            except HelixError as exc:
                text = _error_text(exc)
                logger.error(
                    "Poll %s: Get Streams failed for %d channels (%s): %s",
                    minute.isoformat(),
                    len(chunk),
                    _short_ids(chunk),
                    text,
                )
                unobserved.extend(chunk)
                reasons.append(text)
                continue
            self._keep_streams(found, set(chunk), streams)

        finished = self._clock.now()
        poll, samples = self._build_poll(
            minute, requested_at, finished, ids, streams, unobserved, reasons, pending_note
        )
        self._store(poll, samples)
        return poll

    def _keep_streams(
        self, found: list[Stream], wanted: set[str], streams: dict[str, Stream]
    ) -> None:
        for stream in found:
            if stream.user_id not in wanted:
                logger.debug(
                    "Ignored stream %s of unrequested channel %s", stream.id, stream.user_id
                )
                continue
            # One sample per channel: when a restart lists two streams, the newer one wins.
            previous = streams.get(stream.user_id)
            if previous is None or stream.started_at > previous.started_at:
                streams[stream.user_id] = stream
            channel = self._channels[stream.user_id]
            self._note_login(channel, stream.user_login)

    def _build_poll(
        self,
        minute: dt.datetime,
        requested_at: dt.datetime,
        finished: dt.datetime,
        ids: list[str],
        streams: dict[str, Stream],
        unobserved: list[str],
        reasons: list[str],
        pending_note: str,
    ) -> tuple[PollRecord, list[SampleRecord]]:
        samples = [
            SampleRecord(
                channel_id=stream.user_id,
                channel_login=stream.user_login or self._channels[stream.user_id].login,
                viewer_count=max(stream.viewer_count, 0),
                stream_id=stream.id,
                started_at=stream.started_at,
                game_id=stream.game_id,
                game_name=stream.game_name,
                title=stream.title,
            )
            for stream in streams.values()
        ]
        outcome: Literal["ok", "partial", "failed"]
        if not unobserved:
            outcome = "ok"
        elif len(unobserved) < len(ids):
            outcome = "partial"
        else:
            outcome = "failed"
            samples = []

        notes = list(dict.fromkeys(reasons))
        if pending_note:
            notes.append(pending_note)
        late_seconds = (finished - (minute + self._interval)).total_seconds()
        if late_seconds > 0 and outcome != "failed":
            notes.append(f"late: finished {late_seconds:.0f} s after the next minute began")
        poll = PollRecord(
            observed_at=minute,
            requested_at=requested_at,
            outcome=outcome,
            reason="; ".join(notes),
            channels_requested=len(ids),
            channels_live=len(samples),
            viewers_total=sum(sample.viewer_count for sample in samples),
            latency_ms=int((finished - requested_at).total_seconds() * 1000),
            unobserved_channel_ids=tuple(unobserved),
        )

        if outcome == "failed":
            logger.error("Poll %s failed: %s", minute.isoformat(), poll.reason)
        else:
            logger.info(
                "Poll %s %s: %d of %d channels live, %d viewers, %d ms%s",
                minute.isoformat(),
                outcome,
                poll.channels_live,
                len(ids),
                poll.viewers_total,
                poll.latency_ms,
                f" ({poll.reason})" if poll.reason else "",
            )
        return poll, samples

    def _store(self, poll: PollRecord, samples: list[SampleRecord]) -> bool:
        try:
            if not self._stored_channels:
                self._store_known_channels()
            return self._database.record_poll(poll, samples)
        except StorageError as exc:
            logger.error(
                "Could not store poll %s (%s, %d samples); the minute stays unobserved: %s",
                poll.observed_at.isoformat(),
                poll.outcome,
                len(samples),
                _error_text(exc),
            )
            return False

    def _store_known_channels(self) -> None:
        # Channels given by id in the event file are polled before the first Get Users response.
        now = self._clock.now()
        self._database.upsert_channels(
            ChannelRecord(channel_id=channel.channel_id, login=channel.login, observed_at=now)
            for channel in self._channels.values()
        )
        self._stored_channels = True

    # -- gaps ------------------------------------------------------------------------------

    def _record_gaps(self, minutes: Sequence[dt.datetime], reason: str) -> int:
        """Record minutes as failed polls with `reason`; return how many were new."""
        written = 0
        for minute in minutes:
            poll = PollRecord(
                observed_at=minute, outcome="failed", reason=reason, channels_requested=0
            )
            if self._store(poll, []):
                written += 1
        if minutes:
            logger.error(
                "Recorded %d minutes from %s to %s as gaps: %s",
                len(minutes),
                minutes[0].isoformat(),
                minutes[-1].isoformat(),
                reason,
            )
        return written

    def _downtime_minutes(self, first_minute: dt.datetime) -> list[dt.datetime]:
        """Return the minutes after the last stored poll and before `first_minute`."""
        horizon = first_minute - dt.timedelta(hours=self._config.max_downtime_gap_hours)
        try:
            polls = self._database.read_polls(since=horizon, until=first_minute)
        except StorageError as exc:
            logger.error("Could not read earlier polls to find downtime: %s", _error_text(exc))
            return []
        if polls.empty:
            return []
        stored = {moment.to_pydatetime() for moment in polls["observed_at"]}
        last = max(stored)
        start = ceil_to_interval(last + dt.timedelta(seconds=1), self._config.interval_seconds)
        return [
            minute
            for minute in boundaries(start, first_minute, self._config.interval_seconds)
            if minute not in stored
        ]

    # -- followers -------------------------------------------------------------------------

    def _plan_followers(self, now: dt.datetime) -> None:
        """Queue the day's follower reads once `followers_time` has passed.

        The round's snapshots are stored at the minute the round starts: `followers_time`, or
        later when the collector was not running then. Channels that already have a total
        since today's `followers_time` are skipped, so a restart does not read them twice.
        """
        if not self._config.followers:
            return
        due = followers_moment(now.date(), self._config.followers_time)
        if now < due or self._followers_due == due:
            return
        self._followers_due = due
        self._followers_at = floor_to_interval(now, self._config.interval_seconds)
        try:
            stored = self._database.read_follower_snapshots(
                since=due, until=due + dt.timedelta(days=1)
            )
            done = set(stored.loc[stored["followers"].notna(), "channel_id"].astype(str))
        except StorageError as exc:
            logger.warning("Could not read today's follower totals: %s", _error_text(exc))
            done = set()
        # Suspended channels are skipped: Twitch returns no follower total for them.
        self._followers_queue = [
            channel_id
            for channel_id, channel in sorted(self._channels.items())
            if channel_id not in done and channel.status == "active"
        ]
        if self._followers_queue:
            logger.info(
                "Reading follower totals of %d channels for %s",
                len(self._followers_queue),
                self._followers_at.isoformat(),
            )

    def _read_followers(self, until: dt.datetime, stop: threading.Event | None) -> None:
        """Read queued follower totals until `until`, at most `followers_per_poll` of them."""
        round_at = self._followers_at
        if round_at is None or not self._followers_queue:
            return
        records: list[FollowerRecord] = []
        for _ in range(self._config.followers_per_poll):
            if not self._followers_queue or (stop is not None and stop.is_set()):
                break
            if self._clock.now() >= until:
                break
            channel_id = self._followers_queue.pop(0)
            try:
                total: int | None = self._client.get_follower_total(channel_id)
            except HelixError as exc:
                logger.warning(
                    "Follower total of channel %s failed; stored as missing: %s",
                    channel_id,
                    _error_text(exc),
                )
                total = None
            records.append(
                FollowerRecord(channel_id=channel_id, observed_at=round_at, followers=total)
            )
        if not records:
            return
        try:
            self._database.write_follower_snapshots(records)
        except StorageError as exc:
            logger.error(
                "Could not store %d follower totals (%s): %s",
                len(records),
                _short_ids([record.channel_id for record in records]),
                _error_text(exc),
            )
        if not self._followers_queue:
            logger.info("Follower totals for %s done", round_at.isoformat())

    # -- the loop --------------------------------------------------------------------------

    def run(
        self,
        *,
        stop_event: threading.Event | None = None,
        until: dt.datetime | None = None,
    ) -> CollectorRun:
        """Poll every interval until `stop_event` is set or `until` is reached.

        On start, the minutes missed since the last stored poll (at most
        `max_downtime_gap_hours` back) are recorded as gaps with reason "collector not
        running". A minute whose poll cannot start within `gap_threshold_seconds` is recorded
        as a gap with reason "overrun". When `stop_event` is set during a poll, that minute is
        abandoned: nothing of it is written.

        Args:
            stop_event: set it (from a signal handler or another thread) to stop.
            until: the first minute not polled; None runs until stopped.

        Returns:
            Counts of what the run recorded.
        """
        stop = stop_event if stop_event is not None else threading.Event()
        if until is not None:
            until = ensure_utc(until, name="until")
        seconds = self._config.interval_seconds
        summary = CollectorRun(started_at=self._clock.now())
        logger.info(
            "Collector started: %d channels configured, every %d s, database %s",
            len(self._config.channels),
            seconds,
            self._database.url_text,
        )

        try:
            now = self._clock.now()
            current = floor_to_interval(now, seconds)
            late = (now - current).total_seconds() > self._config.gap_threshold_seconds
            next_minute = current + self._interval if late else current
            try:
                self._refresh_if_due()
                missed = self._downtime_minutes(next_minute)
                summary.gaps += self._record_gaps(missed, REASON_NOT_RUNNING)
            except Exception:
                # Start-up bookkeeping must not keep the collector from polling.
                logger.exception("Unexpected error while starting; polling anyway")
            self._loop(next_minute, stop, until, summary)
        except KeyboardInterrupt:
            summary.interrupted = True
            logger.info("Collector interrupted")
        finally:
            summary.stopped_at = self._clock.now()
            logger.info(
                "Collector stopped: %d ok, %d partial, %d failed polls, %d gaps recorded",
                summary.polls["ok"],
                summary.polls["partial"],
                summary.polls["failed"],
                summary.gaps,
            )
        return summary

    def _loop(
        self,
        next_minute: dt.datetime,
        stop: threading.Event,
        until: dt.datetime | None,
        summary: CollectorRun,
    ) -> None:
        threshold = dt.timedelta(seconds=self._config.gap_threshold_seconds)
        while not stop.is_set():
            if until is not None and next_minute >= until:
                return
            now = self._clock.now()
            if now < next_minute:
                self._clock.sleep(min((next_minute - now).total_seconds(), _MAX_SLEEP_SECONDS))
                continue

            if now - next_minute > threshold:
                # Every minute whose start has slipped past the threshold becomes a gap.
                latest = floor_to_interval(now - threshold, self._config.interval_seconds)
                if until is not None:
                    latest = min(latest, until - self._interval)
                missed = boundaries(
                    next_minute, latest + self._interval, self._config.interval_seconds
                )
                summary.gaps += self._record_gaps(missed, REASON_OVERRUN)
                next_minute = latest + self._interval
                continue

            try:
                self._refresh_if_due()
                poll = self._poll(next_minute, stop)
                summary.polls[poll.outcome] += 1
            except _Abandoned:
                summary.abandoned_minute = next_minute
                logger.warning(
                    "Stop requested during poll %s; the minute was abandoned and nothing of it "
                    "was written",
                    next_minute.isoformat(),
                )
                return
            except Exception:
                # The collector must keep running: an unexpected error costs one minute.
                logger.exception("Unexpected error in poll %s", next_minute.isoformat())
                failed = PollRecord(
                    observed_at=next_minute,
                    outcome="failed",
                    reason="internal error (see the collector log)",
                )
                if self._store(failed, []):
                    summary.polls["failed"] += 1

            next_minute += self._interval
            try:
                self._plan_followers(self._clock.now())
                self._read_followers(
                    next_minute - dt.timedelta(seconds=_FOLLOWERS_MARGIN_SECONDS), stop
                )
            except Exception:
                logger.exception("Unexpected error while reading follower totals")
