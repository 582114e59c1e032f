"""The chart examples under examples/ run and write their images."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_gallery_builds_daily_set() -> None:
    spec = importlib.util.spec_from_file_location("chart_gallery", EXAMPLES / "chart_gallery.py")
    assert spec is not None
    assert spec.loader is not None
    gallery = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gallery)

    figures = gallery.build_daily_figures("en")
    assert len(figures) == 7
    assert figures["concurrency"].layout.xaxis.title.text == "Time (Europe/Madrid)"
    assert figures["ranking"].layout.separators == ".,"


@pytest.mark.chromium
@pytest.mark.slow
@pytest.mark.parametrize(
    ("script", "expected"),
    [
        pytest.param("charts_quickstart.py", {"ranking.png", "ranking_phone.png"}, id="quickstart"),
        pytest.param(
            "chart_gallery.py",
            {
                f"{name}_es.png"
                for name in (
                    "ranking",
                    "ranking_phone",
                    "concurrency",
                    "timeline",
                    "schedule",
                    "categories",
                    "followers",
                )
            },
            id="gallery",
        ),
    ],
)
def test_example_writes_images(
    chromium_path: str, tmp_path: Path, script: str, expected: set[str]
) -> None:
    subprocess.run(
        [sys.executable, str(EXAMPLES / script), str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=240,
    )
    assert {path.name for path in tmp_path.iterdir()} == expected
    for name in expected:
        with Image.open(tmp_path / name) as image:
            assert image.width >= 1080
