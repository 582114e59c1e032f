"""Tests for font discovery and text drawing with fallback fonts."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from PIL import Image

from mvbot._exceptions import RenderError
from mvbot.infographic import _fonts
from mvbot.infographic._fonts import TextRenderer, find_fonts, first_cluster

# U+E000 is a private-use code point that no Noto font maps: it draws the missing-glyph box.
MISSING_GLYPH = "\ue000"


@pytest.fixture(scope="module")
def renderer() -> TextRenderer:
    return TextRenderer(find_fonts())


def _draw(renderer: TextRenderer, text: str, size: int = 48) -> np.ndarray:
    canvas = Image.new("RGBA", (size * 3, size * 2), (0, 0, 0, 255))
    renderer.draw(canvas, (size // 2, size * 1.4), text, size=size, fill=(255, 255, 255))
    return np.asarray(canvas.convert("RGB"), dtype=int)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("ñ", id="latin-accent"),
        pytest.param("Á", id="latin-capital-accent"),
        pytest.param("張", id="chinese"),
        pytest.param("ゲ", id="japanese-kana"),
        pytest.param("한", id="korean"),
        pytest.param("🌊", id="emoji"),
        pytest.param("👩🏽‍⚕️", id="emoji-zwj-sequence"),
        pytest.param("🇪🇸", id="flag"),
    ],
)
def test_glyph_differs_from_missing_box(renderer: TextRenderer, text: str) -> None:
    drawn = _draw(renderer, text)
    missing = _draw(renderer, MISSING_GLYPH)

    assert drawn.std() > 10, "nothing was drawn"
    assert np.abs(drawn - missing).sum() > 0.05 * 255 * drawn.size / 3


def test_emoji_drawn_in_colour(renderer: TextRenderer) -> None:
    pixels = _draw(renderer, "🌊")

    channel_spread = pixels.max(axis=-1) - pixels.min(axis=-1)
    assert channel_spread.max() > 100


def test_runs_split_by_font(renderer: TextRenderer) -> None:
    runs = renderer._runs("Kaori ゲーム 🌊!", "bold")

    fonts = [run.font_path.name for run in runs]
    assert fonts == [
        "NotoSans-Bold.ttf",
        "NotoSansCJK-Bold.ttc",
        "NotoSans-Bold.ttf",
        "NotoColorEmoji.ttf",
        "NotoSans-Bold.ttf",
    ]
    assert "".join(run.text for run in runs) == "Kaori ゲーム 🌊!"


def test_skin_tone_stays_with_emoji(renderer: TextRenderer) -> None:
    runs = renderer._runs("a👍🏽b", "regular")

    assert [run.text for run in runs] == ["a", "👍🏽", "b"]


def test_fit_cuts_with_ellipsis(renderer: TextRenderer) -> None:
    text = "NocheTráfico con un nombre larguísimo 🚕🚕🚕"

    fitted = renderer.fit(text, 30, 200, "bold")

    assert fitted.endswith("…")
    assert renderer.width(fitted, 30, "bold") <= 200
    assert text.startswith(fitted.removesuffix("…"))


def test_fit_keeps_short_text(renderer: TextRenderer) -> None:
    assert renderer.fit("Ibai", 30, 500) == "Ibai"


def test_right_anchor_ends_at_x(renderer: TextRenderer) -> None:
    canvas = Image.new("RGBA", (400, 100), (0, 0, 0, 255))

    width = renderer.draw(
        canvas, (300, 70), "12.345", size=40, fill=(255, 255, 255), anchor="right"
    )

    pixels = np.asarray(canvas.convert("L"))
    columns = np.nonzero(pixels.max(axis=0) > 128)[0]
    assert columns.max() <= 300
    assert columns.min() >= 300 - width - 2


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param(("ibai", "ibai"), "I", id="latin"),
        pytest.param(("  ", "zhangwei"), "Z", id="blank-display-name"),
        pytest.param(("張偉RP", "zhangwei_rp"), "張", id="cjk"),
        pytest.param(("_x_", "x"), "X", id="leading-symbol"),
        pytest.param(("", ""), "?", id="nothing"),
    ],
)
def test_first_cluster(values: tuple[str, str], expected: str) -> None:
    assert first_cluster(values) == expected


@pytest.fixture
def _uncached_fonts() -> Iterator[None]:
    _fonts._find_fonts_cached.cache_clear()
    yield
    _fonts._find_fonts_cached.cache_clear()


@pytest.mark.usefixtures("_uncached_fonts")
def test_missing_font_names_package(monkeypatch: pytest.MonkeyPatch) -> None:
    real_locate = _fonts._locate

    def without_cjk(spec: _fonts._FontSpec) -> object:
        return None if spec.package == "fonts-noto-cjk" else real_locate(spec)

    monkeypatch.setattr(_fonts, "_locate", without_cjk)

    with pytest.raises(RenderError, match="apt-get install fonts-noto-cjk") as raised:
        find_fonts()
    assert "Noto Sans CJK JP" in str(raised.value)
