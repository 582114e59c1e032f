"""Tests for the `mvbot` command group: language selection and help."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest
from click.testing import CliRunner

from mvbot.cli import _language_from_arguments, build_cli, main


def test_help_is_spanish_by_default() -> None:
    result = CliRunner().invoke(build_cli(), ["--help"])
    assert result.exit_code == 0
    assert "Publica cada día" in result.output


def test_help_in_english_with_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MVBOT_LANG", "en")
    result = CliRunner().invoke(build_cli(), ["--help"])
    assert "Publish an event's daily" in result.output


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        pytest.param(["--lang", "en", "--help"], "en", id="separate-value"),
        pytest.param(["--lang=es", "daily"], "es", id="equals-value"),
        pytest.param(["daily", "--date", "2021-04-16"], None, id="absent"),
        pytest.param(["--lang"], None, id="dangling-flag"),
    ],
)
def test_language_read_before_building(arguments: list[str], expected: str | None) -> None:
    assert _language_from_arguments(arguments) == expected


def test_lang_flag_switches_help_language() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", "from mvbot.cli import main; main()", "--lang", "en", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0
    assert "Publish an event's daily" in completed.stdout


def test_unknown_language_exits_with_choices() -> None:
    with pytest.raises(SystemExit, match="unsupported language 'fr': use one of es, en"):
        main(["--lang", "fr", "--help"])


def test_unknown_language_in_environment_exits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MVBOT_LANG", "fr")

    with pytest.raises(SystemExit) as caught:
        main(["brands", "--help"])

    message = str(caught.value.code)
    assert "MVBOT_LANG" in message
    assert "unsupported language 'fr': use one of es, en" in message


@pytest.mark.parametrize("name", ["kaleido", "choreographer", "alembic"])
def test_chatty_libraries_log_warnings_only(name: str) -> None:
    library = logging.getLogger(name)
    library.setLevel(logging.NOTSET)
    try:
        result = CliRunner().invoke(build_cli(), ["--log-level", "INFO", "brands", "--help"])

        assert result.exit_code == 0
        assert library.level == logging.WARNING
    finally:
        library.setLevel(logging.NOTSET)
