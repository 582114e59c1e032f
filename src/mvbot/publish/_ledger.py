"""The publication ledger: what was posted where, kept in the event's database.

There is one row per (event, day, publisher). A row becomes `pending` right before the call that
creates a post and `posted` (with the post's id and address) or `failed` (with the reason) after
it. A row left `pending` by a crash, or `failed` with `outcome_unknown`, means the post may exist:
the next attempt must first look for it on the network. A `held` row records a day that was not
posted because its data is incomplete.

The table lives beside twitchstats' tables on the same database URL, but its migrations are
mvbot's own, recorded in the `mvbot_alembic_version` table.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from importlib import resources
from typing import Any, Final, Literal

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.orm import registry
from sqlmodel import Field, Session, SQLModel, select

__all__ = [
    "VERSION_TABLE",
    "Publication",
    "PublicationLedger",
    "PublicationStatus",
    "ledger_metadata",
]

logger = logging.getLogger(__name__)

VERSION_TABLE: Final = "mvbot_alembic_version"
PublicationStatus = Literal["pending", "posted", "failed", "held"]


class _UTCDateTime(sa.types.TypeDecorator[dt.datetime]):
    """A timezone-aware UTC datetime on every database, SQLite included."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the ledger stores timezone-aware UTC")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)  # type: ignore[no-any-return]
        return value.astimezone(dt.UTC)  # type: ignore[no-any-return]


class _LedgerModel(SQLModel, registry=registry()):
    """Base of mvbot's tables, on a metadata apart from twitchstats' tables."""


ledger_metadata = _LedgerModel.metadata


class _PublicationRow(_LedgerModel, table=True):
    __tablename__ = "mvbot_publications"
    __table_args__ = (
        sa.UniqueConstraint("event", "day", "publisher", name="uq_mvbot_publications_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event: str = Field(max_length=200)
    day: dt.date
    publisher: str = Field(max_length=32)
    status: str = Field(max_length=16)
    text: str = Field(default="", sa_type=sa.Text)
    post_id: str | None = Field(default=None, max_length=300)
    post_url: str | None = Field(default=None, max_length=500)
    reason: str | None = Field(default=None, sa_type=sa.Text)
    outcome_unknown: bool = False
    attempts: int = 0
    created_at: dt.datetime = Field(sa_type=_UTCDateTime)
    updated_at: dt.datetime = Field(sa_type=_UTCDateTime)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Publication:
    """One ledger row.

    Attributes:
        event: the event's identifier (its slug, such as `marbella-vice`).
        day: the event-local day the post covers.
        publisher: the publisher's name (`x`, `mastodon`, `bluesky`, `outbox`).
        status: `pending`, `posted`, `failed` or `held`.
        text: the text last sent, or about to be sent, for this day.
        post_id: the network's id of the post, once posted.
        post_url: the post's address, once posted and when the network has one.
        reason: why the last attempt failed or the day was held.
        outcome_unknown: True when the last attempt failed in a way that may have posted.
        attempts: how many create calls were started for this row.
        created_at: when the row was first written (UTC).
        updated_at: when the row last changed (UTC).
    """

    event: str
    day: dt.date
    publisher: str
    status: PublicationStatus
    text: str
    post_id: str | None
    post_url: str | None
    reason: str | None
    outcome_unknown: bool
    attempts: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def may_exist(self) -> bool:
        """True when a post may exist without being recorded: look for it before posting."""
        return self.status == "pending" or (self.status == "failed" and self.outcome_unknown)


def _snapshot(row: _PublicationRow) -> Publication:
    status: PublicationStatus
    if row.status in ("pending", "posted", "failed", "held"):
        status = row.status  # type: ignore[assignment]
    else:
        raise ValueError(f"unknown ledger status {row.status!r} for {row.event} {row.day}")
    return Publication(
        event=row.event,
        day=row.day,
        publisher=row.publisher,
        status=status,
        text=row.text,
        post_id=row.post_id,
        post_url=row.post_url,
        reason=row.reason,
        outcome_unknown=row.outcome_unknown,
        attempts=row.attempts,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class PublicationLedger:
    """Read and write the publication ledger on a SQLAlchemy engine.

    Args:
        engine: the engine of the event's database (the one twitchstats uses).
        clock: returns the current time (timezone-aware UTC) for `created_at`/`updated_at`.
    """

    def __init__(self, engine: sa.Engine, *, clock: Callable[[], dt.datetime] = _utc_now) -> None:
        self._engine = engine
        self._clock = clock

    @property
    def engine(self) -> sa.Engine:
        """The engine the ledger writes to."""
        return self._engine

    def upgrade(self) -> None:
        """Create or migrate mvbot's tables to the latest revision (safe to repeat)."""
        script_location = resources.files("mvbot.publish").joinpath("migrations")
        config = Config()
        config.set_main_option("script_location", str(script_location))
        with self._engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        logger.debug("the publication ledger is at the latest revision")

    def get(self, event: str, day: dt.date, publisher: str) -> Publication | None:
        """Return the row for (event, day, publisher), or None when there is none."""
        with Session(self._engine) as session:
            row = self._find(session, event, day, publisher)
            return None if row is None else _snapshot(row)

    def publications(self, event: str) -> list[Publication]:
        """Return every row of `event`, ordered by day and publisher."""
        with Session(self._engine) as session:
            rows = session.exec(
                select(_PublicationRow)
                .where(_PublicationRow.event == event)
                .order_by(sa.asc("day"), sa.asc("publisher"))
            ).all()
            return [_snapshot(row) for row in rows]

    def mark_pending(self, event: str, day: dt.date, publisher: str, *, text: str) -> Publication:
        """Record that a create call for this row is about to start; counts the attempt."""
        return self._write(
            event,
            day,
            publisher,
            status="pending",
            text=text,
            reason=None,
            outcome_unknown=False,
            count_attempt=True,
        )

    def mark_posted(
        self, event: str, day: dt.date, publisher: str, *, post_id: str, url: str | None
    ) -> Publication:
        """Record the post's id and address."""
        return self._write(
            event,
            day,
            publisher,
            status="posted",
            post_id=post_id,
            post_url=url,
            reason=None,
            outcome_unknown=False,
        )

    def mark_failed(
        self, event: str, day: dt.date, publisher: str, *, reason: str, outcome_unknown: bool
    ) -> Publication:
        """Record a failed attempt; `outcome_unknown` when the post may nevertheless exist."""
        return self._write(
            event,
            day,
            publisher,
            status="failed",
            reason=reason,
            outcome_unknown=outcome_unknown,
        )

    def mark_held(
        self, event: str, day: dt.date, publisher: str, *, reason: str, text: str = ""
    ) -> Publication:
        """Record that the day was deliberately not posted, and why."""
        return self._write(
            event, day, publisher, status="held", reason=reason, text=text, outcome_unknown=False
        )

    def _find(
        self, session: Session, event: str, day: dt.date, publisher: str
    ) -> _PublicationRow | None:
        return session.exec(
            select(_PublicationRow).where(
                _PublicationRow.event == event,
                _PublicationRow.day == day,
                _PublicationRow.publisher == publisher,
            )
        ).first()

    def _write(
        self,
        event: str,
        day: dt.date,
        publisher: str,
        *,
        status: PublicationStatus,
        count_attempt: bool = False,
        **fields: Any,
    ) -> Publication:
        now = self._clock()
        with Session(self._engine) as session:
            row = self._find(session, event, day, publisher)
            if row is None:
                row = _PublicationRow(
                    event=event,
                    day=day,
                    publisher=publisher,
                    status=status,
                    created_at=now,
                    updated_at=now,
                )
            row.status = status
            row.updated_at = now
            for name, value in fields.items():
                setattr(row, name, value)
            if count_attempt:
                row.attempts += 1
            session.add(row)
            session.commit()
            session.refresh(row)
            logger.debug("ledger %s %s %s is now %s", event, day, publisher, status)
            return _snapshot(row)
