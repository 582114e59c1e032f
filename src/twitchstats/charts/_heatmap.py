"""The weekly schedule heatmap: weekday by hour of day in the event's time zone."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from twitchstats._exceptions import ChartError
from twitchstats.charts._common import check_timezone, require_columns, start_figure, utc_series
from twitchstats.charts._labels import label, metric_title, weekday_names
from twitchstats.charts._themes import LIGHT_TEMPLATE

__all__ = ["schedule_heatmap"]

# Every time zone offset in use is a multiple of 15 minutes, so a 15-minute UTC slice never
# straddles a local hour boundary, daylight saving changes included.
_SLICE_NS = 15 * 60 * 1_000_000_000
_NS_PER_HOUR = 3600 * 1_000_000_000


def _hours_live(streams: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """Sum the hours live of all streams per local (weekday, hour) cell."""
    starts = utc_series(streams, "started_at", "schedule_heatmap").astype("datetime64[ns, UTC]")
    ends = utc_series(streams, "ended_at", "schedule_heatmap").astype("datetime64[ns, UTC]")
    valid = starts.notna() & ends.notna() & (ends > starts)
    start_ns = starts[valid].dt.tz_convert(None).to_numpy(dtype="datetime64[ns]").astype(np.int64)
    end_ns = ends[valid].dt.tz_convert(None).to_numpy(dtype="datetime64[ns]").astype(np.int64)

    slice_starts: list[np.ndarray] = []
    slice_hours: list[np.ndarray] = []
    for start, end in zip(start_ns, end_ns, strict=True):
        first = start - start % _SLICE_NS
        edges = np.arange(first, end + _SLICE_NS, _SLICE_NS, dtype=np.int64)
        lower = np.maximum(edges[:-1], start)
        upper = np.minimum(edges[1:], end)
        keep = upper > lower
        slice_starts.append(lower[keep])
        slice_hours.append((upper[keep] - lower[keep]) / _NS_PER_HOUR)
    if not slice_starts:
        return pd.DataFrame({"weekday": [], "hour": [], "value": []})

    local = pd.DatetimeIndex(np.concatenate(slice_starts), tz="UTC").tz_convert(timezone)
    return pd.DataFrame(
        {"weekday": local.day_of_week, "hour": local.hour, "value": np.concatenate(slice_hours)}
    )


def _average_viewers(data: pd.DataFrame, timezone: str, column: str) -> pd.DataFrame:
    """Return each observation's local (weekday, hour) and viewer count; missing counts dropped."""
    local = utc_series(data, "observed_at", "schedule_heatmap").dt.tz_convert(timezone)
    frame = pd.DataFrame(
        {
            "weekday": local.dt.day_of_week,
            "hour": local.dt.hour,
            "value": pd.to_numeric(data[column], errors="coerce"),
        }
    )
    return frame.dropna(subset=["value"])


def schedule_heatmap(
    data: pd.DataFrame,
    *,
    timezone: str,
    value: Literal["hours_live", "average_viewers"] = "hours_live",
    title: str | None = None,
    lang: str = "en",
    template: str = LIGHT_TEMPLATE,
) -> go.Figure:
    """Build a weekday × hour heatmap in the event's time zone, Monday at the top.

    - `value="hours_live"` reads `started_at` and `ended_at` (streams DataFrame) and sums the
      hours live that fall in each local weekday and hour, over all streams and weeks. A stream
      that crosses an hour or midnight counts in each cell for the time it spent there.
    - `value="average_viewers"` reads `observed_at` and `viewers` (event concurrency) or
      `viewer_count` (samples), and averages the counts observed in each cell. Cells without
      observations stay empty, not zero.

    Raises:
        ChartError: missing columns or naive datetimes.
        ValueError: unknown `value`, time zone, language or template.
    """
    check_timezone(timezone)
    if value == "hours_live":
        require_columns(data, ["started_at", "ended_at"], "schedule_heatmap")
        cells = _hours_live(data, timezone).groupby(["weekday", "hour"])["value"].sum()
        fill: float = 0.0
    elif value == "average_viewers":
        column = "viewers" if "viewers" in data.columns else "viewer_count"
        require_columns(data, ["observed_at", column], "schedule_heatmap")
        cells = (
            _average_viewers(data, timezone, column).groupby(["weekday", "hour"])["value"].mean()
        )
        fill = float("nan")
    else:
        raise ValueError(f"unknown heatmap value {value!r}: use 'hours_live' or 'average_viewers'")
    fig, palette, language = start_figure(template=template, lang=lang, title=title)

    grid = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    matrix = cells.reindex(grid, fill_value=fill).to_numpy(dtype=float).reshape(7, 24)
    if value == "average_viewers" and np.isnan(matrix).all():
        raise ChartError(
            f"schedule_heatmap: none of the {len(data)} rows has a viewer count to average"
        )
    decimals = ",.1f" if value == "hours_live" else ",.0f"
    value_title = metric_title(value, language)

    fig.add_heatmap(
        z=matrix,
        x=[f"{hour:02d}" for hour in range(24)],
        y=list(weekday_names(language)),
        colorscale=[[0.0, palette.grid], [1.0, palette.accent]],
        zmin=0,
        xgap=2,
        ygap=2,
        colorbar={
            "title": {"text": value_title, "side": "right"},
            "tickformat": decimals,
        },
        hovertemplate="%{y} %{x}h: %{z:" + decimals + "}<extra></extra>",
    )
    fig.update_layout(
        xaxis={
            "title": {"text": label("hour", language, timezone=timezone)},
            "type": "category",
            "showgrid": False,
            "ticks": "",
        },
        yaxis={
            "title": {"text": label("weekday", language, timezone=timezone)},
            "autorange": "reversed",
            "showgrid": False,
            "ticks": "",
        },
    )
    return fig
