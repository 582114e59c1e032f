"""The `Database` class: one object per database URL, used by the collector, metrics and CLI."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import IO, Self

import pandas as pd
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, OperationalError

from twitchstats._exceptions import StorageError
from twitchstats._storage import _migrate, _readers, _writers
from twitchstats._storage._engine import WRITE_OPTION, build_engine, mask_url, resolve_url
from twitchstats._storage._grid import fill_observed_grid
from twitchstats._storage._pollwriter import PollWriter
from twitchstats._storage._records import (
    ChannelRecord,
    FollowerRecord,
    GameRecord,
    PollRecord,
    SampleRecord,
)

logger = logging.getLogger(__name__)


class Database:
    """The twitchstats database: a SQLite file or a PostgreSQL server.

    Construction does no I/O. The first call that needs the database (or `open()`, or entering
    the `with` block) connects and, unless `upgrade=False`, migrates the schema to the newest
    revision shipped with this version. A database written by a newer twitchstats raises
    `SchemaVersionError` instead of being touched.

    Args:
        url: SQLAlchemy URL, for example `sqlite:///season.db` or
            `postgresql+psycopg://user:password@host/dbname`. When None, the
            `TWITCHSTATS_DATABASE_URL` environment variable, else `sqlite:///twitchstats.db`.
        upgrade: migrate an older or empty database on open. With False, opening an
            out-of-date database raises `StorageError` and `upgrade()` must be called first.
        create: create a SQLite file that does not exist yet. With False, opening a missing
            file raises `StorageError`, so that a mistyped path reads as an error rather than
            as an empty database. PostgreSQL databases are never created.

    Raises:
        StorageError: the URL is invalid, raised here without I/O. On open: the driver is
            missing, the server cannot be reached, or the database is not writable.
    """

    def __init__(
        self, *, url: str | URL | None = None, upgrade: bool = True, create: bool = True
    ) -> None:
        self._url = resolve_url(url)
        self._auto_upgrade = upgrade
        self._create = create
        self._engine: Engine | None = None
        self._opened = False
        self._poll_writer = PollWriter()

    # --- lifecycle ------------------------------------------------------------------------------

    @property
    def url(self) -> URL:
        """The database URL. `str()` of it masks the password."""
        return self._url

    @property
    def url_text(self) -> str:
        """The URL with its password replaced by ***, safe for logs and messages."""
        return mask_url(self._url)

    @property
    def dialect(self) -> str:
        """The database kind: "sqlite" or "postgresql"."""
        return self._url.get_backend_name()

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, created on first use (creating it does not connect)."""
        if self._engine is None:
            self._engine = build_engine(self._url)
        return self._engine

    def __repr__(self) -> str:
        return f"Database(url={self.url_text!r})"

    def open(self) -> Self:
        """Connect, check the schema revision and migrate when needed; return self.

        Raises:
            StorageError: the database cannot be reached or is older than this library and
                `upgrade=False` was given.
            SchemaVersionError: the database was written by a newer twitchstats.
        """
        if self._opened:
            return self
        if self.dialect == "sqlite":
            self._check_sqlite_path()
        try:
            self._check_or_upgrade()
        except BaseException:
            # Release pooled connections now rather than when the object is collected.
            self.close()
            raise
        self._opened = True
        logger.debug("Opened %s", self.url_text)
        return self

    def _check_or_upgrade(self) -> None:
        if self._auto_upgrade:
            self.upgrade()
            return
        with self._connect() as connection:
            current = _migrate.current_revision(connection)
        _migrate.check_revision(current, self.url_text)
        head = _migrate.head_revision()
        if current != head:
            raise StorageError(
                f"the database {self.url_text} is at schema revision {current or 'none'}, "
                f"this version of twitchstats needs {head!r}: call Database.upgrade() "
                "or open it with Database(url=..., upgrade=True)"
            )

    def upgrade(self) -> None:
        """Migrate the schema to the newest revision (a no-op when it is current).

        Raises:
            SchemaVersionError: the database was written by a newer twitchstats.
        """
        with self._errors("migrate"):
            _migrate.upgrade(self.engine, self.url_text)

    def schema_revision(self) -> str | None:
        """Return the schema revision stored in the database, None when it has no schema."""
        with self._connect() as connection:
            return _migrate.current_revision(connection)

    def close(self) -> None:
        """Close all pooled connections. The object can be opened again."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        self._opened = False
        # The database behind the URL may be replaced before the next open.
        self._poll_writer.clear()

    def __enter__(self) -> Self:
        return self.open()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- writing --------------------------------------------------------------------------------

    def record_poll(
        self, poll: PollRecord, samples: Sequence[SampleRecord] | pd.DataFrame = ()
    ) -> bool:
        """Write one poll and its samples in one transaction.

        The samples take their time from `poll.observed_at` (an `observed_at` column of a
        DataFrame is replaced by it). Their channels, streams, games and titles are inserted or
        updated on the way; a changed login is recorded as a rename.

        Recording a minute again is safe. It replaces the stored poll only when the new outcome
        ranks higher (failed < partial < ok), for example a retry that succeeded after a failure;
        the new samples are then added and stored samples are never changed. Otherwise
        nothing is written.

        Returns:
            True when the poll row was inserted or replaced, False when nothing was written.

        Raises:
            ValueError: a failed poll comes with samples.
            StorageError: the database could not be written; nothing of the poll is stored.
        """
        if poll.outcome == "failed" and len(samples):
            raise ValueError("a failed poll has no samples: record them with outcome 'partial'")
        if isinstance(samples, pd.DataFrame):
            inserted = self._record_poll_frame(poll, samples)
        else:
            writer = self._poll_writer
            with (
                self._errors("write a poll"),
                writer.tracking(),
                self._transaction() as connection,
            ):
                inserted = writer.write(connection, poll, samples)
        if inserted is None:
            logger.debug("Poll %s is already stored", poll.observed_at.isoformat())
            return False

        logger.info(
            "Stored poll %s (%s) with %d samples",
            poll.observed_at.isoformat(),
            poll.outcome,
            inserted,
        )
        return True

    def _record_poll_frame(self, poll: PollRecord, samples: pd.DataFrame) -> int | None:
        """Write a poll whose samples come as a DataFrame, through the bulk writers."""
        normalised = _writers.normalise_samples(samples_frame(samples, poll.observed_at))
        with self._errors("write a poll"), self._transaction() as connection:
            if not _writers.store_poll(connection, poll):
                return None
            return _writers.write_samples(connection, normalised, create_polls=False)

    def write_samples(self, samples: pd.DataFrame) -> int:
        """Insert samples in bulk, in one transaction; return how many were new.

        `samples` has the columns of `read_samples` (`observed_at`, `channel_id`,
        `channel_login` and `viewer_count` required; times aware). Rows already stored, and
        repeated (observed_at, channel_id) rows after the first, are skipped. Each observation
        time without a poll gets an "ok" poll with reason "imported" (a failed one is upgraded
        to it), because a stored sample proves that minute was observed.

        Raises:
            StorageError: a column is missing or has invalid values, or the write failed.
        """
        normalised = _writers.normalise_samples(samples)
        with self._errors("write samples"), self._transaction() as connection:
            inserted = _writers.write_samples(connection, normalised, create_polls=True)
        logger.info("Stored %d new samples of %d given", inserted, len(samples))
        return inserted

    def upsert_channels(self, channels: Iterable[ChannelRecord]) -> None:
        """Insert new channels and update known ones; a changed login is recorded as a rename."""
        observations = _writers.observations_from_records(channels)
        if not observations:
            return
        with self._errors("write channels"), self._transaction() as connection:
            _writers.upsert_channels(connection, observations)

    def upsert_games(self, games: Iterable[GameRecord]) -> None:
        """Insert new games and update the name and box art of known ones."""
        records = list(games)
        if not records:
            return
        with self._errors("write games"), self._transaction() as connection:
            _writers.upsert_games(connection, records)

    def write_follower_snapshots(self, snapshots: Iterable[FollowerRecord]) -> int:
        """Store follower totals; return how many distinct snapshots were given.

        A snapshot with `followers=None` (a failed read) is stored as NULL, never as 0, and a
        later real value for the same channel and time replaces the NULL. A stored value is
        never overwritten.

        Raises:
            StorageError: a snapshot names a channel not stored yet.
        """
        records = list(snapshots)
        if not records:
            return 0
        with self._errors("write follower snapshots"), self._transaction() as connection:
            return _writers.write_followers(connection, records)

    # --- reading --------------------------------------------------------------------------------

    def read_samples(
        self,
        *,
        channel_ids: Sequence[str] | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> pd.DataFrame:
        """Read viewer samples, one row per (observed_at, channel_id), sorted by time.

        Rows of one poll come in a fixed order of the channels' internal keys, which is the
        order the channels were first stored, not sorted by `channel_id`.

        Args:
            channel_ids: Twitch ids to read; None reads every channel.
            since: first poll time included (aware).
            until: first poll time excluded (aware).

        Returns:
            A DataFrame with the columns `observed_at` and `started_at`
            (`datetime64[us, UTC]`, `started_at` NaT when unknown), `viewer_count` (`int64`),
            and `channel_id`, `channel_login`, `stream_id`, `game_id`, `game_name`, `title` as
            `category` dtype with sorted string categories ("" where Twitch gave none).
            `channel_login` is the channel's current login and `game_name` the game's latest
            name. Use `.astype(str)` where plain strings are needed.
        """
        with self._errors("read samples"), self._read() as connection:
            return _readers.read_samples(
                connection, channel_ids=channel_ids, since=since, until=until
            )

    def _read_sample_keys(
        self,
        *,
        channel_ids: Sequence[str] | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> tuple[_readers.SampleKeys, pd.DataFrame]:
        """Read samples as integer keys and the polls of the same range, in one snapshot.

        The metrics engine reads through this: it skips the DataFrame of `read_samples`, whose
        categorical columns it would take apart again. The filters are those of `read_samples`.
        """
        with self._errors("read samples"), self._read() as connection:
            samples = _readers.read_sample_keys(
                connection, channel_ids=channel_ids, since=since, until=until
            )
            polls = _readers.read_polls(connection, since=since, until=until)
            return samples, polls

    def read_polls(
        self, *, since: dt.datetime | None = None, until: dt.datetime | None = None
    ) -> pd.DataFrame:
        """Read polls, sorted by time.

        Returns:
            A DataFrame with `observed_at` and `requested_at` (`datetime64[us, UTC]`,
            `requested_at` NaT for imported polls), `outcome` ("ok", "partial" or "failed"),
            `reason`, `channels_requested` (`Int64`), `channels_live` (`int64`),
            `viewers_total` (`int64`), `latency_ms` (`Int64`) and `unobserved_channel_ids`
            (a tuple of Twitch ids per row). A minute without an ok or partial poll was not
            observed.
        """
        with self._errors("read polls"), self._read() as connection:
            return _readers.read_polls(connection, since=since, until=until)

    def read_channels(self) -> pd.DataFrame:
        """Read channels, sorted by Twitch id.

        Returns:
            A DataFrame with `channel_id`, `login` (current), `display_name` and
            `profile_image_url` (None when unknown), `status` ("active" or "suspended"),
            `first_seen_at`, `last_seen_at` (`datetime64[us, UTC]`) and `previous_logins`
            (a tuple of earlier logins, oldest first).
        """
        with self._errors("read channels"), self._read() as connection:
            return _readers.read_channels(connection)

    def read_channel_logins(self) -> pd.DataFrame:
        """Read the login history: `channel_id`, `login`, `first_seen_at`, `last_seen_at`."""
        with self._errors("read channel logins"), self._read() as connection:
            return _readers.read_channel_logins(connection)

    def read_follower_snapshots(
        self,
        *,
        channel_ids: Sequence[str] | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> pd.DataFrame:
        """Read follower totals: `channel_id`, `observed_at`, `followers` (`Int64`, NA = failed)."""
        with self._errors("read follower snapshots"), self._read() as connection:
            return _readers.read_follower_snapshots(
                connection, channel_ids=channel_ids, since=since, until=until
            )

    def read_games(self) -> pd.DataFrame:
        """Read games: `game_id`, `name`, `box_art_url` (None when unknown)."""
        with self._errors("read games"), self._read() as connection:
            return _readers.read_games(connection)

    # --- CSV ------------------------------------------------------------------------------------

    def import_samples_csv(
        self, source: str | Path | IO[str], *, observed_every: dt.timedelta | None = None
    ) -> int:
        """Import a samples CSV file; return the number of new samples.

        The format is the one `twitchstats export samples` writes (see docs/storage.md). Every
        row is checked before anything is written, and all rows go in one transaction, so a
        failed import stores nothing. Rows already stored are skipped, so importing a file
        twice adds nothing. Each observation time gets an "ok" poll with reason "imported"
        (see `write_samples`), which makes those minutes count as observed.

        Args:
            source: a path or an open text file.
            observed_every: the polling interval of the tool that wrote the file. When given,
                every step from the file's first to its last observation also gets an "ok"
                poll (in a second transaction, after the samples), so a minute in which no
                channel was live counts as offline instead of as a collector gap. Grid points
                within half a step of a stored poll are skipped.

        Raises:
            SampleImportError: some rows are invalid (`.errors` lists them); nothing was stored.
            ValueError: `observed_every` is not positive.
        """
        if observed_every is not None and observed_every <= dt.timedelta(0):
            raise ValueError(
                f"observed_every must be a positive interval, got {observed_every}: pass the "
                "polling interval of the tool that wrote the file, such as 60 seconds"
            )
        inserted, span = self._import_samples_csv(source)
        if observed_every is not None and span is not None:
            first, last = span
            with self._errors("record observed minutes"), self._transaction() as connection:
                added = fill_observed_grid(connection, first=first, last=last, step=observed_every)
            logger.info("Recorded %d observed minutes without samples as imported polls", added)
        return inserted

    def _import_samples_csv(
        self, source: str | Path | IO[str]
    ) -> tuple[int, tuple[dt.datetime, dt.datetime] | None]:
        """Import the file; return the new sample count and the first and last observation."""
        from twitchstats._storage._csv import parse_samples_csv

        with self._errors("resolve logins"), self._read() as connection:
            known_logins = _known_logins(connection)
            known_ids = {
                twitch_id: login
                for twitch_id, login in connection.exec_driver_sql(
                    "SELECT twitch_id, login FROM channels"
                )
            }
        frame = parse_samples_csv(source, known_logins=known_logins, known_ids=known_ids)
        logger.info("Checked %d rows, writing them", len(frame))
        inserted = self.write_samples(frame)
        if not len(frame):
            return inserted, None
        observed = pd.to_datetime(frame["observed_at"], utc=True)
        return inserted, (observed.min().to_pydatetime(), observed.max().to_pydatetime())

    def export_samples_csv(
        self,
        target: str | Path | IO[str],
        *,
        channel_ids: Sequence[str] | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> int:
        """Write samples in the CSV format that `import_samples_csv` reads; return the rows.

        Times are written in UTC with `Z`, with microseconds only when they are not zero.
        """
        from twitchstats._storage._csv import write_samples_csv

        samples = self.read_samples(channel_ids=channel_ids, since=since, until=until)
        if isinstance(target, str | Path):
            with open(target, "w", encoding="utf-8", newline="") as stream:
                return write_samples_csv(samples, stream)
        return write_samples_csv(samples, target)

    # --- plumbing -------------------------------------------------------------------------------

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """Open the database if needed and yield a SQLAlchemy connection (no transaction)."""
        self.open()
        with self._connect() as connection:
            yield connection

    @contextmanager
    def _connect(self) -> Iterator[Connection]:
        with self._errors("connect"), self.engine.connect() as connection:
            yield connection

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """Yield a connection inside a read transaction, so its queries read one snapshot."""
        self.open()
        with self.engine.connect() as connection, connection.begin():
            if self.dialect == "postgresql":
                connection.exec_driver_sql(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
                )
            yield connection

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """Yield a connection in a write transaction, committed on success."""
        self.open()
        engine = self.engine.execution_options(**{WRITE_OPTION: True})
        with engine.begin() as connection:
            yield connection

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        """Turn driver errors into StorageError naming the masked URL."""
        try:
            yield
        except OperationalError as exc:
            raise StorageError(
                f"could not {action} on {self.url_text}: {_first_line(exc)}. "
                + _connection_hint(self.dialect)
            ) from exc
        except DBAPIError as exc:
            raise StorageError(
                f"could not {action} on {self.url_text}: {_first_line(exc)}"
            ) from exc

    @property
    def sqlite_path(self) -> Path | None:
        """The file of a SQLite database, or None for PostgreSQL, in-memory and `file:` URLs."""
        database = self._url.database
        if self.dialect != "sqlite" or not database or database == ":memory:":
            return None
        if database.startswith("file:"):
            return None
        return Path(database).expanduser().resolve()

    def _check_sqlite_path(self) -> None:
        path = self.sqlite_path
        if path is None:
            return
        if not self._create and not path.is_file():
            raise StorageError(
                f"no SQLite database at {path}: check the path in {self.url_text} (the --db "
                "option or TWITCHSTATS_DATABASE_URL). Collecting or importing samples creates it."
            )
        folder = path.parent
        if not folder.is_dir():
            raise StorageError(
                f"cannot create the SQLite database {self.url_text}: the folder {folder} does "
                "not exist. Create it first or point the URL at another path."
            )


def _first_line(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)


def _connection_hint(dialect: str) -> str:
    if dialect == "postgresql":
        return (
            "Check that the server runs and accepts connections at that host and port, and that "
            "the user, password and database name are right."
        )
    return "Check that the file and its folder are writable and not on a network drive."


def _known_logins(connection: Connection) -> dict[str, str]:
    """Map each stored login, current or earlier, to its channel's Twitch id.

    A current login wins over an earlier login that another channel used.
    """
    rows = connection.exec_driver_sql(
        "SELECT l.login, c.twitch_id, CASE WHEN l.login = c.login THEN 1 ELSE 0 END "
        "FROM channel_logins l JOIN channels c ON c.id = l.channel_key "
        "ORDER BY 3, l.last_seen_at"
    )
    return {login.lower(): twitch_id for login, twitch_id, _ in rows}


def samples_frame(
    samples: Sequence[SampleRecord] | pd.DataFrame, observed_at: dt.datetime
) -> pd.DataFrame:
    """Return samples as a DataFrame whose `observed_at` is the poll time."""
    if isinstance(samples, pd.DataFrame):
        frame = samples.copy()
    else:
        frame = pd.DataFrame(
            {
                "channel_id": [s.channel_id for s in samples],
                "channel_login": [s.channel_login for s in samples],
                "stream_id": [s.stream_id for s in samples],
                "started_at": pd.Series(
                    [pd.NaT if s.started_at is None else s.started_at for s in samples],
                    dtype="datetime64[us, UTC]",
                ),
                "viewer_count": pd.Series([s.viewer_count for s in samples], dtype="int64"),
                "game_id": [s.game_id for s in samples],
                "game_name": [s.game_name for s in samples],
                "title": [s.title for s in samples],
            }
        )
    frame["observed_at"] = pd.Timestamp(observed_at).tz_convert("UTC").as_unit("us")
    return frame
