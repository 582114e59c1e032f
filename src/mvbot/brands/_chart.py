"""Exposure timeline chart: one row per brand, with the viewer curve above it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from mvbot._i18n import resolve_language, translate

if TYPE_CHECKING:
    from mvbot.brands._report import Report

__all__ = ["timeline_figure"]

_COLOURS = ["#9146FF", "#E4572E", "#17BEBB", "#FFC914", "#2E86AB", "#76B041", "#D7263D"]


def timeline_figure(report: Report, language: str) -> go.Figure:
    """Build the timeline: exposures as bars over time, viewers per minute on top.

    The x axis is wall-clock UTC time when the VOD's start is known, else minutes from the
    start of the video.
    """
    timing = report.timing
    figure = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.35, 0.65], vertical_spacing=0.06
    )

    def x_of(offsets: pd.Series) -> list[object]:
        if timing is None:
            return list(offsets / 60.0)
        start = pd.Timestamp(timing.start)
        return [start + pd.Timedelta(seconds=float(s)) for s in offsets]

    if report.viewers is not None and timing is not None and not report.viewers.empty:
        viewers = report.viewers
        if timing.duration_seconds is not None:
            first = pd.Timestamp(timing.start).floor("min")
            last = pd.Timestamp(timing.start) + pd.Timedelta(seconds=timing.duration_seconds)
            viewers = viewers[(viewers.index >= first) & (viewers.index <= last)]
        # Minutes without a sample stay empty, so a collector gap shows as a break in the line.
        if not viewers.empty:
            minutes = pd.date_range(viewers.index.min(), viewers.index.max(), freq="min")
            viewers = viewers.reindex(minutes)
        figure.add_trace(
            go.Scatter(
                x=list(viewers.index),
                y=[None if pd.isna(v) else float(v) for v in viewers.to_numpy()],
                mode="lines",
                line={"shape": "hv", "color": "#444444", "width": 2},
                name=translate("brands.chart_viewers", language),
            ),
            row=1,
            col=1,
        )

    exposures = report.exposures
    brands = sorted(set(exposures["brand"])) if not exposures.empty else []
    for index, brand in enumerate(brands):
        rows = exposures[exposures["brand"] == brand]
        xs: list[object] = []
        ys: list[object] = []
        starts = x_of(rows["start_offset_seconds"])
        ends = x_of(rows["end_offset_seconds"])
        for start, end in zip(starts, ends, strict=True):
            xs += [start, end, None]
            ys += [brand, brand, None]
        figure.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"width": 18, "color": _COLOURS[index % len(_COLOURS)]},
                name=brand,
                connectgaps=False,
            ),
            row=2,
            col=1,
        )

    axis_title = translate(
        "brands.chart_time_utc" if timing is not None else "brands.chart_minutes", language
    )
    figure.update_xaxes(title_text=axis_title, row=2, col=1)
    if timing is not None:
        # Numeric day/month and 24-hour time read the same in Spanish and English, where
        # Plotly's default ticks name the month in English. Ticks under a minute apart
        # show seconds.
        date = "<br>%d/%m/%Y"
        figure.update_xaxes(
            tickformatstops=[
                {"dtickrange": [None, 60_000], "value": "%H:%M:%S" + date},
                {"dtickrange": [60_000, None], "value": "%H:%M" + date},
            ],
            hoverformat="%d/%m/%Y %H:%M:%S",
        )
    figure.update_yaxes(tickformat=",d", row=1, col=1)
    figure.update_yaxes(title_text=translate("brands.chart_viewers", language), row=1, col=1)
    figure.update_yaxes(type="category", row=2, col=1)
    figure.update_layout(
        # Decimal mark, then thousands separator: 1.234 in Spanish, 1,234 in English.
        separators=",." if resolve_language(language) == "es" else ".,",
        template="plotly_white",
        title=translate("brands.chart_title", language),
        showlegend=False,
        margin={"l": 80, "r": 30, "t": 60, "b": 60},
    )
    return figure
