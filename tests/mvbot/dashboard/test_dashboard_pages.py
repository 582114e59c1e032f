"""Tests that write real dashboard pages and read them back as HTML."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import respx
from PIL import Image

from mvbot._avatars import AvatarCache
from mvbot._exceptions import RenderError
from mvbot.dashboard import DashboardSet

PAYLOAD = "<script>alert(1)</script>"
CLOSING = "</script><!-- x"


class PageParser(HTMLParser):
    """Collect script elements, text nodes, links and the <html> lang attribute of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.texts: list[str] = []
        self.links: list[str] = []
        self.sources: list[str] = []
        self.lang: str | None = None
        self._script: dict[str, str | None] | None = None
        self._script_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag == "script":
            self._script = attributes
            self._script_text = []
        if tag == "a" and attributes.get("href"):
            self.links.append(str(attributes["href"]))
        for name in ("src", "href"):
            if attributes.get(name) and tag != "a":
                self.sources.append(str(attributes[name]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._script_text)))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script_text.append(data)
        elif data.strip():
            self.texts.append(data)


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def test_writes_page_per_channel_and_index(spanish: DashboardSet) -> None:
    assert set(spanish.channels) == {"1", "2"}
    assert spanish.channels["1"].name == "ibai.html"
    assert spanish.channels["2"].name == "kaori_game.html"
    assert spanish.index.name == "index.html"
    assert spanish.plotly_js is None


def test_twitch_text_shown_escaped(spanish: DashboardSet) -> None:
    page = parse(spanish.channels["1"])

    assert f"Día 1 {PAYLOAD}" in page.texts, "the title shows as text in the streams table"
    assert f"Ibai {PAYLOAD}" in page.texts, "the display name shows as text in the header"
    assert f"Just {CLOSING}" in page.texts, "the category shows as text in the table"
    raw = spanish.channels["1"].read_text(encoding="utf-8")
    assert "Día 1 &lt;script&gt;alert(1)&lt;/script&gt;" in raw


def test_no_script_contains_payload(spanish: DashboardSet) -> None:
    for path in [spanish.index, *spanish.channels.values()]:
        page = parse(path)
        for attributes, text in page.scripts:
            assert PAYLOAD not in text, path
            assert "alert(1)" not in text or "\\u003c" in text, path
            if attributes.get("type") == "application/json":
                assert "</" not in text
                assert "<!--" not in text
                json.loads(text)


def test_script_elements_are_only_ours(spanish: DashboardSet) -> None:
    page = parse(spanish.channels["1"])

    charts = re.findall(r'data-chart="([^"]+)"', spanish.channels["1"].read_text(encoding="utf-8"))
    data_ids = {attributes.get("id") for attributes, _ in page.scripts}
    assert charts == ["timeline", "rank", "categories", "followers"]
    # plotly.js, the plot settings, one data element per chart and the page script.
    assert len(page.scripts) == 3 + len(charts)
    assert data_ids >= {f"{chart}-data" for chart in charts}


def test_chart_data_keeps_names_as_entities(spanish: DashboardSet) -> None:
    page = parse(spanish.channels["1"])

    scripts = {attributes.get("id"): text for attributes, text in page.scripts}
    categories = json.loads(str(scripts["categories-data"]))
    labels = categories["data"][0]["y"]
    assert "Just &lt;/script&gt;&lt;!-- x" in labels


def test_language_attribute(
    spanish: DashboardSet, write_pages: Callable[..., DashboardSet], tmp_path: Path
) -> None:
    english = write_pages(tmp_path, lang="en", embed_plotlyjs=False)

    assert parse(spanish.index).lang == "es"
    assert parse(english.index).lang == "en"
    assert parse(english.channels["2"]).lang == "en"
    assert "Hours watched" in parse(english.channels["2"]).texts
    assert "Horas vistas" in parse(spanish.channels["2"]).texts


def test_pages_need_no_network(spanish: DashboardSet) -> None:
    for path in [spanish.index, *spanish.channels.values()]:
        page = parse(path)
        assert not [source for source in page.sources if "://" in source], path
        assert not [link for link in page.links if link.startswith(("http:", "https:", "//"))]


def test_index_links_every_channel(spanish: DashboardSet) -> None:
    page = parse(spanish.index)

    assert "ibai.html" in page.links
    assert "kaori_game.html" in page.links
    assert "Horas vistas del evento" in page.texts
    assert "Kaori ゲーム実況" in page.texts


def test_channel_totals_shown(spanish: DashboardSet, tables: dict[str, pd.DataFrame]) -> None:
    streams = tables["streams"]
    own = streams.loc[streams["channel_id"] == "2"]
    hours = own["hours_watched"].sum()
    expected = f"{round(hours):,}".replace(",", ".")

    page = parse(spanish.channels["2"])

    assert expected in page.texts
    assert "+37" in page.texts, "followers gained: 40 and -3"


def test_unknown_followers_stay_unknown(spanish: DashboardSet) -> None:
    page = parse(spanish.channels["1"])

    # One stream has a failed follower read: the table shows a dash, never 0.
    assert "—" in page.texts
    assert "+120" in page.texts


def test_shared_plotly_file(write_pages: Callable[..., DashboardSet], tmp_path: Path) -> None:
    pages = write_pages(tmp_path, embed_plotlyjs=False)

    assert pages.plotly_js == tmp_path / "plotly.min.js"
    assert pages.plotly_js.stat().st_size > 1_000_000
    html = pages.channels["1"].read_text(encoding="utf-8")
    assert '<script type="text/javascript" src="plotly.min.js"></script>' in html
    assert pages.channels["1"].stat().st_size < 500_000


def test_inline_plotly_once_per_page(spanish: DashboardSet) -> None:
    html = spanish.channels["2"].read_text(encoding="utf-8")

    assert html.count("plotly.js v") <= 2
    assert spanish.channels["2"].stat().st_size > 3_000_000


@pytest.mark.parametrize(
    ("table", "change", "message"),
    [
        pytest.param(
            "streams",
            "drop:hours_watched",
            "streams DataFrame has no column hours_watched",
            id="streams",
        ),
        pytest.param("days", "drop:day", "days DataFrame has no column day", id="days"),
        pytest.param(
            "samples", "drop:viewer_count", "samples DataFrame has no column", id="samples"
        ),
        pytest.param(
            "channels", "drop:login", "channels DataFrame has no column login", id="channels"
        ),
        pytest.param(
            "streams", "naive:started_at", "streams.started_at has no time zone", id="naive"
        ),
    ],
)
def test_invalid_tables_raise(
    tables: dict[str, pd.DataFrame],
    write_pages: Callable[..., DashboardSet],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    table: str,
    change: str,
    message: str,
) -> None:
    action, column = change.split(":")
    frame = tables[table]
    broken = (
        frame.drop(columns=[column])
        if action == "drop"
        else frame.assign(**{column: frame[column].dt.tz_localize(None)})
    )
    monkeypatch.setitem(tables, table, broken)

    with pytest.raises(RenderError, match=re.escape(message)):
        write_pages(tmp_path)


def test_unknown_timezone_raises(write_pages: Callable[..., DashboardSet], tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="unknown time zone 'Madrid'"):
        write_pages(tmp_path, timezone="Madrid")


def test_avatar_embedded_as_data_uri(
    tables: dict[str, pd.DataFrame],
    write_pages: Callable[..., DashboardSet],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = "https://static-cdn.example.test/ibai.png"
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), (200, 30, 30)).save(buffer, format="PNG")
    channels = tables["channels"].assign(profile_image_url=[url, None])
    monkeypatch.setitem(tables, "channels", channels)

    with respx.mock() as router, AvatarCache(directory=tmp_path / "avatars") as cache:
        router.get(url).respond(200, content=buffer.getvalue())
        pages = write_pages(tmp_path / "pages", avatar_cache=cache, embed_plotlyjs=False)

    with_picture = pages.channels["1"].read_text(encoding="utf-8")
    without_picture = pages.channels["2"].read_text(encoding="utf-8")
    assert '<img class="avatar" alt="" src="data:image/png;base64,' in with_picture
    assert "<img" not in without_picture
    assert url not in with_picture
