"""Tests for rankings and daily rankings."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from twitchstats import MetricsError
from twitchstats.metrics import daily_rankings, rank


def totals(values: dict[str, float | None]) -> pd.DataFrame:
    logins = list(values)
    return pd.DataFrame(
        {
            "channel_id": [f"id-{login}" for login in logins],
            "channel_login": logins,
            "hours_watched": [np.nan if value is None else value for value in values.values()],
            "airtime_minutes": [60] * len(logins),
        }
    )


def test_competition_ranking_with_ties() -> None:
    result = rank(
        totals({"delta": 5.0, "bravo": 10.0, "alpha": 10.0, "charlie": 7.0}), "hours_watched"
    )
    wanted = pd.DataFrame(
        {
            # Ties share the best rank and leave a hole: 1, 1, 3, 4. Ties are listed by login.
            "rank": pd.array([1, 1, 3, 4], dtype="Int64"),
            "channel_id": pd.Series(["id-alpha", "id-bravo", "id-charlie", "id-delta"], dtype=str),
            "channel_login": pd.Series(["alpha", "bravo", "charlie", "delta"], dtype=str),
            "value": [10.0, 10.0, 7.0, 5.0],
            "previous_rank": pd.array([pd.NA] * 4, dtype="Int64"),
            "rank_change": pd.array([pd.NA] * 4, dtype="Int64"),
            "previous_value": [np.nan] * 4,
        }
    )
    assert_frame_equal(result, wanted)


def test_rank_change_against_previous() -> None:
    before = totals({"alpha": 1.0, "bravo": 9.0, "charlie": 5.0})
    now = totals({"alpha": 10.0, "bravo": 8.0, "delta": 3.0})
    result = rank(now, "hours_watched", previous=before)
    assert list(result["channel_login"]) == ["alpha", "bravo", "delta"]
    assert list(result["previous_rank"].astype(object)) == [3, 1, pd.NA]
    # Previous rank minus rank: alpha climbed two places, bravo fell one, delta is new.
    assert list(result["rank_change"].astype(object)) == [2, -1, pd.NA]
    assert list(result["previous_value"].fillna(-1)) == [1.0, 9.0, -1]


def test_missing_values_not_ranked() -> None:
    result = rank(totals({"alpha": None, "bravo": 2.0}), "hours_watched")
    assert list(result["channel_login"]) == ["bravo"]


def test_ascending_ranking() -> None:
    result = rank(totals({"alpha": 3.0, "bravo": 2.0}), "hours_watched", ascending=True)
    assert list(result["channel_login"]) == ["bravo", "alpha"]


def test_unknown_metric_named() -> None:
    with pytest.raises(MetricsError, match="'viewers'"):
        rank(totals({"alpha": 1.0}), "viewers")


def test_daily_rankings_compare_with_day_before() -> None:
    day_one = totals({"alpha": 5.0, "bravo": 9.0})
    day_one["day"] = dt.date(2021, 4, 5)
    day_two = totals({"alpha": 8.0, "bravo": 2.0, "charlie": 0.0})
    day_two["day"] = dt.date(2021, 4, 6)
    # charlie did not stream on the second day: it is left out, not ranked last.
    day_two.loc[day_two["channel_login"] == "charlie", "airtime_minutes"] = 0
    result = daily_rankings(pd.concat([day_one, day_two], ignore_index=True))
    second = result.loc[result["day"] == dt.date(2021, 4, 6)]
    assert list(second["channel_login"]) == ["alpha", "bravo"]
    assert list(second["rank_change"]) == [1, -1]
    first = result.loc[result["day"] == dt.date(2021, 4, 5)]
    assert first["previous_rank"].isna().all()
