"""Tests for reading mvbot's settings from the event file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from mvbot._config import MvbotSettings, load_config, parse_config
from mvbot._exceptions import ConfigError
from mvbot.cli import build_cli

EXAMPLE = Path(__file__).parents[2] / "examples" / "marbella-vice.toml"
EVENT = {"name": "Marbella Vice", "timezone": "Europe/Madrid"}


def test_example_file_is_valid() -> None:
    config = load_config(EXAMPLE)

    assert config.event.name == "Marbella Vice"
    assert config.event_id == "marbella-vice"
    assert config.display_name("auronplay") == "Auron"
    assert config.display_name("ibai") == "ibai"
    assert config.mvbot.post_time == dt.time(10, 0)
    assert config.mvbot.publishers == ("x",)
    assert config.mvbot.link == ""
    assert config.mvbot.output_dir == EXAMPLE.parent / "mvbot-output"


def test_defaults_without_mvbot_table() -> None:
    config = parse_config({"event": EVENT})

    defaults = MvbotSettings()
    assert config.mvbot.language == "es"
    assert config.mvbot.rankings == defaults.rankings
    assert config.mvbot.partial_data == "post_with_note"
    assert config.mvbot.gap_threshold_minutes == 15
    assert config.mvbot.missed_days == "catch_up"
    assert config.mvbot.top_n == 10
    assert config.mvbot.x.access_token_env == "X_API_ACCESS_TOKEN"
    assert config.event_id == "marbella-vice"


@pytest.mark.parametrize(
    ("mvbot", "expected"),
    [
        pytest.param(
            {"partial_data": "wait"},
            r"'wait' en mvbot\.partial_data.*post_with_note, hold",
            id="choice",
        ),
        pytest.param({"top_n": 0}, r"mvbot\.top_n.*1.*10.*0", id="top-n-low"),
        pytest.param({"top_n": True}, r"mvbot\.top_n", id="top-n-bool"),
        pytest.param({"post_time": "25:00"}, r"mvbot\.post_time.*'25:00'", id="time"),
        pytest.param({"rankings": ["views"]}, r"'views' en mvbot\.rankings", id="ranking"),
        pytest.param({"rankings": []}, r"mvbot\.rankings", id="no-ranking"),
        pytest.param({"publisher": ["x"]}, r"mvbot\.publisher.*publishers", id="typo-suggestion"),
        pytest.param({"language": "fr"}, r"'fr' en mvbot\.language.*es, en", id="language"),
        pytest.param({"event_id": "Marbella Vice"}, r"mvbot\.event_id", id="event-id"),
        pytest.param({"hashtags": ["dos palabras"]}, r"mvbot\.hashtags", id="hashtag"),
        pytest.param({"avatars": "yes"}, r"mvbot\.avatars.*true o false", id="boolean"),
        pytest.param(
            {"publishers": ["mastodon"]}, r"mvbot\.mastodon\.api_base_url", id="mastodon-server"
        ),
        pytest.param({"publishers": ["bluesky"]}, r"mvbot\.bluesky\.handle", id="bluesky-handle"),
    ],
)
def test_invalid_value_names_key_and_fix(mvbot: dict[str, object], expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        parse_config({"event": EVENT, "mvbot": mvbot})


def test_secret_value_rejected_without_echo() -> None:
    token = "1234567890-AbCdEfGhIjKlMnOpQrStUvWxYz"

    with pytest.raises(ConfigError, match=r"mvbot\.x\.access_token_env") as caught:
        parse_config({"event": EVENT, "mvbot": {"x": {"access_token_env": token}}})

    assert token not in str(caught.value)
    assert str(len(token)) in str(caught.value)


@pytest.mark.parametrize("key", ["access_token", "consumer_secret", "password", "app_password"])
def test_secret_key_rejected(key: str) -> None:
    with pytest.raises(ConfigError, match=rf"{key}_env") as caught:
        parse_config({"event": EVENT, "mvbot": {"x": {key: "value"}}})

    assert "'value'" not in str(caught.value)


def test_invalid_variable_name() -> None:
    with pytest.raises(ConfigError, match=r"'x-token'.*X_API_ACCESS_TOKEN"):
        parse_config({"event": EVENT, "mvbot": {"x": {"access_token_env": "x-token"}}})


def test_event_table_errors_come_from_twitchstats() -> None:
    with pytest.raises(ConfigError, match=r"\[event\].*Europe/Madird"):
        parse_config({"event": {"name": "X", "timezone": "Europe/Madird"}})


def test_missing_event_table() -> None:
    with pytest.raises(ConfigError, match=r"\[event\]"):
        parse_config({"mvbot": {}})


def test_english_messages() -> None:
    with pytest.raises(ConfigError, match="Invalid value 'wait'"):
        parse_config({"event": EVENT, "mvbot": {"partial_data": "wait"}}, language="en")


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"missing\.toml"):
        load_config(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[event\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="TOML"):
        load_config(broken)


def test_config_check_command_hides_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_API_ACCESS_TOKEN", "secret-token-value")

    result = CliRunner().invoke(build_cli(), ["config", "check", str(EXAMPLE)])

    assert result.exit_code == 0, result.output
    assert "X_API_ACCESS_TOKEN definida" in result.output
    assert "X_API_CONSUMER_KEY sin definir" in result.output
    assert "secret-token-value" not in result.output


def test_config_check_command_rejects_invalid_file(tmp_path: Path) -> None:
    path = tmp_path / "event.toml"
    path.write_text('[event]\nname = "X"\n[mvbot]\nmissed_days = "never"\n', encoding="utf-8")

    result = CliRunner().invoke(build_cli(), ["config", "check", str(path)])

    assert result.exit_code == 1
    assert "Error:" in result.output
    assert "mvbot.missed_days" in result.output
    assert "catch_up, skip" in result.output
