"""Faults that the fake Helix server injects: a list of rules matched against each request."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import threading
from collections.abc import Mapping
from typing import Any

__all__ = ["FakeHelixFault", "FaultKind", "FaultPlan"]


class FaultKind(enum.StrEnum):
    """Effect of a fault on a matching request."""

    SERVER_ERROR = "server_error"
    """Respond `status` (5xx): an HTML page for 502-504, Twitch's JSON error body otherwise."""
    RATE_LIMIT = "rate_limit"
    """Respond 429 with `Ratelimit-*` headers that reset `retry_after_seconds` later."""
    RATE_LIMIT_NO_HEADERS = "rate_limit_no_headers"
    """Respond 429 without any `Ratelimit-*` header."""
    REVOKE_TOKEN = "revoke_token"  # noqa: S105 - a fault name, not a secret
    """Revoke every access token issued so far and respond 401; a newly minted token works."""
    SLOW = "slow"
    """Respond normally after `delay_seconds` of real time."""
    HANG = "hang"
    """Hold the connection for `delay_seconds` of real time, then close it without a response."""
    DROP_CONNECTION = "drop_connection"
    """Close the connection without a response."""
    INVALID_BODY = "invalid_body"
    """Respond 200 with a truncated JSON body."""
    CURSOR_LOOP = "cursor_loop"
    """On a paginated endpoint, the last page's cursor points back to the first page."""
    DUPLICATE_ACROSS_PAGES = "duplicate_across_pages"
    """On a paginated endpoint, each page after the first repeats the previous page's last item."""
    SHORT_PAGES = "short_pages"
    """On a paginated endpoint, pages contain at most `page_size` items, whatever `first` is."""


# Kinds that replace the response. The others change how a normal response is built.
BLOCKING_KINDS = frozenset(
    {
        FaultKind.SERVER_ERROR,
        FaultKind.RATE_LIMIT,
        FaultKind.RATE_LIMIT_NO_HEADERS,
        FaultKind.REVOKE_TOKEN,
        FaultKind.HANG,
        FaultKind.DROP_CONNECTION,
        FaultKind.INVALID_BODY,
    }
)
PAGINATION_KINDS = frozenset(
    {FaultKind.CURSOR_LOOP, FaultKind.DUPLICATE_ACROSS_PAGES, FaultKind.SHORT_PAGES}
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class FakeHelixFault:
    """One fault rule of the fake Helix server.

    A rule matches a request whose path starts with `path` while the server clock is in
    `[start, end)` (an open bound matches any time), for at most `count` requests (None: all).

    Attributes:
        kind: the effect on a matching request.
        path: path prefix, for example "/helix/streams", "/helix" or "/oauth2/token".
        start: first moment of the window on the server clock, timezone-aware.
        end: end of the window (excluded), timezone-aware.
        count: how many requests the rule affects before it is used up.
        status: HTTP status for `server_error`.
        delay_seconds: real seconds to wait for `slow` and `hang`.
        retry_after_seconds: how far in the future `rate_limit` puts `Ratelimit-Reset`.
        page_size: largest page for the pagination kinds; None keeps the request's `first`.
    """

    kind: FaultKind
    path: str = "/helix"
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    count: int | None = None
    status: int = 503
    delay_seconds: float = 30.0
    retry_after_seconds: int = 2
    page_size: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", FaultKind(self.kind))
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"fault {name} {value.isoformat()} needs a time zone (use UTC)")
        if self.count is not None and self.count < 1:
            raise ValueError(f"fault count must be at least 1 or None, got {self.count}")
        if self.kind is FaultKind.SERVER_ERROR and not 500 <= self.status <= 599:
            raise ValueError(f"server_error status must be 5xx, got {self.status}")
        if self.page_size is not None and self.page_size < 1:
            raise ValueError(f"page_size must be at least 1, got {self.page_size}")

    def to_json(self) -> dict[str, Any]:
        """Return the rule as JSON-ready values (datetimes as ISO 8601 strings)."""
        data = dataclasses.asdict(self)
        data["kind"] = self.kind.value
        for name in ("start", "end"):
            value = getattr(self, name)
            data[name] = None if value is None else value.isoformat()
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FakeHelixFault:
        """Build a rule from `to_json()` output; raise `ValueError` on unknown keys or values."""
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown fault keys {unknown}; known keys are {sorted(known)}")
        values = dict(data)
        for name in ("start", "end"):
            if values.get(name) is not None:
                values[name] = dt.datetime.fromisoformat(str(values[name]))
        try:
            values["kind"] = FaultKind(str(values.get("kind")))
        except ValueError:
            kinds = [kind.value for kind in FaultKind]
            raise ValueError(
                f"unknown fault kind {data.get('kind')!r}; use one of {kinds}"
            ) from None
        return cls(**values)


class FaultPlan:
    """The server's fault rules and how many requests each one has affected."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[tuple[FakeHelixFault, list[int]]] = []

    def add(self, *faults: FakeHelixFault) -> None:
        """Append rules; earlier rules win when two blocking rules match."""
        with self._lock:
            self._rules.extend((fault, [0]) for fault in faults)

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[tuple[FakeHelixFault, int]]:
        """Return each rule with the number of requests it has affected."""
        with self._lock:
            return [(fault, used[0]) for fault, used in self._rules]

    def match(self, path: str, at: dt.datetime) -> list[FakeHelixFault]:
        """Return the rules that apply to a request for `path` at `at` and count them as used.

        At most one blocking rule is returned (the first that matches), because only one can
        replace the response.
        """
        matched: list[FakeHelixFault] = []
        blocked = False
        with self._lock:
            for fault, used in self._rules:
                if not path.startswith(fault.path):
                    continue
                if fault.start is not None and at < fault.start:
                    continue
                if fault.end is not None and at >= fault.end:
                    continue
                if fault.count is not None and used[0] >= fault.count:
                    continue
                if fault.kind in BLOCKING_KINDS:
                    if blocked:
                        continue
                    blocked = True
                used[0] += 1
                matched.append(fault)
        return matched
