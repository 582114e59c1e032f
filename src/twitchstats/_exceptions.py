"""Exceptions raised by twitchstats.

Every exception the library raises on purpose derives from `TwitchStatsError`, so a caller can
catch everything with one clause and still tell the cases apart:

```
TwitchStatsError
├── ConfigurationError          invalid settings, missing credentials, bad config files
├── HelixError                  anything that went wrong talking to the Twitch Helix API
│   ├── HelixTransportError     no usable HTTP exchange after the retries (connect errors)
│   │   └── HelixTimeoutError   the request timed out, or hung, on every attempt
│   ├── HelixStatusError        Twitch responded with an error status (carries request/response)
│   │   ├── AuthenticationError 401 that survived one token re-mint, or rejected credentials
│   │   ├── BadRequestError     400: a parameter Twitch does not accept
│   │   ├── NotFoundError       404
│   │   ├── RateLimitError      429 after waiting for the reset, or a reset too far away (reset_at)
│   │   └── ServerError         5xx on every attempt
│   └── InvalidResponseError    a body that is not the JSON Twitch documents (HTML, garbage)
├── StorageError                the database could not be opened, written or migrated
│   ├── SchemaVersionError      the database schema is newer than this version of the library
│   └── SampleImportError       rows of an imported file are invalid (carries the line numbers)
├── MetricsError                input to the metrics engine that cannot give a correct number
└── ChartError                  a chart could not be built or exported
    ├── ChromiumNotFoundError   kaleido found no Chromium to render with
    └── ExportTimeoutError      one image export took longer than its timeout
```

Messages never contain access tokens, client secrets or full request headers.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "ChartError",
    "ChromiumNotFoundError",
    "ConfigurationError",
    "ExportTimeoutError",
    "HelixError",
    "HelixStatusError",
    "HelixTimeoutError",
    "HelixTransportError",
    "InvalidResponseError",
    "MetricsError",
    "NotFoundError",
    "RateLimitError",
    "SampleImportError",
    "SchemaVersionError",
    "ServerError",
    "StorageError",
    "TwitchStatsError",
]


class TwitchStatsError(Exception):
    """Base class of every exception that twitchstats raises on purpose."""


class ConfigurationError(TwitchStatsError):
    """Invalid settings, missing credentials or an invalid configuration file."""


class HelixError(TwitchStatsError):
    """A call to the Twitch Helix API failed."""


class HelixTransportError(HelixError):
    """No HTTP exchange completed: connection refused, reset or unreachable, on every attempt.

    The message names the URL, the setting it comes from (`base_url` or `auth_base_url`) and
    the type of the last httpx error, with its message except for timeouts. That httpx error is
    not chained as `__cause__` or `__context__`, because its request carries the token or the
    client secret.
    """


class HelixTimeoutError(HelixTransportError):
    """The request timed out on every attempt. The message gives the configured timeout.

    It subclasses `HelixTransportError`, so an `except HelixTimeoutError` clause must come
    before an `except HelixTransportError` clause to be reached.
    """


class HelixStatusError(HelixError):
    """Twitch responded with an error status.

    Attributes:
        request: the request that was sent (its `Authorization` header is never shown).
        response: the last response received.
        status_code: the HTTP status of `response`.
        twitch_message: the `message` field of Twitch's error body, or "" when absent.
    """

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request,
        response: httpx.Response,
        twitch_message: str = "",
    ) -> None:
        super().__init__(message)
        self.request = request
        self.response = response
        self.status_code = response.status_code
        self.twitch_message = twitch_message


class AuthenticationError(HelixStatusError):
    """Twitch rejected the credentials, or a 401 came back after one token re-mint."""


class BadRequestError(HelixStatusError):
    """Twitch rejected a parameter (HTTP 400)."""


class NotFoundError(HelixStatusError):
    """The requested resource does not exist (HTTP 404).

    `get_videos` does not raise it: Helix returns 404 when none of the requested video ids
    exists, which `get_videos` returns as an empty list. On other endpoints a 404 can mean that
    `base_url` does not end with `/helix`, which the message points out.
    """


class RateLimitError(HelixStatusError):
    """HTTP 429 persisted after waiting for the rate-limit reset.

    It is also raised at once, without waiting, when the reset is further away than
    `RetryPolicy.max_rate_limit_wait_seconds` or than the time budget allows.

    Attributes:
        reset_at: when the rate-limit bucket refills (timezone-aware UTC), or None when the
            response carried no `Ratelimit-Reset` header.
    """

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request,
        response: httpx.Response,
        twitch_message: str = "",
        reset_at: dt.datetime | None = None,
    ) -> None:
        super().__init__(message, request=request, response=response, twitch_message=twitch_message)
        self.reset_at = reset_at


class ServerError(HelixStatusError):
    """Twitch responded with a 5xx status on every attempt."""


class InvalidResponseError(HelixError):
    """The body was not the JSON that Twitch documents, or an item in it failed validation.

    Bodies that are not JSON (an HTML error page, truncated JSON) are retried first. An item
    that fails validation (a missing field, a duration in an unknown format) is raised at once,
    and the message names the item and the field.

    Attributes:
        request: the request that was sent.
        response: the response whose body could not be used.
    """

    def __init__(self, message: str, *, request: httpx.Request, response: httpx.Response) -> None:
        super().__init__(message)
        self.request = request
        self.response = response


class StorageError(TwitchStatsError):
    """The database could not be opened, read, written or migrated."""


class SchemaVersionError(StorageError):
    """The database was written by a newer twitchstats than the one running."""


class SampleImportError(StorageError):
    """An imported file has invalid rows; nothing from it was stored.

    Attributes:
        errors: `(line_number, message)` pairs, line numbers counted from 1 with the header as
            line 1.
    """

    def __init__(self, message: str, *, errors: list[tuple[int, str]]) -> None:
        super().__init__(message)
        self.errors = errors


class MetricsError(TwitchStatsError):
    """Input to the metrics engine that cannot give a correct number."""


class ChartError(TwitchStatsError):
    """A chart could not be built or exported."""


class ChromiumNotFoundError(ChartError):
    """kaleido found no Chromium to render static images with."""


class ExportTimeoutError(ChartError):
    """One static image export took longer than its timeout."""
