"""Retries, time budget, rate limits and the mapping of failures to exceptions."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest
import respx
from helix_fakes import HELIX, START, FakeTime, mock_token, page, stream_item

from twitchstats import (
    BadRequestError,
    ConfigurationError,
    HelixClient,
    HelixStatusError,
    HelixTimeoutError,
    HelixTransportError,
    InvalidResponseError,
    NotFoundError,
    RateLimitError,
    RetryPolicy,
    ServerError,
)

STREAMS = f"{HELIX}/streams"
HTML_503 = httpx.Response(
    503,
    text="<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
    headers={"Content-Type": "text/html"},
)


def rate_headers(remaining: int, reset: float) -> dict[str, str]:
    return {
        "Ratelimit-Limit": "800",
        "Ratelimit-Remaining": str(remaining),
        "Ratelimit-Reset": str(int(reset)),
    }


def hang(fake_time: FakeTime, seconds: float = 10.0) -> Callable[[httpx.Request], httpx.Response]:
    """A response side effect that spends a full timeout on the fake clock, then times out."""

    def side_effect(request: httpx.Request) -> httpx.Response:
        fake_time.advance(seconds)
        raise httpx.ReadTimeout("timed out", request=request)

    return side_effect


@pytest.fixture(autouse=True)
def _token(helix_mock: respx.MockRouter) -> None:
    mock_token(helix_mock)


@pytest.mark.parametrize(
    "first_failure",
    [
        pytest.param(HTML_503, id="503-html"),
        pytest.param(httpx.Response(500, json={"message": "Internal"}), id="500"),
        pytest.param(httpx.Response(502), id="502-empty"),
        pytest.param(httpx.Response(200, text="<html>maintenance</html>"), id="200-html"),
        pytest.param(httpx.Response(200, text='{"data": [{"id": "1"'), id="200-truncated"),
        pytest.param(httpx.Response(200, json={"error": "nope"}), id="200-without-data"),
        pytest.param(httpx.ConnectError("connection refused"), id="connect-error"),
        pytest.param(httpx.ReadTimeout("timed out"), id="read-timeout"),
        pytest.param(httpx.RemoteProtocolError("server disconnected"), id="disconnect"),
    ],
)
def test_transient_failure_then_success(
    helix_mock: respx.MockRouter,
    make_client: Callable[..., HelixClient],
    fake_time: FakeTime,
    caplog: pytest.LogCaptureFixture,
    first_failure: httpx.Response | Exception,
) -> None:
    route = helix_mock.get(STREAMS).mock(side_effect=[first_failure, page([stream_item("1")])])
    client = make_client()

    with caplog.at_level(logging.WARNING, logger="twitchstats"):
        streams = client.get_streams(user_ids=["1001"])

    assert [stream.id for stream in streams] == ["1"]
    assert route.call_count == 2
    assert len(fake_time.sleeps) == 1
    assert 0.5 <= fake_time.sleeps[0] <= 1.0  # first back-off: 1 s with jitter down to half
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "GET /helix/streams" in warnings[0].getMessage()
    assert "retrying in" in warnings[0].getMessage()


@pytest.mark.parametrize(
    ("failure", "error_type"),
    [
        pytest.param(HTML_503, ServerError, id="503"),
        pytest.param(httpx.Response(200, text="not json"), InvalidResponseError, id="not-json"),
        pytest.param(httpx.ConnectError("refused"), HelixTransportError, id="connect"),
    ],
)
def test_persistent_failure_raises_within_budget(
    helix_mock: respx.MockRouter,
    make_client: Callable[..., HelixClient],
    fake_time: FakeTime,
    caplog: pytest.LogCaptureFixture,
    failure: httpx.Response | Exception,
    error_type: type[Exception],
) -> None:
    route = helix_mock.get(STREAMS).mock(side_effect=failure)
    client = make_client()

    with (
        caplog.at_level(logging.WARNING, logger="twitchstats"),
        pytest.raises(error_type) as caught,
    ):
        client.get_streams(user_ids=["1001"])

    assert route.call_count == 4
    assert len(fake_time.sleeps) == 3
    for number, wait in enumerate(fake_time.sleeps, start=1):
        ceiling = min(8.0, 2.0 ** (number - 1))
        assert ceiling / 2 <= wait <= ceiling
    assert fake_time.now - START <= 45
    assert "4 attempts" in str(caught.value)
    # The caller reports the raised error, so the library logs the give-up once, below ERROR.
    assert not any(record.levelno >= logging.ERROR for record in caplog.records)
    give_ups = [record for record in caplog.records if "giving up" in record.getMessage()]
    assert len(give_ups) == 1
    assert give_ups[0].levelno == logging.WARNING
    assert client.last_request is not None
    assert client.last_request.attempts == 4


def test_503_error_carries_response(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    helix_mock.get(STREAMS).mock(return_value=HTML_503)
    client = make_client()

    with pytest.raises(ServerError) as caught:
        client.get_streams(user_ids=["1001"])

    assert caught.value.status_code == 503
    assert caught.value.response.text.startswith("<html>")
    assert caught.value.request.url.path == "/helix/streams"


def test_hung_connection_raises_timeout_within_budget(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient], fake_time: FakeTime
) -> None:
    route = helix_mock.get(STREAMS).mock(side_effect=hang(fake_time))
    client = make_client()

    with pytest.raises(HelixTimeoutError) as caught:
        client.get_streams(user_ids=["1001"])

    # Each attempt spends the full 10 s timeout, so the 45 s budget leaves room for three or,
    # with short jittered back-offs, four attempts.
    assert route.call_count in (3, 4)
    assert fake_time.now - START <= 45
    assert "ReadTimeout" in str(caught.value)
    assert caught.value.__cause__ is None  # the httpx error's request carries the token


def test_small_budget_stops_after_one_attempt(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient], fake_time: FakeTime
) -> None:
    route = helix_mock.get(STREAMS).mock(side_effect=hang(fake_time))
    client = make_client(retry=RetryPolicy(total_budget_seconds=15))

    with pytest.raises(HelixTimeoutError, match="total_budget_seconds=15"):
        client.get_streams(user_ids=["1001"])

    assert route.call_count == 1
    assert fake_time.sleeps == []


def test_429_waits_until_reset(
    helix_mock: respx.MockRouter,
    make_client: Callable[..., HelixClient],
    fake_time: FakeTime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    limited = httpx.Response(429, headers=rate_headers(0, START + 7))
    route = helix_mock.get(STREAMS).mock(side_effect=[limited, page([stream_item("1")])])
    client = make_client()

    with caplog.at_level(logging.WARNING, logger="twitchstats"):
        streams = client.get_streams(user_ids=["1001"])

    assert len(streams) == 1
    assert route.call_count == 2
    assert fake_time.sleeps == [7.0]
    assert "waiting 7.0 s for the reset" in caplog.text


def test_429_without_headers_uses_fallback_wait(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient], fake_time: FakeTime
) -> None:
    route = helix_mock.get(STREAMS).mock(
        side_effect=[httpx.Response(429), page([stream_item("1")])]
    )
    client = make_client(retry=RetryPolicy(rate_limit_fallback_seconds=3.0))

    client.get_streams(user_ids=["1001"])

    assert route.call_count == 2
    assert fake_time.sleeps == [3.0]


def test_429_with_past_reset_backs_off(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient], fake_time: FakeTime
) -> None:
    # Twitch has returned 429 while reporting points left and a reset already passed.
    limited = httpx.Response(429, headers=rate_headers(500, START - 5))
    helix_mock.get(STREAMS).mock(side_effect=[limited, page([])])
    client = make_client()

    client.get_streams(user_ids=["1001"])

    assert len(fake_time.sleeps) == 1
    assert 0.5 <= fake_time.sleeps[0] <= 1.0


def test_429_far_reset_raises_at_once(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient], fake_time: FakeTime
) -> None:
    limited = httpx.Response(
        429, headers=rate_headers(0, START + 50), json={"message": "Too Many Requests"}
    )
    route = helix_mock.get(STREAMS).mock(return_value=limited)
    client = make_client()

    with pytest.raises(RateLimitError) as caught:
        client.get_streams(user_ids=["1001"])

    assert route.call_count == 1
    assert fake_time.sleeps == []
    assert caught.value.reset_at is not None
    assert caught.value.reset_at.timestamp() == START + 50
    assert caught.value.twitch_message == "Too Many Requests"
    assert "max_rate_limit_wait_seconds" in str(caught.value)


def test_persistent_429_raises_rate_limit_error(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient], fake_time: FakeTime
) -> None:
    def limited(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers=rate_headers(0, fake_time.now + 2))

    route = helix_mock.get(STREAMS).mock(side_effect=limited)
    client = make_client()

    with pytest.raises(RateLimitError) as caught:
        client.get_streams(user_ids=["1001"])

    assert route.call_count == 4
    assert fake_time.sleeps == [2.0, 2.0, 2.0]
    assert caught.value.reset_at is not None


def test_429_without_headers_raises_without_reset(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    helix_mock.get(STREAMS).mock(return_value=httpx.Response(429))
    client = make_client()

    with pytest.raises(RateLimitError) as caught:
        client.get_streams(user_ids=["1001"])

    assert caught.value.reset_at is None
    assert "no reset time" in str(caught.value)


def test_remaining_zero_waits_before_next_request(
    helix_mock: respx.MockRouter,
    make_client: Callable[..., HelixClient],
    fake_time: FakeTime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sent_at: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent_at.append(fake_time.now)
        remaining = 0 if len(sent_at) == 1 else 799
        return page([], headers=rate_headers(remaining, START + 12))

    helix_mock.get(STREAMS).mock(side_effect=answer)
    client = make_client()

    client.get_streams(user_ids=["1001"])
    assert client.last_rate_limit is not None
    assert client.last_rate_limit.remaining == 0
    with caplog.at_level(logging.WARNING, logger="twitchstats"):
        client.get_streams(user_ids=["1001"])

    assert sent_at == [START, START + 12]
    assert fake_time.sleeps == [12.0]
    assert "rate limit exhausted" in caplog.text
    assert client.last_rate_limit.remaining == 799


def test_remaining_zero_after_reset_does_not_wait(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient], fake_time: FakeTime
) -> None:
    helix_mock.get(STREAMS).mock(return_value=page([], headers=rate_headers(0, START + 5)))
    client = make_client()

    client.get_streams(user_ids=["1001"])
    fake_time.advance(6)
    client.get_streams(user_ids=["1001"])

    assert fake_time.sleeps == []


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param({}, None, id="absent"),
        pytest.param({"Ratelimit-Remaining": "5"}, (None, 5, None), id="remaining-only"),
        pytest.param(
            {"Ratelimit-Limit": "800", "Ratelimit-Remaining": "abc", "Ratelimit-Reset": "x"},
            (800, None, None),
            id="invalid-values",
        ),
        pytest.param(rate_headers(799, START + 60), (800, 799, START + 60), id="complete"),
    ],
)
def test_rate_limit_headers_tolerated(
    helix_mock: respx.MockRouter,
    make_client: Callable[..., HelixClient],
    headers: dict[str, str],
    expected: tuple[int | None, int | None, float | None] | None,
) -> None:
    helix_mock.get(STREAMS).mock(return_value=page([], headers=headers))
    client = make_client()

    client.get_streams(user_ids=["1001"])

    assert client.last_request is not None
    snapshot = client.last_request.rate_limit
    if expected is None:
        assert snapshot is None
        assert client.last_rate_limit is None
        return
    assert snapshot is not None
    reset = snapshot.reset_at.timestamp() if snapshot.reset_at else None
    assert (snapshot.limit, snapshot.remaining, reset) == expected
    assert client.last_rate_limit == snapshot


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        pytest.param(400, BadRequestError, id="400"),
        pytest.param(404, NotFoundError, id="404"),
        pytest.param(403, HelixStatusError, id="403"),
    ],
)
def test_client_errors_not_retried(
    helix_mock: respx.MockRouter,
    make_client: Callable[..., HelixClient],
    fake_time: FakeTime,
    status: int,
    error_type: type[Exception],
) -> None:
    body = {"error": "Bad Request", "status": status, "message": "Malformed query params."}
    route = helix_mock.get(STREAMS).mock(return_value=httpx.Response(status, json=body))
    client = make_client()

    with pytest.raises(error_type) as caught:
        client.get_streams(user_ids=["1001"])

    assert type(caught.value) is error_type
    assert route.call_count == 1
    assert fake_time.sleeps == []
    assert f"HTTP {status}: Malformed query params." in str(caught.value)


def test_last_request_measures_latency(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient], fake_time: FakeTime
) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        fake_time.advance(0.25)
        return page([stream_item("1")])

    helix_mock.get(STREAMS).mock(side_effect=[HTML_503, slow])
    client = make_client()

    client.get_streams(user_ids=["1001"])

    stats = client.last_request
    assert stats is not None
    assert stats.endpoint == "GET /helix/streams"
    assert stats.attempts == 2
    assert stats.status_code == 200
    assert stats.latency_seconds == pytest.approx(0.25)
    assert stats.elapsed_seconds == pytest.approx(fake_time.sleeps[0] + 0.25)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        pytest.param({"max_attempts": 0}, "max_attempts", id="zero-attempts"),
        pytest.param({"max_attempts": 2.5}, "max_attempts", id="float-attempts"),
        pytest.param({"total_budget_seconds": -1.0}, "total_budget_seconds", id="negative"),
        pytest.param({"backoff_initial_seconds": float("nan")}, "backoff_initial", id="nan"),
        pytest.param({"backoff_max_seconds": 0.5}, "backoff_max_seconds", id="max-below-initial"),
    ],
)
def test_invalid_retry_policy_raises(options: dict[str, float], field: str) -> None:
    with pytest.raises(ConfigurationError, match=field):
        RetryPolicy(**options)  # type: ignore[arg-type]


def test_retry_policy_is_frozen() -> None:
    policy = RetryPolicy()

    with pytest.raises(AttributeError):
        policy.max_attempts = 9  # type: ignore[misc]
