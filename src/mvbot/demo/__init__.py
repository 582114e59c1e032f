"""`mvbot demo`: the daily job end to end on a simulated event, with nothing sent anywhere.

`run_demo` starts the bundled fake Helix server on 127.0.0.1, collects a few simulated days
minute by minute into a SQLite file (with a collector outage that is recorded as a gap), posts
each day's infographics to the dry-run outbox and writes the creator dashboards.
"""

from __future__ import annotations

from mvbot.demo._folder import MARKER_NAME, check_output_folder, prepare_output_folder
from mvbot.demo._pipeline import DemoOptions, DemoResult, run_demo, summary_lines
from mvbot.demo._progress import Progress
from mvbot.demo._scenario import EVENT_NAME, DemoPlan

__all__ = [
    "EVENT_NAME",
    "MARKER_NAME",
    "DemoOptions",
    "DemoPlan",
    "DemoResult",
    "Progress",
    "check_output_folder",
    "prepare_output_folder",
    "run_demo",
    "summary_lines",
]
