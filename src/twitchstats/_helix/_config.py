"""Defaults and the frozen retry configuration of the Helix clients."""

from __future__ import annotations

import dataclasses
import math

from twitchstats._exceptions import ConfigurationError

DEFAULT_BASE_URL = "https://api.twitch.tv/helix"
DEFAULT_AUTH_BASE_URL = "https://id.twitch.tv/oauth2"
# Seconds for each phase of one HTTP request (connect, write, read, pool). Twitch's guidance for
# pollers is about 10 s, which leaves room for retries inside one polling minute.
DEFAULT_TIMEOUT_SECONDS = 10.0

CLIENT_ID_ENV = "TWITCH_CLIENT_ID"
CLIENT_SECRET_ENV = "TWITCH_CLIENT_SECRET"  # noqa: S105 - the variable's name, not a secret

# Helix accepts at most 100 values of a repeated query parameter (`user_id`, `id`, `login`) and
# at most `first=100` items per page.
MAX_IDS_PER_REQUEST = 100
PAGE_SIZE = 100
# A batch of 100 user ids has at most 100 live streams, so one page is normal and a second one
# appears when the order shifts between pages. Even pages of one stream each end within 100 pages
# and an empty last one, so the limit never cuts live streams from a working listing.
STREAM_MAX_PAGES_PER_BATCH = MAX_IDS_PER_REQUEST + 1
DEFAULT_MAX_PAGES = 100

# Twitch requires apps to validate their tokens at start-up and then hourly.
VALIDATE_INTERVAL_SECONDS = 3600.0
# A token is re-minted this long before the `expires_in` that Twitch gave for it.
TOKEN_EXPIRY_MARGIN_SECONDS = 300.0


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """Retry, back-off and waiting limits of one Helix request.

    A request is one page of one endpoint, together with the token minting, validation,
    retries and rate-limit waits it needs. The client starts another attempt only when the time
    already spent, plus the wait, plus one full timeout still fits in `total_budget_seconds`.
    With the defaults and a 10 s timeout, a request therefore returns or raises within 45 s,
    inside one polling minute. httpx applies its timeout to each phase (connect, write, read)
    separately, so a single attempt that is slow in several phases can overrun the budget.

    Attributes:
        max_attempts: maximum attempts per request, the first one included (at least 1).
        backoff_initial_seconds: back-off before the second attempt. Each later back-off
            doubles, and each one is drawn at random between half and all of its value (jitter).
        backoff_max_seconds: upper limit of one back-off.
        rate_limit_fallback_seconds: wait after a 429 that has no `Ratelimit-Reset` header.
        max_rate_limit_wait_seconds: maximum wait for a rate-limit reset. A 429 whose reset is
            further away raises `RateLimitError` at once.
        total_budget_seconds: maximum time for one request, waits and retries included.

    Example:
        ```python
        policy = RetryPolicy(max_attempts=3, total_budget_seconds=30.0)
        client = HelixClient(retry=policy)
        ```
    """

    max_attempts: int = 4
    backoff_initial_seconds: float = 1.0
    backoff_max_seconds: float = 8.0
    rate_limit_fallback_seconds: float = 5.0
    max_rate_limit_wait_seconds: float = 30.0
    total_budget_seconds: float = 45.0

    def __post_init__(self) -> None:
        if isinstance(self.max_attempts, bool) or not isinstance(self.max_attempts, int):
            raise ConfigurationError(
                f"invalid RetryPolicy.max_attempts {self.max_attempts!r}: expected an int >= 1"
            )
        if self.max_attempts < 1:
            raise ConfigurationError(
                f"invalid RetryPolicy.max_attempts {self.max_attempts!r}: expected an int >= 1"
            )
        for field in dataclasses.fields(self):
            if field.name == "max_attempts":
                continue
            value = getattr(self, field.name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise ConfigurationError(
                    f"invalid RetryPolicy.{field.name} {value!r}: expected a finite number of "
                    "seconds >= 0"
                )
        if self.backoff_max_seconds < self.backoff_initial_seconds:
            raise ConfigurationError(
                f"invalid RetryPolicy: backoff_max_seconds ({self.backoff_max_seconds!r}) is "
                f"smaller than backoff_initial_seconds ({self.backoff_initial_seconds!r})"
            )
