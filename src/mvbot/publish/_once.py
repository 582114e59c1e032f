"""Publish one event day on one publisher at most once, using the ledger.

The order of steps is what prevents double posts:

1. A row that is `posted` ends the work: nothing is sent.
2. A row that may hide a post (left `pending` by a crash, or `failed` with an unknown outcome)
   is checked first: the account's recent posts are read, and a post with the recorded text
   marks the row `posted`. If that read fails, nothing is sent.
3. Otherwise the row becomes `pending`, the publisher is called once, and the row becomes
   `posted` or `failed`. The call that creates the post is never repeated here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Final, Literal

from mvbot._exceptions import PublishError
from mvbot.publish._errors import DuplicatePostError, publish_error
from mvbot.publish._ledger import Publication, PublicationLedger
from mvbot.publish._protocol import Post, PublishedPost, Publisher

__all__ = ["PublishOutcome", "publish_once"]

logger = logging.getLogger(__name__)

# How far before a row's last change the recent-posts check looks: it covers the time between
# marking the row and the network recording the post, timeouts included.
_CHECK_MARGIN: Final = dt.timedelta(hours=1)
# How far back a duplicate refusal is looked up: X compares against the account's recent posts.
_DUPLICATE_LOOKBACK: Final = dt.timedelta(days=7)

OutcomeStatus = Literal["posted", "already_posted", "recovered", "failed"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class PublishOutcome:
    """What `publish_once` did for one publisher.

    Attributes:
        publisher: the publisher's name.
        status: `posted` (created now), `already_posted` (recorded as posted in the ledger,
            nothing sent), `recovered` (found on the account after an unclear failure, and
            recorded) or `failed` (see `error`).
        post: the post on the network, when there is one.
        error: the failure, when `status` is `failed`.
        publication: the ledger row after the work.
    """

    publisher: str
    status: OutcomeStatus
    post: PublishedPost | None = None
    error: PublishError | None = None
    publication: Publication | None = None


def publish_once(
    publisher: Publisher,
    post: Post,
    *,
    ledger: PublicationLedger,
    event: str,
    day: dt.date,
) -> PublishOutcome:
    """Publish `post` for `event`/`day` on `publisher` unless the ledger shows it is done.

    Returns an outcome for every `PublishError`; any other exception is recorded in the ledger as
    a failure with an unknown outcome and then raised.
    """
    name = publisher.name
    record = ledger.get(event, day, name)

    if record is not None and record.status == "posted":
        logger.info("%s %s is already posted on %s as %s", event, day, name, record.post_id)
        post_link = PublishedPost(post_id=record.post_id or "", url=record.post_url)
        return PublishOutcome(
            publisher=name, status="already_posted", post=post_link, publication=record
        )

    try:
        publisher.check(post)
    except PublishError as exc:
        failed = ledger.mark_failed(event, day, name, reason=str(exc), outcome_unknown=False)
        logger.error("%s %s cannot be posted on %s: %s", event, day, name, exc)
        return PublishOutcome(publisher=name, status="failed", error=exc, publication=failed)

    if record is not None and record.may_exist:
        recovered = _recover(publisher, record, ledger=ledger)
        if isinstance(recovered, PublishOutcome):
            return recovered

    ledger.mark_pending(event, day, name, text=post.text)
    logger.info("posting %s %s on %s", event, day, name)
    try:
        published = publisher.publish(post)
    except DuplicatePostError as exc:
        return _after_duplicate(publisher, post, exc, ledger=ledger, event=event, day=day)
    except PublishError as exc:
        _, maybe_posted = publish_error(exc)
        failed = ledger.mark_failed(event, day, name, reason=str(exc), outcome_unknown=maybe_posted)
        logger.error("posting %s %s on %s failed: %s", event, day, name, exc)
        return PublishOutcome(publisher=name, status="failed", error=exc, publication=failed)
    except BaseException as exc:
        ledger.mark_failed(
            event, day, name, reason=f"{type(exc).__name__}: {exc}", outcome_unknown=True
        )
        raise

    row = ledger.mark_posted(event, day, name, post_id=published.post_id, url=published.url)
    logger.info("posted %s %s on %s: %s", event, day, name, published.url or published.post_id)
    return PublishOutcome(publisher=name, status="posted", post=published, publication=row)


def _recover(
    publisher: Publisher, record: Publication, *, ledger: PublicationLedger
) -> PublishOutcome | None:
    """Look for a post that an earlier attempt may have created; None when there is none."""
    name = publisher.name
    since = record.updated_at - _CHECK_MARGIN
    logger.warning(
        "%s %s on %s may have been posted by an earlier attempt (%s): reading recent posts",
        record.event,
        record.day,
        name,
        record.status,
    )
    try:
        found = publisher.find_published(record.text, since=since)
    except PublishError as exc:
        # Without the recent posts, posting again could double-post, so the row stays as it is.
        logger.error(
            "could not read recent posts on %s to check %s %s: %s",
            name,
            record.event,
            record.day,
            exc,
        )
        return PublishOutcome(publisher=name, status="failed", error=exc, publication=record)
    if found is None:
        logger.info("no earlier post of %s %s on %s: posting", record.event, record.day, name)
        return None

    row = ledger.mark_posted(record.event, record.day, name, post_id=found.post_id, url=found.url)
    logger.info(
        "found the earlier post of %s %s on %s: %s", record.event, record.day, name, found.post_id
    )
    return PublishOutcome(publisher=name, status="recovered", post=found, publication=row)


def _after_duplicate(
    publisher: Publisher,
    post: Post,
    exc: DuplicatePostError,
    *,
    ledger: PublicationLedger,
    event: str,
    day: dt.date,
) -> PublishOutcome:
    """Record the existing post when a duplicate refusal points at it, else the failure."""
    name = publisher.name
    pending = ledger.get(event, day, name)
    since = (pending.updated_at if pending else dt.datetime.now(dt.UTC)) - _DUPLICATE_LOOKBACK
    try:
        found = publisher.find_published(post.text, since=since)
    except PublishError:
        found = None
    if found is not None:
        row = ledger.mark_posted(event, day, name, post_id=found.post_id, url=found.url)
        logger.info("%s %s was already on %s as %s", event, day, name, found.post_id)
        return PublishOutcome(publisher=name, status="recovered", post=found, publication=row)
    failed = ledger.mark_failed(event, day, name, reason=str(exc), outcome_unknown=False)
    logger.error("posting %s %s on %s failed: %s", event, day, name, exc)
    return PublishOutcome(publisher=name, status="failed", error=exc, publication=failed)
