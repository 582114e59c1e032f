"""Tests of the `twitchstats collect` command, in-process and as a real process."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from twitchstats._fakehelix import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    FakeHelixFault,
    FakeHelixServer,
    FaultKind,
)
from twitchstats._storage import Database
from twitchstats.cli import main

TWITCHSTATS = str(Path(sys.executable).with_name("twitchstats"))


@pytest.fixture
def live_server() -> Iterator[FakeHelixServer]:
    """A fake server on the system clock: the collector process polls it in real time."""
    with FakeHelixServer(seed=9, channels=150) as server:
        yield server


def _event_file(tmp_path: Path, server: FakeHelixServer, extra: str = "") -> Path:
    logins = ", ".join(f'"{channel.login}"' for channel in server.simulation.channels)
    path = tmp_path / "event.toml"
    path.write_text(
        f"[event]\nchannels = [{logins}]\n\n[collector]\n"
        f'helix_base_url = "{server.helix_base_url}"\n'
        f'auth_base_url = "{server.auth_base_url}"\n'
        "followers = false\n"
        # A poll may start up to 50 s into its minute, so a test never waits for the next one.
        "gap_threshold_seconds = 50\npoll_deadline_seconds = 55\n" + extra,
        encoding="utf-8",
    )
    return path


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWITCH_CLIENT_ID", DEFAULT_CLIENT_ID)
    monkeypatch.setenv("TWITCH_CLIENT_SECRET", DEFAULT_CLIENT_SECRET)


def _check_consistent(url: str) -> pd.DataFrame:
    """Assert that every stored poll has exactly its samples; return the polls."""
    with Database(url=url) as database:
        polls = database.read_polls()
        samples = database.read_samples()
    counts = samples.groupby("observed_at").size()
    for poll in polls.itertuples():
        assert counts.get(poll.observed_at, 0) == poll.channels_live
    assert set(samples["observed_at"]) <= set(polls["observed_at"])
    return polls


def test_help_names_options() -> None:
    result = CliRunner().invoke(main, ["collect", "--help"])
    assert result.exit_code == 0
    for option in ("--config", "--once", "--db", "--until"):
        assert option in result.output


def test_missing_credentials_named(tmp_path: Path, live_server: FakeHelixServer) -> None:
    result = CliRunner().invoke(
        main, ["collect", "--config", str(_event_file(tmp_path, live_server))]
    )
    assert result.exit_code == 1
    assert "TWITCH_CLIENT_ID" in result.output
    assert "TWITCH_CLIENT_SECRET" in result.output


def test_invalid_config_reported(tmp_path: Path, credentials: None) -> None:
    path = tmp_path / "event.toml"
    path.write_text("[event]\nchannels = ['a b']\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["collect", "--config", str(path)])
    assert result.exit_code == 1
    assert "invalid login 'a b'" in result.output


def test_once_stores_one_poll(
    tmp_path: Path, live_server: FakeHelixServer, credentials: None
) -> None:
    url = f"sqlite:///{tmp_path / 'once.db'}"
    config = _event_file(tmp_path, live_server)
    result = CliRunner().invoke(main, ["collect", "--config", str(config), "--once", "--db", url])
    assert result.exit_code == 0, result.output
    polls = _check_consistent(url)
    assert len(polls) == 1
    assert polls["outcome"].iloc[0] == "ok"
    assert polls["channels_requested"].iloc[0] == 150


def test_once_failed_poll_exits_1(
    tmp_path: Path, live_server: FakeHelixServer, credentials: None
) -> None:
    live_server.add_faults(FakeHelixFault(kind=FaultKind.SERVER_ERROR, path="/helix/users"))
    url = f"sqlite:///{tmp_path / 'failed.db'}"
    config = _event_file(tmp_path, live_server, "request_timeout_seconds = 1\n")
    result = CliRunner().invoke(main, ["collect", "--config", str(config), "--once", "--db", url])
    polls = _check_consistent(url)
    assert result.exit_code == 1
    assert polls["outcome"].tolist() == ["failed"]


def test_database_url_from_config(
    tmp_path: Path, live_server: FakeHelixServer, credentials: None
) -> None:
    url = f"sqlite:///{tmp_path / 'from_config.db'}"
    config = _event_file(tmp_path, live_server, f'database_url = "{url}"\n')
    result = CliRunner().invoke(main, ["collect", "--config", str(config), "--once"])
    assert result.exit_code == 0, result.output
    assert len(_check_consistent(url)) == 1


class _Process:
    """`twitchstats collect` as a child process, with its stderr gathered by a thread."""

    def __init__(self, config: Path, url: str) -> None:
        env = {
            **os.environ,
            "TWITCH_CLIENT_ID": DEFAULT_CLIENT_ID,
            "TWITCH_CLIENT_SECRET": DEFAULT_CLIENT_SECRET,
        }
        self.process = subprocess.Popen(
            [TWITCHSTATS, "collect", "--config", str(config), "--db", url],
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.lines):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"{text!r} not logged; stderr:\n{''.join(self.lines)}")

    def stop(self, signum: int) -> float:
        started = time.monotonic()
        self.process.send_signal(signum)
        self.process.wait(timeout=30)
        self._reader.join(timeout=5)
        assert self.process.stderr is not None
        self.process.stderr.close()
        return time.monotonic() - started


def _wait_for_early_second() -> None:
    """Sleep until the wall clock is early in a minute, so the first poll starts at once."""
    second = dt.datetime.now(dt.UTC).second
    if second > 40:
        time.sleep(61 - second)


@pytest.mark.slow
def test_sigterm_during_poll_abandons_minute(tmp_path: Path, live_server: FakeHelixServer) -> None:
    live_server.add_faults(
        FakeHelixFault(kind=FaultKind.SLOW, path="/helix/streams", count=1, delay_seconds=3)
    )
    url = f"sqlite:///{tmp_path / 'term.db'}"
    _wait_for_early_second()
    collector = _Process(_event_file(tmp_path, live_server), url)
    deadline = time.monotonic() + 60
    while live_server.request_counts["/helix/streams"] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)

    collector.stop(signal.SIGTERM)
    log = "".join(collector.lines)
    assert collector.process.returncode == 0, log
    assert "was abandoned" in log
    assert "Collector stopped" in log
    assert _check_consistent(url).empty


@pytest.mark.slow
def test_sigint_between_polls_stops_cleanly(tmp_path: Path, live_server: FakeHelixServer) -> None:
    url = f"sqlite:///{tmp_path / 'int.db'}"
    _wait_for_early_second()
    collector = _Process(_event_file(tmp_path, live_server), url)
    collector.wait_for("Poll ")

    elapsed = collector.stop(signal.SIGINT)
    log = "".join(collector.lines)
    polls = _check_consistent(url)
    assert collector.process.returncode == 0, log
    assert "Traceback" not in log
    assert "Collector stopped: 1 ok" in log
    # Well under the minute that a stop waiting for the next poll could take (shared CPUs)
    assert elapsed < 15
    assert polls["outcome"].tolist() == ["ok"]
