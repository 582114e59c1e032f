"""Render the day's infographics to PNG files, each with its alt text."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
from PIL import Image

from mvbot._avatars import AvatarCache
from mvbot._exceptions import RenderError
from mvbot._i18n import Language, format_date, format_number, resolve_language, translate
from mvbot.infographic._alt_text import curve_alt_text, ranking_alt_text
from mvbot.infographic._curve import (
    CurveText,
    curve_stats,
    day_frame,
    draw_curve,
    live_average,
)
from mvbot.infographic._entries import RankedEntry, ranking_entries
from mvbot.infographic._fonts import TextRenderer, find_fonts
from mvbot.infographic._frame import FrameText, draw_frame
from mvbot.infographic._png import encode_png, write_png
from mvbot.infographic._ranking import draw_ranking
from mvbot.infographic._theme import FORMATS, ImageFormat

__all__ = [
    "RANKING_KINDS",
    "InfographicKind",
    "RenderedImage",
    "render_daily_infographics",
]

logger = logging.getLogger(__name__)

InfographicKind = Literal["average_viewers", "hours_watched", "peak_viewers", "concurrency"]
RankingKind = Literal["average_viewers", "hours_watched", "peak_viewers"]
RANKING_KINDS: Final[tuple[RankingKind, ...]] = get_args(RankingKind)


@dataclass(frozen=True, slots=True)
class RenderedImage:
    """One infographic written to disk, ready to post.

    Attributes:
        path: the PNG file.
        alt_text: the description for screen readers, at most 1000 characters.
        kind: which variant it is: a ranking metric or "concurrency".
        width: width in pixels.
        height: height in pixels.
        bytes: file size in bytes.
        lang: language of the texts in the image and of `alt_text`.
    """

    path: Path
    alt_text: str
    kind: InfographicKind
    width: int
    height: int
    bytes: int
    lang: Language


@dataclass(frozen=True, slots=True)
class _Context:
    event_name: str
    day: dt.date
    day_number: int
    lang: Language
    timezone: str
    sampling_minutes: int
    output_dir: Path
    size: ImageFormat
    renderer: TextRenderer
    avatar_cache: AvatarCache | None
    top: int


def render_daily_infographics(
    *,
    event_name: str,
    day: dt.date,
    day_number: int,
    rankings: Mapping[str, pd.DataFrame],
    concurrency: pd.DataFrame | None,
    channels: pd.DataFrame,
    output_dir: str | os.PathLike[str],
    lang: str | None = None,
    size: ImageFormat = "16:9",
    avatar_cache: AvatarCache | None = None,
    timezone: str = "Europe/Madrid",
    sampling_minutes: int = 1,
    top: int = 10,
    polls: pd.DataFrame | None = None,
) -> list[RenderedImage]:
    """Render one PNG per ranking in `rankings`, then the concurrency curve, into `output_dir`.

    Args:
        event_name: shown in the header, e.g. "Marbella Vice".
        day: the local day (in `timezone`) that the numbers describe.
        day_number: the day's number counted from the event's first day (day 1).
        rankings: ranking DataFrames by metric, among "average_viewers", "hours_watched" and
            "peak_viewers", with the columns rank, channel_id, channel_login, value and
            previous_rank. They are drawn in that order.
        concurrency: the event's concurrency (observed_at, viewers, channels_live); rows outside
            `day` are ignored. None skips the curve. Minutes without a row count as 0 viewers
            unless `polls` shows that nobody observed them.
        channels: the channels table (channel_id, login, display_name, profile_image_url).
        output_dir: folder for the PNG files; created when missing.
        lang: "es" (default, or `MVBOT_LANG`) or "en".
        size: "16:9" (1200×675) or "4:5" (1080×1350).
        avatar_cache: where profile images come from; None draws initials avatars only.
        timezone: IANA zone of `day`, named in the footer.
        sampling_minutes: the collector's polling interval, named in the footer.
        top: how many ranked channels to draw, 1 to 10.
        polls: the collector's polls (observed_at, outcome). Time without an ok or partial
            poll is shaded as "no data" on the curve, instead of being drawn as 0 viewers.

    Returns:
        The images written, in drawing order.

    Raises:
        RenderError: an unknown ranking or size, invalid input columns or values, a missing font
            (the message names the package), or a PNG over X's size limit.
    """
    if size not in FORMATS:
        raise RenderError(f"unknown infographic size {size!r}: use one of {', '.join(FORMATS)}")
    unknown = sorted(set(rankings) - set(RANKING_KINDS))
    if unknown:
        raise RenderError(
            f"unknown ranking {', '.join(unknown)}: use one of {', '.join(RANKING_KINDS)}"
        )
    if not 1 <= top <= 10:
        raise RenderError(f"invalid top {top}: draw between 1 and 10 channels")
    if day_number < 1:
        raise RenderError(f"invalid day_number {day_number}: the event's first day is day 1")
    if sampling_minutes < 1:
        raise RenderError(f"invalid sampling_minutes {sampling_minutes}: use a whole number ≥ 1")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise RenderError(
            f"unknown time zone {timezone!r}: use an IANA name such as Europe/Madrid"
        ) from None

    context = _Context(
        event_name=event_name,
        day=day,
        day_number=day_number,
        lang=resolve_language(lang),
        timezone=timezone,
        sampling_minutes=sampling_minutes,
        output_dir=Path(output_dir),
        size=size,
        renderer=TextRenderer(find_fonts()),
        avatar_cache=avatar_cache,
        top=top,
    )

    images: list[RenderedImage] = []
    for kind in RANKING_KINDS:
        if kind in rankings:
            entries = ranking_entries(rankings[kind], channels, metric=kind, limit=top)
            images.append(_render_ranking(context, kind, entries))
    if concurrency is not None:
        images.append(_render_curve(context, concurrency, polls))
    return images


def _value_formatter(kind: RankingKind, lang: Language) -> Callable[[float], str]:
    def format_value(value: float) -> str:
        number = format_number(round(value), lang)
        return translate(f"infographic.value.{kind}", lang, value=number)

    return format_value


def _frame_text(context: _Context, kind: InfographicKind, count: int) -> FrameText:
    lang = context.lang
    return FrameText(
        label=translate("infographic.top_label", lang, event=context.event_name, count=count)
        if kind != "concurrency"
        else context.event_name,
        title=translate(f"infographic.metric.{kind}", lang),
        day=translate(
            "infographic.day_header",
            lang,
            day_number=context.day_number,
            date=format_date(context.day, lang),
        ),
        source=translate(
            "infographic.source",
            lang,
            interval=context.sampling_minutes,
            timezone=context.timezone,
        ),
    )


def _render_ranking(
    context: _Context, kind: RankingKind, entries: Sequence[RankedEntry]
) -> RenderedImage:
    fmt = FORMATS[context.size]
    lang = context.lang
    format_value = _value_formatter(kind, lang)
    frame_text = _frame_text(context, kind, len(entries))
    canvas = draw_frame(frame_text, fmt, context.renderer)

    if entries:
        draw_ranking(
            canvas,
            entries,
            fmt=fmt,
            renderer=context.renderer,
            format_value=format_value,
            new_label=translate("infographic.change_new", lang),
            avatar_source=_avatar_source(context.avatar_cache),
            slots=context.top,
        )
    else:
        context.renderer.draw(
            canvas,
            (fmt.width / 2, fmt.height / 2),
            translate("infographic.no_data", lang),
            size=fmt.name_size,
            fill=(173, 173, 184),
            anchor="centre",
        )

    alt_text = ranking_alt_text(
        intro=translate(
            "infographic.alt.ranking_intro",
            lang,
            event=context.event_name,
            day_number=context.day_number,
            date=format_date(context.day, lang),
            count=len(entries),
            metric=translate(f"infographic.metric.{kind}", lang).lower(),
        ),
        entries=entries,
        format_value=format_value,
        source=translate("infographic.alt.source", lang, interval=context.sampling_minutes),
        lang=lang,
    )
    return _write(context, kind, canvas, alt_text)


def _render_curve(
    context: _Context, concurrency: pd.DataFrame, polls: pd.DataFrame | None
) -> RenderedImage:
    fmt = FORMATS[context.size]
    lang = context.lang
    frame = day_frame(
        concurrency,
        context.day,
        context.timezone,
        polls=polls,
        sampling_minutes=context.sampling_minutes,
    )
    stats = dataclasses.replace(
        curve_stats(frame, context.day, context.timezone),
        average_live=live_average(concurrency, context.day, context.timezone),
    )
    zone = ZoneInfo(context.timezone)
    peak_time = stats.peak_at.astimezone(zone).strftime("%H:%M") if stats.peak_at else "—"
    peak_value = format_number(stats.peak, lang)

    canvas = draw_frame(_frame_text(context, "concurrency", 0), fmt, context.renderer)
    text = CurveText(
        peak_label=translate("infographic.curve.peak_at", lang, time=peak_time),
        peak_value=peak_value,
        peak_detail=translate(
            "infographic.curve.peak_detail", lang, value=peak_value, time=peak_time
        ),
        average_label=translate("infographic.curve.average", lang),
        average_value=format_number(round(stats.average_live), lang),
        channels_label=translate("infographic.curve.channels", lang),
        channels_value=translate(
            "infographic.curve.channels_detail",
            lang,
            value=format_number(stats.max_channels, lang),
        ),
        empty=translate("infographic.no_data", lang),
        gap=translate("infographic.curve.gap", lang),
    )
    draw_curve(
        canvas,
        frame,
        day=context.day,
        timezone=context.timezone,
        text=text,
        fmt=fmt,
        renderer=context.renderer,
        format_number=lambda value: format_number(value, lang),
    )

    intro = translate(
        "infographic.alt.curve_intro",
        lang,
        event=context.event_name,
        day_number=context.day_number,
        date=format_date(context.day, lang),
        timezone=context.timezone,
    )
    if stats.samples == 0:
        sentences = [intro, translate("infographic.alt.curve_empty", lang)]
    else:
        sentences = [
            intro,
            translate("infographic.alt.curve_peak", lang, value=peak_value, time=peak_time),
            translate(
                "infographic.alt.curve_average",
                lang,
                value=format_number(round(stats.average_live), lang),
            ),
            translate(
                "infographic.alt.curve_channels",
                lang,
                value=format_number(stats.max_channels, lang),
            ),
        ]
        if stats.unobserved_minutes:
            sentences.append(
                translate(
                    "infographic.alt.curve_gaps",
                    lang,
                    minutes=format_number(stats.unobserved_minutes, lang),
                )
            )
    sentences.append(translate("infographic.alt.source", lang, interval=context.sampling_minutes))
    return _write(context, "concurrency", canvas, curve_alt_text(sentences))


def _avatar_source(cache: AvatarCache | None) -> Callable[[RankedEntry], Image.Image | None]:
    def source(entry: RankedEntry) -> Image.Image | None:
        if cache is None:
            return None
        return cache.get(entry.profile_image_url)

    return source


def _write(
    context: _Context, kind: InfographicKind, canvas: Image.Image, alt_text: str
) -> RenderedImage:
    body = encode_png(canvas)
    size_tag = context.size.replace(":", "x")
    path = context.output_dir / f"{context.day.isoformat()}-{kind}-{size_tag}-{context.lang}.png"
    write_png(body, path)
    logger.info("wrote infographic %s (%d bytes)", path, len(body))
    return RenderedImage(
        path=path,
        alt_text=alt_text,
        kind=kind,
        width=canvas.width,
        height=canvas.height,
        bytes=len(body),
        lang=context.lang,
    )
