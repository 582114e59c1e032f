"""Opening databases: URLs, lazy connection, error messages, connection settings."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import sqlalchemy

from twitchstats import Database, StorageError


def test_constructor_does_no_io(tmp_path: Path) -> None:
    path = tmp_path / "lazy.db"

    database = Database(url=f"sqlite:///{path}")

    assert not path.exists()
    database.open()
    assert path.exists()
    database.close()


def test_url_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.setenv("TWITCHSTATS_DATABASE_URL", url)

    assert str(Database().url) == url


def test_default_url_is_local_sqlite_file() -> None:
    assert str(Database().url) == "sqlite:///twitchstats.db"


def test_password_masked_in_repr_and_text() -> None:
    database = Database(url="postgresql+psycopg://collector:s3cret@db.example:5432/season")

    assert "s3cret" not in repr(database)
    assert "s3cret" not in database.url_text
    assert "s3cret" not in str(database.url)
    assert "***" in database.url_text


def test_bare_postgresql_url_uses_psycopg() -> None:
    database = Database(url="postgresql://user@localhost/season")

    assert database.url.drivername == "postgresql+psycopg"


def test_invalid_url_raises_without_echoing_it() -> None:
    with pytest.raises(StorageError, match="invalid database URL") as info:
        Database(url="not a url with s3cret")

    assert "s3cret" not in str(info.value)
    assert "sqlite:///" in str(info.value)


def test_unsupported_backend_names_it() -> None:
    with pytest.raises(StorageError, match="unsupported database 'mysql'"):
        Database(url="mysql://user:pw@localhost/db")


def test_missing_driver_names_the_extra() -> None:
    # pg8000 is a PostgreSQL driver that SQLAlchemy supports but this project does not install.
    database = Database(url="postgresql+pg8000://user:s3cret@127.0.0.1/season")

    with pytest.raises(StorageError, match=r"pip install 'twitchstats\[postgres\]'") as info:
        database.open()

    assert "s3cret" not in str(info.value)


def _closed_port() -> int:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return int(listener.getsockname()[1])


def test_unreachable_server_masks_password() -> None:
    url = f"postgresql+psycopg://user:s3cret@127.0.0.1:{_closed_port()}/season?connect_timeout=2"
    database = Database(url=url)

    with pytest.raises(StorageError, match="could not") as info:
        database.open()

    message = str(info.value)
    assert "s3cret" not in message
    assert "user:***@127.0.0.1" in message
    assert "Check that the server runs" in message


def test_missing_sqlite_folder_is_explained(tmp_path: Path) -> None:
    database = Database(url=f"sqlite:///{tmp_path / 'absent' / 'x.db'}")

    with pytest.raises(StorageError, match="does not exist"):
        database.open()


def test_missing_sqlite_file_not_created(tmp_path: Path) -> None:
    path = tmp_path / "typo.db"
    with pytest.raises(StorageError, match="no SQLite database at") as caught:
        Database(url=f"sqlite:///{path}", create=False).open()
    assert str(path) in str(caught.value)
    assert not path.exists()


def test_sqlite_connection_settings(tmp_path: Path) -> None:
    database = Database(url=f"sqlite:///{tmp_path / 'pragmas.db'}")
    with database, database.connect() as connection:
        journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        synchronous = connection.exec_driver_sql("PRAGMA synchronous").scalar()
        foreign_keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
        busy_timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()

    assert journal == "wal"
    assert synchronous == 1  # NORMAL
    assert foreign_keys == 1
    assert busy_timeout == 30_000


def test_open_creates_every_table(database: Database) -> None:
    names = set(sqlalchemy.inspect(database.engine).get_table_names())

    expected = {
        "channels",
        "channel_logins",
        "streams",
        "games",
        "titles",
        "polls",
        "samples",
        "follower_snapshots",
        "twitchstats_alembic_version",
    }
    assert expected <= names


def test_open_twice_and_reopen_after_close(database_url: str) -> None:
    database = Database(url=database_url)

    database.open()
    database.open()
    database.close()
    with database:
        assert database.schema_revision() is not None
