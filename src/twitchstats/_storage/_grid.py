"""Observed minutes for imported data: polls on the grid of the tool that collected it.

An imported file only lists channels that were live, so a minute in which nobody was live leaves
no row. Without a poll that minute reads as a collector gap (unknown). When the user states the
polling interval of the tool that wrote the file, every step between the file's first and last
observation is recorded as an "ok" poll with reason "imported", and such a minute reads as
offline for every channel not listed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import Connection, select

from twitchstats._storage._tables import POLLS
from twitchstats._storage._types import from_epoch_us, to_epoch_us

__all__ = ["fill_observed_grid"]

_INSERT_CHUNK = 5_000


def fill_observed_grid(
    connection: Connection, *, first: dt.datetime, last: dt.datetime, step: dt.timedelta
) -> int:
    """Insert "ok" polls every `step` from `first` to `last`; return how many were new.

    A grid point within half a step of a stored poll is left out, so samples a few seconds off
    the grid never end up with two polls for one minute, and existing polls (failed ones
    included) are never changed.
    """
    step_us = int(step / dt.timedelta(microseconds=1))
    if step_us <= 0:
        raise ValueError(f"step must be positive, got {step}")
    first_us = to_epoch_us(first)
    last_us = to_epoch_us(last)
    if last_us < first_us:
        return 0

    margin = dt.timedelta(microseconds=step_us)
    stored = connection.execute(
        select(POLLS.c.observed_at).where(
            POLLS.c.observed_at >= first - margin, POLLS.c.observed_at <= last + margin
        )
    )
    stored_us = np.sort(np.fromiter((to_epoch_us(row[0]) for row in stored), dtype=np.int64))
    grid = np.arange(first_us, last_us + 1, step_us, dtype=np.int64)

    if len(stored_us):
        # Distance from each grid point to its nearest stored poll.
        right = np.clip(np.searchsorted(stored_us, grid), 0, len(stored_us) - 1)
        left = np.clip(right - 1, 0, len(stored_us) - 1)
        nearest = np.minimum(np.abs(stored_us[right] - grid), np.abs(grid - stored_us[left]))
        grid = grid[nearest * 2 > step_us]

    rows = [
        {
            "observed_at": from_epoch_us(int(point)),
            "outcome": "ok",
            "reason": "imported",
            "channels_live": 0,
            "viewers_total": 0,
            "unobserved_channel_ids": "[]",
        }
        for point in grid
    ]
    for start in range(0, len(rows), _INSERT_CHUNK):
        connection.execute(POLLS.insert(), rows[start : start + _INSERT_CHUNK])
    return len(rows)
