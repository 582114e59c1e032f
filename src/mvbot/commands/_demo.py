"""`mvbot demo`: run the daily job end to end on a simulated event and print where it all is."""

from __future__ import annotations

import signal
import threading
import types
from pathlib import Path

import click

from mvbot._exceptions import MvbotError
from mvbot._i18n import translate
from mvbot.commands._common import CommandError, help_option, language
from mvbot.demo import DemoOptions, Progress, run_demo, summary_lines
from twitchstats import TwitchStatsError

__all__ = ["demo"]


def _text(key: str) -> str:
    return translate(f"demo.{key}", language())


@click.command("demo", help=_text("help"))
@click.option(
    "--output",
    type=click.Path(file_okay=True, dir_okay=True, path_type=Path),
    default=Path("demo-output"),
    show_default=True,
    metavar="DIR",
    help=_text("output_option"),
)
@click.option(
    "--days",
    type=click.IntRange(1, 31),
    default=3,
    show_default=True,
    metavar="N",
    help=_text("days_option"),
)
@click.option(
    "--channels",
    type=click.IntRange(1, 500),
    default=48,
    show_default=True,
    metavar="N",
    help=_text("channels_option"),
)
@click.option(
    "--seed", type=int, default=2025, show_default=True, metavar="N", help=_text("seed_option")
)
@click.option("--quiet", is_flag=True, help=_text("quiet_option"))
@help_option
def demo(output: Path, days: int, channels: int, seed: int, quiet: bool) -> None:
    lang = language()
    options = DemoOptions(output=output, days=days, channels=channels, seed=seed, lang=lang)
    stop = threading.Event()

    def request_stop(signum: int, frame: types.FrameType | None) -> None:
        stop.set()

    # The collector returns on Ctrl-C without stopping the posting loop around it, so the
    # signals set the stop event that ends the whole run, as `mvbot run` does.
    previous = {
        signal.SIGINT: signal.signal(signal.SIGINT, request_stop),
        signal.SIGTERM: signal.signal(signal.SIGTERM, request_stop),
    }
    try:
        result = run_demo(options, progress=Progress(quiet=quiet), stop_event=stop)
    except (MvbotError, TwitchStatsError) as exc:
        raise CommandError(str(exc)) from None
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    for line in summary_lines(result, lang):
        click.echo(line)
    if result.errors:
        click.get_current_context().exit(1)
