"""End-to-end test of `mvbot demo`: the real fake server, collector, daily job and dashboards."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from mvbot.cli import build_cli
from mvbot.demo import MARKER_NAME, DemoPlan
from twitchstats import ChromiumNotFoundError, Database
from twitchstats.charts import find_chromium

pytestmark = [pytest.mark.slow, pytest.mark.chromium]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DAY = "2025-05-12"
EVENT_ID = "vice-city-nights-demo"


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == PNG_SIGNATURE, f"{path} is not a PNG file"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Run `mvbot demo --days 1 --channels 40` once for the module; return the folder and output."""
    try:
        find_chromium()
    except ChromiumNotFoundError:
        pytest.skip("no Chromium browser: install the chromium package to run this test")
    output = tmp_path_factory.mktemp("demo") / "demo-output"
    result = CliRunner().invoke(
        build_cli(),
        ["demo", "--output", str(output), "--days", "1", "--channels", "40", "--seed", "7"],
    )
    assert result.exit_code == 0, result.output
    return output, result.output


def test_every_minute_has_a_poll(demo_run: tuple[Path, str]) -> None:
    output, _ = demo_run
    plan = DemoPlan.build(1)
    with Database(url=f"sqlite:///{output / 'twitchstats.db'}") as database:
        polls = database.read_polls()

    expected = pd.date_range(plan.start, plan.until, freq="min", inclusive="left")
    observed = pd.DatetimeIndex(polls["observed_at"]).sort_values()
    failed = polls.loc[polls["outcome"] == "failed"]

    assert len(polls) == plan.total_minutes
    assert observed.equals(expected)
    assert set(polls["outcome"]) <= {"ok", "partial", "failed"}
    assert (failed["reason"].astype(str).str.len() > 0).all()


def test_outage_is_recorded_as_gap(demo_run: tuple[Path, str]) -> None:
    output, _ = demo_run
    plan = DemoPlan.build(1)
    with Database(url=f"sqlite:///{output / 'twitchstats.db'}") as database:
        polls = database.read_polls()

    failed = polls.loc[polls["outcome"] == "failed"]
    outage = pd.date_range(plan.outage_start, plan.outage_end, freq="min", inclusive="left")

    assert list(pd.DatetimeIndex(failed["observed_at"]).sort_values()) == list(outage)
    assert set(failed["reason"]) == {"collector not running"}


def test_channels_and_samples_are_stored(demo_run: tuple[Path, str]) -> None:
    output, _ = demo_run
    with Database(url=f"sqlite:///{output / 'twitchstats.db'}") as database:
        channels = database.read_channels()
        samples = database.read_samples()
        followers = database.read_follower_snapshots()

    assert len(channels) >= 40
    assert samples["channel_id"].nunique() > 10
    assert samples["game_name"].nunique() > 1  # category switches
    assert len(followers) > 0


def test_outbox_has_the_day(demo_run: tuple[Path, str]) -> None:
    output, _ = demo_run
    folder = output / "outbox" / EVENT_ID / DAY
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))

    assert [path.parent.name for path in (output / "outbox").rglob("manifest.json")] == [DAY]
    assert manifest["language"] == "es"
    assert "Vice City Nights Demo" in manifest["text"]
    assert len(manifest["images"]) == 4
    for image in manifest["images"]:
        assert _png_size(folder / image["file"]) == (1200, 675)
        assert image["alt_text"]
        assert (folder / image["alt_text_file"]).is_file()


def test_images_are_written(demo_run: tuple[Path, str]) -> None:
    output, _ = demo_run
    images = sorted((output / "images" / EVENT_ID / DAY).glob("*.png"))

    assert len(images) == 4
    assert all(_png_size(path) == (1200, 675) for path in images)


def test_dashboards_are_written(demo_run: tuple[Path, str]) -> None:
    output, _ = demo_run
    folder = output / "dashboards"
    with Database(url=f"sqlite:///{output / 'twitchstats.db'}") as database:
        login = str(database.read_channels()["login"].iloc[0])

    index = (folder / "index.html").read_text(encoding="utf-8")
    page = (folder / f"{login}.html").read_text(encoding="utf-8")

    assert "Vice City Nights Demo" in index
    assert f"{login}.html" in index
    assert login in page.lower()
    assert (folder / "plotly.min.js").is_file()


def test_output_names_every_path(demo_run: tuple[Path, str]) -> None:
    output, printed = demo_run

    assert (output / MARKER_NAME).is_file()
    for path in (
        output / "twitchstats.db",
        output / "images",
        output / "dashboards" / "index.html",
        output / "outbox",
        output / "mvbot-demo.log",
    ):
        assert path.exists()
        assert str(path) in printed
    assert "Demo terminada." in printed
    assert "Hueco registrado: 30 min (el recolector no estaba en marcha)." in printed
