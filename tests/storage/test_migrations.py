"""Schema revisions: upgrade with data, newer databases, explicit upgrades."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy
from storage_samples import ok_poll, sample

from twitchstats import Database, SchemaVersionError, StorageError
from twitchstats._storage import _migrate, _readers, _writers
from twitchstats._storage._database import samples_frame

TEST_REVISION = '''"""Test-only revision: a column on samples and a new table.

Revision ID: 9001
Revises: {down}
"""

import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("samples") as batch:
        batch.add_column(sa.Column("test_note", sa.Text(), nullable=True))
    op.create_table("test_extra", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("test_extra")
    with op.batch_alter_table("samples") as batch:
        batch.drop_column("test_note")
'''


def _scripts_with_test_revision(tmp_path: Path) -> Path:
    location = tmp_path / "migrations"
    shutil.copytree(_migrate.MIGRATIONS_DIR, location, ignore=shutil.ignore_patterns("__pycache__"))
    revision = TEST_REVISION.format(down=_migrate.head_revision())
    (location / "versions" / "9001_test.py").write_text(revision, encoding="utf-8")
    return location


def _upgrade_to_test_revision(database_url: str, tmp_path: Path) -> None:
    engine = sqlalchemy.create_engine(database_url)
    try:
        _migrate.upgrade(engine, "test", script_location=_scripts_with_test_revision(tmp_path))
    finally:
        engine.dispose()


def test_test_revision_upgrade_keeps_data(database_url: str, tmp_path: Path) -> None:
    samples = [sample(1, 120), sample(2, 45, title="")]
    with Database(url=database_url) as database:
        database.record_poll(ok_poll(0, samples), samples)
        before = database.read_samples()

    _upgrade_to_test_revision(database_url, tmp_path)

    engine = sqlalchemy.create_engine(database_url)
    with engine.connect() as connection:
        revision = _migrate.current_revision(connection)
        notes = connection.exec_driver_sql("SELECT test_note FROM samples").scalars().all()
        after = _readers.read_samples(connection, channel_ids=None, since=None, until=None)
        if connection.dialect.name == "sqlite":
            ddl = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'samples'"
            ).scalar_one()
            assert "WITHOUT ROWID" in ddl
    engine.dispose()
    assert revision == "9001"
    assert notes == [None, None]
    pd.testing.assert_frame_equal(after, before)


def test_newer_database_raises(database_url: str, tmp_path: Path) -> None:
    with Database(url=database_url):
        pass
    _upgrade_to_test_revision(database_url, tmp_path)

    with pytest.raises(SchemaVersionError, match="'9001'") as info:
        Database(url=database_url).open()

    assert "pip install -U twitchstats" in str(info.value)


def test_upgrade_false_requires_explicit_upgrade(database_url: str) -> None:
    database = Database(url=database_url, upgrade=False)

    with pytest.raises(StorageError, match=r"call Database\.upgrade"):
        database.open()
    database.upgrade()
    database.open()

    assert database.schema_revision() == _migrate.head_revision()
    database.close()


def test_upgrade_from_0001_keeps_rows(database_url: str) -> None:
    old = Database(url=database_url, upgrade=False)
    _migrate.upgrade(old.engine, old.url_text, revision="0001")
    old.close()
    samples = [sample(1, 120), sample(2, 45, title="")]
    poll = ok_poll(0, samples)
    engine = sqlalchemy.create_engine(database_url)
    with engine.begin() as connection:
        # Rows written at revision 0001 by the writers of this version, which use 0001's tables.
        assert _migrate.current_revision(connection) == "0001"
        _writers.store_poll(connection, poll)
        frame = _writers.normalise_samples(samples_frame(samples, poll.observed_at))
        _writers.write_samples(connection, frame, create_polls=False)
    engine.dispose()

    with Database(url=database_url) as upgraded:
        revision = upgraded.schema_revision()
        stored = upgraded.read_samples()
        polls = upgraded.read_polls()

    assert revision == _migrate.head_revision()
    assert stored["viewer_count"].tolist() == [120, 45]
    assert stored["title"].astype(str).tolist() == ["Marbella Vice día 1", ""]
    assert polls["outcome"].tolist() == ["ok"]
