"""Token minting, validation, re-minting after a 401, credentials and secret hygiene."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import parse_qs

import httpx
import pytest
import respx
from helix_fakes import (
    AUTH,
    CLIENT_ID,
    CLIENT_SECRET,
    HELIX,
    FakeTime,
    mock_token,
    page,
    stream_item,
    token_response,
)

from twitchstats import AuthenticationError, ConfigurationError, HelixClient

STREAMS = f"{HELIX}/streams"
VALIDATE_OK = httpx.Response(
    200, json={"client_id": CLIENT_ID, "scopes": [], "expires_in": 5_000_000}
)
UNAUTHORIZED = httpx.Response(
    401, json={"error": "Unauthorized", "status": 401, "message": "Invalid OAuth token"}
)


def bearer(route: respx.Route, call: int) -> str:
    return route.calls[call].request.headers["Authorization"]


def test_token_minted_once_and_cached(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    token_route = mock_token(helix_mock, "token-1")
    streams = helix_mock.get(STREAMS).mock(return_value=page([stream_item("1")]))
    client = make_client()

    client.get_streams(user_ids=["1001"])
    client.get_streams(user_ids=["1001"])

    assert token_route.call_count == 1
    form = parse_qs(token_route.calls[0].request.content.decode())
    assert form == {
        "client_id": [CLIENT_ID],
        "client_secret": [CLIENT_SECRET],
        "grant_type": ["client_credentials"],
    }
    assert "client_secret" not in str(token_route.calls[0].request.url)
    assert streams.call_count == 2
    assert bearer(streams, 0) == "Bearer token-1"
    assert streams.calls[0].request.headers["Client-Id"] == CLIENT_ID


def test_token_expiry_mid_run_remints_once(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    token_route = mock_token(helix_mock, "token-1", "token-2")
    streams = helix_mock.get(STREAMS).mock(
        side_effect=[page([stream_item("1")]), UNAUTHORIZED, page([stream_item("2")])]
    )
    client = make_client()

    first = client.get_streams(user_ids=["1001"])
    second = client.get_streams(user_ids=["1001"])

    assert [stream.id for stream in first] == ["1"]
    assert [stream.id for stream in second] == ["2"]
    assert token_route.call_count == 2
    assert bearer(streams, 1) == "Bearer token-1"
    assert bearer(streams, 2) == "Bearer token-2"
    assert client.last_request is not None
    assert client.last_request.attempts == 2


def test_second_401_raises_authentication_error(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    token_route = mock_token(helix_mock, "token-1", "token-2")
    streams = helix_mock.get(STREAMS).mock(return_value=UNAUTHORIZED)
    client = make_client()

    with pytest.raises(AuthenticationError) as caught:
        client.get_streams(user_ids=["1001"])

    assert token_route.call_count == 2
    assert streams.call_count == 2
    assert caught.value.status_code == 401
    assert caught.value.twitch_message == "Invalid OAuth token"
    assert "newly minted token was rejected" in str(caught.value)


def test_401_without_secret_raises(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    helix_mock.get(f"{AUTH}/validate").mock(return_value=VALIDATE_OK)
    streams = helix_mock.get(STREAMS).mock(return_value=UNAUTHORIZED)
    client = make_client(client_secret=None, access_token="given-token")

    with pytest.raises(AuthenticationError, match="no client secret is configured"):
        client.get_streams(user_ids=["1001"])

    assert streams.call_count == 1


def test_given_token_validated_at_start_and_hourly(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient], fake_time: FakeTime
) -> None:
    validate = helix_mock.get(f"{AUTH}/validate").mock(return_value=VALIDATE_OK)
    token_route = mock_token(helix_mock)
    helix_mock.get(STREAMS).mock(return_value=page([]))
    client = make_client(access_token="given-token")

    client.get_streams(user_ids=["1001"])
    assert validate.call_count == 1
    assert validate.calls[0].request.headers["Authorization"] == "OAuth given-token"

    fake_time.advance(3599)
    client.get_streams(user_ids=["1001"])
    assert validate.call_count == 1

    fake_time.advance(1)
    client.get_streams(user_ids=["1001"])
    assert validate.call_count == 2
    assert token_route.call_count == 0


def test_minted_token_validated_after_an_hour(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient], fake_time: FakeTime
) -> None:
    validate = helix_mock.get(f"{AUTH}/validate").mock(return_value=VALIDATE_OK)
    mock_token(helix_mock)
    helix_mock.get(STREAMS).mock(return_value=page([]))
    client = make_client()

    client.get_streams(user_ids=["1001"])
    assert validate.call_count == 0  # a token the client just minted counts as validated

    fake_time.advance(3600)
    client.get_streams(user_ids=["1001"])
    assert validate.call_count == 1
    assert validate.calls[0].request.headers["Authorization"] == "OAuth token-1"


def test_validate_401_remints_token(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    helix_mock.get(f"{AUTH}/validate").mock(return_value=UNAUTHORIZED)
    token_route = mock_token(helix_mock, "fresh-token")
    streams = helix_mock.get(STREAMS).mock(return_value=page([]))
    client = make_client(access_token="expired-token")

    client.get_streams(user_ids=["1001"])

    assert token_route.call_count == 1
    assert bearer(streams, 0) == "Bearer fresh-token"


def test_validate_401_without_secret_raises(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    helix_mock.get(f"{AUTH}/validate").mock(return_value=UNAUTHORIZED)
    streams = helix_mock.get(STREAMS).mock(return_value=page([]))
    client = make_client(client_secret=None, access_token="expired-token")

    with pytest.raises(AuthenticationError, match="rejected the access token"):
        client.get_streams(user_ids=["1001"])

    assert streams.call_count == 0


def test_validate_outage_keeps_token(
    helix_mock: respx.MockRouter,
    make_client: Callable[..., HelixClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    validate = helix_mock.get(f"{AUTH}/validate").mock(return_value=httpx.Response(503))
    streams = helix_mock.get(STREAMS).mock(return_value=page([stream_item("1")]))
    client = make_client(access_token="given-token")

    with caplog.at_level(logging.WARNING, logger="twitchstats"):
        first = client.get_streams(user_ids=["1001"])
        client.get_streams(user_ids=["1001"])

    assert [stream.id for stream in first] == ["1"]
    assert validate.call_count == 2  # not validated yet, so tried again on the next request
    assert streams.call_count == 2
    assert "token validation failed" in caplog.text


def test_validate_other_client_id_raises(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    helix_mock.get(f"{AUTH}/validate").mock(
        return_value=httpx.Response(200, json={"client_id": "someone-else", "expires_in": 99})
    )
    client = make_client(access_token="given-token")

    with pytest.raises(AuthenticationError, match="someone-else"):
        client.get_streams(user_ids=["1001"])


def test_token_reminted_before_expiry(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient], fake_time: FakeTime
) -> None:
    token_route = helix_mock.post(f"{AUTH}/token").mock(
        side_effect=[token_response("short", expires_in=1000), token_response("next")]
    )
    streams = helix_mock.get(STREAMS).mock(return_value=page([]))
    client = make_client()

    client.get_streams(user_ids=["1001"])
    fake_time.advance(701)  # past expires_in minus the 300 s margin
    client.get_streams(user_ids=["1001"])

    assert token_route.call_count == 2
    assert bearer(streams, 1) == "Bearer next"


@pytest.mark.parametrize(
    ("status", "body"),
    [
        pytest.param(403, {"status": 403, "message": "invalid client secret"}, id="403"),
        pytest.param(400, {"status": 400, "message": "invalid client"}, id="400"),
    ],
)
def test_rejected_credentials_raise(
    helix_mock: respx.MockRouter,
    make_client: Callable[..., HelixClient],
    status: int,
    body: dict[str, object],
) -> None:
    token_route = helix_mock.post(f"{AUTH}/token").mock(
        return_value=httpx.Response(status, json=body)
    )
    client = make_client()

    with pytest.raises(AuthenticationError) as caught:
        client.get_streams(user_ids=["1001"])

    assert token_route.call_count == 1
    assert caught.value.status_code == status
    assert caught.value.twitch_message == body["message"]
    assert "TWITCH_CLIENT_SECRET" in str(caught.value)
    assert CLIENT_SECRET not in caught.value.request.content.decode()


def test_credentials_from_environment(
    helix_mock: respx.MockRouter, monkeypatch: pytest.MonkeyPatch, fake_time: FakeTime
) -> None:
    monkeypatch.setenv("TWITCH_CLIENT_ID", "env-client")
    monkeypatch.setenv("TWITCH_CLIENT_SECRET", "env-secret")
    token_route = mock_token(helix_mock)
    streams = helix_mock.get(STREAMS).mock(return_value=page([]))

    with HelixClient(sleep=fake_time.sleep, clock=fake_time.clock) as client:
        client.get_streams(user_ids=["1001"])

    form = parse_qs(token_route.calls[0].request.content.decode())
    assert form["client_id"] == ["env-client"]
    assert form["client_secret"] == ["env-secret"]
    assert streams.calls[0].request.headers["Client-Id"] == "env-client"


def test_arguments_override_environment(
    helix_mock: respx.MockRouter, monkeypatch: pytest.MonkeyPatch, fake_time: FakeTime
) -> None:
    monkeypatch.setenv("TWITCH_CLIENT_ID", "env-client")
    monkeypatch.setenv("TWITCH_CLIENT_SECRET", "env-secret")
    token_route = mock_token(helix_mock)
    helix_mock.get(STREAMS).mock(return_value=page([]))

    with HelixClient(
        client_id="arg-client", client_secret="arg-secret", clock=fake_time.clock
    ) as client:
        client.get_streams(user_ids=["1001"])

    form = parse_qs(token_route.calls[0].request.content.decode())
    assert form["client_id"] == ["arg-client"]
    assert form["client_secret"] == ["arg-secret"]


@pytest.mark.parametrize(
    ("arguments", "environment", "variable"),
    [
        pytest.param({}, {}, "TWITCH_CLIENT_ID", id="nothing"),
        pytest.param({"client_secret": "x"}, {}, "TWITCH_CLIENT_ID", id="no-client-id"),
        pytest.param({"client_id": "x"}, {}, "TWITCH_CLIENT_SECRET", id="no-secret"),
        pytest.param(
            {},
            {"TWITCH_CLIENT_ID": "x", "TWITCH_CLIENT_SECRET": "  "},
            "TWITCH_CLIENT_SECRET",
            id="blank-secret-variable",
        ),
    ],
)
def test_missing_credentials_raise(
    monkeypatch: pytest.MonkeyPatch,
    arguments: dict[str, str],
    environment: dict[str, str],
    variable: str,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(ConfigurationError, match=variable):
        HelixClient(**arguments)


def test_access_token_alone_is_enough() -> None:
    client = HelixClient(client_id="x", access_token="given-token")
    client.close()


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("api.twitch.tv/helix", id="no-scheme"),
        pytest.param("ftp://api.twitch.tv/helix", id="ftp"),
        pytest.param("https://", id="no-host"),
    ],
)
def test_invalid_base_url_raises(url: str) -> None:
    with pytest.raises(ConfigurationError, match="invalid base_url"):
        HelixClient(client_id="x", client_secret="y", base_url=url)


def test_construction_sends_nothing(helix_mock: respx.MockRouter) -> None:
    with HelixClient(client_id="x", client_secret="y"):
        pass

    assert len(helix_mock.calls) == 0


def test_secrets_absent_from_logs_errors_and_repr(
    helix_mock: respx.MockRouter,
    make_client: Callable[..., HelixClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    token_route = mock_token(helix_mock, "minted-token-aaa", "minted-token-bbb")
    helix_mock.get(STREAMS).mock(side_effect=[httpx.Response(503), UNAUTHORIZED, UNAUTHORIZED])
    client = make_client()

    with caplog.at_level(logging.DEBUG), pytest.raises(AuthenticationError) as caught:
        client.get_streams(user_ids=["1001"])

    assert token_route.call_count == 2
    error = caught.value
    exposed = {
        "log": caplog.text,
        "str(exc)": str(error),
        "repr(exc)": repr(error),
        "repr(client)": repr(client),
        "request headers": str(dict(error.request.headers)),
        "request body": error.request.content.decode(),
        "response request headers": str(dict(error.response.request.headers)),
    }
    for secret in (CLIENT_SECRET, "minted-token-aaa", "minted-token-bbb"):
        for place, text in exposed.items():
            assert secret not in text, f"{secret!r} leaked into {place}"
    assert "503" in caplog.text  # the retry was logged, so the log check saw real records


def test_given_token_absent_from_repr(make_client: Callable[..., HelixClient]) -> None:
    client = make_client(access_token="given-secret-token")

    assert "given-secret-token" not in repr(client)
    assert CLIENT_SECRET not in repr(client)
    assert CLIENT_ID in repr(client)
