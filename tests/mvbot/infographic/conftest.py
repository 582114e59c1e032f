"""Hand-made metrics DataFrames for the infographic tests."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from PIL import Image

# login, display name: accents, CJK, emoji, an emoji sequence, a very long name.
NAMES = [
    ("comisaria_lua", "Comisaria Lúa 🌊"),
    ("elnegociador", "ElNegociador"),
    ("kaori_game", "Kaori ゲーム実況"),
    ("zhangwei_rp", "張偉RP"),
    ("mecanica_sol", "MecánicaSol"),
    ("dr_vega", "Dr. Vega 🩺"),
    ("puerto_banus", "PuertoBanús"),
    ("la_jefa", "LaJefa 👩🏽‍⚕️"),
    ("taxista_pepe", "TaxistaPepe 🇪🇸"),
    ("noche_trafico", "NocheTráfico con un nombre larguísimo que no cabe"),
    ("reserva_once", "ReservaOnce"),
]
VALUES = [31234.4, 25012.0, 22780.0, 18004.0, 16321.0, 14002.0, 12000.0, 10876.0, 9011.0, 7654.0]
PREVIOUS = [3, 1, 2, None, 4, 6, 9, 8, 7, None]


def png_bytes(colour: tuple[int, int, int], size: int = 120) -> bytes:
    """Return a PNG of one solid colour."""
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def solid_png() -> Callable[[tuple[int, int, int]], bytes]:
    """Return the function that makes a PNG of one solid colour."""
    return png_bytes


@pytest.fixture(scope="module")
def channels() -> pd.DataFrame:
    """Eleven channels; their pictures are on a test host that respx mocks."""
    return pd.DataFrame(
        {
            "channel_id": [str(100 + index) for index in range(len(NAMES))],
            "login": [login for login, _ in NAMES],
            "display_name": [name for _, name in NAMES],
            "profile_image_url": [
                f"https://static-cdn.example.test/{login}.png" for login, _ in NAMES
            ],
        }
    )


@pytest.fixture(scope="module")
def ranking(channels: pd.DataFrame) -> pd.DataFrame:
    """A top 10 in the metrics engine's rankings layout (previous_rank NA for new entries)."""
    previous = pd.array(PREVIOUS, dtype="Int64")
    current = pd.array(range(1, 11), dtype="Int64")
    return pd.DataFrame(
        {
            "rank": current,
            "channel_id": channels["channel_id"][:10].to_list(),
            "channel_login": channels["login"][:10].to_list(),
            "value": VALUES,
            "previous_rank": previous,
            "rank_change": previous - current,
            "previous_value": [np.nan] * 10,
        }
    )


@pytest.fixture(scope="module")
def concurrency() -> pd.DataFrame:
    """One Madrid day of per-minute event viewers, peaking at 150 000 at 20:00 local time.

    Twelve minutes after 21:30 local time are missing, as after a collector outage.
    """
    times = pd.date_range("2021-04-15 22:00", "2021-04-16 21:59", freq="min", tz="UTC")
    local = times.tz_convert("Europe/Madrid")
    hours = local.hour + local.minute / 60
    evening = 150000 * np.clip(np.sin((hours - 16) / 8 * np.pi), 0, None) ** 0.7
    viewers = np.where(hours >= 16, evening, 0).round()
    frame = pd.DataFrame(
        {
            "observed_at": times,
            "viewers": viewers.astype(int),
            "channels_live": np.where(viewers > 0, 40, 0),
        }
    )
    outage = (local.hour == 21) & (local.minute >= 30) & (local.minute < 42)
    return frame.loc[~outage].reset_index(drop=True)


@pytest.fixture(scope="module")
def polls(concurrency: pd.DataFrame) -> pd.DataFrame:
    """The collector's successful polls of that day: none during the outage."""
    return pd.DataFrame({"observed_at": concurrency["observed_at"], "outcome": "ok"})
