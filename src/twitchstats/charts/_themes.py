"""Plotly templates for twitchstats charts, registered by name in `plotly.io.templates`.

Three templates are registered when `twitchstats.charts` is imported:

- `twitchstats`: light background, 1200×675 pixels (16:9, a common size for images in
  posts on X).
- `twitchstats_dark`: the same layout on a near-black background.
- `twitchstats_phone`: an overlay with no colours, only sizes: 1080×1350 pixels (4:5 portrait)
  and larger fonts and lines, for images read on a phone. Combine it with a colour template:
  `template="twitchstats_dark+twitchstats_phone"`.

Registration never changes `plotly.io.templates.default`, so importing the library leaves other
figures in the same process as they were.
"""

from __future__ import annotations

from typing import Final

import plotly.graph_objects as go
import plotly.io as pio

from twitchstats.charts._palette import DARK_PALETTE, LIGHT_PALETTE, Palette

__all__ = [
    "DARK_TEMPLATE",
    "FONT_FAMILY",
    "LIGHT_TEMPLATE",
    "PHONE_TEMPLATE",
    "TEMPLATE_NAMES",
    "palette_for",
    "register_templates",
    "template_names",
]

LIGHT_TEMPLATE: Final = "twitchstats"
DARK_TEMPLATE: Final = "twitchstats_dark"
PHONE_TEMPLATE: Final = "twitchstats_phone"
TEMPLATE_NAMES: Final[tuple[str, ...]] = (LIGHT_TEMPLATE, DARK_TEMPLATE, PHONE_TEMPLATE)

# Chromium picks a font per character from this list: Latin and Spanish accents from Noto Sans,
# Chinese, Japanese and Korean display names from Noto Sans CJK, emoji from Noto Color Emoji.
# On Debian these come from fonts-noto-core, fonts-noto-cjk and fonts-noto-color-emoji.
FONT_FAMILY: Final = '"Noto Sans", "Noto Sans CJK JP", "Noto Color Emoji", sans-serif'

# Sizes in CSS pixels at scale 1. An image 1200 pixels wide shows at roughly a third of its size in
# a phone's feed, so the base font is larger than Plotly's default of 12.
_BASE_FONT_SIZE: Final = 20
_BASE_TITLE_SIZE: Final = 30
_BASE_LINE_WIDTH: Final = 3
_PHONE_FONT_SIZE: Final = 30
_PHONE_TITLE_SIZE: Final = 42
_PHONE_LINE_WIDTH: Final = 5


def _colour_template(palette: Palette) -> go.layout.Template:
    axis = {
        "automargin": True,
        "gridcolor": palette.grid,
        "linecolor": palette.grid,
        "zerolinecolor": palette.grid,
        "tickcolor": palette.grid,
        "ticks": "outside",
        "title": {"standoff": 12},
    }
    layout = {
        "width": 1200,
        "height": 675,
        "font": {"family": FONT_FAMILY, "size": _BASE_FONT_SIZE, "color": palette.text},
        "title": {"font": {"size": _BASE_TITLE_SIZE, "color": palette.text}, "x": 0.02},
        "paper_bgcolor": palette.background,
        "plot_bgcolor": palette.background,
        "colorway": list(palette.categories),
        "margin": {"l": 90, "r": 40, "t": 100, "b": 80},
        "xaxis": axis,
        "yaxis": axis,
        "legend": {"bgcolor": "rgba(0,0,0,0)", "font": {"color": palette.text}},
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
        "colorscale": {"sequential": [[0.0, palette.background], [1.0, palette.accent]]},
    }
    data = {
        "scatter": [go.Scatter(line={"width": _BASE_LINE_WIDTH})],
        "bar": [go.Bar(marker={"line": {"width": 0}})],
        "pie": [go.Pie(marker={"line": {"color": palette.background, "width": 2}})],
    }
    return go.layout.Template(layout=layout, data=data)


def _phone_template() -> go.layout.Template:
    # Sizes only: no colour here, so the overlay works on top of either colour template.
    layout = {
        "width": 1080,
        "height": 1350,
        "font": {"size": _PHONE_FONT_SIZE},
        "title": {"font": {"size": _PHONE_TITLE_SIZE}},
        "margin": {"l": 120, "r": 50, "t": 140, "b": 120},
        "legend": {"orientation": "h", "y": -0.15, "x": 0.0},
    }
    data = {"scatter": [go.Scatter(line={"width": _PHONE_LINE_WIDTH})]}
    return go.layout.Template(layout=layout, data=data)


def register_templates() -> tuple[str, ...]:
    """Register (or re-register) the twitchstats templates and return their names.

    Safe to call again: each call replaces the three templates with fresh copies. The default
    template (`plotly.io.templates.default`) is left as it is.
    """
    pio.templates[LIGHT_TEMPLATE] = _colour_template(LIGHT_PALETTE)
    pio.templates[DARK_TEMPLATE] = _colour_template(DARK_PALETTE)
    pio.templates[PHONE_TEMPLATE] = _phone_template()
    return TEMPLATE_NAMES


def template_names(template: str) -> tuple[str, ...]:
    """Split a template specification such as "twitchstats_dark+twitchstats_phone".

    Raises:
        ValueError: a part is not a registered Plotly template; the message lists ours.
    """
    names = tuple(part.strip() for part in template.split("+"))
    for name in names:
        if name not in pio.templates:
            raise ValueError(
                f"unknown Plotly template {name!r} in {template!r}: use one of "
                f"{', '.join(TEMPLATE_NAMES)}, combined with '+'"
            )
    return names


def palette_for(template: str) -> Palette:
    """Return the palette whose colours match `template`: dark when it names the dark theme."""
    return DARK_PALETTE if DARK_TEMPLATE in template_names(template) else LIGHT_PALETTE
