"""Colours by role for the light and dark themes.

Every colour the chart builders draw with comes from a `Palette`, so a theme changes in one place.
Category colours follow the Okabe–Ito set, which stays distinguishable for the common forms of
colour blindness, with a purple close to Twitch's brand colour first.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DARK_PALETTE", "LIGHT_PALETTE", "Palette"]


@dataclass(frozen=True, slots=True)
class Palette:
    """Colours by role, as CSS hex strings.

    Attributes:
        background: the image and plot area background.
        grid: grid lines and axis lines.
        text: titles, labels and values.
        muted: secondary text such as subtitles, sources and unchanged-rank markers.
        accent: the main data colour (bars, the viewer line, the peak marker).
        positive: a rise (rank climbed, followers gained).
        negative: a fall (rank dropped, followers lost).
        categories: colours for categories in order of first use; builders cycle through them.
    """

    background: str
    grid: str
    text: str
    muted: str
    accent: str
    positive: str
    negative: str
    categories: tuple[str, ...]


LIGHT_PALETTE = Palette(
    background="#FFFFFF",
    grid="#E3E3E8",
    text="#18181B",
    muted="#5C5C66",
    accent="#9146FF",
    positive="#1A7F37",
    negative="#CF222E",
    categories=(
        "#9146FF",
        "#0072B2",
        "#E69F00",
        "#009E73",
        "#D55E00",
        "#CC79A7",
        "#56B4E9",
        "#6B6B76",
    ),
)

DARK_PALETTE = Palette(
    background="#0E0E10",
    grid="#2F2F35",
    text="#EFEFF1",
    muted="#ADADB8",
    accent="#A970FF",
    positive="#3FB950",
    negative="#FF6B61",
    categories=(
        "#A970FF",
        "#4AA8E8",
        "#F5B02E",
        "#2EC4A0",
        "#FF7A33",
        "#E58FC0",
        "#8FD3FF",
        "#B4B4BE",
    ),
)
