"""The channel dashboard page and the index page, as HTML strings."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

import pandas as pd
import plotly.graph_objects as go

from mvbot._i18n import Language, format_date, format_number, translate
from mvbot.dashboard._data import ChannelInfo, ChannelTotals, EventFigures, EventTotals, StreamRow
from mvbot.dashboard._html import ChartBlock, escape

__all__ = ["Tile", "channel_body", "header", "index_body", "rank_figure", "tiles_html"]

_DAY_MS: Final = 24 * 60 * 60 * 1000
# Maximum number of day labels on the daily rank axis. With more days, the ticks skip days.
_MAX_DAY_TICKS: Final = 14


@dataclass(frozen=True, slots=True)
class Tile:
    """A headline number: its name, value and an optional detail line (all plain text)."""

    name: str
    value: str
    detail: str = ""


def tiles_html(tiles: Sequence[Tile]) -> str:
    """Return a grid of tiles."""
    parts = ['<div class="tiles">']
    for tile in tiles:
        detail = f'<div class="detail">{escape(tile.detail)}</div>' if tile.detail else ""
        parts.append(
            f'<div class="tile"><div class="name">{escape(tile.name)}</div>'
            f'<div class="value">{escape(tile.value)}</div>{detail}</div>'
        )
    parts.append("</div>")
    return "".join(parts)


def header(
    *,
    label: str,
    title: str,
    subtitle: str,
    link: tuple[str, str] | None = None,
    avatar_data_uri: str | None = None,
) -> str:
    """Return the dark page header; `link` is (href, text) shown above the label."""
    back = f'<p><a href="{escape(link[0])}">{escape(link[1])}</a></p>' if link else ""
    avatar = (
        f'<img class="avatar" alt="" src="{escape(avatar_data_uri)}">' if avatar_data_uri else ""
    )
    return (
        f'<header class="top">{back}<div class="identity">{avatar}<div>'
        f'<p class="label">{escape(label)}</p><h1>{escape(title)}</h1>'
        f"<p>{escape(subtitle)}</p></div></div></header>"
    )


def _unknown(value: float | None) -> bool:
    # pd.isna covers None, NaN, pd.NA and NaT alike.
    return value is None or bool(pd.isna(value))


class Formatter:
    """Numbers, dates and times in the page's language and time zone.

    A missing value (None, NaN, `pd.NA`) prints as the catalog's "not available" mark, never 0.
    """

    def __init__(self, lang: Language, timezone: str) -> None:
        self.lang = lang
        self.zone = ZoneInfo(timezone)

    @property
    def not_available(self) -> str:
        return translate("dashboard.not_available", self.lang)

    def number(self, value: float | None, decimals: int = 0) -> str:
        if _unknown(value):
            return self.not_available
        assert value is not None
        return format_number(value, self.lang, decimals=decimals)

    def signed(self, value: float | None) -> str:
        if _unknown(value):
            return self.not_available
        assert value is not None
        text = self.number(value)
        return f"+{text}" if value > 0 else text

    def percent(self, share: float | None) -> str:
        if _unknown(share):
            return self.not_available
        assert share is not None
        text = self.number(share * 100, 1)
        return f"{text} %" if self.lang == "es" else f"{text}%"

    def local(self, moment: pd.Timestamp) -> dt.datetime:
        return moment.to_pydatetime().astimezone(self.zone)

    def date(self, day: dt.date) -> str:
        return format_date(day, self.lang)

    def moment(self, moment: pd.Timestamp | dt.datetime) -> str:
        """Return the local date and time in the one form that the pages use for a moment."""
        local = (
            self.local(moment) if isinstance(moment, pd.Timestamp) else moment.astimezone(self.zone)
        )
        return translate(
            "dashboard.date_time", self.lang, date=self.date(local.date()), time=f"{local:%H:%M}"
        )

    def duration(self, minutes: float) -> str:
        if _unknown(minutes):
            return self.not_available
        whole = round(minutes)
        return f"{whole // 60} h {whole % 60:02d} min"


def channel_tiles(totals: ChannelTotals, fmt: Formatter) -> list[Tile]:
    """Return the channel's headline numbers."""
    lang = fmt.lang
    peak_detail = fmt.moment(totals.peak_at) if totals.peak_at is not None else ""
    return [
        Tile(translate("dashboard.tile.hours_watched", lang), fmt.number(totals.hours_watched)),
        Tile(translate("dashboard.tile.average_viewers", lang), fmt.number(totals.average_viewers)),
        Tile(
            translate("dashboard.tile.peak_viewers", lang),
            fmt.number(totals.peak_viewers),
            peak_detail,
        ),
        Tile(translate("dashboard.tile.airtime", lang), fmt.number(totals.airtime_hours, 1)),
        Tile(translate("dashboard.tile.streams", lang), fmt.number(totals.streams)),
        Tile(
            translate("dashboard.tile.followers_gained", lang), fmt.signed(totals.followers_gained)
        ),
    ]


def context_tiles(figures: EventFigures, event: EventTotals, fmt: Formatter) -> list[Tile]:
    """Return the tiles that place the channel in the event, from event-attributed minutes."""
    lang = fmt.lang
    rank = f"#{figures.rank}" if figures.rank is not None else fmt.not_available
    return [
        Tile(
            translate("dashboard.tile.event_rank", lang),
            rank,
            translate("dashboard.tile.event_rank_detail", lang, count=fmt.number(event.channels)),
        ),
        Tile(
            translate("dashboard.tile.channel_event_hours", lang),
            fmt.number(figures.hours_watched),
            translate("dashboard.tile.channel_event_hours_detail", lang),
        ),
        Tile(translate("dashboard.tile.share", lang), fmt.percent(figures.share)),
        Tile(
            translate("dashboard.tile.event_hours_watched", lang), fmt.number(event.hours_watched)
        ),
        # The event's peak and average; its channel count is in the rank's detail line.
        *event_tiles(event, fmt)[1:3],
    ]


def event_tiles(event: EventTotals, fmt: Formatter) -> list[Tile]:
    """Return the event's headline numbers."""
    lang = fmt.lang
    peak_detail = fmt.moment(event.peak_at) if event.peak_at is not None else ""
    return [
        Tile(
            translate("dashboard.tile.event_hours_watched", lang), fmt.number(event.hours_watched)
        ),
        Tile(
            translate("dashboard.tile.event_peak", lang),
            fmt.number(event.peak_viewers),
            peak_detail,
        ),
        Tile(
            translate("dashboard.tile.event_average", lang),
            fmt.number(event.average_viewers),
            translate("dashboard.tile.event_average_detail", lang),
        ),
        Tile(translate("dashboard.tile.event_channels", lang), fmt.number(event.channels)),
    ]


def streams_table(rows: Sequence[StreamRow], fmt: Formatter) -> str:
    """Return the table of the channel's streams; titles and categories are escaped."""
    lang = fmt.lang

    def heading(key: str, number: bool = False) -> str:
        css = ' class="number"' if number else ""
        return f"<th{css}>{escape(translate(f'dashboard.column.{key}', lang))}</th>"

    head = "".join(
        [
            heading("start"),
            heading("duration", True),
            heading("title"),
            heading("categories"),
            heading("average_viewers", True),
            heading("peak_viewers", True),
            heading("hours_watched", True),
            heading("followers_gained", True),
        ]
    )
    body = []
    for row in reversed(rows):
        titles = "<br>".join(escape(title) for title in row.titles)
        categories = "<br>".join(escape(category) for category in row.categories)
        body.append(
            "<tr>"
            f'<td class="date">{escape(fmt.moment(row.started_at))}</td>'
            f'<td class="number">{escape(fmt.duration(row.airtime_minutes))}</td>'
            f'<td class="title">{titles}</td>'
            f"<td>{categories}</td>"
            f'<td class="number">{escape(fmt.number(row.average_viewers))}</td>'
            f'<td class="number">{escape(fmt.number(row.peak_viewers))}</td>'
            f'<td class="number">{escape(fmt.number(row.hours_watched))}</td>'
            f'<td class="number">{escape(fmt.signed(row.followers_gained))}</td>'
            "</tr>"
        )
    if not body:
        body.append(f'<tr><td colspan="8">{escape(translate("dashboard.no_data", lang))}</td></tr>')
    return (
        f'<section class="card"><h2>{escape(translate("dashboard.section.streams", lang))}</h2>'
        f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div></section>"
    )


def rank_figure(
    ranks: pd.DataFrame, days: Sequence[dt.date], fmt: Formatter, timezone: str, template: str
) -> go.Figure:
    """Return a line of the channel's daily rank over `days`, rank 1 at the top.

    `ranks` has `day` (local date) and `rank`; a day of `days` without a rank is left as a gap.
    """
    lang = fmt.lang
    by_day = {day: int(rank) for day, rank in zip(ranks["day"], ranks["rank"], strict=True)}
    # Local dates as ISO strings: Plotly places them at midnight without any time zone shift.
    x = [day.isoformat() for day in days]
    y = [by_day.get(day) for day in days]
    hover = [
        translate("dashboard.chart.rank_hover", lang, day=fmt.date(day), rank=by_day[day])
        if day in by_day
        else ""
        for day in days
    ]
    fig = go.Figure()
    fig.add_scatter(
        x=x,
        y=y,
        mode="lines+markers",
        # Markers large enough to see a day with no ranked neighbour to draw a line to.
        marker={"size": 9},
        connectgaps=False,
        text=hover,
        hovertemplate="%{text}<extra></extra>",
        showlegend=False,
    )
    worst = max(by_day.values(), default=1)
    # One tick per day, or per a whole number of days when there are too many to label.
    day_step = max(1, math.ceil(len(days) / _MAX_DAY_TICKS))
    half_day_ms = _DAY_MS // 2
    first = dt.datetime.combine(days[0], dt.time()) if days else None
    last = dt.datetime.combine(days[-1], dt.time()) if days else None
    xaxis: dict[str, object] = {
        "title": {"text": translate("dashboard.chart.day_axis", lang, timezone=timezone)},
        "type": "date",
        "tickformat": "%d/%m" if lang == "es" else "%b %d",
        "tickmode": "linear",
        "dtick": _DAY_MS * day_step,
    }
    if first is not None and last is not None:
        xaxis["tick0"] = first.isoformat()
        xaxis["range"] = [
            (first - dt.timedelta(milliseconds=half_day_ms)).isoformat(),
            (last + dt.timedelta(milliseconds=half_day_ms)).isoformat(),
        ]
    fig.update_layout(
        template=template,
        xaxis=xaxis,
        yaxis={
            "title": {"text": translate("dashboard.chart.rank_axis", lang)},
            "range": [worst + 0.5, 0.5],
            "dtick": max(1, -(-worst // 10)),
        },
    )
    return fig


def channels_table(rows: Sequence[tuple[ChannelInfo, EventFigures, str]], fmt: Formatter) -> str:
    """Return the index table: rank, linked channel name and event figures, in rank order.

    Every number comes from the event-attributed days table, so the rank orders the rows by the
    hours watched shown beside it.
    """
    lang = fmt.lang

    def heading(key: str, number: bool = False) -> str:
        css = ' class="number"' if number else ""
        return f"<th{css}>{escape(translate(f'dashboard.column.{key}', lang))}</th>"

    head = "".join(
        [
            heading("rank", True),
            heading("channel"),
            heading("hours_watched", True),
            heading("average_viewers", True),
            heading("peak_viewers", True),
            heading("airtime", True),
            heading("share", True),
        ]
    )
    body = []
    for info, figures, href in rows:
        rank = str(figures.rank) if figures.rank is not None else fmt.not_available
        login = (
            f' <span class="note">@{escape(info.login)}</span>'
            if info.login.casefold() != info.display_name.casefold()
            else ""
        )
        body.append(
            "<tr>"
            f'<td class="number">{escape(rank)}</td>'
            f'<td><a href="{escape(href)}">{escape(info.display_name)}</a>{login}</td>'
            f'<td class="number">{escape(fmt.number(figures.hours_watched))}</td>'
            f'<td class="number">{escape(fmt.number(figures.average_viewers))}</td>'
            f'<td class="number">{escape(fmt.number(figures.peak_viewers))}</td>'
            f'<td class="number">{escape(fmt.number(figures.airtime_hours, 1))}</td>'
            f'<td class="number">{escape(fmt.percent(figures.share))}</td>'
            "</tr>"
        )
    return (
        f'<section class="card"><h2>{escape(translate("dashboard.section.channels", lang))}</h2>'
        f'<p class="note">{escape(translate("dashboard.section.channels_note", lang))}</p>'
        f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div></section>"
    )


def section(heading: str, content: str) -> str:
    """Return a card section with a heading and HTML content."""
    return f'<section class="card"><h2>{escape(heading)}</h2>{content}</section>'


def channel_body(
    *,
    totals: ChannelTotals,
    figures: EventFigures,
    event: EventTotals,
    rows: Sequence[StreamRow],
    charts: Sequence[ChartBlock],
    fmt: Formatter,
) -> list[str]:
    """Return the sections of a channel page, in reading order."""
    lang = fmt.lang
    return [
        section(
            translate("dashboard.section.summary", lang),
            tiles_html(channel_tiles(totals, fmt)),
        ),
        section(
            translate("dashboard.section.event_context", lang),
            tiles_html(context_tiles(figures, event, fmt)),
        ),
        streams_table(rows, fmt),
        *(chart.html() for chart in charts),
    ]


def index_body(
    *,
    event: EventTotals,
    rows: Sequence[tuple[ChannelInfo, EventFigures, str]],
    charts: Sequence[ChartBlock],
    fmt: Formatter,
) -> list[str]:
    """Return the sections of the index page."""
    return [
        tiles_html(event_tiles(event, fmt)),
        *(chart.html() for chart in charts),
        channels_table(rows, fmt),
    ]
