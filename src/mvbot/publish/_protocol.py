"""The `Publisher` protocol and the values that pass through it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import mimetypes
from pathlib import Path
from typing import Protocol, runtime_checkable

__all__ = ["Post", "PostImage", "PublishedPost", "Publisher"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class PostImage:
    """One image of a post with its alternative text (read by screen readers)."""

    path: Path
    alt_text: str

    @property
    def mime_type(self) -> str:
        """MIME type guessed from the file name, `application/octet-stream` when unknown."""
        guessed, _ = mimetypes.guess_type(self.path.name)
        return guessed or "application/octet-stream"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Post:
    """The post of one event day, as given to every publisher.

    Attributes:
        key: a stable identifier of the post, such as `marbella-vice/2021-04-16`. Publishers use
            it as an idempotency key where the network supports one, and as the outbox folder.
        text: the post text, already normalised (NFC) and within the network's limit.
        images: up to four images, in display order.
        language: language of the text (`es` or `en`), sent to networks that tag posts.
    """

    key: str
    text: str
    images: tuple[PostImage, ...] = ()
    language: str = "es"


@dataclasses.dataclass(frozen=True, kw_only=True)
class PublishedPost:
    """A post that exists on a network: its id and, when the network has one, its address."""

    post_id: str
    url: str | None = None


@runtime_checkable
class Publisher(Protocol):
    """One place posts go: X, Mastodon, Bluesky, or the dry-run outbox folder.

    Implementations never retry the call that creates a post. When that call fails in a way that
    leaves its outcome unknown, they raise a `PublishError` whose `maybe_posted` is True, and the
    caller uses `find_published` before any new attempt.
    """

    @property
    def name(self) -> str:
        """Short name of the network (`x`, `mastodon`, `bluesky`, `outbox`), used in the ledger."""
        ...

    def check(self, post: Post) -> None:
        """Raise a `PublishError` when `post` breaks the network's limits, without any I/O."""
        ...

    def publish(self, post: Post) -> PublishedPost:
        """Upload the images with their alternative texts, then create the post."""
        ...

    def find_published(self, text: str, *, since: dt.datetime) -> PublishedPost | None:
        """Return the account's post with `text` created at or after `since`, or None."""
        ...

    def close(self) -> None:
        """Release network sessions. Safe to call more than once."""
        ...
