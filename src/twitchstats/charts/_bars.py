"""Bar-like figures: channel rankings and category shares."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import pandas as pd
import plotly.graph_objects as go

from twitchstats._exceptions import ChartError
from twitchstats.charts._common import require_columns, start_figure
from twitchstats.charts._formatting import format_number, format_percent
from twitchstats.charts._labels import Lang, label, metric_name, metric_title
from twitchstats.charts._palette import Palette
from twitchstats.charts._themes import LIGHT_TEMPLATE

__all__ = ["category_share", "ranking_bars"]


def ranking_bars(
    rankings: pd.DataFrame,
    *,
    metric: str,
    top: int = 10,
    value_column: str = "value",
    label_column: str = "channel_login",
    display_names: Mapping[str, str] | None = None,
    axis_title: str | None = None,
    decimals: int = 0,
    title: str | None = None,
    lang: str = "en",
    template: str = LIGHT_TEMPLATE,
) -> go.Figure:
    """Build horizontal bars of the top channels, rank 1 at the top, with rank change markers.

    Reads `value_column` and `label_column` (default `channel_login`). Rows are ordered by the
    `rank` column when there is one. Otherwise they are ranked by value, highest first, so any
    metric column of the days or streams DataFrames works too. With `previous_rank` each bar
    gets a marker at the right: "▲3" (climbed 3 places), "▼2", "=" or "new" (no previous rank).

    Args:
        rankings: the metrics engine's rankings DataFrame, or any DataFrame with the columns
            above.
        metric: the metric the values measure, used for the axis title (`average_viewers`,
            `peak_viewers`, `hours_watched`, `airtime_minutes`, `hours_live`,
            `followers_gained`, `streams`, `viewers`).
        top: how many channels to show.
        display_names: `channel_id` to display name; requires a `channel_id` column and
            replaces the label of every channel it names.
        axis_title: a custom value axis title, for a metric without a built-in one.
        decimals: decimals of the value printed at the end of each bar.

    Raises:
        ChartError: a required column is missing.
        ValueError: `top` below 1, unknown metric without `axis_title`, unknown language or
            template.
    """
    require_columns(rankings, [value_column, label_column], "ranking_bars")
    for period_column in ("day", "period_start"):
        if period_column in rankings.columns and rankings[period_column].nunique() > 1:
            raise ChartError(
                f"ranking_bars draws one period, but the rankings hold "
                f"{rankings[period_column].nunique()} values of {period_column!r}; select one, "
                f"for example rankings[rankings[{period_column!r}] == day]"
            )
    if top < 1:
        raise ValueError(f"top must be 1 or more, got {top}")
    fig, palette, language = start_figure(template=template, lang=lang, title=title)
    value_title = axis_title or metric_title(metric, language)

    rows = rankings.dropna(subset=[value_column])
    if "rank" in rows.columns:
        rows = rows.sort_values(["rank", label_column], kind="stable")
        ranks = rows["rank"].astype("int64")
    else:
        rows = rows.sort_values(value_column, ascending=False, kind="stable")
        ranks = rows[value_column].rank(method="min", ascending=False).astype("int64")
    rows = rows.assign(_rank=ranks.to_numpy()).head(top).reset_index(drop=True)

    names = rows[label_column].astype(str)
    if display_names is not None:
        require_columns(rows, ["channel_id"], "ranking_bars with display_names")
        names = pd.Series(
            [
                display_names.get(str(channel), name)
                for channel, name in zip(rows["channel_id"], names, strict=True)
            ]
        )
    values = rows[value_column].astype(float)
    positions = list(range(len(rows)))

    fig.add_bar(
        x=values,
        y=positions,
        orientation="h",
        marker_color=palette.accent,
        text=[format_number(value, language, decimals=decimals) for value in values],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{customdata}: %{text}<extra></extra>",
        customdata=names,
        name=value_title,
        showlegend=False,
    )
    if "previous_rank" in rows.columns:
        _add_rank_changes(fig, rows, palette, language)

    low = min(0.0, float(values.min())) if len(values) else 0.0
    high = max(0.0, float(values.max())) if len(values) else 1.0
    # Room beyond the longest bar for its printed value.
    padding = (high - low) * 0.18 or 1.0
    fig.update_layout(
        xaxis={
            "title": {"text": value_title},
            "range": [low - (padding if low < 0 else 0), high + padding],
            "tickformat": ",~f",
            # The printed values carry the detail; few ticks keep phone-sized images readable.
            "nticks": 6,
        },
        yaxis={
            "tickvals": positions,
            "ticktext": [
                f"{rank}. {name}" for rank, name in zip(rows["_rank"], names, strict=True)
            ],
            "autorange": "reversed",
            "showgrid": False,
            "ticks": "",
            "ticklabelstandoff": 8,
        },
        bargap=0.25,
        margin={"r": 110},
    )
    return fig


def _add_rank_changes(fig: go.Figure, rows: pd.DataFrame, palette: Palette, language: Lang) -> None:
    for position, (rank, previous) in enumerate(
        zip(rows["_rank"], rows["previous_rank"], strict=True)
    ):
        if pd.isna(previous):
            text, colour = label("new", language), palette.accent
        elif int(previous) > rank:
            text, colour = f"▲{int(previous) - rank}", palette.positive
        elif int(previous) < rank:
            text, colour = f"▼{rank - int(previous)}", palette.negative
        else:
            text, colour = "=", palette.muted
        fig.add_annotation(
            x=1.0,
            xref="paper",
            xanchor="left",
            xshift=12,
            y=position,
            yref="y",
            text=text,
            showarrow=False,
            font={"color": colour},
        )


def category_share(
    streams: pd.DataFrame,
    *,
    metric: str = "hours_watched",
    kind: Literal["bar", "donut"] = "bar",
    top: int = 8,
    category_column: str = "game_name",
    title: str | None = None,
    lang: str = "en",
    template: str = LIGHT_TEMPLATE,
) -> go.Figure:
    """Build the share of a metric per category, as horizontal bars or a donut.

    Reads `category_column` (default `game_name`) and the `metric` column, sums the metric per
    category (a category may have several pieces and streams), keeps the `top` largest and groups
    the rest as "Other". Typical metrics: `hours_watched`, `airtime_minutes`.

    Raises:
        ChartError: a required column is missing, or the metric sums to zero or less.
        ValueError: `top` below 1, unknown `kind`, metric, language or template.
    """
    require_columns(streams, [category_column, metric], "category_share")
    if top < 1:
        raise ValueError(f"top must be 1 or more, got {top}")
    if kind not in ("bar", "donut"):
        raise ValueError(f"unknown kind {kind!r}: use 'bar' or 'donut'")
    fig, palette, language = start_figure(template=template, lang=lang, title=title)

    names = streams[category_column].fillna("").astype(str)
    names = names.where(names != "", label("other", language))
    totals = streams[metric].astype(float).groupby(names).sum().sort_values(ascending=False)
    overall = float(totals.sum())
    if overall <= 0:
        raise ChartError(
            f"category_share: {metric} sums to {overall} over {len(streams)} rows, so there "
            "is no share to draw"
        )
    drawn_totals = totals.head(top)
    rest = float(totals.iloc[top:].sum())
    if rest > 0:
        other = label("other", language)
        drawn_totals = pd.concat(
            [
                drawn_totals.drop(other, errors="ignore"),
                pd.Series({other: drawn_totals.get(other, 0.0) + rest}),
            ]
        )
    fractions = drawn_totals / overall
    texts = [format_percent(fraction, language) for fraction in fractions]
    colours = [
        palette.categories[index % len(palette.categories)] for index in range(len(drawn_totals))
    ]

    if kind == "donut":
        fig.add_pie(
            labels=list(drawn_totals.index),
            values=drawn_totals.to_numpy(),
            hole=0.55,
            sort=False,
            direction="clockwise",
            text=texts,
            textinfo="text",
            marker_colors=colours,
            hovertemplate="%{label}: %{text}<extra></extra>",
        )
        fig.update_layout(
            annotations=[
                {
                    "text": metric_title(metric, language),
                    "showarrow": False,
                    "font": {"color": palette.muted},
                }
            ]
        )
        return fig

    fig.add_bar(
        x=fractions.to_numpy() * 100,
        y=list(drawn_totals.index),
        orientation="h",
        marker_color=colours,
        text=texts,
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}: %{text}<extra></extra>",
        showlegend=False,
    )
    share_title = label("share", language, metric=metric_name(metric, language))
    fig.update_layout(
        xaxis={"title": {"text": share_title}, "range": [0, float(fractions.max()) * 100 * 1.2]},
        yaxis={
            "title": {"text": label("category", language)},
            "autorange": "reversed",
            "ticks": "",
        },
        bargap=0.25,
    )
    return fig
