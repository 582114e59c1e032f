"""Benchmark of `mvbot.brands`: recall, precision, false detections and speed on H.264 clips.

Builds two 1280x720 30 fps H.264 clips with the ffmpeg binary of imageio-ffmpeg, with exact
ground truth:

- a logo clip: scikit-image photos panning slowly as backgrounds. Every other 6-second segment
  shows a logo planted with a random width (100-400 px), rotation, perspective, blur and
  partial occlusion. The whole clip is compressed at CRF 28.
- a logo-free clip: the same kind of backgrounds without any logo.

Both are scanned with keyframe sampling (a keyframe every 2 s, as Twitch requires at ingest)
under each setting given with `--configs`, by `--workers` detection processes. The script
prints recall, precision and false detections per hour. It also prints speed as a multiple of
real time and CPU minutes per hour of video, next to a baseline measured in the same run:
ffmpeg decoding the same keyframes without detection.

Run: python benchmarks/bench_brands.py [--seconds 180] [--clips DIR] [--workers 2]
[--configs 960:none ...]
"""

from __future__ import annotations

import argparse
import math
import random
import resource
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import imageio_ffmpeg
import numpy as np
import skimage.data

from mvbot.brands import (
    DetectorSettings,
    ExposureRules,
    KeyframeSource,
    ScanSettings,
    find_exposures,
    load_brand,
    load_scan,
    reference_from_array,
    scan_videos,
)
from mvbot.brands._parallel import FrameDetector
from mvbot.brands._references import Brand

WIDTH, HEIGHT, FPS = 1280, 720, 30
SEGMENT_SECONDS = 6
VERBOSE = True
BACKGROUNDS = [
    "astronaut",
    "coffee",
    "chelsea",
    "rocket",
    "hubble_deep_field",
    "immunohistochemistry",
    "stereo_motorcycle",
    "camera",
    "brick",
    "grass",
    "gravel",
    "coins",
]


@dataclass
class Plant:
    """One logo placement for a segment: corners at the segment start and a drift per second."""

    corners: np.ndarray
    drift: np.ndarray
    blur: float
    occlusion: float


def _background(name: str) -> np.ndarray:
    image = getattr(skimage.data, name)()
    if isinstance(image, tuple):
        image = image[0]
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    image = cv2.cvtColor(image[:, :, :3], cv2.COLOR_RGB2BGR)
    # 20 % larger than the frame so the view can pan.
    return cv2.resize(image, (int(WIDTH * 1.2), int(HEIGHT * 1.2)), interpolation=cv2.INTER_CUBIC)


def _logo() -> np.ndarray:
    logo = cv2.cvtColor(skimage.data.logo(), cv2.COLOR_RGBA2BGRA)
    ys, xs = np.nonzero(logo[:, :, 3])
    return logo[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def _random_plant(rng: random.Random, logo: np.ndarray) -> Plant:
    width = rng.uniform(100, 400)
    height = width * logo.shape[0] / logo.shape[1]
    cx = rng.uniform(width / 2 + 20, WIDTH - width / 2 - 20)
    cy = rng.uniform(height / 2 + 20, HEIGHT - height / 2 - 20)
    base = np.array(
        [
            [-width / 2, -height / 2],
            [width / 2, -height / 2],
            [width / 2, height / 2],
            [-width / 2, height / 2],
        ]
    )
    angle = math.radians(rng.uniform(-20, 20))
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    corners = base @ rotation.T
    # Perspective: move each corner by up to 10 % of the logo's size.
    corners += np.array(
        [[rng.uniform(-0.1, 0.1) * width, rng.uniform(-0.1, 0.1) * height] for _ in range(4)]
    )
    corners += np.array([cx, cy])
    drift = np.array([rng.uniform(-8, 8), rng.uniform(-5, 5)])
    return Plant(
        corners=corners.astype(np.float32),
        drift=drift,
        blur=rng.choice([0.0, 0.0, 0.8, 1.5]),
        occlusion=rng.choice([0.0, 0.0, 0.2, 0.4]),
    )


def _corners_at(plant: Plant, second: float) -> np.ndarray:
    return plant.corners + plant.drift * second


def _render(
    background: np.ndarray, second: float, logo: np.ndarray | None, plant: Plant | None
) -> np.ndarray:
    pan_x = int((background.shape[1] - WIDTH) * (0.5 + 0.5 * math.sin(second / 5)))
    pan_y = int((background.shape[0] - HEIGHT) * (0.5 + 0.5 * math.cos(second / 7)))
    frame = background[pan_y : pan_y + HEIGHT, pan_x : pan_x + WIDTH].copy()
    if logo is None or plant is None:
        return frame

    corners = _corners_at(plant, second)
    # Warp into the logo's bounding box only: a full-frame warp per frame is slow.
    x0 = max(0, int(corners[:, 0].min()) - 4)
    y0 = max(0, int(corners[:, 1].min()) - 4)
    x1 = min(WIDTH, int(corners[:, 0].max()) + 5)
    y1 = min(HEIGHT, int(corners[:, 1].max()) + 5)
    h, w = logo.shape[:2]
    source = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    local = (corners - np.array([x0, y0])).astype(np.float32)
    matrix = cv2.getPerspectiveTransform(source, local)
    warped = cv2.warpPerspective(logo, matrix, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR)
    if plant.blur:
        warped = cv2.GaussianBlur(warped, (0, 0), plant.blur)
    alpha = warped[:, :, 3:4].astype(np.float32) / 255.0
    region = frame[y0:y1, x0:x1]
    frame[y0:y1, x0:x1] = (region * (1 - alpha) + warped[:, :, :3] * alpha).astype(np.uint8)
    if plant.occlusion:
        # A grey panel covers the right part of the logo.
        cut = int(
            corners[:, 0].max() - (corners[:, 0].max() - corners[:, 0].min()) * plant.occlusion
        )
        cv2.rectangle(frame, (cut, y0 - 5), (x1 + 5, y1 + 5), (90, 90, 90), -1)
    return frame


def build_clip(
    path: Path, seconds: int, *, with_logos: bool, seed: int, encode: bool = True
) -> dict[int, tuple[np.ndarray, float]]:
    """Encode a clip; return the logo outline and unoccluded width per frame with a logo.

    With `encode=False` only the ground truth is computed (for a clip kept from an earlier run
    with the same seed and length).
    """
    rng = random.Random(seed)
    logo = _logo()
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "bgr24",
        "-s",
        f"{WIDTH}x{HEIGHT}",
        "-r",
        str(FPS),
        "-i",
        "pipe:0",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "28",
        "-g",
        str(2 * FPS),
        "-keyint_min",
        str(2 * FPS),
        "-sc_threshold",
        "0",
        "-pix_fmt",
        "yuv420p",
        str(path),
    ]

    truth: dict[int, tuple[np.ndarray, float]] = {}
    encoder = subprocess.Popen(command, stdin=subprocess.PIPE) if encode else None
    segments = seconds // SEGMENT_SECONDS
    backgrounds = [_background(name) for name in BACKGROUNDS]
    for segment in range(segments):
        background = backgrounds[segment % len(backgrounds)]
        plant = _random_plant(rng, logo) if with_logos and segment % 2 == 0 else None
        for index in range(SEGMENT_SECONDS * FPS):
            frame_number = segment * SEGMENT_SECONDS * FPS + index
            if plant is not None:
                corners = _corners_at(plant, index / FPS)
                width = float(corners[:, 0].max() - corners[:, 0].min())
                truth[frame_number] = (corners, width * (1 - plant.occlusion))
            if encoder is not None and encoder.stdin is not None:
                frame = _render(background, index / FPS, logo if plant else None, plant)
                encoder.stdin.write(frame.tobytes())

    if encoder is None or encoder.stdin is None:
        return truth
    encoder.stdin.close()
    if encoder.wait() != 0:
        raise SystemExit("ffmpeg failed to encode the benchmark clip")
    return truth


def _iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    ax0, ay0, ax1, ay1 = a
    bx0, by0, bx1, by1 = b
    iw = max(0.0, min(ax1, bx1) - max(ax0, bx0))
    ih = max(0.0, min(ay1, by1) - max(ay0, by0))
    union = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - iw * ih
    return iw * ih / union if union else 0.0


def evaluate(scan_dir: Path, truth: dict[int, tuple[np.ndarray, float]]) -> dict[str, float]:
    """Match detections to the planted outlines (bounding-box IoU of at least 0.5).

    Recall is given over every sampled frame with a logo, and over those whose unoccluded part
    is at least 100 px wide.
    """
    scan = load_scan(scan_dir)
    hits = {"all": 0, "wide": 0}
    totals = {"all": 0, "wide": 0}
    true_positives = false_positives = 0
    for offset in scan.frames["offset_seconds"]:
        rows = scan.detections[np.isclose(scan.detections["offset_seconds"], offset)]
        planted = truth.get(round(offset * FPS))
        found = False
        for row in rows.itertuples():
            box = (row.x, row.y, row.x + row.width, row.y + row.height)
            if planted is not None:
                corners = planted[0]
                truth_box = (
                    max(0.0, float(corners[:, 0].min())),
                    max(0.0, float(corners[:, 1].min())),
                    min(float(WIDTH), float(corners[:, 0].max())),
                    min(float(HEIGHT), float(corners[:, 1].max())),
                )
                if _iou(box, truth_box) >= 0.5:
                    true_positives += 1
                    found = True
                    continue
            false_positives += 1

        if planted is None:
            continue
        strata = ["all", "wide"] if planted[1] >= 100 else ["all"]
        for stratum in strata:
            totals[stratum] += 1
            hits[stratum] += found
        if not found and VERBOSE:
            print(f"  missed at {offset:.2f} s: visible width {planted[1]:.0f} px")

    detections = true_positives + false_positives
    return {
        "frames": len(scan.frames),
        "planted": totals["all"],
        "recall": hits["all"] / totals["all"] if totals["all"] else float("nan"),
        "planted_wide": totals["wide"],
        "recall_wide": hits["wide"] / totals["wide"] if totals["wide"] else float("nan"),
        "precision": true_positives / detections if detections else float("nan"),
        "false_detections": false_positives,
    }


def _cpu_seconds() -> float:
    """CPU time of this process (all threads) and of its finished children (ffmpeg)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def time_scan(
    video: Path, brand: Brand, out: Path, settings: ScanSettings, workers: int
) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one scan, worker processes included."""
    started, cpu = time.perf_counter(), _cpu_seconds()
    scan_videos(
        [video], [brand], output_dir=out, settings=settings, progress=False, workers=workers
    )
    return time.perf_counter() - started, _cpu_seconds() - cpu


def time_worker_startup(brand: Brand, workers: int) -> tuple[float, float]:
    """Wall-clock and CPU seconds of starting and stopping the detection processes alone."""
    started, cpu = time.perf_counter(), _cpu_seconds()
    if workers > 1:
        with FrameDetector([brand], settings=DetectorSettings(), workers=workers) as detector:
            list(detector.detect_frames([]))
    return time.perf_counter() - started, _cpu_seconds() - cpu


def time_decode(video: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds of decoding the keyframes without detection (the baseline)."""
    started, cpu = time.perf_counter(), _cpu_seconds()
    with KeyframeSource(video, width=960) as source:
        for _ in source.frames():
            pass
    return time.perf_counter() - started, _cpu_seconds() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--seconds", type=int, default=240, help="length of each clip in seconds")
    parser.add_argument(
        "--threads",
        type=int,
        default=2,
        help="OpenCV threads of the main process; they matter only with --workers 1",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="detection processes (scan_videos' workers); each uses one OpenCV thread",
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed of the planted logos")
    parser.add_argument(
        "--reference",
        type=Path,
        default=None,
        help="search for this image instead of scikit-image's logo; the clips never show it, "
        "so every detection is false (a check for false detections)",
    )
    parser.add_argument(
        "--clips",
        type=Path,
        default=None,
        help="folder that keeps the clips for later runs (a temporary folder when omitted)",
    )
    parser.add_argument(
        "--configs",
        nargs="+",
        default=["1024:none", "1280:none", "960:none", "1024:orb", "1024:none:3000"],
        help="settings to compare, WIDTH:PREFILTER[:MAX_KEYPOINTS[:RATIO[:MIN_INLIERS]]]",
    )
    arguments = parser.parse_args()
    cv2.setNumThreads(arguments.threads)

    if arguments.reference is not None:
        brand = load_brand("other", [arguments.reference])
    else:
        brand = Brand(name="skimage", references=(reference_from_array(_logo(), name="logo.png"),))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        clips = arguments.clips or root
        clips.mkdir(parents=True, exist_ok=True)
        name = f"{arguments.seconds}s-seed{arguments.seed}"
        logos_clip, empty_clip = clips / f"logos-{name}.mp4", clips / f"empty-{name}.mp4"
        started = time.perf_counter()
        truth = build_clip(
            logos_clip,
            arguments.seconds,
            with_logos=True,
            seed=arguments.seed,
            encode=not logos_clip.exists(),
        )
        if not empty_clip.exists():
            build_clip(empty_clip, arguments.seconds, with_logos=False, seed=arguments.seed + 1)
        print(
            f"clips: 2 x {arguments.seconds} s 1280x720 30 fps H.264 CRF 28, built in "
            f"{time.perf_counter() - started:.0f} s; detection workers: {arguments.workers}, "
            f"OpenCV threads of the main process: {arguments.threads}"
        )

        seconds = arguments.seconds
        decode_wall, decode_cpu = time_decode(logos_clip)
        print(
            f"baseline, keyframe decoding only: {seconds / decode_wall:.1f}x real time, "
            f"{decode_cpu / seconds * 3600 / 60:.2f} CPU minutes per hour of video"
        )

        startup_wall, startup_cpu = time_worker_startup(brand, arguments.workers)
        print(
            f"start-up of {arguments.workers} worker processes (once per scan, left out of the "
            f"CPU minutes below): {startup_wall:.1f} s wall, {startup_cpu:.1f} CPU s"
        )

        for config in arguments.configs:
            settings = _parse_config(config)
            wall, cpu = time_scan(
                logos_clip, brand, root / f"scan-{config}", settings, arguments.workers
            )
            # With another reference no detection can be right: nothing of it was planted.
            quality = evaluate(root / f"scan-{config}", {} if arguments.reference else truth)
            empty_wall, empty_cpu = time_scan(
                empty_clip, brand, root / f"empty-{config}", settings, arguments.workers
            )
            empty = load_scan(root / f"empty-{config}")
            exposures = find_exposures(empty.frames, empty.detections, rules=ExposureRules())
            per_hour = len(empty.detections) / (seconds / 3600)
            # CPU minutes per hour of video, without the worker start-up that a 1-hour VOD
            # pays only once. On two idle cores the wall time is about half of it when two
            # workers keep both cores busy, and up to all of it with one worker.
            steady_cpu = cpu + empty_cpu - 2 * startup_cpu
            cpu_per_hour = steady_cpu / (2 * seconds) * 3600 / 60
            if arguments.reference is not None:
                print(
                    f"{config}: {arguments.reference.name} searched, never shown: "
                    f"{quality['false_detections']} false detections on the logo clip, "
                    f"{len(empty.detections)} on the logo-free clip, {len(exposures)} false "
                    "exposures on the logo-free clip"
                )
            else:
                print(
                    f"{config} (width:prefilter:max_keypoints:ratio:min_inliers): recall "
                    f"{quality['recall']:.3f} over {quality['planted']} keyframes with a logo, "
                    f"{quality['recall_wide']:.3f} over the {quality['planted_wide']} whose "
                    "unoccluded part is at least 100 px wide; precision "
                    f"{quality['precision']:.3f}; logo-free clip: {len(empty.detections)} false "
                    f"detections ({per_hour:.0f} per hour), {len(exposures)} false exposures"
                )
            print(
                f"  speed (wall, shared machine): {seconds / wall:.1f}x real time with logos, "
                f"{seconds / empty_wall:.1f}x without; CPU: {cpu_per_hour:.1f} CPU minutes per "
                f"hour of video, so a 1-hour VOD on 2 idle cores takes about "
                f"{cpu_per_hour / 2:.1f} min with both busy, {cpu_per_hour:.1f} min on one "
                f"(extrapolated)",
                flush=True,
            )


def _parse_config(text: str) -> ScanSettings:
    """Parse "WIDTH:PREFILTER[:MAX_KEYPOINTS[:RATIO[:MIN_INLIERS]]]", e.g. "960:none:3000"."""
    parts = text.split(":")
    defaults = DetectorSettings()
    detector = DetectorSettings(
        prefilter=parts[1],  # type: ignore[arg-type]
        max_keypoints=int(parts[2]) if len(parts) > 2 else 0,
        ratio=float(parts[3]) if len(parts) > 3 else defaults.ratio,
        min_inliers=int(parts[4]) if len(parts) > 4 else defaults.min_inliers,
        min_matches=int(parts[4]) if len(parts) > 4 else defaults.min_matches,
    )
    return ScanSettings(width=int(parts[0]), detector=detector)


if __name__ == "__main__":
    main()
