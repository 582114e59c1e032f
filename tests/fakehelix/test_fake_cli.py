"""Tests of the `twitchstats fake-helix` command."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from twitchstats._collector import CollectorConfig
from twitchstats.cli import main

TWITCHSTATS = str(Path(sys.executable).with_name("twitchstats"))


def test_rejects_non_loopback_host() -> None:
    result = CliRunner().invoke(main, ["fake-helix", "--host", "0.0.0.0", "--port", "0"])  # noqa: S104
    assert result.exit_code == 1
    assert "loopback" in result.output


def test_rejects_naive_start() -> None:
    result = CliRunner().invoke(
        main, ["fake-helix", "--clock", "manual", "--start", "2021-04-16T19:00:00"]
    )
    assert result.exit_code == 2
    assert "no time zone" in result.output


@pytest.mark.slow
def test_serves_and_writes_event_file(tmp_path: Path) -> None:
    event_file = tmp_path / "event.toml"
    command = [
        TWITCHSTATS, "fake-helix", "--port", "0", "--channels", "20", "--clock", "manual",
        "--start", "2021-04-16T19:00:00Z", "--write-event", str(event_file),
    ]  # fmt: skip
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        url = ""
        deadline = time.monotonic() + 30
        while not url and time.monotonic() < deadline:
            line = process.stderr.readline()
            if "listening on" in line:
                url = line.split("listening on ")[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        clock = httpx.get(f"{url}/_fake/clock", timeout=5).json()
        config = CollectorConfig.from_toml(event_file)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr_tail = process.communicate(timeout=10)

    assert clock == {"now": "2021-04-16T19:00:00+00:00", "kind": "manual"}
    assert len(config.channels) == 20
    assert config.helix_base_url == f"{url}/helix"
    assert config.auth_base_url == f"{url}/oauth2"
    assert process.returncode == 0
    assert "Fake Helix stopped" in stderr_tail
