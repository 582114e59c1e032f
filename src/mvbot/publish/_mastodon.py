"""Publishing to a Mastodon server with Mastodon.py (the `mastodon` extra).

Mastodon accepts an `Idempotency-Key` header on the call that creates a status: the server keeps
the key for about an hour and returns the status it already created to a repeated call. The
post's key is sent as that header, so a repeat after an unclear failure cannot double-post
within that hour; after it, the ledger's look at recent posts still applies.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import logging
import os
from collections.abc import Mapping
from typing import Any, Final

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
from mvbot.publish._protocol import Post, PublishedPost
from mvbot.publish._text import MASTODON_MAX_CHARACTERS, mastodon_length, same_post_text

__all__ = ["MastodonPublisher"]

logger = logging.getLogger(__name__)

NAME: Final = "mastodon"
_MAX_IMAGES: Final = 4
_MAX_ALT_TEXT: Final = 1500
DEFAULT_TIMEOUT: Final = 60.0
_RECENT_POSTS: Final = 20


def _import_mastodon(language: str) -> Any:
    try:
        return importlib.import_module("mastodon")
    except ImportError as exc:
        raise PublisherSetupError(
            translate(
                "publish.missing_extra",
                language,
                network="Mastodon",
                package="Mastodon.py",
                command="pip install 'twitchstats[mastodon]'",
            ),
            publisher=NAME,
        ) from exc


class MastodonPublisher:
    """Post to a Mastodon account with an access token that has the `write` scope.

    Args:
        api_base_url: the server, such as `https://mastodon.social`.
        access_token: the account's access token.
        visibility: `public`, `unlisted`, `private` or `direct`.
        timeout: timeout in seconds of every request.
        language: language of error messages.
    """

    def __init__(
        self,
        *,
        api_base_url: str,
        access_token: str,
        visibility: str = "public",
        timeout: float = DEFAULT_TIMEOUT,
        language: str = "es",
    ) -> None:
        self._api_base_url = api_base_url
        self._access_token = access_token
        self._visibility = visibility
        self._timeout = timeout
        self._language = language
        self._client: Any = None
        self._account_id: str | None = None

    @classmethod
    def from_environment(
        cls,
        *,
        api_base_url: str,
        access_token_variable: str,
        visibility: str = "public",
        language: str = "es",
        environ: Mapping[str, str] | None = None,
    ) -> MastodonPublisher:
        """Build a publisher whose access token is read from `access_token_variable`."""
        source = os.environ if environ is None else environ
        token = source.get(access_token_variable, "").strip()
        if not token:
            raise PublisherSetupError(
                translate(
                    "publish.missing_variable",
                    language,
                    variable=access_token_variable,
                    network="Mastodon",
                ),
                publisher=NAME,
            )
        return cls(
            api_base_url=api_base_url,
            access_token=token,
            visibility=visibility,
            language=language,
        )

    @property
    def name(self) -> str:
        """Always `mastodon`."""
        return NAME

    def __enter__(self) -> MastodonPublisher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP session."""
        if self._client is not None:
            self._client.session.close()
            self._client = None

    def _api(self) -> Any:
        if self._client is None:
            module = _import_mastodon(self._language)
            self._client = module.Mastodon(
                access_token=self._access_token,
                api_base_url=self._api_base_url,
                request_timeout=self._timeout,
                ratelimit_method="throw",
                version_check_mode="none",
            )
        return self._client

    def check(self, post: Post) -> None:
        """Raise when the text is over 500 characters or there are more than four images."""
        length = mastodon_length(post.text)
        if not post.text.strip() or length > MASTODON_MAX_CHARACTERS:
            raise PostTooLongError(
                translate(
                    "publish.too_long",
                    self._language,
                    network="Mastodon",
                    length=length,
                    limit=MASTODON_MAX_CHARACTERS,
                ),
                publisher=NAME,
            )
        if len(post.images) > _MAX_IMAGES:
            raise MediaError(
                translate(
                    "publish.too_many_images",
                    self._language,
                    network="Mastodon",
                    count=len(post.images),
                    limit=_MAX_IMAGES,
                ),
                publisher=NAME,
            )
        for image in post.images:
            if len(image.alt_text) > _MAX_ALT_TEXT:
                raise MediaError(
                    translate(
                        "publish.alt_text_too_long",
                        self._language,
                        file=image.path,
                        length=len(image.alt_text),
                        limit=_MAX_ALT_TEXT,
                        network="Mastodon",
                    ),
                    publisher=NAME,
                )

    def publish(self, post: Post) -> PublishedPost:
        """Upload the images with their descriptions, then create the status."""
        self.check(post)
        api = self._api()

        media_ids: list[str] = []
        for image in post.images:
            try:
                # A file object, because Mastodon.py leaves files it opens itself unclosed.
                attachment = api.media_post(
                    io.BytesIO(image.path.read_bytes()),
                    mime_type=image.mime_type,
                    description=image.alt_text or None,
                    file_name=image.path.name,
                )
            except Exception as exc:
                raise self._map_error(exc, operation="media", file=image.path.name) from exc
            media_ids.append(str(attachment["id"]))
            logger.info("uploaded %s to Mastodon as media %s", image.path.name, attachment["id"])

        try:
            status = api.status_post(
                post.text,
                media_ids=media_ids or None,
                visibility=self._visibility,
                language=post.language,
                idempotency_key=post.key,
            )
        except Exception as exc:
            raise self._map_error(exc, operation="create") from exc

        post_id = str(status["id"])
        logger.info("posted %s to Mastodon as status %s", post.key, post_id)
        return PublishedPost(post_id=post_id, url=status.get("url"))

    def find_published(self, text: str, *, since: dt.datetime) -> PublishedPost | None:
        """Read the account's latest statuses and return the one carrying `text`, if any."""
        api = self._api()
        try:
            if self._account_id is None:
                self._account_id = str(api.account_verify_credentials()["id"])
            statuses = api.account_statuses(
                self._account_id, exclude_replies=True, exclude_reblogs=True, limit=_RECENT_POSTS
            )
        except Exception as exc:
            raise self._map_error(exc, operation="read") from exc

        for status in statuses:
            created_at = status.get("created_at")
            if isinstance(created_at, dt.datetime) and created_at < since:
                continue
            if same_post_text(str(status.get("content", "")), text):
                return PublishedPost(post_id=str(status["id"]), url=status.get("url"))
        return None

    def _map_error(self, exc: Exception, *, operation: str, file: str = "") -> Exception:
        module = _import_mastodon(self._language)
        lang = self._language
        creating = operation == "create"

        if isinstance(exc, module.MastodonNetworkError):
            # Mastodon.py wraps the requests exception; its message and context tell which.
            cause = exc.__context__
            text = f"{type(cause).__name__} {exc}".lower()
            connect_failed = "connecttimeout" in text or "newconnectionerror" in text
            maybe_posted = creating and not connect_failed
            if "timeout" in text or "timed out" in text:
                message = translate(
                    "publish.timeout", lang, network="Mastodon", seconds=self._timeout
                )
                error_class: type[PublishConnectionError] = PublishTimeoutError
            else:
                message = translate(
                    "publish.connection", lang, network="Mastodon", error=type(cause).__name__
                )
                error_class = PublishConnectionError
            if maybe_posted:
                message = f"{message} {translate('publish.maybe_posted', lang)}"
            return error_class(message, publisher=NAME, maybe_posted=maybe_posted)

        if isinstance(exc, module.MastodonRatelimitError):
            reset = getattr(self._client, "ratelimit_reset", None)
            reset_at = (
                dt.datetime.fromtimestamp(float(reset), tz=dt.UTC)
                if isinstance(reset, int | float)
                else None
            )
            message = (
                translate("publish.rate_limited", lang, network="Mastodon", reset=reset_at)
                if reset_at is not None
                else translate("publish.rate_limited_unknown", lang, network="Mastodon")
            )
            return PublishRateLimitError(message, publisher=NAME, reset_at=reset_at, daily=False)

        if isinstance(exc, module.MastodonAPIError):
            status = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else 0
            detail = str(exc.args[3]) if len(exc.args) > 3 and exc.args[3] else ""
            if status == 401 or isinstance(exc, module.MastodonUnauthorizedError):
                return CredentialsError(
                    translate("publish.mastodon.unauthorized", lang), publisher=NAME
                )
            if status >= 500:
                message = translate("publish.server_error", lang, network="Mastodon", status=status)
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
                        network="Mastodon",
                        file=file,
                        detail=f"{status} {detail}".strip(),
                    ),
                    publisher=NAME,
                )
            return PostRejectedError(
                translate(
                    "publish.rejected", lang, network="Mastodon", status=status, detail=detail
                ),
                publisher=NAME,
                status_code=status or None,
            )

        # Anything else (a bug, an unexpected response) leaves the outcome unknown when creating.
        message = translate(
            "publish.connection", lang, network="Mastodon", error=type(exc).__name__
        )
        return PublishConnectionError(message, publisher=NAME, maybe_posted=creating)
