"""Event definitions: which channels, which minutes, which dates, read from the event TOML file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import tomllib
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from twitchstats._exceptions import ConfigurationError

__all__ = ["Attribution", "EventChannel", "EventDefinition"]

logger = logging.getLogger(__name__)

_LOGIN = re.compile(r"^[a-z0-9_]{1,25}$")
_EVENT_KEYS = {"name", "timezone", "start", "end", "channels", "attribution"}
_ATTRIBUTION_KEYS = {"game_ids", "title_pattern", "match"}
_CHANNEL_KEYS = {"login", "display_name", "group"}


@dataclasses.dataclass(frozen=True, kw_only=True)
class EventChannel:
    """One channel taking part in an event.

    Attributes:
        login: the Twitch login, lower case.
        display_name: the name to show; the login when None.
        group: a free label (team, faction) for grouping in charts and tables.
    """

    login: str
    display_name: str | None = None
    group: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Attribution:
    """Rule that selects the live minutes belonging to an event.

    Attributes:
        game_ids: Twitch category ids that count; empty for any category.
        title_pattern: a Python regular expression searched in the title; None for any title.
        match: "all" when a minute must pass every rule given, "any" when one is enough. A rule
            that is not given neither passes nor fails: with no rules every minute counts.
    """

    game_ids: tuple[str, ...] = ()
    title_pattern: str | None = None
    match: Literal["all", "any"] = "all"

    def __post_init__(self) -> None:
        if self.match not in ("all", "any"):
            raise ConfigurationError(
                f'invalid event.attribution.match {self.match!r}: use "all" or "any"'
            )
        if self.title_pattern is not None:
            try:
                re.compile(self.title_pattern)
            except re.error as exc:
                raise ConfigurationError(
                    f"invalid event.attribution.title_pattern {self.title_pattern!r}: {exc}; "
                    'write a Python regular expression, for example "(?i)marbella\\\\s*vice"'
                ) from exc

    @property
    def is_everything(self) -> bool:
        """True when every live minute counts."""
        return not self.game_ids and self.title_pattern is None


@dataclasses.dataclass(frozen=True, kw_only=True)
class EventDefinition:
    """An event: a set of channels, the rule for its minutes and its local dates.

    Attributes:
        name: the event's name.
        timezone: IANA zone whose calendar cuts the event's days.
        channels: the participating channels.
        attribution: which minutes count.
        start: first local date, inclusive; None for no lower bound.
        end: last local date, inclusive; None for no upper bound.
    """

    name: str
    timezone: str = "UTC"
    channels: tuple[EventChannel, ...] = ()
    attribution: Attribution = Attribution()
    start: dt.date | None = None
    end: dt.date | None = None

    def __post_init__(self) -> None:
        try:
            zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigurationError(
                f"invalid event.timezone {self.timezone!r}: use an IANA zone name such as "
                '"Europe/Madrid"'
            ) from exc
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ConfigurationError(
                f"invalid event.end {self.end.isoformat()}: it is before event.start "
                f"{self.start.isoformat()}; swap them or fix the dates"
            )
        seen: set[str] = set()
        for channel in self.channels:
            if channel.login in seen:
                raise ConfigurationError(
                    f"channel {channel.login!r} appears twice in event.channels: keep one entry"
                )
            seen.add(channel.login)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The event's time zone."""
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def logins(self) -> tuple[str, ...]:
        """The logins of the participating channels, in file order."""
        return tuple(channel.login for channel in self.channels)

    @classmethod
    def from_toml(cls, path: str | Path) -> EventDefinition:
        """Read the `[event]` table of an event TOML file.

        Raises:
            ConfigurationError: the file is missing or not TOML, or a key has an invalid value
                (the message names the key, the value and the fix).
        """
        path = Path(path)
        try:
            with path.open("rb") as handle:
                document = tomllib.load(handle)
        except FileNotFoundError as exc:
            raise ConfigurationError(f"event file not found: {path}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigurationError(f"invalid TOML in event file {path}: {exc}") from exc
        event = document.get("event")
        if not isinstance(event, dict):
            raise ConfigurationError(
                f"event file {path} has no [event] table: add one with at least name and channels"
            )
        return cls.from_mapping(event)

    @classmethod
    def from_mapping(cls, event: Mapping[str, Any]) -> EventDefinition:
        """Build an event from the contents of an `[event]` table."""
        unknown = sorted(set(event) - _EVENT_KEYS)
        if unknown:
            # Other tools may add their own keys; they are not an error here.
            logger.warning("ignoring unknown keys in [event]: %s", ", ".join(unknown))

        name = event.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ConfigurationError(
                f"invalid event.name {name!r}: give the event a non-empty name, "
                'for example name = "Marbella Vice"'
            )
        timezone = event.get("timezone", "UTC")
        if not isinstance(timezone, str):
            raise ConfigurationError(
                f'invalid event.timezone {timezone!r}: write it as a string such as "Europe/Madrid"'
            )
        return cls(
            name=name.strip(),
            timezone=timezone,
            channels=_parse_channels(event.get("channels", [])),
            attribution=_parse_attribution(event.get("attribution", {})),
            start=_parse_date(event, "start"),
            end=_parse_date(event, "end"),
        )


def _parse_date(event: Mapping[str, Any], key: str) -> dt.date | None:
    value = event.get(key)
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        raise ConfigurationError(
            f"invalid event.{key} {value.isoformat()}: give a local date without a time, "
            "for example 2021-04-05"
        )
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfigurationError(
        f"invalid event.{key} {value!r}: give a date such as 2021-04-05 (a TOML date, no quotes)"
    )


def _parse_login(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigurationError(f'invalid {where} {value!r}: a login is a string such as "ibai"')
    login = value.strip().lower()
    if not _LOGIN.match(login):
        raise ConfigurationError(
            f"invalid {where} {value!r}: a Twitch login has 1 to 25 letters, digits or underscores"
        )
    return login


def _parse_channels(value: Any) -> tuple[EventChannel, ...]:
    if not isinstance(value, list):
        raise ConfigurationError(
            f"invalid event.channels {value!r}: give a list of logins or "
            "{ login = ..., display_name = ..., group = ... } tables"
        )
    channels: list[EventChannel] = []
    for position, entry in enumerate(value):
        where = f"event.channels[{position}]"
        if isinstance(entry, str):
            channels.append(EventChannel(login=_parse_login(entry, where)))
            continue
        if not isinstance(entry, dict):
            raise ConfigurationError(
                f"invalid {where} {entry!r}: give a login string or a table with a login key"
            )
        unknown = sorted(set(entry) - _CHANNEL_KEYS)
        if unknown:
            raise ConfigurationError(
                f"unknown key {unknown[0]!r} in {where}: use login, display_name and group"
            )
        if "login" not in entry:
            raise ConfigurationError(f'missing login in {where}: add login = "..."')
        display_name = entry.get("display_name")
        group = entry.get("group")
        for key, item in (("display_name", display_name), ("group", group)):
            if item is not None and not isinstance(item, str):
                raise ConfigurationError(f"invalid {where}.{key} {item!r}: write it as a string")
        channels.append(
            EventChannel(
                login=_parse_login(entry["login"], f"{where}.login"),
                display_name=display_name,
                group=group,
            )
        )
    return tuple(channels)


def _parse_attribution(value: Any) -> Attribution:
    if not isinstance(value, dict):
        raise ConfigurationError(
            f"invalid [event.attribution] {value!r}: it must be a table with game_ids, "
            "title_pattern and match"
        )
    unknown = sorted(set(value) - _ATTRIBUTION_KEYS)
    if unknown:
        raise ConfigurationError(
            f"unknown key event.attribution.{unknown[0]}: the keys are game_ids, title_pattern "
            "and match"
        )
    game_ids = value.get("game_ids", [])
    if not isinstance(game_ids, list) or not all(isinstance(item, str | int) for item in game_ids):
        raise ConfigurationError(
            f"invalid event.attribution.game_ids {game_ids!r}: give a list of category ids as "
            'strings, for example ["32982"]'
        )
    pattern = value.get("title_pattern")
    if pattern is not None and not isinstance(pattern, str):
        raise ConfigurationError(
            f"invalid event.attribution.title_pattern {pattern!r}: write it as a string"
        )
    match = value.get("match", "all")
    return Attribution(
        game_ids=tuple(str(item) for item in game_ids),
        title_pattern=pattern,
        match=match,
    )
