"""Render sample daily infographics and creator dashboards from generated data.

Usage: python examples/render_infographics.py OUTPUT_DIR [--lang es|en] [--no-dashboards]

The data is made up: twelve fictional channels, twelve days of per-minute viewer counts and the
rankings that twitchstats' metrics engine would return for them. Profile pictures are generated
and served from a local HTTP server on 127.0.0.1, so the avatar cache downloads them the same way
it downloads Twitch's. Two channels have a broken picture URL and get initials avatars.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.server
import io
import logging
import tempfile
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from PIL import Image, ImageDraw

from mvbot.dashboard import write_dashboards
from mvbot.infographic import AvatarCache, render_daily_infographics

EVENT = "Marbella Vice"
TIMEZONE = "Europe/Madrid"
EVENT_START = dt.date(2021, 4, 5)
DAY = dt.date(2021, 4, 16)

# login, display name, relative audience, picture available
CHANNELS = [
    ("comisaria_lua", "Comisaria Lúa 🌊", 1.00, True),
    ("elnegociador", "ElNegociador", 0.82, True),
    ("kaori_game", "Kaori ゲーム実況", 0.74, True),
    ("zhangwei_rp", "張偉RP", 0.61, False),
    ("mecanica_sol", "MecánicaSol", 0.55, True),
    ("dr_vega", "Dr. Vega 🩺", 0.47, True),
    ("puerto_banus", "PuertoBanús", 0.41, True),
    ("la_jefa", "LaJefa", 0.36, False),
    ("taxista_pepe", "TaxistaPepe 🚕", 0.30, True),
    ("noche_trafico", "NocheTráfico", 0.26, True),
    ("abogada_ines", "AbogadaInés", 0.22, True),
    ("reportero_max", "ReporteroMax", 0.18, True),
]


def make_avatar(seed: int) -> bytes:
    """Return a PNG with a simple generated portrait-like pattern."""
    rng = np.random.default_rng(seed)
    colours = rng.integers(40, 230, size=(3, 3))
    image = Image.new("RGB", (300, 300), tuple(int(c) for c in colours[0]))
    draw = ImageDraw.Draw(image)
    draw.ellipse((90, 50, 210, 170), fill=tuple(int(c) for c in colours[1]))
    draw.ellipse((40, 180, 260, 400), fill=tuple(int(c) for c in colours[2]))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class AvatarHandler(http.server.BaseHTTPRequestHandler):
    """Serve /avatar/N.png as a generated picture, and a 404 for any other path."""

    def do_GET(self) -> None:
        if self.path.startswith("/avatar/") and self.path.endswith(".png"):
            body = make_avatar(int(self.path.removeprefix("/avatar/").removesuffix(".png")))
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the example's output quiet."""


def make_data(base_url: str) -> dict[str, pd.DataFrame]:
    """Return generated channels, samples, streams, days, followers, concurrency and polls."""
    rng = np.random.default_rng(16)
    channels = pd.DataFrame(
        {
            "channel_id": [str(1000 + index) for index in range(len(CHANNELS))],
            "login": [login for login, *_ in CHANNELS],
            "display_name": [name for _, name, *_ in CHANNELS],
            "profile_image_url": [
                f"{base_url}/avatar/{index}.png" if has_picture else f"{base_url}/missing/{index}"
                for index, (*_, has_picture) in enumerate(CHANNELS)
            ],
        }
    )

    days = pd.date_range(
        pd.Timestamp(EVENT_START, tz=TIMEZONE), pd.Timestamp(DAY, tz=TIMEZONE), freq="D"
    )
    sample_rows = []
    for day_start in days:
        for index, (login, _, weight, _) in enumerate(CHANNELS):
            start = day_start + pd.Timedelta(
                hours=17 + rng.integers(0, 4), minutes=int(rng.integers(0, 60))
            )
            minutes = int(rng.integers(180, 360))
            times = pd.date_range(start, periods=minutes, freq="min").tz_convert("UTC")
            shape = np.sin(np.linspace(0.2, np.pi - 0.2, minutes)) ** 0.6
            audience = 30000 * weight * rng.uniform(0.7, 1.2)
            viewers = (audience * shape * rng.normal(1, 0.02, minutes)).round().astype(int)
            stream_id = f"{login}-{day_start.date()}"
            for moment, count in zip(times, viewers, strict=True):
                sample_rows.append(
                    (moment, str(1000 + index), login, stream_id, times[0], int(count))
                )
    samples = pd.DataFrame(
        sample_rows,
        columns=[
            "observed_at",
            "channel_id",
            "channel_login",
            "stream_id",
            "started_at",
            "viewer_count",
        ],
    )
    samples["game_id"] = "32982"
    samples["game_name"] = "Grand Theft Auto V"
    samples["title"] = "MARBELLA VICE día " + samples["observed_at"].dt.tz_convert(
        TIMEZONE
    ).dt.day.astype(str)
    # A short collector outage: twelve minutes with no observation at all.
    outage_start = pd.Timestamp(
        dt.datetime(2021, 4, 16, 21, 40, tzinfo=ZoneInfo(TIMEZONE))
    ).tz_convert("UTC")
    outage = (samples["observed_at"] >= outage_start) & (
        samples["observed_at"] < outage_start + pd.Timedelta(minutes=12)
    )
    samples = samples.loc[~outage].reset_index(drop=True)

    streams = samples.groupby(["channel_id", "channel_login", "stream_id"], as_index=False).agg(
        started_at=("started_at", "first"),
        last_sample=("observed_at", "max"),
        average_viewers=("viewer_count", "mean"),
        peak_viewers=("viewer_count", "max"),
        viewer_minutes=("viewer_count", "sum"),
    )
    peaks = samples.loc[
        samples.groupby("stream_id")["viewer_count"].idxmax(), ["stream_id", "observed_at"]
    ]
    streams = streams.merge(peaks.rename(columns={"observed_at": "peak_at"}), on="stream_id")
    streams["ended_at"] = streams["last_sample"] + pd.Timedelta(minutes=1)
    streams["airtime_minutes"] = (
        streams["ended_at"] - streams["started_at"]
    ).dt.total_seconds() / 60
    streams["hours_watched"] = streams["viewer_minutes"] / 60
    streams["followers_gained"] = rng.integers(-20, 900, len(streams))
    streams["day"] = streams["started_at"].dt.tz_convert(TIMEZONE).dt.date

    days_table = streams.groupby(["day", "channel_id", "channel_login"], as_index=False).agg(
        airtime_minutes=("airtime_minutes", "sum"),
        hours_watched=("hours_watched", "sum"),
        peak_viewers=("peak_viewers", "max"),
        streams=("stream_id", "count"),
        followers_gained=("followers_gained", "sum"),
    )
    days_table["average_viewers"] = days_table["hours_watched"] / (
        days_table["airtime_minutes"] / 60
    )

    # Like twitchstats' event concurrency: one row per minute with at least one channel live.
    concurrency = samples.groupby("observed_at", as_index=False).agg(
        viewers=("viewer_count", "sum"), channels_live=("channel_id", "nunique")
    )
    # The collector polled every minute of the event, except during the outage.
    polled = pd.date_range(
        samples["observed_at"].min().floor("D"), samples["observed_at"].max(), freq="min"
    )
    in_outage = (polled >= outage_start) & (polled < outage_start + pd.Timedelta(minutes=12))
    polls = pd.DataFrame({"observed_at": polled[~in_outage], "outcome": "ok"})
    followers = days_table.loc[:, ["day", "channel_id"]].assign(
        followers=lambda frame: 50000 + frame.groupby("channel_id").cumcount() * 700
    )
    return {
        "channels": channels,
        "samples": samples,
        "streams": streams.drop(columns=["last_sample", "viewer_minutes", "day"]),
        "days": days_table,
        "concurrency": concurrency,
        "polls": polls,
        "followers": followers,
    }


def rankings_for(days_table: pd.DataFrame, day: dt.date) -> dict[str, pd.DataFrame]:
    """Return the day's rankings by each metric, with each channel's rank the day before."""
    rankings = {}
    for metric in ("average_viewers", "hours_watched", "peak_viewers"):
        today = days_table.loc[days_table["day"] == day].copy()
        before = days_table.loc[days_table["day"] == day - dt.timedelta(days=1)].copy()
        today["rank"] = today[metric].rank(method="min", ascending=False).astype(int)
        before["previous_rank"] = before[metric].rank(method="min", ascending=False).astype(int)
        ranking = today.merge(before[["channel_id", "previous_rank"]], on="channel_id", how="left")
        ranking = ranking.rename(columns={metric: "value"}).sort_values("rank")
        rankings[metric] = ranking.loc[
            :, ["rank", "channel_id", "channel_login", "value", "previous_rank"]
        ].reset_index(drop=True)
    return rankings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output_dir", type=Path, help="folder for the PNG files and dashboards")
    parser.add_argument("--lang", choices=["es", "en"], default="es", help="language of the texts")
    parser.add_argument(
        "--no-dashboards", action="store_true", help="write only the infographics (for the docs)"
    )
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    output: Path = arguments.output_dir

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), AvatarHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        data = make_data(f"http://127.0.0.1:{server.server_address[1]}")
        with (
            tempfile.TemporaryDirectory() as cache_dir,
            AvatarCache(directory=cache_dir, timeout=5) as avatars,
        ):
            for size in ("16:9", "4:5"):
                images = render_daily_infographics(
                    event_name=EVENT,
                    day=DAY,
                    day_number=(DAY - EVENT_START).days + 1,
                    rankings=rankings_for(data["days"], DAY),
                    concurrency=data["concurrency"],
                    channels=data["channels"],
                    output_dir=output,
                    lang=arguments.lang,
                    size=size,
                    avatar_cache=avatars,
                    timezone=TIMEZONE,
                    polls=data["polls"],
                )
                for image in images:
                    print(f"{image.path} {image.width}×{image.height} {image.bytes} bytes")
                    print(f"  alt ({len(image.alt_text)} characters): {image.alt_text}")
            if not arguments.no_dashboards:
                dashboards = write_dashboards(
                    event_name=EVENT,
                    channels=data["channels"],
                    streams=data["streams"],
                    days=data["days"],
                    samples=data["samples"],
                    followers=data["followers"],
                    concurrency=data["concurrency"],
                    output_dir=output / "dashboards",
                    lang=arguments.lang,
                    timezone=TIMEZONE,
                    avatar_cache=avatars,
                )
                print(f"{dashboards.index} and {len(dashboards.channels)} channel dashboards")
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
