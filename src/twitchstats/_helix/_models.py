"""Typed records of the Helix endpoints that twitchstats reads.

Every model is frozen and ignores fields it does not know, because Twitch adds fields without
notice. Ids stay strings (a number that a fake server or an old cache sends is converted to its
string). Datetimes are timezone-aware UTC.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

_DURATION_PATTERN = re.compile(r"(?:(?P<hours>\d+)h)?(?:(?P<minutes>\d+)m)?(?:(?P<seconds>\d+)s)?")


def parse_video_duration(value: str) -> dt.timedelta:
    """Parse a Helix video duration such as "3h8m33s", "12m" or "50s" into a timedelta.

    Helix writes durations as hours, minutes and seconds with unit letters, not in ISO 8601.

    Raises:
        ValueError: the text is empty or not of that form. The message shows the value.
    """
    match = _DURATION_PATTERN.fullmatch(value.strip())
    if not value.strip() or match is None:
        raise ValueError(
            f"invalid video duration {value!r}: expected hours, minutes and seconds such as "
            "'3h8m33s' or '50s'"
        )

    parts = {name: int(number) for name, number in match.groupdict().items() if number}
    return dt.timedelta(**parts)


def _to_utc(value: Any) -> Any:
    """Read an RFC 3339 text or a datetime as timezone-aware UTC.

    Helix documents every timestamp as UTC, so a value without an offset is taken as UTC.
    """
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
    return value


def _duration(value: Any) -> Any:
    if isinstance(value, str):
        return parse_video_duration(value)
    return value


def _none_to_empty(value: Any) -> Any:
    return () if value is None else value


def _none_to_text(value: Any) -> Any:
    return "" if value is None else value


UtcDatetime = Annotated[dt.datetime, BeforeValidator(_to_utc)]
"""A timezone-aware UTC datetime read from an RFC 3339 text."""

_Text = Annotated[str, BeforeValidator(_none_to_text)]


class _HelixModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", coerce_numbers_to_str=True)


class Stream(_HelixModel):
    """One live stream as Get Streams returns it.

    A channel that is offline is absent from the response, never present with 0 viewers.
    `game_id`, `game_name` and `title` can be empty strings. `tags` is empty when Twitch sends
    null. A short disconnect usually gives the channel a new stream `id` and `started_at`.

    Attributes:
        id: stream id, the key for de-duplicating and for joining a VOD (`Video.stream_id`).
        user_id: id of the broadcasting channel (stable across renames).
        user_login: login of the channel at the time of the reading.
        user_name: display name of the channel.
        game_id: category id, "" when the channel set none.
        game_name: category name, "" when the channel set none.
        type: "live", or "" when Twitch had an error.
        title: stream title, possibly "".
        viewer_count: concurrent viewers. A new stream can read 0 at first.
        started_at: start of the stream.
        language: ISO 639-1 code of the stream language, or "other".
        thumbnail_url: template URL with `{width}` and `{height}` placeholders.
        tags: tags the broadcaster set.
        is_mature: whether the stream is marked for mature audiences.
    """

    id: str
    user_id: str
    user_login: str
    user_name: _Text = ""
    game_id: _Text = ""
    game_name: _Text = ""
    type: _Text = ""
    title: _Text = ""
    viewer_count: int
    started_at: UtcDatetime
    language: _Text = ""
    thumbnail_url: _Text = ""
    tags: Annotated[tuple[str, ...], BeforeValidator(_none_to_empty)] = ()
    is_mature: bool = False


class User(_HelixModel):
    """A Twitch user (channel) as Get Users returns it.

    Logins change when a user renames, the `id` never does. Suspended and deleted users are absent
    from responses. The `view_count` field that Twitch still sends is ignored, because it has been
    frozen since 2022 and 0 since 2023.

    Attributes:
        id: user id.
        login: current login (lowercase).
        display_name: display name, which may differ from the login in case or script.
        type: "admin", "global_mod", "staff" or "".
        broadcaster_type: "partner", "affiliate" or "".
        description: channel description.
        profile_image_url: URL of the profile image.
        offline_image_url: URL of the offline banner, possibly "".
        created_at: when the account was created.
    """

    id: str
    login: str
    display_name: _Text = ""
    type: _Text = ""
    broadcaster_type: _Text = ""
    description: _Text = ""
    profile_image_url: _Text = ""
    offline_image_url: _Text = ""
    created_at: UtcDatetime


class MutedSegment(_HelixModel):
    """A part of a video whose audio Twitch muted. The video's timeline is not shifted.

    Attributes:
        offset: start of the segment from the start of the video.
        duration: length of the segment.
    """

    offset: dt.timedelta
    duration: dt.timedelta


class Video(_HelixModel):
    """A video (VOD) as Get Videos returns it.

    Join an archive to its stream by `stream_id`, not by time: an archive's `created_at` is a few
    seconds after the stream's `started_at`. A disconnect can split one broadcast into two videos.

    Attributes:
        id: video id.
        stream_id: id of the stream this archive recorded, None for uploads and highlights.
        user_id: id of the owning channel.
        user_login: login of the owning channel.
        user_name: display name of the owning channel.
        title: video title.
        description: video description.
        created_at: when the video was created.
        published_at: when the video was published.
        url: page URL of the video.
        thumbnail_url: template URL of the thumbnail.
        viewable: "public" for published videos.
        view_count: views of the video.
        language: ISO 639-1 code of the video language.
        type: "archive", "highlight" or "upload".
        duration: length of the video, parsed from Twitch's "3h8m33s" form.
        muted_segments: muted parts, empty when Twitch sends null.
    """

    id: str
    stream_id: str | None = None
    user_id: str
    user_login: _Text = ""
    user_name: _Text = ""
    title: _Text = ""
    description: _Text = ""
    created_at: UtcDatetime
    published_at: UtcDatetime | None = None
    url: _Text = ""
    thumbnail_url: _Text = ""
    viewable: _Text = ""
    view_count: int = 0
    language: _Text = ""
    type: _Text = ""
    duration: Annotated[dt.timedelta, BeforeValidator(_duration)]
    muted_segments: Annotated[tuple[MutedSegment, ...], BeforeValidator(_none_to_empty)] = ()


class Game(_HelixModel):
    """A game or category as Get Games returns it.

    Attributes:
        id: category id, as in `Stream.game_id`.
        name: category name.
        box_art_url: template URL of the box art with `{width}` and `{height}` placeholders.
        igdb_id: IGDB id of the game, "" when Twitch has none.
    """

    id: str
    name: str
    box_art_url: _Text = ""
    igdb_id: _Text = ""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RateLimit:
    """Rate-limit state from the `Ratelimit-*` headers of one Helix response.

    Twitch gives each client id a bucket of points (800 per minute by default), shared by every
    process that uses the client id. A field is None when its header was missing or invalid.

    Attributes:
        limit: size of the bucket in points (`Ratelimit-Limit`).
        remaining: points left (`Ratelimit-Remaining`).
        reset_at: when the bucket is full again (`Ratelimit-Reset`, timezone-aware UTC).
    """

    limit: int | None = None
    remaining: int | None = None
    reset_at: dt.datetime | None = None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RequestStats:
    """Measurements of the most recent Helix request, successful or not.

    The client's `last_request` attribute contains one after each request. Times come from the
    client's clock, so tests with a fake clock see fake times.

    Attributes:
        endpoint: method and path, such as "GET /helix/streams".
        attempts: attempts made, the first one included. A retry after a token re-mint counts.
        status_code: HTTP status of the last response, None when no response came.
        elapsed_seconds: time from the start of the request to its end, waits included.
        latency_seconds: duration of the last HTTP exchange alone, None when none completed.
        rate_limit: rate-limit state of the last response, None when it had no such headers.
    """

    endpoint: str
    attempts: int
    status_code: int | None
    elapsed_seconds: float
    latency_seconds: float | None = None
    rate_limit: RateLimit | None = None
