"""docs/cli.md must document every command exactly as its `--help` prints it."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_cli_reference", ROOT / "scripts" / "gen_cli_reference.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_current() -> None:
    expected = _generator().render_reference()
    actual = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/cli.md is stale: run python scripts/gen_cli_reference.py"


def test_cli_reference_names_every_command() -> None:
    from mvbot.cli import COMMANDS as MVBOT_COMMANDS
    from twitchstats.cli import COMMANDS as TWITCHSTATS_COMMANDS

    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name in TWITCHSTATS_COMMANDS:
        assert f"## `twitchstats {name}`" in reference, name
    for name in MVBOT_COMMANDS:
        assert f"## `mvbot {name}`" in reference, name
