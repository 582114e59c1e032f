"""The post text of a day: a header, the leaders of each ranking, notes and hashtags.

The text must fit X's 280 weighted characters, the strictest limit of the networks mvbot posts
to (Bluesky allows 300 graphemes, Mastodon 500 characters). It is built at full length first and
then shortened step by step: fewer lines in the main ranking, then fewer secondary rankings,
then no hashtags. The header and the partial-data note are never dropped. The full top lists
are in the images.
"""

from __future__ import annotations

import pandas as pd

from mvbot._i18n import format_date, format_number, translate
from mvbot.daily._data import DayData
from mvbot.publish._text import X_MAX_WEIGHTED_LENGTH, normalize_text, x_weighted_length

__all__ = ["compose_post_text", "partial_note"]

_MEDALS = ("🥇", "🥈", "🥉")
# At most this many channels of the main ranking appear in the text.
_MAIN_LINES = 5


def _name_of(channels: pd.DataFrame, channel_id: str, login: str) -> str:
    if len(channels) and "channel_id" in channels.columns:
        rows = channels.loc[channels["channel_id"].astype(str) == channel_id]
        if len(rows):
            name = rows.iloc[0].get("display_name")
            if isinstance(name, str) and name.strip():
                return name.strip()
    return login


def _value_text(kind: str, value: float, lang: str) -> str:
    if kind == "hours_watched":
        return translate("daily.hours_value", lang, hours=format_number(round(value), lang))
    return format_number(round(value), lang)


def _ranking_lines(data: DayData, kind: str, count: int, lang: str) -> list[str]:
    frame = data.rankings.get(kind)
    if frame is None or not len(frame):
        return []
    lines = []
    for row in frame.head(count).to_dict("records"):
        # Tied channels share a rank (competition ranking), and so share a medal.
        position = int(row["rank"])
        marker = _MEDALS[position - 1] if position <= len(_MEDALS) else f"{position}."
        name = _name_of(data.channels, str(row["channel_id"]), str(row["channel_login"]))
        lines.append(f"{marker} {name} {_value_text(kind, float(row['value']), lang)}")
    return lines


def partial_note(data: DayData, lang: str) -> str:
    """Return the sentence that warns readers that the day's data is incomplete."""
    return translate(
        "daily.partial_note",
        lang,
        minutes=format_number(data.coverage.missing_minutes, lang),
    )


def _build(
    data: DayData,
    *,
    event_name: str,
    kinds: list[str],
    main_lines: int,
    secondary: int,
    hashtags: tuple[str, ...],
    note: str,
    link: str,
    lang: str,
) -> str:
    header = translate(
        "daily.header",
        lang,
        event=event_name,
        number=data.day_number,
        date=format_date(data.day, lang),
    )
    blocks = [header]

    main, *others = kinds
    blocks.append(
        "\n".join(
            [translate(f"daily.title_{main}", lang), *_ranking_lines(data, main, main_lines, lang)]
        )
    )
    leaders = []
    for kind in others[:secondary]:
        lines = _ranking_lines(data, kind, 1, lang)
        if lines:
            leaders.append(f"{translate(f'daily.title_{kind}', lang)} {lines[0]}")
    if leaders:
        blocks.append("\n".join(leaders))

    footer = [part for part in (note, link) if part]
    if hashtags:
        footer.append(" ".join(f"#{tag}" for tag in hashtags))
    if footer:
        blocks.append("\n".join(footer))
    return normalize_text("\n\n".join(blocks))


def compose_post_text(
    data: DayData,
    *,
    event_name: str,
    lang: str,
    hashtags: tuple[str, ...] = (),
    link: str = "",
    partial: bool = False,
    max_weight: int = X_MAX_WEIGHTED_LENGTH,
) -> str:
    """Return the day's post text, shortened until it fits `max_weight` as X counts it.

    Raises:
        ValueError: even the shortest form (header, main leader and notes) is too long.
    """
    kinds = [kind for kind in data.rankings if len(data.rankings[kind])]
    if not kinds:
        raise ValueError(f"no ranking with data for {data.day}")
    note = partial_note(data, lang) if partial else ""

    # Shorter and shorter forms: the main ranking down to its podium, then fewer secondary
    # leaders, then fewer podium lines, then the same again without hashtags.
    secondaries = len(kinds) - 1
    candidates: list[tuple[int, int, tuple[str, ...]]] = []
    for tags in (hashtags, ()):
        candidates += [(lines, secondaries, tags) for lines in range(_MAIN_LINES, 2, -1)]
        candidates += [(3, count, tags) for count in range(secondaries - 1, -1, -1)]
        candidates += [(lines, 0, tags) for lines in (2, 1)]
    text = ""
    for main_lines, secondary, tags in candidates:
        text = _build(
            data,
            event_name=event_name,
            kinds=kinds,
            main_lines=main_lines,
            secondary=secondary,
            hashtags=tags,
            note=note,
            link=link,
            lang=lang,
        )
        if x_weighted_length(text) <= max_weight:
            return text
    raise ValueError(
        f"the shortest post text for {data.day} is {x_weighted_length(text)} weighted "
        f"characters, over {max_weight}"
    )
