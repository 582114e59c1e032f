"""Options and helpers shared by mvbot's `daily`, `run` and `config` commands.

Help texts come from the catalog in the language chosen before the commands are imported
(`mvbot --lang`, then `MVBOT_LANG`, then Spanish), click's own `--help` option included.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

import click

from mvbot._config import EventConfig, load_config
from mvbot._exceptions import MvbotError
from mvbot._i18n import Language, resolve_language, translate

__all__ = [
    "DATABASE_URL_ENV",
    "DEFAULT_DATABASE_URL",
    "CommandError",
    "config_option",
    "db_option",
    "help_option",
    "language",
    "load_event",
    "requested_language",
    "resolve_database_url",
    "text",
]

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_DATABASE_URL = "sqlite:///twitchstats.db"
DATABASE_URL_ENV = "TWITCHSTATS_DATABASE_URL"


def language() -> Language:
    """Return the language of help texts: `MVBOT_LANG` as set by `mvbot --lang`, else Spanish."""
    return resolve_language(None)


def text(key: str, **fields: object) -> str:
    """Return the `commands.<key>` message in the current language."""
    return translate(f"commands.{key}", language(), **fields)


class CommandError(click.ClickException):
    """A failure shown as one line, `Error: message`, with the prefix in the user's language."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"{text('error_prefix')}: {self.format_message()}", file=file, err=True)


def help_option(function: F) -> F:
    """Add `-h/--help` with its help text in the current language."""
    return click.help_option("-h", "--help", help=text("help_option"))(function)


def config_option(function: F) -> F:
    """Add the required `--config FILE` option."""
    return click.option(
        "--config",
        "config_path",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="FILE",
        help=text("config_option"),
    )(function)


def db_option(function: F) -> F:
    """Add `--db URL`, also read from `TWITCHSTATS_DATABASE_URL`."""
    return click.option(
        "--db",
        "database_url",
        envvar=DATABASE_URL_ENV,
        default=None,
        metavar="URL",
        help=text("db_option"),
    )(function)


def requested_language(ctx: click.Context, config: EventConfig) -> Language:
    """Return `mvbot --lang` when given on the command line, else the file's `mvbot.language`."""
    parent = ctx.find_root()
    source = parent.get_parameter_source("lang") if "lang" in parent.params else None
    if source == click.core.ParameterSource.COMMANDLINE:
        return resolve_language(str(parent.params["lang"]))
    return config.mvbot.language


def load_event(path: Path) -> EventConfig:
    """Load the event file, turning a `ConfigError` into a one-line command error."""
    try:
        return load_config(path, language=language())
    except MvbotError as exc:
        raise CommandError(str(exc)) from None


def resolve_database_url(option_value: str | None, config: EventConfig) -> str:
    """Pick the URL: `--db` or `TWITCHSTATS_DATABASE_URL`, then `[collector].database_url`."""
    if option_value:
        return option_value
    collector = config.raw.get("collector", {})
    from_file = collector.get("database_url") if isinstance(collector, dict) else None
    if isinstance(from_file, str) and from_file:
        return from_file
    return os.environ.get(DATABASE_URL_ENV) or DEFAULT_DATABASE_URL
