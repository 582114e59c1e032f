"""Fonts and text drawing with per-character fallback, so any display name renders.

Pillow draws a string with one font file, and no single font covers Latin, CJK and colour emoji.
`TextRenderer` splits a string into runs, each drawn with the first font of the chain that has
the character (Noto Sans, then Noto Sans CJK, then Noto Color Emoji), and lays the runs out on one
baseline. Fonts are located through fontconfig (`fc-list`) or, without it, in the usual font
folders. A missing font raises `RenderError` naming the Debian package that provides it.
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from PIL import Image, ImageDraw, ImageFont

from mvbot._exceptions import RenderError

__all__ = ["FontFiles", "TextRenderer", "find_fonts"]

logger = logging.getLogger(__name__)

Weight = Literal["regular", "bold"]
Colour = tuple[int, int, int] | tuple[int, int, int, int]

_FONT_FOLDERS: Final = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
    Path.home() / ".fonts",
)

# Noto Color Emoji is a bitmap font with a single strike: FreeType loads it only at this size.
_EMOJI_STRIKE_SIZE: Final = 109

# Characters that never start a run: they modify the character before them.
_ZERO_WIDTH_JOINER: Final = 0x200D
_KEYCAP: Final = 0x20E3
_VARIATION_SELECTORS: Final = range(0xFE00, 0xFE10)
_SKIN_TONES: Final = range(0x1F3FB, 0x1F400)
_TAG_CHARACTERS: Final = range(0xE0020, 0xE0080)
_EMOJI_PRESENTATION: Final = 0xFE0F


@dataclass(frozen=True, slots=True)
class _FontSpec:
    role: str
    fontconfig_pattern: str
    file_names: tuple[str, ...]
    face_index: int
    package: str


_SPECS: Final = {
    "sans_regular": _FontSpec(
        "sans_regular", "Noto Sans:style=Regular", ("NotoSans-Regular.ttf",), 0, "fonts-noto-core"
    ),
    "sans_bold": _FontSpec(
        "sans_bold", "Noto Sans:style=Bold", ("NotoSans-Bold.ttf",), 0, "fonts-noto-core"
    ),
    # Face 0 of the collection is the Japanese cut; it covers Chinese and Korean characters too.
    "cjk_regular": _FontSpec(
        "cjk_regular",
        "Noto Sans CJK JP:style=Regular",
        ("NotoSansCJK-Regular.ttc",),
        0,
        "fonts-noto-cjk",
    ),
    "cjk_bold": _FontSpec(
        "cjk_bold", "Noto Sans CJK JP:style=Bold", ("NotoSansCJK-Bold.ttc",), 0, "fonts-noto-cjk"
    ),
    "emoji": _FontSpec(
        "emoji", "Noto Color Emoji", ("NotoColorEmoji.ttf",), 0, "fonts-noto-color-emoji"
    ),
}


@dataclass(frozen=True, slots=True)
class FontFiles:
    """Paths of the font files that the infographics use."""

    sans_regular: Path
    sans_bold: Path
    cjk_regular: Path
    cjk_bold: Path
    emoji: Path


def find_fonts() -> FontFiles:
    """Locate the Noto fonts, or raise `RenderError` naming the package to install."""
    return _find_fonts_cached()


@functools.cache
def _find_fonts_cached() -> FontFiles:
    found: dict[str, Path] = {}
    missing: list[_FontSpec] = []
    for role, spec in _SPECS.items():
        path = _locate(spec)
        if path is None:
            missing.append(spec)
        else:
            found[role] = path
    if missing:
        names = ", ".join(sorted({spec.fontconfig_pattern.split(":")[0] for spec in missing}))
        packages = " ".join(sorted({spec.package for spec in missing}))
        raise RenderError(
            f"font not found: {names}. Install it, for example with "
            f"`apt-get install {packages}` on Debian or Ubuntu, then run `fc-cache -f`"
        )
    return FontFiles(**found)


def _locate(spec: _FontSpec) -> Path | None:
    fc_list = shutil.which("fc-list")
    if fc_list is not None:
        try:
            # A fixed executable found on PATH, with fixed arguments and no shell.
            output = subprocess.run(  # noqa: S603
                [fc_list, spec.fontconfig_pattern, "file"],
                capture_output=True,
                text=True,
                timeout=20,
                check=False,
            ).stdout
        except (OSError, subprocess.TimeoutExpired):
            output = ""
        candidates = [Path(line.strip().rstrip(":")) for line in output.splitlines() if line]
        for candidate in sorted(candidates):
            if candidate.name in spec.file_names and candidate.is_file():
                return candidate
    for folder in _FONT_FOLDERS:
        if not folder.is_dir():
            continue
        for name in spec.file_names:
            for candidate in sorted(folder.rglob(name)):
                if candidate.is_file():
                    return candidate
    return None


@functools.cache
def _coverage(path: Path, face_index: int) -> frozenset[int]:
    with TTFont(path, fontNumber=face_index, lazy=True) as font:
        return frozenset(font.getBestCmap())


@functools.cache
def _load(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=0, layout_engine=ImageFont.Layout.RAQM)


@dataclass(frozen=True, slots=True)
class _Run:
    text: str
    font_path: Path
    emoji: bool


class TextRenderer:
    """Measure and draw single-line text with Latin, CJK and emoji fallback."""

    def __init__(self, fonts: FontFiles) -> None:
        self.fonts = fonts

    def _chain(self, weight: Weight) -> tuple[Path, Path]:
        if weight == "bold":
            return self.fonts.sans_bold, self.fonts.cjk_bold
        return self.fonts.sans_regular, self.fonts.cjk_regular

    def _runs(self, text: str, weight: Weight) -> list[_Run]:
        latin, cjk = self._chain(weight)
        latin_cover = _coverage(latin, 0)
        cjk_cover = _coverage(cjk, 0)
        emoji_cover = _coverage(self.fonts.emoji, 0)
        codepoints = [ord(char) for char in unicodedata.normalize("NFC", text)]

        runs: list[_Run] = []
        for index, codepoint in enumerate(codepoints):
            char = chr(codepoint)
            if runs and _attaches_to_previous(codepoint, codepoints, index):
                last = runs[-1]
                runs[-1] = _Run(last.text + char, last.font_path, last.emoji)
                continue

            following = codepoints[index + 1] if index + 1 < len(codepoints) else None
            wants_emoji = codepoint in emoji_cover and (
                codepoint >= 0x1F000 or following in (_EMOJI_PRESENTATION, _KEYCAP)
            )
            if wants_emoji:
                path, emoji = self.fonts.emoji, True
            elif codepoint in latin_cover or char.isspace():
                path, emoji = latin, False
            elif codepoint in cjk_cover:
                path, emoji = cjk, False
            elif codepoint in emoji_cover:
                path, emoji = self.fonts.emoji, True
            else:
                logger.warning("no installed font has U+%04X; it shows as a box", codepoint)
                path, emoji = latin, False

            if runs and runs[-1].font_path == path:
                last = runs[-1]
                runs[-1] = _Run(last.text + char, path, emoji)
            else:
                runs.append(_Run(char, path, emoji))
        return runs

    def width(self, text: str, size: int, weight: Weight = "regular") -> float:
        """Return the advance width of `text` in pixels at `size`."""
        return sum(self._run_width(run, size) for run in self._runs(text, weight))

    def _run_width(self, run: _Run, size: int) -> float:
        if run.emoji:
            strike = _load(run.font_path, _EMOJI_STRIKE_SIZE)
            return strike.getlength(run.text) * _emoji_scale(size)
        return _load(run.font_path, size).getlength(run.text)

    def fit(self, text: str, size: int, max_width: float, weight: Weight = "regular") -> str:
        """Return `text`, cut at a character boundary and ended with "…" to fit `max_width`."""
        if self.width(text, size, weight) <= max_width:
            return text
        clusters = list(_clusters(text))
        low, high = 0, len(clusters)
        while low < high:
            middle = (low + high + 1) // 2
            candidate = "".join(clusters[:middle]).rstrip() + "…"
            if self.width(candidate, size, weight) <= max_width:
                low = middle
            else:
                high = middle - 1
        return "".join(clusters[:low]).rstrip() + "…"

    def draw(
        self,
        image: Image.Image,
        xy: tuple[float, float],
        text: str,
        *,
        size: int,
        fill: Colour,
        weight: Weight = "regular",
        anchor: Literal["left", "right", "centre"] = "left",
    ) -> float:
        """Draw `text` with its baseline at `xy[1]`; return the drawn width.

        `anchor` sets whether `xy[0]` is the left end, the right end or the centre of the text.
        """
        runs = self._runs(text, weight)
        widths = [self._run_width(run, size) for run in runs]
        total = sum(widths)
        x, baseline = xy
        if anchor == "right":
            x -= total
        elif anchor == "centre":
            x -= total / 2

        draw = ImageDraw.Draw(image)
        for run, run_width in zip(runs, widths, strict=True):
            if run.emoji:
                self._draw_emoji(image, (x, baseline), run.text, size)
            else:
                font = _load(run.font_path, size)
                draw.text((x, baseline), run.text, font=font, fill=fill, anchor="ls")
            x += run_width
        return total

    def _draw_emoji(
        self, image: Image.Image, origin: tuple[float, float], text: str, size: int
    ) -> None:
        strike = _load(self.fonts.emoji, _EMOJI_STRIKE_SIZE)
        ascent, descent = strike.getmetrics()
        width = max(1, round(strike.getlength(text)))
        layer = Image.new("RGBA", (width, ascent + descent), (0, 0, 0, 0))
        ImageDraw.Draw(layer).text((0, ascent), text, font=strike, anchor="ls", embedded_color=True)

        scale = _emoji_scale(size)
        scaled = layer.resize(
            (max(1, round(layer.width * scale)), max(1, round(layer.height * scale))),
            Image.Resampling.LANCZOS,
        )
        x, baseline = origin
        top = round(baseline - ascent * scale)
        if image.mode == "RGBA":
            image.alpha_composite(scaled, (round(x), top))
        else:
            image.paste(scaled, (round(x), top), scaled)


def _emoji_scale(size: int) -> float:
    # Emoji drawn about as tall as the capitals of the text around them.
    return size * 0.92 / _EMOJI_STRIKE_SIZE


def _attaches_to_previous(codepoint: int, codepoints: list[int], index: int) -> bool:
    if codepoint in (_ZERO_WIDTH_JOINER, _KEYCAP):
        return True
    if (
        codepoint in _VARIATION_SELECTORS
        or codepoint in _SKIN_TONES
        or codepoint in _TAG_CHARACTERS
    ):
        return True
    if index > 0 and codepoints[index - 1] == _ZERO_WIDTH_JOINER:
        return True
    # The second regional indicator of a flag pair.
    if (
        0x1F1E6 <= codepoint <= 0x1F1FF
        and index > 0
        and 0x1F1E6 <= codepoints[index - 1] <= 0x1F1FF
    ):
        return _regional_indicators_before(codepoints, index) % 2 == 1
    return unicodedata.combining(chr(codepoint)) != 0


def _regional_indicators_before(codepoints: list[int], index: int) -> int:
    count = 0
    position = index - 1
    while position >= 0 and 0x1F1E6 <= codepoints[position] <= 0x1F1FF:
        count += 1
        position -= 1
    return count


def _clusters(text: str) -> Iterator[str]:
    """Yield user-perceived characters, close enough for cutting names: joined emoji stay whole."""
    codepoints = [ord(char) for char in unicodedata.normalize("NFC", text)]
    cluster = ""
    for index, codepoint in enumerate(codepoints):
        if cluster and _attaches_to_previous(codepoint, codepoints, index):
            cluster += chr(codepoint)
            continue
        if cluster:
            yield cluster
        cluster = chr(codepoint)
    if cluster:
        yield cluster


def first_cluster(values: Iterable[str]) -> str:
    """Return the first visible character of the first non-empty value, upper-cased."""
    for value in values:
        for cluster in _clusters(value.strip()):
            if cluster.strip() and (cluster[0].isalnum() or ord(cluster[0]) >= 0x2000):
                return cluster.upper()
    return "?"
