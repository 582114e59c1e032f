"""Fixtures for the daily job tests: an event file and a database with three days of data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from PIL import Image

from mvbot.infographic import RenderedImage
from twitchstats import ChannelRecord, Database

MADRID = ZoneInfo("Europe/Madrid")
DAYS = (dt.date(2021, 4, 14), dt.date(2021, 4, 15), dt.date(2021, 4, 16))
# The collector of these tests polls every five minutes.
STEP = dt.timedelta(minutes=5)

# (login, id, display name, base viewers, local start hour, local end hour) per channel.
CHANNELS = (
    ("ibai", "1001", "Ibai", 20_000, 18, 24),
    ("auronplay", "1002", "AuronPlay", 15_000, 17, 23),
    ("knekro", "1003", "Knekro", 2_000, 0, 24),
    ("elxokas", "1004", "ElXokas", 9_000, 20, 24),
)

EVENT_FILE = """
[event]
name = "Marbella Vice"
timezone = "Europe/Madrid"
start = 2021-04-14
end = 2021-06-14
channels = [
    {{ login = "ibai", display_name = "Ibai" }},
    {{ login = "auronplay", display_name = "Auron" }},
    "knekro",
    "elxokas",
]

[event.attribution]
game_ids = ["32982"]

[collector]
interval_seconds = 300
client_id_env = "TEST_TWITCH_CLIENT_ID"
client_secret_env = "TEST_TWITCH_CLIENT_SECRET"

[mvbot]
post_time = "10:00"
hashtags = ["MarbellaVice"]
avatars = false
output_dir = "output"
outbox_dir = "outbox"
{extra}
"""


def write_event_file(folder: Path, extra: str = "") -> Path:
    """Write the test event file into `folder`, with `extra` lines added to `[mvbot]`."""
    path = folder / "marbella-vice.toml"
    path.write_text(EVENT_FILE.format(extra=extra), encoding="utf-8")
    return path


def sample_rows(
    day: dt.date, *, skip: tuple[dt.time, dt.time] | None = None
) -> list[dict[str, object]]:
    """Return samples for one local day, every five minutes, leaving out the `skip` range."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=MADRID).astimezone(dt.UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=MADRID)
    rows: list[dict[str, object]] = []
    moment = start
    while moment < end.astimezone(dt.UTC):
        local = moment.astimezone(MADRID)
        if skip is None or not (skip[0] <= local.time() < skip[1]):
            for login, channel_id, _, base, first_hour, last_hour in CHANNELS:
                if not first_hour <= local.hour < last_hour:
                    continue
                stream_start = dt.datetime.combine(day, dt.time(first_hour), tzinfo=MADRID)
                rows.append(
                    {
                        "observed_at": moment,
                        "channel_id": channel_id,
                        "channel_login": login,
                        "viewer_count": base + (day.day * 100) + local.minute,
                        "stream_id": f"{channel_id}-{day.isoformat()}",
                        "started_at": stream_start.astimezone(dt.UTC),
                        "game_id": "32982",
                        "game_name": "Grand Theft Auto V",
                        "title": "Marbella Vice | día de rol",
                    }
                )
        moment += STEP
    return rows


def fill_database(database: Database, *, gap_day: dt.date | None = None) -> None:
    """Store three days of samples; `gap_day` misses two hours (12:00 to 14:00 local)."""
    first_seen = dt.datetime(2021, 4, 13, 22, 0, tzinfo=dt.UTC)
    database.upsert_channels(
        ChannelRecord(channel_id=channel_id, login=login, observed_at=first_seen, display_name=name)
        for login, channel_id, name, *_ in CHANNELS
    )
    rows: list[dict[str, object]] = []
    for day in DAYS:
        skip = (dt.time(12), dt.time(14)) if day == gap_day else None
        rows.extend(sample_rows(day, skip=skip))
    database.write_samples(pd.DataFrame(rows))


@pytest.fixture
def event_file(tmp_path: Path) -> Path:
    return write_event_file(tmp_path)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'twitchstats.db'}"


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    with Database(url=database_url) as opened:
        fill_database(opened, gap_day=DAYS[2])
        yield opened


@pytest.fixture
def event_file_factory(tmp_path: Path) -> Callable[[str], Path]:
    """Return a function that writes the event file with extra `[mvbot]` lines."""
    return lambda extra: write_event_file(tmp_path, extra)


@pytest.fixture
def quick_render() -> Callable[..., list[RenderedImage]]:
    """A renderer with the real one's signature that writes small plain PNGs, for speed.

    Tests about rendering itself use `render_daily_infographics`; the others only need files
    and alt texts to post.
    """

    def render(**arguments: Any) -> list[RenderedImage]:
        output = Path(arguments["output_dir"])
        output.mkdir(parents=True, exist_ok=True)
        kinds = [
            *arguments["rankings"],
            *(["concurrency"] if arguments["concurrency"] is not None else []),
        ]
        images = []
        for kind in kinds:
            path = output / f"{kind}.png"
            Image.new("RGB", (120, 68), (40, 40, 40)).save(path)
            images.append(
                RenderedImage(
                    path=path,
                    alt_text=f"{kind} {arguments['day'].isoformat()}",
                    kind=kind,
                    width=120,
                    height=68,
                    bytes=path.stat().st_size,
                    lang=arguments["lang"],
                )
            )
        return images

    return render
