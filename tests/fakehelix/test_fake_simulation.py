"""Tests of the simulated world behind the fake Helix server."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest

from twitchstats._fakehelix import Simulation
from twitchstats._fakehelix._simulation import format_duration

EVENING = dt.datetime(2021, 4, 16, 19, 30, tzinfo=dt.UTC)


def _snapshot(simulation: Simulation, at: dt.datetime) -> list[tuple[str, str, int, str, str]]:
    return [
        (s.channel.id, s.broadcast.stream_id, s.viewer_count, s.game.id, s.broadcast.title)
        for s in simulation.live_streams(at)
    ]


def test_same_seed_gives_same_channels() -> None:
    first = Simulation(seed=3, channels=100)
    second = Simulation(seed=3, channels=100)
    assert [c.id for c in first.channels] == [c.id for c in second.channels]
    assert [c.login for c in first.channels] == [c.login for c in second.channels]


def test_other_seed_gives_other_channels() -> None:
    first = Simulation(seed=3, channels=100)
    second = Simulation(seed=4, channels=100)
    assert [c.login for c in first.channels] != [c.login for c in second.channels]


def test_answers_do_not_depend_on_query_order() -> None:
    times = [EVENING + dt.timedelta(minutes=37 * step) for step in range(12)]
    forward = Simulation(seed=5, channels=150)
    backward = Simulation(seed=5, channels=150)
    forward_answers = {at: _snapshot(forward, at) for at in times}
    backward_answers = {at: _snapshot(backward, at) for at in reversed(times)}
    assert forward_answers == backward_answers


def test_answers_are_constant_within_a_minute() -> None:
    simulation = Simulation(seed=5, channels=150)
    at = EVENING.replace(second=0)
    assert _snapshot(simulation, at) == _snapshot(simulation, at + dt.timedelta(seconds=59))


def test_channel_logins_are_valid_and_unique() -> None:
    simulation = Simulation(seed=1, channels=2000)
    logins = [channel.login for channel in simulation.channels]
    assert len(set(logins)) == len(logins)
    for login in logins:
        assert 4 <= len(login) <= 25
        assert login.replace("_", "").isalnum()
        assert login == login.lower()


def test_audiences_have_a_long_tail() -> None:
    simulation = Simulation(seed=1, channels=1000)
    audiences = sorted((channel.audience for channel in simulation.channels), reverse=True)
    top_share = sum(audiences[:50]) / sum(audiences)
    assert statistics.median(audiences) < 50
    assert audiences[0] > 2000
    assert top_share > 0.5


def test_streams_happen_in_madrid_evenings() -> None:
    simulation = Simulation(seed=2, channels=300)
    day = dt.datetime(2021, 4, 16, tzinfo=dt.UTC)
    live_by_hour = {
        hour: len(simulation.live_streams(day + dt.timedelta(hours=hour))) for hour in range(24)
    }
    # 19:00-22:00 UTC is 21:00-00:00 in Madrid (CEST); 07:00-10:00 UTC is the morning.
    evening = sum(live_by_hour[hour] for hour in (19, 20, 21))
    morning = sum(live_by_hour[hour] for hour in (7, 8, 9))
    assert evening > 100
    assert morning == 0


def test_schedules_vary_between_days() -> None:
    simulation = Simulation(seed=2, channels=50)
    channel = simulation.channels[0]
    starts = set()
    for offset in range(14):
        day = dt.date(2021, 4, 1) + dt.timedelta(days=offset)
        for broadcast in simulation.broadcasts_on(channel, day):
            starts.add(broadcast.started_at.astimezone(simulation.zone).time())
    assert len(starts) > 3


def _all_broadcasts(simulation: Simulation, days: int = 10) -> list:  # type: ignore[type-arg]
    found = []
    for channel in simulation.channels:
        for offset in range(days):
            day = dt.date(2021, 4, 1) + dt.timedelta(days=offset)
            found.extend((channel, b) for b in simulation.broadcasts_on(channel, day))
    return found


def test_restart_gets_new_stream_id_after_short_gap() -> None:
    simulation = Simulation(seed=2, channels=60)
    pairs = []
    for channel in simulation.channels:
        for offset in range(10):
            day = dt.date(2021, 4, 1) + dt.timedelta(days=offset)
            broadcasts = simulation.broadcasts_on(channel, day)
            if len(broadcasts) == 2:
                pairs.append((broadcasts[0], broadcasts[1]))
    assert pairs, "no restart in 600 channel-days"
    for first, second in pairs:
        gap = (second.started_at - first.ended_at).total_seconds()
        assert first.stream_id != second.stream_id
        assert 60 <= gap <= 300
        assert second.session_started_at == first.session_started_at


def test_category_switches_from_chatting_to_gta() -> None:
    simulation = Simulation(seed=2, channels=60)
    switches = [
        broadcast
        for _, broadcast in _all_broadcasts(simulation)
        if [game.id for _, game in broadcast.games][:2] == ["509658", "32982"]
    ]
    assert switches
    broadcast = switches[0]
    switch_at = broadcast.games[1][0]
    assert broadcast.game_at(switch_at - dt.timedelta(minutes=1)).name == "Just Chatting"
    assert broadcast.game_at(switch_at).name == "Grand Theft Auto V"


def test_event_titles_contain_keyword() -> None:
    simulation = Simulation(seed=2, channels=60, keyword="Costa Norte")
    titles = [
        broadcast.title for channel, broadcast in _all_broadcasts(simulation) if channel.plays_event
    ]
    assert titles
    assert all("Costa Norte" in title for title in titles)


def test_raid_jump_persists() -> None:
    simulation = Simulation(seed=2, channels=80)
    raided = [
        (channel, broadcast)
        for channel, broadcast in _all_broadcasts(simulation)
        if broadcast.raid_at is not None
        and broadcast.started_at + dt.timedelta(minutes=30) < broadcast.raid_at
        and broadcast.raid_at + dt.timedelta(minutes=30) < broadcast.ended_at
        and broadcast.raid_viewers > 3 * broadcast.plateau
    ]
    assert raided
    channel, broadcast = raided[0]
    minute = dt.timedelta(minutes=1)
    before = simulation.viewers(channel, broadcast, broadcast.raid_at - minute)
    at_raid = simulation.viewers(channel, broadcast, broadcast.raid_at)
    later = simulation.viewers(channel, broadcast, broadcast.raid_at + 20 * minute)
    assert at_raid > 2 * before
    assert later > 1.5 * before


def test_new_stream_first_reading_is_zero() -> None:
    simulation = Simulation(seed=2, channels=20)
    channel, broadcast = _all_broadcasts(simulation)[0]
    first_minute = broadcast.started_at.replace(second=0) + dt.timedelta(minutes=1)
    assert simulation.viewers(channel, broadcast, broadcast.started_at) == 0
    assert simulation.viewers(channel, broadcast, first_minute + dt.timedelta(minutes=20)) > 0


def test_followers_grow_every_day() -> None:
    simulation = Simulation(seed=2, channels=20)
    for channel in simulation.channels:
        today = simulation.followers_total(channel, EVENING)
        tomorrow = simulation.followers_total(channel, EVENING + dt.timedelta(days=1))
        assert tomorrow > today


def test_rename_changes_login_from_given_time() -> None:
    simulation = Simulation(seed=2, channels=20)
    channel = simulation.channels[0]
    simulation.rename(channel.id, "nuevo_nombre", at=EVENING)
    assert simulation.login_at(channel, EVENING - dt.timedelta(seconds=1)) == channel.login
    assert simulation.login_at(channel, EVENING) == "nuevo_nombre"
    assert simulation.find_login("nuevo_nombre", EVENING) == channel
    assert simulation.find_login(channel.login, EVENING) is None


def test_suspended_channel_disappears() -> None:
    simulation = Simulation(seed=2, channels=300)
    live = simulation.live_streams(EVENING)
    channel = live[0].channel
    simulation.suspend(channel.id, at=EVENING + dt.timedelta(minutes=1))
    assert channel in [stream.channel for stream in simulation.live_streams(EVENING)]
    later = simulation.live_streams(EVENING + dt.timedelta(minutes=1))
    assert channel not in [stream.channel for stream in later]
    assert channel not in simulation.visible_channels(EVENING + dt.timedelta(minutes=1))


def test_unknown_channel_id_is_rejected() -> None:
    simulation = Simulation(seed=2, channels=20)
    with pytest.raises(ValueError, match="not simulated"):
        simulation.suspend("1", at=EVENING)


def test_videos_link_to_streams() -> None:
    simulation = Simulation(seed=2, channels=40)
    channel = next(c for c in simulation.channels if simulation.videos(c, EVENING))
    videos = simulation.videos(channel, EVENING)
    for video in videos:
        offset = (video.created_at - video.broadcast.started_at).total_seconds()
        assert 5 <= offset <= 11
        assert simulation.video_by_id(video.broadcast.video_id, EVENING) == video
    assert [v.created_at for v in videos] == sorted((v.created_at for v in videos), reverse=True)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        pytest.param(50, "50s", id="seconds"),
        pytest.param(720, "12m0s", id="minutes"),
        pytest.param(11_313, "3h8m33s", id="hours"),
    ],
)
def test_format_duration(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text
