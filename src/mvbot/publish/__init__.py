"""Publishing mvbot's daily posts: the `Publisher` protocol, its implementations and the ledger.

X (`XPublisher`) is the main network; `OutboxPublisher` writes posts to folders for review and is
used by `--dry-run` and when no credentials are set. `MastodonPublisher` and `BlueskyPublisher`
need the `mastodon` and `bluesky` extras, imported only when they publish. `publish_once` combines
a publisher with the `PublicationLedger` so that a day is posted at most once per publisher.
"""

from __future__ import annotations

from mvbot.publish._bluesky import BlueskyPublisher
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
from mvbot.publish._ledger import Publication, PublicationLedger, PublicationStatus
from mvbot.publish._mastodon import MastodonPublisher
from mvbot.publish._once import PublishOutcome, publish_once
from mvbot.publish._outbox import OutboxPublisher
from mvbot.publish._protocol import Post, PostImage, PublishedPost, Publisher
from mvbot.publish._text import (
    BLUESKY_MAX_GRAPHEMES,
    MASTODON_MAX_CHARACTERS,
    X_MAX_WEIGHTED_LENGTH,
    contains_url,
    grapheme_count,
    mastodon_length,
    normalize_text,
    x_weighted_length,
)
from mvbot.publish._x import XPublisher

__all__ = [
    "BLUESKY_MAX_GRAPHEMES",
    "MASTODON_MAX_CHARACTERS",
    "X_MAX_WEIGHTED_LENGTH",
    "BlueskyPublisher",
    "CredentialsError",
    "DuplicatePostError",
    "MastodonPublisher",
    "MediaError",
    "OutOfCreditsError",
    "OutboxPublisher",
    "Post",
    "PostImage",
    "PostRejectedError",
    "PostTooLongError",
    "Publication",
    "PublicationLedger",
    "PublicationStatus",
    "PublishConnectionError",
    "PublishOutcome",
    "PublishRateLimitError",
    "PublishServerError",
    "PublishTimeoutError",
    "PublishedPost",
    "Publisher",
    "PublisherSetupError",
    "ReadOnlyTokenError",
    "XPublisher",
    "contains_url",
    "grapheme_count",
    "mastodon_length",
    "normalize_text",
    "publish_once",
    "x_weighted_length",
]
