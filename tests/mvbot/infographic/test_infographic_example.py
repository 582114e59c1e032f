"""The infographics example runs and writes every variant."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from mvbot.infographic import TARGET_IMAGE_BYTES

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "render_infographics.py"


@pytest.mark.slow
def test_example_writes_every_variant(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, str(EXAMPLE), str(tmp_path), "--no-dashboards", "--lang", "en"],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr[-2000:]
    images = sorted(path.name for path in tmp_path.glob("*.png"))
    assert len(images) == 8
    assert "2021-04-16-concurrency-4x5-en.png" in images
    for path in tmp_path.glob("*.png"):
        assert path.stat().st_size < TARGET_IMAGE_BYTES
        with Image.open(path) as image:
            assert image.size in {(1200, 675), (1080, 1350)}
    assert "No collector data for 12 min in total." in completed.stdout
