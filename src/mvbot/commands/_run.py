"""`mvbot run`: collect every minute and post each day, in one long-running process."""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import types
from pathlib import Path

import click

from mvbot._exceptions import MvbotError
from mvbot._run import BotRunner
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
from twitchstats import Collector, CollectorConfig, Database, HelixClient, TwitchStatsError

__all__ = ["run"]


def _parse_until(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise click.BadParameter(text("bad_until", value=repr(value)))
    return parsed.astimezone(dt.UTC)


@click.command("run", help=text("run_help"))
@config_option
@click.option("--dry-run", is_flag=True, help=text("dry_run_option"))
@click.option(
    "--until", default=None, metavar="TIME", callback=_parse_until, help=text("until_option")
)
@db_option
@help_option
@click.pass_context
def run(
    ctx: click.Context,
    config_path: Path,
    dry_run: bool,
    until: dt.datetime | None,
    database_url: str | None,
) -> None:
    config = load_event(config_path)
    lang = requested_language(ctx, config)
    try:
        collector_config = CollectorConfig.from_mapping(config.raw, source=str(config_path))
    except TwitchStatsError as exc:
        raise CommandError(str(exc)) from None

    client_id = os.environ.get(collector_config.client_id_env, "").strip()
    client_secret = os.environ.get(collector_config.client_secret_env, "").strip()
    if not client_id or not client_secret:
        variables = f"{collector_config.client_id_env}, {collector_config.client_secret_env}"
        raise CommandError(text("missing_twitch", variables=variables))

    stop = threading.Event()

    def request_stop(signum: int, frame: types.FrameType | None) -> None:
        stop.set()

    previous = {
        signal.SIGINT: signal.signal(signal.SIGINT, request_stop),
        signal.SIGTERM: signal.signal(signal.SIGTERM, request_stop),
    }
    try:
        database = Database(url=resolve_database_url(database_url, config))
        client = HelixClient(
            client_id=client_id,
            client_secret=client_secret,
            base_url=collector_config.helix_base_url,
            auth_base_url=collector_config.auth_base_url,
            timeout=collector_config.request_timeout_seconds,
        )
        with database, client:
            collector = Collector(config=collector_config, database=database, client=client)
            runner = BotRunner(
                config=config,
                database=database,
                collector=collector,
                dry_run=dry_run,
                lang=lang,
            )
            summary = runner.run(stop_event=stop, until=until)
    except (MvbotError, TwitchStatsError) as exc:
        raise CommandError(str(exc)) from None
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    for result in summary.days:
        for message in result.messages:
            click.echo(message, err=not result.ok)
