"""Tests for mvbot's message catalogs and locale formatting."""

from __future__ import annotations

import datetime as dt
import string

import pytest

from mvbot import _i18n
from mvbot._i18n import (
    catalog_keys,
    format_date,
    format_number,
    resolve_language,
    translate,
    translate_count,
)


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_catalogs_have_same_keys() -> None:
    assert catalog_keys("es") == catalog_keys("en")


def test_catalogs_have_same_placeholders() -> None:
    for key in catalog_keys("es"):
        spanish = _placeholders(translate(key, "es"))
        english = _placeholders(translate(key, "en"))
        assert spanish == english, key


def test_spanish_is_default() -> None:
    assert translate("cli.lang_help") == translate("cli.lang_help", "es")


def test_language_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MVBOT_LANG", "en")
    assert translate("cli.lang_help") == translate("cli.lang_help", "en")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("es", "es", id="plain"),
        pytest.param("es-ES", "es", id="region-dash"),
        pytest.param("en_US", "en", id="region-underscore"),
        pytest.param(" EN ", "en", id="case-and-space"),
    ],
)
def test_resolve_language_accepts_regions(value: str, expected: str) -> None:
    assert resolve_language(value) == expected


def test_resolve_language_rejects_unknown() -> None:
    with pytest.raises(ValueError, match=r"'fr'.*es, en"):
        resolve_language("fr")


def test_missing_key_names_key_and_language() -> None:
    with pytest.raises(KeyError, match=r"cli\.nope.*'en'"):
        translate("cli.nope", "en")


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        pytest.param(1234567, "es", 0, "1.234.567", id="es-thousands"),
        pytest.param(12.5, "es", 1, "12,5", id="es-decimal-comma"),
        pytest.param(1234567, "en", 0, "1,234,567", id="en-thousands"),
        pytest.param(2.25, "en", 1, "2.3", id="en-half-up"),
        pytest.param(2.35, "es", 1, "2,4", id="es-half-up-inexact-float"),
        pytest.param(-0.5, "es", 0, "-1", id="negative-half-up"),
    ],
)
def test_format_number(value: float, lang: str, decimals: int, expected: str) -> None:
    assert format_number(value, lang, decimals=decimals) == expected


def test_format_date_spanish_long_form() -> None:
    assert format_date(dt.date(2021, 4, 16), "es") == "16 de abril de 2021"


def test_format_date_english_long_form() -> None:
    assert format_date(dt.date(2021, 4, 16), "en") == "April 16, 2021"


def test_catalog_rejects_non_string_entry() -> None:
    with pytest.raises(TypeError, match=r"demo\.count must be a string"):
        _i18n._flatten("demo", {"count": 3}, {})


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "1 fotograma analizado"),
        (2, "2 fotogramas analizados"),
        (0, "0 fotogramas analizados"),
    ],
)
def test_translate_count_picks_singular(count: int, expected: str) -> None:
    assert translate_count("brands.scan_frames", count, "es", count=count) == expected


def test_translate_count_without_singular_uses_key() -> None:
    assert translate_count("demo.summary_gap", 1, "en", minutes="1", reason="r") == (
        "Gap recorded: 1 min (r)."
    )
