"""Publishing errors, one class per failure a bot operator handles differently.

```
PublishError (mvbot)
├── PublisherSetupError     missing optional package or missing credential variable
├── PostTooLongError        the text exceeds what the network accepts
├── MediaError              an image is unreadable, too large, or refused by the network
├── CredentialsError        the network rejected the credentials (401)
├── ReadOnlyTokenError      the tokens cannot write: regenerate them with write access
├── OutOfCreditsError       the account has no API credits left (402)
├── DuplicatePostError      the network refused the text as a duplicate of an earlier post
├── PublishRateLimitError   429, with the reset time when the network sent one
├── PostRejectedError       any other refusal (4xx)
├── PublishServerError      5xx from the network
└── PublishConnectionError  the connection failed or no response came in time
    └── PublishTimeoutError
```

Every error carries `publisher` (the network's short name) and `maybe_posted`: True when the
request that creates the post may have reached the network before the failure, so the post may
exist. The caller must then look at the account's recent posts before trying again.
"""

from __future__ import annotations

import datetime as dt

from mvbot._exceptions import PublishError

__all__ = [
    "CredentialsError",
    "DuplicatePostError",
    "MediaError",
    "OutOfCreditsError",
    "PostRejectedError",
    "PostTooLongError",
    "PublishConnectionError",
    "PublishRateLimitError",
    "PublishServerError",
    "PublishTimeoutError",
    "PublisherSetupError",
    "ReadOnlyTokenError",
    "publish_error",
]


class _PublisherError(PublishError):
    """A `PublishError` that names its publisher and whether the post may exist."""

    def __init__(self, message: str, *, publisher: str, maybe_posted: bool = False) -> None:
        super().__init__(message)
        self.publisher = publisher
        self.maybe_posted = maybe_posted


class PublisherSetupError(_PublisherError):
    """The publisher cannot start: an optional package or a credential variable is missing."""


class PostTooLongError(_PublisherError):
    """The post text is longer than the network accepts, counted the network's way."""


class MediaError(_PublisherError):
    """An image could not be read, is too large, or was refused by the network."""


class CredentialsError(_PublisherError):
    """The network rejected the credentials (HTTP 401 or a failed login)."""


class ReadOnlyTokenError(_PublisherError):
    """The access tokens only allow reading: regenerate them after granting write access."""


class OutOfCreditsError(_PublisherError):
    """The developer account has no API credits left (HTTP 402)."""


class DuplicatePostError(_PublisherError):
    """The network refused the post because the account already published the same text."""


class PublishRateLimitError(_PublisherError):
    """The network returned HTTP 429 (too many requests).

    Attributes:
        reset_at: when the exhausted limit refills (timezone-aware UTC), or None when unknown.
        daily: True when the exhausted limit is a 24-hour limit rather than a short window.
    """

    def __init__(
        self,
        message: str,
        *,
        publisher: str,
        reset_at: dt.datetime | None,
        daily: bool,
        maybe_posted: bool = False,
    ) -> None:
        super().__init__(message, publisher=publisher, maybe_posted=maybe_posted)
        self.reset_at = reset_at
        self.daily = daily


class PostRejectedError(_PublisherError):
    """The network refused the request for a reason without its own class (HTTP 4xx).

    Attributes:
        status_code: the HTTP status, or None when the refusal came without one.
    """

    def __init__(
        self,
        message: str,
        *,
        publisher: str,
        status_code: int | None = None,
        maybe_posted: bool = False,
    ) -> None:
        super().__init__(message, publisher=publisher, maybe_posted=maybe_posted)
        self.status_code = status_code


class PublishServerError(_PublisherError):
    """The network returned a server error (HTTP 5xx).

    Attributes:
        status_code: the HTTP status.
    """

    def __init__(
        self, message: str, *, publisher: str, status_code: int, maybe_posted: bool = False
    ) -> None:
        super().__init__(message, publisher=publisher, maybe_posted=maybe_posted)
        self.status_code = status_code


class PublishConnectionError(_PublisherError):
    """No HTTP response came back: the connection failed or was reset."""


class PublishTimeoutError(PublishConnectionError):
    """The network sent no response within the timeout."""


def publish_error(exc: BaseException) -> tuple[str, bool]:
    """Return `(publisher, maybe_posted)` for any exception, with safe values for foreign ones.

    An exception that is not one of this module's is treated as possibly posted, because the caller
    cannot know how far the request got.
    """
    if isinstance(exc, _PublisherError):
        return exc.publisher, exc.maybe_posted
    return "", True
