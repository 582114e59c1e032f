"""Reports: viewer counts from a real database, charts through kaleido, English summaries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from mvbot.brands import (
    Report,
    ScanSettings,
    VodTiming,
    build_report,
    load_brand,
    load_scan,
    scan_videos,
    summary_markdown,
    write_report,
)
from mvbot.cli import build_cli


@pytest.fixture(scope="module")
def scan_dir(logo_file: Path, logo_video: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Keyframe scan of the 10-second video: the logo is seen at 2, 4 and 6 s."""
    output = tmp_path_factory.mktemp("report") / "scan"
    brand = load_brand("skimage", [logo_file])
    scan_videos([logo_video], [brand], output_dir=output, settings=ScanSettings(width=320),
                progress=False)  # fmt: skip
    return output


def _samples() -> pd.DataFrame:
    observed = pd.to_datetime(
        ["2021-04-16 18:00:00", "2021-04-16 18:01:00", "2021-04-16 18:00:00"], utc=True
    )
    return pd.DataFrame(
        {
            "observed_at": observed,
            "channel_id": ["1", "1", "2"],
            "channel_login": ["ibai", "ibai", "auronplay"],
            "stream_id": ["40001", "40001", "50001"],
            "started_at": pd.to_datetime(["2021-04-16 17:59:50"] * 3, utc=True),
            "viewer_count": [2000, 2500, 9000],
            "game_id": ["32982"] * 3,
            "game_name": ["Grand Theft Auto V"] * 3,
            "title": ["Marbella Vice"] * 3,
        }
    )


def test_report_reads_viewers_from_database(
    scan_dir: Path, tmp_path: Path, database_url: str
) -> None:
    from twitchstats import Database

    url = database_url
    with Database(url=url) as database:
        database.write_samples(_samples())
    vod = tmp_path / "vod.json"
    vod.write_text(
        json.dumps(
            {"data": [{"id": "7", "stream_id": "40001", "created_at": "2021-04-16T18:00:57Z",
                       "duration": "10s", "user_login": "ibai"}]}
        ),
        encoding="utf-8",
    )  # fmt: skip

    result = CliRunner().invoke(
        build_cli(),
        ["brands", "report", str(scan_dir), "--vod-json", str(vod), "--db", url,
         "--chart", "none", "--output", str(tmp_path / "report")],
        catch_exceptions=False,
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    exposures = pd.read_csv(tmp_path / "report" / "exposures.csv")
    assert exposures[["start_offset_seconds", "end_offset_seconds"]].values.tolist() == [[2, 6]]
    # 18:00:59 to 18:01:03: starts in the 18:00 minute of stream 40001 (not the other channel).
    assert exposures["impressions"].tolist() == [2000]
    assert exposures["viewer_seconds"].tolist() == [1 * 2000 + 3 * 2500]


def _timed_report(scan_dir: Path, **options: Any) -> Report:
    """Report of the scan as if the VOD started at 18:00:57 UTC, with two minutes of viewers."""
    viewers = pd.Series(
        [2000, 2500],
        index=pd.DatetimeIndex(pd.to_datetime(["2021-04-16 18:00", "2021-04-16 18:01"], utc=True)),
    )
    return build_report(
        load_scan(scan_dir),
        timing=VodTiming.from_start_time("2021-04-16T18:00:57Z"),
        viewers=viewers,
        **options,
    )


@pytest.mark.chromium
@pytest.mark.slow
def test_png_timeline_written(scan_dir: Path) -> None:
    report = _timed_report(scan_dir, cpm=12.5)

    written = write_report(report, scan_dir / "out", formats=["png"])

    png = scan_dir / "out" / "timeline.png"
    assert png in written
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 10_000


def test_summary_in_english(scan_dir: Path) -> None:
    report = _timed_report(scan_dir, cpm=12.5, currency="EUR")

    english = summary_markdown(report, "en")
    spanish = summary_markdown(report)

    assert "Impressions (concurrent viewers" in english
    assert "2,000" in english
    assert "April 16, 2021" in english
    assert "not unique viewers" in english
    # 2000 x quality / 1000 x 12.5, an estimate.
    assert "Estimated media value" in english
    assert "16 de abril de 2021" in spanish
    assert "2.000" in spanish


def test_report_without_audience(scan_dir: Path) -> None:
    report = build_report(load_scan(scan_dir))

    summary = summary_markdown(report)

    assert report.brands["exposure_seconds"].tolist() == [4.0]
    assert report.brands["impressions"].isna().all()
    assert "Impresiones" not in summary
    assert "1 exposición, 4 s" in summary


@pytest.mark.parametrize(
    ("language", "separators", "axis"), [("es", ",.", "Espectadores"), ("en", ".,", "Viewers")]
)
def test_timeline_figure_speaks_language(
    scan_dir: Path, language: str, separators: str, axis: str
) -> None:
    from mvbot.brands._chart import timeline_figure

    report = _timed_report(scan_dir)

    figure = timeline_figure(report, language)

    assert figure.layout.separators == separators
    assert figure.layout.yaxis.title.text == axis
    formats = [stop.value for stop in figure.layout.xaxis2.tickformatstops]
    assert formats == ["%H:%M:%S<br>%d/%m/%Y", "%H:%M<br>%d/%m/%Y"]
