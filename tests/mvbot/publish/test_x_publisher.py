"""Tests for XPublisher against X's HTTP endpoints mocked with `responses`."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
import responses

from mvbot._exceptions import PublishError
from mvbot.publish import (
    CredentialsError,
    DuplicatePostError,
    MediaError,
    OutOfCreditsError,
    Post,
    PostImage,
    PostTooLongError,
    PublishConnectionError,
    PublisherSetupError,
    PublishRateLimitError,
    PublishServerError,
    PublishTimeoutError,
    ReadOnlyTokenError,
    XPublisher,
)

X_API = "https://api.twitter.com/2"


def _problem(status: int, title: str, detail: str, type_: str = "about:blank") -> str:
    return json.dumps({"title": title, "detail": detail, "type": type_, "status": status})


def test_post_with_four_images_and_alt_texts(
    x_account: Any, x_publisher: XPublisher, post: Post
) -> None:
    published = x_publisher.publish(post)

    assert published.post_id == "1790000000000000001"
    assert published.url == "https://x.com/i/web/status/1790000000000000001"

    assert len(x_account.uploads) == 4
    for upload, image in zip(x_account.uploads, post.images, strict=True):
        body = upload.body
        assert isinstance(body, bytes)
        content_type = upload.headers["Content-Type"]
        assert content_type.startswith("multipart/form-data; boundary=")
        assert b'name="media_category"\r\n\r\ntweet_image' in body
        assert f'name="media"; filename="{image.path.name}"'.encode() in body
        assert b"Content-Type: image/png" in body
        assert image.path.read_bytes() in body
        assert upload.headers["Authorization"].startswith("OAuth ")
        assert 'oauth_consumer_key="ck-test"' in upload.headers["Authorization"]

    assert x_account.metadata == [
        {"id": str(1001 + index), "metadata": {"alt_text": {"text": image.alt_text}}}
        for index, image in enumerate(post.images)
    ]
    assert x_account.create_bodies == [
        {"text": post.text, "media": {"media_ids": ["1001", "1002", "1003", "1004"]}}
    ]


def test_every_request_has_timeout(x_account: Any, x_publisher: XPublisher, post: Post) -> None:
    x_publisher.publish(post)

    for call in x_account.mock.calls:
        assert call.request.req_kwargs["timeout"] == (3.0, 7.0), call.request.url


def test_create_call_is_signed_with_oauth1(
    x_account: Any, x_publisher: XPublisher, post: Post
) -> None:
    x_publisher.publish(post)

    create = [call for call in x_account.mock.calls if call.request.url == f"{X_API}/tweets"]
    assert len(create) == 1
    authorization = create[0].request.headers["Authorization"]
    assert authorization.startswith("OAuth ")
    assert 'oauth_token="at-test"' in authorization


def test_text_only_post_sends_no_media(x_account: Any, x_publisher: XPublisher) -> None:
    x_publisher.publish(Post(key="e/2021-04-16", text="Hola ¿qué tal?"))

    assert x_account.uploads == []
    assert x_account.create_bodies == [{"text": "Hola ¿qué tal?"}]


def _fail_create(status: int, body: str, headers: dict[str, str] | None = None) -> object:
    def respond(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        return status, headers or {}, body

    return respond


def test_out_of_credits(x_account: Any, x_publisher: XPublisher, post: Post) -> None:
    x_account.create_failure = _fail_create(  # type: ignore[assignment]
        402, _problem(402, "Payment Required", "Your account has no credits.")
    )

    with pytest.raises(OutOfCreditsError, match="no tiene créditos") as caught:
        x_publisher.publish(post)

    assert caught.value.maybe_posted is False
    assert caught.value.publisher == "x"


def test_duplicate_content(x_account: Any, x_publisher: XPublisher, post: Post) -> None:
    detail = "You are not allowed to create a Tweet with duplicate content."
    x_account.create_failure = _fail_create(  # type: ignore[assignment]
        403, _problem(403, "Forbidden", detail)
    )

    with pytest.raises(DuplicatePostError, match="idéntico") as caught:
        x_publisher.publish(post)

    assert caught.value.maybe_posted is False


def test_read_only_tokens(x_account: Any, x_publisher: XPublisher, post: Post) -> None:
    detail = (
        "Your client app is not configured with the appropriate oauth1 app permissions for "
        "this endpoint."
    )
    x_account.create_failure = _fail_create(  # type: ignore[assignment]
        403,
        _problem(403, "Forbidden", detail, "https://api.twitter.com/2/problems/oauth1-permissions"),
    )

    with pytest.raises(ReadOnlyTokenError, match="Read and write"):
        x_publisher.publish(post)


def test_unauthorized(x_account: Any, x_publisher: XPublisher, post: Post) -> None:
    x_account.create_failure = _fail_create(  # type: ignore[assignment]
        401, _problem(401, "Unauthorized", "Unauthorized")
    )

    with pytest.raises(CredentialsError, match="HTTP 401"):
        x_publisher.publish(post)


def test_rate_limit_with_reset(x_account: Any, x_publisher: XPublisher, post: Post) -> None:
    headers = {
        "x-rate-limit-limit": "100",
        "x-rate-limit-remaining": "0",
        "x-rate-limit-reset": "1618560000",
    }
    x_account.create_failure = _fail_create(  # type: ignore[assignment]
        429, _problem(429, "Too Many Requests", "Too Many Requests"), headers
    )

    with pytest.raises(PublishRateLimitError, match="2021-04-16T08:00:00") as caught:
        x_publisher.publish(post)

    assert caught.value.reset_at == dt.datetime(2021, 4, 16, 8, 0, tzinfo=dt.UTC)
    assert caught.value.daily is False
    assert caught.value.maybe_posted is False


def test_daily_rate_limit_uses_24hour_reset(
    x_account: Any, x_publisher: XPublisher, post: Post
) -> None:
    headers = {
        "x-rate-limit-remaining": "99",
        "x-rate-limit-reset": "1618560000",
        "x-user-limit-24hour-limit": "17",
        "x-user-limit-24hour-remaining": "0",
        "x-user-limit-24hour-reset": "1618617600",
        "x-app-limit-24hour-remaining": "1500",
        "x-app-limit-24hour-reset": "1618617000",
    }
    x_account.create_failure = _fail_create(  # type: ignore[assignment]
        429, _problem(429, "Too Many Requests", "Too Many Requests"), headers
    )

    with pytest.raises(PublishRateLimitError, match="límite diario") as caught:
        x_publisher.publish(post)

    assert caught.value.reset_at == dt.datetime(2021, 4, 17, 0, 0, tzinfo=dt.UTC)
    assert caught.value.daily is True


def test_rate_limit_without_headers(x_account: Any, x_publisher: XPublisher, post: Post) -> None:
    x_account.create_failure = _fail_create(429, "{}")  # type: ignore[assignment]

    with pytest.raises(PublishRateLimitError) as caught:
        x_publisher.publish(post)

    assert caught.value.reset_at is None


def test_server_error_may_have_posted(x_account: Any, x_publisher: XPublisher, post: Post) -> None:
    x_account.create_failure = _fail_create(503, "Service Unavailable")  # type: ignore[assignment]

    with pytest.raises(PublishServerError, match="HTTP 503") as caught:
        x_publisher.publish(post)

    assert caught.value.maybe_posted is True
    assert caught.value.status_code == 503


def _raise(exc: BaseException) -> object:
    def respond(request: requests.PreparedRequest) -> None:
        raise exc

    return respond


def test_read_timeout_may_have_posted(x_account: Any, x_publisher: XPublisher, post: Post) -> None:
    x_account.create_failure = _raise(requests.ReadTimeout("read timed out"))  # type: ignore[assignment]

    with pytest.raises(PublishTimeoutError, match=r"7\.0 segundos") as caught:
        x_publisher.publish(post)

    assert caught.value.maybe_posted is True


def test_connect_timeout_did_not_post(x_account: Any, x_publisher: XPublisher, post: Post) -> None:
    x_account.create_failure = _raise(requests.ConnectTimeout("connect timed out"))  # type: ignore[assignment]

    with pytest.raises(PublishTimeoutError) as caught:
        x_publisher.publish(post)

    assert caught.value.maybe_posted is False


def test_connection_error_while_uploading(
    x_account: Any, x_publisher: XPublisher, post: Post
) -> None:
    x_account.mock.replace(
        responses.POST,
        "https://api.x.com/2/media/upload",
        body=requests.ConnectionError("connection reset"),
    )

    with pytest.raises(PublishConnectionError) as caught:
        x_publisher.publish(post)

    assert caught.value.maybe_posted is False
    assert x_account.create_bodies == []


def test_upload_refused_is_media_error(x_account: Any, x_publisher: XPublisher, post: Post) -> None:
    x_account.mock.replace(
        responses.POST,
        "https://api.x.com/2/media/upload",
        status=400,
        body=_problem(400, "Invalid Request", "media type unrecognized"),
    )

    with pytest.raises(MediaError, match="media type unrecognized"):
        x_publisher.publish(post)

    assert x_account.create_bodies == []


def test_english_messages(x_account: Any, post: Post) -> None:
    x_account.create_failure = _fail_create(402, "{}")  # type: ignore[assignment]
    publisher = XPublisher(
        consumer_key="a",
        consumer_secret="b",
        access_token="c",
        access_token_secret="d",
        language="en",
    )

    with pytest.raises(OutOfCreditsError, match="no credits left"):
        publisher.publish(post)


def test_debug_logs_never_show_tokens(
    x_account: Any, x_publisher: XPublisher, post: Post, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    x_publisher.publish(post)

    assert "oauth_signature" not in caplog.text
    assert "at-test" not in caplog.text
    assert "posted marbella-vice/2021-04-16 to X" in caplog.text


def test_errors_never_show_credentials(x_account: Any, x_publisher: XPublisher, post: Post) -> None:
    x_account.create_failure = _fail_create(401, "{}")  # type: ignore[assignment]

    with pytest.raises(PublishError) as caught:
        x_publisher.publish(post)

    for secret in ("ck-test", "cs-test", "at-test", "ats-test"):
        assert secret not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        pytest.param("a" * 281, PostTooLongError, id="281-weighted"),
        pytest.param("😀" * 141, PostTooLongError, id="emoji-weigh-two"),
        pytest.param("   ", PostTooLongError, id="blank"),
    ],
)
def test_check_rejects_text_without_network(
    x_publisher: XPublisher, text: str, error: type[Exception]
) -> None:
    with responses.RequestsMock() as mock, pytest.raises(error):
        x_publisher.publish(Post(key="e/d", text=text))
    assert len(mock.calls) == 0


def test_check_accepts_exactly_280(x_publisher: XPublisher) -> None:
    x_publisher.check(Post(key="e/d", text="ñ" * 280))


def test_check_rejects_five_images(x_publisher: XPublisher, images: list[PostImage]) -> None:
    with pytest.raises(MediaError, match="4"):
        x_publisher.check(Post(key="e/d", text="hola", images=(*images, images[0])))


def test_check_rejects_large_image(x_publisher: XPublisher, tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG" + b"\0" * (5 * 1024 * 1024))

    with pytest.raises(MediaError, match="5242880"):
        x_publisher.check(Post(key="e/d", text="hola", images=(PostImage(path=big, alt_text=""),)))


def test_check_rejects_long_alt_text(
    x_publisher: XPublisher, png_factory: Callable[[str], Path]
) -> None:
    image = PostImage(path=png_factory("a.png"), alt_text="x" * 1001)

    with pytest.raises(MediaError, match="1001"):
        x_publisher.check(Post(key="e/d", text="hola", images=(image,)))


def test_find_published_matches_rewritten_text(
    x_account: Any, x_publisher: XPublisher, post: Post
) -> None:
    published = x_publisher.publish(
        Post(key=post.key, text=post.text + " & más", images=post.images)
    )

    found = x_publisher.find_published(
        post.text + " & más", since=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    )

    assert found == published
    timeline = [call for call in x_account.mock.calls if "/users/4242/tweets" in call.request.url]
    assert "start_time=" in timeline[0].request.url
    assert "max_results=20" in timeline[0].request.url


def test_find_published_returns_none_for_other_text(
    x_account: Any, x_publisher: XPublisher, post: Post
) -> None:
    x_publisher.publish(post)

    found = x_publisher.find_published("otro texto", since=dt.datetime(2021, 1, 1, tzinfo=dt.UTC))

    assert found is None


def test_from_environment_names_missing_variable() -> None:
    variables = {
        "consumer_key": "MV_KEY",
        "consumer_secret": "MV_SECRET",
        "access_token": "MV_TOKEN",
        "access_token_secret": "MV_TOKEN_SECRET",
    }
    environ = {"MV_KEY": "k", "MV_SECRET": "s", "MV_TOKEN": "t"}

    with pytest.raises(PublisherSetupError, match="MV_TOKEN_SECRET"):
        XPublisher.from_environment(variables=variables, environ=environ)
