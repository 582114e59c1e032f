"""Static export through real kaleido and Chromium: sizes, pixels, glyphs, locale, errors."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from PIL import Image

from twitchstats import ChartError, ChromiumNotFoundError, ExportTimeoutError
from twitchstats.charts import (
    CHROMIUM_PATH_ENV,
    LIGHT_PALETTE,
    ChartExporter,
    concurrency_curve,
    export_image,
    find_chromium,
    ranking_bars,
)

# U+E000 is a private-use code point that no installed font covers, so Chromium draws its
# missing-glyph box ("tofu") for it. A character whose font is missing draws the same box.
TOFU = "\ue000"


def _png(data: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return np.asarray(image.convert("RGB"), dtype=np.int16)


def _hex_rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[index : index + 2], 16) for index in (1, 3, 5)], dtype=np.int16)


# Errors that need no browser.


def test_bogus_browser_path_message(tmp_path: Path) -> None:
    bogus = tmp_path / "no-such-chromium"
    with pytest.raises(ChromiumNotFoundError) as caught:
        find_chromium(bogus)
    message = str(caught.value)
    assert str(bogus) in message
    assert "apt-get install chromium" in message
    assert CHROMIUM_PATH_ENV in message


def test_bogus_env_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(CHROMIUM_PATH_ENV, str(tmp_path / "missing"))
    with pytest.raises(ChromiumNotFoundError, match=f"{CHROMIUM_PATH_ENV}="):
        find_chromium()


def test_bogus_choreographer_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "missing"))
    with pytest.raises(ChromiumNotFoundError, match="BROWSER_PATH="):
        find_chromium()


def test_non_executable_path(tmp_path: Path) -> None:
    script = tmp_path / "chromium"
    script.write_text("not a browser")
    with pytest.raises(ChromiumNotFoundError, match="not executable"):
        find_chromium(script)


def test_exporter_open_bogus_path(tmp_path: Path) -> None:
    exporter = ChartExporter(browser_path=tmp_path / "missing")
    with pytest.raises(ChromiumNotFoundError, match="apt-get install chromium"):
        exporter.open()
    assert not exporter.is_open


def test_closed_exporter_rejects_export() -> None:
    with pytest.raises(ChartError, match="not open"):
        ChartExporter().to_image(go.Figure())


def test_exporter_rejects_bad_settings() -> None:
    with pytest.raises(ValueError, match="timeout"):
        ChartExporter(timeout=0)
    with pytest.raises(ValueError, match="tabs"):
        ChartExporter(tabs=0)


# Real renders.


@pytest.mark.chromium
def test_env_override_is_used(
    monkeypatch: pytest.MonkeyPatch, chromium_path: str, tmp_path: Path
) -> None:
    link = tmp_path / "my-chromium"
    link.symlink_to(chromium_path)
    monkeypatch.setenv(CHROMIUM_PATH_ENV, str(link))
    assert find_chromium() == link


@pytest.mark.chromium
def test_png_size_from_template(exporter: ChartExporter, rankings: pd.DataFrame) -> None:
    data = exporter.to_image(ranking_bars(rankings, metric="average_viewers"))
    assert _png(data).shape == (675, 1200, 3)
    # A real chart, not an empty page, and not an uncompressed dump.
    assert 10_000 < len(data) < 1_000_000


@pytest.mark.chromium
def test_png_size_phone_and_scale(exporter: ChartExporter, rankings: pd.DataFrame) -> None:
    fig = ranking_bars(
        rankings, metric="average_viewers", template="twitchstats_dark+twitchstats_phone"
    )
    assert _png(exporter.to_image(fig)).shape == (1350, 1080, 3)
    assert _png(exporter.to_image(fig, width=400, height=300, scale=2)).shape == (600, 800, 3)


@pytest.mark.chromium
def test_dark_background_pixels(exporter: ChartExporter, rankings: pd.DataFrame) -> None:
    fig = ranking_bars(rankings, metric="average_viewers", template="twitchstats_dark")
    pixels = _png(exporter.to_image(fig))
    corner = pixels[5, 5]
    assert list(corner) == list(_hex_rgb("#0E0E10"))


@pytest.mark.chromium
def test_bar_lengths_follow_values(exporter: ChartExporter) -> None:
    frame = pd.DataFrame({"channel_login": ["a", "b", "c"], "value": [100.0, 50.0, 25.0]})
    pixels = _png(exporter.to_image(ranking_bars(frame, metric="average_viewers")))
    accent = np.all(np.abs(pixels - _hex_rgb(LIGHT_PALETTE.accent)) <= 3, axis=2)

    rows = np.flatnonzero(accent.any(axis=1))
    assert rows.size > 0, "no bar pixels in the accent colour"
    # Split the rows that contain bar pixels into one band per bar.
    bands = np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)
    assert len(bands) == 3
    widths = [int(accent[band[len(band) // 2]].sum()) for band in bands]
    assert widths[0] > 300
    assert widths[1] / widths[0] == pytest.approx(0.5, abs=0.02)
    assert widths[2] / widths[0] == pytest.approx(0.25, abs=0.02)


def _glyph_figure(texts: list[str]) -> go.Figure:
    # One text per column, centred, on a plain white page without axes.
    fig = go.Figure(layout={"template": "twitchstats", "width": 120 * len(texts), "height": 160})
    fig.update_layout(
        xaxis={"visible": False, "range": [0, len(texts)]},
        yaxis={"visible": False, "range": [0, 1]},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
    )
    for index, text in enumerate(texts):
        fig.add_annotation(x=index + 0.5, y=0.5, text=text, showarrow=False, font={"size": 64})
    return fig


@pytest.mark.chromium
@pytest.mark.parametrize(
    "text",
    [
        pytest.param("ñ", id="spanish-n"),
        pytest.param("á", id="accent"),
        pytest.param("¿", id="inverted-question"),
        pytest.param("日", id="japanese"),
        pytest.param("语", id="simplified-chinese"),
        pytest.param("한", id="korean"),
        pytest.param("🎉", id="emoji"),
        pytest.param("▲", id="rank-up"),
        pytest.param("▼", id="rank-down"),
    ],
)
def test_glyph_differs_from_tofu(exporter: ChartExporter, text: str) -> None:
    pixels = _png(exporter.to_image(_glyph_figure([TOFU, text, TOFU])))
    tofu, glyph, tofu_again = (pixels[:, 120 * index : 120 * (index + 1)] for index in range(3))
    # The reference really is a drawn box, identical wherever it appears.
    assert (tofu < 200).any()
    assert np.array_equal(tofu, tofu_again)
    assert (glyph < 200).any(), f"{text!r} rendered blank"
    differing = np.any(tofu != glyph, axis=2).sum()
    assert differing > 100, f"{text!r} renders like the missing-glyph box"


@pytest.mark.chromium
def test_emoji_in_colour(exporter: ChartExporter) -> None:
    pixels = _png(exporter.to_image(_glyph_figure(["🎉"])))
    saturation = pixels.max(axis=2) - pixels.min(axis=2)
    assert (saturation > 80).sum() > 200


@pytest.mark.chromium
def test_title_without_tofu(exporter: ChartExporter) -> None:
    title = "Año ñandú · 日本語 · 한국 · 🎉🎮"
    boxed = "".join(char if char.isascii() else TOFU for char in title)

    def render(text: str) -> np.ndarray:
        fig = go.Figure(layout={"template": "twitchstats", "title": {"text": text}})
        fig.update_layout(xaxis={"visible": False}, yaxis={"visible": False})
        return _png(exporter.to_image(fig))[:90]

    real, tofu = render(title), render(boxed)
    assert np.any(real != tofu, axis=2).sum() > 1000


def _svg_texts(svg: bytes) -> list[str]:
    return [text for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg.decode()) if text]


@pytest.mark.chromium
def test_tick_labels_follow_locale(exporter: ChartExporter, concurrency: pd.DataFrame) -> None:
    english = _svg_texts(
        exporter.to_image(concurrency_curve(concurrency, timezone="Europe/Madrid"), format="svg")
    )
    spanish = _svg_texts(
        exporter.to_image(
            concurrency_curve(concurrency, timezone="Europe/Madrid", lang="es"), format="svg"
        )
    )
    assert "80,000" in english
    assert "80.000" in spanish
    assert "Peak: 90,000 viewers at Apr 16, 22:00" in english
    assert "Pico: 90.000 espectadores a las 16 abr, 22:00" in spanish
    assert "Time (Europe/Madrid)" in english
    assert "Hora (Europe/Madrid)" in spanish
    # Local hours on the time axis: the data runs 17:00-22:00 UTC, 19:00-00:00 in Madrid.
    assert "23:00" in english
    assert "17:00" not in english
    assert "18:00" not in english


@pytest.mark.chromium
def test_timeout_then_recovers(exporter: ChartExporter, rankings: pd.DataFrame) -> None:
    fig = ranking_bars(rankings, metric="average_viewers")
    with pytest.raises(ExportTimeoutError, match=r"longer than 0\.001 s"):
        exporter.to_image(fig, timeout=0.001)
    # The same browser keeps working after a timed-out render.
    assert _png(exporter.to_image(fig)).shape == (675, 1200, 3)


@pytest.mark.chromium
def test_write_images_batch(
    exporter: ChartExporter, rankings: pd.DataFrame, tmp_path: Path
) -> None:
    fig = ranking_bars(rankings, metric="average_viewers")
    jobs = [(fig, tmp_path / "a.png"), (fig, tmp_path / "b.jpg"), (fig, tmp_path / "c.svg")]
    written = exporter.write_images(jobs)
    assert written == [tmp_path / "a.png", tmp_path / "b.jpg", tmp_path / "c.svg"]
    with Image.open(written[0]) as png, Image.open(written[1]) as jpeg:
        assert png.format == "PNG"
        assert jpeg.format == "JPEG"
    assert written[2].read_text().startswith("<svg")


@pytest.mark.chromium
def test_unknown_format_writes_nothing(exporter: ChartExporter, tmp_path: Path) -> None:
    target = tmp_path / "chart.gif"
    with pytest.raises(ValueError, match="'gif'"):
        exporter.write_image(go.Figure(), target)
    assert not target.exists()


@pytest.mark.chromium
@pytest.mark.slow
def test_export_image_one_off(chromium_path: str, rankings: pd.DataFrame, tmp_path: Path) -> None:
    target = export_image(
        ranking_bars(rankings, metric="average_viewers"),
        tmp_path / "one.png",
        browser_path=chromium_path,
        width=600,
        height=400,
    )
    with Image.open(target) as image:
        assert image.size == (600, 400)
    assert os.path.getsize(target) > 5_000
