"""Impressions: VOD time to wall-clock time, joined with per-minute viewer counts.

Every number here is an estimate. Concurrent viewers are not unique viewers, so nothing here
is reach. A minute without a viewer sample is unknown: it adds no impressions and no
viewer-seconds, and the seconds it covers are reported as `unknown_seconds`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from mvbot._exceptions import BrandsError
from mvbot._i18n import translate

__all__ = [
    "BRAND_SUMMARY_COLUMNS",
    "QualityWeights",
    "VodTiming",
    "estimate_impressions",
    "parse_helix_duration",
    "read_viewer_csv",
    "summarize_brands",
    "viewers_per_minute",
]

_HELIX_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")

BRAND_SUMMARY_COLUMNS = [
    "brand",
    "exposures",
    "exposure_seconds",
    "impressions",
    "exposures_without_viewers",
    "viewer_seconds",
    "unknown_seconds",
    "equivalent_30s",
    "mean_quality",
    "quality_impressions",
    "media_value",
]


def parse_helix_duration(text: str) -> float:
    """Parse a Helix video duration such as "3h8m33s" or "50s" into seconds."""
    match = _HELIX_DURATION.match(text.strip())
    if match is None or not any(match.groups()):
        raise BrandsError(translate("brands.error_duration", None, value=text))
    hours, minutes, seconds = (int(group or 0) for group in match.groups())
    return float(hours * 3600 + minutes * 60 + seconds)


def _parse_utc(text: str, *, field: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BrandsError(translate("brands.error_time", None, field=field, value=text)) from None
    if value.tzinfo is None:
        raise BrandsError(translate("brands.error_time_zone", None, field=field, value=text))
    return value.astimezone(dt.UTC)


@dataclasses.dataclass(frozen=True, kw_only=True)
class VodTiming:
    """Position of a VOD in wall-clock time.

    Attributes:
        start: UTC time of offset 0 (the VOD's `created_at`, or the stream's `started_at`).
        stream_id: the stream the VOD archives, used to pick that stream's viewer samples.
        duration_seconds: the VOD's length when known.
    """

    start: dt.datetime
    stream_id: str | None = None
    video_id: str | None = None
    user_login: str | None = None
    duration_seconds: float | None = None

    def __post_init__(self) -> None:
        if self.start.utcoffset() is None:
            raise BrandsError(f"VOD start {self.start!r} has no time zone: give a UTC time")

    @classmethod
    def from_helix(cls, video: Mapping[str, Any]) -> VodTiming:
        """Build from one Helix `videos` object (or a response whose `data` contains one)."""
        if "data" in video:
            items = video["data"]
            if not isinstance(items, list) or len(items) != 1:
                raise BrandsError(translate("brands.error_helix_data", None))
            video = items[0]
        if "created_at" not in video:
            raise BrandsError(translate("brands.error_helix_created_at", None))
        duration = video.get("duration")
        stream_id = video.get("stream_id")
        return cls(
            start=_parse_utc(str(video["created_at"]), field="created_at"),
            stream_id=str(stream_id) if stream_id else None,
            video_id=str(video["id"]) if video.get("id") else None,
            user_login=str(video["user_login"]) if video.get("user_login") else None,
            duration_seconds=parse_helix_duration(str(duration)) if duration else None,
        )

    @classmethod
    def from_json_file(cls, path: Path) -> VodTiming:
        """Read a Helix `videos` object from a JSON file."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BrandsError(translate("brands.error_file_missing", None, path=path)) from None
        except json.JSONDecodeError as exc:
            raise BrandsError(translate("brands.error_json", None, path=path, error=exc)) from None
        if not isinstance(data, dict):
            raise BrandsError(translate("brands.error_helix_data", None))
        return cls.from_helix(data)

    @classmethod
    def from_start_time(cls, text: str) -> VodTiming:
        """Build from an ISO 8601 time with a zone."""
        return cls(start=_parse_utc(text, field="--start-time"))


def read_viewer_csv(path: Path) -> pd.DataFrame:
    """Read viewer samples from a CSV with at least `observed_at` and `viewer_count`."""
    try:
        samples = pd.read_csv(path, dtype={"channel_id": "string", "stream_id": "string"})
    except FileNotFoundError:
        raise BrandsError(translate("brands.error_file_missing", None, path=path)) from None
    except UnicodeDecodeError:
        raise BrandsError(translate("brands.error_csv_encoding", None, path=path)) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise BrandsError(
            translate("brands.error_csv_unreadable", None, path=path, reason=exc)
        ) from None
    missing = {"observed_at", "viewer_count"} - set(samples.columns)
    if missing:
        columns = ", ".join(sorted(missing))
        raise BrandsError(translate("brands.error_csv_columns", None, path=path, columns=columns))
    try:
        samples["observed_at"] = pd.to_datetime(samples["observed_at"], utc=True)
    except (TypeError, ValueError) as exc:
        raise BrandsError(
            translate("brands.error_csv_times", None, path=path, reason=exc)
        ) from None
    return samples


def viewers_per_minute(
    samples: pd.DataFrame, *, stream_id: str | None = None, channel: str | None = None
) -> pd.Series:
    """Viewer count per UTC minute, from samples in the collector's samples layout.

    A sample applies to the minute its `observed_at` falls in. When given, `stream_id` keeps
    one stream's samples and `channel` (an id or a login) one channel's. A minute with several
    samples keeps the highest count.

    Raises:
        BrandsError: the samples cover several channels and none was chosen.
    """
    selected = samples
    if stream_id is not None and "stream_id" in samples.columns:
        selected = selected[selected["stream_id"].astype("string") == stream_id]
    if channel is not None:
        keys = [c for c in ("channel_id", "channel_login") if c in selected.columns]
        match = pd.Series(False, index=selected.index)
        for column in keys:
            match |= selected[column].astype("string").str.lower() == channel.lower()
        selected = selected[match]
    if "channel_id" in selected.columns and selected["channel_id"].nunique() > 1:
        raise BrandsError(translate("brands.error_viewers_channels", None))

    minutes = pd.to_datetime(selected["observed_at"], utc=True).dt.floor("min")
    counts = pd.Series(selected["viewer_count"].to_numpy(), index=minutes, dtype="int64")
    return counts.groupby(level=0).max().sort_index()


@dataclasses.dataclass(frozen=True, kw_only=True)
class QualityWeights:
    """Weights of the quality index and the values that score full marks.

    Each part is between 0 and 1: size `min(1, sqrt(screen_share / full_size_share))`;
    position `1 - 0.5 * distance from the centre` (0.5 in a corner); clarity
    `min(1, sharpness / full_sharpness)`; visibility the mean visible share; isolation
    `1 - 0.5 * share of frames with another brand on screen`. The index is their weighted mean.
    """

    size: float = 0.30
    position: float = 0.15
    clarity: float = 0.20
    visibility: float = 0.25
    isolation: float = 0.10
    full_size_share: float = 0.05
    full_sharpness: float = 150.0

    def index(self, exposure: Mapping[str, Any]) -> float:
        """Quality index of one exposure row, between 0 and 1."""
        parts = {
            "size": min(1.0, math.sqrt(max(0.0, exposure["screen_share"]) / self.full_size_share)),
            "position": 1.0 - 0.5 * float(exposure["center_distance"]),
            "clarity": min(1.0, float(exposure["sharpness"]) / self.full_sharpness),
            "visibility": min(1.0, float(exposure["visible_share"])),
            "isolation": 1.0 - 0.5 * float(exposure["other_brands_share"]),
        }
        weights = {name: float(getattr(self, name)) for name in parts}
        total = sum(weights.values())
        if total <= 0:
            raise BrandsError("quality weights must add up to more than 0")
        return sum(parts[name] * weights[name] for name in parts) / total


def _viewer_seconds(
    start: pd.Timestamp, end: pd.Timestamp, viewers: pd.Series
) -> tuple[float, float]:
    """Viewer-seconds over [start, end) from per-minute counts, and the seconds without a count."""
    known = 0.0
    unknown = 0.0
    minute = start.floor("min")
    while minute < end:
        next_minute = minute + pd.Timedelta(minutes=1)
        seconds = (min(end, next_minute) - max(start, minute)).total_seconds()
        count = viewers.get(minute)
        if count is None or pd.isna(count):
            unknown += seconds
        else:
            known += float(count) * seconds
        minute = next_minute
    return known, unknown


def table_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a DataFrame as dicts with string keys."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def estimate_impressions(
    exposures: pd.DataFrame,
    *,
    timing: VodTiming,
    viewers: pd.Series,
    cpm: float | None = None,
    weights: QualityWeights | None = None,
) -> pd.DataFrame:
    """Add wall-clock times, impressions, viewer-seconds, quality and media value to exposures.

    Impressions of an exposure are the concurrent viewers of the minute it starts in (unknown
    when that minute has no sample). Viewer-seconds add up the known minutes it spans;
    `equivalent_30s` is viewer-seconds / 30. Media value is quality-weighted impressions /
    1000 x `cpm`: an estimate in the CPM's currency.
    """
    weights = weights or QualityWeights()
    result = exposures.copy()
    start_at = [
        pd.Timestamp(timing.start) + pd.Timedelta(seconds=s) for s in result["start_offset_seconds"]
    ]
    end_at = [
        pd.Timestamp(timing.start) + pd.Timedelta(seconds=s) for s in result["end_offset_seconds"]
    ]
    result["start_at"] = pd.Series(start_at, index=result.index, dtype="datetime64[ns, UTC]")
    result["end_at"] = pd.Series(end_at, index=result.index, dtype="datetime64[ns, UTC]")

    impressions: list[int | None] = []
    known_seconds: list[float] = []
    unknown_seconds: list[float] = []
    for start, end in zip(start_at, end_at, strict=True):
        count = viewers.get(start.floor("min"))
        impressions.append(None if count is None or pd.isna(count) else int(count))
        known, unknown = _viewer_seconds(start, end, viewers)
        known_seconds.append(known)
        unknown_seconds.append(unknown)

    result["impressions"] = pd.array(impressions, dtype="Int64")
    result["viewer_seconds"] = known_seconds
    result["unknown_seconds"] = unknown_seconds
    result["equivalent_30s"] = result["viewer_seconds"] / 30.0
    result["quality"] = [weights.index(row) for row in table_records(result)]
    result["quality_impressions"] = result["impressions"].astype("Float64") * result["quality"]
    if cpm is not None:
        result["media_value"] = result["quality_impressions"] / 1000.0 * cpm
    else:
        result["media_value"] = pd.array([None] * len(result), dtype="Float64")
    return result


def summarize_brands(exposures: pd.DataFrame) -> pd.DataFrame:
    """Totals per brand: exposures, seconds, impressions, viewer-seconds, quality, media value.

    Works on the output of `find_exposures` alone (audience columns then stay empty) or of
    `estimate_impressions`. `mean_quality` is weighted by exposure seconds.
    """
    rows = []
    for brand, group in exposures.groupby("brand", sort=True):
        # Without timing and viewers the audience columns exist but hold only NA.
        has_audience = "viewer_seconds" in group.columns and bool(
            group["viewer_seconds"].notna().any()
        )
        seconds = float(group["duration_seconds"].sum())
        row: dict[str, Any] = {
            "brand": brand,
            "exposures": len(group),
            "exposure_seconds": seconds,
            "impressions": None,
            "exposures_without_viewers": None,
            "viewer_seconds": None,
            "unknown_seconds": None,
            "equivalent_30s": None,
            "mean_quality": None,
            "quality_impressions": None,
            "media_value": None,
        }
        if has_audience:
            quality = group["quality"].to_numpy()
            durations = group["duration_seconds"].to_numpy()
            row.update(
                impressions=int(group["impressions"].sum(skipna=True)),
                exposures_without_viewers=int(group["impressions"].isna().sum()),
                viewer_seconds=float(group["viewer_seconds"].sum()),
                unknown_seconds=float(group["unknown_seconds"].sum()),
                equivalent_30s=float(group["equivalent_30s"].sum()),
                mean_quality=float((quality * durations).sum() / durations.sum())
                if durations.sum() > 0
                else float(quality.mean()),
                quality_impressions=float(group["quality_impressions"].sum(skipna=True)),
                media_value=float(group["media_value"].sum(skipna=True))
                if group["media_value"].notna().any()
                else None,
            )
        rows.append(row)
    return pd.DataFrame(rows, columns=BRAND_SUMMARY_COLUMNS)
