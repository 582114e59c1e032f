"""Publishing to Bluesky with atproto (the `bluesky` extra).

Bluesky limits a post to 300 graphemes and 4 images of at most 1,000,000 bytes each. Larger
images are re-encoded as JPEG, lowering the quality and then the size until they fit. Logins are
rate-limited, so one publisher logs in once and reuses its session for every later post.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import logging
import os
from collections.abc import Mapping
from typing import Any, Final

from PIL import Image

from mvbot._i18n import translate
from mvbot.publish._errors import (
    CredentialsError,
    MediaError,
    PostRejectedError,
    PostTooLongError,
    PublishConnectionError,
    PublisherSetupError,
    PublishRateLimitError,
    PublishServerError,
    PublishTimeoutError,
)
from mvbot.publish._protocol import Post, PostImage, PublishedPost
from mvbot.publish._text import (
    BLUESKY_MAX_BYTES,
    BLUESKY_MAX_GRAPHEMES,
    grapheme_count,
    same_post_text,
)

__all__ = ["BLUESKY_MAX_IMAGE_BYTES", "BlueskyPublisher", "fit_image"]

logger = logging.getLogger(__name__)

NAME: Final = "bluesky"
BLUESKY_MAX_IMAGE_BYTES: Final = 1_000_000
_MAX_IMAGES: Final = 4
DEFAULT_TIMEOUT: Final = 60.0
_RECENT_POSTS: Final = 20


def _import_atproto(language: str) -> Any:
    try:
        return importlib.import_module("atproto")
    except ImportError as exc:
        raise PublisherSetupError(
            translate(
                "publish.missing_extra",
                language,
                network="Bluesky",
                package="atproto",
                command="pip install 'twitchstats[bluesky]'",
            ),
            publisher=NAME,
        ) from exc


def fit_image(content: bytes, *, max_bytes: int = BLUESKY_MAX_IMAGE_BYTES) -> bytes:
    """Return `content` unchanged when it fits `max_bytes`, else a smaller JPEG of the image.

    Raises ValueError when even a heavily reduced JPEG does not fit.
    """
    if len(content) <= max_bytes:
        return content
    with Image.open(io.BytesIO(content)) as opened:
        image = opened.convert("RGB")
    scale = 1.0
    while scale >= 0.25:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        resized = image if scale == 1.0 else image.resize(size, Image.Resampling.LANCZOS)
        for quality in (90, 80, 70):
            buffer = io.BytesIO()
            resized.save(buffer, format="JPEG", quality=quality, optimize=True)
            if buffer.tell() <= max_bytes:
                return buffer.getvalue()
        scale *= 0.8
    raise ValueError(f"the image does not fit in {max_bytes} bytes even as a reduced JPEG")


class BlueskyPublisher:
    """Post to a Bluesky account with an app password.

    Args:
        handle: the account, such as `marbellavice.bsky.social`.
        app_password: an app password created in the account's settings.
        service: the account's PDS or the entryway (`https://bsky.social`).
        timeout: timeout in seconds of every request.
        language: language of error messages.
    """

    def __init__(
        self,
        *,
        handle: str,
        app_password: str,
        service: str = "https://bsky.social",
        timeout: float = DEFAULT_TIMEOUT,
        language: str = "es",
    ) -> None:
        self._handle = handle
        self._app_password = app_password
        self._service = service
        self._timeout = timeout
        self._language = language
        self._client: Any = None

    @classmethod
    def from_environment(
        cls,
        *,
        handle: str,
        app_password_variable: str,
        service: str = "https://bsky.social",
        language: str = "es",
        environ: Mapping[str, str] | None = None,
    ) -> BlueskyPublisher:
        """Build a publisher whose app password is read from `app_password_variable`."""
        source = os.environ if environ is None else environ
        password = source.get(app_password_variable, "").strip()
        if not password:
            raise PublisherSetupError(
                translate(
                    "publish.missing_variable",
                    language,
                    variable=app_password_variable,
                    network="Bluesky",
                ),
                publisher=NAME,
            )
        return cls(handle=handle, app_password=password, service=service, language=language)

    @property
    def name(self) -> str:
        """Always `bluesky`."""
        return NAME

    def __enter__(self) -> BlueskyPublisher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP client; the next call logs in again."""
        if self._client is not None:
            self._client.request.close()
            self._client = None

    def _session(self) -> Any:
        if self._client is None:
            atproto = _import_atproto(self._language)
            request_module = importlib.import_module("atproto_client.request")
            client = atproto.Client(
                base_url=f"{self._service.rstrip('/')}/xrpc",
                request=request_module.Request(timeout=self._timeout),
            )
            try:
                client.login(self._handle, self._app_password)
            except Exception as exc:
                client.request.close()
                raise self._map_error(exc, operation="login") from exc
            logger.info("logged in to Bluesky as %s", self._handle)
            self._client = client
        return self._client

    def check(self, post: Post) -> None:
        """Raise when the text is over 300 graphemes or there are more than four images."""
        graphemes = grapheme_count(post.text)
        size = len(post.text.encode("utf-8"))
        if not post.text.strip() or graphemes > BLUESKY_MAX_GRAPHEMES or size > BLUESKY_MAX_BYTES:
            raise PostTooLongError(
                translate(
                    "publish.too_long",
                    self._language,
                    network="Bluesky",
                    length=graphemes,
                    limit=BLUESKY_MAX_GRAPHEMES,
                ),
                publisher=NAME,
            )
        if len(post.images) > _MAX_IMAGES:
            raise MediaError(
                translate(
                    "publish.too_many_images",
                    self._language,
                    network="Bluesky",
                    count=len(post.images),
                    limit=_MAX_IMAGES,
                ),
                publisher=NAME,
            )

    def _prepare(self, image: PostImage) -> tuple[bytes, int, int]:
        try:
            content = fit_image(image.path.read_bytes())
            with Image.open(io.BytesIO(content)) as opened:
                width, height = opened.size
        except (OSError, ValueError) as exc:
            raise MediaError(
                translate("publish.image_unreadable", self._language, file=image.path, error=exc),
                publisher=NAME,
            ) from exc
        return content, width, height

    def publish(self, post: Post) -> PublishedPost:
        """Upload the images as blobs, then create the post with `langs` set to its language."""
        self.check(post)
        prepared = [self._prepare(image) for image in post.images]
        client = self._session()
        models = importlib.import_module("atproto").models

        embedded: list[Any] = []
        for image, (content, width, height) in zip(post.images, prepared, strict=True):
            try:
                upload = client.upload_blob(content)
            except Exception as exc:
                raise self._map_error(exc, operation="media", file=image.path.name) from exc
            embedded.append(
                models.AppBskyEmbedImages.Image(
                    alt=image.alt_text,
                    image=upload.blob,
                    aspect_ratio=models.AppBskyEmbedDefs.AspectRatio(width=width, height=height),
                )
            )
            logger.info("uploaded %s to Bluesky (%d bytes)", image.path.name, len(content))

        embed = models.AppBskyEmbedImages.Main(images=embedded) if embedded else None
        try:
            created = client.send_post(post.text, embed=embed, langs=[post.language])
        except Exception as exc:
            raise self._map_error(exc, operation="create") from exc

        logger.info("posted %s to Bluesky as %s", post.key, created.uri)
        return PublishedPost(post_id=str(created.uri), url=_web_url(self._handle, created.uri))

    def find_published(self, text: str, *, since: dt.datetime) -> PublishedPost | None:
        """Read the account's latest posts and return the one carrying `text`, if any."""
        client = self._session()
        try:
            feed = client.get_author_feed(
                actor=self._handle, limit=_RECENT_POSTS, filter="posts_no_replies"
            )
        except Exception as exc:
            raise self._map_error(exc, operation="read") from exc

        for item in feed.feed:
            record = item.post.record
            created_at = _parse_time(getattr(record, "created_at", None))
            if created_at is not None and created_at < since:
                continue
            if same_post_text(str(getattr(record, "text", "")), text):
                uri = str(item.post.uri)
                return PublishedPost(post_id=uri, url=_web_url(self._handle, uri))
        return None

    def _map_error(self, exc: Exception, *, operation: str, file: str = "") -> Exception:
        exceptions = importlib.import_module("atproto_client.exceptions")
        lang = self._language
        creating = operation == "create"

        if isinstance(exc, exceptions.InvokeTimeoutError | exceptions.NetworkError) and (
            exc.response is None
        ):
            cause = exc.__cause__
            # httpx.ConnectError and ConnectTimeout mean the request never left.
            connect_failed = type(cause).__name__ in {"ConnectError", "ConnectTimeout"}
            maybe_posted = creating and not connect_failed
            if isinstance(exc, exceptions.InvokeTimeoutError):
                message = translate(
                    "publish.timeout", lang, network="Bluesky", seconds=self._timeout
                )
                error_class: type[PublishConnectionError] = PublishTimeoutError
            else:
                message = translate(
                    "publish.connection", lang, network="Bluesky", error=type(cause).__name__
                )
                error_class = PublishConnectionError
            if maybe_posted:
                message = f"{message} {translate('publish.maybe_posted', lang)}"
            return error_class(message, publisher=NAME, maybe_posted=maybe_posted)

        response = getattr(exc, "response", None)
        status = int(getattr(response, "status_code", 0) or 0)
        detail = _xrpc_detail(response)
        if isinstance(exc, exceptions.RateLimitExceededError):
            reset_at = exc.reset_at
            message = (
                translate("publish.rate_limited", lang, network="Bluesky", reset=reset_at)
                if reset_at is not None
                else translate("publish.rate_limited_unknown", lang, network="Bluesky")
            )
            return PublishRateLimitError(message, publisher=NAME, reset_at=reset_at, daily=False)
        if isinstance(exc, exceptions.UnauthorizedError) or operation == "login":
            return CredentialsError(
                translate("publish.bluesky.unauthorized", lang, handle=self._handle, detail=detail),
                publisher=NAME,
            )
        if status >= 500:
            message = translate("publish.server_error", lang, network="Bluesky", status=status)
            if creating:
                message = f"{message} {translate('publish.maybe_posted', lang)}"
            return PublishServerError(
                message, publisher=NAME, status_code=status, maybe_posted=creating
            )
        if operation == "media":
            return MediaError(
                translate(
                    "publish.media_rejected",
                    lang,
                    network="Bluesky",
                    file=file,
                    detail=f"{status} {detail}".strip(),
                ),
                publisher=NAME,
            )
        return PostRejectedError(
            translate("publish.rejected", lang, network="Bluesky", status=status, detail=detail),
            publisher=NAME,
            status_code=status or None,
            maybe_posted=creating and status == 0,
        )


def _xrpc_detail(response: Any) -> str:
    content = getattr(response, "content", None)
    parts = [str(getattr(content, field, "") or "") for field in ("error", "message")]
    return " ".join(part for part in parts if part)


def _parse_time(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def _web_url(handle: str, uri: str) -> str:
    # at://did:plc:xyz/app.bsky.feed.post/3kabc -> https://bsky.app/profile/<handle>/post/3kabc
    record_key = uri.rsplit("/", 1)[-1]
    return f"https://bsky.app/profile/{handle}/post/{record_key}"
