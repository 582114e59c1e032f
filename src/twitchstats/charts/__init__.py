"""Plotly charts for Twitch audience metrics, with themes and static image export.

Install with the `charts` extra (`pip install "twitchstats[charts]"`); static export also needs
a Chromium browser (see `find_chromium`).

Importing this package registers the `twitchstats`, `twitchstats_dark` and `twitchstats_phone`
templates in `plotly.io.templates`; it never changes `plotly.io.templates.default`.

Every builder takes a DataFrame from the metrics engine, `lang` ("en" or "es") for its texts and
number separators, and `template` (a registered name, or names joined with "+"), and returns a
`plotly.graph_objects.Figure`. Axis titles carry units and, for time axes, the time zone.
"""

from __future__ import annotations

from twitchstats.charts._bars import category_share, ranking_bars
from twitchstats.charts._export import (
    CHROMIUM_PATH_ENV,
    ChartExporter,
    ImageFormat,
    export_image,
    find_chromium,
)
from twitchstats.charts._formatting import (
    format_local_time,
    format_number,
    format_percent,
    plotly_separators,
)
from twitchstats.charts._heatmap import schedule_heatmap
from twitchstats.charts._labels import LANGUAGES, Lang
from twitchstats.charts._palette import DARK_PALETTE, LIGHT_PALETTE, Palette
from twitchstats.charts._themes import (
    DARK_TEMPLATE,
    FONT_FAMILY,
    LIGHT_TEMPLATE,
    PHONE_TEMPLATE,
    TEMPLATE_NAMES,
    palette_for,
    register_templates,
)
from twitchstats.charts._time_series import concurrency_curve, follower_growth, viewer_timeline

__all__ = [
    "CHROMIUM_PATH_ENV",
    "DARK_PALETTE",
    "DARK_TEMPLATE",
    "FONT_FAMILY",
    "LANGUAGES",
    "LIGHT_PALETTE",
    "LIGHT_TEMPLATE",
    "PHONE_TEMPLATE",
    "TEMPLATE_NAMES",
    "ChartExporter",
    "ImageFormat",
    "Lang",
    "Palette",
    "category_share",
    "concurrency_curve",
    "export_image",
    "find_chromium",
    "follower_growth",
    "format_local_time",
    "format_number",
    "format_percent",
    "palette_for",
    "plotly_separators",
    "ranking_bars",
    "register_templates",
    "schedule_heatmap",
    "viewer_timeline",
]

register_templates()
