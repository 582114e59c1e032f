"""Run mvbot's daily job as a dry run and print what it would post.

    python examples/daily_dry_run.py examples/marbella-vice.toml sqlite:///season.db [2021-04-16]

The posts go to the outbox folder of the event file (`mvbot.outbox_dir`); nothing is sent.
On a database without data for the day, the job reports that there is nothing to post.
"""

from __future__ import annotations

import datetime as dt
import sys

from mvbot._config import load_config
from mvbot.daily import run_daily
from twitchstats import Database


def main(arguments: list[str]) -> int:
    if len(arguments) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    config = load_config(arguments[0])
    day = dt.date.fromisoformat(arguments[2]) if len(arguments) == 3 else None

    with Database(url=arguments[1]) as database:
        results = run_daily(config, database=database, day=day, dry_run=True)

    for result in results:
        print(f"{result.day}: {result.status}")
        for message in result.messages:
            print(f"  {message}")
        if result.text:
            print(result.text)
    return 0 if all(result.ok for result in results) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
