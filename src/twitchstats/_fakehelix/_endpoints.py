"""The Helix endpoints of the fake server, computed from the simulation."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from twitchstats._fakehelix._faults import FakeHelixFault, FaultKind
from twitchstats._fakehelix._simulation import (
    GAMES,
    SimChannel,
    SimStream,
    Simulation,
    SimVideo,
    format_duration,
)

__all__ = ["TOKEN_LIFETIME_SECONDS", "HelixEndpoints", "HelixRequestError"]

# App access tokens live about two months on Twitch; the fake states the same order of size.
TOKEN_LIFETIME_SECONDS = 5_184_000
_MAX_IDS_PER_REQUEST = 100


def _format_time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _encode_cursor(offset: int) -> str:
    raw = json.dumps({"b": {"Offset": offset}}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    """Return the offset inside a cursor, or raise `ValueError`."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset = data["b"]["Offset"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"invalid cursor {cursor!r}") from exc
    if not isinstance(offset, int) or offset < 0:
        raise ValueError(f"invalid cursor {cursor!r}")
    return offset


class HelixRequestError(Exception):
    """An error response in Twitch's JSON shape."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class HelixEndpoints:
    """Build the JSON bodies of the Helix endpoints for a simulation at a given time."""

    def __init__(self, simulation: Simulation) -> None:
        self.simulation = simulation

    def route(
        self,
        path: str,
        query: dict[str, list[str]],
        now: dt.datetime,
        faults: Sequence[FakeHelixFault],
    ) -> dict[str, Any]:
        if path == "/helix/streams":
            return self._streams(query, now, faults)
        if path == "/helix/users":
            return self._users(query, now)
        if path == "/helix/channels/followers":
            return self._followers(query, now)
        if path == "/helix/videos":
            return self._videos(query, now, faults)
        if path == "/helix/games":
            return self._games(query)
        raise HelixRequestError(404, "")

    @staticmethod
    def _first(query: dict[str, list[str]], default: int = 20) -> int:
        raw = query.get("first", [str(default)])[0]
        try:
            first = int(raw)
        except ValueError:
            raise HelixRequestError(400, f"Invalid value for first: {raw}") from None
        if not 1 <= first <= 100:
            raise HelixRequestError(
                400, 'The parameter "first" was malformed: the value must be between 1 and 100'
            )
        return first

    @staticmethod
    def _paginate(
        items: Sequence[Any], query: dict[str, list[str]], faults: Sequence[FakeHelixFault]
    ) -> tuple[list[Any], str | None]:
        first = HelixEndpoints._first(query)
        kinds = {fault.kind for fault in faults}
        sizes = [fault.page_size for fault in faults if fault.page_size is not None]
        size = min([first, *sizes])
        after = query.get("after", [""])[0]
        try:
            offset = _decode_cursor(after) if after else 0
        except ValueError as exc:
            raise HelixRequestError(400, str(exc)) from None

        start = offset
        if FaultKind.DUPLICATE_ACROSS_PAGES in kinds and offset > 0 and size > 1:
            start = offset - 1
        page = list(items[start : start + size])
        next_offset = start + size
        if next_offset < len(items):
            return page, _encode_cursor(next_offset)
        if FaultKind.CURSOR_LOOP in kinds and items:
            return page, _encode_cursor(0)
        return page, None

    def _stream_json(self, stream: SimStream) -> dict[str, Any]:
        channel = stream.channel
        return {
            "id": stream.broadcast.stream_id,
            "user_id": channel.id,
            "user_login": stream.login,
            "user_name": channel.display_name,
            "game_id": stream.game.id,
            "game_name": stream.game.name,
            "type": "live",
            "title": stream.broadcast.title,
            "tags": ["Español", "Roleplay"] if channel.plays_event else ["Español"],
            "viewer_count": stream.viewer_count,
            "started_at": _format_time(stream.broadcast.started_at),
            "language": "es",
            "thumbnail_url": (
                f"https://static-cdn.jtvnw.net/previews-ttv/live_user_{stream.login}"
                "-{width}x{height}.jpg"
            ),
            "tag_ids": [],
            "is_mature": False,
        }

    def _streams(
        self, query: dict[str, list[str]], now: dt.datetime, faults: Sequence[FakeHelixFault]
    ) -> dict[str, Any]:
        user_ids = query.get("user_id", [])
        logins = query.get("user_login", [])
        if len(user_ids) + len(logins) > _MAX_IDS_PER_REQUEST:
            raise HelixRequestError(
                400, "The number of user_id and user_login values must not exceed 100"
            )

        selected: list[str] | None = None
        if user_ids or logins:
            selected = list(user_ids)
            for login in logins:
                channel = self.simulation.find_login(login, now)
                if channel is None:
                    raise HelixRequestError(400, "Invalid login names, emails or IDs in request")
                selected.append(channel.id)
        streams = self.simulation.live_streams(now, selected)

        game_ids = set(query.get("game_id", []))
        if game_ids:
            streams = [stream for stream in streams if stream.game.id in game_ids]
        if query.get("type", ["all"])[0] not in ("all", "live"):
            raise HelixRequestError(400, "type must be all or live")

        page, cursor = self._paginate(streams, query, faults)
        return {
            "data": [self._stream_json(stream) for stream in page],
            "pagination": {"cursor": cursor} if cursor else {},
        }

    def _user_json(self, channel: SimChannel, now: dt.datetime) -> dict[str, Any]:
        login = self.simulation.login_at(channel, now)
        return {
            "id": channel.id,
            "login": login,
            "display_name": channel.display_name if login == channel.login else login,
            "type": "",
            "broadcaster_type": channel.broadcaster_type,
            "description": f"Canal de {channel.display_name}. Directos por las tardes.",
            "profile_image_url": (
                f"https://static-cdn.jtvnw.net/jtv_user_pictures/{channel.id}"
                "-profile_image-300x300.png"
            ),
            "offline_image_url": "",
            "view_count": 0,
            "created_at": _format_time(channel.created_at),
        }

    def _users(self, query: dict[str, list[str]], now: dt.datetime) -> dict[str, Any]:
        ids = query.get("id", [])
        logins = query.get("login", [])
        if not ids and not logins:
            raise HelixRequestError(400, "Must provide an ID, Login or OAuth Token")
        if len(ids) + len(logins) > _MAX_IDS_PER_REQUEST:
            raise HelixRequestError(400, "The number of id and login values must not exceed 100")

        found: dict[str, SimChannel] = {}
        for channel_id in ids:
            channel = self.simulation.channel(channel_id)
            if channel is not None and not self.simulation.is_suspended(channel, now):
                found[channel.id] = channel
        for login in logins:
            channel = self.simulation.find_login(login, now)
            if channel is not None:
                found[channel.id] = channel
        return {"data": [self._user_json(channel, now) for channel in found.values()]}

    def _followers(self, query: dict[str, list[str]], now: dt.datetime) -> dict[str, Any]:
        broadcaster_id = query.get("broadcaster_id", [""])[0]
        self._first(query)
        channel = self.simulation.channel(broadcaster_id)
        if channel is None or self.simulation.is_suspended(channel, now):
            # NOTE: Twitch does not document its response for a suspended broadcaster. The fake
            # returns 400, so that a client never mistakes the channel for one with 0 followers.
            raise HelixRequestError(400, "Invalid broadcaster_id")
        # An app access token has no moderator:read:followers scope: only `total` comes back.
        return {
            "total": self.simulation.followers_total(channel, now),
            "data": [],
            "pagination": {},
        }

    def _video_json(self, video: SimVideo) -> dict[str, Any]:
        broadcast = video.broadcast
        muted = [
            {"duration": length, "offset": offset} for offset, length in broadcast.muted_offsets
        ]
        return {
            "id": broadcast.video_id,
            "stream_id": broadcast.stream_id,
            "user_id": video.channel.id,
            "user_login": video.login,
            "user_name": video.channel.display_name,
            "title": broadcast.title,
            "description": "",
            "created_at": _format_time(video.created_at),
            "published_at": _format_time(video.created_at),
            "url": f"https://www.twitch.tv/videos/{broadcast.video_id}",
            "thumbnail_url": "",
            "viewable": "public",
            "view_count": video.view_count,
            "language": "es",
            "type": "archive",
            "duration": format_duration(video.duration_seconds),
            "muted_segments": muted or None,
        }

    def _videos(
        self, query: dict[str, list[str]], now: dt.datetime, faults: Sequence[FakeHelixFault]
    ) -> dict[str, Any]:
        ids = query.get("id", [])
        user_ids = query.get("user_id", [])
        if ids:
            if len(ids) > _MAX_IDS_PER_REQUEST:
                raise HelixRequestError(400, "The number of id values must not exceed 100")
            lookups = [self.simulation.video_by_id(video_id, now) for video_id in ids]
            found = [video for video in lookups if video is not None]
            if not found:
                raise HelixRequestError(404, "Videos Not Found")
            return {"data": [self._video_json(video) for video in found], "pagination": {}}
        if len(user_ids) != 1:
            raise HelixRequestError(
                400, "Must provide one of id (1-100 values), user_id or game_id"
            )

        channel = self.simulation.channel(user_ids[0])
        if channel is None or self.simulation.is_suspended(channel, now):
            return {"data": [], "pagination": {}}
        video_type = query.get("type", ["all"])[0]
        if video_type not in ("all", "archive", "highlight", "upload"):
            raise HelixRequestError(400, f"Invalid type {video_type}")
        videos = self.simulation.videos(channel, now) if video_type in ("all", "archive") else []
        page, cursor = self._paginate(videos, query, faults)
        return {
            "data": [self._video_json(video) for video in page],
            "pagination": {"cursor": cursor} if cursor else {},
        }

    @staticmethod
    def _games(query: dict[str, list[str]]) -> dict[str, Any]:
        ids = set(query.get("id", []))
        names = {name.lower() for name in query.get("name", [])}
        igdb_ids = set(query.get("igdb_id", []))
        if not ids and not names and not igdb_ids:
            raise HelixRequestError(400, "Must provide at least one id, name or igdb_id")
        if len(ids) + len(names) + len(igdb_ids) > _MAX_IDS_PER_REQUEST:
            raise HelixRequestError(
                400, "The number of id, name and igdb_id values must not exceed 100"
            )
        data = [
            {
                "id": game.id,
                "name": game.name,
                "box_art_url": (
                    f"https://static-cdn.jtvnw.net/ttv-boxart/{game.id}-{{width}}x{{height}}.jpg"
                ),
                "igdb_id": game.igdb_id,
            }
            for game in GAMES
            if game.id in ids
            or game.name.lower() in names
            or (game.igdb_id and game.igdb_id in igdb_ids)
        ]
        return {"data": data}
