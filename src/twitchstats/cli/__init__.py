"""The `twitchstats` command line.

Subcommands live in their own modules and are imported only when they run, so that
`twitchstats --help` stays fast and a missing optional extra breaks only the command that needs it.
"""

from __future__ import annotations

import importlib
import logging

import click

from twitchstats._version import __version__

# Subcommand name -> "module:attribute" of its click command. One line per command.
COMMANDS: dict[str, str] = {
    "collect": "twitchstats.cli._collect:collect",
    "fake-helix": "twitchstats.cli._fakehelix:fake_helix",
    "import": "twitchstats.cli._data:import_group",
    "export": "twitchstats.cli._data:export_group",
    "streams": "twitchstats.cli._metrics:streams",
    "days": "twitchstats.cli._metrics:days",
    "event": "twitchstats.cli._metrics:event",
}


class LazyGroup(click.Group):
    """A click group that imports each subcommand's module on first use."""

    def __init__(self, *args: object, lazy_commands: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self._lazy_commands.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module_name, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="twitchstats")
@click.option(
    "--log-level",
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
    default="INFO",
    show_default=True,
    help="Lowest level of log messages written to stderr.",
)
def main(log_level: str) -> None:
    """Collect Twitch viewer numbers and turn them into statistics.

    The database comes from --db on each command or from TWITCHSTATS_DATABASE_URL; without
    either, a SQLite file named twitchstats.db in the working directory is used.
    """
    logging.basicConfig(
        level=log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if log_level.upper() != "DEBUG":
        # Alembic logs every migration step at INFO; a twitchstats line reports the result.
        logging.getLogger("alembic").setLevel(logging.WARNING)
