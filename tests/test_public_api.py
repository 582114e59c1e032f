"""The names that `import twitchstats` promises, and what importing it costs."""

from __future__ import annotations

import subprocess
import sys

import pytest

import twitchstats

EXPECTED = {
    "AcceleratedClock",
    "AsyncHelixClient",
    "AuthenticationError",
    "BadRequestError",
    "ChannelRecord",
    "ChannelSpec",
    "ChartError",
    "ChromiumNotFoundError",
    "Clock",
    "Collector",
    "CollectorConfig",
    "CollectorRun",
    "ConfigurationError",
    "Database",
    "ExportTimeoutError",
    "FakeHelixFault",
    "FakeHelixServer",
    "FaultKind",
    "FollowerRecord",
    "Game",
    "GameRecord",
    "HelixClient",
    "HelixError",
    "HelixStatusError",
    "HelixTimeoutError",
    "HelixTransportError",
    "InvalidResponseError",
    "ManualClock",
    "MetricsError",
    "MutedSegment",
    "NotFoundError",
    "PollRecord",
    "RateLimit",
    "RateLimitError",
    "RequestStats",
    "RetryPolicy",
    "SampleImportError",
    "SampleRecord",
    "SchemaVersionError",
    "ServerError",
    "StorageError",
    "Stream",
    "SystemClock",
    "TwitchStatsError",
    "User",
    "Video",
    "__version__",
    "parse_video_duration",
}


def test_all_is_exactly_the_public_names() -> None:
    assert set(twitchstats.__all__) == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED - {"__version__"}))
def test_public_name_resolves_with_docstring(name: str) -> None:
    value = getattr(twitchstats, name)
    assert value.__doc__, name


def test_unknown_attribute_raises() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = twitchstats.nope  # type: ignore[attr-defined]


def test_import_loads_no_heavy_module() -> None:
    code = (
        "import sys, twitchstats; "
        "print(sorted(m for m in ('pandas', 'sqlalchemy', 'alembic', 'httpx') if m in sys.modules))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "[]"


def test_helix_client_import_skips_storage() -> None:
    code = (
        "import sys; from twitchstats import HelixClient; "
        "print(sorted(m for m in ('pandas', 'sqlalchemy', 'alembic') if m in sys.modules))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "[]"
