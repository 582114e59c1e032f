"""`mvbot daily`: post one event day (or the due days) and print what happened."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from mvbot._exceptions import MvbotError
from mvbot.commands._common import (
    CommandError,
    config_option,
    db_option,
    help_option,
    load_event,
    requested_language,
    resolve_database_url,
    text,
)
from mvbot.daily._job import run_daily
from twitchstats import Database, TwitchStatsError

__all__ = ["daily"]


def _parse_day(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(text("bad_date", value=repr(value))) from None


@click.command("daily", help=text("daily_help"))
@config_option
@click.option(
    "--date",
    "day",
    default=None,
    metavar="YYYY-MM-DD",
    callback=_parse_day,
    help=text("date_option"),
)
@click.option("--dry-run", is_flag=True, help=text("dry_run_option"))
@db_option
@help_option
@click.pass_context
def daily(
    ctx: click.Context,
    config_path: Path,
    day: dt.date | None,
    dry_run: bool,
    database_url: str | None,
) -> None:
    config = load_event(config_path)
    lang = requested_language(ctx, config)
    url = resolve_database_url(database_url, config)

    try:
        with Database(url=url, create=False) as database:
            results = run_daily(config, database=database, day=day, dry_run=dry_run, lang=lang)
    except (MvbotError, TwitchStatsError) as exc:
        raise CommandError(str(exc)) from None

    for result in results:
        for message in result.messages:
            click.echo(message, err=not result.ok)
    if not all(result.ok for result in results):
        ctx.exit(1)
