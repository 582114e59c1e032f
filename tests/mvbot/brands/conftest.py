"""Fixtures for the brand exposure tests: real images and small H.264 videos."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import cv2
import imageio_ffmpeg
import numpy as np
import pytest
import skimage.data

# OpenCV's real sample pair (an object and a cluttered scene holding it), beside the repository.
VISION_DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "vision"

VideoBuilder = Callable[..., Path]


@pytest.fixture
def box_paths() -> tuple[Path, Path]:
    """Paths of box.png and box_in_scene.png, or a skip when the sample folder is absent."""
    box, scene = VISION_DATA / "box.png", VISION_DATA / "box_in_scene.png"
    if not (box.is_file() and scene.is_file()):
        pytest.skip(f"OpenCV sample images not found in {VISION_DATA}")
    return box, scene


def skimage_logo() -> np.ndarray:
    """scikit-image's logo as a BGR image."""
    return cv2.cvtColor(skimage.data.logo(), cv2.COLOR_RGBA2BGR)


@pytest.fixture(scope="session")
def logo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """scikit-image's logo saved as a PNG reference image."""
    path = tmp_path_factory.mktemp("logo") / "logo.png"
    cv2.imwrite(str(path), skimage_logo())
    return path


def background(width: int = 640, height: int = 360) -> np.ndarray:
    """A real photo (scikit-image's coffee) at the given size, BGR."""
    photo = cv2.cvtColor(skimage.data.coffee(), cv2.COLOR_RGB2BGR)
    return cv2.resize(photo, (width, height), interpolation=cv2.INTER_AREA)


def plant(frame: np.ndarray, logo: np.ndarray, x: int, y: int, width: int) -> np.ndarray:
    """Paste `logo` scaled to `width` pixels with its top left corner at (x, y)."""
    height = round(logo.shape[0] * width / logo.shape[1])
    resized = cv2.resize(logo, (width, height), interpolation=cv2.INTER_AREA)
    out = frame.copy()
    out[y : y + height, x : x + width] = resized
    return out


def encode(
    path: Path,
    frames: list[np.ndarray],
    *,
    fps: int = 30,
    keyframe_seconds: float = 2.0,
    setpts: str | None = None,
) -> Path:
    """Encode BGR frames as H.264 with the imageio-ffmpeg binary; `setpts` rewrites timestamps."""
    height, width = frames[0].shape[:2]
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
        "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{width}x{height}", "-r", str(fps),
        "-i", "pipe:0",
    ]  # fmt: skip
    if setpts is not None:
        command += ["-vf", f"setpts={setpts}", "-fps_mode", "vfr"]
    gop = str(round(fps * keyframe_seconds))
    command += [
        "-c:v", "libx264", "-preset", "ultrafast", "-crf", "20", "-g", gop,
        "-keyint_min", gop, "-sc_threshold", "0", "-pix_fmt", "yuv420p", str(path),
    ]  # fmt: skip
    subprocess.run(command, input=b"".join(f.tobytes() for f in frames), check=True)
    return path


@pytest.fixture(scope="session")
def logo_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """10 s, 640x360, 10 fps: the skimage logo (200 px wide) is on screen from 2 s to 8 s."""
    base = background()
    logo = skimage_logo()
    frames = []
    for index in range(100):
        second = index / 10
        frames.append(plant(base, logo, 220, 60, 200) if 2.0 <= second < 8.0 else base)
    return encode(tmp_path_factory.mktemp("video") / "logo.mp4", frames, fps=10)
