"""Draw the twitchstats chart set for one synthetic event day and export it as PNG files.

Usage: python examples/chart_gallery.py OUTPUT_DIR [--lang es|en]

The data is generated with a fixed seed in the shapes the metrics engine returns (rankings,
event concurrency, samples, streams, follower snapshots), so the script runs without a database.
It needs the `charts` extra and a Chromium browser.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from twitchstats.charts import (
    ChartExporter,
    category_share,
    concurrency_curve,
    follower_growth,
    ranking_bars,
    schedule_heatmap,
    viewer_timeline,
)

logger = logging.getLogger("chart_gallery")

TIMEZONE = "Europe/Madrid"
DAY = pd.Timestamp("2021-04-16 16:00", tz="UTC")  # 18:00 in Madrid
LOGINS = [f"streamer{index:02d}" for index in range(40)]
# Display names that need accents, CJK and emoji glyphs.
DISPLAY_NAMES = {"0": "Ibai 🎉", "1": "AuronPlay", "2": "Knekro", "3": "ペペ", "4": "Ñoño_RP"}
GTA_V, JUST_CHATTING = ("32982", "Grand Theft Auto V"), ("509658", "Just Chatting")


def _rankings(rng: np.random.Generator) -> pd.DataFrame:
    values = np.sort(rng.lognormal(mean=9.0, sigma=1.0, size=len(LOGINS)))[::-1]
    previous = rng.permutation(len(LOGINS)) + 1
    previous[[3, 7]] = 0  # two channels new to the ranking
    rank = np.arange(1, len(LOGINS) + 1)
    previous_rank = pd.array(np.where(previous == 0, None, previous), dtype="Int64")
    return pd.DataFrame(
        {
            "rank": pd.array(rank, dtype="Int64"),
            "channel_id": [str(index) for index in range(len(LOGINS))],
            "channel_login": LOGINS,
            "value": values.round(1),
            "previous_rank": previous_rank,
            "rank_change": previous_rank - rank,
            "previous_value": np.nan,
        }
    )


def _channel_samples(rng: np.random.Generator) -> pd.DataFrame:
    minutes = 8 * 60
    observed_at = pd.date_range(DAY, periods=minutes, freq="min")
    ramp = np.minimum(np.arange(minutes) / 40, 1.0)
    viewers = (60_000 * ramp + rng.normal(0, 1500, minutes)).clip(min=0).round()
    game = np.where((np.arange(minutes) < 45) | (np.arange(minutes) > 420), 1, 0)
    frame = pd.DataFrame(
        {
            "observed_at": observed_at,
            "channel_id": "0",
            "viewer_count": viewers.astype("int64"),
            "game_id": np.where(game, JUST_CHATTING[0], GTA_V[0]),
            "game_name": np.where(game, JUST_CHATTING[1], GTA_V[1]),
        }
    )
    # A collector gap of twelve minutes: no rows, so the line breaks there.
    return frame.drop(index=range(200, 212)).reset_index(drop=True)


def _concurrency(rng: np.random.Generator) -> pd.DataFrame:
    minutes = 10 * 60
    t = np.arange(minutes)
    viewers = 150_000 + 250_000 * np.exp(-(((t - 330) / 140.0) ** 2)) + rng.normal(0, 4000, minutes)
    return pd.DataFrame(
        {
            "observed_at": pd.date_range(DAY - pd.Timedelta(hours=1), periods=minutes, freq="min"),
            "viewers": viewers.round(),
            "channels_live": (20 + 20 * np.exp(-(((t - 300) / 200.0) ** 2))).astype("int64"),
        }
    )


def _streams(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for day in pd.date_range(DAY.normalize() - pd.Timedelta(days=13), periods=14, freq="D"):
        for channel in range(len(LOGINS)):
            start = day + pd.Timedelta(hours=float(rng.normal(17.5, 1.5)))
            length = pd.Timedelta(hours=float(rng.uniform(2, 7)))
            game = GTA_V if rng.random() < 0.8 else JUST_CHATTING
            rows.append(
                {
                    "channel_id": str(channel),
                    "channel_login": LOGINS[channel],
                    "started_at": start,
                    "ended_at": start + length,
                    "game_id": game[0],
                    "game_name": game[1],
                    "hours_watched": float(rng.lognormal(8, 1)),
                }
            )
    return pd.DataFrame(rows)


def _followers(rng: np.random.Generator) -> pd.DataFrame:
    days = pd.date_range("2021-04-03", periods=14, freq="D").date
    rows = []
    for channel in range(5):
        total = float(rng.uniform(200_000, 2_000_000))
        for day in days:
            total += float(rng.uniform(500, 15_000))
            rows.append(
                {
                    "channel_id": str(channel),
                    "channel_login": LOGINS[channel],
                    "day": day,
                    "followers": round(total),
                }
            )
    frame = pd.DataFrame(rows)
    frame.loc[9, "followers"] = np.nan  # a failed read stays missing
    return frame


def build_daily_figures(lang: str = "es") -> dict[str, go.Figure]:
    """Build the daily chart set, keyed by file stem."""
    rng = np.random.default_rng(2021)
    rankings = _rankings(rng)
    streams = _streams(rng)
    spanish = lang == "es"
    return {
        "ranking": ranking_bars(
            rankings,
            metric="hours_watched",
            display_names=DISPLAY_NAMES,
            title="Marbella Vice · " + ("horas vistas" if spanish else "hours watched"),
            lang=lang,
        ),
        "ranking_phone": ranking_bars(
            rankings,
            metric="hours_watched",
            top=8,
            display_names=DISPLAY_NAMES,
            title="Top 8",
            lang=lang,
            template="twitchstats_dark+twitchstats_phone",
        ),
        "concurrency": concurrency_curve(
            _concurrency(rng), timezone=TIMEZONE, title="Marbella Vice", lang=lang
        ),
        "timeline": viewer_timeline(
            _channel_samples(rng),
            timezone=TIMEZONE,
            title="Ibai 🎉",
            lang=lang,
            template="twitchstats_dark",
        ),
        "schedule": schedule_heatmap(
            streams, timezone=TIMEZONE, value="hours_live", title="Marbella Vice", lang=lang
        ),
        "categories": category_share(
            streams, metric="hours_watched", kind="donut", title="Marbella Vice", lang=lang
        ),
        "followers": follower_growth(
            _followers(rng), timezone=TIMEZONE, display_names=DISPLAY_NAMES, lang=lang
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output_dir", type=Path, help="folder for the PNG files (created)")
    parser.add_argument(
        "--lang", choices=["es", "en"], default="es", help="language of the chart texts"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    # kaleido and choreographer log every browser step at INFO.
    for noisy in ("kaleido", "choreographer", "browser_proc"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    args.output_dir.mkdir(parents=True, exist_ok=True)
    figures = build_daily_figures(args.lang)
    started = time.perf_counter()
    with ChartExporter() as exporter:
        exporter.write_images(
            (fig, args.output_dir / f"{name}_{args.lang}.png") for name, fig in figures.items()
        )
    logger.info("%d images in %.1f s", len(figures), time.perf_counter() - started)


if __name__ == "__main__":
    main()
