"""Tests for the publication ledger on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from mvbot.publish import PublicationLedger

DAY = dt.date(2021, 4, 16)
START = dt.datetime(2021, 4, 17, 8, 0, tzinfo=dt.UTC)


class _Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'ledger.db'}")
        yield engine
        engine.dispose()
        return

    url = request.getfixturevalue("postgres_server_url")
    schema = f"mvbot_ledger_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine = sa.create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def ledger(engine: sa.Engine) -> PublicationLedger:
    ledger = PublicationLedger(engine, clock=_Clock())
    ledger.upgrade()
    return ledger


def test_upgrade_uses_own_version_table(ledger: PublicationLedger, engine: sa.Engine) -> None:
    ledger.upgrade()  # a second run changes nothing

    tables = set(sa.inspect(engine).get_table_names())
    assert {"mvbot_publications", "mvbot_alembic_version"} <= tables
    assert "alembic_version" not in tables
    with engine.connect() as connection:
        versions = connection.execute(sa.text("SELECT version_num FROM mvbot_alembic_version"))
        assert versions.scalars().all() == ["m0001"]


def test_lifecycle_pending_then_posted(ledger: PublicationLedger) -> None:
    assert ledger.get("mv", DAY, "x") is None

    pending = ledger.mark_pending("mv", DAY, "x", text="¿Quién ganó? 🏆")
    assert pending.status == "pending"
    assert pending.may_exist
    assert pending.attempts == 1
    assert pending.created_at == START + dt.timedelta(seconds=1)
    assert pending.created_at.tzinfo is not None

    posted = ledger.mark_posted("mv", DAY, "x", post_id="123", url="https://x.com/i/web/status/123")
    assert posted.status == "posted"
    assert not posted.may_exist
    assert posted.text == "¿Quién ganó? 🏆"
    assert posted.updated_at == START + dt.timedelta(seconds=2)
    assert posted.created_at == pending.created_at
    assert ledger.get("mv", DAY, "x") == posted


def test_failed_with_unknown_outcome_may_exist(ledger: PublicationLedger) -> None:
    ledger.mark_pending("mv", DAY, "x", text="t")

    failed = ledger.mark_failed("mv", DAY, "x", reason="timeout", outcome_unknown=True)

    assert failed.status == "failed"
    assert failed.reason == "timeout"
    assert failed.may_exist
    assert ledger.mark_pending("mv", DAY, "x", text="t").attempts == 2


def test_definite_failure_does_not_hide_a_post(ledger: PublicationLedger) -> None:
    ledger.mark_pending("mv", DAY, "x", text="t")

    failed = ledger.mark_failed("mv", DAY, "x", reason="402", outcome_unknown=False)

    assert not failed.may_exist


def test_rows_are_per_event_day_and_publisher(ledger: PublicationLedger) -> None:
    ledger.mark_pending("mv", DAY, "x", text="a")
    ledger.mark_pending("mv", DAY, "outbox", text="b")
    ledger.mark_pending("mv", DAY + dt.timedelta(days=1), "x", text="c")
    ledger.mark_held("other", DAY, "x", reason="gap")

    rows = ledger.publications("mv")

    assert [(row.day, row.publisher, row.text) for row in rows] == [
        (DAY, "outbox", "b"),
        (DAY, "x", "a"),
        (DAY + dt.timedelta(days=1), "x", "c"),
    ]
    held = ledger.get("other", DAY, "x")
    assert held is not None
    assert held.status == "held"


def test_unique_key_enforced_by_database(ledger: PublicationLedger, engine: sa.Engine) -> None:
    ledger.mark_pending("mv", DAY, "x", text="a")
    insert = sa.text(
        "INSERT INTO mvbot_publications (event, day, publisher, status, text, outcome_unknown,"
        " attempts, created_at, updated_at) VALUES ('mv', :day, 'x', 'pending', '', false, 0,"
        " :now, :now)"
    )

    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(insert, {"day": DAY, "now": START})


def test_naive_datetime_rejected(engine: sa.Engine) -> None:
    ledger = PublicationLedger(engine, clock=lambda: dt.datetime(2021, 4, 17, 8, 0))  # noqa: DTZ001
    ledger.upgrade()

    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        ledger.mark_pending("mv", DAY, "x", text="a")
