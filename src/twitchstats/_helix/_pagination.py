"""Helix response envelopes, cursor pagination and batching of query values."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator, Sequence
from typing import Any

logger = logging.getLogger(__name__)


class InvalidBodyError(ValueError):
    """A 2xx body that is not the JSON envelope Helix documents."""


@dataclasses.dataclass(frozen=True, slots=True)
class Envelope:
    """The parts of a Helix JSON body: `data`, `pagination.cursor` and `total`."""

    data: list[dict[str, Any]]
    cursor: str | None
    total: int | None


def parse_envelope(body: object) -> Envelope:
    """Check a decoded Helix body and return its parts.

    Raises:
        InvalidBodyError: the body is not an object with a `data` list of objects.
    """
    if not isinstance(body, dict):
        raise InvalidBodyError(f"expected a JSON object, got {type(body).__name__}")
    data = body.get("data")
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise InvalidBodyError("expected a 'data' list of objects")

    cursor = None
    pagination = body.get("pagination")
    if isinstance(pagination, dict):
        value = pagination.get("cursor")
        if isinstance(value, str) and value:
            cursor = value

    total = body.get("total")
    if isinstance(total, bool) or not isinstance(total, int):
        total = None
    return Envelope(data=data, cursor=cursor, total=total)


class CursorTracker:
    """Decide after each page whether to request another one.

    Pagination stops on a page without a cursor, on an empty page, on a cursor already seen
    (Twitch has returned a last-page cursor that points back to the first page), and at
    `max_pages`. A page shorter than the page size is not taken as the last one, because Twitch
    returns short pages in the middle of a listing.
    """

    def __init__(self, *, endpoint: str, max_pages: int) -> None:
        if max_pages < 1:
            raise ValueError(f"invalid max_pages {max_pages!r}: expected an int >= 1")
        self._endpoint = endpoint
        self._max_pages = max_pages
        self._seen: set[str] = set()
        self.pages = 0

    def next_cursor(self, envelope: Envelope) -> str | None:
        """Record one received page and return the cursor of the next one, or None to stop."""
        self.pages += 1
        if not envelope.data or envelope.cursor is None:
            return None

        if envelope.cursor in self._seen:
            logger.warning(
                "%s returned a cursor it had already returned (after page %d); stopping "
                "pagination there to avoid a loop",
                self._endpoint,
                self.pages,
            )
            return None
        if self.pages >= self._max_pages:
            logger.warning(
                "%s still had more pages after %d pages; stopping at the page limit "
                "(raise max_pages to read further)",
                self._endpoint,
                self.pages,
            )
            return None

        self._seen.add(envelope.cursor)
        return envelope.cursor


def batches(values: Sequence[tuple[str, str]], size: int) -> Iterator[list[tuple[str, str]]]:
    """Split query pairs into lists of at most `size` pairs, keeping their order."""
    for start in range(0, len(values), size):
        yield list(values[start : start + size])
