"""`twitchstats fake-helix`: run the fake Twitch Helix server for demos and tests."""

from __future__ import annotations

import datetime as dt
import json
import signal
import threading
import types
from pathlib import Path

import click

from twitchstats._collector._clock import AcceleratedClock, Clock, ManualClock, SystemClock
from twitchstats._exceptions import ConfigurationError
from twitchstats._fakehelix import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    FakeHelixServer,
    Simulation,
)


def _parse_start(value: str | None) -> dt.datetime:
    if value is None:
        return dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 time; write for example 2021-04-16T18:00:00Z",
            param_hint="--start",
        ) from None
    if parsed.tzinfo is None:
        raise click.BadParameter(
            f"{value!r} has no time zone; add Z or an offset, as in 2021-04-16T18:00:00Z",
            param_hint="--start",
        )
    return parsed.astimezone(dt.UTC)


def _event_file_text(server: FakeHelixServer, logins: list[str]) -> str:
    # json.dumps writes strings that are also valid TOML basic strings.
    channel_lines = ",\n".join(f"  {json.dumps(login)}" for login in logins)
    return (
        "# Written by `twitchstats fake-helix`: simulated channels on a local fake server.\n"
        "[event]\n"
        'name = "Fake Helix demo"\n'
        'timezone = "Europe/Madrid"\n'
        f"channels = [\n{channel_lines},\n]\n\n"
        "[event.attribution]\n"
        'game_ids = ["32982"]\n'
        'title_pattern = "(?i)marbella\\\\s*vice"\n\n'
        "[collector]\n"
        f"helix_base_url = {json.dumps(server.helix_base_url)}\n"
        f"auth_base_url = {json.dumps(server.auth_base_url)}\n"
    )


@click.command("fake-helix")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Loopback address to listen on; other addresses are rejected.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65_535),
    default=8080,
    show_default=True,
    help="TCP port to listen on; 0 picks a free port.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the simulation.")
@click.option(
    "--channels",
    "channel_count",
    type=click.IntRange(1, 200_000),
    default=50,
    show_default=True,
    help="Number of simulated channels.",
)
@click.option(
    "--clock",
    "clock_kind",
    type=click.Choice(["system", "accelerated", "manual"]),
    default="system",
    show_default=True,
    help=(
        "Time source: the system clock, a clock running --factor times faster from --start, "
        "or a manual clock that only moves through POST /_fake/clock."
    ),
)
@click.option(
    "--start",
    default=None,
    metavar="TIME",
    help="Start time (ISO 8601 with a zone) of the accelerated or manual clock; default: now.",
)
@click.option(
    "--factor",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Simulated seconds per real second of the accelerated clock.",
)
@click.option(
    "--write-event",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    metavar="FILE",
    help="Write an event TOML file that lists the simulated channels and points at this server.",
)
def fake_helix(
    host: str,
    port: int,
    seed: int,
    channel_count: int,
    clock_kind: str,
    start: str | None,
    factor: float,
    write_event: Path | None,
) -> None:
    """Serve a fake Twitch Helix API on loopback, with simulated channels.

    The server serves the token, validate, streams, users, followers, videos and games
    endpoints the way Twitch does. Faults and the clock are controlled through /_fake/faults and
    /_fake/clock. Stop it with Ctrl-C.
    """
    clock: Clock
    if clock_kind == "system":
        clock = SystemClock()
    elif clock_kind == "accelerated":
        clock = AcceleratedClock(start=_parse_start(start), factor=factor)
    else:
        clock = ManualClock(_parse_start(start))

    simulation = Simulation(seed=seed, channels=channel_count)
    try:
        server = FakeHelixServer(host=host, port=port, clock=clock, simulation=simulation)
        server.start()
    except ConfigurationError as exc:
        raise click.ClickException(str(exc)) from None

    stop = threading.Event()

    def _request_stop(signum: int, frame: types.FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, _request_stop)
    try:
        if write_event is not None:
            logins = [channel.login for channel in simulation.channels]
            write_event.write_text(_event_file_text(server, logins), encoding="utf-8")
            click.echo(f"Wrote the event file {write_event}", err=True)
        click.echo(f"Fake Helix listening on {server.url} ({clock_kind} clock)", err=True)
        click.echo(f"  helix_base_url = {server.helix_base_url}", err=True)
        click.echo(f"  auth_base_url  = {server.auth_base_url}", err=True)
        click.echo(f"  export TWITCH_CLIENT_ID={DEFAULT_CLIENT_ID}", err=True)
        click.echo(f"  export TWITCH_CLIENT_SECRET={DEFAULT_CLIENT_SECRET}", err=True)
        # A timed wait, so that Ctrl-C is delivered between waits.
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()
        click.echo("Fake Helix stopped", err=True)
