"""Tests that write real dashboard pages and read them back as HTML."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

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


def _scripts(path: Path) -> dict[str | None, str]:
    return {attributes.get("id"): text for attributes, text in parse(path).scripts}


def _figure(path: Path, chart: str) -> dict[str, Any]:
    figure: dict[str, Any] = json.loads(_scripts(path)[f"{chart}-data"])
    return figure


def _tile_value(path: Path, name: str) -> str:
    texts = parse(path).texts
    return texts[texts.index(name) + 1]


def _table_rows(path: Path, heading: str) -> list[list[str]]:
    """Return the cell texts of the table in the section headed `heading`."""
    html = path.read_text(encoding="utf-8")
    section = re.search(rf"<h2>{re.escape(heading)}</h2>.*?<tbody>(.*?)</tbody>", html, re.S)
    assert section is not None, heading
    rows = re.findall(r"<tr>(.*?)</tr>", section.group(1), re.S)
    return [
        [re.sub(r"<[^>]+>", " ", cell).split()[0] if cell.strip() else "" for cell in cells]
        for cells in (re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows)
    ]


def _as_metrics_engine(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Return `tables` with the nullable Int64 columns that the metrics engine returns."""
    streams = tables["streams"].assign(
        peak_viewers=tables["streams"]["peak_viewers"].astype("Int64"),
        # Rows: ibai 15th, ibai 16th, kaori_game 15th, kaori_game 16th.
        followers_gained=pd.array([120, pd.NA, pd.NA, pd.NA], dtype="Int64"),
    )
    days = tables["days"].assign(
        peak_viewers=tables["days"]["peak_viewers"].astype("Int64"),
        followers_gained=pd.array([pd.NA] * len(tables["days"]), dtype="Int64"),
    )
    followers = tables["followers"].assign(
        followers=pd.array([1000, 1120, 500, pd.NA], dtype="Int64")
    )
    return {**tables, "streams": streams, "days": days, "followers": followers}


def test_nullable_followers_shown_unknown(
    tables: dict[str, pd.DataFrame],
    write_pages: Callable[..., DashboardSet],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, frame in _as_metrics_engine(tables).items():
        monkeypatch.setitem(tables, name, frame)

    pages = write_pages(tmp_path, embed_plotlyjs=False)

    assert _tile_value(pages.channels["1"], "Seguidores ganados") == "+120"
    assert _tile_value(pages.channels["2"], "Seguidores ganados") == "—"
    kaori_streams = _table_rows(pages.channels["2"], "Directos")
    assert [row[-1] for row in kaori_streams] == ["—", "—"]
    ibai_streams = _table_rows(pages.channels["1"], "Directos")
    assert [row[-1] for row in ibai_streams] == ["—", "+120"], "newest stream first"


def test_index_ordered_by_event_figures(
    tables: dict[str, pd.DataFrame],
    write_pages: Callable[..., DashboardSet],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # ibai has the most hours watched over all categories, but few of them in the event.
    days = tables["days"].copy()
    ibai = days["channel_id"] == "1"
    days.loc[ibai, "hours_watched"] = days.loc[ibai, "hours_watched"] / 10
    monkeypatch.setitem(tables, "days", days)
    channels = pd.concat(
        [
            tables["channels"],
            pd.DataFrame({"channel_id": ["3"], "login": ["absent"], "display_name": ["Absent"]}),
        ],
        ignore_index=True,
    )
    monkeypatch.setitem(tables, "channels", channels)
    streams = tables["streams"]
    assert streams.loc[streams["channel_id"] == "1", "hours_watched"].sum() > (
        streams.loc[streams["channel_id"] == "2", "hours_watched"].sum()
    ), "the case needs the other order over all categories"

    pages = write_pages(tmp_path, embed_plotlyjs=False)

    rows = _table_rows(pages.index, "Canales")
    event_hours = days.groupby("channel_id")["hours_watched"].sum()
    shown_hours = [int(row[2].replace(".", "")) for row in rows[:2]]
    assert shown_hours == sorted(shown_hours, reverse=True), "rank orders the hours shown"
    assert shown_hours == [round(event_hours["2"]), round(event_hours["1"])]
    assert [row[0] for row in rows] == ["1", "2", "—"]
    assert [row[1] for row in rows] == ["Kaori", "Ibai", "Absent"]
    share = event_hours["2"] / event_hours.sum() * 100
    assert rows[0][6] == f"{share:.1f}".replace(".", ",")
    assert rows[2][2:] == ["—"] * 5, "a channel without data shows no figure, never 0"
    assert "Cifras del evento" in pages.index.read_text(encoding="utf-8")
    assert _tile_value(pages.channels["2"], "Puesto en el evento") == "#1"
    assert _tile_value(pages.channels["1"], "Horas vistas en el evento") == (
        f"{round(event_hours['1']):,}".replace(",", ".")
    )


def test_daily_rank_gap_and_day_ticks(
    tables: dict[str, pd.DataFrame],
    days_with_gap: pd.DataFrame,
    write_pages: Callable[..., DashboardSet],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(tables, "days", days_with_gap)

    pages = write_pages(tmp_path, embed_plotlyjs=False)

    kaori = _figure(pages.channels["2"], "rank")
    trace = kaori["data"][0]
    assert trace["y"] == [1, None, None], "days without a stream are gaps, not last places"
    assert trace["x"] == ["2021-04-15", "2021-04-16", "2021-04-17"]
    assert trace["connectgaps"] is False
    axis = kaori["layout"]["xaxis"]
    assert axis["dtick"] == 24 * 60 * 60 * 1000
    assert axis["tick0"] == "2021-04-15T00:00:00"
    assert axis["tickformat"] == "%d/%m"
    ibai = _figure(pages.channels["1"], "rank")
    assert ibai["data"][0]["y"] == [2, 1, 1]


def test_dates_written_in_full(spanish: DashboardSet) -> None:
    index = spanish.index.read_text(encoding="utf-8")
    peak_tile = re.search(
        r'<div class="name">Pico de espectadores simultáneos</div>'
        r'<div class="value">([^<]+)</div><div class="detail">([^<]+)</div>',
        index,
    )
    assert peak_tile is not None
    value, moment = peak_tile.groups()
    assert re.fullmatch(r"\d{1,2} de abril de 2021, \d\d:\d\d", moment)

    annotations = _figure(spanish.index, "concurrency")["layout"]["annotations"]
    assert [note["text"] for note in annotations] == [f"Pico: {value} espectadores ({moment})"]
    streams = _table_rows(spanish.channels["2"], "Directos")
    starts = re.findall(r'<td class="date">([^<]+)</td>', spanish.channels["2"].read_text())
    assert len(starts) == len(streams)
    assert starts[-1] == "15 de abril de 2021, 21:00", "19:00 UTC in Madrid time"
    assert "generado el 17 de abril de 2021, 10:00" in parse(spanish.index).texts[-1]


def test_mode_bar_hidden(spanish: DashboardSet) -> None:
    config = json.loads(_scripts(spanish.index)["plot-config"])

    assert config["displayModeBar"] is False


def test_chart_containers_sized_to_figure(spanish: DashboardSet) -> None:
    html = spanish.channels["1"].read_text(encoding="utf-8")
    heights = dict(re.findall(r'data-chart="([^"]+)" style="height: (\d+)px"', html))

    assert set(heights) == {"timeline", "rank", "categories", "followers"}
    for chart, height in heights.items():
        assert int(height) == _figure(spanish.channels["1"], chart)["layout"]["height"], chart
    # Two categories: two bars and the axes, well under a full chart.
    assert int(heights["categories"]) == 210
    assert int(heights["timeline"]) == 400
