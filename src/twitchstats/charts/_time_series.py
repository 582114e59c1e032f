"""Figures over time: a channel's viewers, an event's concurrent viewers, follower counts."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from twitchstats._exceptions import ChartError
from twitchstats.charts._common import (
    check_timezone,
    local_wall_clock,
    require_columns,
    start_figure,
    utc_series,
)
from twitchstats.charts._formatting import format_local_time, format_number, time_tickformatstops
from twitchstats.charts._labels import Lang, label
from twitchstats.charts._themes import LIGHT_TEMPLATE

__all__ = ["concurrency_curve", "follower_growth", "viewer_timeline"]

# A step between two observations longer than this many typical steps is a gap: the line breaks
# there instead of drawing a straight segment across minutes the collector did not observe.
_GAP_FACTOR = 2.0

_DAY_MS = 24 * 60 * 60 * 1000


def _gap_after(times: pd.Series) -> np.ndarray:
    """Return, per row, whether the step to the next row is a gap (always False for the last)."""
    steps = times.diff().shift(-1)
    if len(times) < 3:
        return np.zeros(len(times), dtype=bool)
    typical = steps.median()
    return (steps > typical * _GAP_FACTOR).fillna(False).to_numpy(dtype=bool)


def _with_breaks(times: pd.Series, values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Insert a missing value after each gap so that Plotly breaks the line there.

    Takes UTC times: on local wall-clock times the hour skipped by daylight saving time would
    look like a gap.
    """
    gaps = _gap_after(times)
    if not gaps.any():
        return times.reset_index(drop=True), values.reset_index(drop=True)
    break_times = times[gaps] + (times.shift(-1)[gaps] - times[gaps]) / 2
    frame = pd.concat(
        [
            pd.DataFrame({"t": times.to_numpy(), "v": values.to_numpy(dtype=float)}),
            pd.DataFrame({"t": break_times.to_numpy(), "v": np.nan}),
        ]
    ).sort_values("t", kind="stable")
    return frame["t"].reset_index(drop=True), frame["v"].reset_index(drop=True)


def _time_axis(fig: go.Figure, *, timezone: str, lang: Lang, y_title: str) -> None:
    fig.update_layout(
        xaxis={
            "title": {"text": label("time", lang, timezone=timezone)},
            "type": "date",
            "tickformatstops": time_tickformatstops(lang),
        },
        yaxis={"title": {"text": y_title}, "rangemode": "tozero", "tickformat": ",d"},
        hovermode="x unified",
    )


def _pieces_from_samples(samples: pd.DataFrame, times: pd.Series) -> pd.DataFrame:
    """Split sorted samples into category pieces: a new piece at each category change or gap.

    The sample at a change belongs to the new category. A piece ends where the next one starts,
    or one typical step after its last sample when a gap or the end follows.
    """
    key = samples["game_id"] if "game_id" in samples.columns else samples["game_name"]
    key = key.fillna("").astype(str).reset_index(drop=True)
    names = samples["game_name"].fillna("").astype(str).reset_index(drop=True)
    times = times.reset_index(drop=True)
    gaps = _gap_after(times)
    step = times.diff().median() if len(times) > 1 else pd.Timedelta(minutes=1)

    starts_piece = (key != key.shift()) | pd.Series(np.roll(gaps, 1)).astype(bool)
    starts_piece.iloc[0] = True
    piece_ids = starts_piece.cumsum()
    rows = []
    for _, index in piece_ids.groupby(piece_ids).groups.items():
        first, last = index[0], index[-1]
        follows_directly = last + 1 < len(times) and not gaps[last]
        ended = times[last + 1] if follows_directly else times[last] + step
        rows.append({"started_at": times[first], "ended_at": ended, "game_name": names[first]})
    return pd.DataFrame(rows, columns=["started_at", "ended_at", "game_name"])


def viewer_timeline(
    samples: pd.DataFrame,
    *,
    timezone: str,
    pieces: pd.DataFrame | None = None,
    value_column: str = "viewer_count",
    title: str | None = None,
    lang: str = "en",
    template: str = LIGHT_TEMPLATE,
) -> go.Figure:
    """Build the viewer count of one channel over time, with its category pieces shaded.

    Reads `observed_at` (aware UTC) and `value_column` from `samples`, which must belong to one
    channel (one `channel_id` when that column is present). The default `viewer_count` is the
    raw reading of the samples frame and of `Sessions.minutes`; pass `value_column="viewers"`
    for the sessioniser's interpolated counts. Missing counts and gaps between rows break the
    line.

    Category pieces come from `pieces` (one row per continuous piece: `started_at`, `ended_at`,
    `game_name`) or, when it is None, from the samples' `game_name` (and `game_id`) columns:
    a new piece starts at each category change and after each gap. Each piece is a shaded band,
    with one legend entry per category.

    Raises:
        ChartError: missing columns, naive datetimes, or samples of several channels.
        ValueError: unknown time zone, language or template.
    """
    require_columns(samples, ["observed_at", value_column], "viewer_timeline")
    check_timezone(timezone)
    if "channel_id" in samples.columns and samples["channel_id"].nunique() > 1:
        channels = ", ".join(map(str, samples["channel_id"].unique()[:5]))
        raise ChartError(
            f"viewer_timeline draws one channel, but the samples hold several ({channels}); "
            "filter them by channel_id, or use concurrency_curve for an event total"
        )
    fig, palette, language = start_figure(template=template, lang=lang, title=title)

    ordered = samples.assign(_t=utc_series(samples, "observed_at", "viewer_timeline"))
    ordered = ordered.sort_values("_t", kind="stable").reset_index(drop=True)
    if pieces is None and "game_name" in ordered.columns and len(ordered):
        pieces = _pieces_from_samples(ordered, ordered["_t"])
    if pieces is not None and len(pieces):
        require_columns(pieces, ["started_at", "ended_at", "game_name"], "viewer_timeline pieces")
        starts = local_wall_clock(utc_series(pieces, "started_at", "viewer_timeline"), timezone)
        ends = local_wall_clock(utc_series(pieces, "ended_at", "viewer_timeline"), timezone)
        colours: dict[str, str] = {}
        bands: list[dict[str, object]] = []
        for start, end, name in zip(starts, ends, pieces["game_name"].fillna(""), strict=True):
            category = str(name) or label("other", language)
            first_of_category = category not in colours
            if first_of_category:
                colours[category] = palette.categories[len(colours) % len(palette.categories)]
            bands.append(
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "paper",
                    "x0": start,
                    "x1": end,
                    "y0": 0,
                    "y1": 1,
                    "fillcolor": colours[category],
                    "opacity": 0.22,
                    "line": {"width": 0},
                    "layer": "below",
                    "name": category,
                    "legendgroup": category,
                    "showlegend": first_of_category,
                }
            )
        # One layout update for all bands: add_vrect per piece re-validates every shape
        # already on the figure, which made channels with many pieces quadratic.
        fig.update_layout(shapes=[*fig.layout.shapes, *bands])

    times, viewers = _with_breaks(
        ordered["_t"], pd.to_numeric(ordered[value_column], errors="coerce").astype(float)
    )
    times = local_wall_clock(times, timezone)
    fig.add_scatter(
        x=times,
        y=viewers,
        mode="lines",
        line={"color": palette.accent},
        name=label("viewers", language),
        connectgaps=False,
        showlegend=False,
        hovertemplate="%{y:,d}<extra></extra>",
    )
    _time_axis(fig, timezone=timezone, lang=language, y_title=label("viewers", language))
    return fig


def concurrency_curve(
    concurrency: pd.DataFrame,
    *,
    timezone: str,
    title: str | None = None,
    lang: str = "en",
    template: str = LIGHT_TEMPLATE,
) -> go.Figure:
    """Build an event's concurrent viewers over time, with the peak marked and labelled.

    Reads `observed_at` (aware UTC) and `viewers`; `channels_live` is shown on hover when
    present. A missing `viewers` value (a minute the collector did not observe) breaks the line,
    as does a gap between rows. The peak label gives the value and the local day and time.

    Raises:
        ChartError: missing columns, naive datetimes, or no known viewer count at all.
        ValueError: unknown time zone, language or template.
    """
    require_columns(concurrency, ["observed_at", "viewers"], "concurrency_curve")
    check_timezone(timezone)
    fig, palette, language = start_figure(template=template, lang=lang, title=title)

    ordered = concurrency.assign(_t=utc_series(concurrency, "observed_at", "concurrency_curve"))
    ordered = ordered.sort_values("_t", kind="stable").reset_index(drop=True)
    viewers = pd.to_numeric(ordered["viewers"], errors="coerce").astype(float)
    if viewers.notna().sum() == 0:
        raise ChartError(
            f"concurrency_curve: none of the {len(ordered)} rows has a viewer count, so there is "
            "no curve or peak to draw"
        )

    local_times = local_wall_clock(ordered["_t"], timezone)
    times, values = _with_breaks(ordered["_t"], viewers)
    times = local_wall_clock(times, timezone)
    fig.add_scatter(
        x=times,
        y=values,
        mode="lines",
        line={"color": palette.accent},
        fill="tozeroy",
        fillcolor=_translucent(palette.accent, 0.15),
        name=label("viewers", language),
        connectgaps=False,
        showlegend=False,
        hovertemplate="%{y:,d}<extra></extra>",
    )
    if "channels_live" in ordered.columns:
        fig.add_scatter(
            x=local_times,
            y=viewers,
            mode="markers",
            marker={"opacity": 0},
            customdata=ordered["channels_live"],
            name=label("channels_live", language),
            showlegend=False,
            hovertemplate=label("channels_live", language) + ": %{customdata}<extra></extra>",
        )

    # Positional: `ordered` has a fresh RangeIndex, and argmax skips missing counts.
    peak_index = int(np.nanargmax(viewers.to_numpy()))
    peak_value = float(viewers[peak_index])
    peak_text = label(
        "peak",
        language,
        value=format_number(peak_value, language),
        time=format_local_time(ordered["_t"][peak_index], timezone, language),
    )
    fig.add_scatter(
        x=[local_times[peak_index]],
        y=[peak_value],
        mode="markers",
        marker={
            "color": palette.accent,
            "size": 14,
            "line": {"color": palette.background, "width": 3},
        },
        showlegend=False,
        hoverinfo="skip",
    )
    fig.add_annotation(
        x=local_times[peak_index],
        y=peak_value,
        text=peak_text,
        showarrow=True,
        arrowcolor=palette.text,
        ax=0,
        ay=-45,
        yanchor="bottom",
        font={"color": palette.text},
        bgcolor=_translucent(palette.background, 0.85),
    )
    _time_axis(fig, timezone=timezone, lang=language, y_title=label("viewers", language))
    # Headroom above the peak for its label.
    fig.update_yaxes(range=[0, peak_value * 1.25])
    return fig


def follower_growth(
    followers: pd.DataFrame,
    *,
    timezone: str,
    label_column: str = "channel_login",
    display_names: Mapping[str, str] | None = None,
    title: str | None = None,
    lang: str = "en",
    template: str = LIGHT_TEMPLATE,
) -> go.Figure:
    """Build follower totals over time, one line per channel.

    Reads `channel_id`, `followers` and either `day` (a local date, as in daily snapshots) or
    `observed_at` (aware UTC, shown in `timezone`). Lines are named by `label_column` when
    present, else by `channel_id`; `display_names` (`channel_id` to name) overrides both. A
    missing follower count (a failed read) stays a break in the line, never a drop to zero.

    Raises:
        ChartError: missing columns or naive datetimes.
        ValueError: unknown time zone, language or template.
    """
    require_columns(followers, ["channel_id", "followers"], "follower_growth")
    if "day" not in followers.columns and "observed_at" not in followers.columns:
        require_columns(followers, ["day or observed_at"], "follower_growth")
    check_timezone(timezone)
    fig, palette, language = start_figure(template=template, lang=lang, title=title)

    if "day" in followers.columns:
        x_values = pd.to_datetime(followers["day"])
        x_title = label("day", language, timezone=timezone)
        # Whole days between ticks: Plotly would otherwise add ticks at noon on short ranges.
        days = max(int((x_values.max() - x_values.min()) / pd.Timedelta(days=1)), 1)
        tickformat: dict[str, object] = {
            "tickformat": "%d/%m" if language == "es" else "%b %d",
            "dtick": _DAY_MS * max(1, -(-days // 10)),
        }
    else:
        utc = utc_series(followers, "observed_at", "follower_growth")
        x_values = local_wall_clock(utc, timezone)
        x_title = label("time", language, timezone=timezone)
        tickformat = {"tickformatstops": time_tickformatstops(language)}
    frame = followers.assign(_x=x_values.to_numpy()).sort_values("_x", kind="stable")

    for index, (channel, rows) in enumerate(frame.groupby("channel_id", sort=False)):
        name = str(channel)
        if label_column in rows.columns:
            name = str(rows[label_column].iloc[0])
        if display_names is not None:
            name = display_names.get(str(channel), name)
        fig.add_scatter(
            x=rows["_x"],
            y=pd.to_numeric(rows["followers"], errors="coerce").astype(float),
            mode="lines+markers",
            line={"color": palette.categories[index % len(palette.categories)]},
            marker={"size": 10},
            name=name,
            connectgaps=False,
            hovertemplate=name + ": %{y:,d}<extra></extra>",
        )

    fig.update_layout(
        xaxis={"title": {"text": x_title}, "type": "date", **tickformat},
        yaxis={"title": {"text": label("followers", language)}, "tickformat": ",d"},
        hovermode="x unified",
    )
    return fig


def _translucent(colour: str, alpha: float) -> str:
    """Turn "#RRGGBB" into an rgba() string with the given opacity."""
    red, green, blue = (int(colour[index : index + 2], 16) for index in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"
