"""The collector's settings: the `[collector]` table and `[event].channels` of an event file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from twitchstats._exceptions import ConfigurationError

__all__ = ["ChannelSpec", "CollectorConfig"]

DEFAULT_HELIX_BASE_URL = "https://api.twitch.tv/helix"
DEFAULT_AUTH_BASE_URL = "https://id.twitch.tv/oauth2"
DEFAULT_CLIENT_ID_ENV = "TWITCH_CLIENT_ID"
DEFAULT_CLIENT_SECRET_ENV = "TWITCH_CLIENT_SECRET"  # noqa: S105 - a variable name, not a secret

# Twitch logins: 4 to 25 characters of lowercase letters, digits and underscores. Older accounts
# have shorter logins, so 1 to 3 characters are accepted too.
_LOGIN_PATTERN = re.compile(r"^[a-z0-9_]{1,25}$")
_ENV_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclasses.dataclass(frozen=True, kw_only=True)
class ChannelSpec:
    """One channel of the event as the event file names it.

    Attributes:
        login: the Twitch login the file gives (lowercase). The collector resolves it to an id once
            and follows the id afterwards, so a later rename does not lose the channel.
        channel_id: the Twitch user id, when the file gives it; skips the login lookup.
        display_name: a name to show instead of Twitch's display name, or None.
        group: a free label (team, faction) for reports, or None.
    """

    login: str
    channel_id: str | None = None
    display_name: str | None = None
    group: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class CollectorConfig:
    """Settings of the collector.

    Attributes:
        channels: channels to poll.
        database_url: SQLAlchemy URL from the file, or None to use `--db`,
            TWITCHSTATS_DATABASE_URL or the default.
        helix_base_url: base URL of Helix; point it at a fake server for demos and tests.
        auth_base_url: base URL of Twitch's OAuth endpoints.
        interval_seconds: polling interval; a multiple of 60 that divides 3600. Polls run on
            the boundaries of this interval, counted from midnight UTC.
        followers: whether to read follower totals once a day.
        followers_time: UTC time of day at which the daily follower reads start.
        followers_per_poll: maximum follower reads made after one poll, so that a day's reads
            spread over several minutes and leave rate-limit points for the polls.
        gap_threshold_seconds: how late a poll may start after its minute. A minute whose poll
            could not start within this many seconds is recorded as a failed poll (a gap) with
            reason "overrun" instead of being polled late.
        poll_deadline_seconds: no new request of a poll starts later than this many seconds
            after its minute. Channels not read by then are recorded as not observed.
        channel_refresh_minutes: how often to read the channels again from the users endpoint,
            which follows renames and retries channels that were missing (suspended).
        max_downtime_gap_hours: after a restart, missed minutes up to this many hours back are
            recorded as gaps with reason "collector not running".
        request_timeout_seconds: timeout of each HTTP request phase.
        client_id_env: name of the environment variable holding the Twitch client id.
        client_secret_env: name of the environment variable holding the client secret.
        source: the file the settings came from, for messages, or None.
    """

    channels: tuple[ChannelSpec, ...]
    database_url: str | None = None
    helix_base_url: str = DEFAULT_HELIX_BASE_URL
    auth_base_url: str = DEFAULT_AUTH_BASE_URL
    interval_seconds: int = 60
    followers: bool = True
    followers_time: dt.time = dt.time(4, 0, tzinfo=dt.UTC)
    followers_per_poll: int = 100
    gap_threshold_seconds: float = 30.0
    poll_deadline_seconds: float = 40.0
    channel_refresh_minutes: int = 60
    max_downtime_gap_hours: float = 168.0
    request_timeout_seconds: float = 10.0
    client_id_env: str = DEFAULT_CLIENT_ID_ENV
    client_secret_env: str = DEFAULT_CLIENT_SECRET_ENV
    source: str | None = None

    def __post_init__(self) -> None:
        where = self.source or "collector settings"
        if not self.channels:
            raise ConfigurationError(
                f"{where}: [event].channels is empty; list at least one Twitch login, "
                'for example channels = ["somechannel"]'
            )
        if self.interval_seconds < 60 or self.interval_seconds % 60 or 3600 % self.interval_seconds:
            raise ConfigurationError(
                f"{where}: invalid [collector].interval_seconds {self.interval_seconds!r}; "
                "use a multiple of 60 that divides 3600, such as 60 or 300"
            )
        if self.followers_time.tzinfo is None:
            object.__setattr__(self, "followers_time", self.followers_time.replace(tzinfo=dt.UTC))
        numbers = {
            "followers_per_poll": self.followers_per_poll,
            "gap_threshold_seconds": self.gap_threshold_seconds,
            "poll_deadline_seconds": self.poll_deadline_seconds,
            "channel_refresh_minutes": self.channel_refresh_minutes,
            "max_downtime_gap_hours": self.max_downtime_gap_hours,
            "request_timeout_seconds": self.request_timeout_seconds,
        }
        for key, value in numbers.items():
            if value <= 0:
                raise ConfigurationError(
                    f"{where}: invalid [collector].{key} {value!r}; use a positive number"
                )
        if self.gap_threshold_seconds >= self.poll_deadline_seconds:
            raise ConfigurationError(
                f"{where}: [collector].gap_threshold_seconds ({self.gap_threshold_seconds}) must "
                f"be smaller than poll_deadline_seconds ({self.poll_deadline_seconds}), so that a "
                "poll that starts late still has time to send its requests"
            )
        if self.poll_deadline_seconds >= self.interval_seconds:
            raise ConfigurationError(
                f"{where}: [collector].poll_deadline_seconds ({self.poll_deadline_seconds}) must "
                f"be smaller than interval_seconds ({self.interval_seconds})"
            )
        for key in ("client_id_env", "client_secret_env"):
            name = getattr(self, key)
            if not _ENV_NAME_PATTERN.match(name):
                raise ConfigurationError(
                    f"{where}: invalid [collector].{key} {name!r}; give the name of an "
                    "environment variable, such as TWITCH_CLIENT_ID, not its value"
                )
        for key in ("helix_base_url", "auth_base_url"):
            url = getattr(self, key)
            if not url.startswith(("https://", "http://")):
                raise ConfigurationError(
                    f"{where}: invalid [collector].{key} {url!r}; use an http:// or https:// URL"
                )

    # -- loading ---------------------------------------------------------------------------

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> CollectorConfig:
        """Read the settings from an event TOML file.

        Raises:
            ConfigurationError: the file is missing, is not TOML, or has an invalid value. The
                message names the file, the key, the value and how to fix it.
        """
        file = Path(path)
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigurationError(
                f"event file {str(file)!r} not found; pass the path of an existing TOML file"
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigurationError(f"cannot read event file {str(file)!r}: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigurationError(f"event file {str(file)!r} is not valid TOML: {exc}") from None
        return cls.from_mapping(data, source=str(file))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str | None = None) -> CollectorConfig:
        """Build the settings from a parsed event file (`[event]` and `[collector]` tables)."""
        where = source or "event settings"
        event = data.get("event")
        if not isinstance(event, Mapping):
            raise ConfigurationError(
                f"{where}: missing [event] table; add one with a channels list"
            )
        channels = _parse_channels(event.get("channels"), where)

        table = data.get("collector", {})
        if not isinstance(table, Mapping):
            raise ConfigurationError(f"{where}: [collector] must be a table, got {table!r}")
        known = {field.name for field in dataclasses.fields(cls)} - {"channels", "source"}
        unknown = sorted(set(table) - known)
        if unknown:
            raise ConfigurationError(
                f"{where}: unknown [collector] keys {unknown}; known keys are {sorted(known)}"
            )

        values: dict[str, Any] = {}
        for key, value in table.items():
            values[key] = _convert(key, value, where)
        return cls(channels=channels, source=source, **values)


_TYPES: dict[str, tuple[type, ...]] = {
    "database_url": (str,),
    "helix_base_url": (str,),
    "auth_base_url": (str,),
    "interval_seconds": (int,),
    "followers": (bool,),
    "followers_per_poll": (int,),
    "gap_threshold_seconds": (int, float),
    "poll_deadline_seconds": (int, float),
    "channel_refresh_minutes": (int,),
    "max_downtime_gap_hours": (int, float),
    "request_timeout_seconds": (int, float),
    "client_id_env": (str,),
    "client_secret_env": (str,),
}


def _convert(key: str, value: Any, where: str) -> Any:
    if key == "followers_time":
        return _parse_time_of_day(value, where)
    expected = _TYPES[key]
    if isinstance(value, bool) and bool not in expected:
        expected_ok = False
    else:
        expected_ok = isinstance(value, expected)
    if not expected_ok:
        names = " or ".join(kind.__name__ for kind in expected)
        raise ConfigurationError(f"{where}: invalid [collector].{key} {value!r}: expected {names}")
    if key.endswith("_url"):
        return str(value).rstrip("/")
    return value


def _parse_time_of_day(value: Any, where: str) -> dt.time:
    fix = 'write a UTC time of day such as "04:00"'
    parsed: dt.time | None = None
    if isinstance(value, dt.time):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = dt.time.fromisoformat(value)
        except ValueError:
            parsed = None
    if parsed is None:
        raise ConfigurationError(f"{where}: invalid [collector].followers_time {value!r}; {fix}")
    if parsed.tzinfo is not None and parsed.utcoffset() != dt.timedelta(0):
        raise ConfigurationError(
            f"{where}: [collector].followers_time {value!r} is not UTC; give the time in UTC"
        )
    return parsed.replace(tzinfo=dt.UTC)


def _parse_channels(value: Any, where: str) -> tuple[ChannelSpec, ...]:
    if value is None:
        raise ConfigurationError(
            f"{where}: missing [event].channels; list the Twitch logins to poll, "
            'for example channels = ["somechannel"]'
        )
    if not isinstance(value, list):
        raise ConfigurationError(
            f"{where}: [event].channels must be a list of logins or tables, got {value!r}"
        )

    specs: list[ChannelSpec] = []
    seen: dict[str, int] = {}
    for position, item in enumerate(value, start=1):
        if isinstance(item, str):
            spec = ChannelSpec(login=_check_login(item, position, where))
        elif isinstance(item, Mapping):
            spec = _channel_from_table(item, position, where)
        else:
            raise ConfigurationError(
                f"{where}: [event].channels item {position} is {item!r}; give a login string "
                'or a table such as { login = "somechannel", display_name = "Some" }'
            )
        if spec.login in seen:
            raise ConfigurationError(
                f"{where}: [event].channels lists {spec.login!r} twice (items {seen[spec.login]} "
                f"and {position}); remove one"
            )
        seen[spec.login] = position
        specs.append(spec)
    return tuple(specs)


def _channel_from_table(item: Mapping[str, Any], position: int, where: str) -> ChannelSpec:
    allowed = {"login", "id", "display_name", "group"}
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise ConfigurationError(
            f"{where}: [event].channels item {position} has unknown keys {unknown}; "
            f"allowed keys are {sorted(allowed)}"
        )
    login = item.get("login")
    if not isinstance(login, str):
        raise ConfigurationError(
            f'{where}: [event].channels item {position} has no login string; add login = "..."'
        )
    channel_id = item.get("id")
    if channel_id is not None and not (isinstance(channel_id, str) and channel_id.isdigit()):
        raise ConfigurationError(
            f"{where}: [event].channels item {position} has id {channel_id!r}; Twitch user ids "
            'are digit strings, write id = "12345678"'
        )
    for key in ("display_name", "group"):
        if item.get(key) is not None and not isinstance(item[key], str):
            raise ConfigurationError(
                f"{where}: [event].channels item {position} has {key} {item[key]!r}; use a string"
            )
    return ChannelSpec(
        login=_check_login(login, position, where),
        channel_id=channel_id,
        display_name=item.get("display_name"),
        group=item.get("group"),
    )


def _check_login(login: str, position: int, where: str) -> str:
    cleaned = login.strip().lower()
    if not _LOGIN_PATTERN.match(cleaned):
        raise ConfigurationError(
            f"{where}: [event].channels item {position} has invalid login {login!r}; a Twitch "
            "login is 1 to 25 letters, digits or underscores, as in twitch.tv/<login>"
        )
    return cleaned
