"""Tests for the dry-run outbox publisher."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from mvbot.publish import MediaError, OutboxPublisher, Post, PostImage, PostRejectedError

CREATED = dt.datetime(2021, 4, 17, 8, 0, tzinfo=dt.UTC)


def test_writes_folder_with_manifest(tmp_path: Path, post: Post) -> None:
    outbox = OutboxPublisher(root=tmp_path / "outbox", clock=lambda: CREATED)

    published = outbox.publish(post)

    folder = tmp_path / "outbox" / "marbella-vice" / "2021-04-16"
    assert published.post_id == "marbella-vice/2021-04-16"
    assert published.url == folder.resolve().as_uri()
    assert (folder / "post.txt").read_text(encoding="utf-8") == post.text + "\n"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["created_at"] == "2021-04-17T08:00:00+00:00"
    assert manifest["text"] == post.text
    assert manifest["contains_url"] is False
    assert len(manifest["images"]) == 4
    for number, (entry, image) in enumerate(zip(manifest["images"], post.images, strict=True), 1):
        copied = folder / entry["file"]
        assert copied.read_bytes() == image.path.read_bytes()
        assert entry["sha256"] == hashlib.sha256(image.path.read_bytes()).hexdigest()
        assert entry["mime_type"] == "image/png"
        alt = (folder / f"alt-{number:02d}.txt").read_text(encoding="utf-8")
        assert alt == image.alt_text + "\n"
    assert not list(folder.parent.glob(".*.tmp"))


def test_second_write_replaces_folder(tmp_path: Path, post: Post) -> None:
    outbox = OutboxPublisher(root=tmp_path)
    outbox.publish(post)

    outbox.publish(Post(key=post.key, text="otro texto"))

    folder = tmp_path / "marbella-vice" / "2021-04-16"
    assert sorted(path.name for path in folder.iterdir()) == ["manifest.json", "post.txt"]


def test_find_published(tmp_path: Path, post: Post) -> None:
    outbox = OutboxPublisher(root=tmp_path, clock=lambda: CREATED)
    outbox.publish(post)

    assert outbox.find_published(post.text, since=CREATED) is not None
    assert outbox.find_published(post.text, since=CREATED + dt.timedelta(seconds=1)) is None
    assert outbox.find_published("otro", since=CREATED) is None


@pytest.mark.parametrize("key", ["", "../escape", "a/./b", "a\\b"])
def test_rejects_key_outside_root(tmp_path: Path, key: str) -> None:
    with pytest.raises(PostRejectedError):
        OutboxPublisher(root=tmp_path).publish(Post(key=key, text="hola"))


def test_missing_image(tmp_path: Path) -> None:
    image = PostImage(path=tmp_path / "missing.png", alt_text="")

    with pytest.raises(MediaError, match=r"missing\.png"):
        OutboxPublisher(root=tmp_path).publish(Post(key="e/d", text="hola", images=(image,)))
