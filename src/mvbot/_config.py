"""mvbot's settings, read from the `[mvbot]` table of the event's TOML file.

The `[event]` table (name, time zone, dates, channels) is shared with twitchstats; mvbot reads
only the fields it needs from it. Credentials never appear in the file: each publisher's table
names the environment variables that contain them (`access_token_env = "X_API_ACCESS_TOKEN"`),
and a value that looks like a secret where a variable name belongs is rejected.

Every error is a `ConfigError` whose message names the key, the value and the fix, in the
language of the command line (Spanish by default).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, Literal

from mvbot._exceptions import ConfigError
from mvbot._i18n import SUPPORTED_LANGUAGES, Language, resolve_language, translate
from twitchstats import ConfigurationError
from twitchstats.metrics import EventDefinition

__all__ = [
    "RANKING_KINDS",
    "BlueskySettings",
    "EventConfig",
    "MastodonSettings",
    "MvbotSettings",
    "XSettings",
    "load_config",
    "parse_config",
    "slugify",
]

RankingKind = Literal["average_viewers", "hours_watched", "peak_viewers", "concurrency"]
RANKING_KINDS: Final[tuple[RankingKind, ...]] = (
    "average_viewers",
    "hours_watched",
    "peak_viewers",
    "concurrency",
)
PartialDataPolicy = Literal["post_with_note", "hold"]
MissedDaysPolicy = Literal["catch_up", "skip"]
PublisherName = Literal["x", "mastodon", "bluesky", "outbox"]
_PUBLISHERS: Final[tuple[PublisherName, ...]] = ("x", "mastodon", "bluesky", "outbox")

# An environment variable name as POSIX shells accept it, written in capitals by convention.
_VARIABLE_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,127}")
# Keys that would hold a credential itself; the file must name a variable instead.
_SECRET_KEYS: Final = frozenset(
    {
        "access_token",
        "access_token_secret",
        "api_key",
        "api_secret",
        "app_password",
        "bearer_token",
        "client_secret",
        "consumer_key",
        "consumer_secret",
        "password",
        "secret",
        "token",
    }
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class XSettings:
    """`[mvbot.x]`: names of the variables with the OAuth 1.0a credentials, and the timeout."""

    # The defaults below are environment variable names, not credentials.

    consumer_key_env: str = "X_API_CONSUMER_KEY"
    consumer_secret_env: str = "X_API_CONSUMER_SECRET"  # noqa: S105
    access_token_env: str = "X_API_ACCESS_TOKEN"  # noqa: S105
    access_token_secret_env: str = "X_API_ACCESS_TOKEN_SECRET"  # noqa: S105
    timeout_seconds: float = 60.0

    def variables(self) -> dict[str, str]:
        """Return the variable names keyed by credential."""
        return {
            "consumer_key": self.consumer_key_env,
            "consumer_secret": self.consumer_secret_env,
            "access_token": self.access_token_env,
            "access_token_secret": self.access_token_secret_env,
        }


@dataclasses.dataclass(frozen=True, kw_only=True)
class MastodonSettings:
    """`[mvbot.mastodon]`: the server, the token variable and the visibility of posts."""

    api_base_url: str = ""
    access_token_env: str = "MASTODON_ACCESS_TOKEN"  # noqa: S105
    visibility: Literal["public", "unlisted", "private", "direct"] = "public"

    def variables(self) -> dict[str, str]:
        """Return the variable names keyed by credential."""
        return {"access_token": self.access_token_env}


@dataclasses.dataclass(frozen=True, kw_only=True)
class BlueskySettings:
    """`[mvbot.bluesky]`: the handle, the app password variable and the service address."""

    handle: str = ""
    app_password_env: str = "BLUESKY_APP_PASSWORD"  # noqa: S105
    service: str = "https://bsky.social"

    def variables(self) -> dict[str, str]:
        """Return the variable names keyed by credential."""
        return {"app_password": self.app_password_env}


@dataclasses.dataclass(frozen=True, kw_only=True)
class MvbotSettings:
    """The `[mvbot]` table. Defaults here are the documented defaults of every key."""

    event_id: str = ""
    language: Language = "es"
    rankings: tuple[RankingKind, ...] = RANKING_KINDS
    post_time: dt.time = dt.time(10, 0)
    top_n: int = 10
    partial_data: PartialDataPolicy = "post_with_note"
    gap_threshold_minutes: int = 15
    missed_days: MissedDaysPolicy = "catch_up"
    max_catch_up_days: int = 7
    publishers: tuple[PublisherName, ...] = ("x",)
    hashtags: tuple[str, ...] = ()
    link: str = ""
    image_format: Literal["16:9", "4:5"] = "16:9"
    avatars: bool = True
    output_dir: Path = Path("mvbot-output")
    outbox_dir: Path = Path("mvbot-outbox")
    x: XSettings = dataclasses.field(default_factory=XSettings)
    mastodon: MastodonSettings = dataclasses.field(default_factory=MastodonSettings)
    bluesky: BlueskySettings = dataclasses.field(default_factory=BlueskySettings)


@dataclasses.dataclass(frozen=True, kw_only=True)
class EventConfig:
    """A whole event file: the path it came from, `[event]`, `[mvbot]` and the raw tables.

    Attributes:
        path: the file, or None when the tables did not come from a file.
        event: the `[event]` table, parsed by twitchstats.
        mvbot: the `[mvbot]` table.
        raw: the whole parsed document, for the tables of other components (`[collector]`).
    """

    path: Path | None
    event: EventDefinition
    mvbot: MvbotSettings
    raw: Mapping[str, Any]

    @property
    def event_id(self) -> str:
        """The event's identifier in the ledger and in folder names."""
        return self.mvbot.event_id

    def display_name(self, login: str) -> str:
        """Return the name to show for a channel: its `display_name` in the file, else `login`."""
        for channel in self.event.channels:
            if channel.login == login and channel.display_name:
                return channel.display_name
        return login


def slugify(name: str) -> str:
    """Return a lowercase ASCII identifier for `name`: "Marbella Vice" -> "marbella-vice"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


class _Reader:
    """Reads typed values from TOML tables and raises `ConfigError` naming the key."""

    def __init__(self, language: Language, source: str) -> None:
        self.language = language
        self.source = source

    def fail(self, message_key: str, **fields: object) -> ConfigError:
        message = translate(f"config.{message_key}", self.language, **fields)
        return ConfigError(f"{self.source}: {message}")

    def check_keys(self, table: Mapping[str, Any], prefix: str, allowed: set[str]) -> None:
        for key in table:
            if key in allowed:
                continue
            full_key = f"{prefix}.{key}"
            if key in _SECRET_KEYS:
                raise self.fail("secret_key", key=full_key, variable_key=f"{key}_env")
            matches = difflib.get_close_matches(key, sorted(allowed), n=1)
            suggestion = matches[0] if matches else ", ".join(sorted(allowed))
            raise self.fail("unknown_key", key=full_key, suggestion=suggestion)

    def string(self, table: Mapping[str, Any], key: str, prefix: str, default: str) -> str:
        value = table.get(key, default)
        if not isinstance(value, str):
            raise self.fail("not_string", key=f"{prefix}.{key}", value=_show(value))
        return value

    def integer(
        self,
        table: Mapping[str, Any],
        key: str,
        prefix: str,
        default: int,
        minimum: int,
        *,
        maximum: int = 1_000_000,
    ) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            raise self.fail(
                "not_integer",
                key=f"{prefix}.{key}",
                value=_show(value),
                minimum=minimum,
                maximum=maximum,
            )
        return value

    def boolean(self, table: Mapping[str, Any], key: str, prefix: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            raise self.fail("not_boolean", key=f"{prefix}.{key}", value=_show(value))
        return value

    def number(
        self, table: Mapping[str, Any], key: str, prefix: str, default: float, minimum: float
    ) -> float:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
            raise self.fail(
                "not_number", key=f"{prefix}.{key}", value=_show(value), minimum=minimum
            )
        return float(value)

    def choice(
        self,
        table: Mapping[str, Any],
        key: str,
        prefix: str,
        default: str,
        choices: tuple[str, ...],
    ) -> str:
        value = table.get(key, default)
        if value not in choices:
            raise self.fail(
                "not_choice", key=f"{prefix}.{key}", value=_show(value), choices=", ".join(choices)
            )
        return str(value)

    def choices(
        self,
        table: Mapping[str, Any],
        key: str,
        prefix: str,
        default: tuple[str, ...],
        choices: tuple[str, ...],
    ) -> tuple[str, ...]:
        value = table.get(key, list(default))
        if not isinstance(value, list):
            raise self.fail("not_list", key=f"{prefix}.{key}", value=_show(value))
        for item in value:
            if item not in choices:
                raise self.fail(
                    "not_choice",
                    key=f"{prefix}.{key}",
                    value=_show(item),
                    choices=", ".join(choices),
                )
        if len(set(value)) != len(value):
            raise self.fail("duplicates", key=f"{prefix}.{key}", value=_show(value))
        return tuple(value)

    def local_time(
        self, table: Mapping[str, Any], key: str, prefix: str, default: dt.time
    ) -> dt.time:
        value = table.get(key, default)
        if isinstance(value, str):
            try:
                value = dt.time.fromisoformat(value)
            except ValueError:
                raise self.fail("not_time", key=f"{prefix}.{key}", value=_show(value)) from None
        if not isinstance(value, dt.time) or value.tzinfo is not None:
            raise self.fail("not_time", key=f"{prefix}.{key}", value=_show(value))
        return value

    def variable_name(self, table: Mapping[str, Any], key: str, prefix: str, default: str) -> str:
        value = table.get(key, default)
        full_key = f"{prefix}.{key}"
        if not isinstance(value, str):
            raise self.fail("not_string", key=full_key, value=_show(value))
        if _VARIABLE_NAME.fullmatch(value):
            return value
        if _looks_like_secret(value):
            # Never echo what may be a credential: show its length only.
            raise self.fail("secret_value", key=full_key, length=len(value))
        raise self.fail("not_variable", key=full_key, value=_show(value))


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _looks_like_secret(value: str) -> bool:
    """Return True for a value shaped like a token: long, without spaces, mixing letter cases."""
    if len(value) < 16 or any(character.isspace() for character in value):
        return False
    kinds = sum(
        (
            any(character.islower() for character in value),
            any(character.isupper() for character in value),
            any(character.isdigit() for character in value),
        )
    )
    return kinds >= 2


_MVBOT_KEYS: Final = {
    "event_id",
    "language",
    "rankings",
    "post_time",
    "top_n",
    "partial_data",
    "gap_threshold_minutes",
    "missed_days",
    "max_catch_up_days",
    "publishers",
    "hashtags",
    "link",
    "image_format",
    "avatars",
    "output_dir",
    "outbox_dir",
    "x",
    "mastodon",
    "bluesky",
}


def _table(reader: _Reader, raw: Mapping[str, Any], key: str, prefix: str) -> Mapping[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        name = f"{prefix}.{key}" if prefix else key
        raise reader.fail("not_table", key=name, value=_show(value))
    return value


def _read_event(reader: _Reader, raw: Mapping[str, Any]) -> EventDefinition:
    if "event" not in raw:
        raise reader.fail("missing_table", key="event")
    table = _table(reader, raw, "event", "")
    # [event] is twitchstats' table: its own parser checks it, and its message is kept.
    try:
        return EventDefinition.from_mapping(table)
    except ConfigurationError as exc:
        raise reader.fail("invalid_event", error=exc) from exc


def _read_mvbot(
    reader: _Reader, raw: Mapping[str, Any], base: Path, event: EventDefinition
) -> MvbotSettings:
    table = _table(reader, raw, "mvbot", "")
    reader.check_keys(table, "mvbot", _MVBOT_KEYS)
    defaults = MvbotSettings()
    prefix = "mvbot"

    event_id = reader.string(table, "event_id", prefix, slugify(event.name))
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,99}", event_id):
        raise reader.fail("bad_event_id", key="mvbot.event_id", value=_show(event_id))

    language = resolve_language(
        reader.choice(table, "language", prefix, defaults.language, SUPPORTED_LANGUAGES)
    )
    rankings = reader.choices(table, "rankings", prefix, defaults.rankings, RANKING_KINDS)
    if not rankings:
        raise reader.fail("empty_list", key="mvbot.rankings", choices=", ".join(RANKING_KINDS))
    publishers = reader.choices(table, "publishers", prefix, defaults.publishers, _PUBLISHERS)

    hashtags = table.get("hashtags", [])
    if not isinstance(hashtags, list) or not all(
        isinstance(tag, str) and re.fullmatch(r"#?\w+", tag) for tag in hashtags
    ):
        raise reader.fail("bad_hashtags", key="mvbot.hashtags", value=_show(hashtags))

    x_table = _table(reader, table, "x", prefix)
    reader.check_keys(
        x_table,
        "mvbot.x",
        {f"{field}_env" for field in XSettings().variables()} | {"timeout_seconds"},
    )
    x_defaults = XSettings()
    x = XSettings(
        consumer_key_env=reader.variable_name(
            x_table, "consumer_key_env", "mvbot.x", x_defaults.consumer_key_env
        ),
        consumer_secret_env=reader.variable_name(
            x_table, "consumer_secret_env", "mvbot.x", x_defaults.consumer_secret_env
        ),
        access_token_env=reader.variable_name(
            x_table, "access_token_env", "mvbot.x", x_defaults.access_token_env
        ),
        access_token_secret_env=reader.variable_name(
            x_table, "access_token_secret_env", "mvbot.x", x_defaults.access_token_secret_env
        ),
        timeout_seconds=reader.number(
            x_table, "timeout_seconds", "mvbot.x", x_defaults.timeout_seconds, 1.0
        ),
    )

    mastodon_table = _table(reader, table, "mastodon", prefix)
    reader.check_keys(
        mastodon_table, "mvbot.mastodon", {"api_base_url", "access_token_env", "visibility"}
    )
    mastodon = MastodonSettings(
        api_base_url=reader.string(mastodon_table, "api_base_url", "mvbot.mastodon", ""),
        access_token_env=reader.variable_name(
            mastodon_table, "access_token_env", "mvbot.mastodon", "MASTODON_ACCESS_TOKEN"
        ),
        visibility=reader.choice(  # type: ignore[arg-type]
            mastodon_table,
            "visibility",
            "mvbot.mastodon",
            "public",
            ("public", "unlisted", "private", "direct"),
        ),
    )
    if "mastodon" in publishers and not mastodon.api_base_url.startswith("https://"):
        raise reader.fail(
            "missing_key",
            key="mvbot.mastodon.api_base_url",
            example='api_base_url = "https://mastodon.social"',
        )

    bluesky_table = _table(reader, table, "bluesky", prefix)
    reader.check_keys(bluesky_table, "mvbot.bluesky", {"handle", "app_password_env", "service"})
    bluesky = BlueskySettings(
        handle=reader.string(bluesky_table, "handle", "mvbot.bluesky", "").lstrip("@"),
        app_password_env=reader.variable_name(
            bluesky_table, "app_password_env", "mvbot.bluesky", "BLUESKY_APP_PASSWORD"
        ),
        service=reader.string(bluesky_table, "service", "mvbot.bluesky", "https://bsky.social"),
    )
    if "bluesky" in publishers and "." not in bluesky.handle:
        raise reader.fail(
            "missing_key",
            key="mvbot.bluesky.handle",
            example='handle = "marbellavice.bsky.social"',
        )

    return MvbotSettings(
        event_id=event_id,
        language=language,
        rankings=rankings,  # type: ignore[arg-type]
        post_time=reader.local_time(table, "post_time", prefix, defaults.post_time),
        top_n=reader.integer(table, "top_n", prefix, defaults.top_n, 1, maximum=10),
        partial_data=reader.choice(  # type: ignore[arg-type]
            table, "partial_data", prefix, defaults.partial_data, ("post_with_note", "hold")
        ),
        gap_threshold_minutes=reader.integer(
            table, "gap_threshold_minutes", prefix, defaults.gap_threshold_minutes, 1
        ),
        missed_days=reader.choice(  # type: ignore[arg-type]
            table, "missed_days", prefix, defaults.missed_days, ("catch_up", "skip")
        ),
        max_catch_up_days=reader.integer(
            table, "max_catch_up_days", prefix, defaults.max_catch_up_days, 1
        ),
        publishers=publishers,  # type: ignore[arg-type]
        hashtags=tuple(tag.lstrip("#") for tag in hashtags),
        link=reader.string(table, "link", prefix, ""),
        image_format=reader.choice(  # type: ignore[arg-type]
            table, "image_format", prefix, defaults.image_format, ("16:9", "4:5")
        ),
        avatars=reader.boolean(table, "avatars", prefix, defaults.avatars),
        output_dir=base / reader.string(table, "output_dir", prefix, str(defaults.output_dir)),
        outbox_dir=base / reader.string(table, "outbox_dir", prefix, str(defaults.outbox_dir)),
        x=x,
        mastodon=mastodon,
        bluesky=bluesky,
    )


def parse_config(
    raw: Mapping[str, Any],
    *,
    base_dir: Path = Path(),
    language: str | None = None,
    source: str = "<config>",
) -> EventConfig:
    """Validate the tables of an event file already read as TOML.

    Args:
        raw: the parsed TOML document.
        base_dir: the folder that relative `output_dir`/`outbox_dir` paths start from.
        language: language of error messages (default: `MVBOT_LANG`, then Spanish).
        source: how messages name the file.
    """
    reader = _Reader(resolve_language(language), source)
    event = _read_event(reader, raw)
    mvbot = _read_mvbot(reader, raw, base_dir, event)
    return EventConfig(path=None, event=event, mvbot=mvbot, raw=raw)


def load_config(path: Path | str, *, language: str | None = None) -> EventConfig:
    """Read and validate an event file; relative folders in it start from the file's folder.

    Raises:
        ConfigError: the file is missing, is not valid TOML, or has an invalid key; the message
            names the key, the value and the fix.
    """
    path = Path(path)
    lang = resolve_language(language)
    try:
        content = path.read_bytes()
    except OSError as exc:
        message = translate("config.unreadable", lang, path=path, error=exc.strerror or exc)
        raise ConfigError(message) from exc
    try:
        raw = tomllib.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(translate("config.invalid_toml", lang, path=path, error=exc)) from exc
    config = parse_config(raw, base_dir=path.parent, language=lang, source=str(path))
    return dataclasses.replace(config, path=path)
