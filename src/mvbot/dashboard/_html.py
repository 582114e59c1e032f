"""HTML building blocks: escaping, embedded chart data, the page skeleton and its script.

Everything that comes from Twitch (titles, names, category names) reaches the page through
`escape` or `script_json`, so a title such as `<script>alert(1)</script>` shows as text.
"""

from __future__ import annotations

import functools
import html
import json
from collections.abc import Mapping, Sequence
from typing import Final

import plotly.io as pio
from plotly.graph_objects import Figure
from plotly.offline import get_plotlyjs

__all__ = [
    "PAGE_SCRIPT",
    "ChartBlock",
    "escape",
    "page",
    "plotly_script_tag",
    "script_json",
]

# Characters that could end a <script> element or open an HTML comment inside it, written as
# JSON escapes; JSON.parse reads them back as the same characters.
_SCRIPT_ESCAPES: Final = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def escape(value: object) -> str:
    """Return `value` as text safe inside HTML elements and quoted attributes."""
    return html.escape(str(value), quote=True)


def script_json(value: object) -> str:
    """Return `value` as JSON that is safe inside a <script> element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _escape_for_script(text)


def _escape_for_script(text: str) -> str:
    for character, replacement in _SCRIPT_ESCAPES.items():
        text = text.replace(character, replacement)
    return text


class ChartBlock:
    """One Plotly figure placed on a page, with a heading, an optional note and a height in px.

    The container gets the figure's height, so a short chart leaves no empty space below it.
    """

    def __init__(
        self, *, chart_id: str, heading: str, figure: Figure, height: int, note: str = ""
    ) -> None:
        self.chart_id = chart_id
        self.heading = heading
        self.figure = figure
        self.height = height
        self.note = note

    def figure_json(self) -> str:
        """Return the figure as JSON safe inside a <script> element."""
        # plotly's encoder turns numpy arrays and timestamps into plain JSON values.
        return _escape_for_script(str(pio.to_json(self.figure, validate=False, pretty=False)))

    def html(self) -> str:
        """Return the section with the chart's container and its data."""
        note = f'<p class="note">{escape(self.note)}</p>' if self.note else ""
        return (
            f'<section class="card chart-card"><h2>{escape(self.heading)}</h2>{note}'
            f'<div class="chart" id="{escape(self.chart_id)}" data-chart="{escape(self.chart_id)}"'
            f' style="height: {int(self.height)}px"></div>'
            f'<script type="application/json" id="{escape(self.chart_id)}-data">'
            f"{self.figure_json()}</script></section>"
        )


@functools.cache
def _plotly_js() -> str:
    source = str(get_plotlyjs())
    # Inlined code must not end its <script> element early. plotly.js 3 has no such sequence;
    # in a JavaScript string or regular expression "<\/" means the same as "</".
    return source.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")


def plotly_script_tag(*, embed: bool, shared_path: str = "plotly.min.js") -> str:
    """Return the <script> element that loads plotly.js: inline, or from a file beside the page."""
    if embed:
        return f'<script type="text/javascript">{_plotly_js()}</script>'
    return f'<script type="text/javascript" src="{escape(shared_path)}"></script>'


def write_plotly_js(path: str) -> None:
    """Write plotly.js from the installed plotly package to `path`."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(_plotly_js())


# Draws every chart, then sets data-charts-drawn on <body> with the number drawn. A script error
# or a rejected newPlot is recorded in data-script-errors, so a headless check can read both.
PAGE_SCRIPT: Final = """
(function () {
  var body = document.body;
  var errors = [];
  function record(message) {
    errors.push(String(message));
    body.setAttribute("data-script-errors", errors.join(" | "));
  }
  window.addEventListener("error", function (event) { record(event.message); });
  window.addEventListener("unhandledrejection", function (event) { record(event.reason); });
  if (typeof Plotly === "undefined") { record("plotly.js is not loaded"); return; }
  var config = JSON.parse(document.getElementById("plot-config").textContent);
  var containers = document.querySelectorAll("[data-chart]");
  var drawing = [];
  containers.forEach(function (container) {
    var source = document.getElementById(container.id + "-data");
    var figure = JSON.parse(source.textContent);
    drawing.push(Plotly.newPlot(container, figure.data, figure.layout || {}, config));
  });
  Promise.all(drawing).then(function () {
    body.setAttribute("data-charts-drawn", String(drawing.length));
  }, function (reason) { record(reason); });
  window.addEventListener("resize", function () {
    containers.forEach(function (container) { Plotly.Plots.resize(container); });
  });
})();
"""

_STYLE: Final = """
:root { --bg: #f7f7f8; --card: #ffffff; --text: #18181b; --muted: #5c5c66; --accent: #9146ff;
  --line: #e3e3e8; --up: #1a7f37; --down: #cf222e; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text);
  font-family: "Noto Sans", "Noto Sans CJK JP", "Noto Color Emoji", system-ui, sans-serif;
  line-height: 1.45; }
header.top { background: #0e0e10; color: #efeff1; padding: 28px 32px 24px;
  border-top: 6px solid var(--accent); }
header.top .label { color: #a970ff; font-weight: 700; letter-spacing: .06em;
  text-transform: uppercase; font-size: .85rem; margin: 0; }
header.top h1 { margin: 4px 0 2px; font-size: 2rem; overflow-wrap: anywhere; }
header.top p { margin: 0; color: #adadb8; }
header.top a { color: #c9a6ff; }
header.top .identity { display: flex; gap: 18px; align-items: center; }
header.top img.avatar { width: 72px; height: 72px; border-radius: 50%; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 20px 48px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px;
  margin-bottom: 20px; }
.tile { background: var(--card); border: 1px solid var(--line); border-radius: 12px;
  padding: 14px 16px; }
.tile .name { color: var(--muted); font-size: .85rem; }
.tile .value { font-size: 1.5rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.tile .detail { color: var(--muted); font-size: .8rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px;
  padding: 16px 18px; margin-bottom: 20px; }
.card h2 { margin: 0 0 8px; font-size: 1.15rem; }
.note { color: var(--muted); margin: 0 0 8px; font-size: .9rem; }
.chart { width: 100%; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { padding: 7px 10px; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; }
th { color: var(--muted); font-weight: 600; white-space: nowrap; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.title { min-width: 220px; overflow-wrap: anywhere; }
td.date { min-width: 150px; }
a { color: #7a32e6; }
footer { color: var(--muted); font-size: .85rem; max-width: 1180px; margin: 0 auto;
  padding: 0 20px 32px; }
"""


def page(
    *,
    lang: str,
    title: str,
    header_html: str,
    body_html: Sequence[str],
    footer_text: str,
    plotly_tag: str,
    plot_config: Mapping[str, object],
) -> str:
    """Return a whole HTML document; every argument except the titles is already HTML."""
    return "".join(
        [
            "<!DOCTYPE html>\n",
            f'<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n',
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
            f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n",
            header_html,
            "\n<main>\n",
            "\n".join(body_html),
            "\n</main>\n",
            f"<footer>{escape(footer_text)}</footer>\n",
            plotly_tag,
            "\n",
            f'<script type="application/json" id="plot-config">{script_json(plot_config)}</script>',
            f"\n<script>{PAGE_SCRIPT}</script>\n</body>\n</html>\n",
        ]
    )
