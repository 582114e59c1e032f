"""Frame sources: timestamps from decoded frames, keyframe sampling and clear errors."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from mvbot.brands import (
    Brand,
    IntervalFrameSource,
    KeyframeSource,
    LogoDetector,
    VideoError,
    probe_video,
    reference_from_array,
)

from .conftest import background, encode, plant, skimage_logo


def test_keyframes_every_two_seconds(logo_video: Path) -> None:
    with KeyframeSource(logo_video, width=320) as source:
        frames = list(source.frames())

    assert [f.offset_seconds for f in frames] == pytest.approx([0, 2, 4, 6, 8])
    assert frames[0].image.shape == (180, 320, 3)
    assert frames[0].scale == pytest.approx(0.5)


def test_interval_sampling(logo_video: Path) -> None:
    with IntervalFrameSource(logo_video, every_seconds=1.5, width=960) as source:
        frames = list(source.frames())

    assert [f.offset_seconds for f in frames] == pytest.approx([0, 1.5, 3, 4.5, 6, 7.5, 9])
    # Never upscaled: the video is 640 px wide.
    assert frames[0].image.shape == (360, 640, 3)
    assert frames[0].scale == 1.0


def test_resume_skips_processed_frames(logo_video: Path) -> None:
    with KeyframeSource(logo_video, width=320) as source:
        offsets = [f.offset_seconds for f in source.frames(after_seconds=4.0)]

    assert offsets == pytest.approx([6, 8])


def test_probe_reads_size(logo_video: Path) -> None:
    info = probe_video(logo_video)

    assert (info.width, info.height) == (640, 360)
    assert info.duration_seconds == pytest.approx(10, abs=0.2)


@pytest.fixture
def variable_rate_video(tmp_path: Path) -> Path:
    """MKV whose first 20 frames last 0.1 s each and the rest 1/30 s: 20 + 90 frames, 5 s.

    The logo appears on frame 50, which is shown at 2 + 30/30 = 3.0 s; a reader that trusts
    a constant frame rate puts it elsewhere (50 / 30 fps = 1.67 s, or 50 / 10 fps = 5 s).
    """
    base = background(480, 270)
    with_logo = plant(base, skimage_logo(), 140, 35, 200)
    frames = [with_logo if index >= 50 else base for index in range(110)]
    return encode(
        tmp_path / "vfr.mkv",
        frames,
        fps=30,
        keyframe_seconds=0.5,
        setpts="if(lt(N\\,20)\\,N*0.1\\,2+(N-20)/30)/TB",
    )


def test_timestamps_come_from_frames(variable_rate_video: Path) -> None:
    capture = cv2.VideoCapture(str(variable_rate_video))
    claimed_fps = capture.get(cv2.CAP_PROP_FPS)
    claimed_frames = capture.get(cv2.CAP_PROP_FRAME_COUNT)
    capture.release()
    brand = Brand(name="skimage", references=(reference_from_array(skimage_logo(), name="logo"),))
    detector = LogoDetector([brand])

    with IntervalFrameSource(variable_rate_video, every_seconds=0.5, width=480) as source:
        frames = list(source.frames())
    first_seen = next(f.offset_seconds for f in frames if detector.detect(f.image))

    # The container claims 30 fps and 150 frames; 110 frames over 5 s really decode.
    assert claimed_fps == pytest.approx(30)
    assert claimed_frames != 110
    assert [f.offset_seconds for f in frames][:5] == pytest.approx([0, 0.5, 1.0, 1.5, 2.0])
    assert first_seen == pytest.approx(3.0, abs=0.05)


def test_keyframe_timestamps_on_variable_rate(variable_rate_video: Path) -> None:
    with KeyframeSource(variable_rate_video, width=240) as source:
        offsets = [f.offset_seconds for f in source.frames()]

    # A keyframe every 15 frames: 0, 15 (1.5 s), 30 (2 + 10/30 s), 45, 60, 75, 90, 105.
    expected = [0.0, 1.5] + [2 + (n - 20) / 30 for n in (30, 45, 60, 75, 90, 105)]
    assert offsets == pytest.approx(expected, abs=0.002)


def test_missing_video(tmp_path: Path) -> None:
    with pytest.raises(VideoError, match="No se encuentra el vídeo"):
        KeyframeSource(tmp_path / "missing.mp4")


def test_not_a_video(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_bytes(b"these are notes, not a video\n" * 50)

    with pytest.raises(VideoError, match="formato reconocido"):
        probe_video(path)


def test_truncated_video_fails_clearly(logo_video: Path, tmp_path: Path) -> None:
    data = logo_video.read_bytes()
    path = tmp_path / "cut.mp4"
    # The moov atom sits at the end of the file that ffmpeg writes: cut it off.
    path.write_bytes(data[: len(data) // 2])

    with pytest.raises(VideoError), KeyframeSource(path) as source:
        list(source.frames())


def test_invalid_interval(logo_video: Path) -> None:
    with pytest.raises(VideoError, match="Intervalo de muestreo"):
        IntervalFrameSource(logo_video, every_seconds=0)


def test_image_frames_are_uint8(logo_video: Path) -> None:
    with KeyframeSource(logo_video) as source:
        frame = next(iter(source.frames()))

    assert frame.image.dtype == np.uint8
