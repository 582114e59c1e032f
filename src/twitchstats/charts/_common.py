"""Checks and layout steps shared by the figure builders."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import plotly.graph_objects as go

from twitchstats._exceptions import ChartError
from twitchstats.charts._formatting import plotly_separators
from twitchstats.charts._labels import Lang, resolve_lang
from twitchstats.charts._palette import Palette
from twitchstats.charts._themes import palette_for


def require_columns(data: pd.DataFrame, columns: Iterable[str], builder: str) -> None:
    """Raise ChartError naming the missing columns and the columns that `data` has."""
    missing = [column for column in columns if column not in data.columns]
    if missing:
        raise ChartError(
            f"{builder} needs column(s) {', '.join(missing)}; the DataFrame has "
            f"{', '.join(map(str, data.columns)) or 'no columns'}"
        )


def check_timezone(timezone: str) -> str:
    """Return `timezone` after checking that it is an IANA zone name such as Europe/Madrid."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {timezone!r}: use an IANA name such as 'Europe/Madrid' or 'UTC'"
        ) from None
    return timezone


def utc_series(data: pd.DataFrame, column: str, builder: str) -> pd.Series:
    """Return `data[column]` as timezone-aware UTC, rejecting naive datetimes."""
    values = pd.to_datetime(data[column])
    if not isinstance(values.dtype, pd.DatetimeTZDtype):
        raise ChartError(
            f"{builder}: column {column!r} contains naive datetimes; store timezone-aware UTC "
            "values (for example with Series.dt.tz_localize('UTC'))"
        )
    return cast("pd.Series", values.dt.tz_convert("UTC"))


def local_wall_clock(values: pd.Series, timezone: str) -> pd.Series:
    """Convert aware instants to naive wall-clock times in `timezone`, for Plotly's date axes.

    Plotly draws the wall-clock part of a timestamp and ignores its offset, so converting first
    is what makes the axis read in the event's time zone.
    """
    # NOTE: in the hour repeated when daylight saving time ends, wall-clock times repeat too, so
    # a line through that hour folds back on itself.
    return cast("pd.Series", values.dt.tz_convert(timezone).dt.tz_localize(None))


def start_figure(*, template: str, lang: str, title: str | None) -> tuple[go.Figure, Palette, Lang]:
    """Create an empty figure with the template, the language's separators and the title."""
    language = resolve_lang(lang)
    palette = palette_for(template)
    fig = go.Figure()
    fig.update_layout(template=template, separators=plotly_separators(language))
    if title:
        fig.update_layout(title={"text": title})
    return fig, palette, language
