"""Open the dashboards in headless Chromium and check that every chart is drawn."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from mvbot.dashboard import DashboardSet

pytestmark = pytest.mark.chromium

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"


def _dump_dom(page: Path, profile: Path) -> tuple[str, str]:
    if not Path(CHROMIUM).exists():
        pytest.skip("no Chromium browser: install the chromium package to run this test")
    completed = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            # Virtual time runs the page's scripts and Plotly's promises before the DOM dump.
            "--virtual-time-budget=10000",
            "--window-size=1280,2000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout, completed.stderr


def _body_tag(dom: str) -> str:
    body = re.search(r"<body[^>]*>", dom)
    assert body is not None
    return body.group(0)


@pytest.mark.slow
@pytest.mark.parametrize("page", ["channel", "index"])
def test_every_chart_drawn_without_errors(spanish: DashboardSet, tmp_path: Path, page: str) -> None:
    path = spanish.channels["1"] if page == "channel" else spanish.index
    charts = re.findall(r'data-chart="([^"]+)"', path.read_text(encoding="utf-8"))

    dom, log = _dump_dom(path, tmp_path / "profile")

    body = _body_tag(dom)
    assert "data-script-errors" not in body, body
    assert f'data-charts-drawn="{len(charts)}"' in body
    for chart in charts:
        pattern = rf'<div class="chart[^"]*" id="{chart}"[^>]*>(.*?)</section>'
        container = re.search(pattern, dom, re.S)
        assert container is not None, chart
        assert "main-svg" in container.group(1), f"chart {chart} has no SVG"
    assert "Uncaught" not in log
    if page == "channel":
        # The stream title is still text after the scripts ran: no element was created from it.
        assert "Día 1 &lt;script&gt;alert(1)&lt;/script&gt;" in dom
        assert "<script>alert(1)</script>" not in dom


@pytest.mark.slow
def test_missing_plotly_reported(write_pages: Callable[..., DashboardSet], tmp_path: Path) -> None:
    pages = write_pages(tmp_path / "pages", embed_plotlyjs=False)
    assert pages.plotly_js is not None
    pages.plotly_js.unlink()

    dom, _ = _dump_dom(pages.channels["2"], tmp_path / "profile")

    body = _body_tag(dom)
    assert "data-charts-drawn" not in body
    assert 'data-script-errors="plotly.js is not loaded"' in body


@pytest.mark.slow
def test_daily_rank_one_label_per_day(
    tables: dict[str, pd.DataFrame],
    days_with_gap: pd.DataFrame,
    write_pages: Callable[..., DashboardSet],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(tables, "days", days_with_gap)
    pages = write_pages(tmp_path / "pages", embed_plotlyjs=False)

    dom, _ = _dump_dom(pages.channels["2"], tmp_path / "profile")

    body = _body_tag(dom)
    assert "data-script-errors" not in body, body
    rank = re.search(r'<div class="chart[^"]*" id="rank"[^>]*>(.*?)</section>', dom, re.S)
    assert rank is not None
    labels = re.findall(r'<g class="xtick"><text[^>]*>([^<]+)</text>', rank.group(1))
    assert labels == ["15/04", "16/04", "17/04"]
    assert "modebar-btn" not in dom, "the mode bar is hidden"
