"""Merging detections into exposures."""

from __future__ import annotations

import pandas as pd
import pytest

from mvbot.brands import ExposureRules, find_exposures

VIDEO = "/videos/vod.mp4"


def _frames(offsets: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"video": VIDEO, "offset_seconds": offsets})


def _detections(rows: list[tuple[float, str, float]], **extra: float) -> pd.DataFrame:
    """Rows of (offset, brand, visible_share) with a 100x100 logo at the screen centre."""
    records = []
    for offset, brand, visible in rows:
        records.append(
            {
                "video": VIDEO,
                "offset_seconds": offset,
                "brand": brand,
                "x": 590,
                "y": 310,
                "width": 100,
                "height": 100,
                "screen_share": extra.get("screen_share", 0.01),
                "visible_share": visible,
                "sharpness": 200.0,
                "frame_width": 1280,
                "frame_height": 720,
            }
        )
    return pd.DataFrame(records)


def test_consecutive_detections_merge() -> None:
    frames = _frames([0, 2, 4, 6, 8, 10])
    detections = _detections([(2, "acme", 1.0), (4, "acme", 1.0), (6, "acme", 1.0)])

    exposures = find_exposures(frames, detections)

    assert len(exposures) == 1
    row = exposures.iloc[0]
    assert row["start_offset_seconds"] == 2
    assert row["end_offset_seconds"] == 6
    assert row["duration_seconds"] == 4
    assert row["samples"] == 3


def test_one_missed_sample_is_bridged() -> None:
    frames = _frames([0, 2, 4, 6, 8])
    detections = _detections([(0, "acme", 1.0), (2, "acme", 1.0), (6, "acme", 1.0)])

    exposures = find_exposures(frames, detections)

    assert exposures[["start_offset_seconds", "end_offset_seconds"]].values.tolist() == [[0, 6]]


def test_two_missed_samples_split() -> None:
    frames = _frames([0, 2, 4, 6, 8, 10])
    detections = _detections(
        [(0, "acme", 1.0), (2, "acme", 1.0), (8, "acme", 1.0), (10, "acme", 1.0)]
    )

    exposures = find_exposures(frames, detections)

    assert exposures["start_offset_seconds"].tolist() == [0, 8]
    assert exposures["duration_seconds"].tolist() == [2, 2]


def test_single_frame_does_not_count() -> None:
    frames = _frames([0, 2, 4])
    detections = _detections([(2, "acme", 1.0)])

    assert find_exposures(frames, detections).empty


def test_short_run_below_min_seconds_dropped() -> None:
    frames = _frames([0.0, 0.5, 1.0, 1.5, 2.0])
    detections = _detections([(0.0, "acme", 1.0), (0.5, "acme", 1.0), (1.0, "acme", 1.0)])

    assert find_exposures(frames, detections).empty
    relaxed = find_exposures(frames, detections, rules=ExposureRules(min_seconds=1.0))
    assert relaxed["duration_seconds"].tolist() == [1.0]


def test_half_hidden_logo_does_not_count() -> None:
    frames = _frames([0, 2, 4, 6])
    detections = _detections([(0, "acme", 0.4), (2, "acme", 0.45), (4, "acme", 0.3)])

    assert find_exposures(frames, detections).empty
    loose = find_exposures(frames, detections, rules=ExposureRules(min_visible_share=0.25))
    assert loose["duration_seconds"].tolist() == [4]


def test_copies_count_once() -> None:
    frames = _frames([0, 2, 4])
    detections = _detections(
        [(0, "acme", 1.0), (0, "acme", 1.0), (2, "acme", 1.0), (2, "acme", 1.0), (4, "acme", 1.0)]
    )

    exposures = find_exposures(frames, detections)

    assert exposures["duration_seconds"].tolist() == [4]
    assert exposures["max_copies"].tolist() == [2]
    assert exposures["other_brands_share"].tolist() == [0.0]


def test_brands_kept_apart_and_other_brands_measured() -> None:
    frames = _frames([0, 2, 4, 6])
    detections = _detections(
        [(0, "acme", 1.0), (2, "acme", 1.0), (2, "beta", 1.0), (4, "beta", 1.0), (6, "beta", 1.0)]
    )

    exposures = find_exposures(frames, detections)

    assert exposures["brand"].tolist() == ["acme", "beta"]
    assert exposures["other_brands_share"].tolist() == pytest.approx([0.5, 1 / 3])


def test_centre_distance_zero_at_centre() -> None:
    frames = _frames([0, 2])
    detections = _detections([(0, "acme", 1.0), (2, "acme", 1.0)])

    exposures = find_exposures(frames, detections)

    assert exposures["center_distance"].iloc[0] == pytest.approx(0.0, abs=0.01)


def test_no_detections_gives_empty_table() -> None:
    exposures = find_exposures(_frames([0, 2]), _detections([]))

    assert exposures.empty
    assert "duration_seconds" in exposures.columns
