"""The frame every variant shares: background, header and footer."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageDraw

from mvbot.infographic._fonts import TextRenderer
from mvbot.infographic._theme import THEME, Format, Theme, background

__all__ = ["FrameText", "draw_frame"]


@dataclass(frozen=True, slots=True)
class FrameText:
    """Texts of the header and footer, already translated."""

    label: str
    title: str
    day: str
    source: str


def draw_frame(
    text: FrameText, fmt: Format, renderer: TextRenderer, theme: Theme = THEME
) -> Image.Image:
    """Return a canvas with the header (label, title, day) and the footer (source) drawn."""
    image = background((fmt.width, fmt.height), theme)
    margin = fmt.margin
    usable = fmt.width - 2 * margin

    # Accent bar at the very top: a brand mark that survives heavy cropping in previews.
    ImageDraw.Draw(image).rectangle((0, 0, fmt.width, 6), fill=theme.accent)

    label_baseline = margin + fmt.label_size
    renderer.draw(
        image,
        (margin, label_baseline),
        renderer.fit(text.label.upper(), fmt.label_size, usable, "bold"),
        size=fmt.label_size,
        fill=theme.accent,
        weight="bold",
    )
    title_baseline = label_baseline + round(fmt.title_size * 1.22)
    renderer.draw(
        image,
        (margin, title_baseline),
        renderer.fit(text.title, fmt.title_size, usable, "bold"),
        size=fmt.title_size,
        fill=theme.text,
        weight="bold",
    )
    day_baseline = title_baseline + round(fmt.header_size * 1.55)
    renderer.draw(
        image,
        (margin, day_baseline),
        renderer.fit(text.day, fmt.header_size, usable),
        size=fmt.header_size,
        fill=theme.muted,
    )

    footer_top = fmt.height - fmt.footer_height
    footer_baseline = footer_top + (fmt.footer_height + fmt.footer_size) // 2 - 2
    ImageDraw.Draw(image).line(
        (margin, footer_top, fmt.width - margin, footer_top), fill=theme.grid, width=1
    )
    renderer.draw(
        image,
        (margin, footer_baseline),
        renderer.fit(text.source, fmt.footer_size, usable),
        size=fmt.footer_size,
        fill=theme.muted,
    )
    return image
