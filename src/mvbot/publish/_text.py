"""Post length as each network counts it.

X counts "weighted characters" over the NFC form of the text. Code points below U+1100 (Latin,
Greek, Cyrillic and others, so accents, ñ, ¿ and ¡) and most general punctuation weigh 1.
Everything else (emoji sequences, CJK, `…`, `•`, `€`) weighs 2. Every URL weighs 23 whatever its
length, and a bare domain such as `example.es` counts as a URL. The counting itself comes from the
`twitter-text-parser` package, which ports X's official twitter-text configuration (version 3).

Mastodon counts characters with every URL as 23. Bluesky counts graphemes (user-perceived
characters) and also limits the UTF-8 size.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Final, cast

from twitter_text import extract_urls, parse_tweet

__all__ = [
    "BLUESKY_MAX_BYTES",
    "BLUESKY_MAX_GRAPHEMES",
    "MASTODON_MAX_CHARACTERS",
    "X_MAX_WEIGHTED_LENGTH",
    "X_URL_WEIGHT",
    "contains_url",
    "grapheme_count",
    "mastodon_length",
    "normalize_text",
    "same_post_text",
    "x_weighted_length",
]

X_MAX_WEIGHTED_LENGTH: Final = 280
X_URL_WEIGHT: Final = 23
MASTODON_MAX_CHARACTERS: Final = 500
BLUESKY_MAX_GRAPHEMES: Final = 300
BLUESKY_MAX_BYTES: Final = 3000

_NEWLINES = re.compile(r"\r\n|\r")
_WHITESPACE = re.compile(r"\s+")
_ZERO_WIDTH_JOINER: Final = "\u200d"


def normalize_text(text: str) -> str:
    """Return `text` in NFC with `\\n` line ends and no trailing spaces on any line."""
    text = _NEWLINES.sub("\n", unicodedata.normalize("NFC", text))
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def x_weighted_length(text: str) -> int:
    """Return the weighted length of `text` as X counts it against its 280 limit."""
    return int(parse_tweet(text).weightedLength)


def contains_url(text: str) -> bool:
    """Return True when X would count part of `text` as a URL (bare domains included)."""
    return bool(extract_urls(unicodedata.normalize("NFC", text)))


def _urls(text: str) -> list[str]:
    return cast("list[str]", extract_urls(text))


def mastodon_length(text: str) -> int:
    """Return the length of `text` as Mastodon counts it: characters, with each URL as 23."""
    text = unicodedata.normalize("NFC", text)
    length = len(text)
    for url in _urls(text):
        length += X_URL_WEIGHT - len(url)
    return length


def grapheme_count(text: str) -> int:
    """Return the number of user-perceived characters in `text`, as Bluesky counts them.

    This follows the main rules of Unicode extended grapheme clusters: combining marks, variation
    selectors, emoji modifiers and the parts of a zero-width-joiner sequence join the character
    before them, and regional indicators pair into one flag.
    """
    count = 0
    previous_joiner = False
    pending_regional_indicator = False
    for character in unicodedata.normalize("NFC", text):
        code_point = ord(character)
        is_regional_indicator = 0x1F1E6 <= code_point <= 0x1F1FF
        extends = (
            unicodedata.category(character) in {"Mn", "Me", "Mc"}
            or 0xFE00 <= code_point <= 0xFE0F  # variation selectors
            or 0x1F3FB <= code_point <= 0x1F3FF  # skin tone modifiers
            or 0xE0020 <= code_point <= 0xE007F  # tag characters of subdivision flags
            or character == _ZERO_WIDTH_JOINER
        )
        if extends or previous_joiner:
            pass
        elif is_regional_indicator and pending_regional_indicator:
            pending_regional_indicator = False
        else:
            count += 1
            pending_regional_indicator = is_regional_indicator
            previous_joiner = False
            continue
        previous_joiner = character == _ZERO_WIDTH_JOINER
    return count


def same_post_text(published: str, expected: str) -> bool:
    """Return True when a post read back from a network carries the text that was sent.

    Networks rewrite what they store: X escapes `&`, `<` and `>` as HTML entities, replaces URLs
    with t.co links and appends a t.co link for attached media; Mastodon returns HTML. The
    comparison therefore ignores URLs, entities, tags and differences in whitespace.
    """
    return _comparable(published) == _comparable(expected)


_TAGS = re.compile(r"<br\s*/?>|</p>\s*<p>")
_OTHER_TAGS = re.compile(r"<[^>]+>")


def _comparable(text: str) -> str:
    text = _TAGS.sub("\n", text)
    text = _OTHER_TAGS.sub("", text) if "</" in text else text
    text = unicodedata.normalize("NFC", html.unescape(text))
    for url in sorted(_urls(text), key=len, reverse=True):
        text = text.replace(url, " ")
    return _WHITESPACE.sub(" ", text).strip()
