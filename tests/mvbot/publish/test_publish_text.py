"""Tests for post length counting: X's weighted characters, Mastodon and Bluesky."""

from __future__ import annotations

import unicodedata

import pytest

from mvbot.publish import (
    contains_url,
    grapheme_count,
    mastodon_length,
    normalize_text,
    x_weighted_length,
)
from mvbot.publish._text import same_post_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("hola", 4, id="ascii"),
        pytest.param("¿Qué tal? ¡Año!", 15, id="accents-enye-inverted-marks"),
        pytest.param("Ñandú pingüino", 14, id="more-latin"),
        pytest.param("n\u0303", 1, id="decomposed-enye-normalised"),
        pytest.param("e\u0301", 1, id="decomposed-accent-normalised"),
        pytest.param("—–‘’“”", 6, id="general-punctuation-weighs-one"),
        pytest.param("…", 2, id="ellipsis"),
        pytest.param("•", 2, id="bullet"),
        pytest.param("€", 2, id="euro"),
        pytest.param("😀", 2, id="emoji"),
        pytest.param("👍🏽", 2, id="emoji-with-skin-tone"),
        pytest.param("👨‍👩‍👧", 2, id="emoji-zwj-family"),
        pytest.param("🇪🇸", 2, id="flag"),
        pytest.param("⚠️", 2, id="emoji-with-variation-selector"),
        pytest.param("日本語", 6, id="cjk"),
        pytest.param("한국어", 6, id="hangul"),
        pytest.param("https://example.com/" + "a" * 60, 23, id="long-url"),
        pytest.param("hola https://t.co/x", 5 + 23, id="short-url"),
        pytest.param("marbellavice.es", 23, id="bare-domain-is-url"),
        pytest.param("día 2 · 15 de abril", 19, id="middle-dot"),
    ],
)
def test_x_weighted_length(text: str, expected: int) -> None:
    assert x_weighted_length(text) == expected


def test_x_limit_boundary() -> None:
    assert x_weighted_length("a" * 280) == 280
    assert x_weighted_length("a" * 279 + "😀") == 281
    assert x_weighted_length("日" * 140) == 280


def test_contains_url() -> None:
    assert contains_url("mira https://twitch.tv/ibai")
    assert contains_url("mira twitch.tv/ibai")
    assert not contains_url("Ibai 12.345 viewers · 1.234,5 h")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("hola", 4, id="ascii"),
        pytest.param("¿Qué?", 5, id="accents"),
        pytest.param("e\u0301", 1, id="combining"),
        pytest.param("👍🏽", 1, id="skin-tone"),
        pytest.param("👨‍👩‍👧", 1, id="zwj-family"),
        pytest.param("🇪🇸🇫🇷", 2, id="two-flags"),
        pytest.param("⚠️ ok", 4, id="variation-selector"),
        pytest.param("日本", 2, id="cjk"),
    ],
)
def test_grapheme_count(text: str, expected: int) -> None:
    assert grapheme_count(text) == expected


def test_mastodon_counts_urls_as_23() -> None:
    assert mastodon_length("ver https://example.com/" + "x" * 100) == 4 + 23


def test_normalize_text() -> None:
    text = normalize_text("  Año\r\nsegunda  \rtercera n\u0303 ")

    assert text == "Año\nsegunda\ntercera ñ"
    assert unicodedata.is_normalized("NFC", text)


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        pytest.param("A &amp; B https://t.co/AbC", "A & B", id="x-entities-and-media-link"),
        pytest.param("<p>Hola<br>mundo</p>", "Hola\nmundo", id="mastodon-html"),
        pytest.param("ver https://t.co/zz", "ver https://twitch.tv/ibai", id="shortened-url"),
        pytest.param("uno  dos\n\ntres", "uno dos tres", id="whitespace"),
    ],
)
def test_same_post_text_matches_rewrites(published: str, expected: str) -> None:
    assert same_post_text(published, expected)


def test_same_post_text_tells_numbers_apart() -> None:
    assert not same_post_text("Ibai 12.345 https://t.co/a", "Ibai 12.400")
