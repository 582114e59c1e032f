"""Tests for MastodonPublisher with the server's HTTP API mocked by `responses`."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import responses

from mvbot.publish import (
    CredentialsError,
    MastodonPublisher,
    Post,
    PublishConnectionError,
    PublisherSetupError,
    PublishServerError,
)

pytest.importorskip("mastodon", reason="Mastodon.py is the optional 'mastodon' extra")

SERVER = "https://mastodon.example"


def _status(status_id: str, text: str) -> dict[str, Any]:
    return {
        "id": status_id,
        "url": f"{SERVER}/@mvstats/{status_id}",
        "uri": f"{SERVER}/users/mvstats/statuses/{status_id}",
        "content": "<p>" + text.replace("\n", "<br>") + "</p>",
        "created_at": "2021-04-17T08:00:01.000Z",
        "visibility": "public",
        "language": "es",
        "media_attachments": [],
        "account": {"id": "7", "username": "mvstats", "acct": "mvstats"},
    }


@pytest.fixture
def server() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(
            re.compile(rf"{SERVER}/api/v[12]/instance/?"),
            json={"version": "4.3.0", "api_versions": {"mastodon": 2}},
        )
        yield mock


@pytest.fixture
def publisher() -> Iterator[MastodonPublisher]:
    with MastodonPublisher(api_base_url=SERVER, access_token="token-test", timeout=5) as opened:
        yield opened


def test_posts_images_with_idempotency_key(
    server: responses.RequestsMock, publisher: MastodonPublisher, post: Post
) -> None:
    media_ids = iter(["m1", "m2", "m3", "m4"])
    server.add_callback(
        responses.POST,
        f"{SERVER}/api/v2/media",
        callback=lambda request: (200, {}, json.dumps({"id": next(media_ids), "type": "image"})),
    )
    server.post(f"{SERVER}/api/v1/statuses", json=_status("110", post.text))

    published = publisher.publish(post)

    assert published.post_id == "110"
    assert published.url == f"{SERVER}/@mvstats/110"
    uploads = [call for call in server.calls if call.request.url.endswith("/api/v2/media")]
    assert len(uploads) == 4
    for call, image in zip(uploads, post.images, strict=True):
        assert image.alt_text.encode() in call.request.body
        assert call.request.headers["Authorization"] == "Bearer token-test"
    [create] = [call for call in server.calls if call.request.url.endswith("/api/v1/statuses")]
    assert create.request.headers["Idempotency-Key"] == "marbella-vice/2021-04-16"
    sent = urllib.parse.parse_qs(create.request.body)
    assert sent["media_ids[]"] == ["m1", "m2", "m3", "m4"]
    assert sent["language"] == ["es"]
    assert sent["visibility"] == ["public"]
    assert sent["status"] == [post.text]
    assert create.request.req_kwargs["timeout"] == 5


def test_server_error_on_create_may_have_posted(
    server: responses.RequestsMock, publisher: MastodonPublisher
) -> None:
    server.post(f"{SERVER}/api/v1/statuses", status=502, json={"error": "bad gateway"})

    with pytest.raises(PublishServerError) as caught:
        publisher.publish(Post(key="k/d", text="hola"))

    assert caught.value.maybe_posted is True


def test_connection_error_on_create(
    server: responses.RequestsMock, publisher: MastodonPublisher
) -> None:
    server.post(f"{SERVER}/api/v1/statuses", body=requests.ReadTimeout("read timed out"))

    with pytest.raises(PublishConnectionError) as caught:
        publisher.publish(Post(key="k/d", text="hola"))

    assert caught.value.maybe_posted is True


def test_unauthorized(server: responses.RequestsMock, publisher: MastodonPublisher) -> None:
    server.post(f"{SERVER}/api/v1/statuses", status=401, json={"error": "invalid token"})

    with pytest.raises(CredentialsError, match="write"):
        publisher.publish(Post(key="k/d", text="hola"))


def test_find_published_reads_html_content(
    server: responses.RequestsMock, publisher: MastodonPublisher
) -> None:
    server.get(
        f"{SERVER}/api/v1/accounts/verify_credentials",
        json={"id": "7", "username": "mvstats", "acct": "mvstats"},
    )
    server.get(
        re.compile(rf"{SERVER}/api/v1/accounts/7/statuses.*"),
        json=[_status("111", "otro"), _status("110", "Día 2 & más\nsegunda línea")],
    )

    found = publisher.find_published(
        "Día 2 & más\nsegunda línea", since=dt.datetime(2021, 4, 17, tzinfo=dt.UTC)
    )

    assert found is not None
    assert found.post_id == "110"


def test_too_long_text(publisher: MastodonPublisher) -> None:
    with pytest.raises(Exception, match="500"):
        publisher.check(Post(key="k/d", text="a" * 501))


def test_missing_package_names_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "mastodon", None)
    publisher = MastodonPublisher(api_base_url=SERVER, access_token="t")

    with pytest.raises(PublisherSetupError, match=r"pip install 'twitchstats\[mastodon\]'"):
        publisher.publish(Post(key="k/d", text="hola"))
