"""Everything the sync and async Helix clients share: configuration, tokens and flows.

The flows are generators that describe each operation as a sequence of steps (see `_flow`).
`HelixClient` and `AsyncHelixClient` only run those steps with their own HTTP client and sleep.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import random
from collections.abc import Callable, Iterable
from typing import TypeVar

import httpx
from pydantic import SecretStr

from twitchstats._exceptions import (
    AuthenticationError,
    ConfigurationError,
    HelixError,
    InvalidResponseError,
    NotFoundError,
)
from twitchstats._helix._auth import Credentials, TokenState, resolve_credentials
from twitchstats._helix._bodies import Record, parse_helix_body, parse_json_object, parse_records
from twitchstats._helix._checks import (
    VIDEO_TYPES,
    check_base_url,
    check_ids,
    check_logins,
    check_names,
)
from twitchstats._helix._config import (
    CLIENT_ID_ENV,
    CLIENT_SECRET_ENV,
    DEFAULT_MAX_PAGES,
    MAX_IDS_PER_REQUEST,
    PAGE_SIZE,
    STREAM_MAX_PAGES_PER_BATCH,
    RetryPolicy,
)
from twitchstats._helix._flow import Emit, Flow, collect, send, sleep
from twitchstats._helix._models import Game, RateLimit, RequestStats, Stream, User, Video
from twitchstats._helix._pagination import (
    CursorTracker,
    Envelope,
    InvalidBodyError,
    batches,
)
from twitchstats._helix._ratelimit import exhausted_wait, parse_rate_limit, seconds_until_reset
from twitchstats._helix._retry import (
    AttemptFailure,
    Budget,
    FailureKind,
    backoff_seconds,
    classify,
    detached_response,
    give_up_error,
    redacted_request,
    status_error,
    twitch_message,
)
from twitchstats._version import __version__

logger = logging.getLogger(__name__)

_T = TypeVar("_T")


@dataclasses.dataclass(slots=True)
class _Trace:
    """Running measurements of one Helix request, turned into `RequestStats` at its end."""

    endpoint: str
    started_at: float
    attempts: int = 0
    status_code: int | None = None
    latency_seconds: float | None = None
    rate_limit: RateLimit | None = None


class BaseHelixClient:
    """Configuration, token state and operation flows shared by both clients.

    Attributes:
        last_rate_limit: rate-limit state from the latest Helix response that had the headers.
        last_request: measurements of the latest Helix request, successful or not.
    """

    _http: httpx.Client | httpx.AsyncClient

    def __init__(
        self,
        *,
        client_id: str | None,
        client_secret: str | None,
        access_token: str | None,
        base_url: str,
        auth_base_url: str,
        timeout: float | httpx.Timeout,
        retry: RetryPolicy | None,
        clock: Callable[[], float],
    ) -> None:
        self._credentials: Credentials = resolve_credentials(
            client_id=client_id, client_secret=client_secret, access_token=access_token
        )
        self._base_url = check_base_url(base_url, "base_url")
        self._auth_base_url = check_base_url(auth_base_url, "auth_base_url")
        if not isinstance(timeout, httpx.Timeout):
            if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
                raise ConfigurationError(
                    f"invalid timeout {timeout!r}: expected a number of seconds > 0 or an "
                    "httpx.Timeout"
                )
            timeout = httpx.Timeout(timeout)
        self._timeout = timeout
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise ConfigurationError(
                f"invalid retry {retry!r}: expected a RetryPolicy, or None for the defaults"
            )
        self._retry = retry if retry is not None else RetryPolicy()
        self._clock = clock
        self._rng = random.Random()
        self._token_state = TokenState(token=self._credentials.access_token)

        # The budget arithmetic allows one attempt the maximum of the phase timeouts.
        phases = (
            self._timeout.connect,
            self._timeout.read,
            self._timeout.write,
            self._timeout.pool,
        )
        self._attempt_seconds = max((phase for phase in phases if phase is not None), default=0.0)

        self.last_rate_limit: RateLimit | None = None
        self.last_request: RequestStats | None = None

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(client_id={self._credentials.client_id!r}, "
            f"base_url={self._base_url!r}, auth_base_url={self._auth_base_url!r})"
        )

    def _secret_values(self) -> list[str]:
        """Return the client secret and the current token, to keep out of error messages."""
        secrets = [self._credentials.client_secret, self._token_state.token]
        return [secret.get_secret_value() for secret in secrets if secret is not None]

    def _closed_error(self) -> RuntimeError:
        """Build the error for a call on a closed client, instead of httpx's generic one."""
        name = type(self).__name__
        block, close = ("async with", "aclose") if name.startswith("Async") else ("with", "close")
        return RuntimeError(
            f"{name} is closed, so it cannot send requests; create a new client (a client closes "
            f"at the end of its `{block}` block and on {close}())"
        )

    def _default_headers(self) -> dict[str, str]:
        return {
            "Client-Id": self._credentials.client_id,
            "User-Agent": f"twitchstats/{__version__}",
            "Accept": "application/json",
        }

    # --- single exchanges with retries ------------------------------------------------------

    def _exchange(
        self,
        build: Callable[[], httpx.Request],
        budget: Budget,
        *,
        parse: Callable[[httpx.Response], _T],
        setting: str,
        trace: _Trace | None = None,
        max_attempts: int | None = None,
        give_up_level: int = logging.WARNING,
    ) -> Flow[tuple[httpx.Response, _T | None]]:
        """Send a request until it gets a final response, retrying what can be retried.

        Returns the final response with its parsed body, or with None when the status is not
        2xx. Raises the mapped `HelixError` when the retries or the budget run out, after
        logging one short line at `give_up_level`. The caller reports the error itself, so the
        library logs it below ERROR. `setting` names the client argument that the request URL
        comes from, for the error message.
        """
        limit = max_attempts or self._retry.max_attempts
        attempts = 0
        while True:
            attempts += 1
            request = build()
            endpoint = f"{request.method} {request.url.path}"
            started = self._clock()
            result = yield from send(request)
            finished = self._clock()

            if trace is not None:
                trace.attempts += 1
                if isinstance(result, httpx.Response):
                    trace.status_code = result.status_code
                    trace.latency_seconds = max(0.0, finished - started)
                    self._note_rate_limit(result, trace)

            failure = classify(result)
            if failure is None:
                assert isinstance(result, httpx.Response)  # classify() passes no error through
                if not result.is_success:
                    return result, None
                try:
                    return result, parse(result)
                except InvalidBodyError as exc:
                    failure = AttemptFailure(FailureKind.INVALID_BODY, str(exc), response=result)

            wait, reason = self._retry_wait(failure, attempts, limit, budget)
            if wait is None:
                error = give_up_error(
                    failure,
                    endpoint=endpoint,
                    request=request,
                    setting=setting,
                    timeout=self._timeout,
                    attempts=attempts,
                    elapsed=budget.elapsed(self._clock()),
                    reason=reason,
                    secrets=self._secret_values(),
                )
                logger.log(
                    give_up_level,
                    "%s failed (%s, attempt %d of %d); giving up and raising %s",
                    endpoint,
                    failure.detail,
                    attempts,
                    limit,
                    type(error).__name__,
                )
                # The httpx error is not chained, because its request carries the token or the
                # client secret. No exception is being handled here, so __context__ stays None.
                raise error from None

            if failure.kind is FailureKind.RATE_LIMIT:
                logger.warning(
                    "%s was rate limited (%s, attempt %d of %d); waiting %.1f s for the reset",
                    endpoint,
                    failure.detail,
                    attempts,
                    limit,
                    wait,
                )
            else:
                logger.warning(
                    "%s failed (%s, attempt %d of %d); retrying in %.1f s",
                    endpoint,
                    failure.detail,
                    attempts,
                    limit,
                    wait,
                )
            yield from sleep(wait)

    def _retry_wait(
        self, failure: AttemptFailure, attempts: int, limit: int, budget: Budget
    ) -> tuple[float | None, str]:
        """Return the wait before the next attempt, or None and the reason to give up."""
        if attempts >= limit:
            return None, ""

        now = self._clock()
        if failure.kind is FailureKind.RATE_LIMIT:
            assert failure.response is not None
            until_reset = seconds_until_reset(parse_rate_limit(failure.response.headers), now)
            if until_reset is None:
                wait = self._retry.rate_limit_fallback_seconds
            elif until_reset > 0:
                wait = until_reset
            else:
                wait = backoff_seconds(self._retry, attempts, self._rng)
            if wait > self._retry.max_rate_limit_wait_seconds:
                return None, (
                    f"the reset is {wait:.0f} s away, longer than max_rate_limit_wait_seconds="
                    f"{self._retry.max_rate_limit_wait_seconds:g}"
                )
        else:
            wait = backoff_seconds(self._retry, attempts, self._rng)

        if wait > budget.room_for_wait(now):
            return None, (
                f"another attempt would not fit in total_budget_seconds="
                f"{self._retry.total_budget_seconds:g}"
            )
        return wait, ""

    def _note_rate_limit(self, response: httpx.Response, trace: _Trace) -> None:
        rate_limit = parse_rate_limit(response.headers)
        trace.rate_limit = rate_limit
        if rate_limit is not None:
            self.last_rate_limit = rate_limit

    def _pause_if_exhausted(self, budget: Budget, endpoint: str) -> Flow[None]:
        """Wait for the rate-limit reset when the latest response left no points."""
        now = self._clock()
        until_reset = exhausted_wait(self.last_rate_limit, now)
        if until_reset <= 0:
            return

        wait = min(until_reset, self._retry.max_rate_limit_wait_seconds, budget.room_for_wait(now))
        if wait <= 0:
            return
        logger.warning(
            "rate limit exhausted (0 points left); waiting %.1f s for the reset before %s",
            wait,
            endpoint,
        )
        yield from sleep(wait)

    # --- tokens -----------------------------------------------------------------------------

    def _ensure_token(self, budget: Budget) -> Flow[SecretStr]:
        """Return a usable token, minting or validating it first when due."""
        state = self._token_state
        if state.needs_mint(self._clock()) and self._credentials.can_mint:
            yield from self._mint_token(budget)
        elif state.needs_validation(self._clock()):
            yield from self._validate_token(budget)

        if state.token is None:
            raise RuntimeError("no access token after minting; this is a bug in twitchstats")
        return state.token

    def _mint_token(self, budget: Budget) -> Flow[SecretStr]:
        """Request a new app access token with the client-credentials grant and keep it."""
        credentials = self._credentials
        if credentials.client_secret is None:
            raise RuntimeError("_mint_token() needs a client secret; check can_mint first")
        form = {
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret.get_secret_value(),
            "grant_type": "client_credentials",
        }
        build = functools.partial(
            self._http.build_request, "POST", f"{self._auth_base_url}/token", data=form
        )
        response, body = yield from self._exchange(
            build, budget, parse=parse_json_object, setting="auth_base_url"
        )
        endpoint = f"POST {response.request.url.path}"

        if response.status_code in (400, 401, 403):
            message = twitch_message(response)
            raise AuthenticationError(
                f"Twitch rejected the client credentials ({endpoint}: HTTP "
                f"{response.status_code}{': ' + message if message else ''}); check client_id and "
                f"client_secret, or {CLIENT_ID_ENV} and {CLIENT_SECRET_ENV}",
                request=redacted_request(response.request),
                response=detached_response(response),
                twitch_message=message,
            )
        if body is None:
            raise status_error(response, endpoint=endpoint, setting="auth_base_url")

        token = body.get("access_token")
        expires_in = body.get("expires_in")
        if not isinstance(token, str) or not token:
            raise InvalidResponseError(
                f"{endpoint} returned no access_token",
                request=redacted_request(response.request),
                response=detached_response(response, keep_body=False),
            )
        if isinstance(expires_in, bool) or not isinstance(expires_in, int):
            expires_in = None

        self._token_state.store(token, expires_in=expires_in, now=self._clock())
        logger.info(
            "minted an app access token for client id %s (expires in %s s)",
            credentials.client_id,
            expires_in,
        )
        assert self._token_state.token is not None
        return self._token_state.token

    def _validate_token(self, budget: Budget) -> Flow[None]:
        """Validate the token with Twitch, which requires apps to do so at start-up and hourly.

        A 401 means the token is dead: a new one is minted, or `AuthenticationError` raised when
        no client secret is configured. Other failures only log a warning and keep the token,
        so an outage of the validation endpoint does not stop Helix calls. The token is then
        validated again on the next request.
        """
        state = self._token_state
        token = state.token
        assert token is not None
        build = functools.partial(
            self._http.build_request,
            "GET",
            f"{self._auth_base_url}/validate",
            headers={"Authorization": f"OAuth {token.get_secret_value()}"},
        )
        try:
            response, body = yield from self._exchange(
                build,
                budget,
                parse=parse_json_object,
                setting="auth_base_url",
                max_attempts=1,
                give_up_level=logging.DEBUG,
            )
        except HelixError as exc:
            logger.warning(
                "token validation failed (%s); keeping the token and validating again on the "
                "next request",
                type(exc).__name__,
            )
            return
        endpoint = f"GET {response.request.url.path}"

        if response.status_code == 401:
            if self._credentials.can_mint:
                logger.warning(
                    "%s rejected the access token (HTTP 401); minting a new one", endpoint
                )
                yield from self._mint_token(budget)
                return
            raise AuthenticationError(
                f"{endpoint} rejected the access token (HTTP 401) and no client secret is "
                f"configured to mint a new one; pass client_secret= or set {CLIENT_SECRET_ENV}, "
                "or pass a fresh access_token=",
                request=redacted_request(response.request),
                response=detached_response(response),
                twitch_message=twitch_message(response),
            )
        if body is None:
            logger.warning(
                "%s returned HTTP %d; keeping the token and validating again on the next request",
                endpoint,
                response.status_code,
            )
            return

        token_client_id = body.get("client_id")
        if isinstance(token_client_id, str) and token_client_id != self._credentials.client_id:
            raise AuthenticationError(
                f"the access token belongs to client id {token_client_id!r}, not to the "
                f"configured {self._credentials.client_id!r}; use the matching client id or "
                "another token",
                request=redacted_request(response.request),
                response=detached_response(response),
            )

        now = self._clock()
        expires_in = body.get("expires_in")
        if isinstance(expires_in, int) and not isinstance(expires_in, bool):
            state.expires_at = now + expires_in
        state.validated_at = now
        logger.debug("validated the access token (expires in %s s)", expires_in)

        if state.needs_mint(now) and self._credentials.can_mint:
            yield from self._mint_token(budget)

    # --- Helix requests and pagination ------------------------------------------------------

    def _build_helix_request(
        self, path: str, params: list[tuple[str, str]], token: SecretStr
    ) -> httpx.Request:
        return self._http.build_request(
            "GET",
            f"{self._base_url}{path}",
            params=tuple(params),
            headers={"Authorization": f"Bearer {token.get_secret_value()}"},
        )

    def _helix_get(
        self, path: str, params: list[tuple[str, str]], *, require_total: bool = False
    ) -> Flow[tuple[Envelope, httpx.Response]]:
        """Run one Helix GET request with its token handling, waits and retries.

        A 401 mints a new token and retries once. A second 401, or a 401 without a client
        secret to mint with, raises `AuthenticationError`.
        """
        budget = Budget(
            started_at=self._clock(),
            total_seconds=self._retry.total_budget_seconds,
            attempt_seconds=self._attempt_seconds,
        )
        endpoint = f"GET {httpx.URL(self._base_url + path).path}"
        trace = _Trace(endpoint=endpoint, started_at=budget.started_at)
        parse = functools.partial(parse_helix_body, require_total=require_total)

        try:
            token = yield from self._ensure_token(budget)
            yield from self._pause_if_exhausted(budget, endpoint)

            reminted = False
            while True:
                build = functools.partial(self._build_helix_request, path, params, token)
                response, envelope = yield from self._exchange(
                    build, budget, parse=parse, setting="base_url", trace=trace
                )
                if envelope is not None:
                    return envelope, response

                if response.status_code != 401:
                    raise status_error(response, endpoint=endpoint, setting="base_url")
                if reminted or not self._credentials.can_mint:
                    raise self._unauthorized_error(response, endpoint, reminted=reminted)

                logger.warning(
                    "%s rejected the access token (HTTP 401); minting a new token and retrying "
                    "once",
                    endpoint,
                )
                token = yield from self._mint_token(budget)
                reminted = True
        finally:
            self.last_request = RequestStats(
                endpoint=endpoint,
                attempts=trace.attempts,
                status_code=trace.status_code,
                elapsed_seconds=budget.elapsed(self._clock()),
                latency_seconds=trace.latency_seconds,
                rate_limit=trace.rate_limit,
            )

    def _unauthorized_error(
        self, response: httpx.Response, endpoint: str, *, reminted: bool
    ) -> AuthenticationError:
        message = twitch_message(response)
        message_suffix = f": {message}" if message else ""
        if reminted:
            advice = "a newly minted token was rejected too; check that the client id is valid"
        else:
            advice = (
                f"no client secret is configured to mint a new token; pass client_secret= or "
                f"set {CLIENT_SECRET_ENV}, or pass a fresh access_token="
            )
        return AuthenticationError(
            f"{endpoint} failed with HTTP 401{message_suffix}; {advice}",
            request=redacted_request(response.request),
            response=detached_response(response),
            twitch_message=message,
        )

    def _pages(
        self,
        path: str,
        params: list[tuple[str, str]],
        model: type[Record],
        *,
        max_pages: int,
    ) -> Flow[None]:
        """Emit the records of every page, each record id once, following the cursors."""
        endpoint = f"GET {httpx.URL(self._base_url + path).path}"
        tracker = CursorTracker(endpoint=endpoint, max_pages=max_pages)
        seen: set[str] = set()
        cursor: str | None = None
        while True:
            page_params = [*params, ("after", cursor)] if cursor else params
            envelope, response = yield from self._helix_get(path, page_params)

            records = parse_records(model, envelope.data, response)
            fresh = [record for record in records if record.id not in seen]
            seen.update(record.id for record in fresh)
            if len(fresh) < len(records):
                logger.debug(
                    "%s repeated %d records of an earlier page; kept the first reading",
                    endpoint,
                    len(records) - len(fresh),
                )
            if fresh:
                yield Emit(fresh)

            cursor = tracker.next_cursor(envelope)
            if cursor is None:
                return

    # --- endpoints --------------------------------------------------------------------------

    def _streams_flow(self, user_ids: Iterable[str]) -> Flow[list[Stream]]:
        ids = check_ids(user_ids, "user_ids")
        streams: dict[str, Stream] = {}
        for batch in batches([("user_id", user_id) for user_id in ids], MAX_IDS_PER_REQUEST):
            params = [*batch, ("first", str(PAGE_SIZE))]
            pages = self._pages("/streams", params, Stream, max_pages=STREAM_MAX_PAGES_PER_BATCH)
            for stream in (yield from collect(pages)):
                assert isinstance(stream, Stream)
                streams.setdefault(stream.id, stream)
        return list(streams.values())

    def _users_flow(self, ids: Iterable[str], logins: Iterable[str]) -> Flow[list[User]]:
        pairs = [("id", user_id) for user_id in check_ids(ids, "ids")]
        pairs += [("login", login) for login in check_logins(logins)]
        users: dict[str, User] = {}
        for batch in batches(pairs, MAX_IDS_PER_REQUEST):
            for user in (yield from collect(self._pages("/users", batch, User, max_pages=1))):
                assert isinstance(user, User)
                users.setdefault(user.id, user)
        return list(users.values())

    def _games_flow(self, ids: Iterable[str], names: Iterable[str]) -> Flow[list[Game]]:
        pairs = [("id", game_id) for game_id in check_ids(ids, "ids")]
        pairs += [("name", name) for name in check_names(names)]
        games: dict[str, Game] = {}
        for batch in batches(pairs, MAX_IDS_PER_REQUEST):
            for game in (yield from collect(self._pages("/games", batch, Game, max_pages=1))):
                assert isinstance(game, Game)
                games.setdefault(game.id, game)
        return list(games.values())

    def _videos_flow(self, ids: Iterable[str]) -> Flow[list[Video]]:
        pairs = [("id", video_id) for video_id in check_ids(ids, "ids")]
        videos: dict[str, Video] = {}
        for batch in batches(pairs, MAX_IDS_PER_REQUEST):
            try:
                found = yield from collect(self._pages("/videos", batch, Video, max_pages=1))
            except NotFoundError:
                # Get Videos ignores unknown ids while at least one id exists, and returns 404
                # when none of them does.
                continue
            for video in found:
                assert isinstance(video, Video)
                videos.setdefault(video.id, video)
        return list(videos.values())

    def _video_pages_flow(self, user_id: str, video_type: str, max_pages: int) -> Flow[None]:
        (checked_id,) = check_ids([user_id], "user_id")
        if video_type not in VIDEO_TYPES:
            raise ValueError(
                f"invalid video type {video_type!r}: expected one of {', '.join(VIDEO_TYPES)}"
            )
        if isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1:
            raise ValueError(f"invalid max_pages {max_pages!r}: expected an int >= 1")
        params = [("user_id", checked_id), ("type", video_type), ("first", str(PAGE_SIZE))]
        return self._pages("/videos", params, Video, max_pages=max_pages)

    def _follower_total_flow(self, broadcaster_id: str) -> Flow[int]:
        (checked_id,) = check_ids([broadcaster_id], "broadcaster_id")
        params = [("broadcaster_id", checked_id), ("first", "1")]
        envelope, _ = yield from self._helix_get("/channels/followers", params, require_total=True)
        assert envelope.total is not None  # require_total=True rejected bodies without it
        return envelope.total


__all__ = ["DEFAULT_MAX_PAGES", "VIDEO_TYPES", "BaseHelixClient"]
