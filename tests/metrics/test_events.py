"""Tests for event definitions, attribution, concurrency and event totals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from metrics_series import at, combine, samples
from pandas.testing import assert_frame_equal

from twitchstats import ConfigurationError
from twitchstats.metrics import (
    Attribution,
    EventChannel,
    EventDefinition,
    attributed_minutes,
    event_stats,
    sessionise,
)

EVENT_TOML = """
[event]
name = "Marbella Vice"
timezone = "Europe/Madrid"
start = 2021-04-05
end = 2021-06-14
channels = ["Alpha", { login = "beta", display_name = "Beta B", group = "Policía" }]

[event.attribution]
game_ids = ["32982"]
title_pattern = "(?i)marbella\\\\s*vice"

[collector]
interval_seconds = 60
"""


def two_channels() -> pd.DataFrame:
    # alpha: 100 from 10:00 to 10:09 with its peak 200 at 10:02.
    # beta: 50 from 10:05 to 10:14 with its peak 150 at 10:12.
    alpha = [100, 100, 200, 100, 100, 100, 100, 100, 100, 100]
    beta = [50, 50, 50, 50, 50, 50, 50, 150, 50, 50]
    return combine(
        samples("2021-04-05 10:00", alpha, channel_id="1", login="alpha", stream_id="a1"),
        samples("2021-04-05 10:05", beta, channel_id="2", login="beta", stream_id="b1"),
    )


def plain_event(**changes: object) -> EventDefinition:
    values: dict[str, object] = {
        "name": "Test",
        "timezone": "Europe/Madrid",
        "channels": (EventChannel(login="alpha"), EventChannel(login="beta")),
    }
    values.update(changes)
    return EventDefinition(**values)  # type: ignore[arg-type]


def test_event_toml_loaded(tmp_path: Path) -> None:
    path = tmp_path / "event.toml"
    path.write_text(EVENT_TOML, encoding="utf-8")
    event = EventDefinition.from_toml(path)
    assert event.name == "Marbella Vice"
    assert event.timezone == "Europe/Madrid"
    assert event.start == dt.date(2021, 4, 5)
    assert event.end == dt.date(2021, 6, 14)
    assert event.channels == (
        EventChannel(login="alpha"),
        EventChannel(login="beta", display_name="Beta B", group="Policía"),
    )
    assert event.attribution == Attribution(
        game_ids=("32982",), title_pattern="(?i)marbella\\s*vice", match="all"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param('timezone = "Madrid"', "event.timezone 'Madrid'", id="bad-timezone"),
        pytest.param(
            "start = 2021-06-01\nend = 2021-05-01", "event.end 2021-05-01", id="end-first"
        ),
        pytest.param("channels = [3]", r"event.channels\[0\] 3", id="channel-not-login"),
        pytest.param('channels = [{ name = "x" }]', "unknown key 'name'", id="channel-bad-key"),
        pytest.param('channels = ["a b"]', "'a b'", id="login-with-space"),
        pytest.param('channels = ["a", "A"]', "'a' appears twice", id="duplicate-login"),
        pytest.param(
            '[event.attribution]\ntitle_pattern = "(unclosed"', "title_pattern", id="bad-regex"
        ),
        pytest.param('[event.attribution]\nmatch = "both"', "match 'both'", id="bad-match"),
        pytest.param('[event.attribution]\ngames = ["1"]', "event.attribution.games", id="typo"),
    ],
)
def test_event_toml_errors_name_key(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "event.toml"
    lines = ["[event]", 'name = "X"']
    if "channels" not in body:
        lines.append('channels = ["alpha"]')
    path.write_text("\n".join([*lines, body]) + "\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=message):
        EventDefinition.from_toml(path)


def test_event_file_without_event_table(tmp_path: Path) -> None:
    path = tmp_path / "event.toml"
    path.write_text("[collector]\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"no \[event\] table"):
        EventDefinition.from_toml(path)


def test_event_peak_is_peak_of_sum() -> None:
    result = event_stats(sessionise(two_channels()), plain_event())
    # The channel peaks (200 at 10:02, 150 at 10:12) never coincide, so their sum, 350, is
    # wrong. The largest sum at one minute is alpha's 200 at 10:02, when beta is not live yet.
    totals = result.totals
    assert totals["peak_viewers"].iloc[0] == 200
    assert totals["peak_at"].iloc[0] == at("2021-04-05 10:02")


def test_event_concurrency_sums_same_minute() -> None:
    frame = two_channels()
    # Put beta's 150 at 10:07, when alpha reads 100: the event peak is 250, not 350.
    frame.loc[(frame["channel_id"] == "2") & (frame["viewer_count"] == 150), "viewer_count"] = 50
    frame.loc[
        (frame["channel_id"] == "2") & (frame["observed_at"] == at("2021-04-05 10:07")),
        "viewer_count",
    ] = 150
    result = event_stats(sessionise(frame), plain_event())
    curve = result.concurrency.set_index("observed_at")
    assert curve.loc[at("2021-04-05 10:07"), "viewers"] == 250.0
    assert curve.loc[at("2021-04-05 10:07"), "channels_live"] == 2
    assert result.totals["peak_viewers"].iloc[0] == 250
    assert result.totals["peak_at"].iloc[0] == at("2021-04-05 10:07")


def test_event_average_with_staggered_channels() -> None:
    frame = combine(
        samples("2021-04-05 10:00", [100] * 60, channel_id="1", login="alpha", stream_id="a1"),
        samples("2021-04-05 10:30", [50] * 60, channel_id="2", login="beta", stream_id="b1"),
    )
    result = event_stats(sessionise(frame), plain_event())
    totals = result.totals.iloc[0]
    # 100 + 50 = 150 hours watched; some channel is live from 10:00 to 11:30, 1.5 hours.
    assert totals["hours_watched"] == 150.0
    assert totals["live_minutes"] == 90
    assert totals["average_viewers"] == 100.0
    # The mean of the channel averages would be 75: the event average is not that.
    assert result.channels["average_viewers"].mean() == 75.0


def test_attribution_rules_combine() -> None:
    frame = samples(
        "2021-04-05 10:00",
        [10, 20, 30, 40],
        games=["32982", "32982", "509658", "509658"],
        titles=["Marbella Vice", "other server", "Marbella Vice", "chatting"],
    )
    sessions = sessionise(frame)
    both = Attribution(game_ids=("32982",), title_pattern="(?i)marbella")
    either = Attribution(game_ids=("32982",), title_pattern="(?i)marbella", match="any")
    games_only = Attribution(game_ids=("32982",))
    one = plain_event(channels=(EventChannel(login="alpha"),))
    masks = {
        "all": attributed_minutes(sessions, _with(one, both)),
        "any": attributed_minutes(sessions, _with(one, either)),
        "game": attributed_minutes(sessions, _with(one, games_only)),
    }
    assert masks["all"].tolist() == [True, False, False, False]
    assert masks["any"].tolist() == [True, True, True, False]
    assert masks["game"].tolist() == [True, True, False, False]


def _with(event: EventDefinition, attribution: Attribution) -> EventDefinition:
    return EventDefinition(
        name=event.name, timezone=event.timezone, channels=event.channels, attribution=attribution
    )


def test_event_dates_use_local_calendar() -> None:
    # 2021-04-04 21:30-22:30 UTC is 23:30-00:30 in Madrid: only the last 30 minutes are in
    # an event that starts on 2021-04-05.
    frame = samples("2021-04-04 21:30", [10] * 60, channel_id="1", login="alpha")
    result = event_stats(sessionise(frame), plain_event(start=dt.date(2021, 4, 5)))
    assert result.totals["live_minutes"].iloc[0] == 30
    assert list(result.daily["day"]) == [dt.date(2021, 4, 5)]


def test_event_channels_and_rankings() -> None:
    event = plain_event(
        channels=(
            EventChannel(login="alpha", display_name="Alpha A", group="g1"),
            EventChannel(login="beta"),
            EventChannel(login="gamma"),
        )
    )
    result = event_stats(sessionise(two_channels()), event)
    assert result.missing_logins == ("gamma",)
    assert list(result.channels["display_name"]) == ["Alpha A", "beta"]
    assert list(result.channels["group"]) == ["g1", ""]
    assert list(result.rankings["channel_login"]) == ["alpha", "beta"]
    assert list(result.rankings["rank"]) == [1, 2]


def test_event_daily_totals() -> None:
    result = event_stats(sessionise(two_channels()), plain_event())
    wanted = pd.DataFrame(
        {
            "day": pd.Series([dt.date(2021, 4, 5)], dtype=object),
            # alpha 1100 + beta 600 viewer-minutes.
            "hours_watched": [1700 / 60],
            # 10:00 to 10:14.
            "live_minutes": np.array([15], dtype=np.int64),
            "average_viewers": [1700 / 15],
            "peak_viewers": pd.array([200], dtype="Int64"),
            "peak_at": pd.Series([at("2021-04-05 10:02")], dtype="datetime64[us, UTC]"),
            "channels_live": np.array([2], dtype=np.int64),
        }
    )
    assert_frame_equal(result.daily, wanted)


def test_event_channel_never_live_keeps_login() -> None:
    event = plain_event(
        channels=(
            EventChannel(login="alpha"),
            EventChannel(login="beta"),
            EventChannel(login="gamma"),
        )
    )
    channels = pd.DataFrame({"channel_id": ["1", "2", "3"], "login": ["alpha", "beta", "gamma"]})
    result = event_stats(sessionise(two_channels()), event, channels=channels)
    assert result.missing_logins == ()
    gamma = result.channels.loc[result.channels["channel_id"] == "3"]
    assert list(gamma["channel_login"]) == ["gamma"]
    assert int(gamma["airtime_minutes"].iloc[0]) == 0
