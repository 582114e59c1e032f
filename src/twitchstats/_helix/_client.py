"""The synchronous Helix client."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Self, TypeVar, cast

import httpx

from twitchstats._helix._base import DEFAULT_MAX_PAGES, BaseHelixClient
from twitchstats._helix._config import (
    DEFAULT_AUTH_BASE_URL,
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT_SECONDS,
    RetryPolicy,
)
from twitchstats._helix._flow import Emit, Flow, SendRequest, Sleep, Step, StepResult
from twitchstats._helix._models import Game, Stream, User, Video

_T = TypeVar("_T")


class HelixClient(BaseHelixClient):
    """Synchronous client of the Twitch Helix API with an app access token.

    The client mints an app access token with the client-credentials grant on first use, keeps
    it, validates it hourly and mints a new one when Twitch rejects it. It retries timeouts,
    connection errors, 5xx responses and bodies that are not JSON with jittered exponential
    back-off, and waits for the rate-limit reset on 429 and when no points are left, all inside
    the time budget of `retry`. What it cannot recover from is raised as a `HelixError`
    subclass. Constructing the client does no network I/O. It is not thread-safe: use one per
    thread.

    Args:
        client_id: application client id. Defaults to the `TWITCH_CLIENT_ID` variable.
        client_secret: application client secret. Defaults to `TWITCH_CLIENT_SECRET`.
        access_token: an app access token minted elsewhere. Without a client secret the client
            cannot replace it when Twitch rejects it.
        base_url: Helix root URL, for example a local fake server.
        auth_base_url: OAuth root URL that serves `/token` and `/validate`.
        timeout: seconds for each phase of one HTTP request, or an `httpx.Timeout`.
        retry: retry and waiting limits, `RetryPolicy()` when None.
        transport: httpx transport to send requests with, for tests and proxies.
        sleep: blocking sleep function, in seconds.
        clock: function returning the current time in seconds since the epoch. It measures
            budgets and rate-limit resets, so a test can pass a fake clock with a fake sleep.

    Attributes:
        last_rate_limit: rate-limit state from the latest Helix response that had the headers.
        last_request: `RequestStats` of the latest Helix request (page), successful or not.

    Raises:
        ConfigurationError: a credential is missing, a URL is invalid, `timeout` is not a
            positive number of seconds or an `httpx.Timeout`, or `retry` is not a
            `RetryPolicy`. An invalid `RetryPolicy` raises it when the policy is built.

    Example:
        ```python
        with HelixClient() as client:  # reads TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET
            for stream in client.get_streams(user_ids=["141981764"]):
                print(stream.user_login, stream.viewer_count)
        ```
    """

    _http: httpx.Client

    def __init__(
        self,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        access_token: str | None = None,
        base_url: str = DEFAULT_BASE_URL,
        auth_base_url: str = DEFAULT_AUTH_BASE_URL,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT_SECONDS,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(
            client_id=client_id,
            client_secret=client_secret,
            access_token=access_token,
            base_url=base_url,
            auth_base_url=auth_base_url,
            timeout=timeout,
            retry=retry,
            clock=clock,
        )
        self._sleep = sleep
        self._http = httpx.Client(
            transport=transport, timeout=self._timeout, headers=self._default_headers()
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections.

        Later calls that would send a request raise `RuntimeError` saying that the client is
        closed.
        """
        self._http.close()

    # --- driver -----------------------------------------------------------------------------

    def _perform(self, step: Step) -> StepResult:
        if isinstance(step, SendRequest):
            if self._http.is_closed:
                raise self._closed_error()
            try:
                return self._http.send(step.request)
            except httpx.RequestError as exc:
                return exc
        if isinstance(step, Sleep):
            self._sleep(step.seconds)
            return None
        raise RuntimeError(f"unexpected step {step!r} outside an iterator")

    def _run(self, flow: Flow[_T]) -> _T:
        result: StepResult = None
        try:
            while True:
                try:
                    step = flow.send(result)
                except StopIteration as stop:
                    return cast(_T, stop.value)
                result = self._perform(step)
        finally:
            flow.close()

    def _iterate(self, flow: Flow[None]) -> Iterator[object]:
        result: StepResult = None
        try:
            while True:
                try:
                    step = flow.send(result)
                except StopIteration:
                    return
                if isinstance(step, Emit):
                    yield from step.items
                    result = None
                else:
                    result = self._perform(step)
        finally:
            flow.close()

    # --- endpoints --------------------------------------------------------------------------

    def get_streams(self, *, user_ids: Iterable[str]) -> list[Stream]:
        """Get the live streams of these channels.

        Sends one request per 100 ids with `first=100`, follows each batch's cursor and keeps
        each stream id once. An offline channel, or an id that no longer exists, is simply
        absent from the result. A failure raises instead of returning a partial list, so a
        caller never mistakes an error for offline channels.

        Args:
            user_ids: channel (user) ids, strings of digits. Duplicates are sent once.

        Returns:
            The live streams, in the order Twitch returned them. No ids give [] without a
            request.

        Raises:
            TypeError: `user_ids` is one string, or an id is not a string (such as an int).
            ValueError: an id is not a string of digits.
            HelixError: the request failed after the retries (see the subclasses).
            RuntimeError: the client is closed.
        """
        return self._run(self._streams_flow(user_ids))

    def get_users(self, *, ids: Iterable[str] = (), logins: Iterable[str] = ()) -> list[User]:
        """Get users by id and by login, 100 values per request.

        Unknown, suspended and deleted users are absent from the result. Logins are matched
        case-insensitively. Called with no ids and no logins, it returns [] without sending a
        request.

        Raises:
            TypeError: `ids` or `logins` is one string, or an id is not a string.
            ValueError: an id is not a string of digits, or a login is not a valid login.
            HelixError: a request failed after the retries.
            RuntimeError: the client is closed.
        """
        return self._run(self._users_flow(ids, logins))

    def get_games(self, *, ids: Iterable[str] = (), names: Iterable[str] = ()) -> list[Game]:
        """Get games (categories) by id and by exact name, 100 values per request.

        Called with no ids and no names, it returns [] without a request.

        Raises:
            TypeError: `ids` or `names` is one string, or an id is not a string.
            ValueError: an id is not a string of digits, or a name is empty.
            HelixError: a request failed after the retries.
            RuntimeError: the client is closed.
        """
        return self._run(self._games_flow(ids, names))

    def get_videos(self, *, ids: Iterable[str]) -> list[Video]:
        """Get videos by id, 100 ids per request. Unknown or deleted videos are absent.

        Helix returns 404 when none of the ids in a request exists, which this method returns
        as no videos instead of raising `NotFoundError`. No ids give [] without a request.

        Raises:
            TypeError: `ids` is one string, or an id is not a string.
            ValueError: an id is not a string of digits.
            HelixError: a request failed after the retries.
            RuntimeError: the client is closed.
        """
        return self._run(self._videos_flow(ids))

    def iter_videos(
        self, *, user_id: str, type: str = "archive", max_pages: int = DEFAULT_MAX_PAGES
    ) -> Iterator[Video]:
        """Iterate over a channel's videos, newest first, 100 per page.

        Requests are sent while iterating. Pagination stops at the last page, on an empty page,
        on a cursor seen before and after `max_pages` pages (the last two log a warning). A
        video repeated on a later page is yielded once.

        Args:
            user_id: id of the channel.
            type: "archive" (past broadcasts), "highlight", "upload" or "all".
            max_pages: maximum pages to request.

        Raises:
            TypeError: `user_id` is not a string (raised by this call).
            ValueError: `user_id`, `type` or `max_pages` is invalid (raised by this call).
            RuntimeError: the client is closed (raised by this call, or while iterating when
                the client is closed during the iteration).
            HelixError: a request failed after the retries (raised while iterating).
        """
        if self._http.is_closed:
            raise self._closed_error()
        flow = self._video_pages_flow(user_id, type, max_pages)
        return cast(Iterator[Video], self._iterate(flow))

    def get_follower_total(self, broadcaster_id: str) -> int:
        """Get the number of followers of a channel.

        An app access token gets the `total` of `channels/followers`, which is all this reads.
        A failure raises and is never returned as 0, so that a caller can store it as missing.

        Raises:
            TypeError: `broadcaster_id` is not a string.
            ValueError: `broadcaster_id` is not a string of digits.
            HelixError: the request failed after the retries.
            RuntimeError: the client is closed.
        """
        return self._run(self._follower_total_flow(broadcaster_id))
