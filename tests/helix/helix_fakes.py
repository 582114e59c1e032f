"""Canned Helix payloads, routes and a fake clock for the Helix client tests."""

from __future__ import annotations

from typing import Any

import httpx
import respx

HELIX = "https://api.twitch.tv/helix"
AUTH = "https://id.twitch.tv/oauth2"
CLIENT_ID = "test-client-id"
CLIENT_SECRET = "s3cr3t-client-value"
START = 1_700_000_000.0


class FakeTime:
    """A clock that only moves when the code under test sleeps (or a test advances it)."""

    def __init__(self, start: float = START) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def advance(self, seconds: float) -> None:
        self.now += seconds


def token_response(token: str, expires_in: int = 5_000_000) -> httpx.Response:
    return httpx.Response(
        200, json={"access_token": token, "expires_in": expires_in, "token_type": "bearer"}
    )


def page(
    items: list[dict[str, Any]],
    cursor: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    total: int | None = None,
) -> httpx.Response:
    body: dict[str, Any] = {"data": items, "pagination": {"cursor": cursor} if cursor else {}}
    if total is not None:
        body["total"] = total
    return httpx.Response(200, json=body, headers=headers)


def stream_item(stream_id: str, user_id: str = "1001", **fields: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": stream_id,
        "user_id": user_id,
        "user_login": f"user{user_id}",
        "user_name": f"User{user_id}",
        "game_id": "32982",
        "game_name": "Grand Theft Auto V",
        "type": "live",
        "title": "Marbella Vice día 3",
        "tags": ["Español", "Roleplay"],
        "viewer_count": 1234,
        "started_at": "2021-04-16T18:00:05Z",
        "language": "es",
        "thumbnail_url": "https://static-cdn.jtvnw.net/previews-ttv/live_user_{width}x{height}.jpg",
        "tag_ids": [],
        "is_mature": False,
    }
    item.update(fields)
    return item


def video_item(video_id: str, **fields: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": video_id,
        "stream_id": "40000000001",
        "user_id": "1001",
        "user_login": "user1001",
        "user_name": "User1001",
        "title": "Marbella Vice día 3",
        "description": "",
        "created_at": "2021-04-16T18:00:12Z",
        "published_at": "2021-04-16T18:00:12Z",
        "url": f"https://www.twitch.tv/videos/{video_id}",
        "thumbnail_url": "",
        "viewable": "public",
        "view_count": 4321,
        "language": "es",
        "type": "archive",
        "duration": "3h8m33s",
        "muted_segments": None,
    }
    item.update(fields)
    return item


def user_item(user_id: str, login: str, **fields: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": user_id,
        "login": login,
        "display_name": login.capitalize(),
        "type": "",
        "broadcaster_type": "partner",
        "description": "",
        "profile_image_url": f"https://static-cdn.jtvnw.net/{login}.png",
        "offline_image_url": "",
        "view_count": 0,
        "created_at": "2015-05-10T12:00:00Z",
    }
    item.update(fields)
    return item


def mock_token(router: respx.MockRouter, *tokens: str) -> respx.Route:
    """Route the token endpoint to mint `tokens` in turn (default: one token, "token-1")."""
    responses = [token_response(token) for token in (tokens or ("token-1",))]
    return router.post(f"{AUTH}/token").mock(side_effect=responses)
