"""Alt texts that say in words what each infographic shows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from mvbot._i18n import Language, translate
from mvbot.infographic._entries import RankChange, RankedEntry

__all__ = ["MAX_ALT_TEXT_CHARS", "curve_alt_text", "fit_alt_text", "ranking_alt_text"]

# X accepts alt texts of up to 1000 characters.
MAX_ALT_TEXT_CHARS: Final = 1000

# Name lengths tried, longest first, when the full alt text is too long.
_NAME_LIMITS: Final = (None, 32, 20, 12)


def ranking_alt_text(
    *,
    intro: str,
    entries: Sequence[RankedEntry],
    format_value: Callable[[float], str],
    source: str,
    lang: Language,
) -> str:
    """Return the alt text of a ranking: the title line, then each rank, name, value and change."""

    def build(name_limit: int | None, with_source: bool) -> str:
        rows = [
            translate(
                "infographic.alt.ranking_row",
                lang,
                rank=entry.rank,
                name=_shorten(entry.display_name, name_limit),
                value=format_value(entry.value),
                change=_change_words(entry.change, lang),
            )
            for entry in entries
        ]
        parts = [intro, *rows]
        if with_source:
            parts.append(source)
        return " ".join(parts)

    for with_source in (True, False):
        for name_limit in _NAME_LIMITS:
            text = build(name_limit, with_source)
            if len(text) <= MAX_ALT_TEXT_CHARS:
                return text
    return fit_alt_text(build(_NAME_LIMITS[-1], False))


def curve_alt_text(parts: Sequence[str]) -> str:
    """Join the sentences of the curve's alt text, cut to the limit if needed."""
    return fit_alt_text(" ".join(part for part in parts if part))


def fit_alt_text(text: str) -> str:
    """Return `text` cut at a word boundary to at most `MAX_ALT_TEXT_CHARS`, ending with "…"."""
    if len(text) <= MAX_ALT_TEXT_CHARS:
        return text
    cut = text[: MAX_ALT_TEXT_CHARS - 1]
    space = cut.rfind(" ")
    if space > MAX_ALT_TEXT_CHARS // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;.") + "…"


def _shorten(name: str, limit: int | None) -> str:
    if limit is None or len(name) <= limit:
        return name
    return name[: limit - 1].rstrip() + "…"


def _change_words(change: RankChange, lang: Language) -> str:
    if change.kind == "up":
        return translate("infographic.alt.change_up", lang, positions=change.positions)
    if change.kind == "down":
        return translate("infographic.alt.change_down", lang, positions=change.positions)
    if change.kind == "same":
        return translate("infographic.alt.change_same", lang)
    return translate("infographic.alt.change_new", lang)
