"""docs/cli.md must document every command exactly as its `--help` prints it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_is_current() -> None:
    # A fresh interpreter: mvbot's subcommands keep the help language of their first import,
    # which other tests in this process may have made Spanish.
    completed = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_cli_reference.py"), "--stdout"],
        capture_output=True,
        text=True,
        check=True,
        env={key: value for key, value in os.environ.items() if key != "MVBOT_LANG"},
    )
    actual = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert actual == completed.stdout, (
        "docs/cli.md is stale: run python scripts/gen_cli_reference.py"
    )


def test_cli_reference_names_every_command() -> None:
    from mvbot.cli import COMMANDS as MVBOT_COMMANDS
    from twitchstats.cli import COMMANDS as TWITCHSTATS_COMMANDS

    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name in TWITCHSTATS_COMMANDS:
        assert f"## `twitchstats {name}`" in reference, name
    for name in MVBOT_COMMANDS:
        assert f"## `mvbot {name}`" in reference, name
