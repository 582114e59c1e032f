"""The `twitchstats import` and `twitchstats export` command groups.

Each group loads its subcommands lazily from a dict like the top-level COMMANDS, so another
module adds `export streams` with one line in `EXPORT_COMMANDS`.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
import pandas as pd

from twitchstats._exceptions import SampleImportError, StorageError
from twitchstats._storage import Database
from twitchstats._storage._csv import write_samples_csv
from twitchstats.cli import LazyGroup
from twitchstats.cli._common import db_option

# Subcommand name -> "module:attribute" of its click command, one line per command.
IMPORT_COMMANDS: dict[str, str] = {
    "samples": "twitchstats.cli._data:import_samples",
}
EXPORT_COMMANDS: dict[str, str] = {
    "days": "twitchstats.cli._metrics:export_days",
    "samples": "twitchstats.cli._data:export_samples",
    "streams": "twitchstats.cli._metrics:export_streams",
}


@click.group("import", cls=LazyGroup, lazy_commands=IMPORT_COMMANDS)
def import_group() -> None:
    """Import data from files into the database."""


@click.group("export", cls=LazyGroup, lazy_commands=EXPORT_COMMANDS)
def export_group() -> None:
    """Export data from the database to files."""


class UTCTime(click.ParamType):  # type: ignore[type-arg]
    """A click parameter for an ISO 8601 time with offset, or a date meaning 00:00 UTC."""

    name = "TIME"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        text = str(value)
        try:
            if len(text) == 10:
                day = dt.date.fromisoformat(text)
                return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            self.fail(
                f"{text!r} is not a date (2021-04-05) or an ISO 8601 time "
                "(2021-04-05T20:00:00+02:00)",
                param,
                ctx,
            )
        if parsed.tzinfo is None:
            self.fail(f"{text!r} has no UTC offset: add Z or an offset such as +02:00", param, ctx)
        return parsed.astimezone(dt.UTC)


def _remove_sqlite_file(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


@click.command("samples")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option(
    "--observed-every",
    type=click.IntRange(min=1),
    default=None,
    metavar="SECONDS",
    help=(
        "Polling interval, in seconds, of the tool that wrote the file. Every step from its "
        "first to its last observation then counts as observed, so a minute with no channel "
        "live is offline rather than unknown. Without it, only the times in the file count."
    ),
)
@db_option
def import_samples(file: str, observed_every: int | None, database_url: str) -> None:
    """Import viewer samples from a CSV FILE (- reads standard input).

    The header is observed_at,channel_id,channel_login,stream_id,started_at,viewer_count,
    game_id,game_name,title. Times are ISO 8601 with an offset or Z. Every row is checked
    first and nothing is written when one is invalid; rows already stored are skipped.
    Each observation time also gets a poll marked "imported", so those minutes count as
    observed.
    """
    source = sys.stdin if file == "-" else Path(file)
    interval = None if observed_every is None else dt.timedelta(seconds=observed_every)
    new_file: Path | None = None
    try:
        database = Database(url=database_url)
        path = database.sqlite_path
        new_file = path if path is not None and not path.exists() else None
        with database:
            inserted = database.import_samples_csv(source, observed_every=interval)
    except SampleImportError as exc:
        if new_file is not None:
            # Nothing was imported, so the empty database this command created is removed.
            # A later read of that path then reports it missing instead of empty.
            _remove_sqlite_file(new_file)
        if all(line <= 1 for line, _message in exc.errors):
            # The header, the encoding or an empty file: the file as a whole is wrong.
            raise click.ClickException(f"{exc}; nothing was imported from {file}") from None
        for line, message in exc.errors:
            click.echo(f"{file}:{line}: {message}", err=True)
        rows = "1 invalid row" if len(exc.errors) == 1 else f"{len(exc.errors)} invalid rows"
        raise click.ClickException(f"{rows} in {file}; nothing was imported") from None
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Imported {inserted} new samples from {file}.")


@click.command("samples")
@click.option(
    "--output",
    "-o",
    default="-",
    show_default=True,
    metavar="FILE",
    help="File to write; - writes to standard output.",
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "parquet"]),
    default=None,
    help="File format. Default: parquet for a .parquet output file, csv otherwise.",
)
@click.option(
    "--channel",
    "channels",
    multiple=True,
    metavar="LOGIN",
    help="Export only this channel (current or earlier login, or Twitch id). Repeatable.",
)
@click.option("--since", type=UTCTime(), help="First poll time included (ISO 8601, or a date).")
@click.option("--until", type=UTCTime(), help="First poll time excluded (ISO 8601, or a date).")
@db_option
def export_samples(
    output: str,
    file_format: str | None,
    channels: tuple[str, ...],
    since: dt.datetime | None,
    until: dt.datetime | None,
    database_url: str,
) -> None:
    """Export viewer samples in the CSV format that `import samples` reads, or as Parquet."""
    if file_format is None:
        file_format = "parquet" if output.endswith(".parquet") else "csv"

    try:
        with Database(url=database_url, create=False) as database:
            channel_ids = _resolve_channels(database, channels) if channels else None
            samples = database.read_samples(channel_ids=channel_ids, since=since, until=until)
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None

    if file_format == "parquet":
        _write_parquet(samples, output)
    elif output == "-":
        write_samples_csv(samples, sys.stdout)
    else:
        with open(output, "w", encoding="utf-8", newline="") as target:
            write_samples_csv(samples, target)
    if output != "-":
        click.echo(f"Exported {len(samples)} samples to {output}.", err=True)


def _resolve_channels(database: Database, names: tuple[str, ...]) -> list[str]:
    channels = database.read_channels()
    history = database.read_channel_logins()
    by_login = dict(zip(history["login"], history["channel_id"], strict=True))
    by_login.update(zip(channels["login"], channels["channel_id"], strict=True))
    known_ids = set(channels["channel_id"])

    ids: list[str] = []
    for name in names:
        if name in known_ids:
            ids.append(name)
        elif name.lower() in by_login:
            ids.append(by_login[name.lower()])
        else:
            raise click.BadParameter(
                f"no stored channel has the login or id {name!r}", param_hint="--channel"
            )
    return ids


def _write_parquet(samples: pd.DataFrame, output: str) -> None:
    try:
        import pyarrow  # noqa: F401
    except ModuleNotFoundError:
        raise click.ClickException(
            "Parquet export needs pyarrow: pip install 'twitchstats[parquet]'"
        ) from None
    if output == "-":
        samples.to_parquet(sys.stdout.buffer, index=False)
    else:
        samples.to_parquet(output, index=False)
