"""Template registration, combination with '+', palettes and the untouched default."""

from __future__ import annotations

import subprocess
import sys

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from twitchstats.charts import (
    DARK_PALETTE,
    DARK_TEMPLATE,
    FONT_FAMILY,
    LIGHT_PALETTE,
    LIGHT_TEMPLATE,
    PHONE_TEMPLATE,
    TEMPLATE_NAMES,
    palette_for,
    register_templates,
)


def test_templates_registered_by_name() -> None:
    for name in (LIGHT_TEMPLATE, DARK_TEMPLATE, PHONE_TEMPLATE):
        assert name in pio.templates
    assert TEMPLATE_NAMES == ("twitchstats", "twitchstats_dark", "twitchstats_phone")


def test_register_templates_is_repeatable() -> None:
    assert register_templates() == TEMPLATE_NAMES
    assert register_templates() == TEMPLATE_NAMES
    assert pio.templates[DARK_TEMPLATE].layout.paper_bgcolor == DARK_PALETTE.background


def test_colour_templates_use_palette() -> None:
    light = pio.templates[LIGHT_TEMPLATE].layout
    dark = pio.templates[DARK_TEMPLATE].layout
    assert light.paper_bgcolor == LIGHT_PALETTE.background
    assert light.font.color == LIGHT_PALETTE.text
    assert dark.paper_bgcolor == DARK_PALETTE.background
    assert dark.font.color == DARK_PALETTE.text
    assert tuple(dark.colorway) == DARK_PALETTE.categories


def test_font_family_covers_accents_cjk_emoji() -> None:
    assert pio.templates[LIGHT_TEMPLATE].layout.font.family == FONT_FAMILY
    for family in ("Noto Sans", "Noto Sans CJK JP", "Noto Color Emoji"):
        assert f'"{family}"' in FONT_FAMILY


def test_phone_overlay_combines_with_dark() -> None:
    fig = go.Figure(layout={"template": "twitchstats_dark+twitchstats_phone"})
    layout = fig.layout.template.layout
    # Sizes from the overlay, colours from the dark theme.
    assert (layout.width, layout.height) == (1080, 1350)
    assert layout.font.size == 30
    assert layout.paper_bgcolor == DARK_PALETTE.background
    assert layout.font.family == FONT_FAMILY


def test_phone_overlay_sets_no_colours() -> None:
    layout = pio.templates[PHONE_TEMPLATE].layout
    assert layout.paper_bgcolor is None
    assert layout.font.color is None


def test_palette_for_combined_names() -> None:
    assert palette_for("twitchstats") is LIGHT_PALETTE
    assert palette_for("twitchstats_dark+twitchstats_phone") is DARK_PALETTE
    assert palette_for("twitchstats+twitchstats_phone") is LIGHT_PALETTE


def test_palette_for_unknown_template() -> None:
    with pytest.raises(ValueError, match=r"'nope'.*twitchstats_dark"):
        palette_for("twitchstats+nope")


@pytest.mark.slow
def test_import_leaves_global_state() -> None:
    # A fresh interpreter, so the import really happens inside this check: once with Plotly's
    # own default, once with a default the user chose before importing.
    script = (
        "import plotly.io as pio\n"
        "before = pio.templates.default\n"
        "import twitchstats.charts\n"
        "print(before, pio.templates.default)\n"
        "pio.templates.default = 'simple_white'\n"
        "twitchstats.charts.register_templates()\n"
        "print(pio.templates.default, 'twitchstats_dark' in pio.templates)\n"
        "import logging\n"
        "print(logging.getLoggerClass() is logging.Logger)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    plotly_default, user_default, standard_logger = result.stdout.splitlines()
    assert plotly_default == "plotly plotly"
    assert user_default == "simple_white True"
    # kaleido's logging helper replaces the logger class when imported; the import is deferred.
    assert standard_logger == "True"
