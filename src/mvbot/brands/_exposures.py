"""Exposures: runs of frames in which a brand's logo is visible enough, merged over short gaps."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd

__all__ = ["EXPOSURE_COLUMNS", "ExposureRules", "find_exposures"]

EXPOSURE_COLUMNS = [
    "video",
    "brand",
    "start_offset_seconds",
    "end_offset_seconds",
    "duration_seconds",
    "samples",
    "max_copies",
    "screen_share",
    "visible_share",
    "sharpness",
    "center_distance",
    "other_brands_share",
]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ExposureRules:
    """When detections make a countable exposure.

    The defaults follow the video viewability rule used in advertising: at least half of the
    logo visible for at least two continuous seconds.

    Attributes:
        min_visible_share: a frame counts when one copy has at least this visible share.
        min_seconds: shortest exposure, from the first to the last counting frame.
        max_missed_samples: sampled frames without the logo that may sit inside one exposure
            (a detector miss, a passing occlusion).
    """

    min_visible_share: float = 0.5
    min_seconds: float = 2.0
    max_missed_samples: int = 1


def _frame_stats(detections: pd.DataFrame) -> pd.DataFrame:
    """One row per (video, offset, brand): the largest copy's measures and the copy count."""
    frame = detections.copy()
    center_x = frame["x"] + frame["width"] / 2
    center_y = frame["y"] + frame["height"] / 2
    # Distance from the screen centre, 0 at the centre and 1 at a corner.
    dx = (center_x / frame["frame_width"] - 0.5) * 2
    dy = (center_y / frame["frame_height"] - 0.5) * 2
    frame["center_distance"] = np.clip(np.sqrt(dx**2 + dy**2) / math.sqrt(2), 0, 1)
    frame = frame.sort_values("screen_share", ascending=False)
    grouped = frame.groupby(["video", "offset_seconds", "brand"], sort=True)
    stats = grouped.agg(
        screen_share=("screen_share", "first"),
        visible_share=("visible_share", "max"),
        sharpness=("sharpness", "first"),
        center_distance=("center_distance", "first"),
        copies=("brand", "size"),
    )
    return stats.reset_index()


def find_exposures(
    frames: pd.DataFrame, detections: pd.DataFrame, *, rules: ExposureRules | None = None
) -> pd.DataFrame:
    """Merge per-frame detections into exposures, one row per exposure that counts.

    `frames` lists every processed frame (`video`, `offset_seconds`), so a missed sample can be
    told apart from a stretch of video that was never sampled. An exposure lasts from its first
    to its last counting frame: with a 2-second sampling, a logo seen on one frame only lasts
    0 seconds and does not count. Seconds count once per brand however many copies are shown.

    Returns:
        A DataFrame with the columns of `EXPOSURE_COLUMNS`, sorted by video and start.
    """
    rules = rules or ExposureRules()
    rows: list[dict[str, object]] = []
    if detections.empty:
        return pd.DataFrame(rows, columns=EXPOSURE_COLUMNS)

    stats = _frame_stats(detections)
    brands_per_frame = stats.groupby(["video", "offset_seconds"])["brand"].nunique()
    for (video, brand), brand_stats in stats.groupby(["video", "brand"], sort=True):
        offsets = np.sort(frames.loc[frames["video"] == video, "offset_seconds"].to_numpy())
        qualifying = brand_stats[brand_stats["visible_share"] >= rules.min_visible_share]
        if qualifying.empty:
            continue
        # Frame index of each counting detection among all processed frames of the video.
        positions = np.searchsorted(offsets, qualifying["offset_seconds"].to_numpy())
        runs: list[list[int]] = []
        for row_number, position in enumerate(positions):
            if runs and position - positions[runs[-1][-1]] - 1 <= rules.max_missed_samples:
                runs[-1].append(row_number)
            else:
                runs.append([row_number])

        for run in runs:
            members = qualifying.iloc[run]
            start = float(members["offset_seconds"].iloc[0])
            end = float(members["offset_seconds"].iloc[-1])
            if end - start < rules.min_seconds - 1e-6:
                continue
            others = [
                brands_per_frame.get((video, offset), 1) > 1 for offset in members["offset_seconds"]
            ]
            rows.append(
                {
                    "video": video,
                    "brand": brand,
                    "start_offset_seconds": start,
                    "end_offset_seconds": end,
                    "duration_seconds": end - start,
                    "samples": len(members),
                    "max_copies": int(members["copies"].max()),
                    "screen_share": float(members["screen_share"].mean()),
                    "visible_share": float(members["visible_share"].mean()),
                    "sharpness": float(members["sharpness"].mean()),
                    "center_distance": float(members["center_distance"].mean()),
                    "other_brands_share": float(np.mean(others)),
                }
            )
    exposures = pd.DataFrame(rows, columns=EXPOSURE_COLUMNS)
    return exposures.sort_values(["video", "start_offset_seconds", "brand"], ignore_index=True)
