"""Importing and exporting samples as CSV, through the library and the CLI."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from storage_samples import samples_frame

from twitchstats import ChannelRecord, Database, SampleImportError
from twitchstats._storage._csv import samples_csv_text
from twitchstats.cli import main

HEADER = (
    "observed_at,channel_id,channel_login,stream_id,started_at,viewer_count,game_id,game_name,title"
)


def _write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_reports_line_numbers(database: Database, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "bad.csv",
        HEADER,
        "2021-04-05T18:00:00Z,101,ibai,1,2021-04-05T17:00:00Z,10,,,",
        "2021-04-05T18:00:00,102,auron,2,,10,,,",
        '2021-04-05T18:00:00Z,103,knekro,3,,"many",,,',
        "2021-04-05T18:00:00Z,,,4,,10,,,",
        "2021-04-05T18:00:00Z,105,rubius,5,,10,,GTA V,",
        "2021-04-05T18:00:00Z,101,ibai,1,2021-04-05T17:00:00Z,11,,,",
    )

    with pytest.raises(SampleImportError) as info:
        database.import_samples_csv(path)

    errors = dict(info.value.errors)
    assert sorted(errors) == [3, 4, 5, 6, 7]
    assert "no UTC offset" in errors[3]
    assert "'many' is not an integer" in errors[4]
    assert "both empty" in errors[5]
    assert "has no game_id" in errors[6]
    assert "line 2" in errors[7]
    assert database.read_samples().empty
    assert database.read_polls().empty


def test_multiline_title_keeps_line_numbers(database: Database, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "multiline.csv",
        HEADER,
        '2021-04-05T18:00:00Z,101,ibai,1,,10,,,"first line',
        'second line"',
        "2021-04-05T18:00:00Z,102,auron,2,,-4,,,",
    )

    with pytest.raises(SampleImportError) as info:
        database.import_samples_csv(path)

    assert [line for line, _ in info.value.errors] == [4]


def test_header_errors(database: Database, tmp_path: Path) -> None:
    path = _write(tmp_path / "header.csv", "observed_at,channel,viewers", "x,y,z")

    with pytest.raises(SampleImportError, match="unknown columns") as info:
        database.import_samples_csv(path)

    assert info.value.errors[0][0] == 1
    assert "viewer_count" in info.value.errors[0][1]


def test_import_twice_adds_nothing(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "samples.csv"
    path.write_text(samples_csv_text(samples_frame(channels=3, minutes=5)), encoding="utf-8")

    first = database.import_samples_csv(path)
    second = database.import_samples_csv(path)

    assert first == 15
    assert second == 0
    assert len(database.read_samples()) == 15
    assert len(database.read_polls()) == 5


def test_login_only_rows(database: Database, tmp_path: Path) -> None:
    database.upsert_channels(
        [
            ChannelRecord(
                channel_id="101", login="ibai", observed_at=pd.Timestamp("2021-04-01", tz="UTC")
            )
        ]
    )
    path = _write(
        tmp_path / "logins.csv",
        "observed_at,channel_login,viewer_count",
        "2021-04-05T18:00:00Z,IBAI,10",
        "2021-04-05T18:00:00Z,newcomer,3",
    )

    database.import_samples_csv(path)

    samples = database.read_samples()
    assert samples["channel_id"].astype(str).tolist() == ["101", "login:newcomer"]
    assert samples["channel_login"].astype(str).tolist() == ["ibai", "newcomer"]


def test_id_only_row_needs_known_channel(database: Database, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "ids.csv", "observed_at,channel_id,viewer_count", "2021-04-05T18:00:00Z,555,1"
    )

    with pytest.raises(SampleImportError, match="not in the database"):
        database.import_samples_csv(path)


def test_export_import_round_trip(database: Database, tmp_path: Path) -> None:
    frame = samples_frame(channels=4, minutes=6)
    frame.loc[3, "title"] = 'comma, "quotes" and\nnewline'
    frame.loc[5, "started_at"] = pd.NaT
    frame.loc[6, "stream_id"] = ""
    frame.loc[7, "observed_at"] = frame.loc[7, "observed_at"] + pd.Timedelta(microseconds=5)
    database.write_samples(frame)
    exported = database.read_samples()
    path = tmp_path / "export.csv"
    path.write_text(samples_csv_text(exported), encoding="utf-8")

    with Database(url=f"sqlite:///{tmp_path / 'fresh.db'}") as fresh:
        fresh.import_samples_csv(path)
        reimported = fresh.read_samples()

    pd.testing.assert_frame_equal(reimported, exported)


def test_cli_import_and_export(tmp_path: Path, database_url: str) -> None:
    source = tmp_path / "in.csv"
    source.write_text(samples_csv_text(samples_frame(channels=2, minutes=3)), encoding="utf-8")
    runner = CliRunner()

    imported = runner.invoke(main, ["import", "samples", str(source), "--db", database_url])
    exported = runner.invoke(
        main,
        [
            "export",
            "samples",
            "--db",
            database_url,
            "--channel",
            "streamer1",
            "--since",
            "2021-04-05T18:01:00Z",
        ],
    )

    assert imported.exit_code == 0, imported.output
    assert "Imported 6 new samples" in imported.output
    assert exported.exit_code == 0, exported.output
    frame = pd.read_csv(io.StringIO(exported.stdout), dtype=str, keep_default_na=False)
    assert frame["channel_login"].tolist() == ["streamer1", "streamer1"]
    assert frame["observed_at"].tolist() == ["2021-04-05T18:01:00Z", "2021-04-05T18:02:00Z"]


def test_cli_import_errors_exit_non_zero(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.csv", HEADER, "yesterday,101,ibai,,,10,,,")
    runner = CliRunner()

    result = runner.invoke(
        main, ["import", "samples", str(path), "--db", f"sqlite:///{tmp_path / 'cli.db'}"]
    )

    assert result.exit_code == 1
    assert f"{path}:2: observed_at 'yesterday' is not an ISO 8601 timestamp" in result.stderr
    assert "nothing was imported" in result.stderr


def test_cli_export_parquet(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'parquet.db'}"
    with Database(url=url) as database:
        database.write_samples(samples_frame(channels=2, minutes=2))
        expected = database.read_samples()
    output = tmp_path / "samples.parquet"

    result = CliRunner().invoke(main, ["export", "samples", "--db", url, "--output", str(output)])

    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(pd.read_parquet(output), expected, check_categorical=False)


def test_cli_export_unknown_channel(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'none.db'}"
    Database(url=url).open().close()

    result = CliRunner().invoke(main, ["export", "samples", "--db", url, "--channel", "nobody"])

    assert result.exit_code == 2
    assert "no stored channel has the login or id 'nobody'" in result.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            "observed_at,channel_login,viewer_count\n2024-01-01T00:00:00Z,d\xeda,5\n".encode(
                "latin-1"
            ),
            "is not UTF-8 text (it contains the byte 0xed)",
            id="latin-1",
        ),
        pytest.param(
            "observed_at,channel_login,viewer_count\n".encode("utf-16"),
            "is not UTF-8 text",
            id="utf-16",
        ),
        pytest.param(
            b"observed_at;channel_login;viewer_count\n",
            "this file uses semicolons",
            id="semicolons",
        ),
    ],
)
def test_cli_import_names_file_problem(tmp_path: Path, content: bytes, expected: str) -> None:
    source = tmp_path / "samples.csv"
    source.write_bytes(content)
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    result = CliRunner().invoke(main, ["import", "samples", str(source), "--db", url])
    assert result.exit_code == 1
    assert expected in result.output
    assert "nothing was imported" in result.output
    with Database(url=url) as database:
        assert len(database.read_samples()) == 0


def test_cli_failed_import_leaves_no_new_database(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.csv", HEADER, "yesterday,101,ibai,,,10,,,")
    target = tmp_path / "new.db"

    result = CliRunner().invoke(
        main, ["import", "samples", str(path), "--db", f"sqlite:///{target}"]
    )

    assert result.exit_code == 1
    assert "nothing was imported" in result.stderr
    assert sorted(tmp_path.iterdir()) == [path]


def test_cli_failed_import_keeps_existing_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kept.db'}"
    with Database(url=url) as database:
        database.write_samples(samples_frame(channels=1, minutes=2))
    path = _write(tmp_path / "bad.csv", HEADER, "yesterday,101,ibai,,,10,,,")

    result = CliRunner().invoke(main, ["import", "samples", str(path), "--db", url])

    assert result.exit_code == 1
    with Database(url=url, create=False) as database:
        assert len(database.read_samples()) == 2


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("sqlite:///season.db", "season.db", id="relative"),
        pytest.param("sqlite://", None, id="memory"),
        pytest.param("postgresql+psycopg://user@host/db", None, id="postgresql"),
    ],
)
def test_sqlite_path_of_url(url: str, expected: str | None) -> None:
    path = Database(url=url).sqlite_path

    if expected is None:
        assert path is None
    else:
        assert path == (Path.cwd() / expected).resolve()
