"""Credentials and app access token state. Nothing here does I/O."""

from __future__ import annotations

import dataclasses
import os

from pydantic import SecretStr

from twitchstats._exceptions import ConfigurationError
from twitchstats._helix._config import (
    CLIENT_ID_ENV,
    CLIENT_SECRET_ENV,
    TOKEN_EXPIRY_MARGIN_SECONDS,
    VALIDATE_INTERVAL_SECONDS,
)


@dataclasses.dataclass(frozen=True, slots=True)
class Credentials:
    """Client id, client secret and an optional token minted elsewhere.

    The secret and the token are `SecretStr`, so their repr shows stars.
    """

    client_id: str
    client_secret: SecretStr | None
    access_token: SecretStr | None

    @property
    def can_mint(self) -> bool:
        """Whether a new app access token can be requested, because a client secret is known."""
        return self.client_secret is not None


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def resolve_credentials(
    *, client_id: str | None, client_secret: str | None, access_token: str | None
) -> Credentials:
    """Take credentials from the arguments, falling back to the environment variables.

    Raises:
        ConfigurationError: the client id is missing, or both the secret and the token are.
    """
    resolved_id = _clean(client_id) or _clean(os.environ.get(CLIENT_ID_ENV))
    resolved_secret = _clean(client_secret) or _clean(os.environ.get(CLIENT_SECRET_ENV))
    resolved_token = _clean(access_token)

    if resolved_id is None:
        raise ConfigurationError(
            f"missing Twitch client id: pass client_id= or set {CLIENT_ID_ENV} "
            "(register an application at https://dev.twitch.tv/console to get one)"
        )
    if resolved_secret is None and resolved_token is None:
        raise ConfigurationError(
            f"missing Twitch client secret: pass client_secret= or set {CLIENT_SECRET_ENV}, "
            "or pass access_token= with an app access token minted elsewhere"
        )
    return Credentials(
        client_id=resolved_id,
        client_secret=SecretStr(resolved_secret) if resolved_secret else None,
        access_token=SecretStr(resolved_token) if resolved_token else None,
    )


@dataclasses.dataclass(slots=True)
class TokenState:
    """The token in use and when it was validated, in the client's clock seconds.

    `expires_at` and `validated_at` are None until known.
    """

    token: SecretStr | None = None
    expires_at: float | None = None
    validated_at: float | None = None

    def needs_mint(self, now: float) -> bool:
        """Return whether there is no token, or it expires within the safety margin."""
        if self.token is None:
            return True
        return self.expires_at is not None and now >= self.expires_at - TOKEN_EXPIRY_MARGIN_SECONDS

    def needs_validation(self, now: float) -> bool:
        """Return whether the token was never validated, or last validated an hour or more ago."""
        return self.validated_at is None or now - self.validated_at >= VALIDATE_INTERVAL_SECONDS

    def store(self, token: str, *, expires_in: int | None, now: float) -> None:
        """Keep a newly minted token, counted as validated at `now`."""
        self.token = SecretStr(token)
        self.expires_at = now + expires_in if expires_in is not None else None
        self.validated_at = now
