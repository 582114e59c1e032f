"""Hand-made metrics DataFrames for the dashboard tests.

Two channels stream on two Madrid days. One stream title, one category name and one display name
carry markup, as a streamer could type them, to check that pages show them as text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mvbot.dashboard import DashboardSet, write_dashboards

PAYLOAD = "<script>alert(1)</script>"
CLOSING = "</script><!-- x"
GTA = "Grand Theft Auto V"
GENERATED_AT = dt.datetime(2021, 4, 17, 8, 0, tzinfo=dt.UTC)


def _stream(
    channel_id: str, login: str, start: str, minutes: int, base: int, title: str, game: str
) -> pd.DataFrame:
    times = pd.date_range(start, periods=minutes, freq="min", tz="UTC")
    viewers = (base * (1 + 0.3 * np.sin(np.linspace(0, 3, minutes)))).round().astype(int)
    return pd.DataFrame(
        {
            "observed_at": times,
            "channel_id": channel_id,
            "channel_login": login,
            "stream_id": f"{login}-{start[:10]}",
            "started_at": times[0],
            "viewer_count": viewers,
            "game_id": "32982",
            "game_name": game,
            "title": title,
        }
    )


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    """Channels, samples, streams, days, followers and concurrency for two days."""
    samples = pd.concat(
        [
            _stream(
                "1", "ibai", "2021-04-15 18:00", 120, 1000, f"Día 1 {PAYLOAD}", "Grand Theft Auto V"
            ),
            _stream("1", "ibai", "2021-04-16 18:00", 90, 1500, "Día 2 & más", f"Just {CLOSING}"),
            _stream(
                "2", "kaori_game", "2021-04-15 19:00", 60, 3000, "配信 🌊", "Grand Theft Auto V"
            ),
            _stream("2", "kaori_game", "2021-04-16 19:30", 60, 800, "配信 2", "Grand Theft Auto V"),
        ],
        ignore_index=True,
    )
    streams = samples.groupby(["channel_id", "channel_login", "stream_id"], as_index=False).agg(
        started_at=("started_at", "first"),
        last=("observed_at", "max"),
        average_viewers=("viewer_count", "mean"),
        peak_viewers=("viewer_count", "max"),
        viewer_minutes=("viewer_count", "sum"),
    )
    streams["ended_at"] = streams["last"] + pd.Timedelta(minutes=1)
    streams["airtime_minutes"] = (
        streams["ended_at"] - streams["started_at"]
    ).dt.total_seconds() / 60
    streams["hours_watched"] = streams["viewer_minutes"] / 60
    streams["peak_at"] = streams["started_at"] + pd.Timedelta(minutes=30)
    streams["followers_gained"] = [120.0, np.nan, 40.0, -3.0]
    streams = streams.drop(columns=["last", "viewer_minutes"])
    streams["day"] = streams["started_at"].dt.tz_convert("Europe/Madrid").dt.date

    days = streams.groupby(["day", "channel_id", "channel_login"], as_index=False).agg(
        airtime_minutes=("airtime_minutes", "sum"),
        hours_watched=("hours_watched", "sum"),
        peak_viewers=("peak_viewers", "max"),
        streams=("stream_id", "count"),
    )
    days["average_viewers"] = days["hours_watched"] / (days["airtime_minutes"] / 60)

    polled = pd.date_range("2021-04-15 17:00", "2021-04-16 21:00", freq="min", tz="UTC")
    per_minute = samples.groupby("observed_at").agg(
        viewers=("viewer_count", "sum"), channels_live=("channel_id", "nunique")
    )
    concurrency = per_minute.reindex(polled, fill_value=0).rename_axis("observed_at").reset_index()

    channels = pd.DataFrame(
        {
            "channel_id": ["1", "2"],
            "login": ["ibai", "kaori_game"],
            "display_name": [f"Ibai {PAYLOAD}", "Kaori ゲーム実況"],
            "profile_image_url": [None, None],
        }
    )
    followers = pd.DataFrame(
        {
            "channel_id": ["1", "1", "2", "2"],
            "day": [dt.date(2021, 4, 15), dt.date(2021, 4, 16)] * 2,
            "followers": [1000.0, 1120.0, 500.0, np.nan],
        }
    )
    return {
        "channels": channels,
        "samples": samples,
        "streams": streams.drop(columns=["day"]),
        "days": days,
        "concurrency": concurrency,
        "followers": followers,
    }


def _write(tables: dict[str, pd.DataFrame], output: Path, **options: object) -> DashboardSet:
    return write_dashboards(
        event_name="Marbella Vice",
        channels=tables["channels"],
        streams=tables["streams"],
        days=tables["days"],
        samples=tables["samples"],
        followers=tables["followers"],
        concurrency=tables["concurrency"],
        output_dir=output,
        generated_at=GENERATED_AT,
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def spanish(
    tables: dict[str, pd.DataFrame], tmp_path_factory: pytest.TempPathFactory
) -> DashboardSet:
    """The Spanish dashboards with plotly.js inlined, written once for the module."""
    return _write(tables, tmp_path_factory.mktemp("dashboards-es"), lang="es")


@pytest.fixture
def write_pages(
    tables: dict[str, pd.DataFrame],
) -> Callable[..., DashboardSet]:
    """Return a function that writes the dashboards of `tables` into a folder, with options."""

    def write(output: Path, **options: object) -> DashboardSet:
        return _write(tables, output, **options)

    return write


@pytest.fixture
def days_with_gap(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The days table over three days; kaori_game is live on the 15th only.

    As the metrics engine does, it lists every channel every day, with zero airtime on the days
    a channel did not stream: the 16th for kaori_game, and the added 17th, when only ibai is live.
    """
    extra = pd.DataFrame(
        {
            "day": [dt.date(2021, 4, 17)] * 2,
            "channel_id": ["1", "2"],
            "channel_login": ["ibai", "kaori_game"],
            "airtime_minutes": [60.0, 0.0],
            "hours_watched": [900.0, 0.0],
            "peak_viewers": [1200, 0],
            "streams": [1, 0],
            "average_viewers": [900.0, np.nan],
        }
    )
    days = pd.concat([tables["days"], extra], ignore_index=True)
    off = (days["channel_id"] == "2") & (days["day"] == dt.date(2021, 4, 16))
    days.loc[off, ["airtime_minutes", "hours_watched"]] = 0.0
    return days
