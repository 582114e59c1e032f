"""Tests for the daily job and `mvbot daily` on a real SQLite database and real rendering."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import responses
from click.testing import CliRunner
from PIL import Image

from mvbot._config import load_config
from mvbot.cli import build_cli
from mvbot.daily import due_days, load_day_data, run_daily
from mvbot.daily._job import Renderer
from mvbot.publish import (
    OutboxPublisher,
    PublicationLedger,
    PublisherSetupError,
    XPublisher,
    contains_url,
    x_weighted_length,
)
from twitchstats import Database

NOW = dt.datetime(2021, 4, 16, 8, 30, tzinfo=dt.UTC)  # 10:30 in Madrid


def test_day_data_ranks_channels(database: Database, event_file: Path) -> None:
    config = load_config(event_file)

    data = load_day_data(database, config, dt.date(2021, 4, 15))

    assert data.day_number == 2
    assert data.coverage.expected_minutes == 1440
    assert data.coverage.longest_gap_minutes == 0
    average = data.rankings["average_viewers"]
    assert list(average["channel_login"]) == ["ibai", "auronplay", "elxokas", "knekro"]
    assert list(average["rank"]) == [1, 2, 3, 4]
    assert list(average["previous_rank"]) == [1, 2, 3, 4]
    hours = data.rankings["hours_watched"].set_index("channel_login")["value"]
    averages = average.set_index("channel_login")["value"]
    # auronplay streams from 17:00 to 23:00 with 15,000 + 1,500 + 0..55 viewers. Whether the
    # last five-minute sample counts as a full interval is the metrics engine's choice.
    assert averages["auronplay"] == pytest.approx(16_527.5, abs=1)
    assert 5.9 <= hours["auronplay"] / averages["auronplay"] <= 6.0
    assert data.concurrency is not None
    times = data.concurrency["observed_at"]
    assert times.min() == dt.datetime(2021, 4, 14, 22, 0, tzinfo=dt.UTC)  # local midnight
    assert times.max() < dt.datetime(2021, 4, 15, 22, 0, tzinfo=dt.UTC)
    names = data.channels.set_index("login")["display_name"]
    assert names["auronplay"] == "Auron"


def test_day_with_gap_is_partial(database: Database, event_file: Path) -> None:
    config = load_config(event_file)

    data = load_day_data(database, config, dt.date(2021, 4, 16))

    assert data.coverage.longest_gap_minutes == 120
    assert data.coverage.missing_minutes == 120
    assert data.coverage.is_partial(15)


@pytest.mark.slow
def test_dry_run_cli_writes_complete_outbox(
    database: Database, database_url: str, event_file: Path, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        build_cli(),
        [
            "daily",
            "--config",
            str(event_file),
            "--date",
            "2021-04-15",
            "--dry-run",
            "--db",
            database_url,
        ],
    )

    assert result.exit_code == 0, result.output
    folder = tmp_path / "outbox" / "marbella-vice" / "2021-04-15"
    assert str(folder) in result.output
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    text = (folder / "post.txt").read_text(encoding="utf-8").rstrip("\n")
    assert manifest["text"] == text
    assert manifest["key"] == "marbella-vice/2021-04-15"
    assert manifest["language"] == "es"
    assert manifest["x_weighted_length"] == x_weighted_length(text) <= 280
    assert manifest["contains_url"] is False
    assert not contains_url(text)
    assert "Marbella Vice · día 2 · 15 de abril de 2021" in text
    assert "🥇 Ibai" in text
    assert "#MarbellaVice" in text
    assert "Datos parciales" not in text

    images = manifest["images"]
    assert len(images) == 4
    for number, entry in enumerate(images, start=1):
        with Image.open(folder / entry["file"]) as image:
            assert image.format == "PNG"
            assert image.size == (1200, 675)
        alt_text = (folder / f"alt-{number:02d}.txt").read_text(encoding="utf-8").strip()
        assert alt_text == entry["alt_text"]
        assert 0 < len(alt_text) <= 1000
    assert "Ibai" in images[0]["alt_text"]


def test_partial_day_post_says_so(
    database: Database, event_file: Path, tmp_path: Path, quick_render: Renderer
) -> None:
    config = load_config(event_file)
    outbox = OutboxPublisher(root=tmp_path / "outbox")

    [result] = run_daily(
        config,
        database=database,
        day=dt.date(2021, 4, 16),
        dry_run=True,
        publishers=[outbox],
        render=quick_render,
    )

    assert result.status == "dry_run"
    assert result.partial is True
    assert result.text is not None
    assert "⚠️ Datos parciales: faltan 120 min de registro ese día." in result.text
    assert x_weighted_length(result.text) <= 280


def test_partial_day_held_by_setting(
    database: Database, event_file_factory: Callable[[str], Path]
) -> None:
    config = load_config(event_file_factory('partial_data = "hold"'))

    [result] = run_daily(config, database=database, day=dt.date(2021, 4, 16), now=NOW)

    assert result.status == "held"
    assert result.text is None
    assert "retenido" in result.messages[-1]
    ledger = PublicationLedger(database.engine)
    row = ledger.get("marbella-vice", dt.date(2021, 4, 16), "outbox")
    assert row is not None
    assert row.status == "held"


def test_day_without_data_is_not_posted(
    database: Database, event_file: Path, tmp_path: Path
) -> None:
    config = load_config(event_file)

    [result] = run_daily(config, database=database, day=dt.date(2021, 4, 20), dry_run=True)

    assert result.status == "no_data"
    assert "no hay datos" in result.messages[0]
    assert not (tmp_path / "outbox" / "marbella-vice" / "2021-04-20").exists()


def test_day_outside_event_is_not_posted(database: Database, event_file: Path) -> None:
    config = load_config(event_file)

    [result] = run_daily(config, database=database, day=dt.date(2021, 4, 10), dry_run=True)

    assert result.status == "outside_event"


def test_english_post(database: Database, event_file: Path, quick_render: Renderer) -> None:
    config = load_config(event_file)

    [result] = run_daily(
        config,
        database=database,
        day=dt.date(2021, 4, 15),
        dry_run=True,
        lang="en",
        render=quick_render,
    )

    assert result.text is not None
    assert "Marbella Vice · day 2 · April 15, 2021" in result.text
    assert "Average viewers:" in result.text


def test_rerun_posts_once_with_ledger(
    database: Database, event_file: Path, tmp_path: Path, quick_render: Renderer
) -> None:
    config = load_config(event_file)
    day = dt.date(2021, 4, 15)

    [first] = run_daily(config, database=database, day=day, now=NOW, render=quick_render)
    manifest = tmp_path / "outbox" / "marbella-vice" / "2021-04-15" / "manifest.json"
    written_at = manifest.stat().st_mtime_ns
    [second] = run_daily(config, database=database, day=day, now=NOW, render=quick_render)

    assert first.status == "posted"
    assert first.outcomes[0].status == "posted"
    assert "carpeta de salida" in first.messages[0]
    assert second.status == "posted"
    assert second.outcomes[0].status == "already_posted"
    assert manifest.stat().st_mtime_ns == written_at


def test_catch_up_posts_missed_days(
    database: Database, event_file: Path, quick_render: Renderer
) -> None:
    config = load_config(event_file)
    ledger = PublicationLedger(database.engine)
    ledger.upgrade()
    ledger.mark_posted("marbella-vice", dt.date(2021, 4, 14), "outbox", post_id="p", url=None)
    today = dt.date(2021, 4, 17)

    assert due_days(config, ledger, ["outbox"], today) == [
        dt.date(2021, 4, 15),
        dt.date(2021, 4, 16),
    ]
    now = dt.datetime(2021, 4, 17, 8, tzinfo=dt.UTC)
    results = run_daily(config, database=database, now=now, render=quick_render)

    assert [result.day for result in results] == [dt.date(2021, 4, 15), dt.date(2021, 4, 16)]
    assert [result.status for result in results] == ["posted", "posted"]
    assert due_days(config, ledger, ["outbox"], today) == []


def test_skip_posts_only_yesterday(
    database: Database, event_file_factory: Callable[[str], Path]
) -> None:
    config = load_config(event_file_factory('missed_days = "skip"'))
    ledger = PublicationLedger(database.engine)
    ledger.upgrade()
    ledger.mark_posted("marbella-vice", dt.date(2021, 4, 14), "outbox", post_id="p", url=None)

    assert due_days(config, ledger, ["outbox"], dt.date(2021, 4, 17)) == [dt.date(2021, 4, 16)]


def test_first_run_posts_yesterday_only(database: Database, event_file: Path) -> None:
    config = load_config(event_file)
    ledger = PublicationLedger(database.engine)
    ledger.upgrade()

    assert due_days(config, ledger, ["x"], dt.date(2021, 4, 17)) == [dt.date(2021, 4, 16)]


def test_failed_recent_day_is_retried(database: Database, event_file: Path) -> None:
    config = load_config(event_file)
    ledger = PublicationLedger(database.engine)
    ledger.upgrade()
    ledger.mark_posted("marbella-vice", dt.date(2021, 4, 16), "x", post_id="p", url=None)
    ledger.mark_failed(
        "marbella-vice", dt.date(2021, 4, 15), "x", reason="402", outcome_unknown=False
    )

    assert due_days(config, ledger, ["x"], dt.date(2021, 4, 17)) == [dt.date(2021, 4, 15)]


def test_cli_exit_status_on_invalid_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[event]\nname = "X"\n[mvbot]\ntop_n = 11\n', encoding="utf-8")

    result = CliRunner().invoke(build_cli(), ["daily", "--config", str(path), "--dry-run"])

    assert result.exit_code == 1
    assert "mvbot.top_n" in result.output
    assert "11" in result.output


X_ENVIRONMENT = {
    "X_API_CONSUMER_KEY": "ck-test",
    "X_API_CONSUMER_SECRET": "cs-test",
    "X_API_ACCESS_TOKEN": "at-test",
    "X_API_ACCESS_TOKEN_SECRET": "ats-test",
}


def test_daily_posts_to_x_once(
    database: Database, event_file: Path, quick_render: Renderer
) -> None:
    config = load_config(event_file)
    day = dt.date(2021, 4, 15)

    with responses.RequestsMock() as x_api:
        x_api.post("https://api.x.com/2/media/upload", json={"data": {"id": "77"}})
        x_api.post("https://api.x.com/2/media/metadata", json={"data": {}})
        create = x_api.post(
            "https://api.twitter.com/2/tweets", status=201, json={"data": {"id": "999"}}
        )
        [first] = run_daily(
            config, database=database, day=day, now=NOW, environ=X_ENVIRONMENT, render=quick_render
        )
        [second] = run_daily(
            config, database=database, day=day, now=NOW, environ=X_ENVIRONMENT, render=quick_render
        )

        assert create.call_count == 1
        sent = json.loads(create.calls[0].request.body)
        uploads = [call for call in x_api.calls if call.request.url.endswith("/media/upload")]

    assert first.status == "posted"
    assert first.outcomes[0].post is not None
    assert first.outcomes[0].post.url == "https://x.com/i/web/status/999"
    assert "publicado en x" in first.messages[0]
    assert sent == {"text": first.text, "media": {"media_ids": ["77", "77", "77", "77"]}}
    assert len(uploads) == 4
    assert second.outcomes[0].status == "already_posted"


def test_incomplete_x_credentials_name_missing_variable(
    database: Database, event_file: Path
) -> None:
    config = load_config(event_file)
    environment = {"X_API_CONSUMER_KEY": "ck-test"}

    with pytest.raises(PublisherSetupError, match="X_API_CONSUMER_SECRET"):
        run_daily(config, database=database, day=dt.date(2021, 4, 15), environ=environment)


def test_run_command_without_twitch_credentials(event_file: Path) -> None:
    result = CliRunner().invoke(build_cli(), ["run", "--config", str(event_file)])

    assert result.exit_code == 1
    assert "TEST_TWITCH_CLIENT_ID" in result.output
    assert "TEST_TWITCH_CLIENT_SECRET" in result.output


def test_new_publisher_starts_from_yesterday(database: Database, event_file: Path) -> None:
    config = load_config(event_file)
    ledger = PublicationLedger(database.engine)
    ledger.upgrade()
    for day in (dt.date(2021, 4, 14), dt.date(2021, 4, 15)):
        ledger.mark_posted("marbella-vice", day, "outbox", post_id="p", url=None)

    assert due_days(config, ledger, ["x"], dt.date(2021, 4, 17)) == [dt.date(2021, 4, 16)]
    assert due_days(config, ledger, ["outbox"], dt.date(2021, 4, 17)) == [dt.date(2021, 4, 16)]


def test_dry_run_ignores_network_publishers(
    database: Database, event_file: Path, tmp_path: Path, quick_render: Renderer
) -> None:
    config = load_config(event_file)
    network = XPublisher(
        consumer_key="a", consumer_secret="b", access_token="c", access_token_secret="d"
    )

    with responses.RequestsMock() as x_api:
        [result] = run_daily(
            config,
            database=database,
            day=dt.date(2021, 4, 15),
            dry_run=True,
            publishers=[network],
            render=quick_render,
        )
        assert len(x_api.calls) == 0

    assert result.status == "dry_run"
    assert (tmp_path / "outbox" / "marbella-vice" / "2021-04-15" / "manifest.json").is_file()
