"""Sponsor logo detection on VOD frames and impression estimates.

Detection uses SIFT features, Lowe's ratio test and a RANSAC homography whose projected outline
must look like a real view of the logo. Frames come from ffmpeg (keyframes only) or OpenCV (one
frame every N seconds), with timestamps taken from the decoded frames. Exposures follow the
advertising viewability rule (half the logo visible for two continuous seconds by default), and
impressions join them with the per-minute viewer counts that the collector stored. Every
audience and value figure is an estimate; concurrent viewers are never reach.
"""

from __future__ import annotations

from mvbot._exceptions import BrandsError, ReferenceImageError, VideoError
from mvbot.brands._detector import Detection, DetectorSettings, LogoDetector, Mask, parse_mask
from mvbot.brands._exposures import EXPOSURE_COLUMNS, ExposureRules, find_exposures
from mvbot.brands._frames import (
    Frame,
    FrameSource,
    IntervalFrameSource,
    KeyframeSource,
    VideoInfo,
    open_frame_source,
    probe_video,
)
from mvbot.brands._impressions import (
    BRAND_SUMMARY_COLUMNS,
    QualityWeights,
    VodTiming,
    estimate_impressions,
    parse_helix_duration,
    read_viewer_csv,
    summarize_brands,
    viewers_per_minute,
)
from mvbot.brands._references import (
    Brand,
    ReferenceImage,
    load_brand,
    load_reference,
    reference_from_array,
)
from mvbot.brands._report import Report, build_report, summary_markdown, write_report
from mvbot.brands._scan import (
    DETECTION_COLUMNS,
    ScanData,
    ScanResult,
    ScanSettings,
    load_scan,
    scan_videos,
)

__all__ = [
    "BRAND_SUMMARY_COLUMNS",
    "DETECTION_COLUMNS",
    "EXPOSURE_COLUMNS",
    "Brand",
    "BrandsError",
    "Detection",
    "DetectorSettings",
    "ExposureRules",
    "Frame",
    "FrameSource",
    "IntervalFrameSource",
    "KeyframeSource",
    "LogoDetector",
    "Mask",
    "QualityWeights",
    "ReferenceImage",
    "ReferenceImageError",
    "Report",
    "ScanData",
    "ScanResult",
    "ScanSettings",
    "VideoError",
    "VideoInfo",
    "VodTiming",
    "build_report",
    "estimate_impressions",
    "find_exposures",
    "load_brand",
    "load_reference",
    "load_scan",
    "open_frame_source",
    "parse_helix_duration",
    "parse_mask",
    "probe_video",
    "read_viewer_csv",
    "reference_from_array",
    "scan_videos",
    "summarize_brands",
    "summary_markdown",
    "viewers_per_minute",
    "write_report",
]
