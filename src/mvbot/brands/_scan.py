"""Scanning videos for logos, with a checkpoint that an interrupted scan resumes from.

The output folder holds `scan.json` (brands, reference files and settings) and
`frames.jsonl`, one line per processed frame with its detections, flushed as it is written.
A line for a finished video marks it done. Resuming reads the last processed offset of each
video and skips the frames up to it.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from tqdm import tqdm

from mvbot._exceptions import BrandsError
from mvbot._i18n import translate
from mvbot.brands._detector import DetectorSettings, Mask
from mvbot.brands._frames import FrameSource, open_frame_source
from mvbot.brands._parallel import FrameDetector
from mvbot.brands._references import Brand

__all__ = [
    "CHECKPOINT_NAME",
    "DETECTION_COLUMNS",
    "MANIFEST_NAME",
    "ScanData",
    "ScanResult",
    "ScanSettings",
    "load_scan",
    "scan_videos",
]

logger = logging.getLogger(__name__)

MANIFEST_NAME = "scan.json"
CHECKPOINT_NAME = "frames.jsonl"
_FORMAT_VERSION = 1

DETECTION_COLUMNS = [
    "video",
    "offset_seconds",
    "brand",
    "reference",
    "x",
    "y",
    "width",
    "height",
    "score",
    "inliers",
    "matches",
    "screen_share",
    "visible_share",
    "coverage",
    "sharpness",
    "frame_width",
    "frame_height",
    "outline",
]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ScanSettings:
    """Sampling and search settings of a scan.

    Attributes:
        sampling: "keyframes" decodes only keyframes; "interval" keeps one frame every
            `every_seconds`.
        width: processing width in pixels (frames are never upscaled). The default, 1024,
            shrinks 720p video to 80 %: logos 100 px wide there still give enough SIFT
            matches, and each frame costs about 80 % of the CPU time at full size.
        masks: rectangles of the source video to ignore, in source pixels.
    """

    sampling: Literal["keyframes", "interval"] = "keyframes"
    every_seconds: float = 2.0
    width: int = 1024
    masks: tuple[Mask, ...] = ()
    detector: DetectorSettings = dataclasses.field(default_factory=DetectorSettings)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ScanResult:
    """Counts and duration of one `scan_videos` call."""

    output_dir: Path
    frames: int
    detections: int
    seconds: float


@dataclasses.dataclass(frozen=True, kw_only=True)
class ScanData:
    """A scan read back from its folder.

    `frames` has one row per processed frame (`video`, `offset_seconds`); `detections` has the
    columns of `DETECTION_COLUMNS`; `finished` lists the videos scanned to the end.
    """

    manifest: dict[str, Any]
    frames: pd.DataFrame
    detections: pd.DataFrame
    finished: frozenset[str]


def _manifest(brands: Sequence[Brand], settings: ScanSettings) -> dict[str, Any]:
    return {
        "format": _FORMAT_VERSION,
        "brands": {b.name: [r.name for r in b.references] for b in brands},
        "settings": settings.to_dict(),
    }


def _video_key(path: Path) -> str:
    return str(path.resolve())


def _read_checkpoint(path: Path, *, repair: bool) -> list[dict[str, Any]]:
    """Read the checkpoint lines; a last line cut short by a crash is dropped (and removed)."""
    if not path.exists():
        return []
    records: list[dict[str, Any]] = []
    good_bytes = 0
    with path.open("rb") as handle:
        for raw in handle:
            if not raw.endswith(b"\n"):
                break
            try:
                records.append(json.loads(raw))
            except json.JSONDecodeError:
                break
            good_bytes += len(raw)
    if repair and good_bytes < path.stat().st_size:
        logger.warning("dropping an incomplete last line of %s", path)
        with path.open("r+b") as handle:
            handle.truncate(good_bytes)
    return records


def scan_videos(
    videos: Sequence[Path],
    brands: Sequence[Brand],
    *,
    output_dir: Path,
    settings: ScanSettings | None = None,
    resume: bool = False,
    progress: bool = True,
    open_source: Callable[[Path, ScanSettings], FrameSource] | None = None,
    workers: int = 1,
) -> ScanResult:
    """Scan videos for the brands' logos and record every processed frame in `output_dir`.

    Frames are decoded in this process. With `workers` above 1 they are searched by that many
    worker processes. They are started with "spawn", so a script that calls this must guard
    its top-level code with `if __name__ == "__main__":`. Results are written in timestamp order
    whatever the number of workers, and the detections do not depend on it, so a scan may be
    resumed with another number of workers.

    Ctrl-C (KeyboardInterrupt) stops at once. Every frame written so far is on disk, frames
    still being searched are dropped, and the interrupt is raised again for the caller.
    `resume=True` continues a scan after the last written offset of each video.

    Raises:
        BrandsError: the folder contains a scan and `resume` is false, or it contains a scan made
            with other brands or settings.
        VideoError: a video cannot be read.
        ValueError: `workers` is less than 1.
    """
    settings = settings or ScanSettings()
    open_source = open_source or _open_source
    # Through JSON so tuples compare equal to the lists read back from disk.
    manifest = json.loads(json.dumps(_manifest(brands, settings)))
    manifest_path = output_dir / MANIFEST_NAME
    checkpoint_path = output_dir / CHECKPOINT_NAME

    folder_created = not output_dir.exists()
    output_dir.mkdir(parents=True, exist_ok=True)
    scan_created = not manifest_path.exists()
    if manifest_path.exists():
        if not resume:
            raise BrandsError(translate("brands.error_scan_exists", None, path=output_dir))
        stored = json.loads(manifest_path.read_text(encoding="utf-8"))
        if {k: stored.get(k) for k in manifest} != manifest:
            raise BrandsError(translate("brands.error_scan_differs", None, path=output_dir))
    else:
        manifest_path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")

    records = _read_checkpoint(checkpoint_path, repair=True)
    last_offsets: dict[str, float] = {}
    finished: set[str] = set()
    for record in records:
        if record.get("finished"):
            finished.add(record["video"])
        else:
            last_offsets[record["video"]] = float(record["offset_seconds"])

    started = time.perf_counter()
    frame_count = 0
    detection_count = 0
    try:
        with (
            FrameDetector(brands, settings=settings.detector, workers=workers) as detector,
            checkpoint_path.open("a", encoding="utf-8") as checkpoint,
        ):
            for video in videos:
                key = _video_key(video)
                if key in finished:
                    logger.info("skipping %s: already scanned", video)
                    continue
                after = last_offsets.get(key)
                frames, detections = _scan_one(
                    video, key, after, detector, settings, checkpoint, progress, open_source
                )
                frame_count += frames
                detection_count += detections
                checkpoint.write(json.dumps({"video": key, "finished": True}) + "\n")
                checkpoint.flush()
    except BaseException:
        if scan_created and _is_empty(checkpoint_path):
            # Nothing was scanned, so no folder is left that would make the corrected command
            # ask for --resume.
            manifest_path.unlink(missing_ok=True)
            checkpoint_path.unlink(missing_ok=True)
            if folder_created and not any(output_dir.iterdir()):
                output_dir.rmdir()
        raise

    return ScanResult(
        output_dir=output_dir,
        frames=frame_count,
        detections=detection_count,
        seconds=time.perf_counter() - started,
    )


def _is_empty(path: Path) -> bool:
    return not path.exists() or path.stat().st_size == 0


def _open_source(path: Path, settings: ScanSettings) -> FrameSource:
    return open_frame_source(
        path, sampling=settings.sampling, every_seconds=settings.every_seconds, width=settings.width
    )


def _scan_one(
    video: Path,
    key: str,
    after: float | None,
    detector: FrameDetector,
    settings: ScanSettings,
    checkpoint: Any,
    show_progress: bool,
    open_source: Callable[[Path, ScanSettings], FrameSource],
) -> tuple[int, int]:
    frame_count = 0
    detection_count = 0
    started = time.perf_counter()
    with open_source(video, settings) as source:
        duration = source.info.duration_seconds
        logger.info(
            "scanning %s (%dx%d, %s s) from %.1f s",
            video,
            source.info.width,
            source.info.height,
            "?" if duration is None else f"{duration:.0f}",
            after or 0.0,
        )
        # Progress counts video seconds, so tqdm's rate reads as a multiple of real time.
        bar = tqdm(
            total=round(duration, 1) if duration else None,
            initial=round(after or 0.0, 1),
            unit="s",
            desc=video.name,
            file=sys.stderr,
            disable=not show_progress,
            dynamic_ncols=True,
        )
        position = after or 0.0
        try:
            frames = source.frames(after_seconds=after)
            for frame, found in detector.detect_frames(frames, masks=settings.masks):
                record = {
                    "video": key,
                    "offset_seconds": round(frame.offset_seconds, 6),
                    "detections": [d.to_dict() for d in found],
                }
                checkpoint.write(json.dumps(record) + "\n")
                checkpoint.flush()

                frame_count += 1
                detection_count += len(found)
                step = max(0.0, frame.offset_seconds - position)
                position = max(position, frame.offset_seconds)
                bar.update(round(step, 1))
                elapsed = time.perf_counter() - started
                bar.set_postfix(
                    frames_per_s=f"{frame_count / elapsed:.1f}" if elapsed > 0 else "-",
                    logos=detection_count,
                    refresh=False,
                )
        except KeyboardInterrupt:
            logger.warning(
                "scan of %s interrupted at %.1f s after %d frames", video, position, frame_count
            )
            raise
        finally:
            bar.close()
    logger.info(
        "scanned %s: %d frames, %d detections in %.1f s",
        video,
        frame_count,
        detection_count,
        time.perf_counter() - started,
    )
    return frame_count, detection_count


def _detection_rows(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for record in records:
        for detection in record.get("detections", ()):
            row = {**detection, "video": record["video"]}
            row["offset_seconds"] = float(record["offset_seconds"])
            row["outline"] = json.dumps(detection["outline"])
            rows.append(row)
    return rows


def load_scan(output_dir: Path) -> ScanData:
    """Read a scan folder written by `scan_videos` (complete or interrupted).

    Raises:
        BrandsError: the folder contains no scan.
    """
    manifest_path = output_dir / MANIFEST_NAME
    if not manifest_path.is_file():
        raise BrandsError(translate("brands.error_scan_missing", None, path=output_dir))
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    records = _read_checkpoint(output_dir / CHECKPOINT_NAME, repair=False)

    frame_records = [r for r in records if not r.get("finished")]
    frames = pd.DataFrame(
        {
            "video": pd.Series([r["video"] for r in frame_records], dtype="string"),
            "offset_seconds": pd.Series(
                [float(r["offset_seconds"]) for r in frame_records], dtype="float64"
            ),
        }
    )
    frames = frames.drop_duplicates().sort_values(["video", "offset_seconds"], ignore_index=True)
    detections = pd.DataFrame(_detection_rows(frame_records), columns=DETECTION_COLUMNS)
    detections = detections.sort_values(["video", "offset_seconds", "brand"], ignore_index=True)
    finished = frozenset(r["video"] for r in records if r.get("finished"))
    return ScanData(manifest=manifest, frames=frames, detections=detections, finished=finished)
