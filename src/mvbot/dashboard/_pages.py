"""The channel dashboard page and the index page, as HTML strings."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pandas as pd
import plotly.graph_objects as go

from mvbot._i18n import Language, format_date, format_number, translate
from mvbot.dashboard._data import ChannelInfo, ChannelTotals, EventTotals, StreamRow
from mvbot.dashboard._html import ChartBlock, escape

__all__ = ["Tile", "channel_body", "header", "index_body", "rank_figure", "tiles_html"]


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


class Formatter:
    """Numbers, dates and times in the page's language and time zone."""

    def __init__(self, lang: Language, timezone: str) -> None:
        self.lang = lang
        self.zone = ZoneInfo(timezone)

    def number(self, value: float, decimals: int = 0) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return translate("dashboard.not_available", self.lang)
        return format_number(
            round(value, decimals) if decimals else round(value), self.lang, decimals=decimals
        )

    def signed(self, value: float) -> str:
        if math.isnan(value):
            return translate("dashboard.not_available", self.lang)
        text = self.number(value)
        return f"+{text}" if value > 0 else text

    def percent(self, share: float) -> str:
        if math.isnan(share):
            return translate("dashboard.not_available", self.lang)
        return (
            f"{self.number(share * 100, 1)} %"
            if self.lang == "es"
            else f"{self.number(share * 100, 1)}%"
        )

    def local(self, moment: pd.Timestamp) -> dt.datetime:
        return moment.to_pydatetime().astimezone(self.zone)

    def date(self, day: dt.date) -> str:
        return format_date(day, self.lang)

    def short_datetime(self, moment: pd.Timestamp) -> str:
        local = self.local(moment)
        return f"{local:%d/%m %H:%M}" if self.lang == "es" else f"{local:%b %d, %H:%M}"

    def duration(self, minutes: float) -> str:
        whole = round(minutes)
        return f"{whole // 60} h {whole % 60:02d} min"


def channel_tiles(totals: ChannelTotals, fmt: Formatter) -> list[Tile]:
    """Return the channel's headline numbers."""
    lang = fmt.lang
    peak_detail = ""
    if totals.peak_at is not None:
        local = fmt.local(totals.peak_at)
        peak_detail = translate(
            "dashboard.tile.peak_detail", lang, date=fmt.date(local.date()), time=f"{local:%H:%M}"
        )
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


def context_tiles(totals: ChannelTotals, event: EventTotals, fmt: Formatter) -> list[Tile]:
    """Return the tiles that place the channel in the event."""
    lang = fmt.lang
    rank = (
        f"#{totals.event_rank}" if totals.event_rank else translate("dashboard.not_available", lang)
    )
    return [
        Tile(
            translate("dashboard.tile.event_rank", lang),
            rank,
            translate("dashboard.tile.event_rank_detail", lang, count=fmt.number(event.channels)),
        ),
        Tile(translate("dashboard.tile.share", lang), fmt.percent(totals.share)),
        Tile(
            translate("dashboard.tile.event_hours_watched", lang), fmt.number(event.hours_watched)
        ),
        *event_tiles(event, fmt)[1:],
    ]


def event_tiles(event: EventTotals, fmt: Formatter) -> list[Tile]:
    """Return the event's headline numbers."""
    lang = fmt.lang
    peak_detail = ""
    if event.peak_at is not None:
        local = fmt.local(event.peak_at)
        peak_detail = translate(
            "dashboard.tile.peak_detail", lang, date=fmt.date(local.date()), time=f"{local:%H:%M}"
        )
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
            f"<td>{escape(fmt.short_datetime(row.started_at))}</td>"
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


def rank_figure(ranks: pd.DataFrame, fmt: Formatter, timezone: str, template: str) -> go.Figure:
    """Return a line of the channel's daily rank, rank 1 at the top."""
    lang = fmt.lang
    days = pd.to_datetime(ranks["day"])
    hover = [
        translate("dashboard.chart.rank_hover", lang, day=fmt.date(day.date()), rank=int(rank))
        for day, rank in zip(days, ranks["rank"], strict=True)
    ]
    fig = go.Figure()
    fig.add_scatter(
        x=days,
        y=ranks["rank"],
        mode="lines+markers",
        text=hover,
        hovertemplate="%{text}<extra></extra>",
        showlegend=False,
    )
    worst = int(ranks["rank"].max()) if len(ranks) else 1
    fig.update_layout(
        template=template,
        xaxis={
            "title": {"text": translate("dashboard.chart.day_axis", lang, timezone=timezone)},
            "tickformat": "%d/%m" if lang == "es" else "%b %d",
        },
        yaxis={
            "title": {"text": translate("dashboard.chart.rank_axis", lang)},
            "range": [worst + 0.5, 0.5],
            "dtick": max(1, -(-worst // 10)),
        },
    )
    return fig


def channels_table(rows: Sequence[tuple[ChannelInfo, ChannelTotals, str]], fmt: Formatter) -> str:
    """Return the index table: rank, linked channel name and totals, by hours watched."""
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
            heading("streams", True),
            heading("share", True),
        ]
    )
    body = []
    for info, totals, href in rows:
        rank = str(totals.event_rank) if totals.event_rank else ""
        login = (
            f' <span class="note">@{escape(info.login)}</span>'
            if info.login.casefold() != info.display_name.casefold()
            else ""
        )
        body.append(
            "<tr>"
            f'<td class="number">{escape(rank)}</td>'
            f'<td><a href="{escape(href)}">{escape(info.display_name)}</a>{login}</td>'
            f'<td class="number">{escape(fmt.number(totals.hours_watched))}</td>'
            f'<td class="number">{escape(fmt.number(totals.average_viewers))}</td>'
            f'<td class="number">{escape(fmt.number(totals.peak_viewers))}</td>'
            f'<td class="number">{escape(fmt.number(totals.streams))}</td>'
            f'<td class="number">{escape(fmt.percent(totals.share))}</td>'
            "</tr>"
        )
    return (
        f'<section class="card"><h2>{escape(translate("dashboard.section.channels", lang))}</h2>'
        f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div></section>"
    )


def section(heading: str, content: str) -> str:
    """Return a card section with a heading and HTML content."""
    return f'<section class="card"><h2>{escape(heading)}</h2>{content}</section>'


def channel_body(
    *,
    totals: ChannelTotals,
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
            tiles_html(context_tiles(totals, event, fmt)),
        ),
        streams_table(rows, fmt),
        *(chart.html() for chart in charts),
    ]


def index_body(
    *,
    event: EventTotals,
    rows: Sequence[tuple[ChannelInfo, ChannelTotals, str]],
    charts: Sequence[ChartBlock],
    fmt: Formatter,
) -> list[str]:
    """Return the sections of the index page."""
    return [
        tiles_html(event_tiles(event, fmt)),
        *(chart.html() for chart in charts),
        channels_table(rows, fmt),
    ]
