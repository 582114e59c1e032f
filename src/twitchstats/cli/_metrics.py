"""The `streams`, `days` and `event` commands: statistics computed from the stored samples."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import pandas as pd

from twitchstats._exceptions import TwitchStatsError
from twitchstats._storage import Database
from twitchstats.cli._common import db_option
from twitchstats.metrics import (
    EventDefinition,
    SessionOptions,
    day_stats,
    event_stats,
    load_sessions,
    stream_stats,
    twitchtracker_stats,
)

FORMATS = ("table", "csv", "json")
EVENT_TABLES = ("totals", "concurrency", "rankings", "channels", "daily")

# Samples are read from this long before --since, so that a stream that started before it
# but runs into the range is reconstructed whole.
_LOOKBEHIND = dt.timedelta(days=2)


class DateOrTime(click.ParamType):  # type: ignore[type-arg]
    """A date (2021-04-05, midnight in the command's time zone) or an ISO 8601 time with offset."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        try:
            if len(text) == 10:
                return dt.date.fromisoformat(text)
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
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


def _instant(value: dt.date | dt.datetime | None, zone: dt.tzinfo) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    stamp = pd.Timestamp(value).tz_localize(zone, nonexistent="shift_forward", ambiguous=False)
    instant: dt.datetime = stamp.tz_convert("UTC").to_pydatetime()
    return instant


def _zone(name: str) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(
            f"{name!r} is not an IANA time zone; use for example Europe/Madrid or UTC",
            param_hint="--tz",
        ) from None


def _channel_ids(database: Database, logins: Sequence[str]) -> list[str] | None:
    """Map logins (current or earlier) or Twitch ids to Twitch ids; None for every channel."""
    if not logins:
        return None
    channels = database.read_channels()
    known: dict[str, str] = {}
    for channel_id, login, previous in zip(
        channels["channel_id"], channels["login"], channels["previous_logins"], strict=True
    ):
        known[str(channel_id)] = str(channel_id)
        for name in previous:
            known.setdefault(str(name).lower(), str(channel_id))
        known[str(login).lower()] = str(channel_id)
    missing = [login for login in logins if login.lower() not in known]
    if missing:
        raise click.BadParameter(
            f"no stored channel has the login or id {', '.join(missing)}; check the spelling "
            "or collect the channel first",
            param_hint="--channel",
        )
    return [known[login.lower()] for login in logins]


def _text_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Make list columns printable: stream_ids as space-separated ids."""
    frame = frame.copy()
    if "stream_ids" in frame.columns:
        frame["stream_ids"] = [" ".join(ids) for ids in frame["stream_ids"]]
    return frame


def _render(frame: pd.DataFrame, output_format: str) -> str:
    frame = _text_columns(frame)
    if output_format == "csv":
        return str(frame.to_csv(index=False, date_format="%Y-%m-%dT%H:%M:%SZ"))
    if output_format == "json":
        return str(frame.to_json(orient="records", date_format="iso", indent=2))
    if frame.empty:
        return "(no rows)\n"
    # Counts get thousands separators like the float columns, so columns compare at a glance.
    counts = {
        name: _thousands
        for name in frame.columns
        if pd.api.types.is_integer_dtype(frame[name].dtype)
    }
    text = frame.to_string(
        index=False, float_format=lambda value: f"{value:,.2f}", formatters=counts
    )
    return str(text) + "\n"


def _thousands(value: object) -> str:
    return "<NA>" if pd.isna(value) else f"{int(value):,}"  # type: ignore[call-overload]


def _options(merge_gap: int, max_unknown_gap: int) -> SessionOptions:
    try:
        return SessionOptions(merge_gap=merge_gap, max_unknown_gap=max_unknown_gap)
    except TwitchStatsError as exc:
        raise click.BadParameter(str(exc)) from None


format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Output format: an aligned table, CSV or JSON records.",
)
merge_gap_option = click.option(
    "--merge-gap",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    metavar="MIN",
    help=(
        "Merge a new stream id that starts at most MIN minutes after the previous stream "
        "into one session (a quick restart); 0 keeps each Twitch stream id apart."
    ),
)
unknown_gap_option = click.option(
    "--max-unknown-gap",
    type=click.IntRange(min=0),
    default=SessionOptions().max_unknown_gap,
    show_default=True,
    metavar="MIN",
    help="Maximum collector gap, in minutes, that a stream spans; a longer one splits it.",
)
channel_option = click.option(
    "--channel",
    "channels",
    multiple=True,
    metavar="LOGIN",
    help="Only this channel (current or earlier login, or Twitch id). Repeatable.",
)


@click.command("streams")
@channel_option
@click.option("--since", type=DateOrTime(), help="First stream start included (date or time).")
@click.option("--until", type=DateOrTime(), help="First stream start excluded (date or time).")
@click.option(
    "--method",
    type=click.Choice(["standard", "twitchtracker"]),
    default="standard",
    show_default=True,
    help="standard: per-minute numbers; twitchtracker: TwitchTracker's published rules.",
)
@merge_gap_option
@unknown_gap_option
@click.option("--by-category", is_flag=True, help="One row per stream and game.")
@format_option
@db_option
def streams(
    channels: tuple[str, ...],
    since: dt.date | dt.datetime | None,
    until: dt.date | dt.datetime | None,
    method: str,
    merge_gap: int,
    max_unknown_gap: int,
    by_category: bool,
    output_format: str,
    database_url: str,
) -> None:
    """Print one row per stream: start, end, airtime, average and peak viewers, hours watched.

    Dates without a time are midnight UTC. Times are UTC in every output format.
    """
    frame = compute_streams(
        channels=channels,
        since=since,
        until=until,
        method=method,
        options=_options(merge_gap, max_unknown_gap),
        by_category=by_category,
        database_url=database_url,
    )
    click.echo(_render(frame, output_format), nl=False)


def compute_streams(
    *,
    channels: Sequence[str],
    since: dt.date | dt.datetime | None,
    until: dt.date | dt.datetime | None,
    method: str,
    options: SessionOptions,
    by_category: bool,
    database_url: str,
) -> pd.DataFrame:
    """Return the stream rows that `twitchstats streams` prints, for `export streams` too."""
    start = _instant(since, dt.UTC)
    end = _instant(until, dt.UTC)
    try:
        with Database(url=database_url, create=False) as database:
            channel_ids = _channel_ids(database, channels)
            sessions = load_sessions(
                database,
                options=options,
                channel_ids=channel_ids,
                since=None if start is None else start - _LOOKBEHIND,
                until=None if end is None else end + _LOOKBEHIND,
            )
            snapshots = database.read_follower_snapshots(channel_ids=channel_ids)
    except TwitchStatsError as exc:
        raise click.ClickException(str(exc)) from None

    if method == "twitchtracker":
        frame = twitchtracker_stats(sessions, by_category=by_category, snapshots=snapshots)
    else:
        frame = stream_stats(sessions, by_category=by_category, snapshots=snapshots)
    if start is not None:
        frame = frame.loc[frame["started_at"] >= pd.Timestamp(start)]
    if end is not None:
        frame = frame.loc[frame["started_at"] < pd.Timestamp(end)]
    return frame.reset_index(drop=True)


@click.command("days")
@click.option(
    "--tz",
    "timezone",
    default="UTC",
    show_default=True,
    metavar="ZONE",
    help="IANA time zone whose calendar cuts the days, for example Europe/Madrid.",
)
@channel_option
@click.option("--since", type=DateOrTime(), help="First local day included (YYYY-MM-DD).")
@click.option("--until", type=DateOrTime(), help="Last local day included (YYYY-MM-DD).")
@merge_gap_option
@unknown_gap_option
@format_option
@db_option
def days(
    timezone: str,
    channels: tuple[str, ...],
    since: dt.date | dt.datetime | None,
    until: dt.date | dt.datetime | None,
    merge_gap: int,
    max_unknown_gap: int,
    output_format: str,
    database_url: str,
) -> None:
    """Print one row per channel and local day: airtime, hours watched, average, peak, streams.

    Each live minute counts in the day its local time falls in. polled_minutes counts the
    minutes of the day that the collector observed: a day with 0 there has no data, which is
    not the same as a day off.
    """
    frame = compute_days(
        timezone=timezone,
        channels=channels,
        since=since,
        until=until,
        options=_options(merge_gap, max_unknown_gap),
        database_url=database_url,
    )
    click.echo(_render(frame, output_format), nl=False)


def compute_days(
    *,
    timezone: str,
    channels: Sequence[str],
    since: dt.date | dt.datetime | None,
    until: dt.date | dt.datetime | None,
    options: SessionOptions,
    database_url: str,
) -> pd.DataFrame:
    """Return the day rows that `twitchstats days` prints, for `export days` too."""
    zone = _zone(timezone)
    first_day = since.date() if isinstance(since, dt.datetime) else since
    last_day = until.date() if isinstance(until, dt.datetime) else until
    start = _instant(first_day, zone)
    end = _instant(last_day + dt.timedelta(days=1), zone) if last_day is not None else None
    try:
        with Database(url=database_url, create=False) as database:
            channel_ids = _channel_ids(database, channels)
            sessions = load_sessions(
                database, options=options, channel_ids=channel_ids, since=start, until=end
            )
            snapshots = database.read_follower_snapshots(channel_ids=channel_ids)
        frame = day_stats(
            sessions,
            timezone=zone,
            start=first_day,
            end=last_day,
            snapshots=snapshots,
            channel_ids=channel_ids,
        )
    except TwitchStatsError as exc:
        raise click.ClickException(str(exc)) from None
    return frame


@click.command("event")
@click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Event TOML file with an [event] table.",
)
@click.option(
    "--table",
    "tables",
    multiple=True,
    type=click.Choice(EVENT_TABLES),
    help="Print only this table (repeatable). Default: totals, concurrency and rankings.",
)
@merge_gap_option
@unknown_gap_option
@format_option
@db_option
def event(
    config_path: str,
    tables: tuple[str, ...],
    merge_gap: int,
    max_unknown_gap: int,
    output_format: str,
    database_url: str,
) -> None:
    """Print an event's totals, its concurrency curve and the channel rankings.

    Only the minutes that the [event.attribution] rules accept count. With --format json the
    output is one object with a key per table; with csv each table follows a "# name" line.
    """
    options = _options(merge_gap, max_unknown_gap)
    try:
        definition = EventDefinition.from_toml(config_path)
        zone = definition.zone
        start = _instant(definition.start, zone)
        end = (
            _instant(definition.end + dt.timedelta(days=1), zone)
            if definition.end is not None
            else None
        )
        with Database(url=database_url, create=False) as database:
            channels = database.read_channels()
            sessions = load_sessions(
                database,
                options=options,
                since=None if start is None else start - _LOOKBEHIND,
                until=end,
            )
            snapshots = database.read_follower_snapshots()
        result = event_stats(sessions, definition, channels=channels, snapshots=snapshots)
    except TwitchStatsError as exc:
        raise click.ClickException(str(exc)) from None

    chosen = tables or ("totals", "concurrency", "rankings")
    frames = {name: getattr(result, name) for name in chosen}
    if output_format == "json":
        document = {name: json.loads(_render(frame, "json")) for name, frame in frames.items()}
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    parts = []
    for name, frame in frames.items():
        header = f"# {name}" if output_format == "csv" else f"== {name} =="
        parts.append(f"{header}\n{_render(frame, output_format)}")
    click.echo("\n".join(parts), nl=False)


output_option = click.option(
    "--output",
    "-o",
    default="-",
    show_default=True,
    metavar="FILE",
    help="File to write; - writes to standard output.",
)
file_format_option = click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "parquet"]),
    default=None,
    help="File format. Default: parquet for a .parquet output file, csv otherwise.",
)


def _write_table(frame: pd.DataFrame, output: str, file_format: str | None, what: str) -> None:
    """Write `frame` as CSV (times in UTC with Z) or Parquet, to a file or standard output."""
    from twitchstats.cli._data import _write_parquet

    if file_format is None:
        file_format = "parquet" if output.endswith(".parquet") else "csv"
    if file_format == "parquet":
        _write_parquet(_text_columns(frame), output)
    elif output == "-":
        click.echo(_render(frame, "csv"), nl=False)
    else:
        Path(output).write_text(_render(frame, "csv"), encoding="utf-8")
    if output != "-":
        click.echo(f"Exported {len(frame)} {what} to {output}.", err=True)


@click.command("streams")
@output_option
@file_format_option
@channel_option
@click.option("--since", type=DateOrTime(), help="First stream start included (date or time).")
@click.option("--until", type=DateOrTime(), help="First stream start excluded (date or time).")
@click.option(
    "--method",
    type=click.Choice(["standard", "twitchtracker"]),
    default="standard",
    show_default=True,
    help="standard: per-minute numbers; twitchtracker: TwitchTracker's published rules.",
)
@merge_gap_option
@unknown_gap_option
@click.option("--by-category", is_flag=True, help="One row per stream and game.")
@db_option
def export_streams(
    output: str,
    file_format: str | None,
    channels: tuple[str, ...],
    since: dt.date | dt.datetime | None,
    until: dt.date | dt.datetime | None,
    method: str,
    merge_gap: int,
    max_unknown_gap: int,
    by_category: bool,
    database_url: str,
) -> None:
    """Export the rows of `twitchstats streams` as CSV or Parquet.

    stream_ids contains the merged broadcast ids separated by spaces. Times are UTC.
    """
    frame = compute_streams(
        channels=channels,
        since=since,
        until=until,
        method=method,
        options=_options(merge_gap, max_unknown_gap),
        by_category=by_category,
        database_url=database_url,
    )
    _write_table(frame, output, file_format, "streams")


@click.command("days")
@output_option
@file_format_option
@click.option(
    "--tz",
    "timezone",
    default="UTC",
    show_default=True,
    metavar="ZONE",
    help="IANA time zone whose calendar cuts the days, for example Europe/Madrid.",
)
@channel_option
@click.option("--since", type=DateOrTime(), help="First local day included (YYYY-MM-DD).")
@click.option("--until", type=DateOrTime(), help="Last local day included (YYYY-MM-DD).")
@merge_gap_option
@unknown_gap_option
@db_option
def export_days(
    output: str,
    file_format: str | None,
    timezone: str,
    channels: tuple[str, ...],
    since: dt.date | dt.datetime | None,
    until: dt.date | dt.datetime | None,
    merge_gap: int,
    max_unknown_gap: int,
    database_url: str,
) -> None:
    """Export the rows of `twitchstats days` (one per channel and local day) as CSV or Parquet."""
    frame = compute_days(
        timezone=timezone,
        channels=channels,
        since=since,
        until=until,
        options=_options(merge_gap, max_unknown_gap),
        database_url=database_url,
    )
    _write_table(frame, output, file_format, "channel days")
