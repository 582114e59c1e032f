"""Fixtures for chart tests: a shared Chromium exporter and small metrics DataFrames."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from twitchstats import ChromiumNotFoundError
from twitchstats.charts import ChartExporter, find_chromium


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of the Chromium executable, or a skip naming how to install one."""
    try:
        return str(find_chromium())
    except ChromiumNotFoundError as exc:
        pytest.skip(f"no Chromium for kaleido: {exc}")


@pytest.fixture(scope="session")
def exporter(chromium_path: str) -> Iterator[ChartExporter]:
    """One browser for the whole session: starting Chromium takes seconds."""
    with ChartExporter(browser_path=chromium_path, timeout=60) as session:
        yield session


@pytest.fixture
def rankings() -> pd.DataFrame:
    """Rankings in the metrics engine's shape: one climber, one faller, one new, one unchanged."""
    return pd.DataFrame(
        {
            "rank": [1, 2, 3, 4],
            "channel_id": ["101", "102", "103", "104"],
            "channel_login": ["ibai", "auronplay", "knekro", "rubius"],
            "value": [1_234_567.0, 98_765.4, 4_321.0, 999.0],
            "previous_rank": [2, 1, None, 4],
            "rank_change": [1, -1, None, 0],
            "previous_value": [1_000_000.0, 100_000.0, None, 900.0],
        }
    )


@pytest.fixture
def concurrency() -> pd.DataFrame:
    """Five hours of event concurrency with a single clear peak at 20:00 UTC (22:00 in Madrid)."""
    observed_at = pd.date_range("2021-04-16 17:00", periods=300, freq="min", tz="UTC")
    minutes = np.arange(300)
    viewers = 50_000 + 40_000 * np.exp(-(((minutes - 180) / 60.0) ** 2))
    return pd.DataFrame(
        {"observed_at": observed_at, "viewers": viewers.round(), "channels_live": 40}
    )
