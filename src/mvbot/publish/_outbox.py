"""The dry-run publisher: each post becomes a folder that a person can review.

A post with key `marbella-vice/2021-04-16` is written to `<root>/marbella-vice/2021-04-16/`:
the images (`01-<name>.png`, ...), `post.txt`, one `alt-01.txt` per image and `manifest.json`
describing all of them. The folder is first written under a temporary name and then renamed, so
a reader never sees half a post. Writing the same key again replaces the folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from mvbot._i18n import translate
from mvbot.publish._errors import MediaError, PostRejectedError
from mvbot.publish._protocol import Post, PublishedPost
from mvbot.publish._text import contains_url, same_post_text, x_weighted_length

__all__ = ["MANIFEST_NAME", "OutboxPublisher"]

logger = logging.getLogger(__name__)

NAME: Final = "outbox"
MANIFEST_NAME: Final = "manifest.json"
MANIFEST_VERSION: Final = 1


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class OutboxPublisher:
    """Write posts to folders under `root` instead of sending them anywhere.

    Args:
        root: the outbox folder; created on the first post.
        language: language of error messages.
        clock: returns the current time (timezone-aware UTC), recorded in each manifest.
    """

    def __init__(
        self,
        *,
        root: Path,
        language: str = "es",
        clock: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        self._root = Path(root)
        self._language = language
        self._clock = clock

    @property
    def name(self) -> str:
        """Always `outbox`."""
        return NAME

    @property
    def root(self) -> Path:
        """The outbox folder."""
        return self._root

    def __enter__(self) -> OutboxPublisher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to release."""

    def folder_for(self, key: str) -> Path:
        """Return the folder that contains the post with `key`."""
        parts = [part for part in key.split("/") if part]
        if not parts or any(part in {".", ".."} or "\\" in part for part in parts):
            raise PostRejectedError(
                translate("publish.outbox.invalid_key", self._language, key=key), publisher=NAME
            )
        return self._root.joinpath(*parts)

    def check(self, post: Post) -> None:
        """Raise when the key cannot name a folder or an image file is missing."""
        self.folder_for(post.key)
        for image in post.images:
            if not image.path.is_file():
                raise MediaError(
                    translate(
                        "publish.image_unreadable",
                        self._language,
                        file=image.path,
                        error="FileNotFoundError",
                    ),
                    publisher=NAME,
                )

    def publish(self, post: Post) -> PublishedPost:
        """Write the post's folder and return its path as the post id."""
        self.check(post)
        folder = self.folder_for(post.key)
        staging = folder.with_name(f".{folder.name}.tmp")
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir(parents=True)

        images: list[dict[str, Any]] = []
        for number, image in enumerate(post.images, start=1):
            content = image.path.read_bytes()
            file_name = f"{number:02d}-{image.path.name}"
            (staging / file_name).write_bytes(content)
            alt_name = f"alt-{number:02d}.txt"
            (staging / alt_name).write_text(image.alt_text + "\n", encoding="utf-8")
            images.append(
                {
                    "file": file_name,
                    "alt_text_file": alt_name,
                    "alt_text": image.alt_text,
                    "mime_type": image.mime_type,
                    "bytes": len(content),
                    "sha256": hashlib.sha256(content).hexdigest(),
                }
            )
        (staging / "post.txt").write_text(post.text + "\n", encoding="utf-8")
        manifest = {
            "version": MANIFEST_VERSION,
            "key": post.key,
            "created_at": self._clock().astimezone(dt.UTC).isoformat(),
            "language": post.language,
            "text": post.text,
            "x_weighted_length": x_weighted_length(post.text),
            "contains_url": contains_url(post.text),
            "images": images,
        }
        (staging / MANIFEST_NAME).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )

        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
        logger.info("wrote post %s to the outbox folder %s", post.key, folder)
        return PublishedPost(post_id=post.key, url=folder.resolve().as_uri())

    def find_published(self, text: str, *, since: dt.datetime) -> PublishedPost | None:
        """Return the outbox post with `text` whose manifest was written at or after `since`."""
        if not self._root.is_dir():
            return None
        for manifest_path in sorted(self._root.rglob(MANIFEST_NAME)):
            try:
                manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
                created_at = dt.datetime.fromisoformat(manifest["created_at"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if created_at >= since and same_post_text(str(manifest.get("text", "")), text):
                folder = manifest_path.parent
                return PublishedPost(post_id=str(manifest["key"]), url=folder.resolve().as_uri())
        return None
