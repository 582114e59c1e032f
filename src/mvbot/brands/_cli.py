"""`mvbot brands`: scan videos for sponsor logos, detect logos in one image, write reports."""

from __future__ import annotations

import datetime as dt
import json
import sys
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

import click
import pandas as pd

from mvbot._exceptions import BrandsError, MvbotError
from mvbot._i18n import resolve_language, translate, translate_count
from mvbot.brands._detector import DetectorSettings, LogoDetector, parse_mask
from mvbot.brands._exposures import ExposureRules
from mvbot.brands._impressions import VodTiming, read_viewer_csv, viewers_per_minute
from mvbot.brands._parallel import available_cpus
from mvbot.brands._references import load_brand
from mvbot.brands._report import build_report, write_report
from mvbot.brands._scan import ScanSettings, load_scan, scan_videos

__all__ = ["brands"]

F = TypeVar("F", bound=Callable[..., Any])

_LANGUAGE = resolve_language(None)


def _t(key: str, **fields: object) -> str:
    return translate(f"brands.{key}", _LANGUAGE, **fields)


def _fail(exc: MvbotError) -> click.ClickException:
    return click.ClickException(str(exc))


def parse_brand_options(
    entries: Sequence[str], logos: Sequence[Path], brands_file: Path | None
) -> dict[str, list[Path]]:
    """Collect brand name -> reference files from `--brand`, `--logo` and `--brands-file`.

    `--brand NAME=FILE[,FILE...]` names a brand with its files; one `--brand NAME` without files
    takes every `--logo`. A TOML file maps names to lists of files, relative to the file.
    """
    groups: dict[str, list[Path]] = {}
    bare: list[str] = []
    for entry in entries:
        name, separator, files = entry.partition("=")
        name = name.strip()
        if not name:
            raise BrandsError(translate("brands.error_brand_option", None, value=entry))
        if separator:
            paths = [Path(f.strip()) for f in files.split(",") if f.strip()]
            if not paths:
                raise BrandsError(translate("brands.error_brand_option", None, value=entry))
            groups.setdefault(name, []).extend(paths)
        else:
            bare.append(name)

    if bare:
        if len(bare) > 1 or not logos:
            raise BrandsError(translate("brands.error_brand_logos", None))
        groups.setdefault(bare[0], []).extend(logos)
    elif logos:
        raise BrandsError(translate("brands.error_brand_logos", None))

    if brands_file is not None:
        try:
            table = tomllib.loads(brands_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BrandsError(
                translate("brands.error_file_missing", None, path=brands_file)
            ) from None
        except tomllib.TOMLDecodeError as exc:
            raise BrandsError(
                translate("brands.error_toml", None, path=brands_file, error=exc)
            ) from None
        for name, files in table.get("brands", {}).items():
            file_list = [files] if isinstance(files, str) else files
            if not isinstance(file_list, list) or not all(isinstance(f, str) for f in file_list):
                raise BrandsError(
                    translate("brands.error_brands_file_entry", None, brand=name, path=brands_file)
                )
            groups.setdefault(name, []).extend(brands_file.parent / f for f in file_list)

    if not groups:
        raise BrandsError(translate("brands.error_brand_logos", None))
    return groups


def _mask_option(function: F) -> F:
    return click.option(
        "--mask",
        "masks",
        multiple=True,
        metavar="X,Y,W,H",
        help=_t("opt_mask"),
    )(function)


def _width_option(function: F) -> F:
    return click.option(
        "--width",
        type=click.IntRange(min=64),
        default=1024,
        show_default=True,
        help=_t("opt_width"),
    )(function)


@click.group(name="brands", help=_t("group_help"))
def brands() -> None:
    pass


@brands.command(name="scan", help=_t("scan_help"))
@click.option(
    "--brand", "brand_entries", multiple=True, metavar="NAME[=FILE,...]", help=_t("opt_brand")
)
@click.option(
    "--logo", "logos", multiple=True, type=click.Path(path_type=Path), help=_t("opt_logo")
)
@click.option("--brands-file", type=click.Path(path_type=Path), help=_t("opt_brands_file"))
@click.option(
    "--video",
    "videos",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path),
    help=_t("opt_video"),
)
@click.option(
    "--every",
    type=click.FloatRange(min=0.05),
    default=None,
    metavar="SECONDS",
    help=_t("opt_every"),
)
@click.option("--keyframes", is_flag=True, help=_t("opt_keyframes"))
@_width_option
@_mask_option
@click.option(
    "--prefilter",
    type=click.Choice(["none", "orb"]),
    default="none",
    show_default=True,
    help=_t("opt_prefilter"),
)
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    default=Path("brands-scan"),
    show_default=True,
    help=_t("opt_output"),
)
@click.option("--resume", is_flag=True, help=_t("opt_resume"))
@click.option("--progress/--no-progress", default=True, show_default=True, help=_t("opt_progress"))
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help=_t("opt_workers"),
)
def scan_command(
    brand_entries: tuple[str, ...],
    logos: tuple[Path, ...],
    brands_file: Path | None,
    videos: tuple[Path, ...],
    every: float | None,
    keyframes: bool,
    width: int,
    masks: tuple[str, ...],
    prefilter: Literal["none", "orb"],
    output: Path,
    resume: bool,
    progress: bool,
    workers: int | None,
) -> None:
    if every is not None and keyframes:
        raise click.UsageError(_t("error_sampling_both"))
    try:
        groups = parse_brand_options(brand_entries, logos, brands_file)
        loaded = [load_brand(name, paths) for name, paths in groups.items()]
        settings = ScanSettings(
            sampling="interval" if every is not None else "keyframes",
            every_seconds=every if every is not None else 2.0,
            width=width,
            masks=tuple(parse_mask(m) for m in masks),
            detector=DetectorSettings(prefilter=prefilter),
        )
        result = scan_videos(
            list(videos),
            loaded,
            output_dir=output,
            settings=settings,
            resume=resume,
            progress=progress,
            workers=available_cpus() if workers is None else workers,
        )
    except KeyboardInterrupt:
        click.echo(_t("scan_interrupted", path=output), err=True)
        sys.exit(130)
    except MvbotError as exc:
        raise _fail(exc) from None
    frames = translate_count("brands.scan_frames", result.frames, _LANGUAGE, count=result.frames)
    detections = translate_count(
        "brands.scan_detections", result.detections, _LANGUAGE, count=result.detections
    )
    click.echo(_t("scan_done", frames=frames, detections=detections, path=output), err=True)


@brands.command(name="detect", help=_t("detect_help"))
@click.option(
    "--logo",
    "logos",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path),
    help=_t("opt_logo"),
)
@click.option(
    "--brand", "brand_name", default="logo", show_default=True, help=_t("opt_detect_brand")
)
@click.option("--image", required=True, type=click.Path(path_type=Path), help=_t("opt_image"))
@_width_option
@_mask_option
def detect_command(
    logos: tuple[Path, ...], brand_name: str, image: Path, width: int, masks: tuple[str, ...]
) -> None:
    import cv2
    import numpy as np

    try:
        brand = load_brand(brand_name, list(logos))
        parsed_masks = [parse_mask(m) for m in masks]
        if not image.is_file():
            raise BrandsError(translate("brands.error_file_missing", None, path=image))
        data = np.fromfile(image, dtype=np.uint8)
        frame = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
        if frame is None:
            raise BrandsError(translate("brands.error_image_unreadable", None, path=image))
        scale = min(1.0, width / frame.shape[1])
        if scale < 1.0:
            size = (round(frame.shape[1] * scale), round(frame.shape[0] * scale))
            frame = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
        pixels = np.asarray(frame, dtype=np.uint8)
        found = LogoDetector([brand]).detect(pixels, scale=scale, masks=parsed_masks)
    except MvbotError as exc:
        raise _fail(exc) from None
    payload = {"image": str(image), "detections": [d.to_dict() for d in found]}
    click.echo(json.dumps(payload, indent=2, ensure_ascii=False))


def _load_viewers(
    viewers_csv: Path | None, db: str | None, channel: str | None, timing: VodTiming | None
) -> pd.Series | None:
    stream_id = timing.stream_id if timing is not None else None
    if channel is None and timing is not None:
        channel = timing.user_login
    if viewers_csv is not None:
        samples = read_viewer_csv(viewers_csv)
    elif db is not None:
        samples = _samples_from_database(db, timing)
    else:
        return None
    selected = viewers_per_minute(samples, stream_id=stream_id, channel=channel)
    if selected.empty and stream_id is not None:
        # Older samples may lack stream ids; fall back to the channel's samples.
        selected = viewers_per_minute(samples, channel=channel)
    return selected


def _samples_from_database(url: str, timing: VodTiming | None) -> pd.DataFrame:
    """Read the viewer samples around the VOD from a twitchstats database (never migrates it)."""
    from twitchstats import Database, TwitchStatsError

    since = until = None
    if timing is not None:
        since = timing.start - dt.timedelta(minutes=2)
        if timing.duration_seconds is not None:
            until = timing.start + dt.timedelta(seconds=timing.duration_seconds + 120)
    try:
        with Database(url=url, upgrade=False, create=False) as database:
            return database.read_samples(since=since, until=until)
    except TwitchStatsError as exc:
        raise BrandsError(translate("brands.error_database", None, error=exc)) from exc


@brands.command(name="report", help=_t("report_help"))
@click.argument("scan_dir", type=click.Path(path_type=Path))
@click.option(
    "--output", type=click.Path(path_type=Path), default=None, help=_t("opt_report_output")
)
@click.option("--video", default=None, help=_t("opt_report_video"))
@click.option("--vod-json", type=click.Path(path_type=Path), default=None, help=_t("opt_vod_json"))
@click.option("--start-time", default=None, metavar="ISO", help=_t("opt_start_time"))
@click.option(
    "--viewers-csv", type=click.Path(path_type=Path), default=None, help=_t("opt_viewers_csv")
)
@click.option("--db", default=None, envvar="TWITCHSTATS_DATABASE_URL", help=_t("opt_db"))
@click.option("--channel", default=None, help=_t("opt_channel"))
@click.option("--cpm", type=click.FloatRange(min=0), default=None, help=_t("opt_cpm"))
@click.option("--currency", default="EUR", show_default=True, help=_t("opt_currency"))
@click.option(
    "--min-visible",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help=_t("opt_min_visible"),
)
@click.option(
    "--min-seconds",
    type=click.FloatRange(min=0),
    default=2.0,
    show_default=True,
    help=_t("opt_min_seconds"),
)
@click.option(
    "--max-missed",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help=_t("opt_max_missed"),
)
@click.option("--chart", "charts", default="html,png", show_default=True, help=_t("opt_chart"))
def report_command(
    scan_dir: Path,
    output: Path | None,
    video: str | None,
    vod_json: Path | None,
    start_time: str | None,
    viewers_csv: Path | None,
    db: str | None,
    channel: str | None,
    cpm: float | None,
    currency: str,
    min_visible: float,
    min_seconds: float,
    max_missed: int,
    charts: str,
) -> None:
    if vod_json is not None and start_time is not None:
        raise click.UsageError(_t("error_timing_both"))
    if viewers_csv is not None and vod_json is None and start_time is None:
        raise click.UsageError(_t("error_viewers_need_timing"))
    formats = [f.strip().lower() for f in charts.split(",") if f.strip() and f.strip() != "none"]
    try:
        scan = load_scan(scan_dir)
        timing = None
        if vod_json is not None:
            timing = VodTiming.from_json_file(vod_json)
        elif start_time is not None:
            timing = VodTiming.from_start_time(start_time)
        # Viewer counts are only read when the VOD can be placed in time.
        viewers = None
        if timing is not None:
            database = db if viewers_csv is None else None
            viewers = _load_viewers(viewers_csv, database, channel, timing)
        report = build_report(
            scan,
            rules=ExposureRules(
                min_visible_share=min_visible,
                min_seconds=min_seconds,
                max_missed_samples=max_missed,
            ),
            timing=timing,
            viewers=viewers,
            cpm=cpm,
            currency=currency,
            video=video,
        )
        written = write_report(report, output or scan_dir / "report", formats=formats)
    except MvbotError as exc:
        raise _fail(exc) from None
    for path in written:
        click.echo(str(path))
