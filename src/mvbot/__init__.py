"""mvbot: daily Twitch rankings for one event, published automatically.

Built on twitchstats. It posts the day's ranked infographics to X (and optionally Mastodon and
Bluesky), writes creator dashboards, and estimates sponsor impressions from logo detections on VOD
frames. Its texts are Spanish by default, with English available.
"""

from __future__ import annotations

from mvbot._exceptions import ConfigError, MvbotError

__all__ = ["ConfigError", "MvbotError"]
