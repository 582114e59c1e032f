"""mvbot: daily Twitch rankings for one event, published automatically.

Built on twitchstats. It posts the day's ranked infographics to X (and optionally Mastodon and
Bluesky), writes creator dashboards, and estimates sponsor impressions from logo detections on VOD
frames. Its texts are Spanish by default, with English available.

The subpackages `mvbot.publish` (publishers and the publication ledger), `mvbot.daily` (the daily
job), `mvbot.infographic`, `mvbot.dashboard` and `mvbot.brands` hold the rest of the public API.
Importing `mvbot` itself loads none of them, so the command line starts quickly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from mvbot._exceptions import BrandsError, ConfigError, MvbotError, PublishError, RenderError

if TYPE_CHECKING:
    from mvbot._config import EventConfig, load_config, parse_config
    from mvbot._run import BotRunner
    from mvbot.daily import run_daily

__all__ = [
    "BotRunner",
    "BrandsError",
    "ConfigError",
    "EventConfig",
    "MvbotError",
    "PublishError",
    "RenderError",
    "load_config",
    "parse_config",
    "run_daily",
]

# Public name -> module that defines it, imported on first access.
_LAZY: dict[str, str] = {
    "BotRunner": "mvbot._run",
    "EventConfig": "mvbot._config",
    "load_config": "mvbot._config",
    "parse_config": "mvbot._config",
    "run_daily": "mvbot.daily",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'mvbot' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
