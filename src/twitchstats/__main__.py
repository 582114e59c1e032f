"""Run the twitchstats command line: `python -m twitchstats`."""

from twitchstats.cli import main

main(prog_name="twitchstats")
