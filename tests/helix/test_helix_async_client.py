"""The async client on the same scenarios as the sync one: it shares their flows."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest
import respx
from helix_fakes import (
    AUTH,
    CLIENT_ID,
    CLIENT_SECRET,
    HELIX,
    START,
    FakeTime,
    mock_token,
    page,
    stream_item,
    video_item,
)

from twitchstats import (
    AsyncHelixClient,
    AuthenticationError,
    HelixTimeoutError,
    RateLimitError,
    ServerError,
)

pytestmark = pytest.mark.anyio

STREAMS = f"{HELIX}/streams"
UNAUTHORIZED = httpx.Response(401, json={"status": 401, "message": "Invalid OAuth token"})


async def test_streams_with_minted_token(
    helix_mock: respx.MockRouter, make_async_client: Callable[..., AsyncHelixClient]
) -> None:
    token_route = mock_token(helix_mock)
    route = helix_mock.get(STREAMS).mock(return_value=page([stream_item("1", tags=None)]))

    async with make_async_client() as client:
        streams = await client.get_streams(user_ids=["1001"])
        await client.get_streams(user_ids=["1001"])

    assert [stream.id for stream in streams] == ["1"]
    assert streams[0].tags == ()
    assert token_route.call_count == 1
    assert route.calls[0].request.headers["Authorization"] == "Bearer token-1"
    assert route.calls[0].request.url.params.get_list("first") == ["100"]


async def test_401_remints_then_second_401_raises(
    helix_mock: respx.MockRouter, make_async_client: Callable[..., AsyncHelixClient]
) -> None:
    token_route = mock_token(helix_mock, "token-1", "token-2", "token-3", "token-4")
    route = helix_mock.get(STREAMS).mock(
        side_effect=[UNAUTHORIZED, page([stream_item("1")]), UNAUTHORIZED, UNAUTHORIZED]
    )

    async with make_async_client() as client:
        streams = await client.get_streams(user_ids=["1001"])
        with pytest.raises(AuthenticationError):
            await client.get_streams(user_ids=["1001"])

    assert len(streams) == 1
    assert route.calls[1].request.headers["Authorization"] == "Bearer token-2"
    assert token_route.call_count == 3
    assert route.call_count == 4


async def test_validate_at_start_and_hourly(
    helix_mock: respx.MockRouter,
    make_async_client: Callable[..., AsyncHelixClient],
    fake_time: FakeTime,
) -> None:
    validate = helix_mock.get(f"{AUTH}/validate").mock(
        return_value=httpx.Response(200, json={"client_id": CLIENT_ID, "expires_in": 9_000_000})
    )
    helix_mock.get(STREAMS).mock(return_value=page([]))

    async with make_async_client(access_token="given-token") as client:
        await client.get_streams(user_ids=["1001"])
        fake_time.advance(1800)
        await client.get_streams(user_ids=["1001"])
        assert validate.call_count == 1
        fake_time.advance(1800)
        await client.get_streams(user_ids=["1001"])

    assert validate.call_count == 2


async def test_429_waits_until_reset(
    helix_mock: respx.MockRouter,
    make_async_client: Callable[..., AsyncHelixClient],
    fake_time: FakeTime,
) -> None:
    mock_token(helix_mock)
    limited = httpx.Response(
        429, headers={"Ratelimit-Remaining": "0", "Ratelimit-Reset": str(int(START + 4))}
    )
    helix_mock.get(STREAMS).mock(side_effect=[limited, page([stream_item("1")])])

    async with make_async_client() as client:
        streams = await client.get_streams(user_ids=["1001"])

    assert len(streams) == 1
    assert fake_time.sleeps == [4.0]


async def test_far_429_raises_rate_limit_error(
    helix_mock: respx.MockRouter, make_async_client: Callable[..., AsyncHelixClient]
) -> None:
    mock_token(helix_mock)
    limited = httpx.Response(429, headers={"Ratelimit-Reset": str(int(START + 600))})
    helix_mock.get(STREAMS).mock(return_value=limited)

    async with make_async_client() as client:
        with pytest.raises(RateLimitError) as caught:
            await client.get_streams(user_ids=["1001"])

    assert caught.value.reset_at is not None


async def test_503_html_then_success(
    helix_mock: respx.MockRouter,
    make_async_client: Callable[..., AsyncHelixClient],
    fake_time: FakeTime,
) -> None:
    mock_token(helix_mock)
    html = httpx.Response(503, text="<html>503</html>", headers={"Content-Type": "text/html"})
    helix_mock.get(STREAMS).mock(side_effect=[html, page([stream_item("1")])])

    async with make_async_client() as client:
        streams = await client.get_streams(user_ids=["1001"])

    assert len(streams) == 1
    assert len(fake_time.sleeps) == 1


async def test_persistent_503_raises_server_error(
    helix_mock: respx.MockRouter,
    make_async_client: Callable[..., AsyncHelixClient],
    fake_time: FakeTime,
) -> None:
    mock_token(helix_mock)
    route = helix_mock.get(STREAMS).mock(return_value=httpx.Response(503))

    async with make_async_client() as client:
        with pytest.raises(ServerError):
            await client.get_streams(user_ids=["1001"])

    assert route.call_count == 4
    assert fake_time.now - START <= 45


async def test_hung_connection_raises_timeout(
    helix_mock: respx.MockRouter,
    make_async_client: Callable[..., AsyncHelixClient],
    fake_time: FakeTime,
) -> None:
    mock_token(helix_mock)

    def hang(request: httpx.Request) -> httpx.Response:
        fake_time.advance(10)
        raise httpx.ReadTimeout("timed out", request=request)

    route = helix_mock.get(STREAMS).mock(side_effect=hang)

    async with make_async_client() as client:
        with pytest.raises(HelixTimeoutError):
            await client.get_streams(user_ids=["1001"])

    assert route.call_count in (3, 4)
    assert fake_time.now - START <= 45


async def test_iter_videos_stops_on_looping_cursor(
    helix_mock: respx.MockRouter,
    make_async_client: Callable[..., AsyncHelixClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    mock_token(helix_mock)
    route = helix_mock.get(f"{HELIX}/videos").mock(
        side_effect=[
            page([video_item("1"), video_item("2")], "A"),
            page([video_item("2"), video_item("3")], "B"),
            page([video_item("1")], "A"),
        ]
    )

    async with make_async_client() as client:
        with caplog.at_level(logging.WARNING, logger="twitchstats"):
            videos = [video async for video in client.iter_videos(user_id="1001")]

    assert [video.id for video in videos] == ["1", "2", "3"]
    assert route.call_count == 3
    assert "already returned" in caplog.text


async def test_other_endpoints(
    helix_mock: respx.MockRouter, make_async_client: Callable[..., AsyncHelixClient]
) -> None:
    mock_token(helix_mock)
    helix_mock.get(f"{HELIX}/channels/followers").mock(return_value=page([], total=42))
    helix_mock.get(f"{HELIX}/users").mock(
        return_value=page(
            [{"id": "1001", "login": "ibai", "created_at": "2015-05-10T12:00:00Z", "x": 1}]
        )
    )
    helix_mock.get(f"{HELIX}/games").mock(return_value=page([{"id": "32982", "name": "GTA V"}]))
    helix_mock.get(f"{HELIX}/videos").mock(return_value=page([video_item("5", duration="50s")]))

    async with make_async_client() as client:
        total = await client.get_follower_total("1001")
        users = await client.get_users(logins=["ibai"])
        games = await client.get_games(ids=["32982"])
        videos = await client.get_videos(ids=["5"])

    assert total == 42
    assert users[0].id == "1001"
    assert games[0].name == "GTA V"
    assert videos[0].duration.total_seconds() == 50


async def test_secret_absent_from_error_and_repr(
    helix_mock: respx.MockRouter,
    make_async_client: Callable[..., AsyncHelixClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    helix_mock.post(f"{AUTH}/token").mock(
        return_value=httpx.Response(403, json={"message": "invalid client secret"})
    )

    async with make_async_client() as client:
        with caplog.at_level(logging.DEBUG), pytest.raises(AuthenticationError) as caught:
            await client.get_streams(user_ids=["1001"])
        shown = repr(client)

    for text in (str(caught.value), repr(caught.value), shown, caplog.text):
        assert CLIENT_SECRET not in text
    assert CLIENT_SECRET not in caught.value.request.content.decode()


async def test_closed_client_rejects_requests(
    helix_mock: respx.MockRouter, make_async_client: Callable[..., AsyncHelixClient]
) -> None:
    mock_token(helix_mock)
    helix_mock.get(STREAMS).mock(return_value=page([]))
    client = make_async_client()
    await client.aclose()

    with pytest.raises(RuntimeError, match="closed"):
        await client.get_streams(user_ids=["1001"])
