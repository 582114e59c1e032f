"""The daily job: one post per event day with the day's rankings, images and alt texts.

`run_daily` decides which days are due, reads the numbers from the twitchstats database, draws
the infographics, writes the post text (at most 280 weighted characters, no URL unless the file
sets one) and publishes it through each publisher at most once.
"""

from __future__ import annotations

from mvbot.daily._data import Coverage, DayData, load_day_data, poll_coverage
from mvbot.daily._job import DayResult, build_publishers, due_days, post_day, run_daily
from mvbot.daily._text import compose_post_text

__all__ = [
    "Coverage",
    "DayData",
    "DayResult",
    "build_publishers",
    "compose_post_text",
    "due_days",
    "load_day_data",
    "poll_coverage",
    "post_day",
    "run_daily",
]
