"""The asynchronous Helix client."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from types import TracebackType
from typing import Self, TypeVar, cast

import anyio
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


class AsyncHelixClient(BaseHelixClient):
    """Asynchronous client of the Twitch Helix API, the twin of `HelixClient`.

    It takes the same arguments, behaves the same and shares all non-I/O code with
    `HelixClient`. Only `transport` (an `httpx.AsyncBaseTransport`) and `sleep` (a coroutine
    function) differ. Concurrent calls share the token. When several calls start before the
    first token exists, each may mint one, which costs a request but is harmless.

    Raises:
        ConfigurationError: as for `HelixClient`: a missing credential, an invalid URL,
            timeout or `retry`.

    NOTE: the tests run it on asyncio only. The default sleep is `anyio.sleep`, so trio should
    work too, but nothing checks it.

    Example:
        ```python
        async with AsyncHelixClient() as client:
            streams = await client.get_streams(user_ids=["141981764"])
        ```
    """

    _http: httpx.AsyncClient

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
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
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
        self._http = httpx.AsyncClient(
            transport=transport, timeout=self._timeout, headers=self._default_headers()
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections.

        Later calls that would send a request raise `RuntimeError` saying that the client is
        closed.
        """
        await self._http.aclose()

    # --- driver -----------------------------------------------------------------------------

    async def _perform(self, step: Step) -> StepResult:
        if isinstance(step, SendRequest):
            if self._http.is_closed:
                raise self._closed_error()
            try:
                return await self._http.send(step.request)
            except httpx.RequestError as exc:
                return exc
        if isinstance(step, Sleep):
            await self._sleep(step.seconds)
            return None
        raise RuntimeError(f"unexpected step {step!r} outside an iterator")

    async def _run(self, flow: Flow[_T]) -> _T:
        result: StepResult = None
        try:
            while True:
                try:
                    step = flow.send(result)
                except StopIteration as stop:
                    return cast(_T, stop.value)
                result = await self._perform(step)
        finally:
            flow.close()

    async def _iterate(self, flow: Flow[None]) -> AsyncIterator[object]:
        result: StepResult = None
        try:
            while True:
                try:
                    step = flow.send(result)
                except StopIteration:
                    return
                if isinstance(step, Emit):
                    for item in step.items:
                        yield item
                    result = None
                else:
                    result = await self._perform(step)
        finally:
            flow.close()

    # --- endpoints --------------------------------------------------------------------------

    async def get_streams(self, *, user_ids: Iterable[str]) -> list[Stream]:
        """Get the live streams of these channels, 100 ids per request.

        Behaves as `HelixClient.get_streams`: offline channels are absent, and a failure
        raises instead of returning a partial list. No ids give [] without a request.

        Raises:
            TypeError: `user_ids` is one string, or an id is not a string (such as an int).
            ValueError: an id is not a string of digits.
            HelixError: the request failed after the retries (see the subclasses).
            RuntimeError: the client is closed.
        """
        return await self._run(self._streams_flow(user_ids))

    async def get_users(self, *, ids: Iterable[str] = (), logins: Iterable[str] = ()) -> list[User]:
        """Get users by id and by login, 100 values per request.

        Unknown, suspended and deleted users are absent. No ids and no logins give [] without
        a request.

        Raises:
            TypeError: `ids` or `logins` is one string, or an id is not a string.
            ValueError: an id is not a string of digits, or a login is not a valid login.
            HelixError: a request failed after the retries.
            RuntimeError: the client is closed.
        """
        return await self._run(self._users_flow(ids, logins))

    async def get_games(self, *, ids: Iterable[str] = (), names: Iterable[str] = ()) -> list[Game]:
        """Get games (categories) by id and by exact name, 100 values per request.

        No ids and no names give [] without a request.

        Raises:
            TypeError: `ids` or `names` is one string, or an id is not a string.
            ValueError: an id is not a string of digits, or a name is empty.
            HelixError: a request failed after the retries.
            RuntimeError: the client is closed.
        """
        return await self._run(self._games_flow(ids, names))

    async def get_videos(self, *, ids: Iterable[str]) -> list[Video]:
        """Get videos by id, 100 ids per request. Unknown or deleted videos are absent.

        A 404 for a request in which none of the ids exists gives no videos instead of
        `NotFoundError`.

        Raises:
            TypeError: `ids` is one string, or an id is not a string.
            ValueError: an id is not a string of digits.
            HelixError: a request failed after the retries.
            RuntimeError: the client is closed.
        """
        return await self._run(self._videos_flow(ids))

    def iter_videos(
        self, *, user_id: str, type: str = "archive", max_pages: int = DEFAULT_MAX_PAGES
    ) -> AsyncIterator[Video]:
        """Iterate over a channel's videos with `async for`, newest first, 100 per page.

        Pagination stops as in `HelixClient.iter_videos`.

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
        return cast(AsyncIterator[Video], self._iterate(flow))

    async def get_follower_total(self, broadcaster_id: str) -> int:
        """Get the number of followers of a channel, never 0 in place of a failure.

        Raises:
            TypeError: `broadcaster_id` is not a string.
            ValueError: `broadcaster_id` is not a string of digits.
            HelixError: the request failed after the retries.
            RuntimeError: the client is closed.
        """
        return await self._run(self._follower_total_flow(broadcaster_id))
