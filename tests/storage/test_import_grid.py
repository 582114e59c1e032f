"""Importing samples with the collecting tool's polling interval (`observed_every`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from twitchstats import Database
from twitchstats.cli import main

HEADER = (
    "observed_at,channel_id,channel_login,stream_id,started_at,viewer_count,game_id,game_name,title"
)

# Live 20:00-20:01, nobody live 20:02-20:04, live again 20:05; the second reading is 3 s late.
ROWS = [
    "2021-04-16T20:00:00Z,101,ana,s1,2021-04-16T19:55:00Z,10,,,",
    "2021-04-16T20:01:03Z,101,ana,s1,2021-04-16T19:55:00Z,12,,,",
    "2021-04-16T20:05:00Z,101,ana,s2,2021-04-16T20:04:30Z,7,,,",
]


def _write_csv(tmp_path: Path) -> Path:
    path = tmp_path / "samples.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return path


def _poll_minutes(database: Database) -> list[str]:
    polls = database.read_polls()
    times = pd.to_datetime(polls["observed_at"], utc=True).sort_values()
    return [t.strftime("%H:%M:%S") for t in times]


def test_import_without_interval_marks_only_file_times(database: Database, tmp_path: Path) -> None:
    database.import_samples_csv(_write_csv(tmp_path))

    assert _poll_minutes(database) == ["20:00:00", "20:01:03", "20:05:00"]


def test_import_with_interval_fills_quiet_minutes(database: Database, tmp_path: Path) -> None:
    database.import_samples_csv(_write_csv(tmp_path), observed_every=dt.timedelta(minutes=1))

    assert _poll_minutes(database) == [
        "20:00:00",
        "20:01:03",
        "20:02:00",
        "20:03:00",
        "20:04:00",
        "20:05:00",
    ]
    polls = database.read_polls()
    assert set(polls["outcome"]) == {"ok"}
    assert set(polls["reason"]) == {"imported"}


def test_import_with_interval_twice_adds_nothing(database: Database, tmp_path: Path) -> None:
    path = _write_csv(tmp_path)
    database.import_samples_csv(path, observed_every=dt.timedelta(minutes=1))
    first = database.read_polls()

    inserted = database.import_samples_csv(path, observed_every=dt.timedelta(minutes=1))

    assert inserted == 0
    pd.testing.assert_frame_equal(database.read_polls(), first)


@pytest.mark.parametrize("interval", [dt.timedelta(0), dt.timedelta(seconds=-60)])
def test_import_rejects_non_positive_interval(
    database: Database, tmp_path: Path, interval: dt.timedelta
) -> None:
    with pytest.raises(ValueError, match="positive interval"):
        database.import_samples_csv(_write_csv(tmp_path), observed_every=interval)

    assert len(database.read_samples()) == 0


def test_cli_observed_every_option(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    result = CliRunner().invoke(
        main,
        ["import", "samples", str(_write_csv(tmp_path)), "--observed-every", "60", "--db", url],
    )

    assert result.exit_code == 0, result.output
    with Database(url=url) as database:
        assert len(database.read_polls()) == 6
