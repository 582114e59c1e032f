"""Column type for timezone-aware UTC timestamps, identical on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def to_epoch_us(value: dt.datetime) -> int:
    """Convert an aware datetime to integer microseconds since the Unix epoch.

    Raises:
        ValueError: `value` is naive, because a naive time has no defined instant.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"naive datetime {value.isoformat()!r}: pass a timezone-aware datetime, "
            "for example datetime(..., tzinfo=datetime.UTC)"
        )
    return (value - EPOCH) // _MICROSECOND


def from_epoch_us(value: int) -> dt.datetime:
    """Convert integer microseconds since the Unix epoch to an aware UTC datetime."""
    return EPOCH + dt.timedelta(microseconds=value)


def ensure_utc(value: dt.datetime) -> dt.datetime:
    """Return `value` converted to UTC; raise ValueError when it is naive."""
    to_epoch_us(value)
    return value.astimezone(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp with microsecond resolution.

    PostgreSQL stores it as `timestamptz`. SQLite has no time type, so there it is an INTEGER of
    microseconds since the Unix epoch: compact, sortable, and read straight into
    `datetime64[us, UTC]` without parsing text. Binding a naive datetime raises ValueError.
    Values always come back as `datetime` with `tzinfo=UTC`.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return to_epoch_us(value)
        return ensure_utc(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, int):
            return from_epoch_us(value)
        if not isinstance(value, dt.datetime):
            raise TypeError(f"unexpected value {value!r} in a UTCDateTime column")
        return ensure_utc(value)
