"""Tests for the `twitchstats` command group."""

from __future__ import annotations

from click.testing import CliRunner

from twitchstats import __version__
from twitchstats.cli import COMMANDS, main


def test_help_lists_every_registered_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


def test_version_option() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_every_registered_command_imports() -> None:
    group_context = main.make_context("twitchstats", ["--help"], resilient_parsing=True)
    for name in COMMANDS:
        assert main.get_command(group_context, name) is not None, name
