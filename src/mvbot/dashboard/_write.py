"""Write one dashboard page per channel and the index page that links them."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import plotly.graph_objects as go
from PIL import Image

from mvbot._avatars import AvatarCache
from mvbot._exceptions import RenderError
from mvbot._i18n import resolve_language, translate
from mvbot.dashboard._data import (
    DAY_COLUMNS,
    SAMPLE_COLUMNS,
    STREAM_COLUMNS,
    ChannelInfo,
    EventFigures,
    EventTotals,
    category_hours,
    channel_infos,
    channel_totals,
    daily_ranks,
    event_days,
    event_figures,
    event_totals,
    require_columns,
    stream_rows,
)
from mvbot.dashboard._html import ChartBlock, page, plotly_script_tag, write_plotly_js
from mvbot.dashboard._pages import Formatter, channel_body, header, index_body, rank_figure
from twitchstats import ChartError, charts

__all__ = ["DashboardSet", "write_dashboards"]

logger = logging.getLogger(__name__)

_SHARED_PLOTLY_FILE: Final = "plotly.min.js"
_SAFE_FILE_NAME: Final = re.compile(r"^[a-z0-9_]{1,64}$")
_CHART_HEIGHT: Final = 400
# No mode bar: it covers the top of a chart, where the concurrency peak label sits.
_PLOT_CONFIG: Final = {"displayModeBar": False, "responsive": True}
# Categories drawn by name on a channel's chart. The rest are summed as one "other" bar.
_TOP_CATEGORIES: Final = 8


@dataclass(frozen=True, slots=True)
class DashboardSet:
    """The files written by `write_dashboards`.

    Attributes:
        index: the index page.
        channels: each channel's page, by channel id.
        plotly_js: the shared plotly.js file, or None when every page embeds its own copy.
    """

    index: Path
    channels: Mapping[str, Path]
    plotly_js: Path | None


def write_dashboards(
    *,
    event_name: str,
    channels: pd.DataFrame,
    streams: pd.DataFrame,
    days: pd.DataFrame,
    samples: pd.DataFrame,
    output_dir: str | os.PathLike[str],
    followers: pd.DataFrame | None = None,
    concurrency: pd.DataFrame | None = None,
    lang: str | None = None,
    timezone: str = "Europe/Madrid",
    sampling_minutes: int = 1,
    rank_metric: str = "hours_watched",
    avatar_cache: AvatarCache | None = None,
    embed_plotlyjs: bool = True,
    generated_at: dt.datetime | None = None,
) -> DashboardSet:
    """Write a self-contained HTML dashboard per channel and an index page into `output_dir`.

    The pages need no network: plotly.js is inlined in every page (about 4.8 MB each with
    plotly 7), or, with `embed_plotlyjs=False`, written once beside them as `plotly.min.js`.
    Profile pictures from `avatar_cache` are embedded as data URIs.

    Args:
        event_name: shown in every title.
        channels: channel_id, login, display_name, profile_image_url; one page per row.
        streams: the metrics engine's streams (channel_id, started_at, ended_at, airtime_minutes,
            average_viewers, peak_viewers, hours_watched, optional peak_at, followers_gained).
        days: the metrics engine's days, over the event's attributed minutes only (day,
            channel_id, hours_watched, airtime_minutes, optional peak_viewers, and
            `rank_metric`). The event rank, the index table and the daily rank come from it.
        samples: the stored samples (observed_at, channel_id, viewer_count, optional title,
            game_name): viewer timelines, titles and categories.
        output_dir: folder for the pages; created when missing. Pages are named after logins.
        followers: follower snapshots (channel_id, day or observed_at, followers), optional.
        concurrency: the event concurrency (observed_at, viewers, channels_live), optional; it
            gives the event's peak and average and the index page's curve.
        lang: "es" (default, or `MVBOT_LANG`) or "en".
        timezone: IANA zone for dates and times on the pages.
        sampling_minutes: the collector's polling interval, for per-category hours watched.
        rank_metric: the days column that orders the daily rank chart.
        avatar_cache: source of profile pictures; None shows no pictures.
        embed_plotlyjs: inline plotly.js in every page (True) or share one file (False).
        generated_at: the time printed in the footers; defaults to now.

    Raises:
        RenderError: missing columns, naive timestamps, an unknown time zone, or a chart that
            could not be built (the message names the channel).
    """
    language = resolve_language(lang)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise RenderError(
            f"unknown time zone {timezone!r}: use an IANA name such as Europe/Madrid"
        ) from None
    require_columns(streams, STREAM_COLUMNS, "streams")
    require_columns(days, (*DAY_COLUMNS, rank_metric), "days")
    require_columns(samples, SAMPLE_COLUMNS, "samples")
    infos = channel_infos(channels)
    output = Path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    generated = (generated_at or dt.datetime.now(dt.UTC)).astimezone(ZoneInfo(timezone))

    fmt = Formatter(language, timezone)
    figures = event_figures(days, [info.channel_id for info in infos])
    event = event_totals(days, concurrency, len(infos))
    all_days = event_days(days)
    per_day = daily_ranks(days, rank_metric)
    footer = translate(
        "dashboard.footer",
        language,
        interval=sampling_minutes,
        timezone=timezone,
        generated=fmt.moment(generated),
    )
    plotly_tag = plotly_script_tag(embed=embed_plotlyjs, shared_path=_SHARED_PLOTLY_FILE)
    file_names = _file_names(infos)

    pages: dict[str, Path] = {}
    index_rows: list[tuple[ChannelInfo, EventFigures, str]] = []
    for position, info in enumerate(infos, start=1):
        totals = channel_totals(streams, info.channel_id, followers)
        chart_blocks = _channel_charts(
            info,
            samples=samples,
            ranks=per_day.loc[per_day["channel_id"] == info.channel_id],
            days=all_days,
            followers=followers,
            fmt=fmt,
            timezone=timezone,
            sampling_minutes=sampling_minutes,
            rank_metric=rank_metric,
        )
        body = channel_body(
            totals=totals,
            figures=figures[info.channel_id],
            event=event,
            rows=stream_rows(streams, samples, info.channel_id),
            charts=chart_blocks,
            fmt=fmt,
        )
        document = page(
            lang=language,
            title=translate(
                "dashboard.channel_title", language, name=info.display_name, event=event_name
            ),
            header_html=header(
                label=translate("dashboard.channel_label", language, event=event_name),
                title=info.display_name,
                subtitle=f"twitch.tv/{info.login}",
                link=("index.html", translate("dashboard.back_to_index", language)),
                avatar_data_uri=_avatar_uri(avatar_cache, info),
            ),
            body_html=body,
            footer_text=footer,
            plotly_tag=plotly_tag,
            plot_config=_PLOT_CONFIG,
        )
        path = output / file_names[info.channel_id]
        _write_text(path, document)
        pages[info.channel_id] = path
        index_rows.append((info, figures[info.channel_id], file_names[info.channel_id]))
        logger.info("wrote dashboard %s (%d of %d)", path, position, len(infos))

    # Ranked channels come first, by rank, then channels without event hours watched, by login.
    index_rows.sort(
        key=lambda row: (row[1].rank is None, row[1].rank or 0, row[0].login.casefold())
    )
    index_charts = []
    if concurrency is not None and len(concurrency):
        index_charts.append(
            _block(
                "concurrency",
                translate("dashboard.section.concurrency", language),
                lambda: _concurrency_figure(concurrency, event, fmt, timezone),
                channel=None,
            )
        )
    subtitle = ""
    if event.first_day and event.last_day:
        subtitle = translate(
            "dashboard.event_days",
            language,
            start=fmt.date(event.first_day),
            end=fmt.date(event.last_day),
        )
    intro = translate("dashboard.index_intro", language, count=len(infos))
    index_document = page(
        lang=language,
        title=translate("dashboard.index_title", language, event=event_name),
        header_html=header(
            label=event_name,
            title=translate("dashboard.index_title", language, event=event_name),
            subtitle=subtitle or intro,
        ),
        body_html=[
            f'<p class="note">{html.escape(intro)}</p>',
            *index_body(event=event, rows=index_rows, charts=index_charts, fmt=fmt),
        ],
        footer_text=footer,
        plotly_tag=plotly_tag,
        plot_config=_PLOT_CONFIG,
    )
    index_path = output / "index.html"
    _write_text(index_path, index_document)

    shared = None
    if not embed_plotlyjs:
        shared = output / _SHARED_PLOTLY_FILE
        write_plotly_js(str(shared))
    logger.info("wrote %d dashboards and the index to %s", len(pages), output)
    return DashboardSet(index=index_path, channels=pages, plotly_js=shared)


def _concurrency_figure(
    concurrency: pd.DataFrame, event: EventTotals, fmt: Formatter, timezone: str
) -> go.Figure:
    figure = charts.concurrency_curve(
        concurrency, timezone=timezone, lang=fmt.lang, template=charts.LIGHT_TEMPLATE
    )
    # The chart's own peak label has a short date, but the pages write every date in full.
    if event.peak_at is not None and len(figure.layout.annotations) == 1:
        figure.update_annotations(
            text=translate(
                "dashboard.chart.peak_label",
                fmt.lang,
                value=fmt.number(event.peak_viewers),
                moment=fmt.moment(event.peak_at),
            )
        )
    return figure


def _channel_charts(
    info: ChannelInfo,
    *,
    samples: pd.DataFrame,
    ranks: pd.DataFrame,
    days: list[dt.date],
    followers: pd.DataFrame | None,
    fmt: Formatter,
    timezone: str,
    sampling_minutes: int,
    rank_metric: str,
) -> list[ChartBlock]:
    lang = fmt.lang
    template = charts.LIGHT_TEMPLATE
    blocks: list[ChartBlock] = []

    own = samples.loc[samples["channel_id"].astype(str) == info.channel_id]
    if len(own):
        # Plotly reads <b>, <br> and entities in texts: Twitch strings go in escaped.
        escaped = own.assign(
            **{
                column: own[column].fillna("").astype(str).map(html.escape)
                for column in ("game_name", "title")
                if column in own.columns
            }
        )
        blocks.append(
            _block(
                "timeline",
                translate("dashboard.section.timeline", lang),
                lambda: charts.viewer_timeline(
                    escaped, timezone=timezone, lang=lang, template=template
                ),
                channel=info,
                note=translate("dashboard.section.timeline_note", lang),
            )
        )

    if len(ranks):
        metric_name = rank_metric
        if rank_metric in ("hours_watched", "average_viewers", "peak_viewers"):
            metric_name = translate(f"dashboard.column.{rank_metric}", lang)
        blocks.append(
            _block(
                "rank",
                translate("dashboard.section.rank", lang),
                lambda: rank_figure(ranks, days, fmt, timezone, template),
                channel=info,
                note=translate("dashboard.section.rank_note", lang, metric=metric_name.lower()),
            )
        )

    categories = category_hours(samples, info.channel_id, sampling_minutes)
    if len(categories) and float(categories["hours_watched"].sum()) > 0:
        categories["game_name"] = categories["game_name"].map(html.escape)
        bars = min(len(categories), _TOP_CATEGORIES + 1)
        blocks.append(
            _block(
                "categories",
                translate("dashboard.section.categories", lang),
                lambda: _category_figure(categories, lang, template),
                channel=info,
                note=translate("dashboard.section.categories_note", lang),
                # The axes and margins take about 130 px, and each bar 40 px.
                height=130 + 40 * bars,
            )
        )

    if followers is not None and len(followers):
        own_followers = followers.loc[followers["channel_id"].astype(str) == info.channel_id]
        if (
            len(own_followers)
            and pd.to_numeric(own_followers["followers"], errors="coerce").notna().any()
        ):
            blocks.append(
                _block(
                    "followers",
                    translate("dashboard.section.followers", lang),
                    lambda: charts.follower_growth(
                        own_followers,
                        timezone=timezone,
                        display_names={info.channel_id: html.escape(info.display_name)},
                        lang=lang,
                        template=template,
                    ),
                    channel=info,
                )
            )
    return blocks


def _category_figure(categories: pd.DataFrame, lang: str, template: str) -> go.Figure:
    figure = charts.category_share(
        categories, metric="hours_watched", top=_TOP_CATEGORIES, lang=lang, template=template
    )
    # Long category names widen the left margin instead of being cut, and keep off the bars.
    figure.update_yaxes(automargin=True, ticklabelstandoff=8)
    return figure


def _block(
    chart_id: str,
    heading: str,
    build: Callable[[], go.Figure],
    *,
    channel: ChannelInfo | None,
    note: str = "",
    height: int = _CHART_HEIGHT,
) -> ChartBlock:
    try:
        figure = build()
    except (ChartError, ValueError) as exc:
        where = f"channel {channel.login}" if channel else "the index page"
        raise RenderError(f"could not build the {chart_id} chart for {where}: {exc}") from exc
    if not isinstance(figure, go.Figure):
        raise TypeError(f"the {chart_id} chart builder returned {type(figure).__name__}")
    # Charts are exported for posting at larger sizes; on a page they sit in a card.
    figure.update_layout(
        height=height,
        autosize=True,
        width=None,
        font={"size": 13},
        title=None,
        margin={"l": 64, "r": 24, "t": 24, "b": 56},
    )
    return ChartBlock(chart_id=chart_id, heading=heading, figure=figure, note=note, height=height)


def _avatar_uri(cache: AvatarCache | None, info: ChannelInfo) -> str | None:
    if cache is None:
        return None
    picture = cache.get(info.profile_image_url)
    if picture is None:
        return None
    thumbnail = picture.copy()
    thumbnail.thumbnail((144, 144), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    thumbnail.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _file_names(infos: list[ChannelInfo]) -> dict[str, str]:
    """Return a page file name per channel id: the login, or the id when the login is unusual."""
    names: dict[str, str] = {}
    used = {"index"}
    for info in infos:
        stem = info.login.lower()
        if not _SAFE_FILE_NAME.fullmatch(stem) or stem in used:
            stem = f"channel-{re.sub(r'[^0-9A-Za-z_-]', '_', info.channel_id)}"
        used.add(stem)
        names[info.channel_id] = f"{stem}.html"
    return names


def _write_text(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
