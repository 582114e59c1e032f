"""Endpoints, models, batching and pagination of the Helix client."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx
from helix_fakes import HELIX, mock_token, page, stream_item, user_item, video_item

from twitchstats import (
    Game,
    HelixClient,
    InvalidResponseError,
    MutedSegment,
    Stream,
    User,
    Video,
    parse_video_duration,
)

STREAMS = f"{HELIX}/streams"
VIDEOS = f"{HELIX}/videos"


@pytest.fixture(autouse=True)
def _token(helix_mock: respx.MockRouter) -> None:
    mock_token(helix_mock)


def query(route: respx.Route, call: int, name: str) -> list[str]:
    return route.calls[call].request.url.params.get_list(name)


# --- streams --------------------------------------------------------------------------------


def test_streams_batched_by_100_with_first_100(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    user_ids = [str(2000 + number) for number in range(250)]
    route = helix_mock.get(STREAMS).mock(
        side_effect=[
            page([stream_item("s1", user_ids[0])]),
            page([stream_item("s2", user_ids[150])]),
            page([stream_item("s3", user_ids[249])]),
        ]
    )
    client = make_client()

    streams = client.get_streams(user_ids=user_ids)

    assert [stream.id for stream in streams] == ["s1", "s2", "s3"]
    assert route.call_count == 3
    assert query(route, 0, "user_id") == user_ids[:100]
    assert query(route, 1, "user_id") == user_ids[100:200]
    assert query(route, 2, "user_id") == user_ids[200:]
    for call in range(3):
        assert query(route, call, "first") == ["100"]


def test_streams_duplicate_ids_sent_once(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    route = helix_mock.get(STREAMS).mock(return_value=page([]))
    client = make_client()

    client.get_streams(user_ids=["1001", "1002", "1001", " 1003 "])

    assert query(route, 0, "user_id") == ["1001", "1002", "1003"]


def test_streams_empty_ids_send_nothing(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    route = helix_mock.get(STREAMS).mock(return_value=page([]))
    client = make_client()

    assert client.get_streams(user_ids=[]) == []
    assert route.call_count == 0


def test_stream_on_two_pages_deduplicated(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    route = helix_mock.get(STREAMS).mock(
        side_effect=[
            page([stream_item("1", "1001"), stream_item("2", "1002", viewer_count=50)], "c1"),
            page([stream_item("2", "1002", viewer_count=51), stream_item("3", "1003")]),
        ]
    )
    client = make_client()

    streams = client.get_streams(user_ids=["1001", "1002", "1003"])

    assert [stream.id for stream in streams] == ["1", "2", "3"]
    assert streams[1].viewer_count == 50  # the first reading is kept
    assert route.call_count == 2
    assert query(route, 1, "after") == ["c1"]
    assert query(route, 1, "user_id") == ["1001", "1002", "1003"]


def test_missing_id_simply_absent(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    helix_mock.get(STREAMS).mock(
        return_value=page([stream_item("1", "1001"), stream_item("3", "1003")])
    )
    client = make_client()

    streams = client.get_streams(user_ids=["1001", "9999999", "1003"])

    assert {stream.user_id for stream in streams} == {"1001", "1003"}


@pytest.mark.parametrize(
    ("fields", "check"),
    [
        pytest.param({"tags": None}, lambda s: s.tags == (), id="null-tags"),
        pytest.param({"tags": ["Español"]}, lambda s: s.tags == ("Español",), id="tags"),
        pytest.param(
            {"brand_new_field": {"x": 1}, "tag_ids": []},
            lambda s: not hasattr(s, "brand_new_field"),
            id="unknown-field",
        ),
        pytest.param(
            {"game_id": "", "game_name": "", "title": ""},
            lambda s: (s.game_id, s.game_name, s.title) == ("", "", ""),
            id="empty-game-and-title",
        ),
        pytest.param(
            {"title": None, "game_name": None},
            lambda s: (s.title, s.game_name) == ("", ""),
            id="null-title",
        ),
        pytest.param({"type": ""}, lambda s: s.type == "", id="empty-type"),
        pytest.param(
            {"id": 40000000001, "user_id": 1001},
            lambda s: (s.id, s.user_id) == ("40000000001", "1001"),
            id="numeric-ids-as-strings",
        ),
        pytest.param(
            {"started_at": "2021-04-16T20:00:05+02:00"},
            lambda s: s.started_at == dt.datetime(2021, 4, 16, 18, 0, 5, tzinfo=dt.UTC),
            id="offset-to-utc",
        ),
        pytest.param({"viewer_count": 0}, lambda s: s.viewer_count == 0, id="zero-viewers"),
    ],
)
def test_stream_payload_quirks(
    helix_mock: respx.MockRouter,
    make_client: Callable[..., HelixClient],
    fields: dict[str, Any],
    check: Callable[[Stream], bool],
) -> None:
    helix_mock.get(STREAMS).mock(return_value=page([stream_item("1", **fields)]))
    client = make_client()

    (stream,) = client.get_streams(user_ids=["1001"])

    assert check(stream)
    assert stream.started_at.utcoffset() == dt.timedelta(0)


def test_stream_model_frozen() -> None:
    stream = Stream.model_validate(stream_item("1"))

    with pytest.raises(ValueError, match="frozen"):
        stream.viewer_count = 5  # type: ignore[misc]


def test_invalid_item_raises_without_retry(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    route = helix_mock.get(STREAMS).mock(
        return_value=page([stream_item("77", viewer_count="many")])
    )
    client = make_client()

    with pytest.raises(InvalidResponseError, match=r"invalid Stream \(id '77'\): viewer_count"):
        client.get_streams(user_ids=["1001"])

    assert route.call_count == 1


@pytest.mark.parametrize(
    ("user_ids", "error_type", "message"),
    [
        pytest.param("1001", TypeError, "not one string", id="bare-string"),
        pytest.param(["ibai"], ValueError, "invalid Twitch id 'ibai'", id="login-as-id"),
        pytest.param([""], ValueError, "invalid Twitch id ''", id="empty"),
        pytest.param([None], TypeError, "invalid Twitch id None", id="none"),
        pytest.param([True], TypeError, "invalid Twitch id True", id="bool"),
        pytest.param([1003], TypeError, r"not int; pass str\(1003\)", id="int"),
        pytest.param(["-5"], ValueError, "invalid Twitch id '-5'", id="negative"),
    ],
)
def test_invalid_user_ids_raise(
    helix_mock: respx.MockRouter,
    make_client: Callable[..., HelixClient],
    user_ids: Any,
    error_type: type[Exception],
    message: str,
) -> None:
    client = make_client()

    with pytest.raises(error_type, match=message):
        client.get_streams(user_ids=user_ids)

    assert len(helix_mock.calls) == 0


# --- pagination -----------------------------------------------------------------------------


def test_cursor_looping_back_stops(
    helix_mock: respx.MockRouter,
    make_client: Callable[..., HelixClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    first_page = page([stream_item("1", "1001"), stream_item("2", "1002")], "cursor-A")
    route = helix_mock.get(STREAMS).mock(
        side_effect=[
            first_page,
            page([stream_item("3", "1003")], "cursor-Z"),
            # The last page's cursor leads back to the first page, which repeats cursor-A.
            page([stream_item("1", "1001"), stream_item("2", "1002")], "cursor-A"),
        ]
    )
    client = make_client()

    with caplog.at_level(logging.WARNING, logger="twitchstats"):
        streams = client.get_streams(user_ids=["1001", "1002", "1003"])

    assert [stream.id for stream in streams] == ["1", "2", "3"]
    assert route.call_count == 3
    assert "already returned" in caplog.text


def test_empty_page_stops(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    route = helix_mock.get(VIDEOS).mock(
        side_effect=[page([video_item("1")], "c1"), page([], "c2"), page([video_item("9")])]
    )
    client = make_client()

    videos = list(client.iter_videos(user_id="1001"))

    assert [video.id for video in videos] == ["1"]
    assert route.call_count == 2


def test_short_page_not_taken_as_last(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    route = helix_mock.get(VIDEOS).mock(
        side_effect=[page([video_item("1")], "c1"), page([video_item("2")])]
    )
    client = make_client()

    videos = list(client.iter_videos(user_id="1001"))

    assert [video.id for video in videos] == ["1", "2"]
    assert route.call_count == 2


def test_page_limit_stops_with_warning(
    helix_mock: respx.MockRouter,
    make_client: Callable[..., HelixClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    def endless(request: httpx.Request) -> httpx.Response:
        number = len(route.calls)
        return page([video_item(str(number))], f"cursor-{number}")

    route = helix_mock.get(VIDEOS).mock(side_effect=endless)
    client = make_client()

    with caplog.at_level(logging.WARNING, logger="twitchstats"):
        videos = list(client.iter_videos(user_id="1001", max_pages=3))

    assert len(videos) == 3
    assert route.call_count == 3
    assert "page limit" in caplog.text


def test_iter_videos_lazy_and_stoppable(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    route = helix_mock.get(VIDEOS).mock(
        side_effect=[page([video_item("1"), video_item("2")], "c1"), page([video_item("3")])]
    )
    client = make_client()

    iterator = client.iter_videos(user_id="1001")
    assert route.call_count == 0
    first = next(iterator)

    assert first.id == "1"
    assert route.call_count == 1
    assert query(route, 0, "type") == ["archive"]
    assert query(route, 0, "first") == ["100"]
    assert query(route, 0, "user_id") == ["1001"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param({"user_id": "x"}, "invalid Twitch id 'x'", id="user-id"),
        pytest.param({"user_id": "1", "type": "vod"}, "invalid video type 'vod'", id="type"),
        pytest.param({"user_id": "1", "max_pages": 0}, "invalid max_pages 0", id="max-pages"),
    ],
)
def test_iter_videos_checks_arguments_at_call(
    make_client: Callable[..., HelixClient], arguments: dict[str, Any], message: str
) -> None:
    client = make_client()

    with pytest.raises(ValueError, match=message):
        client.iter_videos(**arguments)


# --- videos ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("3h8m33s", dt.timedelta(hours=3, minutes=8, seconds=33), id="h-m-s"),
        pytest.param("1h2m3s", dt.timedelta(hours=1, minutes=2, seconds=3), id="short-h-m-s"),
        pytest.param("50s", dt.timedelta(seconds=50), id="seconds"),
        pytest.param("12m", dt.timedelta(minutes=12), id="minutes"),
        pytest.param("2h", dt.timedelta(hours=2), id="hours"),
        pytest.param("2h5s", dt.timedelta(hours=2, seconds=5), id="no-minutes"),
        pytest.param("0s", dt.timedelta(0), id="zero"),
        pytest.param("49h0m1s", dt.timedelta(hours=49, seconds=1), id="over-a-day"),
        pytest.param(" 50s ", dt.timedelta(seconds=50), id="spaces"),
    ],
)
def test_duration_parsed(text: str, expected: dt.timedelta) -> None:
    assert parse_video_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("1x", id="unknown-unit"),
        pytest.param("h", id="unit-only"),
        pytest.param("3s8m", id="wrong-order"),
        pytest.param("1h2h", id="repeated-unit"),
        pytest.param("-5s", id="negative"),
        pytest.param("1.5s", id="fraction"),
        pytest.param("PT1H2M", id="iso-8601"),
        pytest.param("90", id="no-unit"),
    ],
)
def test_invalid_duration_raises(text: str) -> None:
    with pytest.raises(ValueError, match=f"invalid video duration {text!r}"):
        parse_video_duration(text)


def test_video_with_invalid_duration_raises(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    helix_mock.get(VIDEOS).mock(return_value=page([video_item("55", duration="3 hours")]))
    client = make_client()

    with pytest.raises(InvalidResponseError) as caught:
        client.get_videos(ids=["55"])

    assert "invalid Video (id '55')" in str(caught.value)
    assert "invalid video duration '3 hours'" in str(caught.value)


@pytest.mark.parametrize(
    ("segments", "expected"),
    [
        pytest.param(None, (), id="null"),
        pytest.param([], (), id="empty"),
        pytest.param(
            [{"duration": 30, "offset": 120}, {"duration": 60, "offset": 3600}],
            (
                MutedSegment(offset=dt.timedelta(seconds=120), duration=dt.timedelta(seconds=30)),
                MutedSegment(offset=dt.timedelta(hours=1), duration=dt.timedelta(minutes=1)),
            ),
            id="two-segments",
        ),
    ],
)
def test_muted_segments(
    helix_mock: respx.MockRouter,
    make_client: Callable[..., HelixClient],
    segments: list[dict[str, int]] | None,
    expected: tuple[MutedSegment, ...],
) -> None:
    helix_mock.get(VIDEOS).mock(return_value=page([video_item("1", muted_segments=segments)]))
    client = make_client()

    (video,) = client.get_videos(ids=["1"])

    assert video.muted_segments == expected


def test_get_videos_fields_and_batches(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    ids = [str(900 + number) for number in range(120)]
    route = helix_mock.get(VIDEOS).mock(
        side_effect=[page([video_item("900"), video_item("901", stream_id=None)]), page([])]
    )
    client = make_client()

    videos = client.get_videos(ids=ids)

    assert route.call_count == 2
    assert query(route, 0, "id") == ids[:100]
    assert query(route, 1, "id") == ids[100:]
    first = videos[0]
    assert isinstance(first, Video)
    assert first.stream_id == "40000000001"
    assert videos[1].stream_id is None
    assert first.duration == dt.timedelta(hours=3, minutes=8, seconds=33)
    assert first.created_at == dt.datetime(2021, 4, 16, 18, 0, 12, tzinfo=dt.UTC)


def test_get_videos_404_means_none_found(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    helix_mock.get(VIDEOS).mock(
        return_value=httpx.Response(404, json={"status": 404, "message": "Not Found"})
    )
    client = make_client()

    assert client.get_videos(ids=["1", "2"]) == []


# --- users, games, followers ----------------------------------------------------------------


def test_get_users_by_ids_and_logins(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    logins = [f"streamer_{number}" for number in range(150)]
    route = helix_mock.get(f"{HELIX}/users").mock(
        side_effect=[page([user_item("1001", "ibai"), user_item("58", "streamer_0")]), page([])]
    )
    client = make_client()

    users = client.get_users(ids=["1001"], logins=["IBAI", *logins])

    assert route.call_count == 2
    assert query(route, 0, "id") == ["1001"]
    assert query(route, 0, "login") == ["ibai", *logins[:98]]
    assert query(route, 1, "login") == logins[98:]
    assert [user.login for user in users] == ["ibai", "streamer_0"]
    assert isinstance(users[0], User)
    assert not hasattr(users[0], "view_count")
    assert users[0].created_at.tzinfo is dt.UTC


@pytest.mark.parametrize(
    "login",
    [
        pytest.param("@ibai", id="at-sign"),
        pytest.param("https://twitch.tv/ibai", id="url"),
        pytest.param("a" * 26, id="too-long"),
        pytest.param("", id="empty"),
    ],
)
def test_invalid_login_raises(make_client: Callable[..., HelixClient], login: str) -> None:
    client = make_client()

    with pytest.raises(ValueError, match="invalid Twitch login"):
        client.get_users(logins=[login])


def test_get_games_by_ids_and_names(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    route = helix_mock.get(f"{HELIX}/games").mock(
        return_value=page(
            [
                {"id": "32982", "name": "Grand Theft Auto V", "box_art_url": "", "igdb_id": ""},
                {"id": "509658", "name": "Just Chatting", "box_art_url": "x", "extra": 1},
            ]
        )
    )
    client = make_client()

    games = client.get_games(ids=["32982"], names=["Just Chatting"])

    assert query(route, 0, "id") == ["32982"]
    assert query(route, 0, "name") == ["Just Chatting"]
    assert games == [
        Game(id="32982", name="Grand Theft Auto V", box_art_url="", igdb_id=""),
        Game(id="509658", name="Just Chatting", box_art_url="x", igdb_id=""),
    ]


def test_follower_total(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    route = helix_mock.get(f"{HELIX}/channels/followers").mock(
        return_value=page([], total=1_234_567)
    )
    client = make_client()

    total = client.get_follower_total("1001")

    assert total == 1_234_567
    assert query(route, 0, "broadcaster_id") == ["1001"]
    assert query(route, 0, "first") == ["1"]


def test_follower_total_missing_raises(
    helix_mock: respx.MockRouter, make_client: Callable[..., HelixClient]
) -> None:
    helix_mock.get(f"{HELIX}/channels/followers").mock(return_value=page([]))
    client = make_client()

    with pytest.raises(InvalidResponseError, match="total"):
        client.get_follower_total("1001")
