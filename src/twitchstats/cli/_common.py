"""Options and helpers shared by the `twitchstats` subcommands."""

from __future__ import annotations

import click

DEFAULT_DATABASE_URL = "sqlite:///twitchstats.db"
DATABASE_URL_ENV = "TWITCHSTATS_DATABASE_URL"

db_option = click.option(
    "--db",
    "database_url",
    envvar=DATABASE_URL_ENV,
    default=DEFAULT_DATABASE_URL,
    show_default=True,
    metavar="URL",
    help=(
        "SQLAlchemy URL of the database, for example sqlite:///season.db or "
        "postgresql+psycopg://user@host/dbname. Also read from TWITCHSTATS_DATABASE_URL."
    ),
)
