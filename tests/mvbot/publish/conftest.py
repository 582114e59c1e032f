"""Fixtures for the publisher tests: images, a post, a ledger and a fake X account."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
import sqlalchemy as sa
from PIL import Image

from mvbot.publish import Post, PostImage, PublicationLedger, XPublisher

X_API = "https://api.twitter.com/2"
X_MEDIA = "https://api.x.com/2/media"
X_USER_ID = "4242"


def make_png(path: Path, color: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> Path:
    Image.new("RGB", size, color).save(path, format="PNG")
    return path


@dataclasses.dataclass
class FakeXAccount:
    """An X account at the HTTP edge: media upload, alt text, posting and the user timeline.

    `create_failure` replaces the answer of the next create calls: a callable that receives the
    request and either raises (a transport failure) or returns a `(status, headers, body)` tuple.
    `post_then_fail` keeps the post but raises the given exception, as when the answer is lost.
    """

    mock: responses.RequestsMock
    tweets: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    uploads: list[requests.PreparedRequest] = dataclasses.field(default_factory=list)
    metadata: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    create_bodies: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    timeline_reads: int = 0
    create_failure: Callable[[requests.PreparedRequest], Any] | None = None
    post_then_fail: BaseException | None = None
    next_id: int = 1790000000000000001

    def install(self) -> None:
        self.mock.add_callback(responses.POST, f"{X_MEDIA}/upload", callback=self._upload)
        self.mock.add_callback(responses.POST, f"{X_MEDIA}/metadata", callback=self._metadata)
        self.mock.add_callback(responses.POST, f"{X_API}/tweets", callback=self._create)
        self.mock.add_callback(responses.GET, f"{X_API}/users/me", callback=self._me)
        self.mock.add_callback(
            responses.GET,
            re.compile(rf"{re.escape(X_API)}/users/{X_USER_ID}/tweets.*"),
            callback=self._timeline,
        )

    def _upload(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        self.uploads.append(request)
        media_id = str(1000 + len(self.uploads))
        body = {"data": {"id": media_id, "media_key": f"3_{media_id}", "size": 100}}
        return 200, {}, json.dumps(body)

    def _metadata(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        self.metadata.append(json.loads(request.body or b"{}"))
        return 200, {}, json.dumps({"data": {"associated_metadata": True}})

    def _create(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        body = json.loads(request.body or b"{}")
        self.create_bodies.append(body)
        if self.create_failure is not None:
            return self.create_failure(request)  # type: ignore[no-any-return]
        tweet_id = str(self.next_id)
        self.next_id += 1
        # X escapes & < > and appends the media's t.co link to the stored text.
        stored = body["text"].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if body.get("media"):
            stored += " https://t.co/AbCdEf1234"
        created_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        self.tweets.insert(0, {"id": tweet_id, "text": stored, "created_at": created_at})
        if self.post_then_fail is not None:
            raise self.post_then_fail
        return 201, {}, json.dumps({"data": {"id": tweet_id, "text": stored}})

    def _me(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        body = {"data": {"id": X_USER_ID, "name": "Marbella Stats", "username": "mvstats"}}
        return 200, {}, json.dumps(body)

    def _timeline(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        self.timeline_reads += 1
        body: dict[str, Any] = {"meta": {"result_count": len(self.tweets)}}
        if self.tweets:
            body["data"] = self.tweets
        return 200, {}, json.dumps(body)


@pytest.fixture
def images(tmp_path: Path) -> list[PostImage]:
    colors = [(200, 30, 30), (30, 200, 30), (30, 30, 200), (200, 200, 30)]
    kinds = ["average_viewers", "hours_watched", "peak_viewers", "concurrency"]
    return [
        PostImage(
            path=make_png(tmp_path / f"{kind}.png", color),
            alt_text=f"Ranking {kind}: 1. Ibai, 12.345 viewers",
        )
        for kind, color in zip(kinds, colors, strict=True)
    ]


@pytest.fixture
def post(images: list[PostImage]) -> Post:
    text = (
        "📊 Marbella Vice · 16 de abril de 2021\n"
        "¿Quién lideró el día? 1. Ibai 12.345\n#MarbellaVice"
    )
    return Post(key="marbella-vice/2021-04-16", text=text, images=tuple(images))


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[PublicationLedger]:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'ledger.db'}")
    ledger = PublicationLedger(engine)
    ledger.upgrade()
    yield ledger
    engine.dispose()


@pytest.fixture
def x_publisher() -> Iterator[XPublisher]:
    publisher = XPublisher(
        consumer_key="ck-test",
        consumer_secret="cs-test",
        access_token="at-test",
        access_token_secret="ats-test",
        timeout=(3.0, 7.0),
    )
    yield publisher
    publisher.close()


@pytest.fixture
def x_account() -> Iterator[FakeXAccount]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        account = FakeXAccount(mock=mock)
        account.install()
        yield account


@pytest.fixture
def png_factory(tmp_path: Path) -> Callable[[str], Path]:
    """Return a function that writes a small PNG named `name` and returns its path."""

    def write(name: str) -> Path:
        return make_png(tmp_path / name, (10, 20, 30))

    return write
