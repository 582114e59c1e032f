"""Engine creation: URL parsing, SQLite connection settings and error messages."""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from twitchstats._exceptions import StorageError

DATABASE_URL_ENV = "TWITCHSTATS_DATABASE_URL"
DEFAULT_DATABASE_URL = "sqlite:///twitchstats.db"

# How long a SQLite connection waits for another writer's lock before failing, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 30_000

# Execution option that makes a SQLite transaction take the write lock at BEGIN.
WRITE_OPTION = "twitchstats_write"

_URL_HELP = (
    "Use sqlite:///path/to/file.db for a SQLite file or "
    "postgresql+psycopg://user:password@host:5432/dbname for PostgreSQL."
)


def resolve_url(url: str | URL | None) -> URL:
    """Parse the database URL from the argument, TWITCHSTATS_DATABASE_URL or the default.

    Raises:
        StorageError: the URL cannot be parsed or names a database this library does not support.
    """
    if url is None:
        url = os.environ.get(DATABASE_URL_ENV) or DEFAULT_DATABASE_URL
    if isinstance(url, URL):
        parsed = url
    else:
        try:
            parsed = make_url(url)
        except ArgumentError:
            # The text may hold a password, so it is not repeated.
            raise StorageError(f"invalid database URL. {_URL_HELP}") from None

    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise StorageError(
            f"unsupported database {backend!r} in {mask_url(parsed)}: "
            f"twitchstats stores data in SQLite or PostgreSQL. {_URL_HELP}"
        )
    if parsed.drivername == "postgresql":
        # A bare postgresql:// URL would pick psycopg2, which the postgres extra does not install.
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def mask_url(url: URL) -> str:
    """Render `url` with its password replaced by ***."""
    return url.render_as_string(hide_password=True)


def build_engine(url: URL) -> Engine:
    """Create the engine for `url`; connects to nothing yet.

    Raises:
        StorageError: the database driver is not installed.
    """
    try:
        if url.get_backend_name() == "sqlite":
            engine = create_engine(url)
            _configure_sqlite(engine)
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except (ModuleNotFoundError, NoSuchModuleError) as exc:
        raise StorageError(
            f"the driver for {mask_url(url)} is not installed ({exc}). "
            "Install it with: pip install 'twitchstats[postgres]'"
        ) from None
    return engine


def _configure_sqlite(engine: Engine) -> None:
    """Set the pragmas on every new connection and take over transaction begins.

    WAL lets readers keep reading while the collector writes. pysqlite's own implicit BEGIN is
    switched off so that write transactions can start with BEGIN IMMEDIATE. A deferred
    transaction that reads first and writes later fails at once with "database is locked" when
    another connection wrote in between. IMMEDIATE instead waits for the lock (busy_timeout).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(WRITE_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")
