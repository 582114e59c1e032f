"""Tests of the fake Helix server's endpoints, pagination, tokens and clock."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable

import httpx
import pytest

from twitchstats import ConfigurationError
from twitchstats._collector._clock import ManualClock, SystemClock
from twitchstats._fakehelix import DEFAULT_CLIENT_SECRET, FakeHelixServer


def _all_ids(server: FakeHelixServer) -> list[str]:
    return [channel.id for channel in server.simulation.channels]


def _walk_pages(helix: httpx.Client, path: str, params: dict[str, object]) -> list[list[dict]]:  # type: ignore[type-arg]
    pages = []
    cursor = None
    for _ in range(50):
        query = dict(params)
        if cursor:
            query["after"] = cursor
        response = helix.get(path, params=query)  # type: ignore[arg-type]
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body["data"])
        cursor = body["pagination"].get("cursor")
        if not cursor:
            break
    return pages


def test_port_zero_binds_free_port(server: FakeHelixServer) -> None:
    assert server.port > 0
    assert server.url == f"http://127.0.0.1:{server.port}"
    assert server.helix_base_url.endswith("/helix")
    assert server.auth_base_url.endswith("/oauth2")


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com", "::1"])  # noqa: S104
def test_non_loopback_host_rejected(host: str) -> None:
    with pytest.raises(ConfigurationError, match="loopback"):
        FakeHelixServer(host=host)


def test_stop_closes_port(clock: ManualClock) -> None:
    server = FakeHelixServer(channels=5, clock=clock).start()
    url = server.url
    server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/_fake/clock", timeout=2)


def test_token_mint_and_validate(
    server: FakeHelixServer, mint: Callable[[httpx.Client], str]
) -> None:
    with httpx.Client(timeout=5) as client:
        token = mint(client)
        valid = client.get(
            f"{server.auth_base_url}/validate", headers={"Authorization": f"OAuth {token}"}
        )
        invalid = client.get(
            f"{server.auth_base_url}/validate", headers={"Authorization": "OAuth nope"}
        )
    assert valid.status_code == 200
    assert valid.json()["client_id"] == server.client_id
    assert invalid.status_code == 401


def test_token_rejects_wrong_secret(server: FakeHelixServer) -> None:
    response = httpx.post(
        f"{server.auth_base_url}/token",
        data={
            "client_id": server.client_id,
            "client_secret": "wrong",
            "grant_type": "client_credentials",
        },
        timeout=5,
    )
    assert response.status_code == 403
    assert "access_token" not in response.text


def test_helix_rejects_unknown_token(server: FakeHelixServer) -> None:
    response = httpx.get(
        f"{server.helix_base_url}/streams",
        headers={"Client-Id": server.client_id, "Authorization": "Bearer unknown"},
        timeout=5,
    )
    assert response.status_code == 401
    assert response.json() == {
        "error": "Unauthorized",
        "status": 401,
        "message": "Invalid OAuth token",
    }


def test_revoked_token_needs_new_one(
    server: FakeHelixServer, helix: httpx.Client, mint: Callable[[httpx.Client], str]
) -> None:
    server.revoke_tokens()
    assert helix.get("/games", params={"id": "32982"}).status_code == 401
    helix.headers["Authorization"] = f"Bearer {mint(helix)}"
    assert helix.get("/games", params={"id": "32982"}).status_code == 200


def test_streams_have_twitch_shape(helix: httpx.Client, server: FakeHelixServer) -> None:
    body = helix.get("/streams", params={"user_id": _all_ids(server)[:100], "first": 100}).json()
    assert body["data"]
    stream = body["data"][0]
    assert set(stream) >= {
        "id", "user_id", "user_login", "user_name", "game_id", "game_name", "type", "title",
        "tags", "viewer_count", "started_at", "language", "thumbnail_url", "tag_ids", "is_mature",
    }  # fmt: skip
    assert stream["type"] == "live"
    assert stream["started_at"].endswith("Z")
    assert isinstance(stream["id"], str)
    assert isinstance(stream["viewer_count"], int)
    counts = [item["viewer_count"] for item in body["data"]]
    assert counts == sorted(counts, reverse=True)


def test_streams_only_requested_channels(helix: httpx.Client, server: FakeHelixServer) -> None:
    wanted = set(_all_ids(server)[:100])
    body = helix.get("/streams", params={"user_id": sorted(wanted), "first": 100}).json()
    assert {item["user_id"] for item in body["data"]} <= wanted


def test_streams_pagination_covers_all_once(helix: httpx.Client, server: FakeHelixServer) -> None:
    ids = _all_ids(server)[:100]
    whole = helix.get("/streams", params={"user_id": ids, "first": 100}).json()["data"]
    pages = _walk_pages(helix, "/streams", {"user_id": ids, "first": 7})
    paged = [item["id"] for page in pages for item in page]
    assert len(pages) > 1
    assert all(len(page) <= 7 for page in pages)
    assert paged == [item["id"] for item in whole]


@pytest.mark.parametrize("first", ["0", "101", "many"])
def test_streams_rejects_bad_first(helix: httpx.Client, first: str) -> None:
    response = helix.get("/streams", params={"first": first})
    assert response.status_code == 400
    assert response.json()["status"] == 400


def test_streams_rejects_over_100_ids(helix: httpx.Client, server: FakeHelixServer) -> None:
    response = helix.get("/streams", params={"user_id": _all_ids(server)[:101]})
    assert response.status_code == 400


def test_streams_unknown_login_fails_request(helix: httpx.Client, server: FakeHelixServer) -> None:
    logins = [server.simulation.channels[0].login, "doesnotexist_x"]
    assert helix.get("/streams", params={"user_login": logins}).status_code == 400


def test_streams_unknown_id_is_absent(helix: httpx.Client) -> None:
    response = helix.get("/streams", params={"user_id": ["1", "2"]})
    assert response.status_code == 200
    assert response.json()["data"] == []


def test_invalid_cursor_rejected(helix: httpx.Client) -> None:
    assert helix.get("/streams", params={"after": "garbage!"}).status_code == 400


def test_rate_limit_headers_count_down(helix: httpx.Client) -> None:
    first = helix.get("/games", params={"id": "32982"})
    second = helix.get("/games", params={"id": "32982"})
    assert first.headers["Ratelimit-Limit"] == "800"
    assert (
        int(second.headers["Ratelimit-Remaining"]) == int(first.headers["Ratelimit-Remaining"]) - 1
    )
    assert int(first.headers["Ratelimit-Reset"]) % 60 == 0


def _logged_in(server: FakeHelixServer) -> httpx.Client:
    """Return an httpx client for Helix with a freshly minted token."""
    client = httpx.Client(base_url=server.helix_base_url, timeout=5)
    token = client.post(
        f"{server.auth_base_url}/token",
        data={
            "client_id": server.client_id,
            "client_secret": DEFAULT_CLIENT_SECRET,
            "grant_type": "client_credentials",
        },
    ).json()["access_token"]
    client.headers.update({"Client-Id": server.client_id, "Authorization": f"Bearer {token}"})
    return client


def test_rate_limit_exhaustion_gives_429(clock: ManualClock) -> None:
    server = FakeHelixServer(channels=5, clock=clock, rate_limit_points=3)
    with server, contextlib.closing(_logged_in(server)) as client:
        statuses = [client.get("/games", params={"id": "1"}).status_code for _ in range(4)]
        clock.advance(60)
        after_reset = client.get("/games", params={"id": "1"}).status_code
    assert statuses == [200, 200, 200, 429]
    assert after_reset == 200


def test_users_by_id_and_login(helix: httpx.Client, server: FakeHelixServer) -> None:
    first, second = server.simulation.channels[:2]
    body = helix.get("/users", params={"id": first.id, "login": second.login}).json()
    assert {user["id"] for user in body["data"]} == {first.id, second.id}
    user = next(user for user in body["data"] if user["id"] == first.id)
    assert user["login"] == first.login
    assert user["created_at"].endswith("Z")


def test_users_follow_rename(
    helix: httpx.Client, server: FakeHelixServer, clock: ManualClock
) -> None:
    channel = server.simulation.channels[3]
    server.rename_channel(channel.id, "renombrado_tv", at=clock.now() + dt.timedelta(minutes=5))
    before = helix.get("/users", params={"id": channel.id}).json()["data"]
    clock.advance(300)
    after = helix.get("/users", params={"id": channel.id}).json()["data"]
    by_old_login = helix.get("/users", params={"login": channel.login}).json()["data"]
    assert before[0]["login"] == channel.login
    assert after[0]["login"] == "renombrado_tv"
    assert by_old_login == []


def test_suspended_channel_missing_everywhere(
    helix: httpx.Client, server: FakeHelixServer, clock: ManualClock
) -> None:
    live = helix.get("/streams", params={"user_id": _all_ids(server)[:100], "first": 100}).json()
    channel_id = live["data"][0]["user_id"]
    server.suspend_channel(channel_id)
    streams = helix.get("/streams", params={"user_id": channel_id}).json()["data"]
    users = helix.get("/users", params={"id": channel_id}).json()["data"]
    followers = helix.get("/channels/followers", params={"broadcaster_id": channel_id})
    assert streams == []
    assert users == []
    assert followers.status_code == 400


def test_followers_total_grows(
    helix: httpx.Client, server: FakeHelixServer, clock: ManualClock
) -> None:
    channel_id = server.simulation.channels[0].id
    today = helix.get("/channels/followers", params={"broadcaster_id": channel_id}).json()
    clock.advance(86_400)
    tomorrow = helix.get("/channels/followers", params={"broadcaster_id": channel_id}).json()
    assert today["data"] == []
    assert tomorrow["total"] > today["total"] > 0


def test_videos_by_user_and_id(helix: httpx.Client, server: FakeHelixServer) -> None:
    channel = next(c for c in server.simulation.channels if c.broadcaster_type == "partner")
    pages = _walk_pages(helix, "/videos", {"user_id": channel.id, "type": "archive", "first": 5})
    videos = [video for page in pages for video in page]
    assert videos
    assert all(video["type"] == "archive" for video in videos)
    by_id = helix.get("/videos", params={"id": videos[0]["id"]}).json()["data"]
    assert by_id == [videos[0]]
    assert helix.get("/videos", params={"id": "999"}).status_code == 404


def test_games_by_id_and_name(helix: httpx.Client) -> None:
    body = helix.get("/games", params={"id": "32982", "name": "Just Chatting"}).json()
    assert {game["name"] for game in body["data"]} == {"Grand Theft Auto V", "Just Chatting"}


def test_unknown_endpoint_is_404(helix: httpx.Client) -> None:
    assert helix.get("/nothing").status_code == 404


def test_clock_endpoint_reads_and_sets(server: FakeHelixServer, clock: ManualClock) -> None:
    url = f"{server.url}/_fake/clock"
    shown = httpx.get(url, timeout=5).json()
    advanced = httpx.post(url, json={"advance_seconds": 90}, timeout=5).json()
    target = dt.datetime(2021, 5, 1, 12, tzinfo=dt.UTC)
    moved = httpx.post(url, json={"now": target.isoformat()}, timeout=5).json()
    assert shown == {"now": "2021-04-16T19:30:00+00:00", "kind": "manual"}
    assert advanced["now"] == "2021-04-16T19:31:30+00:00"
    assert moved["now"] == target.isoformat()
    assert clock.now() == target


def test_clock_endpoint_refuses_setting_system_clock() -> None:
    with FakeHelixServer(channels=5, clock=SystemClock()) as server:
        response = httpx.post(f"{server.url}/_fake/clock", json={"advance_seconds": 5}, timeout=5)
        shown = httpx.get(f"{server.url}/_fake/clock", timeout=5).json()
    assert response.status_code == 409
    assert shown["kind"] == "system"


def test_same_minute_same_answer_across_servers(clock: ManualClock) -> None:
    answers = []
    for _ in range(2):
        server = FakeHelixServer(seed=11, channels=120, clock=clock)
        with server, contextlib.closing(_logged_in(server)) as client:
            ids = _all_ids(server)[:100]
            answers.append(client.get("/streams", params={"user_id": ids, "first": 100}).json())
    assert answers[0] == answers[1]
