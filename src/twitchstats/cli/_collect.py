"""`twitchstats collect`: poll the channels of an event file into the database."""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import types
from pathlib import Path

import click

from twitchstats._collector import Collector, CollectorConfig
from twitchstats._exceptions import ConfigurationError, TwitchStatsError
from twitchstats._helix import HelixClient
from twitchstats._storage import Database
from twitchstats.cli._common import db_option


def _database_url(ctx: click.Context, option_value: str, config: CollectorConfig) -> str:
    """Pick the URL: --db, then TWITCHSTATS_DATABASE_URL, then [collector], then the default."""
    source = ctx.get_parameter_source("database_url")
    explicit = source in (
        click.core.ParameterSource.COMMANDLINE,
        click.core.ParameterSource.ENVIRONMENT,
    )
    if not explicit and config.database_url:
        return config.database_url
    return option_value


def _credentials(config: CollectorConfig) -> tuple[str, str]:
    client_id = os.environ.get(config.client_id_env, "").strip()
    client_secret = os.environ.get(config.client_secret_env, "").strip()
    missing = [
        name
        for name, value in (
            (config.client_id_env, client_id),
            (config.client_secret_env, client_secret),
        )
        if not value
    ]
    if missing:
        raise click.ClickException(
            f"missing Twitch credentials: set the environment variable(s) {', '.join(missing)} "
            "to your application's client id and secret (https://dev.twitch.tv/console), or "
            "change [collector].client_id_env / client_secret_env in the event file"
        )
    return client_id, client_secret


def _parse_until(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 time with a zone; write for example "
            "2021-06-14T23:00:00Z",
            param_hint="--until",
        )
    return parsed.astimezone(dt.UTC)


@click.command("collect")
@click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Event TOML file with [event].channels and an optional [collector] table.",
)
@click.option("--once", is_flag=True, help="Run a single poll for the current minute and exit.")
@click.option(
    "--until",
    default=None,
    metavar="TIME",
    help="Stop before polling this minute (ISO 8601 with a zone); default: run until stopped.",
)
@db_option
@click.pass_context
def collect(
    ctx: click.Context, config_path: Path, once: bool, until: str | None, database_url: str
) -> None:
    """Poll the event's channels every minute and store viewers in the database.

    Stops cleanly on Ctrl-C or SIGTERM: the minute being polled is either stored whole or not
    at all. With --once, the exit status is 1 when the poll failed.
    """
    try:
        config = CollectorConfig.from_toml(config_path)
    except ConfigurationError as exc:
        raise click.ClickException(str(exc)) from None
    stop_at = _parse_until(until)
    client_id, client_secret = _credentials(config)

    stop = threading.Event()

    def _request_stop(signum: int, frame: types.FrameType | None) -> None:
        stop.set()

    try:
        database = Database(url=_database_url(ctx, database_url, config))
        client = HelixClient(
            client_id=client_id,
            client_secret=client_secret,
            base_url=config.helix_base_url,
            auth_base_url=config.auth_base_url,
            timeout=config.request_timeout_seconds,
        )
    except TwitchStatsError as exc:
        raise click.ClickException(str(exc)) from None

    previous = {
        signal.SIGINT: signal.signal(signal.SIGINT, _request_stop),
        signal.SIGTERM: signal.signal(signal.SIGTERM, _request_stop),
    }
    try:
        with database, client:
            collector = Collector(config=config, database=database, client=client)
            if once:
                poll = collector.poll_once()
                if poll.outcome == "failed":
                    ctx.exit(1)
                return
            collector.run(stop_event=stop, until=stop_at)
    except TwitchStatsError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
