"""Run the Alembic migrations from Python and check the schema version."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, inspect, text

from twitchstats._exceptions import SchemaVersionError, StorageError
from twitchstats._storage._engine import WRITE_OPTION

logger = logging.getLogger(__name__)

VERSION_TABLE = "twitchstats_alembic_version"
# Arbitrary constant key of the PostgreSQL advisory lock held while migrating.
_MIGRATION_LOCK_ID = 7_354_120_001
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def _config(script_location: Path | None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location or MIGRATIONS_DIR))
    return config


def head_revision(script_location: Path | None = None) -> str:
    """Return the newest revision id shipped with this version of twitchstats."""
    head = ScriptDirectory.from_config(_config(script_location)).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {script_location or MIGRATIONS_DIR}")
    return head


def current_revision(connection: Connection) -> str | None:
    """Return the revision stored in the database, or None for a database without the schema."""
    # Read directly instead of through alembic's MigrationContext, which logs at INFO each time.
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()  # noqa: S608
    if len(rows) > 1:
        raise StorageError(
            f"the table {VERSION_TABLE} contains several revisions {rows}, but twitchstats "
            "expects one: delete the wrong rows or restore the database from a backup"
        )
    return str(rows[0]) if rows else None


def check_revision(
    revision: str | None, url_text: str, script_location: Path | None = None
) -> None:
    """Raise SchemaVersionError when `revision` is unknown to this version of twitchstats."""
    if revision is None:
        return
    script = ScriptDirectory.from_config(_config(script_location))
    try:
        known = script.get_revision(revision) is not None
    except CommandError:
        known = False
    if not known:
        raise SchemaVersionError(
            f"the database {url_text} has schema revision {revision!r}, which this version of "
            f"twitchstats does not know (newest known: {head_revision(script_location)!r}). "
            "It was written by a newer twitchstats: upgrade with pip install -U twitchstats."
        )


def upgrade(
    engine: Engine,
    url_text: str,
    *,
    revision: str = "head",
    script_location: Path | None = None,
) -> str | None:
    """Migrate the database to `revision` in one transaction; return the revision before.

    Raises:
        SchemaVersionError: the database is at a revision newer than the ones shipped here.
    """
    with engine.execution_options(**{WRITE_OPTION: True}).begin() as connection:
        if connection.dialect.name == "postgresql":
            # Two processes opening the same fresh database must not both create the tables.
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_ID})")
        before = current_revision(connection)
        check_revision(before, url_text, script_location)
        target = head_revision(script_location) if revision == "head" else revision
        if before == target:
            return before

        config = _config(script_location)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        after = current_revision(connection)

    if before != after:
        logger.info("Migrated %s from schema %s to %s", url_text, before or "empty", after)
    return before
