"""Tests for BlueskyPublisher with the PDS's XRPC API mocked by respx."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import respx
from PIL import Image

from mvbot.publish import (
    BlueskyPublisher,
    CredentialsError,
    Post,
    PostTooLongError,
    PublishConnectionError,
    PublisherSetupError,
)
from mvbot.publish._bluesky import fit_image

pytest.importorskip("atproto", reason="atproto is the optional 'bluesky' extra")

XRPC = "https://pds.example/xrpc"
DID = "did:plc:mvstats123"
HANDLE = "mvstats.bsky.social"
POST_URI = f"at://{DID}/app.bsky.feed.post/3kabcdef"


def _jwt() -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    expires = int((dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).timestamp())
    payload = {"sub": DID, "exp": expires, "iat": expires - 7200, "scope": "com.atproto.appPass"}
    return f"{part({'alg': 'ES256K', 'typ': 'at+jwt'})}.{part(payload)}.c2lnbmF0dXJl"


@pytest.fixture
def pds() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        router.post(f"{XRPC}/com.atproto.server.createSession").respond(
            json={
                "accessJwt": _jwt(),
                "refreshJwt": _jwt(),
                "did": DID,
                "handle": HANDLE,
                "active": True,
            }
        )
        router.get(f"{XRPC}/app.bsky.actor.getProfile").respond(json={"did": DID, "handle": HANDLE})
        yield router


@pytest.fixture
def publisher() -> Iterator[BlueskyPublisher]:
    with BlueskyPublisher(
        handle=HANDLE, app_password="app-pass-test", service="https://pds.example", timeout=5
    ) as opened:
        yield opened


# atproto 0.0.73 passes raw bytes to httpx as `data=`, which httpx 0.28 deprecates.
@pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")
def test_posts_images_with_alt_texts_and_langs(
    pds: respx.MockRouter, publisher: BlueskyPublisher, post: Post
) -> None:
    blob = {"$type": "blob", "ref": {"$link": "bafkreiblob"}, "mimeType": "image/png", "size": 99}
    upload = pds.post(f"{XRPC}/com.atproto.repo.uploadBlob").respond(json={"blob": blob})
    create = pds.post(f"{XRPC}/com.atproto.repo.createRecord").respond(
        json={"uri": POST_URI, "cid": "bafyreipost"}
    )

    published = publisher.publish(post)

    assert published.post_id == POST_URI
    assert published.url == f"https://bsky.app/profile/{HANDLE}/post/3kabcdef"
    assert upload.call_count == 4
    record = json.loads(create.calls.last.request.content)["record"]
    assert record["text"] == post.text
    assert record["langs"] == ["es"]
    images = record["embed"]["images"]
    assert [image["alt"] for image in images] == [image.alt_text for image in post.images]
    assert images[0]["aspectRatio"]["width"] == 64
    assert images[0]["aspectRatio"]["height"] == 48


def test_login_is_reused(pds: respx.MockRouter, publisher: BlueskyPublisher) -> None:
    pds.post(f"{XRPC}/com.atproto.repo.createRecord").respond(
        json={"uri": POST_URI, "cid": "bafyreipost"}
    )

    publisher.publish(Post(key="k/1", text="uno"))
    publisher.publish(Post(key="k/2", text="dos"))

    login = [call for call in pds.calls if "createSession" in str(call.request.url)]
    assert len(login) == 1


def test_rejected_login(pds: respx.MockRouter, publisher: BlueskyPublisher) -> None:
    pds.post(f"{XRPC}/com.atproto.server.createSession").respond(
        401, json={"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
    )

    with pytest.raises(CredentialsError, match="Invalid identifier or password"):
        publisher.publish(Post(key="k/d", text="hola"))


def test_timeout_on_create_may_have_posted(
    pds: respx.MockRouter, publisher: BlueskyPublisher
) -> None:
    pds.post(f"{XRPC}/com.atproto.repo.createRecord").mock(
        side_effect=httpx.ReadTimeout("read timed out")
    )

    with pytest.raises(PublishConnectionError) as caught:
        publisher.publish(Post(key="k/d", text="hola"))

    assert caught.value.maybe_posted is True


def test_find_published(pds: respx.MockRouter, publisher: BlueskyPublisher) -> None:
    pds.get(f"{XRPC}/app.bsky.feed.getAuthorFeed").respond(
        json={
            "feed": [
                {
                    "post": {
                        "uri": POST_URI,
                        "cid": "bafyreipost",
                        "author": {"did": DID, "handle": HANDLE},
                        "record": {
                            "$type": "app.bsky.feed.post",
                            "text": "Día 2 · ¿quién ganó?",
                            "createdAt": "2021-04-17T08:00:01.000Z",
                        },
                        "indexedAt": "2021-04-17T08:00:02.000Z",
                    }
                }
            ]
        }
    )

    found = publisher.find_published(
        "Día 2 · ¿quién ganó?", since=dt.datetime(2021, 4, 17, tzinfo=dt.UTC)
    )
    missing = publisher.find_published("otro", since=dt.datetime(2021, 4, 17, tzinfo=dt.UTC))

    assert found is not None
    assert found.post_id == POST_URI
    assert missing is None


def test_check_counts_graphemes(publisher: BlueskyPublisher) -> None:
    publisher.check(Post(key="k/d", text="👨‍👩‍👧" * 100 + "ñ" * 200))

    with pytest.raises(PostTooLongError, match="300"):
        publisher.check(Post(key="k/d", text="ñ" * 301))
    with pytest.raises(PostTooLongError):
        publisher.check(Post(key="k/d", text="👨‍👩‍👧" * 200))  # 200 graphemes, 3,600 bytes


def test_fit_image_shrinks_large_png(tmp_path: Path) -> None:
    noise = Image.effect_noise((1400, 1400), 120).convert("RGB")
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG")
    assert buffer.tell() > 1_000_000

    fitted = fit_image(buffer.getvalue())

    assert len(fitted) <= 1_000_000
    with Image.open(io.BytesIO(fitted)) as image:
        assert image.format == "JPEG"


def test_fit_image_keeps_small_image() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="PNG")

    assert fit_image(buffer.getvalue()) == buffer.getvalue()


def test_missing_package_names_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "atproto", None)
    publisher = BlueskyPublisher(handle=HANDLE, app_password="x")

    with pytest.raises(PublisherSetupError, match=r"pip install 'twitchstats\[bluesky\]'"):
        publisher.publish(Post(key="k/d", text="hola"))
