"""Tests that render real infographic PNGs and inspect their pixels."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pytest
import respx
from PIL import Image

from mvbot._avatars import initials_colour
from mvbot._exceptions import RenderError
from mvbot.infographic import (
    FORMATS,
    MAX_ALT_TEXT_CHARS,
    MAX_IMAGE_BYTES,
    TARGET_IMAGE_BYTES,
    AvatarCache,
    RenderedImage,
    render_daily_infographics,
)
from mvbot.infographic._ranking import row_boxes
from mvbot.infographic._theme import ImageFormat

DAY = dt.date(2021, 4, 16)
RED = (230, 20, 30)


def _render(
    tmp_path: Path,
    channels: pd.DataFrame,
    ranking: pd.DataFrame,
    concurrency: pd.DataFrame | None,
    *,
    size: ImageFormat = "16:9",
    lang: str = "es",
    avatar_cache: AvatarCache | None = None,
    both_rankings: bool = True,
    polls: pd.DataFrame | None = None,
) -> list[RenderedImage]:
    rankings = {"average_viewers": ranking}
    if both_rankings:
        rankings["hours_watched"] = ranking
    return render_daily_infographics(
        event_name="Marbella Vice",
        day=DAY,
        day_number=12,
        rankings=rankings,
        concurrency=concurrency,
        channels=channels,
        output_dir=tmp_path / "out",
        lang=lang,
        size=size,
        avatar_cache=avatar_cache,
        polls=polls,
    )


@pytest.fixture(scope="module")
def landscape(
    tmp_path_factory: pytest.TempPathFactory,
    channels: pd.DataFrame,
    ranking: pd.DataFrame,
    concurrency: pd.DataFrame,
    polls: pd.DataFrame,
) -> list[RenderedImage]:
    """The Spanish 16:9 images: two rankings and the curve, rendered once for the module."""
    return _render(
        tmp_path_factory.mktemp("landscape"), channels, ranking, concurrency, polls=polls
    )


@pytest.fixture(scope="module")
def portrait(
    tmp_path_factory: pytest.TempPathFactory,
    channels: pd.DataFrame,
    ranking: pd.DataFrame,
    concurrency: pd.DataFrame,
) -> list[RenderedImage]:
    """The Spanish 4:5 images."""
    return _render(tmp_path_factory.mktemp("portrait"), channels, ranking, concurrency, size="4:5")


@pytest.mark.parametrize("size", ["16:9", "4:5"])
def test_images_have_format_size_and_weight(
    landscape: list[RenderedImage], portrait: list[RenderedImage], size: ImageFormat
) -> None:
    images = landscape if size == "16:9" else portrait

    assert [image.kind for image in images] == ["average_viewers", "hours_watched", "concurrency"]
    expected = (FORMATS[size].width, FORMATS[size].height)
    for image in images:
        assert image.path.is_file()
        assert image.bytes == image.path.stat().st_size
        assert image.bytes < MAX_IMAGE_BYTES
        assert image.bytes < TARGET_IMAGE_BYTES
        with Image.open(image.path) as decoded:
            assert decoded.format == "PNG"
            assert decoded.size == expected
        assert (image.width, image.height) == expected


def test_file_names_carry_day_kind_size_language(
    landscape: list[RenderedImage], portrait: list[RenderedImage]
) -> None:
    assert landscape[0].path.name == "2021-04-16-average_viewers-16x9-es.png"
    assert portrait[1].path.name == "2021-04-16-hours_watched-4x5-es.png"
    assert portrait[2].path.name == "2021-04-16-concurrency-4x5-es.png"


@pytest.mark.parametrize("size", ["16:9", "4:5"])
def test_every_ranking_row_is_drawn(
    landscape: list[RenderedImage], portrait: list[RenderedImage], size: ImageFormat
) -> None:
    images = landscape if size == "16:9" else portrait

    with Image.open(images[0].path) as decoded:
        pixels = np.asarray(decoded.convert("L"), dtype=float)
    for box in row_boxes(FORMATS[size], 10):
        band = pixels[box.top : box.bottom, box.left : box.right]
        assert band.std() > 20, f"row {box.rank} looks blank"


def test_rows_missing_from_short_ranking_stay_empty(
    tmp_path: Path, channels: pd.DataFrame, ranking: pd.DataFrame
) -> None:
    images = _render(tmp_path, channels, ranking.head(3), None, both_rankings=False)

    with Image.open(images[0].path) as decoded:
        pixels = np.asarray(decoded.convert("L"), dtype=float)
    boxes = row_boxes(FORMATS["16:9"], 10)
    drawn = pixels[boxes[0].top : boxes[0].bottom, boxes[0].left : boxes[0].right]
    empty = pixels[boxes[9].top : boxes[9].bottom, boxes[9].left : boxes[9].right]
    assert drawn.std() > 20
    assert empty.std() < 5


def _share_of_colour(
    region: Image.Image, colour: tuple[int, int, int], tolerance: int = 12
) -> float:
    pixels = np.asarray(region.convert("RGB"), dtype=int)
    close = np.all(np.abs(pixels - np.array(colour)) <= tolerance, axis=-1)
    return float(close.mean())


def test_avatars_downloaded_or_initials(
    tmp_path: Path,
    channels: pd.DataFrame,
    ranking: pd.DataFrame,
    caplog: pytest.LogCaptureFixture,
    solid_png: Callable[[tuple[int, int, int]], bytes],
) -> None:
    first, second = channels["login"][0], channels["login"][1]
    with (
        respx.mock(assert_all_called=False) as router,
        AvatarCache(directory=tmp_path / "avatars", timeout=2) as cache,
    ):
        router.get(f"https://static-cdn.example.test/{first}.png").respond(
            200, content=solid_png(RED), headers={"Content-Type": "image/png"}
        )
        router.get(f"https://static-cdn.example.test/{second}.png").respond(404)
        router.get(url__regex=r".*").mock(side_effect=httpx.ConnectTimeout("timed out"))
        with caplog.at_level(logging.WARNING, logger="mvbot._avatars"):
            images = _render(
                tmp_path, channels, ranking.head(2), None, avatar_cache=cache, both_rankings=False
            )

    boxes = row_boxes(FORMATS["16:9"], 10)
    with Image.open(images[0].path) as decoded:
        row_one = decoded.crop((boxes[0].left, boxes[0].top, boxes[0].right, boxes[0].bottom))
        row_two = decoded.crop((boxes[1].left, boxes[1].top, boxes[1].right, boxes[1].bottom))
    assert _share_of_colour(row_one, RED) > 0.03
    assert _share_of_colour(row_two, RED) == 0
    assert _share_of_colour(row_two, initials_colour(second)) > 0.03
    assert "HTTP 404" in caplog.text


def test_alt_text_lists_every_rank(landscape: list[RenderedImage]) -> None:
    images = landscape

    alt = images[0].alt_text
    assert alt.startswith("Infografía de Marbella Vice, día 12, 16 de abril de 2021: top 10")
    assert "top 10 por media de espectadores." in alt
    assert "1. Comisaria Lúa 🌊, 31.234, sube 2." in alt
    assert "2. ElNegociador, 25.012, baja 1." in alt
    assert "4. 張偉RP, 18.004, nuevo en el top." in alt
    assert "6. Dr. Vega 🩺, 14.002, se mantiene." in alt
    assert len(alt) <= MAX_ALT_TEXT_CHARS
    hours = images[1].alt_text
    assert "top 10 por horas vistas." in hours
    assert "1. Comisaria Lúa 🌊, 31.234 h, sube 2." in hours


def test_alt_text_in_english(tmp_path: Path, channels: pd.DataFrame, ranking: pd.DataFrame) -> None:
    images = _render(tmp_path, channels, ranking, None, lang="en", both_rankings=False)

    alt = images[0].alt_text
    assert alt.startswith("Infographic of Marbella Vice, day 12, April 16, 2021")
    assert "1. Comisaria Lúa 🌊, 31,234, up 2." in alt
    assert images[0].lang == "en"


def test_alt_text_fits_with_long_names(
    tmp_path: Path, channels: pd.DataFrame, ranking: pd.DataFrame
) -> None:
    long_names = channels.assign(display_name=[f"Canal{index} " + "ñ" * 150 for index in range(11)])

    images = _render(tmp_path, long_names, ranking, None, both_rankings=False)

    alt = images[0].alt_text
    assert len(alt) <= MAX_ALT_TEXT_CHARS
    for rank in range(1, 11):
        assert f"{rank}. Canal{rank - 1} " in alt


def test_curve_alt_text_names_peak(landscape: list[RenderedImage]) -> None:
    curve = landscape[-1]
    assert curve.kind == "concurrency"
    assert "Pico de 150.000 espectadores a las 20:00." in curve.alt_text
    assert "Hasta 40 canales en directo a la vez." in curve.alt_text
    assert "Sin datos del recolector durante 12 min en total." in curve.alt_text
    assert "Europe/Madrid" in curve.alt_text
    assert len(curve.alt_text) <= MAX_ALT_TEXT_CHARS


def test_curve_draws_line_in_plot(landscape: list[RenderedImage]) -> None:
    images = landscape

    accent = (169, 112, 255)
    with Image.open(images[-1].path) as decoded:
        plot = decoded.crop((0, 300, decoded.width, 600))
    assert _share_of_colour(plot, accent, tolerance=30) > 0.002


def test_empty_day_still_renders(
    tmp_path: Path, channels: pd.DataFrame, ranking: pd.DataFrame
) -> None:
    empty = pd.DataFrame(
        {
            "observed_at": pd.to_datetime([], utc=True),
            "viewers": pd.Series([], dtype=int),
            "channels_live": pd.Series([], dtype=int),
        }
    )

    images = _render(tmp_path, channels, ranking.iloc[0:0], empty, both_rankings=False)

    assert images[0].alt_text.count(". ") >= 1
    assert "No hay datos de audiencia para este día." in images[-1].alt_text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"size": "1:1"}, "unknown infographic size", id="size"),
        pytest.param({"top": 11}, "invalid top 11", id="top"),
        pytest.param({"day_number": 0}, "invalid day_number 0", id="day-number"),
        pytest.param({"timezone": "Europe/Marbella"}, "unknown time zone", id="timezone"),
        pytest.param({"rankings": {"followers": None}}, "unknown ranking followers", id="kind"),
    ],
)
def test_invalid_arguments_raise(
    tmp_path: Path,
    channels: pd.DataFrame,
    ranking: pd.DataFrame,
    change: dict[str, object],
    message: str,
) -> None:
    arguments: dict[str, object] = {
        "event_name": "Marbella Vice",
        "day": DAY,
        "day_number": 12,
        "rankings": {"average_viewers": ranking},
        "concurrency": None,
        "channels": channels,
        "output_dir": tmp_path,
    }
    arguments.update(change)

    with pytest.raises(RenderError, match=message):
        render_daily_infographics(**arguments)  # type: ignore[arg-type]


def test_missing_ranking_column_raises(
    tmp_path: Path, channels: pd.DataFrame, ranking: pd.DataFrame
) -> None:
    with pytest.raises(RenderError, match="no column previous_rank"):
        _render(tmp_path, channels, ranking.drop(columns=["previous_rank"]), None)


def test_naive_concurrency_times_raise(
    tmp_path: Path, channels: pd.DataFrame, ranking: pd.DataFrame, concurrency: pd.DataFrame
) -> None:
    naive = concurrency.assign(observed_at=concurrency["observed_at"].dt.tz_localize(None))

    with pytest.raises(RenderError, match="no time zone"):
        _render(tmp_path, channels, ranking, naive)


def test_non_finite_value_raises(
    tmp_path: Path, channels: pd.DataFrame, ranking: pd.DataFrame
) -> None:
    broken = ranking.assign(value=[np.nan, *ranking["value"][1:]])

    with pytest.raises(RenderError, match="invalid value nan for channel comisaria_lua"):
        _render(tmp_path, channels, broken, None)
