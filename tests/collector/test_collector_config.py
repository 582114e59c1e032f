"""Tests of the collector settings read from an event TOML file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from twitchstats import ConfigurationError
from twitchstats._collector import ChannelSpec, CollectorConfig

EVENT = """
[event]
name = "Marbella Vice"
timezone = "Europe/Madrid"
channels = ["Ibai", { login = "auronplay", display_name = "Auron", group = "Policía" },
            { login = "other", id = "12345" }]

[event.attribution]
game_ids = ["32982"]

[collector]
database_url = "sqlite:///season.db"
helix_base_url = "http://127.0.0.1:8080/helix/"
auth_base_url = "http://127.0.0.1:8080/oauth2"
interval_seconds = 60
followers_time = "05:30"
gap_threshold_seconds = 20
client_id_env = "MY_ID"
client_secret_env = "MY_SECRET"

[mvbot]
anything = true
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "event.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_event_file(tmp_path: Path) -> None:
    config = CollectorConfig.from_toml(_write(tmp_path, EVENT))
    assert config.channels == (
        ChannelSpec(login="ibai"),
        ChannelSpec(login="auronplay", display_name="Auron", group="Policía"),
        ChannelSpec(login="other", channel_id="12345"),
    )
    assert config.database_url == "sqlite:///season.db"
    assert config.helix_base_url == "http://127.0.0.1:8080/helix"
    assert config.followers_time == dt.time(5, 30, tzinfo=dt.UTC)
    assert config.gap_threshold_seconds == 20
    assert config.client_id_env == "MY_ID"
    assert config.source == str(tmp_path / "event.toml")


def test_defaults_without_collector_table(tmp_path: Path) -> None:
    config = CollectorConfig.from_toml(_write(tmp_path, '[event]\nchannels = ["abcd"]\n'))
    assert config.helix_base_url == "https://api.twitch.tv/helix"
    assert config.auth_base_url == "https://id.twitch.tv/oauth2"
    assert config.interval_seconds == 60
    assert config.database_url is None
    assert config.client_id_env == "TWITCH_CLIENT_ID"
    assert config.client_secret_env == "TWITCH_CLIENT_SECRET"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("[collector]\n", "missing \\[event\\] table", id="no-event"),
        pytest.param("[event]\nname = 'x'\n", "missing \\[event\\].channels", id="no-channels"),
        pytest.param("[event]\nchannels = []\n", "channels is empty", id="empty-channels"),
        pytest.param("[event]\nchannels = 'abc'\n", "must be a list", id="channels-not-list"),
        pytest.param(
            "[event]\nchannels = ['no spaces']\n", "invalid login 'no spaces'", id="bad-login"
        ),
        pytest.param("[event]\nchannels = [3]\n", "item 1 is 3", id="number-item"),
        pytest.param(
            "[event]\nchannels = ['abcd', 'ABCD']\n", "lists 'abcd' twice", id="duplicate"
        ),
        pytest.param(
            "[event]\nchannels = [{ login = 'abcd', id = 12 }]\n", "id 12", id="numeric-id"
        ),
        pytest.param(
            "[event]\nchannels = [{ login = 'abcd', team = 'x' }]\n",
            "unknown keys \\['team'\\]",
            id="unknown-channel-key",
        ),
        pytest.param(
            "[event]\nchannels = ['abcd']\n[collector]\ninterval = 60\n",
            "unknown \\[collector\\] keys \\['interval'\\]",
            id="unknown-key",
        ),
        pytest.param(
            "[event]\nchannels = ['abcd']\n[collector]\ninterval_seconds = 45\n",
            "interval_seconds 45",
            id="interval-not-minute",
        ),
        pytest.param(
            "[event]\nchannels = ['abcd']\n[collector]\ninterval_seconds = '60'\n",
            "interval_seconds '60': expected int",
            id="interval-string",
        ),
        pytest.param(
            "[event]\nchannels = ['abcd']\n[collector]\nfollowers_time = '25:00'\n",
            "followers_time '25:00'",
            id="bad-time",
        ),
        pytest.param(
            "[event]\nchannels = ['abcd']\n[collector]\nfollowers_time = '04:00:00+02:00'\n",
            "is not UTC",
            id="time-not-utc",
        ),
        pytest.param(
            "[event]\nchannels = ['abcd']\n[collector]\nclient_secret_env = 'abc-123'\n",
            "not its value",
            id="secret-value-instead-of-name",
        ),
        pytest.param(
            "[event]\nchannels = ['abcd']\n[collector]\nhelix_base_url = 'api.twitch.tv'\n",
            "http:// or https://",
            id="url-without-scheme",
        ),
        pytest.param(
            "[event]\nchannels = ['abcd']\n[collector]\ngap_threshold_seconds = 50\n",
            "smaller than poll_deadline_seconds",
            id="threshold-after-deadline",
        ),
        pytest.param(
            "[event]\nchannels = ['abcd']\n[collector]\nfollowers_per_poll = 0\n",
            "followers_per_poll 0",
            id="zero-followers-per-poll",
        ),
        pytest.param("[event\nchannels = []\n", "not valid TOML", id="bad-toml"),
    ],
)
def test_invalid_settings_name_key_and_fix(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigurationError, match=expected) as caught:
        CollectorConfig.from_toml(_write(tmp_path, text))
    assert "event.toml" in str(caught.value)


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="not found"):
        CollectorConfig.from_toml(tmp_path / "nope.toml")
