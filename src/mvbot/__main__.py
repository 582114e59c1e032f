"""Run the mvbot command line: `python -m mvbot`."""

from mvbot.cli import main

main()
