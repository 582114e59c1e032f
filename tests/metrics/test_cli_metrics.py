"""Tests for the `streams`, `days` and `event` commands on a real SQLite file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from metrics_series import combine, samples

from twitchstats._storage import Database
from twitchstats.cli import main

STREAM_CSV_COLUMNS = [
    "channel_login",
    "stream_id",
    "started_at",
    "ended_at",
    "airtime_minutes",
    "average_viewers",
    "peak_viewers",
    "hours_watched",
]


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    frame = combine(
        samples(
            "2021-04-05 21:30",
            [100] * 60,
            channel_id="1",
            login="alpha",
            stream_id="a1",
            games=["32982"] * 30 + ["509658"] * 30,
        ),
        samples("2021-04-05 22:33", [50] * 30, channel_id="1", login="alpha", stream_id="a2"),
        samples("2021-04-05 22:00", [20] * 30, channel_id="2", login="beta", stream_id="b1"),
    )
    with Database(url=url) as database:
        database.write_samples(frame)
    return url


def run(*arguments: str) -> str:
    result = CliRunner().invoke(main, list(arguments), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_streams_csv_columns(database_url: str) -> None:
    output = run("streams", "--format", "csv", "--db", database_url)
    frame = pd.read_csv(io.StringIO(output))
    assert set(STREAM_CSV_COLUMNS) <= set(frame.columns)
    assert list(frame["stream_id"]) == ["a1", "a2", "b1"]
    assert list(frame["airtime_minutes"]) == [60, 30, 30]
    assert list(frame["started_at"]) == [
        "2021-04-05T21:30:00Z",
        "2021-04-05T22:33:00Z",
        "2021-04-05T22:00:00Z",
    ]


def test_streams_merge_gap_and_channel(database_url: str) -> None:
    output = run(
        "streams",
        "--channel",
        "alpha",
        "--merge-gap",
        "5",
        "--format",
        "json",
        "--db",
        database_url,
    )
    rows = json.loads(output)
    assert len(rows) == 1
    assert rows[0]["stream_ids"] == "a1 a2"
    assert rows[0]["airtime_minutes"] == 90


def test_streams_by_category(database_url: str) -> None:
    output = run(
        "streams", "--channel", "alpha", "--by-category", "--format", "csv", "--db", database_url
    )
    frame = pd.read_csv(io.StringIO(output), dtype={"game_id": str})
    assert "game_name" in frame.columns
    assert list(frame["game_id"]) == ["32982", "509658", "32982"]
    assert list(frame["airtime_minutes"]) == [30, 30, 30]


def test_streams_twitchtracker_method(database_url: str) -> None:
    output = run(
        "streams",
        "--method",
        "twitchtracker",
        "--channel",
        "beta",
        "--format",
        "json",
        "--db",
        database_url,
    )
    row = json.loads(output)[0]
    # Samples 22:10, 22:20 (22:00 is the start); end 22:25; 20 x 25 / 60 = 8.3 -> 8.
    assert row["airtime_minutes"] == 25
    assert row["average_viewers"] == 20
    assert row["hours_watched"] == 8


def test_streams_unknown_channel_message(database_url: str) -> None:
    result = CliRunner().invoke(main, ["streams", "--channel", "nobody", "--db", database_url])
    assert result.exit_code == 2
    assert "nobody" in result.output


def test_days_in_madrid(database_url: str) -> None:
    output = run("days", "--tz", "Europe/Madrid", "--format", "csv", "--db", database_url)
    frame = pd.read_csv(io.StringIO(output), dtype={"channel_id": str})
    alpha = frame.loc[frame["channel_login"] == "alpha"]
    # 21:30-22:00 UTC is 23:30-00:00 in Madrid: 30 minutes on 04-05, the rest on 04-06.
    assert list(alpha["day"]) == ["2021-04-05", "2021-04-06"]
    assert list(alpha["airtime_minutes"]) == [30, 60]


def test_days_rejects_bad_zone(database_url: str) -> None:
    result = CliRunner().invoke(main, ["days", "--tz", "Madrid", "--db", database_url])
    assert result.exit_code == 2
    assert "Europe/Madrid" in result.output


def test_event_json(database_url: str, tmp_path: Path) -> None:
    config = tmp_path / "event.toml"
    config.write_text(
        '[event]\nname = "Test"\ntimezone = "Europe/Madrid"\nchannels = ["alpha", "beta"]\n'
        '[event.attribution]\ngame_ids = ["32982"]\n',
        encoding="utf-8",
    )
    document = json.loads(
        run("event", "--config", str(config), "--format", "json", "--db", database_url)
    )
    assert set(document) == {"totals", "concurrency", "rankings"}
    totals = document["totals"][0]
    # alpha's first 30 minutes (GTA V) at 100, then a2 at 50 and beta at 20 (also GTA V).
    assert totals["hours_watched"] == pytest.approx((30 * 100 + 30 * 50 + 30 * 20) / 60)
    assert totals["peak_viewers"] == 100
    assert [row["channel_login"] for row in document["rankings"]] == ["alpha", "beta"]


def test_event_csv_sections(database_url: str, tmp_path: Path) -> None:
    config = tmp_path / "event.toml"
    config.write_text('[event]\nname = "T"\nchannels = ["alpha"]\n', encoding="utf-8")
    output = run(
        "event",
        "--config",
        str(config),
        "--format",
        "csv",
        "--table",
        "totals",
        "--table",
        "daily",
        "--db",
        database_url,
    )
    assert output.startswith("# totals\n")
    assert "\n# daily\n" in output


def test_event_bad_config_message(database_url: str, tmp_path: Path) -> None:
    config = tmp_path / "event.toml"
    config.write_text('[event]\nname = "T"\ntimezone = "Nowhere"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["event", "--config", str(config), "--db", database_url])
    assert result.exit_code == 1
    assert "event.timezone 'Nowhere'" in result.output


def test_export_streams_csv_equals_streams_csv(database_url: str, tmp_path: Path) -> None:
    target = tmp_path / "streams.csv"

    run("export", "streams", "--output", str(target), "--db", database_url)

    printed = run("streams", "--format", "csv", "--db", database_url)
    assert target.read_text(encoding="utf-8") == printed


def test_export_streams_parquet_keeps_types(database_url: str, tmp_path: Path) -> None:
    target = tmp_path / "streams.parquet"

    run("export", "streams", "--by-category", "--output", str(target), "--db", database_url)

    frame = pd.read_parquet(target)
    assert list(frame["stream_id"]) == ["a1", "a1", "a2", "b1"]
    assert list(frame["game_id"][:2]) == ["32982", "509658"]
    assert str(frame["started_at"].dt.tz) == "UTC"
    assert frame["stream_ids"].iloc[0] == "a1"


def test_export_days_in_time_zone(database_url: str, tmp_path: Path) -> None:
    target = tmp_path / "days.csv"

    run("export", "days", "--tz", "Europe/Madrid", "-o", str(target), "--db", database_url)

    frame = pd.read_csv(target)
    # 21:30 UTC on 5 April is 23:30 in Madrid: alpha's first stream crosses local midnight.
    alpha = frame.loc[frame["channel_login"] == "alpha"].set_index("day")
    assert alpha.loc["2021-04-05", "airtime_minutes"] == 30
    assert alpha.loc["2021-04-06", "airtime_minutes"] == 60


@pytest.mark.parametrize("command", ["streams", "days", "event"])
def test_read_commands_refuse_missing_file(tmp_path: Path, command: str) -> None:
    path = tmp_path / "typo.db"
    arguments = [command, "--db", f"sqlite:///{path}"]
    if command == "event":
        config = tmp_path / "event.toml"
        config.write_text('[event]\nname = "T"\nchannels = ["alpha"]\n', encoding="utf-8")
        arguments += ["--config", str(config)]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 1, result.output
    assert "no SQLite database at" in result.output
    assert not path.exists()


def test_table_format_separates_thousands_in_counts() -> None:
    from twitchstats.cli._metrics import _render

    frame = pd.DataFrame(
        {
            "peak_viewers": pd.array([12345, None], dtype="Int64"),
            "airtime_minutes": [1500, 2],
            "hours_watched": [23456.5, 1.0],
        }
    )
    text = _render(frame, "table")
    assert "12,345" in text
    assert "<NA>" in text
    assert "1,500" in text
    assert "23,456.50" in text
