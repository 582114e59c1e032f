"""Message catalogs and locale-aware formatting for mvbot's user-facing text.

mvbot speaks Spanish by default and English on request. Every user-facing string comes from a
catalog file `locales/<domain>.<lang>.toml` inside this package, looked up as `"domain.key"`.
Placeholders use `str.format` syntax (`{channel}`); the same key must exist, with the same
placeholders, in every language (a test checks this).

The language is chosen, in order, by an explicit `lang=` argument, the `MVBOT_LANG` environment
variable, and the default `es`.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import tomllib
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from typing import Final, Literal

from babel.dates import format_date as _babel_format_date
from babel.numbers import format_decimal as _babel_format_decimal

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGE_ENV",
    "SUPPORTED_LANGUAGES",
    "Language",
    "catalog_keys",
    "current_language",
    "format_date",
    "format_number",
    "resolve_language",
    "translate",
    "translate_count",
]

Language = Literal["es", "en"]
SUPPORTED_LANGUAGES: Final[tuple[Language, ...]] = ("es", "en")
DEFAULT_LANGUAGE: Final[Language] = "es"
LANGUAGE_ENV: Final = "MVBOT_LANG"

# Babel locale per language: Spain's Spanish (1.234.567, decimal comma) and US English.
_BABEL_LOCALES: Final[dict[str, str]] = {"es": "es_ES", "en": "en_US"}

# Long date per language, as CLDR patterns: "16 de abril de 2021" and "April 16, 2021".
_LONG_DATE_PATTERNS: Final[dict[str, str]] = {"es": "d 'de' MMMM 'de' y", "en": "MMMM d, y"}


def resolve_language(value: str | None) -> Language:
    """Return the supported language for `value`, or raise ValueError naming the choices.

    `None` and "" fall back to `MVBOT_LANG`, then to Spanish. Region suffixes are accepted
    (`es-ES`, `en_US`).
    """
    if not value:
        value = os.environ.get(LANGUAGE_ENV, "") or DEFAULT_LANGUAGE
    base = value.strip().lower().replace("_", "-").split("-", 1)[0]
    for language in SUPPORTED_LANGUAGES:
        if base == language:
            return language
    choices = ", ".join(SUPPORTED_LANGUAGES)
    raise ValueError(f"unsupported language {value!r}: use one of {choices}")


def current_language() -> Language:
    """Return the language from `MVBOT_LANG`, or Spanish when it is unset."""
    return resolve_language(None)


@functools.cache
def _load_catalog(language: str) -> dict[str, str]:
    messages: dict[str, str] = {}
    suffix = f".{language}.toml"
    for entry in resources.files("mvbot").joinpath("locales").iterdir():
        if not entry.name.endswith(suffix):
            continue
        domain = entry.name.removesuffix(suffix)
        with entry.open("rb") as handle:
            table = tomllib.load(handle)
        _flatten(domain, table, messages)
    return messages


def _flatten(prefix: str, table: dict[str, object], into: dict[str, str]) -> None:
    for key, value in table.items():
        name = f"{prefix}.{key}"
        if isinstance(value, dict):
            _flatten(name, value, into)
        elif isinstance(value, str):
            into[name] = value
        else:
            raise TypeError(f"catalog entry {name} must be a string, not {type(value).__name__}")


def catalog_keys(language: Language) -> frozenset[str]:
    """Return every message key of one language's catalog."""
    return frozenset(_load_catalog(language))


def translate(key: str, lang: str | None = None, /, **fields: object) -> str:
    """Return the message `key` ("domain.name") in `lang`, with `fields` filled in.

    Raises KeyError naming the key and the language when the catalog has no such message, so a
    missing translation fails loudly in tests instead of showing a key to readers.
    """
    language = resolve_language(lang)
    messages = _load_catalog(language)
    try:
        template = messages[key]
    except KeyError:
        raise KeyError(f"no message {key!r} in the {language!r} catalog") from None
    return template.format(**fields) if fields else template


def translate_count(key: str, count: int, lang: str | None = None, /, **fields: object) -> str:
    """Return `translate(key, ...)`, or the singular message `key + "_one"` when `count` is 1.

    Both languages here have one singular form, for exactly one. A key without a `_one`
    message is used for every count.
    """
    language = resolve_language(lang)
    singular = f"{key}_one"
    if count == 1 and singular in _load_catalog(language):
        return translate(singular, language, **fields)
    return translate(key, language, **fields)


def format_number(value: float, lang: str | None = None, /, *, decimals: int = 0) -> str:
    """Format a number with the language's separators: 1.234.567 and 12,5 in Spanish.

    Rounds half up (2.25 → 2.3), as the public trackers do, instead of Babel's half-even default,
    so that a published figure matches the same figure on those sites.
    """
    language = resolve_language(lang)
    places = max(decimals, 0)
    # repr() gives the shortest decimal that reads back as the same float, so 2.35 stays 2.35.
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    pattern = "#,##0" if places == 0 else "#,##0." + "0" * places
    return str(_babel_format_decimal(rounded, format=pattern, locale=_BABEL_LOCALES[language]))


def format_date(day: dt.date, lang: str | None = None, /) -> str:
    """Format a date in long form: "16 de abril de 2021" or "April 16, 2021"."""
    language = resolve_language(lang)
    pattern = _LONG_DATE_PATTERNS[language]
    return str(_babel_format_date(day, pattern, locale=_BABEL_LOCALES[language]))
