"""Number, percentage and local time formatting in English and Spanish."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from twitchstats.charts import format_local_time, format_number, format_percent, plotly_separators


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        pytest.param(1_234_567, "es", 0, "1.234.567", id="es-millions"),
        pytest.param(1_234_567.5, "es", 1, "1.234.567,5", id="es-decimal-comma"),
        pytest.param(1_234_567.5, "en", 1, "1,234,567.5", id="en-decimal-point"),
        pytest.param(1234, "es", 0, "1.234", id="es-groups-four-digits"),
        pytest.param(999, "es", 0, "999", id="es-no-group"),
        pytest.param(2.25, "en", 1, "2.3", id="half-up"),
        pytest.param(2.5, "es", 0, "3", id="half-up-to-integer"),
        pytest.param(-1500, "en", 0, "-1,500", id="negative"),
        pytest.param(0.0, "es", 2, "0,00", id="zero-with-decimals"),
        pytest.param(1234, "es-ES", 0, "1.234", id="region-suffix"),
    ],
)
def test_format_number(value: float, lang: str, decimals: int, expected: str) -> None:
    assert format_number(value, lang, decimals=decimals) == expected


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_format_number_rejects_non_finite(value: float) -> None:
    with pytest.raises(ValueError, match="not finite"):
        format_number(value, "en")


def test_format_number_rejects_negative_decimals() -> None:
    with pytest.raises(ValueError, match="decimals"):
        format_number(1.0, "en", decimals=-1)


def test_unknown_language_lists_choices() -> None:
    with pytest.raises(ValueError, match=r"'fr'.*en, es"):
        format_number(1.0, "fr")


def test_format_percent_by_language() -> None:
    assert format_percent(0.1234, "en") == "12.3%"
    assert format_percent(0.1234, "es") == "12,3 %"


def test_plotly_separators_by_language() -> None:
    assert plotly_separators("en") == ".,"
    assert plotly_separators("es") == ",."


def test_local_time_in_event_zone() -> None:
    # 20:15 UTC on 16 April 2021 is 22:15 in Madrid (CEST, UTC+2).
    moment = dt.datetime(2021, 4, 16, 20, 15, tzinfo=dt.UTC)
    assert format_local_time(moment, "Europe/Madrid", "en") == "Apr 16, 22:15"
    assert format_local_time(moment, "Europe/Madrid", "es") == "16 abr, 22:15"


def test_local_time_accepts_pandas_timestamp() -> None:
    moment = pd.Timestamp("2021-01-10 23:30", tz="UTC")
    # Winter time: UTC+1, so the local day is the next one.
    assert format_local_time(moment, "Europe/Madrid", "en") == "Jan 11, 00:30"


def test_local_time_rejects_naive() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_local_time(dt.datetime(2021, 4, 16, 20, 15), "Europe/Madrid")  # noqa: DTZ001
