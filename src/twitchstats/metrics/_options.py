"""Settings of the sessioniser and the readings guard."""

from __future__ import annotations

import dataclasses

from twitchstats._exceptions import MetricsError

__all__ = ["SessionOptions"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class SessionOptions:
    """How samples become stream sessions, and which readings are rejected as absurd.

    All durations are whole minutes on the one-minute poll grid.

    Attributes:
        merge_gap: a new stream id that appears at most this many minutes after the previous
            stream was last seen continues the same session (a quick restart); 0 keeps every
            Twitch stream id apart.
        max_unknown_gap: the maximum run of minutes without a poll observing the channel (a
            collector gap) that a session spans; a longer gap splits the session and is reported.
        max_dropout: the maximum run of successful polls that miss a live channel whose stream id
            is unchanged afterwards; a longer absence splits the session and is reported.
        spike_ratio: a reading at least this many times the median of its neighbours is a spike.
        spike_min_viewers: readings below this count are never spikes, so that small channels
            going from 2 to 60 viewers are not flagged.
        drop_min_viewers: a reading of 0 inside a stream is a dropped reading when the median of
            its neighbours is at least this count.
        spike_window: neighbours taken on each side of a reading, within its session.
    """

    merge_gap: int = 0
    max_unknown_gap: int = 30
    max_dropout: int = 5
    spike_ratio: float = 20.0
    spike_min_viewers: int = 100
    drop_min_viewers: int = 10
    spike_window: int = 3

    def __post_init__(self) -> None:
        for name in ("merge_gap", "max_unknown_gap", "max_dropout", "spike_min_viewers"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise MetricsError(
                    f"invalid {name}={value!r}: expected a whole number of minutes or viewers, "
                    "0 or more"
                )
        if self.drop_min_viewers < 1:
            raise MetricsError(
                f"invalid drop_min_viewers={self.drop_min_viewers!r}: expected 1 or more, "
                "because a stream at 0 viewers can legitimately read 0"
            )
        if not self.spike_ratio > 1:
            raise MetricsError(
                f"invalid spike_ratio={self.spike_ratio!r}: expected a number greater than 1"
            )
        if self.spike_window < 1:
            raise MetricsError(
                f"invalid spike_window={self.spike_window!r}: expected 1 or more neighbours"
            )

    def fingerprint(self) -> str:
        """Return a short text that changes whenever a setting changes (stored with results)."""
        fields = dataclasses.asdict(self)
        return ";".join(f"{key}={fields[key]}" for key in sorted(fields))
