"""Client report of a scan: CSV tables, a timeline chart and a short summary."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from mvbot._exceptions import BrandsError
from mvbot._i18n import format_date, format_number, resolve_language, translate, translate_count
from mvbot.brands._exposures import ExposureRules, find_exposures
from mvbot.brands._impressions import (
    QualityWeights,
    VodTiming,
    estimate_impressions,
    summarize_brands,
    table_records,
)
from mvbot.brands._scan import ScanData

__all__ = ["Report", "build_report", "summary_markdown", "write_report"]

logger = logging.getLogger(__name__)

# Columns of detections.csv, the first ones fixed for clients' tools.
_DETECTION_CSV_COLUMNS = [
    "offset_seconds",
    "brand",
    "x",
    "y",
    "width",
    "height",
    "score",
    "inliers",
    "screen_share",
    "visible_share",
    "coverage",
    "sharpness",
    "video",
    "reference",
    "outline",
]

_AUDIENCE_COLUMNS = [
    "start_at",
    "end_at",
    "impressions",
    "viewer_seconds",
    "unknown_seconds",
    "equivalent_30s",
    "quality",
    "quality_impressions",
    "media_value",
]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Report:
    """Tables of a report. `brands` has one row per brand (see `summarize_brands`)."""

    detections: pd.DataFrame
    exposures: pd.DataFrame
    brands: pd.DataFrame
    viewers: pd.Series | None
    timing: VodTiming | None
    cpm: float | None
    currency: str
    rules: ExposureRules


def _select_video(scan: ScanData, video: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    frames, detections = scan.frames, scan.detections
    videos = sorted(set(frames["video"]))
    if video is None:
        return frames, detections
    chosen = [v for v in videos if v == video or Path(v).name == video]
    if len(chosen) != 1:
        choices = ", ".join(videos) or "-"
        raise BrandsError(
            translate("brands.error_report_unknown_video", None, value=video, choices=choices)
        )
    return frames[frames["video"] == chosen[0]], detections[detections["video"] == chosen[0]]


def build_report(
    scan: ScanData,
    *,
    rules: ExposureRules | None = None,
    timing: VodTiming | None = None,
    viewers: pd.Series | None = None,
    cpm: float | None = None,
    currency: str = "EUR",
    weights: QualityWeights | None = None,
    video: str | None = None,
) -> Report:
    """Compute exposures and, when timing and viewers are given, impressions per exposure.

    Raises:
        BrandsError: the scan contains several videos, timing is given and `video` is not.
    """
    rules = rules or ExposureRules()
    frames, detections = _select_video(scan, video)
    if timing is not None and frames["video"].nunique() > 1:
        raise BrandsError(translate("brands.error_report_video", None))
    if cpm is not None and cpm < 0:
        raise BrandsError(translate("brands.error_cpm", None, value=cpm))

    exposures = find_exposures(frames, detections, rules=rules)
    if timing is not None and viewers is not None:
        exposures = estimate_impressions(
            exposures, timing=timing, viewers=viewers, cpm=cpm, weights=weights
        )
    else:
        for column in _AUDIENCE_COLUMNS:
            exposures[column] = pd.NA
        if timing is not None:
            start = pd.Timestamp(timing.start)
            exposures["start_at"] = start + pd.to_timedelta(
                exposures["start_offset_seconds"], unit="s"
            )
            exposures["end_at"] = start + pd.to_timedelta(exposures["end_offset_seconds"], unit="s")
        exposures["quality"] = [
            (weights or QualityWeights()).index(row) for row in table_records(exposures)
        ]
    return Report(
        detections=detections,
        exposures=exposures,
        brands=summarize_brands(exposures),
        viewers=viewers,
        timing=timing,
        cpm=cpm,
        currency=currency,
        rules=rules,
    )


def write_report(
    report: Report,
    output_dir: Path,
    *,
    formats: Sequence[str] = ("html", "png"),
    lang: str | None = None,
) -> list[Path]:
    """Write detections.csv, exposures.csv, brands.csv, the timeline chart and summary.md.

    Returns:
        The paths written.
    """
    language = resolve_language(lang)
    output_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    detections_path = output_dir / "detections.csv"
    report.detections.reindex(columns=_DETECTION_CSV_COLUMNS).to_csv(detections_path, index=False)
    exposures_path = output_dir / "exposures.csv"
    report.exposures.to_csv(exposures_path, index=False)
    brands_path = output_dir / "brands.csv"
    report.brands.to_csv(brands_path, index=False)
    written += [detections_path, exposures_path, brands_path]

    if formats:
        from mvbot.brands._chart import timeline_figure

        figure = timeline_figure(report, language)
        for fmt in formats:
            path = output_dir / f"timeline.{fmt}"
            if fmt == "html":
                figure.write_html(path, include_plotlyjs="cdn")
            elif fmt == "png":
                figure.write_image(path, width=1400, height=700, scale=1)
            else:
                raise BrandsError(translate("brands.error_chart_format", None, value=fmt))
            written.append(path)

    summary_path = output_dir / "summary.md"
    summary_path.write_text(summary_markdown(report, language), encoding="utf-8")
    written.append(summary_path)
    logger.info("report written to %s (%d files)", output_dir, len(written))
    return written


def _number(value: object, language: str, decimals: int = 0) -> str:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return "—"
    return format_number(float(value), language, decimals=decimals)  # type: ignore[arg-type]


def _brand_lines(
    row: dict[str, object], report: Report, language: str, audience: bool
) -> list[str]:
    def text(key: str, **fields: object) -> str:
        return "- " + translate(f"brands.summary_{key}", language, **fields)

    def counted(key: str, amount: object, /, **fields: object) -> str:
        # The singular message is picked for an amount of exactly 1.
        total = int(amount)  # type: ignore[call-overload]
        return "- " + translate_count(f"brands.summary_{key}", total, language, **fields)

    def number(value: object, decimals: int = 0) -> str:
        return _number(value, language, decimals)

    lines = [
        f"## {row['brand']}",
        "",
        counted(
            "exposures",
            row["exposures"],
            count=number(row["exposures"]),
            seconds=number(row["exposure_seconds"]),
        ),
    ]
    if not audience:
        return [*lines, ""]
    lines.append(text("impressions", value=number(row["impressions"])))
    lines.append(
        text(
            "viewer_seconds",
            value=number(row["viewer_seconds"]),
            spots=number(row["equivalent_30s"], 1),
        )
    )
    lines.append(
        text(
            "quality",
            value=number(row["mean_quality"], 2),
            weighted=number(row["quality_impressions"]),
        )
    )
    if row["media_value"] is not None and not pd.isna(row["media_value"]):  # type: ignore[call-overload]
        lines.append(
            text(
                "media_value",
                value=number(row["media_value"], 2),
                currency=report.currency,
                cpm=number(report.cpm, 2),
            )
        )
    if row["exposures_without_viewers"]:
        lines.append(
            counted(
                "unknown_viewers",
                row["exposures_without_viewers"],
                count=number(row["exposures_without_viewers"]),
                seconds=number(row["unknown_seconds"]),
            )
        )
    elif row["unknown_seconds"]:
        lines.append(text("unknown_seconds", seconds=number(row["unknown_seconds"])))
    return [*lines, ""]


def summary_markdown(report: Report, lang: str | None = None) -> str:
    """Return the client summary in Markdown, Spanish by default."""
    language = resolve_language(lang)
    lines = [f"# {translate('brands.summary_title', language)}", ""]
    if report.timing is not None:
        start = report.timing.start.astimezone(dt.UTC)
        date = format_date(start.date(), language)
        lines += [
            translate("brands.summary_vod_start", language, date=date, time=f"{start:%H:%M:%S}"),
            "",
        ]
    if report.brands.empty:
        lines += [translate("brands.summary_no_exposures", language), ""]
    audience = bool(report.brands["impressions"].notna().any()) if len(report.brands) else False
    for row in table_records(report.brands):
        lines += _brand_lines(row, report, language, audience)

    rules = report.rules
    lines += [
        translate_count(
            "brands.summary_method",
            rules.max_missed_samples,
            language,
            visible=_number(rules.min_visible_share * 100, language),
            seconds=_number(rules.min_seconds, language, 1),
            missed=rules.max_missed_samples,
        ),
        "",
        translate("brands.summary_disclaimer", language),
        "",
    ]
    return "\n".join(lines)
