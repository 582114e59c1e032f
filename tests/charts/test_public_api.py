"""The public names of twitchstats.charts."""

from __future__ import annotations

import twitchstats.charts

EXPECTED = {
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
}


def test_all_lists_public_names() -> None:
    assert set(twitchstats.charts.__all__) == EXPECTED
    assert len(twitchstats.charts.__all__) == len(EXPECTED)


def test_all_names_resolve() -> None:
    for name in twitchstats.charts.__all__:
        assert hasattr(twitchstats.charts, name), name
