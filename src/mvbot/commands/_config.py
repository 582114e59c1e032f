"""`mvbot config check FILE`: validate an event file and summarise it without secrets."""

from __future__ import annotations

import os
from pathlib import Path

import click

from mvbot._i18n import format_date
from mvbot.commands._common import help_option, language, load_event, text
from mvbot.daily._job import publisher_variables
from mvbot.publish._text import contains_url

__all__ = ["config"]


@click.group("config", help=text("config_help"))
@help_option
def config() -> None:
    pass


@config.command("check", help=text("config_check_help"))
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@help_option
def check(path: Path) -> None:
    event_config = load_event(path)
    event = event_config.event
    settings = event_config.mvbot
    lang = language()
    open_ended = text("open_ended")

    click.echo(text("summary_ok", path=path))
    click.echo(
        text(
            "summary_event",
            name=event.name,
            event_id=event_config.event_id,
            timezone=event.timezone,
            start=format_date(event.start, lang) if event.start else open_ended,
            end=format_date(event.end, lang) if event.end else open_ended,
            channels=len(event.channels),
        )
    )
    click.echo(
        text(
            "summary_posting",
            language=settings.language,
            time=settings.post_time.isoformat("minutes"),
            top=settings.top_n,
            rankings=", ".join(settings.rankings),
        )
    )
    click.echo(
        text(
            "summary_policies",
            partial=settings.partial_data,
            gap=settings.gap_threshold_minutes,
            missed=settings.missed_days,
            catch_up=settings.max_catch_up_days,
        )
    )
    click.echo(text("summary_publishers", publishers=", ".join(settings.publishers)))

    any_set = False
    for name in settings.publishers:
        for variable in publisher_variables(event_config, name).values():
            is_set = bool(os.environ.get(variable, "").strip())
            any_set = any_set or is_set
            state = text("variable_set") if is_set else text("variable_missing")
            click.echo(text("summary_variable", publisher=name, variable=variable, state=state))
    if not any_set and any(name != "outbox" for name in settings.publishers):
        click.echo(text("summary_outbox_fallback"))
    click.echo(text("summary_folders", output=settings.output_dir, outbox=settings.outbox_dir))
    if settings.link and contains_url(settings.link):
        click.echo(text("summary_url"))
