"""Retry decisions, the time budget of a request, and the mapping of failures to exceptions.

Nothing here does I/O. The flows in `_base` ask these functions whether and how long to wait,
and which exception to raise when they give up.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import random
from collections.abc import Iterable

import httpx

from twitchstats._exceptions import (
    AuthenticationError,
    BadRequestError,
    HelixError,
    HelixStatusError,
    HelixTimeoutError,
    HelixTransportError,
    InvalidResponseError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from twitchstats._helix._config import RetryPolicy
from twitchstats._helix._ratelimit import parse_rate_limit

# Headers that describe the original encoded body, dropped when a response is copied with its
# decoded body.
_BODY_HEADERS = ("content-encoding", "content-length", "transfer-encoding")
_REDACTED = "[redacted]"
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Advice for a 404 message, by the setting that the URL comes from.
_NOT_FOUND_HINTS = {
    "base_url": "if the resource should exist, check base_url, which must be the Helix root "
    "ending in /helix, such as https://api.twitch.tv/helix",
    "auth_base_url": "check auth_base_url, which must be the OAuth root that serves /token and "
    "/validate, such as https://id.twitch.tv/oauth2",
}


class FailureKind(enum.Enum):
    """Kinds of attempt failure that the client retries."""

    TIMEOUT = "timeout"
    TRANSPORT = "transport"
    SERVER = "server"
    RATE_LIMIT = "rate_limit"
    INVALID_BODY = "invalid_body"


@dataclasses.dataclass(frozen=True, slots=True)
class AttemptFailure:
    """One failed attempt that may be retried.

    Attributes:
        kind: what went wrong.
        detail: short description for logs and messages ("HTTP 503", "ReadTimeout").
        response: the response, None when no response came.
        cause: the httpx error, None when a response came.
    """

    kind: FailureKind
    detail: str
    response: httpx.Response | None = None
    cause: httpx.RequestError | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Budget:
    """Time budget of one request, measured with the client's clock in seconds."""

    started_at: float
    total_seconds: float
    attempt_seconds: float

    def elapsed(self, now: float) -> float:
        """Return the seconds spent since the request started (never negative)."""
        return max(0.0, now - self.started_at)

    def room_for_wait(self, now: float) -> float:
        """Return the longest wait after which one more full attempt still fits the budget."""
        return max(0.0, self.total_seconds - self.elapsed(now) - self.attempt_seconds)


def classify(result: httpx.Response | httpx.RequestError) -> AttemptFailure | None:
    """Return the retryable failure of an attempt, or None when the response is final.

    A final response is any 2xx (its body is checked separately) and any 4xx other than 429.
    """
    if isinstance(result, httpx.TimeoutException):
        return AttemptFailure(FailureKind.TIMEOUT, type(result).__name__, cause=result)
    if isinstance(result, httpx.RequestError):
        return AttemptFailure(FailureKind.TRANSPORT, type(result).__name__, cause=result)

    status = result.status_code
    if status == 429:
        return AttemptFailure(FailureKind.RATE_LIMIT, "HTTP 429", response=result)
    if status >= 500:
        return AttemptFailure(FailureKind.SERVER, f"HTTP {status}", response=result)
    return None


def backoff_seconds(policy: RetryPolicy, retry_number: int, rng: random.Random) -> float:
    """Return the jittered back-off before retry number `retry_number` (1 for the first retry)."""
    ceiling = min(
        policy.backoff_max_seconds,
        policy.backoff_initial_seconds * 2.0 ** (retry_number - 1),
    )
    return rng.uniform(ceiling / 2.0, ceiling)


def twitch_message(response: httpx.Response) -> str:
    """Return the `message` of a Twitch error body, or "" when the body has none."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return ""
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return ""


def redacted_request(request: httpx.Request) -> httpx.Request:
    """Copy a request for an exception: `Authorization` replaced and the body left out.

    The body of a token request contains the client secret, and the header contains the token.
    """
    headers = httpx.Headers(request.headers)
    if "authorization" in headers:
        headers["authorization"] = _REDACTED
    for name in _BODY_HEADERS:
        headers.pop(name, None)
    return httpx.Request(request.method, request.url, headers=headers)


def detached_response(response: httpx.Response, *, keep_body: bool = True) -> httpx.Response:
    """Copy a response for an exception, linked to the redacted copy of its request.

    `keep_body=False` drops the body, for token responses whose body contains a token.
    """
    headers = httpx.Headers(response.headers)
    for name in _BODY_HEADERS:
        headers.pop(name, None)
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=response.content if keep_body else b"",
        request=redacted_request(response.request),
    )


def display_url(url: httpx.URL) -> str:
    """Return scheme, host, port and path of `url`, leaving out user info, query and fragment.

    The port is always included, so a message shows exactly where a connection went. The query
    and the user info are left out because they can carry credentials.
    """
    host = f"[{url.host}]" if ":" in url.host else url.host
    port = url.port or _DEFAULT_PORTS.get(url.scheme, 0)
    return f"{url.scheme}://{host}:{port}{url.path}"


def describe_timeout(timeout: httpx.Timeout) -> str:
    """Return the phase timeouts as text: "0.5 s per phase", or each phase when they differ."""
    phases = {
        "connect": timeout.connect,
        "read": timeout.read,
        "write": timeout.write,
        "pool": timeout.pool,
    }
    values = set(phases.values())
    if len(values) == 1:
        (value,) = values
        return "no timeout" if value is None else f"timeout {value:g} s per phase"
    parts = [
        f"{name} {'none' if value is None else f'{value:g} s'}" for name, value in phases.items()
    ]
    return "timeouts " + ", ".join(parts)


def _without_secrets(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, _REDACTED)
    return text


def give_up_error(
    failure: AttemptFailure,
    *,
    endpoint: str,
    request: httpx.Request,
    setting: str,
    timeout: httpx.Timeout,
    attempts: int,
    elapsed: float,
    reason: str = "",
    secrets: Iterable[str] = (),
) -> HelixError:
    """Build the exception for a request that failed its last attempt.

    `setting` names the client argument that the request URL comes from ("base_url" or
    "auth_base_url"). `reason` explains why no further attempt was made, when it was not the
    attempt limit. Any of `secrets` found in the httpx error message is replaced, and the
    httpx error itself is not attached, because its request carries the credentials.
    """
    tried = f"{attempts} attempt{'s' if attempts != 1 else ''} in {elapsed:.1f} s"
    reason_suffix = f" ({reason})" if reason else ""
    safe_request = redacted_request(request)
    url = display_url(request.url)

    if failure.kind is FailureKind.TIMEOUT:
        return HelixTimeoutError(
            f"{endpoint} timed out after {tried} ({describe_timeout(timeout)}, last error "
            f"{failure.detail}){reason_suffix}; the server at {url} (from {setting}) did not "
            "respond in time. Try again later, or pass a larger timeout= if the server is slow"
        )
    if failure.kind is FailureKind.TRANSPORT:
        cause = _without_secrets(str(failure.cause), secrets) if failure.cause else ""
        cause_suffix = f": {cause}" if cause else ""
        return HelixTransportError(
            f"{endpoint} failed without an HTTP response after {tried}{reason_suffix} "
            f"({failure.detail}{cause_suffix}); could not exchange a request with {url} (from "
            f"{setting}). Check the network and that {setting} points at a reachable server"
        )

    assert failure.response is not None  # every other kind comes with a response
    response = detached_response(failure.response)
    message = twitch_message(failure.response)
    message_suffix = f": {message}" if message else ""
    if failure.kind is FailureKind.RATE_LIMIT:
        rate_limit = parse_rate_limit(failure.response.headers)
        reset_at = rate_limit.reset_at if rate_limit else None
        when = f"the rate limit resets at {reset_at.isoformat()}" if reset_at else "no reset time"
        return RateLimitError(
            f"{endpoint} was rate limited (HTTP 429{message_suffix}) after {tried}"
            f"{reason_suffix}; {when}. Another process may share this client id",
            request=safe_request,
            response=response,
            twitch_message=message,
            reset_at=reset_at,
        )
    if failure.kind is FailureKind.SERVER:
        return ServerError(
            f"{endpoint} failed with {failure.detail}{message_suffix} after {tried}"
            f"{reason_suffix}; the server at {url} is having trouble, try again later",
            request=safe_request,
            response=response,
            twitch_message=message,
        )
    return InvalidResponseError(
        f"{endpoint} returned an invalid body ({failure.detail}) after {tried}{reason_suffix}",
        request=safe_request,
        response=response,
    )


def status_error(response: httpx.Response, *, endpoint: str, setting: str) -> HelixStatusError:
    """Build the exception for a final error status (4xx other than 429, or an unexpected 3xx).

    `setting` names the client argument that the request URL comes from. A 404 message
    advises the caller to check it.
    """
    message = twitch_message(response)
    message_suffix = f": {message}" if message else ""
    status = response.status_code
    text = f"{endpoint} failed with HTTP {status}{message_suffix}"
    error_class: type[HelixStatusError] = {
        400: BadRequestError,
        401: AuthenticationError,
        404: NotFoundError,
    }.get(status, HelixStatusError)
    advice = {
        400: "; check the request parameters",
        401: "; check the client id and the token",
        404: f" (URL {display_url(response.request.url)}); {_NOT_FOUND_HINTS.get(setting, '')}",
    }.get(status, "")
    return error_class(
        f"{text}{advice}",
        request=redacted_request(response.request),
        response=detached_response(response),
        twitch_message=message,
    )
