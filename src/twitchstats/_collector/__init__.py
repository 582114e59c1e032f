"""The per-minute collector: settings, clocks and the polling loop (private package)."""

from __future__ import annotations

from twitchstats._collector._clock import AcceleratedClock, Clock, ManualClock, SystemClock
from twitchstats._collector._collector import Collector, CollectorRun, HelixReader
from twitchstats._collector._config import ChannelSpec, CollectorConfig

__all__ = [
    "AcceleratedClock",
    "ChannelSpec",
    "Clock",
    "Collector",
    "CollectorConfig",
    "CollectorRun",
    "HelixReader",
    "ManualClock",
    "SystemClock",
]
