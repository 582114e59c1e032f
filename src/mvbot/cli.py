"""The `mvbot` command line.

The language of help texts and messages must be known before click builds the commands, so
`main()` reads `--lang` from the arguments (or `MVBOT_LANG`) first, stores it in `MVBOT_LANG`,
and only then builds the command group. Subcommands are imported on first use.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

import click

from mvbot._i18n import LANGUAGE_ENV, SUPPORTED_LANGUAGES, resolve_language, translate
from twitchstats.cli import LazyGroup

# Subcommand name -> "module:attribute" of its click command. One line per command.
COMMANDS: dict[str, str] = {
    "brands": "mvbot.brands._cli:brands",
    "config": "mvbot.commands._config:config",
    "daily": "mvbot.commands._daily:daily",
    "demo": "mvbot.commands._demo:demo",
    "run": "mvbot.commands._run:run",
}


def _language_from_arguments(arguments: Sequence[str]) -> str | None:
    for index, argument in enumerate(arguments):
        if argument == "--lang" and index + 1 < len(arguments):
            return arguments[index + 1]
        if argument.startswith("--lang="):
            return argument.partition("=")[2]
    return None


def build_cli() -> click.Group:
    """Build the `mvbot` command group with help texts in the current language."""
    language = resolve_language(None)

    @click.group(
        cls=LazyGroup,
        lazy_commands=COMMANDS,
        help=translate("cli.main_help", language),
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    @click.version_option(
        package_name="twitchstats",
        prog_name="mvbot",
        help=translate("cli.version_help", language),
    )
    @click.help_option("-h", "--help", help=translate("cli.help_help", language))
    @click.option(
        "--lang",
        type=click.Choice(SUPPORTED_LANGUAGES),
        default=language,
        show_default=True,
        help=translate("cli.lang_help", language),
    )
    @click.option(
        "--log-level",
        type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
        default="INFO",
        show_default=True,
        help=translate("cli.log_level_help", language),
    )
    def group(lang: str, log_level: str) -> None:
        os.environ[LANGUAGE_ENV] = lang
        logging.basicConfig(
            level=log_level.upper(),
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        if log_level.upper() != "DEBUG":
            # Alembic logs every migration step at INFO, and kaleido and its Chromium driver
            # log each export; mvbot's own lines report the results.
            for name in ("alembic", "kaleido", "choreographer"):
                logging.getLogger(name).setLevel(logging.WARNING)

    return group


def main(arguments: Sequence[str] | None = None) -> None:
    """Run the `mvbot` command line."""
    argv = list(sys.argv[1:] if arguments is None else arguments)
    requested = _language_from_arguments(argv)
    if requested is not None:
        try:
            os.environ[LANGUAGE_ENV] = resolve_language(requested)
        except ValueError as exc:
            raise SystemExit(f"mvbot: {exc}") from None
    else:
        try:
            resolve_language(None)
        except ValueError as exc:
            raise SystemExit(f"mvbot: invalid {LANGUAGE_ENV} environment variable: {exc}") from None
    build_cli()(args=argv, prog_name="mvbot")
