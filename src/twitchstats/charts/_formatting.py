"""Number and date formatting that matches what Plotly draws on the axes.

Texts built in Python (bar values, the peak annotation, shares) use Babel with an explicit
grouping pattern, so that 1234 becomes "1.234" in Spanish exactly as Plotly's tick labels do under
`layout.separators`. Babel's own Spanish default would leave four-digit numbers ungrouped.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Final
from zoneinfo import ZoneInfo

import pandas as pd
from babel.dates import format_datetime as _babel_format_datetime
from babel.numbers import format_decimal as _babel_format_decimal

from twitchstats.charts._labels import Lang, resolve_lang

__all__ = [
    "format_local_time",
    "format_number",
    "format_percent",
    "plotly_separators",
    "time_tickformatstops",
]

_BABEL_LOCALES: Final[dict[Lang, str]] = {"en": "en_US", "es": "es_ES"}

# Plotly's `layout.separators`: the decimal mark first, then the thousands separator.
_SEPARATORS: Final[dict[Lang, str]] = {"en": ".,", "es": ",."}

# CLDR patterns for a local time with its day: "Apr 16, 22:15" and "16 abr, 22:15".
_TIME_WITH_DAY: Final[dict[Lang, str]] = {"en": "MMM d, HH:mm", "es": "d MMM, HH:mm"}

# d3 time formats for date axes. Spanish uses numeric dates because Plotly's month names are
# English unless a locale bundle is loaded in the browser. "\n" puts the day on a second line
# that Plotly shows only when it changes from the previous tick.
_DAY_TICKS: Final[dict[Lang, str]] = {"en": "%b %d", "es": "%d/%m"}


def plotly_separators(lang: str) -> str:
    """Return the `layout.separators` value for `lang`: ".," for English, ",." for Spanish."""
    return _SEPARATORS[resolve_lang(lang)]


def format_number(value: float, lang: str = "en", *, decimals: int = 0) -> str:
    """Format a number with the language's separators: "1,234,567.5" or "1.234.567,5".

    Rounds half up (2.25 becomes 2.3), as the public Twitch trackers do, instead of Babel's
    half-even default. Thousands are always grouped, as on Plotly axes.

    Raises:
        ValueError: `value` is NaN or infinite, or `decimals` is negative.
    """
    language = resolve_lang(lang)
    if decimals < 0:
        raise ValueError(f"decimals must be 0 or more, got {decimals}")
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"cannot format {value!r} as a number: it is not finite")

    # repr() is the shortest decimal that reads back as the same float, so 2.35 stays 2.35.
    rounded = Decimal(repr(number)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    pattern = "#,##0" if decimals == 0 else "#,##0." + "0" * decimals
    return str(_babel_format_decimal(rounded, format=pattern, locale=_BABEL_LOCALES[language]))


def format_percent(fraction: float, lang: str = "en", *, decimals: int = 1) -> str:
    """Format a fraction as a percentage: 0.1234 gives "12.3%" or "12,3 %".

    Spanish puts a space before the sign (as CLDR's es_ES pattern does); English does not.
    """
    number = format_number(fraction * 100, lang, decimals=decimals)
    return f"{number} %" if resolve_lang(lang) == "es" else f"{number}%"


def format_local_time(moment: dt.datetime | pd.Timestamp, timezone: str, lang: str = "en") -> str:
    """Format an aware instant as local day and time: "Apr 16, 22:15" or "16 abr, 22:15".

    Raises:
        ValueError: `moment` is naive, so its instant is unknown.
    """
    language = resolve_lang(lang)
    instant = moment.to_pydatetime() if isinstance(moment, pd.Timestamp) else moment
    if instant.tzinfo is None:
        raise ValueError(f"cannot place naive datetime {instant.isoformat()} in {timezone}")
    local = instant.astimezone(ZoneInfo(timezone))
    return str(
        _babel_format_datetime(local, _TIME_WITH_DAY[language], locale=_BABEL_LOCALES[language])
    )


def time_tickformatstops(lang: str) -> list[dict[str, object]]:
    """Return Plotly `tickformatstops` for a time axis: hours within a day, dates beyond."""
    language = resolve_lang(lang)
    day_ms = 24 * 60 * 60 * 1000
    return [
        {"dtickrange": [None, day_ms], "value": "%H:%M\n" + _DAY_TICKS[language]},
        {"dtickrange": [day_ms, None], "value": _DAY_TICKS[language]},
    ]
