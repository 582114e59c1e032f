"""The concurrency-curve variant: the event's combined viewers across one local day.

The chart is drawn with Pillow rather than exported from Plotly: it needs no browser, renders in
milliseconds, and shares the fonts, colours and grid of the ranked cards exactly.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from PIL import Image, ImageDraw

from mvbot._exceptions import RenderError
from mvbot.infographic._fonts import TextRenderer
from mvbot.infographic._theme import THEME, Format, Theme, rounded_panel

__all__ = [
    "CONCURRENCY_COLUMNS",
    "CurveStats",
    "CurveText",
    "curve_stats",
    "day_bounds",
    "day_frame",
    "draw_curve",
    "unobserved_spans",
]

CONCURRENCY_COLUMNS: Final = ("observed_at", "viewers", "channels_live")

# Lines and fills are drawn at this multiple of the final size, then scaled down, for smooth edges.
_SUPERSAMPLE: Final = 3


@dataclass(frozen=True, slots=True)
class CurveStats:
    """Summary of one day's concurrency: peak (with its UTC time), live average, channel maximum."""

    peak: int
    peak_at: dt.datetime | None
    average_live: float
    max_channels: int
    samples: int
    unobserved_minutes: int


@dataclass(frozen=True, slots=True)
class CurveText:
    """Translated labels of the curve variant."""

    peak_label: str
    peak_value: str
    peak_detail: str
    average_label: str
    average_value: str
    channels_label: str
    channels_value: str
    empty: str
    gap: str


def day_bounds(day: dt.date, timezone: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the UTC start and end of the local `day` (23 or 25 hours long on DST changes)."""
    zone = ZoneInfo(timezone)
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return pd.Timestamp(start).tz_convert("UTC"), pd.Timestamp(end).tz_convert("UTC")


def day_frame(
    concurrency: pd.DataFrame,
    day: dt.date,
    timezone: str,
    *,
    polls: pd.DataFrame | None = None,
    sampling_minutes: int = 1,
) -> pd.DataFrame:
    """Return the local day's concurrency with a row for every observed poll, sorted by time.

    twitchstats' event concurrency has rows only for minutes when a channel was live. A poll
    time without a row therefore means 0 viewers. With `polls`, only the times of ok and
    partial polls get a 0 row, and the time between them stays unknown, as a collector gap
    should. Without `polls`, every step of `sampling_minutes` is taken as polled. A day with
    no row and no successful poll is returned empty: nothing says anyone was watching.
    """
    missing = [column for column in CONCURRENCY_COLUMNS if column not in concurrency.columns]
    if missing:
        raise RenderError(
            f"the concurrency DataFrame has no column {', '.join(missing)}: pass the event "
            f"concurrency from twitchstats (columns {', '.join(CONCURRENCY_COLUMNS)})"
        )
    start, end = day_bounds(day, timezone)
    frame = pd.DataFrame(
        {
            "observed_at": _utc(concurrency["observed_at"], "concurrency"),
            "viewers": pd.to_numeric(concurrency["viewers"], errors="coerce"),
            "channels_live": pd.to_numeric(concurrency["channels_live"], errors="coerce"),
        }
    )
    frame = frame.loc[(frame["observed_at"] >= start) & (frame["observed_at"] < end)]

    if polls is not None:
        if "observed_at" not in polls.columns or "outcome" not in polls.columns:
            raise RenderError(
                "the polls DataFrame needs the columns observed_at and outcome: pass the polls "
                "table from twitchstats' storage"
            )
        ok = polls.loc[polls["outcome"].isin(("ok", "partial"))]
        poll_times = pd.Series(_utc(ok["observed_at"], "polls").to_numpy())
        poll_times = poll_times.loc[(poll_times >= start) & (poll_times < end)]
    elif len(frame):
        poll_times = pd.Series(
            pd.date_range(start, end, freq=f"{sampling_minutes}min", inclusive="left")
        )
    else:
        poll_times = pd.Series([], dtype="datetime64[ns, UTC]")

    frame = frame.sort_values("observed_at").reset_index(drop=True)
    if poll_times.empty:
        return frame
    # A poll within half a step of a concurrency row is that row's poll.
    tolerance = pd.Timedelta(minutes=sampling_minutes) / 2
    polled = pd.DataFrame({"observed_at": poll_times.sort_values().to_numpy()})
    polled["observed_at"] = polled["observed_at"].astype(frame["observed_at"].dtype)
    matched = pd.merge_asof(
        polled,
        frame.assign(_row=frame["observed_at"]),
        on="observed_at",
        direction="nearest",
        tolerance=tolerance,
    )
    quiet = polled.loc[matched["_row"].isna().to_numpy()].assign(viewers=0.0, channels_live=0.0)
    if polls is not None and len(frame):
        # The metrics engine fills short collector gaps inside a stream with estimates. The
        # curve shows only observed minutes, so those estimates are drawn as unknown time.
        observed = pd.merge_asof(
            frame[["observed_at"]],
            polled.assign(_poll=polled["observed_at"]),
            on="observed_at",
            direction="nearest",
            tolerance=tolerance,
        )
        frame = frame.loc[observed["_poll"].notna().to_numpy()]
    combined = pd.concat([frame, quiet], ignore_index=True)
    return combined.sort_values("observed_at").reset_index(drop=True)


def _utc(values: pd.Series, name: str) -> pd.Series:
    times = pd.to_datetime(values)
    if times.dt.tz is None:
        raise RenderError(
            f"{name} observed_at has no time zone: pass timezone-aware UTC timestamps"
        )
    return times.dt.tz_convert("UTC")


def curve_stats(frame: pd.DataFrame, day: dt.date, timezone: str) -> CurveStats:
    """Return the peak, the live average and the most channels live of a `day_frame` result."""
    frame = frame.dropna(subset=["viewers"])
    if frame.empty:
        return CurveStats(
            peak=0, peak_at=None, average_live=0.0, max_channels=0, samples=0, unobserved_minutes=0
        )
    start, end = day_bounds(day, timezone)
    # A span runs from the observation before a gap to the one after it. One polling step of it
    # belongs to those observations, and the rest is time without data.
    step = (
        float(frame["observed_at"].diff().dt.total_seconds().median()) if len(frame) > 1 else 60.0
    )
    unobserved = sum(
        max(0.0, (span_end - span_start).total_seconds() - step) / 60
        for span_start, span_end in unobserved_spans(frame, start, end)
    )
    peak_index = int(frame["viewers"].to_numpy().argmax())
    live = frame.loc[frame["channels_live"].fillna(0) > 0, "viewers"]
    return CurveStats(
        peak=int(frame["viewers"].iloc[peak_index]),
        peak_at=frame["observed_at"].iloc[peak_index].to_pydatetime(),
        average_live=float(live.mean()) if not live.empty else 0.0,
        max_channels=int(frame["channels_live"].fillna(0).max()),
        samples=len(frame),
        unobserved_minutes=round(unobserved),
    )


def live_average(concurrency: pd.DataFrame, day: dt.date, timezone: str) -> float:
    """Return the day's mean viewers over the minutes with a channel live, estimates included.

    This is the event average of twitchstats, hours watched over hours live. Minutes that the
    metrics engine estimated inside a short collector gap count, as they do in the event table
    and the ranking images, although the curve draws them as unknown time.
    """
    start, end = day_bounds(day, timezone)
    times = _utc(concurrency["observed_at"], "concurrency")
    live = pd.to_numeric(concurrency["channels_live"], errors="coerce").fillna(0) > 0
    inside = ((times >= start) & (times < end) & live).to_numpy()
    viewers = pd.to_numeric(concurrency["viewers"], errors="coerce").loc[inside].dropna()
    return float(viewers.mean()) if len(viewers) else 0.0


def draw_curve(
    canvas: Image.Image,
    frame: pd.DataFrame,
    *,
    day: dt.date,
    timezone: str,
    text: CurveText,
    fmt: Format,
    renderer: TextRenderer,
    format_number: Callable[[float], str],
    theme: Theme = THEME,
) -> None:
    """Draw three summary tiles and the day's concurrency curve below the header."""
    top = fmt.header_height + fmt.margin // 2
    tile_height = round(fmt.value_size * 2.9)
    _draw_tiles(canvas, text, top=top, height=tile_height, fmt=fmt, renderer=renderer, theme=theme)

    plot_top = top + tile_height + fmt.row_gap * 2
    plot_bottom = fmt.height - fmt.footer_height - fmt.row_gap * 2
    rounded_panel(
        canvas,
        (fmt.margin, plot_top, fmt.width - fmt.margin, plot_bottom),
        fill=theme.panel,
        radius=16,
    )
    pad = round(fmt.footer_size * 1.2)
    axis_label_width = round(renderer.width("0.000.000", fmt.footer_size) + pad)
    box = (
        fmt.margin + pad + axis_label_width,
        plot_top + pad + fmt.change_size,
        fmt.width - fmt.margin - pad - fmt.footer_size,
        plot_bottom - pad - round(fmt.footer_size * 1.6),
    )
    viewers = frame["viewers"].dropna()
    if viewers.empty:
        renderer.draw(
            canvas,
            ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2),
            text.empty,
            size=fmt.name_size,
            fill=theme.muted,
            anchor="centre",
        )
        return

    y_max = _nice_ceiling(float(viewers.max()))
    _draw_grid(
        canvas, box, y_max, fmt=fmt, renderer=renderer, format_number=format_number, theme=theme
    )
    _draw_time_axis(canvas, box, day, timezone, fmt=fmt, renderer=renderer, theme=theme)
    _draw_gaps(canvas, box, frame, day, timezone, text.gap, fmt=fmt, renderer=renderer, theme=theme)
    _draw_series(canvas, box, frame, day, timezone, y_max, theme=theme)
    _draw_peak(
        canvas, box, frame, day, timezone, y_max, text, fmt=fmt, renderer=renderer, theme=theme
    )


def _draw_tiles(
    canvas: Image.Image,
    text: CurveText,
    *,
    top: int,
    height: int,
    fmt: Format,
    renderer: TextRenderer,
    theme: Theme,
) -> None:
    tiles = (
        (text.peak_label, text.peak_value, theme.accent),
        (text.average_label, text.average_value, theme.text),
        (text.channels_label, text.channels_value, theme.text),
    )
    gap = fmt.row_gap * 2
    width = (fmt.width - 2 * fmt.margin - gap * (len(tiles) - 1)) // len(tiles)
    for index, (label, value, colour) in enumerate(tiles):
        left = fmt.margin + index * (width + gap)
        rounded_panel(canvas, (left, top, left + width, top + height), fill=theme.panel, radius=14)
        inner = width - 2 * fmt.login_size
        renderer.draw(
            canvas,
            (left + fmt.login_size, top + fmt.login_size * 1.9),
            renderer.fit(label, fmt.login_size, inner),
            size=fmt.login_size,
            fill=theme.muted,
        )
        renderer.draw(
            canvas,
            (left + fmt.login_size, top + height - fmt.login_size * 1.0),
            renderer.fit(value, fmt.value_size, inner, "bold"),
            size=fmt.value_size,
            fill=colour,
            weight="bold",
        )


def _nice_ceiling(value: float) -> float:
    """Return a round number (1, 2, 2.5 or 5 × 10ⁿ) at or above `value`, for the y axis."""
    if value <= 0:
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _draw_grid(
    canvas: Image.Image,
    box: tuple[int, int, int, int],
    y_max: float,
    *,
    fmt: Format,
    renderer: TextRenderer,
    format_number: Callable[[float], str],
    theme: Theme,
) -> None:
    left, top, right, bottom = box
    draw = ImageDraw.Draw(canvas)
    for step in range(5):
        value = y_max * step / 4
        y = bottom - (bottom - top) * step / 4
        draw.line((left, round(y), right, round(y)), fill=theme.grid, width=1)
        renderer.draw(
            canvas,
            (left - fmt.footer_size * 0.6, y + fmt.footer_size * 0.36),
            format_number(value),
            size=fmt.footer_size,
            fill=theme.muted,
            anchor="right",
        )


def _x_position(
    moment: pd.Timestamp, start: pd.Timestamp, end: pd.Timestamp, left: float, right: float
) -> float:
    share = (moment - start) / (end - start)
    return left + (right - left) * float(share)


def _draw_time_axis(
    canvas: Image.Image,
    box: tuple[int, int, int, int],
    day: dt.date,
    timezone: str,
    *,
    fmt: Format,
    renderer: TextRenderer,
    theme: Theme,
) -> None:
    left, _top, right, bottom = box
    start, end = day_bounds(day, timezone)
    zone = ZoneInfo(timezone)
    draw = ImageDraw.Draw(canvas)
    for hour in range(0, 25, 3):
        # Adding a timedelta to an aware datetime moves the wall clock, so on DST days the ticks
        # after the change sit one hour closer together or farther apart.
        local = dt.datetime.combine(day, dt.time(), tzinfo=zone) + dt.timedelta(hours=hour)
        x = _x_position(pd.Timestamp(local).tz_convert("UTC"), start, end, left, right)
        draw.line((round(x), bottom, round(x), bottom + 6), fill=theme.muted, width=1)
        renderer.draw(
            canvas,
            (x, bottom + fmt.footer_size * 1.5),
            f"{hour % 24:02d}:00" if hour < 24 else "24:00",
            size=fmt.footer_size,
            fill=theme.muted,
            anchor="centre",
        )


def _gap_limit(times: pd.Series) -> float:
    """Return the step, in seconds, above which two observations have a gap between them."""
    steps = times.diff().dt.total_seconds().dropna()
    usual_step = float(np.median(steps)) if not steps.empty else 60.0
    return max(usual_step * 2.5, 90.0)


def unobserved_spans(
    frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Return the spans of the day without a viewer count: collector gaps, not zero viewers.

    The start and end of the day count too when the first or last observation is far from them.
    """
    observed = frame.dropna(subset=["viewers"])["observed_at"]
    if observed.empty:
        return [(start, end)]
    limit = pd.Timedelta(seconds=_gap_limit(observed))
    edges = [start, *observed, end]
    return [
        (before, after) for before, after in itertools.pairwise(edges) if after - before > limit
    ]


def _segments(
    frame: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
    box: tuple[float, float, float, float],
    y_max: float,
) -> list[list[tuple[float, float]]]:
    """Return the curve as point lists, split where the collector has no data.

    A missing or NaN minute is unknown, not zero, so the line stops there instead of dropping to 0.
    """
    left, top, right, bottom = box
    times = frame["observed_at"]
    limit = _gap_limit(times)

    segments: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    previous: pd.Timestamp | None = None
    for moment, value in zip(times, frame["viewers"], strict=True):
        if pd.isna(value) or (previous is not None and (moment - previous).total_seconds() > limit):
            if current:
                segments.append(current)
            current = []
        if not pd.isna(value):
            x = _x_position(moment, start, end, left, right)
            y = bottom - (bottom - top) * float(value) / y_max
            current.append((x, y))
        previous = moment
    if current:
        segments.append(current)
    return segments


def _draw_gaps(
    canvas: Image.Image,
    box: tuple[int, int, int, int],
    frame: pd.DataFrame,
    day: dt.date,
    timezone: str,
    label: str,
    *,
    fmt: Format,
    renderer: TextRenderer,
    theme: Theme,
) -> None:
    """Shade the spans without data, and name the widest one, so no reader takes them for 0."""
    left, top, right, bottom = box
    start, end = day_bounds(day, timezone)

    bands = [
        (
            _x_position(span_start, start, end, left, right),
            _x_position(span_end, start, end, left, right),
        )
        for span_start, span_end in unobserved_spans(frame, start, end)
    ]
    if not bands:
        return

    layer = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for band_left, band_right in bands:
        draw.rectangle(
            (round(band_left), top, max(round(band_left) + 1, round(band_right)), bottom),
            fill=(*theme.muted, 40),
        )
    canvas.alpha_composite(layer)

    widest_left, widest_right = max(bands, key=lambda band: band[1] - band[0])
    label_width = renderer.width(label, fmt.footer_size)
    centre = min(
        max((widest_left + widest_right) / 2, left + label_width / 2), right - label_width / 2
    )
    # Inside the band, just above the time axis: the band has no line to collide with, while
    # the top of the plot is where the peak label goes.
    renderer.draw(
        canvas,
        (centre, bottom - fmt.footer_size),
        label,
        size=fmt.footer_size,
        fill=theme.muted,
        anchor="centre",
    )


def _draw_series(
    canvas: Image.Image,
    box: tuple[int, int, int, int],
    frame: pd.DataFrame,
    day: dt.date,
    timezone: str,
    y_max: float,
    *,
    theme: Theme,
) -> None:
    left, top, right, bottom = box
    scale = _SUPERSAMPLE
    width, height = right - left + 8, bottom - top + 8
    layer = Image.new("RGBA", (width * scale, height * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    start, end = day_bounds(day, timezone)
    local_box = (4 * scale, 4 * scale, (width - 4) * scale, (height - 4) * scale)
    line_width = 3 * scale

    for points in _segments(frame, start, end, local_box, y_max):
        base = local_box[3]
        if len(points) == 1:
            x, y = points[0]
            draw.ellipse(
                (x - line_width, y - line_width, x + line_width, y + line_width), fill=theme.accent
            )
            continue
        polygon = [(points[0][0], base), *points, (points[-1][0], base)]
        draw.polygon(polygon, fill=(*theme.accent, 70))
        draw.line(points, fill=theme.accent, width=line_width, joint="curve")

    layer = layer.reduce(scale)
    canvas.alpha_composite(layer, (left - 4, top - 4))


def _draw_peak(
    canvas: Image.Image,
    box: tuple[int, int, int, int],
    frame: pd.DataFrame,
    day: dt.date,
    timezone: str,
    y_max: float,
    text: CurveText,
    *,
    fmt: Format,
    renderer: TextRenderer,
    theme: Theme,
) -> None:
    data = frame.dropna(subset=["viewers"])
    index = int(data["viewers"].to_numpy().argmax())
    moment = data["observed_at"].iloc[index]
    value = float(data["viewers"].iloc[index])
    start, end = day_bounds(day, timezone)
    left, top, right, bottom = box
    x = _x_position(moment, start, end, left, right)
    y = bottom - (bottom - top) * value / y_max

    radius = 7
    draw = ImageDraw.Draw(canvas)
    draw.ellipse((x - radius - 3, y - radius - 3, x + radius + 3, y + radius + 3), fill=theme.text)
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=theme.accent)

    label = text.peak_detail
    label_width = renderer.width(label, fmt.login_size, "bold")
    anchor_x = min(max(x, left + label_width / 2), right - label_width / 2)
    renderer.draw(
        canvas,
        (anchor_x, y - radius - fmt.login_size * 0.7),
        label,
        size=fmt.login_size,
        fill=theme.text,
        weight="bold",
        anchor="centre",
    )
