"""Reading Twitch's `Ratelimit-*` headers and turning them into waits."""

from __future__ import annotations

import datetime as dt

import httpx

from twitchstats._helix._models import RateLimit


def _header_int(headers: httpx.Headers, name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


def parse_rate_limit(headers: httpx.Headers) -> RateLimit | None:
    """Read the rate-limit headers, or return None when the response has none of them.

    A missing or invalid header leaves its field None, because Twitch sometimes omits them.
    """
    limit = _header_int(headers, "Ratelimit-Limit")
    remaining = _header_int(headers, "Ratelimit-Remaining")
    reset_epoch = _header_int(headers, "Ratelimit-Reset")
    if limit is None and remaining is None and reset_epoch is None:
        return None

    reset_at = None
    if reset_epoch is not None and reset_epoch >= 0:
        try:
            reset_at = dt.datetime.fromtimestamp(reset_epoch, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            reset_at = None
    return RateLimit(limit=limit, remaining=remaining, reset_at=reset_at)


def seconds_until_reset(rate_limit: RateLimit | None, now: float) -> float | None:
    """Return the seconds from `now` (epoch seconds) to the reset, or None without a reset time.

    The result is never negative: a reset in the past gives 0.
    """
    if rate_limit is None or rate_limit.reset_at is None:
        return None
    return max(0.0, rate_limit.reset_at.timestamp() - now)


def exhausted_wait(rate_limit: RateLimit | None, now: float) -> float:
    """Return how long to wait before the next request because no points are left, else 0."""
    if rate_limit is None or rate_limit.remaining is None or rate_limit.remaining > 0:
        return 0.0
    return seconds_until_reset(rate_limit, now) or 0.0
