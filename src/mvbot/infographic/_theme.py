"""Colours, sizes and drawing helpers shared by the infographic variants."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from PIL import Image, ImageDraw

__all__ = [
    "FORMATS",
    "THEME",
    "Format",
    "ImageFormat",
    "Theme",
    "background",
    "circle_mask",
    "rounded_panel",
    "triangle",
]

ImageFormat = Literal["16:9", "4:5"]
RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class Theme:
    """Colours of the infographics.

    The background, text and accent colours are those of twitchstats' dark chart theme, so an
    infographic and a chart exported by the library look like one family. Text colours keep a
    contrast ratio of at least 4.5:1 (WCAG AA) on the panels and on the value bars, and so does
    the accent on the background (checked by the tests).
    """

    background_top: RGB = (14, 14, 16)  # #0E0E10
    background_bottom: RGB = (26, 18, 48)  # #1A1230
    panel: RGB = (31, 31, 38)  # #1F1F26
    panel_top: RGB = (42, 33, 64)  # #2A2140
    bar: RGBA = (169, 112, 255, 44)
    grid: RGB = (52, 52, 60)  # #34343C
    text: RGB = (239, 239, 241)  # #EFEFF1
    muted: RGB = (173, 173, 184)  # #ADADB8
    accent: RGB = (169, 112, 255)  # #A970FF
    positive: RGB = (76, 201, 95)  # #4CC95F
    negative: RGB = (255, 122, 112)  # #FF7A70
    new: RGB = (245, 176, 46)  # #F5B02E
    gold: RGB = (245, 197, 66)  # #F5C542
    silver: RGB = (211, 215, 222)  # #D3D7DE
    bronze: RGB = (224, 153, 94)  # #E0995E


THEME: Final = Theme()


@dataclass(frozen=True, slots=True)
class Format:
    """Pixel sizes of one image format; all lengths are in pixels of the final image."""

    name: ImageFormat
    width: int
    height: int
    margin: int
    columns: int
    header_height: int
    footer_height: int
    row_gap: int
    column_gap: int
    title_size: int
    label_size: int
    header_size: int
    rank_size: int
    avatar_size: int
    name_size: int
    login_size: int
    value_size: int
    change_size: int
    footer_size: int


FORMATS: Final[dict[ImageFormat, Format]] = {
    # X shows a single 16:9 image uncropped in the timeline.
    "16:9": Format(
        name="16:9",
        width=1200,
        height=675,
        margin=36,
        columns=2,
        header_height=148,
        footer_height=44,
        row_gap=8,
        column_gap=18,
        title_size=44,
        label_size=20,
        header_size=22,
        rank_size=32,
        avatar_size=60,
        name_size=26,
        login_size=17,
        value_size=30,
        change_size=19,
        footer_size=16,
    ),
    # The tallest ratio that X and Instagram show without cropping on a phone.
    "4:5": Format(
        name="4:5",
        width=1080,
        height=1350,
        margin=44,
        columns=1,
        header_height=206,
        footer_height=64,
        row_gap=10,
        column_gap=0,
        title_size=56,
        label_size=25,
        header_size=28,
        rank_size=40,
        avatar_size=72,
        name_size=34,
        login_size=21,
        value_size=38,
        change_size=24,
        footer_size=20,
    ),
}


def background(size: tuple[int, int], theme: Theme = THEME) -> Image.Image:
    """Return an RGBA canvas with a vertical gradient from the top to the bottom colour."""
    width, height = size
    column = Image.new("RGB", (1, height))
    top, bottom = theme.background_top, theme.background_bottom
    for y in range(height):
        share = y / max(1, height - 1)
        column.putpixel(
            (0, y), tuple(round(a + (b - a) * share) for a, b in zip(top, bottom, strict=True))
        )
    return column.resize((width, height), Image.Resampling.NEAREST).convert("RGBA")


def rounded_panel(
    image: Image.Image,
    box: tuple[int, int, int, int],
    *,
    fill: RGB | RGBA,
    radius: int,
) -> None:
    """Draw a rounded rectangle with smooth edges (drawn at 4× and scaled down)."""
    left, top, right, bottom = box
    scale = 4
    width, height = right - left, bottom - top
    mask = Image.new("L", (width * scale, height * scale), 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        (0, 0, width * scale - 1, height * scale - 1), radius=radius * scale, fill=255
    )
    mask = mask.reduce(scale)
    alpha = fill[3] if len(fill) == 4 else 255
    layer = Image.new("RGBA", (width, height), (*fill[:3], 0))
    layer.putalpha(mask.point(lambda value: value * alpha // 255))
    image.alpha_composite(layer, (left, top))


def circle_mask(diameter: int) -> Image.Image:
    """Return an antialiased circular mask of `diameter` pixels."""
    scale = 4
    mask = Image.new("L", (diameter * scale, diameter * scale), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, diameter * scale - 1, diameter * scale - 1), fill=255)
    return mask.reduce(scale)


def triangle(
    image: Image.Image,
    centre: tuple[float, float],
    size: float,
    *,
    pointing: Literal["up", "down"],
    fill: RGB,
) -> None:
    """Draw a filled triangle of height `size` centred on `centre`, smoothed by supersampling."""
    scale = 4
    side = round(size * 1.3)
    layer = Image.new("L", (side * scale, side * scale), 0)
    half = side * scale / 2
    height = size * scale
    top = half - height / 2
    bottom = half + height / 2
    if pointing == "up":
        points = [(half, top), (half + height * 0.6, bottom), (half - height * 0.6, bottom)]
    else:
        points = [(half - height * 0.6, top), (half + height * 0.6, top), (half, bottom)]
    ImageDraw.Draw(layer).polygon(points, fill=255)
    mask = layer.reduce(scale)
    colour = Image.new("RGBA", (side, side), (*fill, 255))
    colour.putalpha(mask)
    image.alpha_composite(colour, (round(centre[0] - side / 2), round(centre[1] - side / 2)))
