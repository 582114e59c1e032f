"""Impression arithmetic on hand-computed cases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from mvbot.brands import (
    BrandsError,
    QualityWeights,
    VodTiming,
    estimate_impressions,
    parse_helix_duration,
    read_viewer_csv,
    summarize_brands,
    viewers_per_minute,
)

UTC = dt.UTC


def _exposure(start: float, end: float, brand: str = "acme", **values: float) -> dict[str, object]:
    return {
        "video": "vod.mp4",
        "brand": brand,
        "start_offset_seconds": start,
        "end_offset_seconds": end,
        "duration_seconds": end - start,
        "samples": 3,
        "max_copies": 1,
        "screen_share": values.get("screen_share", 0.05),
        "visible_share": values.get("visible_share", 1.0),
        "sharpness": values.get("sharpness", 300.0),
        "center_distance": values.get("center_distance", 0.0),
        "other_brands_share": values.get("other_brands_share", 0.0),
    }


def _viewers(counts: dict[str, int]) -> pd.Series:
    index = pd.DatetimeIndex([pd.Timestamp(k, tz="UTC") for k in counts])
    return pd.Series(list(counts.values()), index=index, dtype="int64")


def test_exposure_across_minute_boundary() -> None:
    timing = VodTiming(start=dt.datetime(2021, 4, 16, 18, 0, 0, tzinfo=UTC))
    exposures = pd.DataFrame([_exposure(50, 80)])
    viewers = _viewers({"2021-04-16 18:00": 1000, "2021-04-16 18:01": 1200})

    result = estimate_impressions(exposures, timing=timing, viewers=viewers)

    row = result.iloc[0]
    assert row["impressions"] == 1000
    # 10 s at 1000 viewers, then 20 s at 1200 viewers.
    assert row["viewer_seconds"] == 10 * 1000 + 20 * 1200
    assert row["equivalent_30s"] == pytest.approx(34000 / 30)
    assert row["unknown_seconds"] == 0
    assert row["start_at"] == pd.Timestamp("2021-04-16 18:00:50", tz="UTC")


def test_gap_in_viewer_data_claims_nothing() -> None:
    timing = VodTiming(start=dt.datetime(2021, 4, 16, 18, 0, 0, tzinfo=UTC))
    exposures = pd.DataFrame([_exposure(50, 80), _exposure(110, 130)])
    # 18:00 has no sample (a collector gap); 18:01 and 18:02 do.
    viewers = _viewers({"2021-04-16 18:01": 1200, "2021-04-16 18:02": 900})

    result = estimate_impressions(exposures, timing=timing, viewers=viewers, cpm=10.0)

    first, second = result.iloc[0], result.iloc[1]
    assert pd.isna(first["impressions"])
    assert first["viewer_seconds"] == 20 * 1200
    assert first["unknown_seconds"] == 10
    assert pd.isna(first["media_value"])
    assert second["impressions"] == 1200
    assert second["viewer_seconds"] == 10 * 1200 + 10 * 900

    summary = summarize_brands(result).iloc[0]
    assert summary["impressions"] == 1200
    assert summary["exposures_without_viewers"] == 1
    assert summary["unknown_seconds"] == 10
    assert summary["exposures"] == 2
    assert summary["exposure_seconds"] == 50


def test_vod_starting_after_stream_start() -> None:
    # The stream started at 18:00:00; its archive was created 7 s later.
    timing = VodTiming.from_helix(
        {
            "id": "1001",
            "stream_id": "40001",
            "created_at": "2021-04-16T18:00:07Z",
            "duration": "1h2m3s",
        }
    )
    exposures = pd.DataFrame([_exposure(50, 60)])
    viewers = _viewers({"2021-04-16 18:00": 500, "2021-04-16 18:01": 800})

    result = estimate_impressions(exposures, timing=timing, viewers=viewers)

    row = result.iloc[0]
    # Offsets 50-60 s are 18:00:57-18:01:07: 3 s at 500 viewers and 7 s at 800.
    assert row["start_at"] == pd.Timestamp("2021-04-16 18:00:57", tz="UTC")
    assert row["impressions"] == 500
    assert row["viewer_seconds"] == 3 * 500 + 7 * 800
    assert timing.stream_id == "40001"
    assert timing.duration_seconds == 3723


def test_quality_and_media_value() -> None:
    timing = VodTiming(start=dt.datetime(2021, 4, 16, 18, 0, 0, tzinfo=UTC))
    exposure = _exposure(
        0,
        10,
        screen_share=0.0125,
        visible_share=0.8,
        sharpness=75.0,
        center_distance=1.0,
        other_brands_share=1.0,
    )
    viewers = _viewers({"2021-04-16 18:00": 2000})

    result = estimate_impressions(pd.DataFrame([exposure]), timing=timing, viewers=viewers, cpm=8.0)

    # size sqrt(0.0125 / 0.05) = 0.5, position 0.5, clarity 0.5, visibility 0.8, isolation 0.5:
    # (0.3*0.5 + 0.15*0.5 + 0.2*0.5 + 0.25*0.8 + 0.1*0.5) / 1.0 = 0.575
    row = result.iloc[0]
    assert row["quality"] == pytest.approx(0.575)
    assert row["quality_impressions"] == pytest.approx(2000 * 0.575)
    assert row["media_value"] == pytest.approx(2000 * 0.575 / 1000 * 8.0)


def test_full_quality_is_one() -> None:
    assert QualityWeights().index(_exposure(0, 10)) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        pytest.param("3h8m33s", 11313, id="hours"),
        pytest.param("50s", 50, id="seconds"),
        pytest.param("12m", 720, id="minutes"),
    ],
)
def test_parse_helix_duration(text: str, seconds: float) -> None:
    assert parse_helix_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "PT3H", "3:08:33"])
def test_parse_helix_duration_rejects(text: str) -> None:
    with pytest.raises(BrandsError, match="Duración de vídeo no válida"):
        parse_helix_duration(text)


def test_start_time_needs_zone() -> None:
    with pytest.raises(BrandsError, match="zona horaria"):
        VodTiming.from_start_time("2021-04-16T18:00:07")


def test_helix_response_with_data_list(tmp_path: Path) -> None:
    path = tmp_path / "video.json"
    path.write_text(
        '{"data": [{"id": "1", "created_at": "2021-04-16T18:00:07Z", "stream_id": "9"}]}',
        encoding="utf-8",
    )

    timing = VodTiming.from_json_file(path)

    assert timing.start == dt.datetime(2021, 4, 16, 18, 0, 7, tzinfo=UTC)
    assert timing.duration_seconds is None


def _samples() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "observed_at": pd.to_datetime(
                ["2021-04-16 18:00:02", "2021-04-16 18:01:01", "2021-04-16 18:00:03"], utc=True
            ),
            "channel_id": ["1", "1", "2"],
            "channel_login": ["ibai", "ibai", "auronplay"],
            "stream_id": ["40001", "40001", "50001"],
            "viewer_count": [1000, 1100, 5000],
        }
    )


def test_viewers_per_minute_by_stream() -> None:
    viewers = viewers_per_minute(_samples(), stream_id="40001")

    assert viewers.to_dict() == {
        pd.Timestamp("2021-04-16 18:00", tz="UTC"): 1000,
        pd.Timestamp("2021-04-16 18:01", tz="UTC"): 1100,
    }


def test_viewers_per_minute_by_login() -> None:
    viewers = viewers_per_minute(_samples(), channel="AuronPlay")

    assert viewers.tolist() == [5000]


def test_viewers_of_several_channels_rejected() -> None:
    with pytest.raises(BrandsError, match="--channel"):
        viewers_per_minute(_samples())


def test_read_viewer_csv(tmp_path: Path) -> None:
    path = tmp_path / "samples.csv"
    _samples().to_csv(path, index=False)

    samples = read_viewer_csv(path)

    assert str(samples["observed_at"].dtype).startswith("datetime64")
    assert samples["channel_id"].tolist() == ["1", "1", "2"]


def test_read_viewer_csv_names_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "samples.csv"
    path.write_text("time,viewers\n2021-04-16T18:00:00Z,5\n", encoding="utf-8")

    with pytest.raises(BrandsError, match="observed_at, viewer_count"):
        read_viewer_csv(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00", "no es texto UTF-8", id="binary"),
        pytest.param(
            b"observed_at,viewer_count\nyesterday,5\n",
            "observed_at no válidos .*yesterday",
            id="bad-time",
        ),
        pytest.param(b"", "No se pudo leer", id="empty"),
    ],
)
def test_read_viewer_csv_rejects_unreadable(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "viewers.csv"
    path.write_bytes(content)

    with pytest.raises(BrandsError, match=message) as caught:
        read_viewer_csv(path)

    assert "viewers.csv" in str(caught.value)
