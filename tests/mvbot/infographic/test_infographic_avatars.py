"""Tests for the avatar cache and the initials avatars."""

from __future__ import annotations

import logging
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import httpx
import numpy as np
import pytest
import respx
from PIL import Image

from mvbot._avatars import MAX_AVATAR_BYTES, AvatarCache, initials_colour
from mvbot.infographic._entries import RankChange, RankedEntry
from mvbot.infographic._fonts import TextRenderer, find_fonts
from mvbot.infographic._ranking import avatar_disc

URL = "https://static-cdn.example.test/ibai-profile_image-300x300.png"
SolidPng = Callable[[tuple[int, int, int]], bytes]


def test_download_is_cached_on_disk(tmp_path: Path, solid_png: SolidPng) -> None:
    with respx.mock() as router:
        route = router.get(URL).respond(200, content=solid_png((10, 200, 30)))
        with AvatarCache(directory=tmp_path) as cache:
            first = cache.get(URL)
        with AvatarCache(directory=tmp_path) as cache:
            second = cache.get(URL)

    assert route.call_count == 1
    assert first is not None
    assert second is not None
    assert first.mode == "RGBA"
    assert second.getpixel((5, 5)) == (10, 200, 30, 255)
    assert cache.path_for(URL).is_file()


@pytest.mark.parametrize(
    "response",
    [
        pytest.param(httpx.Response(404), id="not-found"),
        pytest.param(httpx.Response(500), id="server-error"),
        pytest.param(httpx.Response(200, content=b"<html>not an image</html>"), id="not-image"),
        pytest.param(httpx.Response(200, content=b"\x89PNG\r\n\x1a\n broken"), id="truncated-png"),
        pytest.param(httpx.ConnectTimeout("timed out"), id="timeout"),
        pytest.param(httpx.ConnectError("refused"), id="connect-error"),
    ],
)
def test_failed_download_returns_none(
    tmp_path: Path, response: httpx.Response | Exception, caplog: pytest.LogCaptureFixture
) -> None:
    with respx.mock() as router, AvatarCache(directory=tmp_path) as cache:
        route = router.get(URL)
        if isinstance(response, Exception):
            route.mock(side_effect=response)
        else:
            route.mock(return_value=response)
        with caplog.at_level(logging.WARNING, logger="mvbot._avatars"):
            image = cache.get(URL)
            again = cache.get(URL)

    assert image is None
    assert again is None
    assert route.call_count == 1, "a failed URL is not retried within one run"
    assert not list(tmp_path.iterdir()), "nothing is cached after a failure"
    assert "using initials" in caplog.text


def test_oversized_download_rejected(tmp_path: Path) -> None:
    with respx.mock() as router, AvatarCache(directory=tmp_path) as cache:
        router.get(URL).respond(200, content=b"\0" * (MAX_AVATAR_BYTES + 1))
        assert cache.get(URL) is None


def test_offline_uses_only_cache(tmp_path: Path, solid_png: SolidPng) -> None:
    with respx.mock() as router:
        router.get(URL).respond(200, content=solid_png((1, 2, 3)))
        with AvatarCache(directory=tmp_path) as cache:
            cache.get(URL)
    with respx.mock(assert_all_called=False) as router:
        other = "https://static-cdn.example.test/other.png"
        route = router.get(other).respond(200, content=solid_png((1, 2, 3)))
        with AvatarCache(directory=tmp_path, offline=True) as cache:
            cached = cache.get(URL)
            missing = cache.get(other)

    assert cached is not None
    assert missing is None
    assert route.call_count == 0


def test_corrupt_cache_file_downloaded_again(tmp_path: Path, solid_png: SolidPng) -> None:
    with respx.mock() as router, AvatarCache(directory=tmp_path) as cache:
        route = router.get(URL).respond(200, content=solid_png((9, 9, 9)))
        cache.path_for(URL).write_bytes(b"garbage")
        image = cache.get(URL)

    assert image is not None
    assert route.call_count == 1


@pytest.mark.parametrize("url", [None, "", "file:///etc/passwd", "ftp://example.test/a.png"])
def test_unusable_url_returns_none(tmp_path: Path, url: str | None) -> None:
    with respx.mock(), AvatarCache(directory=tmp_path) as cache:
        assert cache.get(url) is None


def test_invalid_timeout_raises(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="invalid avatar timeout 0"):
        AvatarCache(directory=tmp_path, timeout=0)


def test_initials_colour_stable_and_distinct() -> None:
    assert initials_colour("ibai") == initials_colour("IBAI")
    assert initials_colour("ibai") != initials_colour("auronplay")


def _relative_luminance(colour: tuple[int, int, int]) -> float:
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def test_initials_colour_contrasts_with_white() -> None:
    for index in range(500):
        colour = initials_colour(f"channel_{index}")
        ratio = 1.05 / (_relative_luminance(colour) + 0.05)
        assert ratio >= 4.5, (colour, ratio)


def _entry(login: str, display_name: str) -> RankedEntry:
    return RankedEntry(
        rank=1,
        channel_id="1",
        login=login,
        display_name=display_name,
        value=1.0,
        change=RankChange("same"),
        profile_image_url=None,
    )


def test_initials_disc_uses_login_colour() -> None:
    renderer = TextRenderer(find_fonts())

    disc = avatar_disc(_entry("la_jefa", "LaJefa"), 80, renderer, None)

    pixels = np.asarray(disc)
    assert pixels[0, 0, 3] == 0, "corners are transparent"
    assert tuple(pixels[40, 12, :3]) == initials_colour("la_jefa")
    assert (pixels[..., :3] == 255).all(axis=-1).any(), "white initials are drawn"


def test_picture_disc_is_round_crop(solid_png: SolidPng) -> None:
    picture = Image.open(BytesIO(solid_png((200, 10, 10)))).convert("RGBA")
    disc = avatar_disc(_entry("ibai", "Ibai"), 64, TextRenderer(find_fonts()), picture)

    pixels = np.asarray(disc)
    assert disc.size == (64, 64)
    assert pixels[0, 0, 3] == 0
    assert tuple(pixels[32, 32]) == (200, 10, 10, 255)
