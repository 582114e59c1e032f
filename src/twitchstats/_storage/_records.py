"""Records that the collector and importers hand to `Database` for writing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Literal

from twitchstats._storage._types import ensure_utc

PollOutcome = Literal["ok", "partial", "failed"]
ChannelStatus = Literal["active", "suspended"]

POLL_OUTCOMES: tuple[PollOutcome, ...] = ("ok", "partial", "failed")
CHANNEL_STATUSES: tuple[ChannelStatus, ...] = ("active", "suspended")

# A recording of a minute replaces the stored poll only when its outcome ranks higher.
OUTCOME_RANK: dict[str, int] = {"failed": 0, "partial": 1, "ok": 2}


def _check_aware(name: str, value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    try:
        return ensure_utc(value)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


def _check_count(name: str, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise ValueError(f"{name} must be a non-negative int, got {value!r}")


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class PollRecord:
    """One collection minute.

    Attributes:
        observed_at: the poll's time, shared by every sample of the poll (aware).
        requested_at: when the request to Twitch started (aware), or None when unknown.
        outcome: "ok" (every requested channel was read), "partial" (some channels could not be
            read, listed in `unobserved_channel_ids`) or "failed" (nothing usable came back).
        reason: why a poll was partial or failed, for example "HTTP 503"; "" for ok polls.
        channels_requested: how many channels the poll asked for.
        channels_live: how many of them were live.
        viewers_total: the sum of their viewer counts.
        latency_ms: the time from request start to the last response, in milliseconds.
        unobserved_channel_ids: the Twitch ids a partial poll could not read.
    """

    observed_at: dt.datetime
    outcome: PollOutcome
    requested_at: dt.datetime | None = None
    reason: str = ""
    channels_requested: int | None = None
    channels_live: int = 0
    viewers_total: int = 0
    latency_ms: int | None = None
    unobserved_channel_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "observed_at", _check_aware("observed_at", self.observed_at))
        object.__setattr__(self, "requested_at", _check_aware("requested_at", self.requested_at))
        if self.outcome not in POLL_OUTCOMES:
            raise ValueError(f"outcome must be one of {POLL_OUTCOMES}, got {self.outcome!r}")
        for name in ("channels_requested", "channels_live", "viewers_total", "latency_ms"):
            _check_count(name, getattr(self, name))
        object.__setattr__(
            self, "unobserved_channel_ids", tuple(str(i) for i in self.unobserved_channel_ids)
        )


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class SampleRecord:
    """The viewer count of one live channel in one poll; the poll gives the time.

    Empty strings are Twitch's own values for a stream without a category or title.
    """

    channel_id: str
    channel_login: str
    viewer_count: int
    stream_id: str = ""
    started_at: dt.datetime | None = None
    game_id: str = ""
    game_name: str = ""
    title: str = ""

    def __post_init__(self) -> None:
        if not self.channel_id:
            raise ValueError("channel_id must not be empty")
        _check_count("viewer_count", self.viewer_count)
        object.__setattr__(self, "started_at", _check_aware("started_at", self.started_at))


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ChannelRecord:
    """A channel's login and profile as seen at `observed_at`.

    None for `display_name` or `profile_image_url` keeps the stored value. A login different
    from the stored one is a rename and starts a new row in the login history.
    """

    channel_id: str
    login: str
    observed_at: dt.datetime
    display_name: str | None = None
    profile_image_url: str | None = None
    status: ChannelStatus = "active"

    def __post_init__(self) -> None:
        if not self.channel_id:
            raise ValueError("channel_id must not be empty")
        if not self.login:
            raise ValueError(f"login of channel {self.channel_id!r} must not be empty")
        if self.status not in CHANNEL_STATUSES:
            raise ValueError(f"status must be one of {CHANNEL_STATUSES}, got {self.status!r}")
        object.__setattr__(self, "observed_at", _check_aware("observed_at", self.observed_at))


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class FollowerRecord:
    """A channel's follower total read at `observed_at`; None when the read failed."""

    channel_id: str
    observed_at: dt.datetime
    followers: int | None

    def __post_init__(self) -> None:
        if not self.channel_id:
            raise ValueError("channel_id must not be empty")
        _check_count("followers", self.followers)
        object.__setattr__(self, "observed_at", _check_aware("observed_at", self.observed_at))


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class GameRecord:
    """A Twitch category. None for `box_art_url` keeps the stored value."""

    game_id: str
    name: str
    box_art_url: str | None = None

    def __post_init__(self) -> None:
        if not self.game_id:
            raise ValueError("game_id must not be empty")
