"""Checks of the arguments that the Helix clients receive, before any request is sent."""

from __future__ import annotations

import re
from collections.abc import Iterable

import httpx

from twitchstats._exceptions import ConfigurationError

_LOGIN_PATTERN = re.compile(r"[A-Za-z0-9_]{1,25}")
VIDEO_TYPES = ("all", "archive", "highlight", "upload")


def check_base_url(value: str, name: str) -> str:
    """Return the URL without a trailing slash, or raise `ConfigurationError` unless http(s)."""
    url = httpx.URL(value)
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(
            f"invalid {name} {value!r}: expected an http:// or https:// URL such as "
            "'https://api.twitch.tv/helix'"
        )
    return value.rstrip("/")


def check_ids(values: Iterable[str], name: str) -> list[str]:
    """Return the ids without duplicates, in their order, after checking each one.

    Raises `TypeError` for a value that is not a string, such as an int id, and `ValueError`
    for a string that is not all digits.
    """
    if isinstance(values, str | bytes):
        raise TypeError(
            f"{name} must be a list of id strings, not one string: write {name}=[{values!r}]"
        )

    ids: list[str] = []
    for value in values:
        if not isinstance(value, str):
            is_number = isinstance(value, int) and not isinstance(value, bool)
            fix = f"pass str({value!r})" if is_number else "pass the id as a string of digits"
            raise TypeError(
                f"invalid Twitch id {value!r} in {name}: ids are strings, not "
                f"{type(value).__name__}; {fix}"
            )
        text = value.strip()
        if not text.isascii() or not text.isdigit():
            raise ValueError(
                f"invalid Twitch id {value!r} in {name}: ids are strings of digits such as "
                "'141981764' (get a channel's id from its login with get_users(logins=[...]))"
            )
        if text not in ids:
            ids.append(text)
    return ids


def check_logins(values: Iterable[str]) -> list[str]:
    """Return the logins in lowercase without duplicates, after checking each one."""
    if isinstance(values, str | bytes):
        raise TypeError(
            f"logins must be a list of strings, not one string: write logins=[{values!r}]"
        )

    logins: list[str] = []
    for value in values:
        if not isinstance(value, str) or not _LOGIN_PATTERN.fullmatch(value.strip()):
            raise ValueError(
                f"invalid Twitch login {value!r}: logins have 1 to 25 letters, digits or "
                "underscores, without '@' or a URL"
            )
        login = value.strip().lower()
        if login not in logins:
            logins.append(login)
    return logins


def check_names(values: Iterable[str]) -> list[str]:
    """Return the game names without duplicates, after checking that none is empty."""
    if isinstance(values, str | bytes):
        raise TypeError(
            f"names must be a list of strings, not one string: write names=[{values!r}]"
        )

    names: list[str] = []
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"invalid game name {value!r}: expected a non-empty string")
        if value not in names:
            names.append(value)
    return names
