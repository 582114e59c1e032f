"""Profile images of channels, downloaded once and kept on disk.

`AvatarCache` stores each image under its URL's SHA-256 in a cache folder. Twitch gives a new
URL when a streamer changes the picture, so a file never goes stale and the cache needs no expiry.
A download that fails (timeout, HTTP error, a body that is not an image, a body over the size
limit) returns `None` and logs a warning. The caller then draws an initials avatar, coloured by
`initials_colour`, so a day's images are produced even without network access.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import logging
import os
from pathlib import Path
from types import TracebackType
from typing import Final, Self

import httpx
from PIL import Image, UnidentifiedImageError

__all__ = ["DEFAULT_AVATAR_TIMEOUT", "MAX_AVATAR_BYTES", "AvatarCache", "initials_colour"]

logger = logging.getLogger(__name__)

DEFAULT_AVATAR_TIMEOUT: Final = 10.0
# Twitch profile images are PNG or JPEG of at most 600×600 pixels, far below this limit.
MAX_AVATAR_BYTES: Final = 5 * 1024 * 1024
_MAX_AVATAR_PIXELS: Final = 4096 * 4096


class AvatarCache:
    """Download profile images over HTTP(S) and keep them in `directory`.

    Args:
        directory: folder for the cached files; created on the first download.
        timeout: seconds allowed for each download (connect, read and write alike).
        offline: never download; only images already in the folder are used.
        transport: an httpx transport, for tests and local fakes.

    Use it as a context manager, or call `close()`, to release the HTTP connection pool.
    """

    def __init__(
        self,
        *,
        directory: str | os.PathLike[str],
        timeout: float = DEFAULT_AVATAR_TIMEOUT,
        offline: bool = False,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if timeout <= 0:
            raise ValueError(
                f"invalid avatar timeout {timeout!r}: use a positive number of seconds"
            )
        self.directory = Path(directory)
        self.timeout = timeout
        self.offline = offline
        self._transport = transport
        self._client: httpx.Client | None = None
        # URLs that failed in this process are not retried for every image of the same day.
        self._failed: set[str] = set()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP client, if one was opened."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def path_for(self, url: str) -> Path:
        """Return the cache file that stores the image at `url`."""
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()
        return self.directory / f"{digest}.img"

    def get(self, url: str | None) -> Image.Image | None:
        """Return the image at `url` as RGBA, from the cache or downloaded, or None.

        None means there is no usable image: no URL, a URL that is not http(s), offline mode with
        nothing cached, or a download that failed (logged as a warning).
        """
        if not url:
            return None
        if not url.startswith(("https://", "http://")):
            logger.warning("avatar URL %r is not http(s); using initials", url)
            return None

        path = self.path_for(url)
        if path.is_file():
            cached = _decode(path.read_bytes())
            if cached is not None:
                return cached
            logger.warning("cached avatar %s is not a readable image; downloading it again", path)
            path.unlink(missing_ok=True)

        if self.offline or url in self._failed:
            return None
        body = self._download(url)
        if body is None:
            self._failed.add(url)
            return None
        image = _decode(body)
        if image is None:
            logger.warning("avatar %s is not a readable image; using initials", url)
            self._failed.add(url)
            return None

        self._store(path, body)
        return image

    def _download(self, url: str) -> bytes | None:
        if self._client is None:
            self._client = httpx.Client(
                timeout=self.timeout, transport=self._transport, follow_redirects=True
            )
        try:
            with self._client.stream("GET", url) as response:
                response.raise_for_status()
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_AVATAR_BYTES:
                        logger.warning(
                            "avatar %s is larger than %d bytes; using initials",
                            url,
                            MAX_AVATAR_BYTES,
                        )
                        return None
                    chunks.append(chunk)
        except httpx.HTTPStatusError as exc:
            logger.warning(
                "avatar download %s failed with HTTP %d; using initials",
                url,
                exc.response.status_code,
            )
            return None
        except httpx.HTTPError as exc:
            logger.warning(
                "avatar download %s failed (%s); using initials", url, type(exc).__name__
            )
            return None
        logger.info("downloaded avatar %s (%d bytes)", url, size)
        return b"".join(chunks)

    def _store(self, path: Path, body: bytes) -> None:
        # Write beside the target and rename, so a crash never leaves a half-written image.
        self.directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        try:
            partial.write_bytes(body)
            partial.replace(path)
        except OSError as exc:
            logger.warning("could not store avatar in %s: %s", path, exc)
            partial.unlink(missing_ok=True)


def _decode(body: bytes) -> Image.Image | None:
    try:
        with Image.open(io.BytesIO(body)) as probe:
            width, height = probe.size
            if width * height > _MAX_AVATAR_PIXELS:
                return None
            probe.verify()
        with Image.open(io.BytesIO(body)) as image:
            return image.convert("RGBA")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None


def initials_colour(login: str) -> tuple[int, int, int]:
    """Return the background colour of `login`'s initials avatar, the same on every run.

    The hue comes from a hash of the lower-cased login. The lightness is lowered, hue by hue,
    until white initials have a contrast ratio of at least 4.5:1 (the WCAG AA level for text).
    """
    digest = hashlib.sha256(login.strip().lower().encode("utf-8")).digest()
    hue = int.from_bytes(digest[:2], "big") / 65536
    lightness = 0.42
    while True:
        red, green, blue = colorsys.hls_to_rgb(hue, lightness, 0.62)
        colour = round(red * 255), round(green * 255), round(blue * 255)
        if _contrast_with_white(colour) >= 4.5 or lightness <= 0.1:
            return colour
        lightness -= 0.02


def _contrast_with_white(colour: tuple[int, int, int]) -> float:
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in colour)
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return 1.05 / (luminance + 0.05)
