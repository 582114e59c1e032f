"""The rows of a ranking, read from the metrics DataFrames and checked."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

import pandas as pd

from mvbot._exceptions import RenderError

__all__ = ["RANKING_COLUMNS", "ChangeKind", "RankChange", "RankedEntry", "ranking_entries"]

RANKING_COLUMNS: Final = ("rank", "channel_id", "channel_login", "value", "previous_rank")
ChangeKind = Literal["up", "down", "same", "new"]


@dataclass(frozen=True, slots=True)
class RankChange:
    """Movement of a channel against the previous day: `positions` climbed or dropped."""

    kind: ChangeKind
    positions: int = 0


@dataclass(frozen=True, slots=True)
class RankedEntry:
    """One row of a ranking as drawn: who, where, how much and how it moved."""

    rank: int
    channel_id: str
    login: str
    display_name: str
    value: float
    change: RankChange
    profile_image_url: str | None


def ranking_entries(
    ranking: pd.DataFrame,
    channels: pd.DataFrame,
    *,
    metric: str,
    limit: int = 10,
) -> list[RankedEntry]:
    """Return the first `limit` rows of `ranking`, joined with the channels' names and images.

    The change is computed from `previous_rank` (missing means the channel was not ranked the
    day before), so it does not depend on the sign convention of `rank_change`.

    Raises:
        RenderError: a required column is missing, or a rank or value is not a finite number.
    """
    missing = [column for column in RANKING_COLUMNS if column not in ranking.columns]
    if missing:
        raise RenderError(
            f"the {metric} ranking has no column {', '.join(missing)}: pass the DataFrame that "
            f"twitchstats' ranking function returns (columns {', '.join(RANKING_COLUMNS)})"
        )
    names = _channel_names(channels)

    entries: list[RankedEntry] = []
    for row in ranking.sort_values("rank", kind="stable").head(limit).itertuples(index=False):
        rank = _finite(row.rank, "rank", metric, row.channel_login)
        value = _finite(row.value, "value", metric, row.channel_login)
        channel_id = str(row.channel_id)
        login = str(row.channel_login)
        display_name, image_url = names.get(channel_id, (login, None))
        entries.append(
            RankedEntry(
                rank=int(rank),
                channel_id=channel_id,
                login=login,
                display_name=display_name or login,
                value=value,
                change=_change(int(rank), row.previous_rank),
                profile_image_url=image_url,
            )
        )
    return entries


def _finite(value: object, column: str, metric: str, login: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise RenderError(
            f"invalid {column} {value!r} for channel {login} in the {metric} ranking: "
            "every ranked row needs a finite number"
        )
    return number


def _change(rank: int, previous_rank: object) -> RankChange:
    if previous_rank is None or pd.isna(previous_rank):  # type: ignore[call-overload]
        return RankChange("new")
    previous = int(previous_rank)  # type: ignore[call-overload]
    if previous > rank:
        return RankChange("up", previous - rank)
    if previous < rank:
        return RankChange("down", rank - previous)
    return RankChange("same")


def _channel_names(channels: pd.DataFrame) -> Mapping[str, tuple[str, str | None]]:
    if "channel_id" not in channels.columns:
        raise RenderError(
            "the channels DataFrame has no channel_id column: pass the channels table "
            "(channel_id, login, display_name, profile_image_url)"
        )
    names: dict[str, tuple[str, str | None]] = {}
    for row in channels.to_dict("records"):
        display_name = row.get("display_name")
        login = row.get("login") or row.get("channel_login") or ""
        url = row.get("profile_image_url")
        names[str(row["channel_id"])] = (
            str(display_name) if isinstance(display_name, str) and display_name else str(login),
            url if isinstance(url, str) and url else None,
        )
    return names
