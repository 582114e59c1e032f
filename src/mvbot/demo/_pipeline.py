"""`run_demo`: the whole daily job on a simulated event, from the first poll to the dashboards.

The steps are the real ones. The bundled fake Helix server listens on 127.0.0.1, the Helix
client and the collector poll it over HTTP every simulated minute into a SQLite file, and
`BotRunner` posts each day to the outbox as `mvbot run --dry-run` does. A `ManualClock` shared
by the server, the client and the collector turns every wait into an instant jump, so simulated
days take minutes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Final

import pandas as pd

from mvbot._config import EventConfig, load_config
from mvbot._exceptions import DemoError
from mvbot._i18n import format_date, format_number, translate
from mvbot._run import BotRunner, RunSummary
from mvbot.daily._job import DayResult
from mvbot.dashboard import DashboardSet, write_dashboards
from mvbot.demo._folder import check_output_folder, prepare_output_folder
from mvbot.demo._progress import Progress
from mvbot.demo._scenario import KEYWORD, TIMEZONE, DemoClock, DemoPlan, OutageCollector
from mvbot.demo._scenario import write_event_file as _write_event_file
from mvbot.publish._protocol import Publisher
from twitchstats import (
    ChromiumNotFoundError,
    Collector,
    CollectorConfig,
    Database,
    FakeHelixServer,
    HelixClient,
)
from twitchstats._fakehelix import Simulation
from twitchstats.charts import find_chromium
from twitchstats.metrics import event_stats, sessionise, stream_stats

__all__ = ["DemoOptions", "DemoResult", "run_demo", "summary_lines"]

logger = logging.getLogger(__name__)

# Catalog keys of the gap reasons that the collector records, so the summary is in one language.
_GAP_REASON_KEYS = {
    "collector not running": "demo.gap_reason_not_running",
    "overrun": "demo.gap_reason_overrun",
}

DATABASE_NAME: Final = "twitchstats.db"
EVENT_FILE_NAME: Final = "vice-city-nights-demo.toml"
LOG_FILE_NAME: Final = "mvbot-demo.log"
DASHBOARDS_FOLDER: Final = "dashboards"
_LOG_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Timed steps, in the order they are reported.
_STEPS: Final = ("folder", "server", "collect", "post", "dashboards")


@dataclasses.dataclass(frozen=True, kw_only=True)
class DemoOptions:
    """Settings of one demo run.

    Attributes:
        output: the output folder (see `prepare_output_folder` for when it may be reused).
        days: simulated event days.
        channels: simulated channels, all of them in the event file.
        seed: seed of the simulation; the same seed gives the same channels and streams.
        lang: language of images, posts, dashboards and messages ("es" or "en").
    """

    output: Path
    days: int = 3
    channels: int = 48
    seed: int = 2025
    lang: str = "es"

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError(f"days must be at least 1, got {self.days}")
        if self.channels < 1:
            raise ValueError(f"channels must be at least 1, got {self.channels}")


@dataclasses.dataclass(frozen=True, kw_only=True)
class DemoResult:
    """Paths written by a demo run, with counts read back from its database.

    Attributes:
        output: the output folder.
        database: the SQLite file.
        event_file: the generated event TOML file.
        images: the folder of the daily infographics (one subfolder per event and day).
        outbox: the dry-run outbox (one subfolder per event and day).
        dashboards: the dashboards' index page.
        log_file: the run's log.
        days: the simulated local days.
        channels: channels stored by the collector.
        polls: stored polls by outcome ("ok", "partial", "failed").
        gaps: failed minutes by reason.
        samples: stored viewer samples.
        posts: posts written to the outbox.
        day_results: the daily job's result for each posted day.
        errors: collector restarts, failed posting rounds and failed days; 0 when all went
            well. Each one is in the log.
        timings: real seconds spent per step.
    """

    output: Path
    database: Path
    event_file: Path
    images: Path
    outbox: Path
    dashboards: Path
    log_file: Path
    days: tuple[dt.date, ...]
    channels: int
    polls: dict[str, int]
    gaps: dict[str, int]
    samples: int
    posts: int
    day_results: tuple[DayResult, ...]
    errors: int
    timings: dict[str, float]


class _Timer:
    """Accumulates real seconds per step name."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def measure(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - started
            self.seconds[name] = self.seconds.get(name, 0.0) + elapsed


class _DemoRunner(BotRunner):
    """`BotRunner` that reports each posted day as a step line and times the posting rounds."""

    def __init__(
        self,
        *,
        config: EventConfig,
        database: Database,
        collector: OutageCollector,
        clock: DemoClock,
        lang: str,
        days: Sequence[dt.date],
        progress: Progress,
        timer: _Timer,
    ) -> None:
        super().__init__(
            config=config,
            database=database,
            collector=collector,
            clock=clock,
            dry_run=True,
            lang=lang,
        )
        self._progress = progress
        self._timer = timer
        self._language = lang
        self._days = frozenset(days)

    def post_due(
        self, now: dt.datetime, summary: RunSummary, publishers: Sequence[Publisher]
    ) -> None:
        before = len(summary.days)
        with self._timer.measure("post"):
            super().post_due(now, summary, publishers)
        for result in summary.days[before:]:
            if result.day not in self._days:
                continue
            day_text = format_date(result.day, self._language)
            self._progress.step(translate("demo.step_day", self._language, day=day_text))
            for message in result.messages:
                self._progress.step(f"  {message}")


@contextlib.contextmanager
def _log_to_file(path: Path) -> Iterator[None]:
    """Send log records to `path` only, for the duration of the block.

    The collector logs one line per simulated minute, which would bury the progress display.
    The root logger's console handlers are therefore detached, and put back afterwards.
    """
    root = logging.getLogger()
    # Only plain stream handlers, as `logging.basicConfig` installs them: file handlers and
    # test frameworks' capture handlers (subclasses) keep receiving records.
    console = [handler for handler in root.handlers if type(handler) is logging.StreamHandler]
    file_handler = logging.FileHandler(path, encoding="utf-8")
    file_handler.setFormatter(logging.Formatter(_LOG_FORMAT))
    for handler in console:
        root.removeHandler(handler)
    root.addHandler(file_handler)
    try:
        yield
    finally:
        root.removeHandler(file_handler)
        file_handler.close()
        for handler in console:
            root.addHandler(handler)


def _check_chromium(lang: str) -> None:
    try:
        find_chromium()
    except ChromiumNotFoundError as exc:
        raise DemoError(translate("demo.error_chromium", lang, error=exc)) from None


def run_demo(
    options: DemoOptions,
    *,
    progress: Progress | None = None,
    stop_event: threading.Event | None = None,
) -> DemoResult:
    """Run the daily job end to end on a simulated event and return what it wrote.

    Steps: prepare the output folder, start the fake Helix server, collect every simulated
    minute (with a 30-minute collector outage on day 2), post each day to the outbox with its
    infographics, then write the creator dashboards.

    Setting `stop_event` (from a signal handler) ends the collection at the next minute.

    Raises:
        DemoError: the output folder contains something other than an earlier demo, no
            Chromium is installed for the images, or `stop_event` was set.
    """
    lang = options.lang
    progress = progress if progress is not None else Progress(quiet=True)
    timer = _Timer()
    plan = DemoPlan.build(options.days)

    check_output_folder(options.output, lang=lang)
    _check_chromium(lang)
    with timer.measure("folder"):
        output = prepare_output_folder(options.output, lang=lang)
    progress.step(translate("demo.step_folder", lang, folder=output))

    with _log_to_file(output / LOG_FILE_NAME):
        logger.info(
            "mvbot demo: %d days from %s, %d channels, seed %d, output %s",
            options.days,
            plan.days[0],
            options.channels,
            options.seed,
            output,
        )
        stop = stop_event if stop_event is not None else threading.Event()
        day_results, errors = _collect_and_post(options, plan, output, progress, timer, stop)
        if stop.is_set():
            logger.warning("mvbot demo interrupted; partial results in %s", output)
            raise DemoError(translate("demo.error_interrupted", lang, folder=output))
        with timer.measure("dashboards"):
            dashboards = _write_dashboards(output, lang, plan, progress)
        result = _summarise(plan, output, dashboards, day_results, errors, timer)
        logger.info("mvbot demo finished: %s", result.timings)
    return result


def _collect_and_post(
    options: DemoOptions,
    plan: DemoPlan,
    output: Path,
    progress: Progress,
    timer: _Timer,
    stop: threading.Event,
) -> tuple[tuple[DayResult, ...], int]:
    lang = options.lang
    clock = DemoClock(plan.start)
    simulation = Simulation(
        seed=options.seed, channels=options.channels, keyword=KEYWORD, timezone=TIMEZONE
    )

    with timer.measure("server"):
        server = FakeHelixServer(clock=clock, simulation=simulation).start()
    try:
        progress.step(
            translate(
                "demo.step_server",
                lang,
                url=server.url,
                channels=options.channels,
                days=options.days,
            )
        )
        event_file = _write_event_file(
            output / EVENT_FILE_NAME,
            plan=plan,
            logins=[channel.login for channel in simulation.channels],
            helix_base_url=server.helix_base_url,
            auth_base_url=server.auth_base_url,
            lang=lang,
        )
        config = load_config(event_file, language=lang)
        progress.step(translate("demo.step_event", lang, path=event_file))
        return _run_bot(config, server, clock, plan, output, progress, timer, stop)
    finally:
        server.stop()


def _run_bot(
    config: EventConfig,
    server: FakeHelixServer,
    clock: DemoClock,
    plan: DemoPlan,
    output: Path,
    progress: Progress,
    timer: _Timer,
    stop: threading.Event,
) -> tuple[tuple[DayResult, ...], int]:
    lang = config.mvbot.language
    collector_config = CollectorConfig.from_mapping(config.raw, source=str(config.path))
    client = HelixClient(
        client_id=server.client_id,
        client_secret=server.client_secret,
        base_url=collector_config.helix_base_url,
        auth_base_url=collector_config.auth_base_url,
        sleep=clock.sleep,
        clock=lambda: clock.now().timestamp(),
    )
    database_url = f"sqlite:///{output / DATABASE_NAME}"
    zone = config.event.zone

    shown_minute = -1
    day_names: dict[dt.date, str] = {}

    def show_time(now: dt.datetime) -> None:
        # The collector sleeps in steps of at most one second, so this runs about 60 times
        # per simulated minute: only a new minute is formatted and shown.
        nonlocal shown_minute
        minutes = int((now - plan.start).total_seconds() // 60)
        if minutes == shown_minute:
            return
        shown_minute = minutes
        local = now.astimezone(zone)
        if local.date() not in day_names:
            day_names[local.date()] = format_date(local.date(), lang)
        detail = translate(
            "demo.progress_detail", lang, day=day_names[local.date()], time=f"{local:%H:%M}"
        )
        progress.update(minutes, detail)

    def announce_outage(start: dt.datetime, end: dt.datetime) -> None:
        progress.step(
            translate(
                "demo.step_outage",
                lang,
                start=f"{start.astimezone(zone):%H:%M}",
                end=f"{end.astimezone(zone):%H:%M}",
                day=format_date(start.astimezone(zone).date(), lang),
            )
        )

    with Database(url=database_url) as database, client:
        progress.step(translate("demo.step_database", lang, path=output / DATABASE_NAME))
        collector = OutageCollector(
            make_collector=lambda: Collector(
                config=collector_config, database=database, client=client, clock=clock
            ),
            clock=clock,
            outage_start=plan.outage_start,
            outage_end=plan.outage_end,
            on_outage=announce_outage,
        )
        runner = _DemoRunner(
            config=config,
            database=database,
            collector=collector,
            clock=clock,
            lang=lang,
            days=plan.days,
            progress=progress,
            timer=timer,
        )
        progress.step(translate("demo.step_collect", lang, minutes=plan.total_minutes))
        progress.start(translate("demo.progress_label", lang), plan.total_minutes)
        clock.on_change = show_time
        started = time.perf_counter()
        try:
            summary = runner.run(stop_event=stop, until=plan.until)
        finally:
            clock.on_change = None
            progress.finish()
        # Collection time is the whole run minus the posting rounds.
        timer.seconds["collect"] = time.perf_counter() - started - timer.seconds.get("post", 0.0)

    if summary.collector_errors or summary.posting_errors:
        logger.error(
            "demo run had %d collector errors and %d posting errors",
            summary.collector_errors,
            summary.posting_errors,
        )
    day_results = tuple(result for result in summary.days if result.day in plan.days)
    failed_days = sum(1 for result in day_results if not result.ok)
    return day_results, summary.collector_errors + summary.posting_errors + failed_days


def _write_dashboards(output: Path, lang: str, plan: DemoPlan, progress: Progress) -> DashboardSet:
    config = load_config(output / EVENT_FILE_NAME, language=lang)
    with Database(url=f"sqlite:///{output / DATABASE_NAME}") as database:
        samples = database.read_samples()
        polls = database.read_polls()
        channels = database.read_channels()
        snapshots = database.read_follower_snapshots()

    sessions = sessionise(samples, polls)
    stats = event_stats(sessions, config.event, channels=channels, snapshots=snapshots)
    streams = stream_stats(sessions, snapshots=snapshots)
    dashboards = write_dashboards(
        event_name=config.event.name,
        channels=channels,
        streams=streams,
        days=stats.days,
        samples=samples,
        output_dir=output / DASHBOARDS_FOLDER,
        followers=snapshots,
        concurrency=stats.concurrency,
        lang=lang,
        timezone=config.event.timezone,
        embed_plotlyjs=False,
        generated_at=plan.until,
    )
    progress.step(
        translate(
            "demo.step_dashboards", lang, pages=len(dashboards.channels), index=dashboards.index
        )
    )
    return dashboards


def _summarise(
    plan: DemoPlan,
    output: Path,
    dashboards: DashboardSet,
    day_results: tuple[DayResult, ...],
    errors: int,
    timer: _Timer,
) -> DemoResult:
    with Database(url=f"sqlite:///{output / DATABASE_NAME}") as database:
        polls = database.read_polls()
        samples = len(database.read_samples())
        channels = len(database.read_channels())

    outcomes = polls["outcome"].astype(str)
    counts = {outcome: int((outcomes == outcome).sum()) for outcome in ("ok", "partial", "failed")}
    failed = polls.loc[(outcomes == "failed").to_numpy()]
    gaps: dict[str, int] = {}
    for reason, count in pd.Series(failed["reason"].astype(str)).value_counts().items():
        gaps[str(reason)] = int(count)

    outbox = output / "outbox"
    return DemoResult(
        output=output,
        database=output / DATABASE_NAME,
        event_file=output / EVENT_FILE_NAME,
        images=output / "images",
        outbox=outbox,
        dashboards=dashboards.index,
        log_file=output / LOG_FILE_NAME,
        days=plan.days,
        channels=channels,
        polls=counts,
        gaps=gaps,
        samples=samples,
        posts=sum(1 for _ in outbox.rglob("manifest.json")),
        day_results=day_results,
        errors=errors,
        timings=dict(timer.seconds),
    )


def summary_lines(result: DemoResult, lang: str) -> list[str]:
    """Return the closing lines of a demo run: where everything is, then the counts."""

    def number(value: float) -> str:
        return format_number(value, lang)

    lines = [
        translate("demo.summary_title", lang),
        translate("demo.summary_database", lang, path=result.database),
        translate("demo.summary_event_file", lang, path=result.event_file),
        translate("demo.summary_images", lang, path=result.images),
        translate("demo.summary_dashboards", lang, path=result.dashboards),
        translate("demo.summary_outbox", lang, path=result.outbox),
        translate("demo.summary_log", lang, path=result.log_file),
        translate(
            "demo.summary_counts",
            lang,
            days=number(len(result.days)),
            channels=number(result.channels),
            polls=number(sum(result.polls.values())),
            ok=number(result.polls["ok"]),
            partial=number(result.polls["partial"]),
            failed=number(result.polls["failed"]),
            samples=number(result.samples),
            posts=number(result.posts),
        ),
    ]
    for reason, count in sorted(result.gaps.items()):
        key = _GAP_REASON_KEYS.get(reason)
        reason_text = translate(key, lang) if key else reason
        lines.append(translate("demo.summary_gap", lang, minutes=number(count), reason=reason_text))
    timings = ", ".join(
        translate(f"demo.timing_{name}", lang, seconds=format_number(seconds, lang, decimals=1))
        for name, seconds in sorted(result.timings.items(), key=lambda item: _STEPS.index(item[0]))
    )
    lines.append(translate("demo.summary_timings", lang, timings=timings))
    if result.errors:
        lines.append(
            translate("demo.summary_errors", lang, errors=result.errors, log=result.log_file)
        )
    return lines
