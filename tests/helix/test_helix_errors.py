"""What the raised errors contain: no secrets, the URL and setting to check, clear advice."""

from __future__ import annotations

import logging
import runpy
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from helix_fakes import AUTH, CLIENT_SECRET, HELIX, START, FakeTime, mock_token, page

from twitchstats import (
    AsyncHelixClient,
    AuthenticationError,
    ConfigurationError,
    HelixClient,
    HelixError,
    HelixTimeoutError,
    HelixTransportError,
    NotFoundError,
    RateLimitError,
    RetryPolicy,
    ServerError,
)

STREAMS = f"{HELIX}/streams"
TOKEN = f"{AUTH}/token"
# Distinctive values, so that a search for them cannot match unrelated text.
ACCESS_TOKEN = "tok-first-9f8e7d6c5b4a"
SECOND_TOKEN = "tok-second-1a2b3c4d5e6f"
EXAMPLE = Path(__file__).parents[2] / "examples" / "helix_quickstart.py"


def raising(error_type: type[httpx.RequestError]) -> Callable[[httpx.Request], httpx.Response]:
    """A route side effect that raises like httpx does: the error carries the sent request."""

    def side_effect(request: httpx.Request) -> httpx.Response:
        raise error_type("failed", request=request)

    return side_effect


def route_connect_error_on_helix(router: respx.MockRouter, fake_time: FakeTime) -> None:
    mock_token(router, ACCESS_TOKEN)
    router.get(STREAMS).mock(side_effect=raising(httpx.ConnectError))


def route_connect_error_on_token(router: respx.MockRouter, fake_time: FakeTime) -> None:
    router.post(TOKEN).mock(side_effect=raising(httpx.ConnectError))


def route_timeout(router: respx.MockRouter, fake_time: FakeTime) -> None:
    mock_token(router, ACCESS_TOKEN)
    router.get(STREAMS).mock(side_effect=raising(httpx.ReadTimeout))


def route_503(router: respx.MockRouter, fake_time: FakeTime) -> None:
    mock_token(router, ACCESS_TOKEN)
    router.get(STREAMS).mock(return_value=httpx.Response(503, json={"message": "down"}))


def route_401(router: respx.MockRouter, fake_time: FakeTime) -> None:
    mock_token(router, ACCESS_TOKEN, SECOND_TOKEN)
    router.get(STREAMS).mock(return_value=httpx.Response(401, json={"message": "Invalid token"}))


def route_429(router: respx.MockRouter, fake_time: FakeTime) -> None:
    mock_token(router, ACCESS_TOKEN)
    headers = {"Ratelimit-Limit": "800", "Ratelimit-Remaining": "0"}
    headers["Ratelimit-Reset"] = str(int(START + 600))  # beyond the 30 s maximum wait
    router.get(STREAMS).mock(return_value=httpx.Response(429, headers=headers))


FAILURES = [
    pytest.param(route_connect_error_on_helix, HelixTransportError, id="connect-error-helix"),
    pytest.param(route_connect_error_on_token, HelixTransportError, id="connect-error-token"),
    pytest.param(route_timeout, HelixTimeoutError, id="timeout"),
    pytest.param(route_503, ServerError, id="503"),
    pytest.param(route_401, AuthenticationError, id="401"),
    pytest.param(route_429, RateLimitError, id="429"),
]


def chained_exceptions(error: BaseException) -> Iterator[BaseException]:
    """Yield `error` and every exception reachable through `__cause__` and `__context__`."""
    pending = [error]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending.extend(
            linked for linked in (current.__cause__, current.__context__) if linked is not None
        )


def attached_requests(error: BaseException) -> Iterator[httpx.Request]:
    """Yield the `.request` and `.response.request` attached to an exception, where set."""
    # httpx raises RuntimeError from these properties when nothing was attached.
    try:
        request = getattr(error, "request", None)
    except RuntimeError:
        request = None
    if isinstance(request, httpx.Request):
        yield request

    response = getattr(error, "response", None)
    if isinstance(response, httpx.Response):
        try:
            response_request = response.request
        except RuntimeError:
            return
        yield response_request


def leaked_texts(error: BaseException) -> list[str]:
    """Return every text reachable from `error` that contains the client secret or a token."""
    texts: list[str] = []
    for linked in chained_exceptions(error):
        texts += [str(linked), repr(linked)]
        response = getattr(linked, "response", None)
        if isinstance(response, httpx.Response):
            texts.append(response.content.decode(errors="replace"))
        for request in attached_requests(linked):
            texts += [f"{name}: {value}" for name, value in request.headers.items()]
            texts.append(str(request.url))
            texts.append(request.content.decode(errors="replace"))

    secrets = (CLIENT_SECRET, ACCESS_TOKEN, SECOND_TOKEN)
    return [text for text in texts if any(secret in text for secret in secrets)]


@pytest.mark.parametrize(("arrange", "error_type"), FAILURES)
def test_sync_errors_hold_no_secret(
    helix_mock: respx.MockRouter,
    make_client: Callable[..., HelixClient],
    fake_time: FakeTime,
    arrange: Callable[[respx.MockRouter, FakeTime], None],
    error_type: type[HelixError],
) -> None:
    arrange(helix_mock, fake_time)
    client = make_client()

    with pytest.raises(error_type) as caught:
        client.get_streams(user_ids=["1001"])

    assert leaked_texts(caught.value) == []
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None


@pytest.mark.anyio
@pytest.mark.parametrize(("arrange", "error_type"), FAILURES)
async def test_async_errors_hold_no_secret(
    helix_mock: respx.MockRouter,
    make_async_client: Callable[..., AsyncHelixClient],
    fake_time: FakeTime,
    arrange: Callable[[respx.MockRouter, FakeTime], None],
    error_type: type[HelixError],
) -> None:
    arrange(helix_mock, fake_time)

    async with make_async_client() as client:
        with pytest.raises(error_type) as caught:
            await client.get_streams(user_ids=["1001"])

    assert leaked_texts(caught.value) == []
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None


def test_leak_check_finds_raw_httpx_error() -> None:
    """The leak check itself: a raw httpx error chained as the cause is reported."""
    request = httpx.Request(
        "POST", TOKEN, data={"client_secret": CLIENT_SECRET}, headers={"Authorization": "x"}
    )
    error = HelixTransportError("failed")
    error.__context__ = httpx.ConnectError("refused", request=request)

    assert leaked_texts(error) != []


def test_connect_error_names_url_and_setting(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient], fake_time: FakeTime
) -> None:
    route_connect_error_on_helix(helix_mock, fake_time)
    client = make_client()

    with pytest.raises(HelixTransportError) as caught:
        client.get_streams(user_ids=["1001"])

    message = str(caught.value)
    assert "https://api.twitch.tv:443/helix/streams" in message
    assert "base_url" in message
    assert "ConnectError: failed" in message
    assert "user_id=" not in message  # the query string is left out


def test_token_connect_error_names_auth_base_url(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient], fake_time: FakeTime
) -> None:
    route_connect_error_on_token(helix_mock, fake_time)
    client = make_client()

    with pytest.raises(HelixTransportError) as caught:
        client.get_streams(user_ids=["1001"])

    message = str(caught.value)
    assert "https://id.twitch.tv:443/oauth2/token" in message
    assert "auth_base_url" in message


def test_refused_connection_names_local_url() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The port is closed again, so connecting to it is refused at once.
    base = f"http://127.0.0.1:{port}"
    client = HelixClient(
        client_id="local-id",
        access_token=ACCESS_TOKEN,
        base_url=f"{base}/helix",
        auth_base_url=f"{base}/oauth2",
        retry=RetryPolicy(max_attempts=1),
    )

    # Validation failures are tolerated, so the Helix request is the one that raises.
    with client, pytest.raises(HelixTransportError) as caught:
        client.get_streams(user_ids=["1001"])

    message = str(caught.value)
    assert f"{base}/helix/streams" in message
    assert "from base_url" in message
    assert "1 attempt in" in message
    assert leaked_texts(caught.value) == []


def test_timeout_message_gives_timeout_and_server(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient], fake_time: FakeTime
) -> None:
    route_timeout(helix_mock, fake_time)
    client = make_client(base_url="https://helix.example.test/helix", timeout=0.5)
    helix_mock.get("https://helix.example.test/helix/streams").mock(
        side_effect=raising(httpx.ReadTimeout)
    )

    with pytest.raises(HelixTimeoutError) as caught:
        client.get_streams(user_ids=["1001"])

    message = str(caught.value)
    assert "timed out after 4 attempts" in message
    assert "timeout 0.5 s per phase" in message
    assert "the server at https://helix.example.test:443/helix/streams" in message
    assert "Twitch" not in message


def test_timeout_message_lists_differing_phases(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient], fake_time: FakeTime
) -> None:
    route_timeout(helix_mock, fake_time)
    client = make_client(timeout=httpx.Timeout(5.0, connect=2.0))

    with pytest.raises(HelixTimeoutError) as caught:
        client.get_streams(user_ids=["1001"])

    assert "timeouts connect 2 s, read 5 s, write 5 s, pool 5 s" in str(caught.value)


def test_not_found_hints_at_base_url(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    mock_token(helix_mock, ACCESS_TOKEN)
    # A base URL without /helix sends /streams to the API host, which returns 404.
    helix_mock.get("https://api.twitch.tv/streams").mock(
        return_value=httpx.Response(404, json={"message": "Not Found"})
    )
    client = make_client(base_url="https://api.twitch.tv")

    with pytest.raises(NotFoundError) as caught:
        client.get_streams(user_ids=["1001"])

    message = str(caught.value)
    assert "https://api.twitch.tv:443/streams" in message
    assert "base_url" in message
    assert "ending in /helix" in message


def test_give_up_logged_once_below_error(
    helix_mock: respx.MockRouter,
    make_client: Callable[..., HelixClient],
    fake_time: FakeTime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    route_timeout(helix_mock, fake_time)
    client = make_client()

    with caplog.at_level(logging.DEBUG, logger="twitchstats"), pytest.raises(HelixTimeoutError):
        client.get_streams(user_ids=["1001"])

    give_ups = [record for record in caplog.records if "giving up" in record.getMessage()]
    assert len(give_ups) == 1
    assert give_ups[0].levelno == logging.WARNING
    assert not any(record.levelno >= logging.ERROR for record in caplog.records)
    retries = [record for record in caplog.records if "retrying in" in record.getMessage()]
    assert len(retries) == 3
    assert all(record.levelno == logging.WARNING for record in retries)


CALLS_WITH_INT_ID: list[Any] = [
    pytest.param(lambda client: client.get_streams(user_ids=[1001]), id="get_streams"),
    pytest.param(lambda client: client.get_users(ids=[1001]), id="get_users"),
    pytest.param(lambda client: client.get_games(ids=[1001]), id="get_games"),
    pytest.param(lambda client: client.get_videos(ids=[1001]), id="get_videos"),
    pytest.param(lambda client: client.iter_videos(user_id=1001), id="iter_videos"),
    pytest.param(lambda client: client.get_follower_total(1001), id="get_follower_total"),
]


@pytest.mark.parametrize("call", CALLS_WITH_INT_ID)
def test_int_id_raises_type_error(
    helix_mock: respx.MockRouter,
    make_client: Callable[..., HelixClient],
    call: Callable[[HelixClient], object],
) -> None:
    client = make_client()

    with pytest.raises(TypeError, match=r"invalid Twitch id 1001 .*pass str\(1001\)"):
        call(client)

    assert len(helix_mock.calls) == 0


def test_get_users_without_arguments_sends_nothing(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    client = make_client()

    assert client.get_users() == []
    assert client.get_games() == []
    assert len(helix_mock.calls) == 0


def test_closed_client_raises_clear_error(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    mock_token(helix_mock, ACCESS_TOKEN)
    helix_mock.get(STREAMS).mock(return_value=page([]))
    client = make_client()
    client.close()

    with pytest.raises(RuntimeError, match=r"HelixClient is closed.*create a new client"):
        client.get_streams(user_ids=["1001"])
    with pytest.raises(RuntimeError, match="HelixClient is closed"):
        client.iter_videos(user_id="1001")
    assert len(helix_mock.calls) == 0


@pytest.mark.anyio
async def test_closed_async_client_raises_clear_error(
    helix_mock: respx.MockRouter, make_async_client: Callable[..., AsyncHelixClient]
) -> None:
    client = make_async_client()
    await client.aclose()

    with pytest.raises(RuntimeError, match=r"AsyncHelixClient is closed.*`async with`"):
        await client.get_follower_total("1001")
    with pytest.raises(RuntimeError, match="AsyncHelixClient is closed"):
        client.iter_videos(user_id="1001")
    assert len(helix_mock.calls) == 0


def test_retry_of_wrong_type_raises() -> None:
    wrong_retry: Any = {"max_attempts": 2}

    with pytest.raises(ConfigurationError, match=r"invalid retry .*expected a RetryPolicy"):
        HelixClient(client_id="id", client_secret="secret", retry=wrong_retry)


def test_example_reports_invalid_login(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TWITCH_CLIENT_ID", "example-id")
    monkeypatch.setenv("TWITCH_CLIENT_SECRET", "example-secret")
    main = runpy.run_path(str(EXAMPLE))["main"]

    # The login check runs before any request, so the unreachable URLs are never contacted.
    with pytest.raises(SystemExit) as caught:
        main(["@xaqui", "--base-url", "http://127.0.0.1:9/helix"])

    assert caught.value.code == 2
    error_output = capsys.readouterr().err
    assert "invalid Twitch login '@xaqui'" in error_output
    assert "Traceback" not in error_output
