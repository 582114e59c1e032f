"""Creator dashboards: one self-contained HTML page per channel, and an index page.

`write_dashboards` turns the metrics DataFrames into pages that open offline in any browser:
each channel's totals and place in the event, its streams, viewer timeline, daily rank,
categories and follower growth. Texts are Spanish by default, with English available; every
string that comes from Twitch is HTML-escaped.
"""

from __future__ import annotations

from mvbot.dashboard._write import DashboardSet, write_dashboards

__all__ = ["DashboardSet", "write_dashboards"]
