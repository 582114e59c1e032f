"""Tests for publish_once: the ledger and the recent-posts check prevent double posts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import requests

from mvbot.publish import Post, PublicationLedger, XPublisher, publish_once

EVENT = "marbella-vice"
DAY = dt.date(2021, 4, 16)


class _Crash(BaseException):
    """Stands for the process dying: nothing after it runs."""


class _LedgerDyingAfterPost(PublicationLedger):
    """A ledger whose process dies right after the post is created, before it is recorded."""

    def mark_posted(self, *args: Any, **kwargs: Any) -> Any:
        raise _Crash


def _run(publisher: XPublisher, post: Post, ledger: PublicationLedger) -> Any:
    return publish_once(publisher, post, ledger=ledger, event=EVENT, day=DAY)


def test_posts_and_records(
    x_account: Any, x_publisher: XPublisher, post: Post, ledger: PublicationLedger
) -> None:
    outcome = _run(x_publisher, post, ledger)

    assert outcome.status == "posted"
    row = ledger.get(EVENT, DAY, "x")
    assert row is not None
    assert row.status == "posted"
    assert row.post_id == "1790000000000000001"
    assert row.post_url == "https://x.com/i/web/status/1790000000000000001"
    assert row.attempts == 1
    assert row.text == post.text


def test_rerun_of_posted_day_sends_nothing(
    x_account: Any, x_publisher: XPublisher, post: Post, ledger: PublicationLedger
) -> None:
    _run(x_publisher, post, ledger)
    calls_after_first = len(x_account.mock.calls)

    outcome = _run(x_publisher, post, ledger)

    assert outcome.status == "already_posted"
    assert outcome.post.post_id == "1790000000000000001"
    assert len(x_account.mock.calls) == calls_after_first


def test_crash_after_upload_posts_once_on_rerun(
    x_account: Any, x_publisher: XPublisher, post: Post, ledger: PublicationLedger
) -> None:
    def die(request: requests.PreparedRequest) -> None:
        raise _Crash

    x_account.create_failure = die
    with pytest.raises(_Crash):
        _run(x_publisher, post, ledger)
    row = ledger.get(EVENT, DAY, "x")
    assert row is not None
    assert row.may_exist
    assert x_account.tweets == []

    x_account.create_failure = None
    outcome = _run(x_publisher, post, ledger)

    assert outcome.status == "posted"
    assert x_account.timeline_reads == 1
    assert len(x_account.tweets) == 1
    assert len(x_account.uploads) == 8  # media ids are never reused across runs
    row = ledger.get(EVENT, DAY, "x")
    assert row is not None
    assert row.status == "posted"
    assert row.attempts == 2


def test_crash_after_post_before_ledger_update(
    x_account: Any, x_publisher: XPublisher, post: Post, tmp_path: Any, ledger: PublicationLedger
) -> None:
    dying = _LedgerDyingAfterPost(ledger.engine)
    with pytest.raises(_Crash):
        _run(x_publisher, post, dying)
    row = ledger.get(EVENT, DAY, "x")
    assert row is not None
    assert row.status == "pending"
    assert len(x_account.tweets) == 1

    outcome = _run(x_publisher, post, ledger)

    assert outcome.status == "recovered"
    assert len(x_account.create_bodies) == 1
    assert len(x_account.tweets) == 1
    row = ledger.get(EVENT, DAY, "x")
    assert row is not None
    assert row.status == "posted"
    assert row.post_id == x_account.tweets[0]["id"]


def test_timeout_after_post_is_recovered(
    x_account: Any, x_publisher: XPublisher, post: Post, ledger: PublicationLedger
) -> None:
    x_account.post_then_fail = requests.ReadTimeout("read timed out")
    first = _run(x_publisher, post, ledger)
    assert first.status == "failed"
    assert first.error.maybe_posted is True
    row = ledger.get(EVENT, DAY, "x")
    assert row is not None
    assert row.status == "failed"
    assert row.outcome_unknown is True

    x_account.post_then_fail = None
    second = _run(x_publisher, post, ledger)

    assert second.status == "recovered"
    assert len(x_account.tweets) == 1
    assert len(x_account.create_bodies) == 1


def test_timeout_before_post_posts_on_rerun(
    x_account: Any, x_publisher: XPublisher, post: Post, ledger: PublicationLedger
) -> None:
    def time_out(request: requests.PreparedRequest) -> None:
        raise requests.ReadTimeout("read timed out")

    x_account.create_failure = time_out
    assert _run(x_publisher, post, ledger).status == "failed"

    x_account.create_failure = None
    outcome = _run(x_publisher, post, ledger)

    assert outcome.status == "posted"
    assert x_account.timeline_reads == 1
    assert len(x_account.tweets) == 1


def test_recovery_uses_the_text_that_was_sent(
    x_account: Any, x_publisher: XPublisher, post: Post, ledger: PublicationLedger
) -> None:
    dying = _LedgerDyingAfterPost(ledger.engine)
    with pytest.raises(_Crash):
        _run(x_publisher, post, dying)
    # Late data changed the day's numbers, so today's text differs from the one posted.
    changed = Post(key=post.key, text=post.text.replace("12.345", "12.400"), images=post.images)

    outcome = _run(x_publisher, changed, ledger)

    assert outcome.status == "recovered"
    assert len(x_account.tweets) == 1


def test_failed_timeline_read_sends_nothing(
    x_account: Any, x_publisher: XPublisher, post: Post, ledger: PublicationLedger
) -> None:
    dying = _LedgerDyingAfterPost(ledger.engine)
    with pytest.raises(_Crash):
        _run(x_publisher, post, dying)
    x_account.mock.replace(
        "GET", "https://api.twitter.com/2/users/me", body=requests.ConnectionError("down")
    )

    outcome = _run(x_publisher, post, ledger)

    assert outcome.status == "failed"
    assert len(x_account.create_bodies) == 1
    row = ledger.get(EVENT, DAY, "x")
    assert row is not None
    assert row.status == "pending"


def test_definite_failure_is_recorded_and_retried_later(
    x_account: Any, x_publisher: XPublisher, post: Post, ledger: PublicationLedger
) -> None:
    x_account.create_failure = lambda request: (402, {}, "{}")
    outcome = _run(x_publisher, post, ledger)
    assert outcome.status == "failed"
    row = ledger.get(EVENT, DAY, "x")
    assert row is not None
    assert row.status == "failed"
    assert row.outcome_unknown is False
    assert "créditos" in (row.reason or "")

    x_account.create_failure = None
    assert _run(x_publisher, post, ledger).status == "posted"
    assert x_account.timeline_reads == 0


def test_duplicate_refusal_finds_existing_post(
    x_account: Any, x_publisher: XPublisher, post: Post, ledger: PublicationLedger
) -> None:
    x_publisher.publish(post)  # posted outside mvbot's ledger, for example by hand
    body = '{"detail": "You are not allowed to create a Tweet with duplicate content."}'
    x_account.create_failure = lambda request: (403, {}, body)

    outcome = _run(x_publisher, post, ledger)

    assert outcome.status == "recovered"
    row = ledger.get(EVENT, DAY, "x")
    assert row is not None
    assert row.status == "posted"
    assert row.post_id == x_account.tweets[0]["id"]


def test_text_too_long_is_failed_without_calls(
    x_account: Any, x_publisher: XPublisher, ledger: PublicationLedger
) -> None:
    outcome = _run(x_publisher, Post(key="k/d", text="€" * 141), ledger)

    assert outcome.status == "failed"
    assert len(x_account.mock.calls) == 0
