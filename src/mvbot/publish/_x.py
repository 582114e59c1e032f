"""Publishing to X: v2 media upload and alt text, then one post through tweepy.

tweepy 4.17 posts with `Client.create_tweet` on `api.twitter.com` but has no client for the v2
media endpoints. Images therefore go to `https://api.x.com/2/media/upload` (multipart, and the
response carries the id in `data.id`) and alt texts to `/2/media/metadata`, signed with tweepy's
OAuth 1.0a handler.
OAuth 1.0a user tokens do not expire, unlike OAuth 2.0 user tokens, which tweepy never refreshes.

tweepy's client sets no HTTP timeout, so both sessions get an adapter that applies one to every
request. The call that creates the post is never retried here.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Mapping
from typing import Any, Final

import requests
import tweepy
from requests.adapters import HTTPAdapter

from mvbot._i18n import translate
from mvbot.publish._errors import (
    CredentialsError,
    DuplicatePostError,
    MediaError,
    OutOfCreditsError,
    PostRejectedError,
    PostTooLongError,
    PublishConnectionError,
    PublisherSetupError,
    PublishRateLimitError,
    PublishServerError,
    PublishTimeoutError,
    ReadOnlyTokenError,
)
from mvbot.publish._protocol import Post, PublishedPost
from mvbot.publish._text import X_MAX_WEIGHTED_LENGTH, same_post_text, x_weighted_length

__all__ = ["X_MEDIA_BASE_URL", "XPublisher"]

logger = logging.getLogger(__name__)

NAME: Final = "x"
X_MEDIA_BASE_URL: Final = "https://api.x.com/2/media"

# Limits of X's v2 media upload for post images.
_MAX_IMAGES: Final = 4
_MAX_IMAGE_BYTES: Final = 5 * 1024 * 1024
_MAX_ALT_TEXT: Final = 1000
_IMAGE_TYPES: Final = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})

# (connect, read) timeout in seconds for every request.
DEFAULT_TIMEOUT: Final = (10.0, 60.0)

# How many of the account's latest posts are read back to look for an unconfirmed post.
_RECENT_POSTS: Final = 20


class _TimeoutAdapter(HTTPAdapter):
    """An adapter that gives every request a timeout unless the caller passed one."""

    def __init__(self, timeout: tuple[float, float]) -> None:
        super().__init__()
        self._timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout
        return super().send(request, **kwargs)


# requests-oauthlib and oauthlib log signed headers and signature base strings, which contain
# the access token, at DEBUG level.
_OAUTH_LOGGERS: Final = ("requests_oauthlib", "oauthlib")


def _quiet_oauth_debug_logs() -> None:
    """Keep the OAuth libraries' DEBUG records out of the logs, unless a level was set for them."""
    for name in _OAUTH_LOGGERS:
        oauth_logger = logging.getLogger(name)
        if oauth_logger.level == logging.NOTSET:
            oauth_logger.setLevel(logging.INFO)


def _mount_timeout(session: requests.Session, timeout: tuple[float, float]) -> None:
    adapter = _TimeoutAdapter(timeout)
    session.mount("https://", adapter)
    session.mount("http://", adapter)


class XPublisher:
    """Post to X with OAuth 1.0a user credentials (the app needs "Read and write" access).

    Args:
        consumer_key: the app's API key.
        consumer_secret: the app's API key secret.
        access_token: the account's access token.
        access_token_secret: the account's access token secret.
        timeout: (connect, read) timeout in seconds applied to every request.
        language: language of error messages (`es` or `en`).
        media_base_url: base address of the v2 media endpoints.
    """

    def __init__(
        self,
        *,
        consumer_key: str,
        consumer_secret: str,
        access_token: str,
        access_token_secret: str,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        language: str = "es",
        media_base_url: str = X_MEDIA_BASE_URL,
    ) -> None:
        _quiet_oauth_debug_logs()
        self._language = language
        self._timeout = timeout
        self._media_base_url = media_base_url.rstrip("/")
        self._auth = tweepy.OAuth1UserHandler(
            consumer_key, consumer_secret, access_token, access_token_secret
        ).apply_auth()
        self._client = tweepy.Client(
            consumer_key=consumer_key,
            consumer_secret=consumer_secret,
            access_token=access_token,
            access_token_secret=access_token_secret,
            return_type=dict,
        )
        _mount_timeout(self._client.session, timeout)
        self._media_session = requests.Session()
        _mount_timeout(self._media_session, timeout)
        self._user_id: str | None = None

    @classmethod
    def from_environment(
        cls,
        *,
        variables: Mapping[str, str],
        language: str = "es",
        environ: Mapping[str, str] | None = None,
    ) -> XPublisher:
        """Build a publisher from credentials read from environment variables.

        Args:
            variables: the names of the variables, keyed `consumer_key`, `consumer_secret`,
                `access_token` and `access_token_secret`.
            language: language of error messages.
            environ: where to read the variables (default: `os.environ`).
        """
        source = os.environ if environ is None else environ
        values: dict[str, str] = {}
        for field in ("consumer_key", "consumer_secret", "access_token", "access_token_secret"):
            variable = variables[field]
            value = source.get(variable, "").strip()
            if not value:
                raise PublisherSetupError(
                    translate("publish.missing_variable", language, variable=variable, network="X"),
                    publisher=NAME,
                )
            values[field] = value
        return cls(
            consumer_key=values["consumer_key"],
            consumer_secret=values["consumer_secret"],
            access_token=values["access_token"],
            access_token_secret=values["access_token_secret"],
            language=language,
        )

    @property
    def name(self) -> str:
        """Always `x`."""
        return NAME

    def __enter__(self) -> XPublisher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close both HTTP sessions."""
        self._client.session.close()
        self._media_session.close()

    def check(self, post: Post) -> None:
        """Raise when the text is over 280 weighted characters or an image breaks X's limits."""
        length = x_weighted_length(post.text)
        if not post.text.strip() or length > X_MAX_WEIGHTED_LENGTH:
            raise PostTooLongError(
                translate(
                    "publish.too_long",
                    self._language,
                    network="X",
                    length=length,
                    limit=X_MAX_WEIGHTED_LENGTH,
                ),
                publisher=NAME,
            )
        if len(post.images) > _MAX_IMAGES:
            raise MediaError(
                translate(
                    "publish.too_many_images",
                    self._language,
                    network="X",
                    count=len(post.images),
                    limit=_MAX_IMAGES,
                ),
                publisher=NAME,
            )
        for image in post.images:
            if image.mime_type not in _IMAGE_TYPES:
                raise MediaError(
                    translate("publish.image_type", self._language, file=image.path, network="X"),
                    publisher=NAME,
                )
            try:
                size = image.path.stat().st_size
            except OSError as exc:
                raise MediaError(
                    translate(
                        "publish.image_unreadable", self._language, file=image.path, error=exc
                    ),
                    publisher=NAME,
                ) from exc
            if size > _MAX_IMAGE_BYTES:
                raise MediaError(
                    translate(
                        "publish.image_too_large",
                        self._language,
                        file=image.path,
                        size=size,
                        limit=_MAX_IMAGE_BYTES,
                        network="X",
                    ),
                    publisher=NAME,
                )
            if len(image.alt_text) > _MAX_ALT_TEXT:
                raise MediaError(
                    translate(
                        "publish.alt_text_too_long",
                        self._language,
                        file=image.path,
                        length=len(image.alt_text),
                        limit=_MAX_ALT_TEXT,
                        network="X",
                    ),
                    publisher=NAME,
                )

    def publish(self, post: Post) -> PublishedPost:
        """Upload the images, set their alt texts, then create the post (never retried)."""
        self.check(post)

        # Media ids expire, so they are always uploaded right before the post that uses them.
        media_ids: list[str] = []
        for image in post.images:
            media_id = self._upload(image.path.name, image.path.read_bytes(), image.mime_type)
            if image.alt_text:
                self._set_alt_text(media_id, image.alt_text)
            media_ids.append(media_id)

        try:
            body = self._client.create_tweet(
                text=post.text, media_ids=media_ids or None, user_auth=True
            )
        except (tweepy.TweepyException, requests.RequestException) as exc:
            raise self._map_error(exc, operation="create") from exc
        post_id = str(body["data"]["id"])

        logger.info("posted %s to X as post %s with %d images", post.key, post_id, len(media_ids))
        return PublishedPost(post_id=post_id, url=f"https://x.com/i/web/status/{post_id}")

    def find_published(self, text: str, *, since: dt.datetime) -> PublishedPost | None:
        """Read the account's latest posts and return the one carrying `text`, if any."""
        try:
            if self._user_id is None:
                me = self._client.get_me(user_auth=True)
                self._user_id = str(me["data"]["id"])
            body = self._client.get_users_tweets(
                self._user_id,
                user_auth=True,
                max_results=_RECENT_POSTS,
                start_time=since,
                exclude=["replies", "retweets"],
                tweet_fields=["created_at"],
            )
        except (tweepy.TweepyException, requests.RequestException) as exc:
            raise self._map_error(exc, operation="read") from exc

        for tweet in body.get("data") or []:
            if same_post_text(str(tweet.get("text", "")), text):
                post_id = str(tweet["id"])
                logger.info("found post %s on X with the expected text", post_id)
                return PublishedPost(post_id=post_id, url=f"https://x.com/i/web/status/{post_id}")
        return None

    def _upload(self, filename: str, content: bytes, mime_type: str) -> str:
        response = self._send_media(
            "upload",
            filename,
            files={"media": (filename, content, mime_type)},
            data={"media_category": "tweet_image"},
        )
        try:
            media_id = str(response.json()["data"]["id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise MediaError(
                translate(
                    "publish.media_rejected",
                    self._language,
                    network="X",
                    file=filename,
                    detail=response.text[:200],
                ),
                publisher=NAME,
            ) from exc
        logger.info("uploaded %s to X as media %s (%d bytes)", filename, media_id, len(content))
        return media_id

    def _set_alt_text(self, media_id: str, alt_text: str) -> None:
        self._send_media(
            "metadata",
            media_id,
            json={"id": media_id, "metadata": {"alt_text": {"text": alt_text}}},
        )

    def _send_media(self, endpoint: str, file: str, **kwargs: Any) -> requests.Response:
        url = f"{self._media_base_url}/{endpoint}"
        try:
            response = self._media_session.post(
                url, auth=self._auth, timeout=self._timeout, **kwargs
            )
        except requests.RequestException as exc:
            raise self._map_error(exc, operation="media") from exc
        if response.status_code >= 400:
            raise self._map_status(response, operation="media", file=file)
        return response

    def _map_error(self, exc: BaseException, *, operation: str) -> Exception:
        if isinstance(exc, tweepy.HTTPException):
            return self._map_status(exc.response, operation=operation)
        # Only a create call that may have reached X leaves the post's existence unknown. A
        # connect timeout means nothing was sent; any other transport failure may come after.
        maybe_posted = operation == "create" and not isinstance(exc, requests.ConnectTimeout)
        if isinstance(exc, requests.Timeout):
            message = translate(
                "publish.timeout", self._language, network="X", seconds=self._timeout[1]
            )
            return PublishTimeoutError(
                self._with_outcome(message, maybe_posted), publisher=NAME, maybe_posted=maybe_posted
            )
        message = translate(
            "publish.connection", self._language, network="X", error=type(exc).__name__
        )
        return PublishConnectionError(
            self._with_outcome(message, maybe_posted), publisher=NAME, maybe_posted=maybe_posted
        )

    def _with_outcome(self, message: str, maybe_posted: bool) -> str:
        if maybe_posted:
            return f"{message} {translate('publish.maybe_posted', self._language)}"
        return message

    def _map_status(
        self, response: requests.Response, *, operation: str, file: str = ""
    ) -> Exception:
        status = response.status_code
        detail = _problem_detail(response)
        lang = self._language

        if status == 401:
            return CredentialsError(translate("publish.x.unauthorized", lang), publisher=NAME)
        if status == 402:
            return OutOfCreditsError(translate("publish.x.out_of_credits", lang), publisher=NAME)
        if status == 403:
            lowered = detail.lower()
            if "duplicate" in lowered:
                return DuplicatePostError(translate("publish.x.duplicate", lang), publisher=NAME)
            if "oauth1-permissions" in lowered or "not configured" in lowered:
                return ReadOnlyTokenError(translate("publish.x.read_only", lang), publisher=NAME)
        if status == 429:
            reset_at, daily = _rate_limit_reset(response.headers)
            key = "publish.rate_limited_daily" if daily else "publish.rate_limited"
            if reset_at is None:
                message = translate("publish.rate_limited_unknown", lang, network="X")
            else:
                message = translate(key, lang, network="X", reset=reset_at.isoformat())
            return PublishRateLimitError(message, publisher=NAME, reset_at=reset_at, daily=daily)
        if status >= 500:
            # X has returned 503 for posts that it then published.
            maybe_posted = operation == "create"
            message = translate("publish.server_error", lang, network="X", status=status)
            return PublishServerError(
                self._with_outcome(message, maybe_posted),
                publisher=NAME,
                status_code=status,
                maybe_posted=maybe_posted,
            )
        if operation == "media":
            return MediaError(
                translate(
                    "publish.media_rejected",
                    lang,
                    network="X",
                    file=file,
                    detail=f"{status} {detail}",
                ),
                publisher=NAME,
            )
        return PostRejectedError(
            translate("publish.rejected", lang, network="X", status=status, detail=detail),
            publisher=NAME,
            status_code=status,
        )


def _problem_detail(response: requests.Response) -> str:
    """Return X's explanation from an error body: `detail`, `title` or the first error message."""
    try:
        body = response.json()
    except ValueError:
        return response.reason or ""
    if not isinstance(body, dict):
        return ""
    parts = [str(body[field]) for field in ("type", "title", "detail") if body.get(field)]
    for error in body.get("errors") or []:
        if isinstance(error, dict) and error.get("message"):
            parts.append(str(error["message"]))
    return " ".join(parts)


def _rate_limit_reset(headers: Mapping[str, str]) -> tuple[dt.datetime | None, bool]:
    """Return when the exhausted limit resets and whether it is a 24-hour limit.

    X sends `x-rate-limit-*` for the short window of each endpoint, and on write endpoints also
    `x-user-limit-24hour-*` and `x-app-limit-24hour-*`; the reset values are Unix seconds.
    """
    resets: list[tuple[dt.datetime, bool]] = []
    for prefix, daily in (
        ("x-user-limit-24hour", True),
        ("x-app-limit-24hour", True),
        ("x-rate-limit", False),
    ):
        remaining = headers.get(f"{prefix}-remaining")
        reset = headers.get(f"{prefix}-reset")
        if reset is None or not reset.strip().isdigit():
            continue
        if remaining is not None and remaining.strip() not in {"0", ""}:
            continue
        resets.append((dt.datetime.fromtimestamp(int(reset), tz=dt.UTC), daily))
    if not resets:
        return None, False
    # The post can go out only when every exhausted limit has refilled.
    return max(resets)
