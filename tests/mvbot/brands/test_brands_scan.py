"""`mvbot brands` end to end on a small H.264 video: scan, interrupt, resume, report."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from mvbot.brands import BrandsError, ScanSettings, load_brand, load_scan, scan_videos
from mvbot.cli import build_cli

CHECKPOINT = "frames.jsonl"


def _run(arguments: list[str]) -> object:
    return CliRunner().invoke(build_cli(), arguments, catch_exceptions=False)


def _scan_arguments(logo: Path, video: Path, output: Path, every: str = "0.5") -> list[str]:
    sampling = ["--keyframes"] if every == "keyframes" else ["--every", every]
    return [
        "brands", "scan", "--brand", f"skimage={logo}", "--video", str(video), *sampling,
        "--width", "480", "--output", str(output), "--no-progress",
    ]  # fmt: skip


@pytest.mark.slow
def test_scan_and_report(logo_file: Path, logo_video: Path, tmp_path: Path) -> None:
    output = tmp_path / "scan"
    samples = tmp_path / "samples.csv"
    pd.DataFrame(
        {
            "observed_at": ["2021-04-16T18:00:00Z", "2021-04-16T18:01:00Z"],
            "channel_id": ["1", "1"],
            "viewer_count": [1500, 1700],
        }
    ).to_csv(samples, index=False)

    scanned = _run(_scan_arguments(logo_file, logo_video, output))
    reported = _run(
        [
            "brands", "report", str(output), "--start-time", "2021-04-16T18:00:55Z",
            "--viewers-csv", str(samples), "--cpm", "10", "--chart", "html",
        ]
    )  # fmt: skip

    assert scanned.exit_code == 0, scanned.output
    assert reported.exit_code == 0, reported.output
    exposures = pd.read_csv(output / "report" / "exposures.csv")
    assert len(exposures) == 1
    row = exposures.iloc[0]
    assert row["brand"] == "skimage"
    # The logo is on screen from 2.0 s to 7.9 s; samples every 0.5 s see it from 2.0 to 7.5.
    assert row["start_offset_seconds"] == pytest.approx(2.0)
    assert row["end_offset_seconds"] == pytest.approx(7.5)
    # 18:00:57 to 18:01:02.5: starts in the 18:00 minute.
    assert row["impressions"] == 1500
    assert row["viewer_seconds"] == pytest.approx(3 * 1500 + 2.5 * 1700)
    detections = pd.read_csv(output / "report" / "detections.csv")
    assert list(detections.columns[:7]) == [
        "offset_seconds", "brand", "x", "y", "width", "height", "score",
    ]  # fmt: skip
    assert len(detections) == 12
    assert detections["x"].median() == pytest.approx(220, abs=4)
    summary = (output / "report" / "summary.md").read_text(encoding="utf-8")
    assert "Impresiones" in summary
    assert "1.500" in summary
    assert "estimaciones" in summary
    assert (output / "report" / "timeline.html").is_file()


def test_detect_prints_json(logo_file: Path, tmp_path: Path) -> None:
    import cv2

    from .conftest import background, plant, skimage_logo

    image = tmp_path / "frame.png"
    cv2.imwrite(str(image), plant(background(1280, 720), skimage_logo(), 400, 200, 300))

    result = _run(["brands", "detect", "--logo", str(logo_file), "--image", str(image)])

    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert len(payload["detections"]) == 1
    found = payload["detections"][0]
    assert (found["x"], found["y"], found["width"]) == pytest.approx((400, 200, 300), abs=4)
    assert found["frame_width"] == 1280


def test_scan_refuses_existing_folder(logo_file: Path, logo_video: Path, tmp_path: Path) -> None:
    output = tmp_path / "scan"
    first = _run(_scan_arguments(logo_file, logo_video, output, "keyframes"))
    again = _run(_scan_arguments(logo_file, logo_video, output, "keyframes"))

    assert first.exit_code == 0
    assert again.exit_code == 1
    assert "--resume" in again.output


def test_resume_with_other_settings_rejected(
    logo_file: Path, logo_video: Path, tmp_path: Path
) -> None:
    output = tmp_path / "scan"
    brand = load_brand("skimage", [logo_file])
    scan_videos([logo_video], [brand], output_dir=output, settings=ScanSettings(width=320),
                progress=False)  # fmt: skip

    with pytest.raises(BrandsError, match="otras marcas o ajustes"):
        scan_videos([logo_video], [brand], output_dir=output, resume=True, progress=False)


def test_missing_video_message(logo_file: Path, tmp_path: Path) -> None:
    result = _run(_scan_arguments(logo_file, tmp_path / "nope.mp4", tmp_path / "scan"))

    assert result.exit_code == 1
    assert "No se encuentra el vídeo" in result.output


def test_failed_scan_leaves_no_folder(logo_file: Path, logo_video: Path, tmp_path: Path) -> None:
    output = tmp_path / "scan"
    failed = _run(_scan_arguments(logo_file, tmp_path / "nope.mp4", output, "keyframes"))
    corrected = _run(_scan_arguments(logo_file, logo_video, output, "keyframes"))

    assert failed.exit_code == 1
    assert corrected.exit_code == 0, corrected.output
    assert load_scan(output).frames["offset_seconds"].size > 0


def test_low_texture_logo_message(logo_video: Path, tmp_path: Path) -> None:
    import cv2
    import numpy as np

    flat = tmp_path / "flat.png"
    cv2.imwrite(str(flat), np.full((120, 200), 90, dtype=np.uint8))

    result = _run(_scan_arguments(flat, logo_video, tmp_path / "scan"))

    assert result.exit_code == 1
    assert "poca textura" in result.output


def test_truncated_checkpoint_line_dropped(
    logo_file: Path, logo_video: Path, tmp_path: Path
) -> None:
    output = tmp_path / "scan"
    brand = load_brand("skimage", [logo_file])
    settings = ScanSettings(sampling="interval", every_seconds=1.0, width=320)
    scan_videos([logo_video], [brand], output_dir=output, settings=settings, progress=False)
    lines = (output / CHECKPOINT).read_text(encoding="utf-8").splitlines(keepends=True)
    # Keep the first four frames and half of the fifth, as a crash in mid-write would.
    (output / CHECKPOINT).write_text("".join(lines[:4]) + lines[4][:20], encoding="utf-8")

    scan_videos([logo_video], [brand], output_dir=output, settings=settings, resume=True,
                progress=False)  # fmt: skip

    scan = load_scan(output)
    assert scan.frames["offset_seconds"].tolist() == pytest.approx(list(range(10)))


@pytest.mark.slow
def test_interrupt_and_resume(logo_file: Path, logo_video: Path, tmp_path: Path) -> None:
    reference = tmp_path / "full"
    assert _run(_scan_arguments(logo_file, logo_video, reference)).exit_code == 0
    output = tmp_path / "interrupted"
    command = [
        sys.executable, "-c", "from mvbot.cli import main; main()",
        *_scan_arguments(logo_file, logo_video, output),
    ]  # fmt: skip
    environment = {**os.environ, "MVBOT_LANG": "es"}

    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment
    )
    checkpoint = output / CHECKPOINT
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if checkpoint.exists() and checkpoint.read_text(encoding="utf-8").count("\n") >= 3:
            break
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    processed = checkpoint.read_text(encoding="utf-8").count("\n")

    if process.returncode == 0:
        pytest.skip("the scan finished before the interrupt arrived")
    assert process.returncode == 130, stderr.decode()
    assert "--resume" in stderr.decode()
    assert 3 <= processed < 20

    resumed = _run([*_scan_arguments(logo_file, logo_video, output), "--resume"])

    assert resumed.exit_code == 0, resumed.output
    full, partial = load_scan(reference), load_scan(output)
    assert partial.frames["offset_seconds"].tolist() == full.frames["offset_seconds"].tolist()
    pd.testing.assert_frame_equal(
        partial.detections.drop(columns="video"), full.detections.drop(columns="video")
    )


def test_parallel_scan_matches_serial(logo_file: Path, logo_video: Path, tmp_path: Path) -> None:
    brand = load_brand("skimage", [logo_file])
    settings = ScanSettings(sampling="interval", every_seconds=0.5, width=480)
    scan_videos([logo_video], [brand], output_dir=tmp_path / "serial", settings=settings,
                progress=False, workers=1)  # fmt: skip

    result = scan_videos([logo_video], [brand], output_dir=tmp_path / "parallel",
                         settings=settings, progress=False, workers=2)  # fmt: skip

    serial, parallel = load_scan(tmp_path / "serial"), load_scan(tmp_path / "parallel")
    assert result.frames == 20
    assert result.detections == len(serial.detections)
    assert len(serial.detections) == 12
    pd.testing.assert_frame_equal(parallel.frames, serial.frames)
    pd.testing.assert_frame_equal(parallel.detections, serial.detections)
    # Checkpoint lines are written in timestamp order, which resuming relies on.
    lines = (tmp_path / "parallel" / CHECKPOINT).read_text(encoding="utf-8").splitlines()
    offsets = [json.loads(line)["offset_seconds"] for line in lines[:-1]]
    assert offsets == sorted(offsets)
    assert json.loads(lines[-1])["finished"] is True


def test_parallel_resume_completes_scan(logo_file: Path, logo_video: Path, tmp_path: Path) -> None:
    output = tmp_path / "scan"
    brand = load_brand("skimage", [logo_file])
    settings = ScanSettings(sampling="interval", every_seconds=0.5, width=480)
    scan_videos([logo_video], [brand], output_dir=tmp_path / "full", settings=settings,
                progress=False)  # fmt: skip
    scan_videos([logo_video], [brand], output_dir=output, settings=settings, progress=False)
    lines = (output / CHECKPOINT).read_text(encoding="utf-8").splitlines(keepends=True)
    # An interrupted scan: the first 7 frames (up to 3.0 s) written, no "finished" line.
    (output / CHECKPOINT).write_text("".join(lines[:7]), encoding="utf-8")

    resumed = scan_videos([logo_video], [brand], output_dir=output, settings=settings,
                          resume=True, progress=False, workers=2)  # fmt: skip

    full, partial = load_scan(tmp_path / "full"), load_scan(output)
    assert resumed.frames == 13
    assert len(partial.finished) == 1
    pd.testing.assert_frame_equal(partial.frames, full.frames)
    pd.testing.assert_frame_equal(partial.detections, full.detections)


def test_workers_below_one_rejected(logo_file: Path, logo_video: Path, tmp_path: Path) -> None:
    brand = load_brand("skimage", [logo_file])

    with pytest.raises(ValueError, match="workers must be at least 1, got 0"):
        scan_videos([logo_video], [brand], output_dir=tmp_path / "scan", progress=False,
                    workers=0)  # fmt: skip


def test_cli_workers_option(logo_file: Path, logo_video: Path, tmp_path: Path) -> None:
    serial = _run([*_scan_arguments(logo_file, logo_video, tmp_path / "serial"), "--workers", "1"])
    parallel = _run(
        [*_scan_arguments(logo_file, logo_video, tmp_path / "parallel"), "--workers", "2"]
    )
    rejected = _run([*_scan_arguments(logo_file, logo_video, tmp_path / "zero"), "--workers", "0"])

    assert serial.exit_code == 0, serial.output
    assert parallel.exit_code == 0, parallel.output
    pd.testing.assert_frame_equal(
        load_scan(tmp_path / "parallel").detections.drop(columns="video"),
        load_scan(tmp_path / "serial").detections.drop(columns="video"),
    )
    assert rejected.exit_code == 2
    assert "--workers" in rejected.output
