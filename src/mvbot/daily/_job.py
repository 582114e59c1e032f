"""The daily job: for each due day, compute the numbers, draw the images, write the text, post.

Which days are due depends on `mvbot.missed_days`. With "catch_up", they are every day after
the last posted (or held) day, at most `max_catch_up_days` back, plus recent days whose posting
failed. With "skip", only yesterday is due. The first run of an event posts yesterday only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Final, Literal

from mvbot._config import EventConfig
from mvbot._exceptions import MvbotError
from mvbot._i18n import format_date, resolve_language, translate
from mvbot.daily._data import Coverage, DayData, load_day_data
from mvbot.daily._text import compose_post_text
from mvbot.infographic import AvatarCache, RenderedImage, render_daily_infographics
from mvbot.publish._bluesky import BlueskyPublisher
from mvbot.publish._ledger import PublicationLedger
from mvbot.publish._mastodon import MastodonPublisher
from mvbot.publish._once import PublishOutcome, publish_once
from mvbot.publish._outbox import OutboxPublisher
from mvbot.publish._protocol import Post, PostImage, Publisher
from mvbot.publish._x import XPublisher
from twitchstats import Database, TwitchStatsError

__all__ = [
    "DayResult",
    "build_publishers",
    "due_days",
    "post_day",
    "publisher_variables",
    "run_daily",
]

logger = logging.getLogger(__name__)

DayStatus = Literal["posted", "failed", "dry_run", "no_data", "held", "outside_event"]
_DONE: Final = frozenset({"posted", "held"})

Renderer = Callable[..., list[RenderedImage]]


@dataclasses.dataclass(frozen=True, kw_only=True)
class DayResult:
    """The daily job's result for one day.

    Attributes:
        day: the local day.
        status: `posted` (every publisher has the post, now or before), `failed` (at least
            one publisher failed, or the day could not be prepared), `dry_run` (written to the
            outbox only), `no_data`, `held` (incomplete data and `partial_data = "hold"`) or
            `outside_event`.
        text: the post text, when one was written.
        images: the rendered images, in posting order.
        coverage: the collector's coverage of the day, when it was read.
        partial: True when the data is incomplete beyond the gap threshold.
        outcomes: one outcome per publisher.
        messages: one readable line per step, in the job's language.
    """

    day: dt.date
    status: DayStatus
    text: str | None = None
    images: tuple[RenderedImage, ...] = ()
    coverage: Coverage | None = None
    partial: bool = False
    outcomes: tuple[PublishOutcome, ...] = ()
    messages: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """False when the day failed; every other status is a deliberate result."""
        return self.status != "failed"


def publisher_variables(config: EventConfig, name: str) -> dict[str, str]:
    """Return the credential variable names of publisher `name`, keyed by credential."""
    settings = config.mvbot
    if name == "x":
        return settings.x.variables()
    if name == "mastodon":
        return settings.mastodon.variables()
    if name == "bluesky":
        return settings.bluesky.variables()
    return {}


def build_publishers(
    config: EventConfig,
    *,
    dry_run: bool = False,
    lang: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[list[Publisher], list[str]]:
    """Create the configured publishers, or the outbox for a dry run or without credentials.

    Returns the publishers and the messages to show (the outbox fallback is announced).

    Raises:
        PublisherSetupError: a publisher has some but not all of its credentials, or its
            optional package is missing when it is used.
    """
    language = resolve_language(lang or config.mvbot.language)
    source = os.environ if environ is None else environ
    outbox = OutboxPublisher(root=config.mvbot.outbox_dir, language=language)
    if dry_run:
        return [outbox], []

    names = [name for name in config.mvbot.publishers if name != "outbox"]
    required = {name: publisher_variables(config, name) for name in names}
    has_any = any(
        source.get(variable) for table in required.values() for variable in table.values()
    )
    if names and not has_any:
        variables = ", ".join(
            variable for table in required.values() for variable in table.values()
        )
        message = translate(
            "daily.report.outbox_fallback", language, variables=variables, folder=outbox.root
        )
        logger.warning("no credentials for %s: writing to the outbox folder", ", ".join(names))
        return [outbox], [message]

    publishers: list[Publisher] = [outbox] if "outbox" in config.mvbot.publishers else []
    for name in names:
        if name == "x":
            publishers.append(
                XPublisher.from_environment(
                    variables=required["x"], language=language, environ=source
                )
            )
        elif name == "mastodon":
            publishers.append(
                MastodonPublisher.from_environment(
                    api_base_url=config.mvbot.mastodon.api_base_url,
                    access_token_variable=config.mvbot.mastodon.access_token_env,
                    visibility=config.mvbot.mastodon.visibility,
                    language=language,
                    environ=source,
                )
            )
        elif name == "bluesky":
            publishers.append(
                BlueskyPublisher.from_environment(
                    handle=config.mvbot.bluesky.handle,
                    app_password_variable=config.mvbot.bluesky.app_password_env,
                    service=config.mvbot.bluesky.service,
                    language=language,
                    environ=source,
                )
            )
    return publishers, []


def due_days(
    config: EventConfig,
    ledger: PublicationLedger | None,
    publisher_names: Sequence[str],
    today: dt.date,
) -> list[dt.date]:
    """Return the local days to post on `today`, oldest first (see the module docstring)."""
    settings = config.mvbot
    event = config.event
    last = today - dt.timedelta(days=1)
    if event.end is not None and last > event.end:
        last = event.end
    first_allowed = today - dt.timedelta(days=settings.max_catch_up_days)
    if event.start is not None:
        first_allowed = max(first_allowed, event.start)
    if last < first_allowed:
        return []
    if settings.missed_days == "skip" or ledger is None:
        return [last] if last == today - dt.timedelta(days=1) else []

    # Only the current publishers' rows count: a network added later starts from yesterday
    # instead of receiving the days that other publishers already have.
    rows = [row for row in ledger.publications(config.event_id) if row.publisher in publisher_names]
    done: dict[dt.date, set[str]] = {}
    for row in rows:
        if row.status in _DONE:
            done.setdefault(row.day, set()).add(row.publisher)
    if not done:
        return [last]

    watermark = max(done)
    attempted_days = {row.day for row in rows}
    days = []
    day = first_allowed
    while day <= last:
        complete = set(publisher_names) <= done.get(day, set())
        # Before the watermark only days that a publisher attempted are retried: days never
        # attempted predate the bot or were deliberately left out.
        if not complete and (day > watermark or day in attempted_days):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _publish_all(
    publishers: Sequence[Publisher],
    post: Post,
    *,
    ledger: PublicationLedger | None,
    event_id: str,
    day: dt.date,
) -> list[PublishOutcome]:
    outcomes = []
    for publisher in publishers:
        if ledger is None:
            published = publisher.publish(post)
            outcomes.append(
                PublishOutcome(publisher=publisher.name, status="posted", post=published)
            )
        else:
            outcomes.append(publish_once(publisher, post, ledger=ledger, event=event_id, day=day))
    return outcomes


def _outcome_message(outcome: PublishOutcome, day_text: str, lang: str) -> str:
    link = ""
    if outcome.post is not None:
        link = outcome.post.url or outcome.post.post_id
    return translate(
        f"daily.report.{outcome.status}",
        lang,
        day=day_text,
        publisher=outcome.publisher,
        link=link,
        error=outcome.error,
    )


def post_day(
    config: EventConfig,
    *,
    database: Database,
    day: dt.date,
    publishers: Sequence[Publisher],
    ledger: PublicationLedger | None,
    dry_run: bool = False,
    lang: str | None = None,
    render: Renderer = render_daily_infographics,
) -> DayResult:
    """Prepare and publish one day; `ledger=None` publishes without the ledger (dry runs).

    Raises:
        MvbotError, TwitchStatsError: the data could not be read or the images not drawn.
    """
    settings = config.mvbot
    language = resolve_language(lang or settings.language)
    day_text = format_date(day, language)
    event = config.event

    if (event.start is not None and day < event.start) or (
        event.end is not None and day > event.end
    ):
        message = translate(
            "daily.report.outside_event",
            language,
            day=day_text,
            start=event.start.isoformat() if event.start else "…",
            end=event.end.isoformat() if event.end else "…",
        )
        logger.warning("%s %s is outside the event's dates", config.event_id, day)
        return DayResult(day=day, status="outside_event", messages=(message,))

    data = load_day_data(database, config, day)
    coverage = data.coverage
    if not data.has_data:
        logger.warning("%s %s has no data: nothing is posted", config.event_id, day)
        message = translate("daily.report.no_data", language, day=day_text)
        return DayResult(day=day, status="no_data", coverage=coverage, messages=(message,))

    partial = coverage.is_partial(settings.gap_threshold_minutes)
    messages: list[str] = []
    if partial and settings.partial_data == "hold":
        reason = translate(
            "daily.report.held",
            language,
            day=day_text,
            gap=coverage.longest_gap_minutes,
            threshold=settings.gap_threshold_minutes,
        )
        logger.warning(
            "%s %s held back: longest collector gap %d min",
            config.event_id,
            day,
            coverage.longest_gap_minutes,
        )
        if ledger is not None and not dry_run:
            for publisher in publishers:
                ledger.mark_held(config.event_id, day, publisher.name, reason=reason)
        return DayResult(
            day=day, status="held", coverage=coverage, partial=True, messages=(reason,)
        )
    if partial:
        messages.append(
            translate(
                "daily.report.partial",
                language,
                day=day_text,
                minutes=coverage.missing_minutes,
            )
        )

    images = _render(config, data, language, render)
    text = compose_post_text(
        data,
        event_name=event.name,
        lang=language,
        hashtags=settings.hashtags,
        link=settings.link,
        partial=partial,
    )
    post = Post(
        key=f"{config.event_id}/{day.isoformat()}",
        text=text,
        images=tuple(PostImage(path=image.path, alt_text=image.alt_text) for image in images),
        language=language,
    )

    outcomes = _publish_all(publishers, post, ledger=ledger, event_id=config.event_id, day=day)
    if dry_run:
        status: DayStatus = "dry_run"
        folder = settings.outbox_dir / config.event_id / day.isoformat()
        messages.append(translate("daily.report.dry_run", language, day=day_text, folder=folder))
    else:
        status = "failed" if any(o.status == "failed" for o in outcomes) else "posted"
        messages.extend(_outcome_message(outcome, day_text, language) for outcome in outcomes)
    return DayResult(
        day=day,
        status=status,
        text=text,
        images=tuple(images),
        coverage=coverage,
        partial=partial,
        outcomes=tuple(outcomes),
        messages=tuple(messages),
    )


def _render(
    config: EventConfig, data: DayData, language: str, render: Renderer
) -> list[RenderedImage]:
    settings = config.mvbot
    output = settings.output_dir / config.event_id / data.day.isoformat()
    interval = config.raw.get("collector", {}).get("interval_seconds", 60)
    sampling_minutes = max(1, int(interval) // 60) if isinstance(interval, int) else 1
    with AvatarCache(
        directory=settings.output_dir / "avatars", offline=not settings.avatars
    ) as avatars:
        return render(
            event_name=config.event.name,
            day=data.day,
            day_number=data.day_number,
            rankings={kind: frame for kind, frame in data.rankings.items() if len(frame)},
            concurrency=data.concurrency,
            channels=data.channels,
            output_dir=output,
            lang=language,
            size=settings.image_format,
            avatar_cache=avatars,
            timezone=config.event.timezone,
            sampling_minutes=sampling_minutes,
            top=settings.top_n,
            polls=data.polls,
        )


def run_daily(
    config: EventConfig,
    *,
    database: Database,
    day: dt.date | None = None,
    dry_run: bool = False,
    now: dt.datetime | None = None,
    lang: str | None = None,
    publishers: Sequence[Publisher] | None = None,
    environ: Mapping[str, str] | None = None,
    render: Renderer = render_daily_infographics,
) -> list[DayResult]:
    """Post `day`, or every due day when `day` is None, and return one result per day.

    Args:
        config: the event file.
        database: the twitchstats database with the collected data; the ledger lives there too.
        day: the local day to post; None posts the due days (yesterday, plus missed days when
            `missed_days = "catch_up"`).
        dry_run: write the posts to the outbox folder only, without the ledger.
        now: the current time (timezone-aware), for which day is "yesterday".
        lang: language of the post and messages; default the file's `mvbot.language`.
        publishers: publishers to use instead of the configured ones (they are not closed).
        environ: where credentials are read (default: `os.environ`).
        render: the infographic renderer (`render_daily_infographics`).
    """
    language = resolve_language(lang or config.mvbot.language)
    current = (now or dt.datetime.now(dt.UTC)).astimezone(config.event.zone)
    messages: list[str] = []
    owned: list[Publisher] = []
    if dry_run and publishers is not None:
        # A dry run never reaches a network, whatever publishers the caller passed.
        publishers = [publisher for publisher in publishers if publisher.name == "outbox"] or None
    if publishers is None:
        built, messages = build_publishers(config, dry_run=dry_run, lang=language, environ=environ)
        owned = built
        publishers = built

    ledger = None
    if not dry_run:
        ledger = PublicationLedger(database.engine)
        ledger.upgrade()

    try:
        if day is not None:
            days = [day]
        else:
            names = [publisher.name for publisher in publishers]
            days = due_days(config, ledger, names, current.date())
        if not days:
            logger.info("no days due for %s on %s", config.event_id, current.date())
            return [
                DayResult(
                    day=current.date() - dt.timedelta(days=1),
                    status="no_data",
                    messages=(*messages, translate("daily.report.nothing_due", language)),
                )
            ]

        results = []
        for target in days:
            try:
                result = post_day(
                    config,
                    database=database,
                    day=target,
                    publishers=publishers,
                    ledger=ledger,
                    dry_run=dry_run,
                    lang=language,
                    render=render,
                )
            except (MvbotError, TwitchStatsError, ValueError) as exc:
                logger.error("could not prepare %s %s: %s", config.event_id, target, exc)
                result = DayResult(day=target, status="failed", messages=(str(exc),))
            if messages:
                result = dataclasses.replace(result, messages=(*messages, *result.messages))
                messages = []
            results.append(result)
        return results
    finally:
        for publisher in owned:
            publisher.close()
