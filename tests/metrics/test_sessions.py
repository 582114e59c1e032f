"""Tests for sessionise and stream_stats on small hand-computed series."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from metrics_series import at, combine, polls, samples
from pandas.testing import assert_frame_equal

from twitchstats import MetricsError
from twitchstats.metrics import SessionOptions, sessionise, stream_stats, title_history

CHECKED = [
    "stream_id",
    "stream_ids",
    "first_seen_at",
    "ended_at",
    "airtime_minutes",
    "average_viewers",
    "peak_viewers",
    "peak_at",
    "hours_watched",
    "offline_minutes",
    "dropout_minutes",
    "gap_minutes",
    "flagged_readings",
]


def expected(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Build the expected stream rows with the documented dtypes."""
    frame = pd.DataFrame(rows)
    frame["stream_ids"] = pd.Series(list(frame["stream_ids"]), dtype=object)
    for name in ("first_seen_at", "ended_at", "peak_at"):
        frame[name] = pd.to_datetime(frame[name], utc=True).astype("datetime64[us, UTC]")
    for name in ("airtime_minutes", "offline_minutes", "dropout_minutes", "gap_minutes"):
        frame[name] = frame[name].astype(np.int64)
    frame["flagged_readings"] = frame["flagged_readings"].astype(np.int64)
    frame["peak_viewers"] = frame["peak_viewers"].astype("Int64")
    frame["average_viewers"] = frame["average_viewers"].astype(np.float64)
    frame["hours_watched"] = frame["hours_watched"].astype(np.float64)
    frame["stream_id"] = frame["stream_id"].astype(str)
    return frame[CHECKED]


def stream(**values: Any) -> dict[str, Any]:
    """One expected stream row; counters default to 0."""
    row: dict[str, Any] = {
        "stream_id": "s1",
        "stream_ids": ["s1"],
        "offline_minutes": 0,
        "dropout_minutes": 0,
        "gap_minutes": 0,
        "flagged_readings": 0,
    }
    row.update(values)
    return row


RESTART = combine(
    samples("2021-04-05 10:00", [100] * 5),
    samples("2021-04-05 10:07", [40, 60, 80], stream_id="s2"),
)

CASES = [
    pytest.param(
        RESTART,
        polls("2021-04-05 10:00", "2021-04-05 10:09"),
        SessionOptions(merge_gap=0),
        [
            # 5 minutes at 100: 500 viewer-minutes.
            stream(
                first_seen_at="2021-04-05 10:00",
                ended_at="2021-04-05 10:05",
                airtime_minutes=5,
                average_viewers=100.0,
                peak_viewers=100,
                peak_at="2021-04-05 10:00",
                hours_watched=500 / 60,
            ),
            # 40 + 60 + 80 = 180 viewer-minutes over 3 minutes.
            stream(
                stream_id="s2",
                stream_ids=["s2"],
                first_seen_at="2021-04-05 10:07",
                ended_at="2021-04-05 10:10",
                airtime_minutes=3,
                average_viewers=60.0,
                peak_viewers=80,
                peak_at="2021-04-05 10:09",
                hours_watched=3.0,
            ),
        ],
        id="restart-kept-apart",
    ),
    pytest.param(
        RESTART,
        polls("2021-04-05 10:00", "2021-04-05 10:09"),
        SessionOptions(merge_gap=5),
        [
            # The two offline minutes are not airtime: (500 + 180) / 8 minutes.
            stream(
                stream_ids=["s1", "s2"],
                first_seen_at="2021-04-05 10:00",
                ended_at="2021-04-05 10:10",
                airtime_minutes=8,
                offline_minutes=2,
                average_viewers=85.0,
                peak_viewers=100,
                peak_at="2021-04-05 10:00",
                hours_watched=680 / 60,
            ),
        ],
        id="restart-merged",
    ),
    pytest.param(
        samples("2021-04-05 10:00", [100, 110, None, 130, 140]),
        polls("2021-04-05 10:00", "2021-04-05 10:04"),
        SessionOptions(),
        [
            # The ok poll at 10:02 missed the channel; the same id came back, so 10:02 is
            # airtime with 120 interpolated: 100 + 110 + 120 + 130 + 140 = 600.
            stream(
                first_seen_at="2021-04-05 10:00",
                ended_at="2021-04-05 10:05",
                airtime_minutes=5,
                dropout_minutes=1,
                average_viewers=120.0,
                peak_viewers=140,
                peak_at="2021-04-05 10:04",
                hours_watched=10.0,
            ),
        ],
        id="flap-same-stream-id",
    ),
    pytest.param(
        samples("2021-04-05 10:00", [0, 100, 110, 120]),
        polls("2021-04-05 10:00", "2021-04-05 10:03"),
        SessionOptions(),
        [
            # The first reading of a new stream may be 0 and counts: 330 / 4.
            stream(
                first_seen_at="2021-04-05 10:00",
                ended_at="2021-04-05 10:04",
                airtime_minutes=4,
                average_viewers=82.5,
                peak_viewers=120,
                peak_at="2021-04-05 10:03",
                hours_watched=5.5,
            ),
        ],
        id="first-reading-zero",
    ),
    pytest.param(
        samples("2021-04-05 10:00", [100] * 5 + [None] * 10 + [200] * 5),
        polls(
            "2021-04-05 10:00",
            "2021-04-05 10:19",
            missing=[("2021-04-05 10:05", "2021-04-05 10:14")],
        ),
        SessionOptions(max_unknown_gap=30),
        [
            # 10 unknown minutes interpolated from 100 to 200 over 11 steps: 1000 + 500.
            # Total 500 + 1500 + 1000 = 3000 viewer-minutes over 20 minutes.
            stream(
                first_seen_at="2021-04-05 10:00",
                ended_at="2021-04-05 10:20",
                airtime_minutes=20,
                gap_minutes=10,
                average_viewers=150.0,
                peak_viewers=200,
                peak_at="2021-04-05 10:15",
                hours_watched=50.0,
            ),
        ],
        id="short-collector-gap-spanned",
    ),
    pytest.param(
        samples("2021-04-05 10:00", [100] * 5 + [None] * 40 + [200] * 5),
        polls(
            "2021-04-05 10:00",
            "2021-04-05 10:49",
            missing=[("2021-04-05 10:05", "2021-04-05 10:44")],
        ),
        SessionOptions(max_unknown_gap=30),
        [
            stream(
                first_seen_at="2021-04-05 10:00",
                ended_at="2021-04-05 10:05",
                airtime_minutes=5,
                average_viewers=100.0,
                peak_viewers=100,
                peak_at="2021-04-05 10:00",
                hours_watched=500 / 60,
            ),
            stream(
                first_seen_at="2021-04-05 10:45",
                ended_at="2021-04-05 10:50",
                airtime_minutes=5,
                average_viewers=200.0,
                peak_viewers=200,
                peak_at="2021-04-05 10:45",
                hours_watched=1000 / 60,
            ),
        ],
        id="long-collector-gap-split",
    ),
    pytest.param(
        samples("2021-04-05 10:00", [100, 100, 100, 5000, 100, 100, 100]),
        polls("2021-04-05 10:00", "2021-04-05 10:06"),
        SessionOptions(),
        [
            # 5000 is 50 times the neighbours' median: rejected and replaced by 100.
            stream(
                first_seen_at="2021-04-05 10:00",
                ended_at="2021-04-05 10:07",
                airtime_minutes=7,
                flagged_readings=1,
                average_viewers=100.0,
                peak_viewers=100,
                peak_at="2021-04-05 10:00",
                hours_watched=700 / 60,
            ),
        ],
        id="spike-rejected",
    ),
    pytest.param(
        samples("2021-04-05 10:00", [200, 200, 200, 0, 200, 200, 200]),
        polls("2021-04-05 10:00", "2021-04-05 10:06"),
        SessionOptions(),
        [
            stream(
                first_seen_at="2021-04-05 10:00",
                ended_at="2021-04-05 10:07",
                airtime_minutes=7,
                flagged_readings=1,
                average_viewers=200.0,
                peak_viewers=200,
                peak_at="2021-04-05 10:00",
                hours_watched=1400 / 60,
            ),
        ],
        id="drop-to-zero-rejected",
    ),
    pytest.param(
        samples("2021-04-05 10:00", [10, 20, 30, 40, 50], offsets_seconds=[7, -4, 12, 29, -29]),
        polls("2021-04-05 10:00", "2021-04-05 10:04"),
        SessionOptions(),
        [
            # 10:00:07, 10:00:56, 10:02:12, 10:03:29 and 10:03:31 round to 10:00 ... 10:04.
            stream(
                first_seen_at="2021-04-05 10:00",
                ended_at="2021-04-05 10:05",
                airtime_minutes=5,
                average_viewers=30.0,
                peak_viewers=50,
                peak_at="2021-04-05 10:04",
                hours_watched=2.5,
            ),
        ],
        id="samples-off-the-minute",
    ),
]


@pytest.mark.parametrize(("frame", "poll_frame", "options", "rows"), CASES)
def test_stream_stats_cases(
    frame: pd.DataFrame,
    poll_frame: pd.DataFrame,
    options: SessionOptions,
    rows: list[dict[str, Any]],
) -> None:
    result = stream_stats(sessionise(frame, poll_frame, options=options))
    assert_frame_equal(result[CHECKED], expected(rows))


def test_long_gap_reported_as_split() -> None:
    frame = samples("2021-04-05 10:00", [100] * 5 + [None] * 40 + [200] * 5)
    poll_frame = polls(
        "2021-04-05 10:00", "2021-04-05 10:49", missing=[("2021-04-05 10:05", "2021-04-05 10:44")]
    )
    gaps = sessionise(frame, poll_frame, options=SessionOptions(max_unknown_gap=30)).gaps
    assert len(gaps) == 1
    assert gaps["action"].iloc[0] == "split"
    assert gaps["gap_start"].iloc[0] == at("2021-04-05 10:05")
    assert gaps["gap_end"].iloc[0] == at("2021-04-05 10:45")
    assert gaps["unknown_minutes"].iloc[0] == 40
    assert gaps["absent_minutes"].iloc[0] == 0


def test_short_gap_reported_as_spanned() -> None:
    frame = samples("2021-04-05 10:00", [100] * 5 + [None] * 10 + [200] * 5)
    poll_frame = polls(
        "2021-04-05 10:00", "2021-04-05 10:19", missing=[("2021-04-05 10:05", "2021-04-05 10:14")]
    )
    gaps = sessionise(frame, poll_frame).gaps
    assert list(gaps["action"]) == ["spanned"]
    assert list(gaps["unknown_minutes"]) == [10]


def test_spike_listed_in_flags() -> None:
    frame = samples("2021-04-05 10:00", [100, 100, 100, 5000, 100, 100, 100])
    flags = sessionise(frame).flags
    assert list(flags["reason"]) == ["spike"]
    assert list(flags["observed_at"]) == [at("2021-04-05 10:03")]
    assert list(flags["viewer_count"]) == [5000]
    assert list(flags["reference"]) == [100.0]


def test_spike_threshold_configurable() -> None:
    frame = samples("2021-04-05 10:00", [100, 100, 100, 1500, 100, 100, 100])
    assert len(sessionise(frame).flags) == 0
    flagged = sessionise(frame, options=SessionOptions(spike_ratio=10.0)).flags
    assert list(flagged["viewer_count"]) == [1500]


def test_small_channel_zero_not_flagged() -> None:
    # A channel at 2 or 3 viewers can really read 0.
    frame = samples("2021-04-05 10:00", [3, 2, 0, 2, 3])
    assert len(sessionise(frame).flags) == 0


def test_zero_after_restart_not_flagged() -> None:
    # The 0 is the first reading of stream s2, merged into the session of s1.
    frame = combine(
        samples("2021-04-05 10:00", [500] * 4),
        samples("2021-04-05 10:04", [0, 450, 480], stream_id="s2"),
    )
    result = sessionise(frame, options=SessionOptions(merge_gap=5))
    assert len(result.flags) == 0
    assert stream_stats(result)["stream_ids"].iloc[0] == ["s1", "s2"]


def test_category_change_and_return() -> None:
    frame = samples(
        "2021-04-05 10:00", [10, 20, 30, 40, 50, 60], games=["A", "A", "B", "B", "B", "A"]
    )
    result = stream_stats(sessionise(frame), by_category=True)
    columns = [
        "game_id",
        "airtime_minutes",
        "hours_watched",
        "average_viewers",
        "peak_viewers",
        "peak_at",
        "pieces",
        "game_first_seen_at",
    ]
    wanted = pd.DataFrame(
        {
            "game_id": pd.Series(["A", "B"], dtype=str),
            # A: 10 + 20 + 60 = 90 viewer-minutes in two pieces; B: 30 + 40 + 50 = 120.
            "airtime_minutes": np.array([3, 3], dtype=np.int64),
            "hours_watched": [1.5, 2.0],
            "average_viewers": [30.0, 40.0],
            "peak_viewers": pd.array([60, 50], dtype="Int64"),
            "peak_at": pd.Series(
                [at("2021-04-05 10:05"), at("2021-04-05 10:04")], dtype="datetime64[us, UTC]"
            ),
            "pieces": np.array([2, 1], dtype=np.int64),
            "game_first_seen_at": pd.Series(
                [at("2021-04-05 10:00"), at("2021-04-05 10:02")], dtype="datetime64[us, UTC]"
            ),
        }
    )
    assert_frame_equal(result[columns], wanted)


def test_category_rows_sum_to_stream() -> None:
    frame = samples(
        "2021-04-05 10:00", [10, 20, 30, 40, 50, 60], games=["A", "A", "B", "B", "B", "A"]
    )
    sessions = sessionise(frame)
    whole = stream_stats(sessions)
    pieces = stream_stats(sessions, by_category=True)
    assert pieces["airtime_minutes"].sum() == whole["airtime_minutes"].sum()
    assert pieces["hours_watched"].sum() == pytest.approx(whole["hours_watched"].sum())


def test_unsorted_rows_same_result() -> None:
    frame = combine(
        samples("2021-04-05 10:00", [100, 110, None, 130, 5000, 150, 160]),
        samples("2021-04-05 10:03", [7, 8, 9, 10], channel_id="2", login="beta", stream_id="b1"),
        samples("2021-04-05 10:20", [0, 40, 50], stream_id="s2"),
    )
    poll_frame = polls("2021-04-05 10:00", "2021-04-05 10:22")
    ordered = stream_stats(sessionise(frame, poll_frame, options=SessionOptions(merge_gap=15)))
    shuffled = frame.sample(frac=1.0, random_state=7).reset_index(drop=True)
    reversed_polls = poll_frame.iloc[::-1].reset_index(drop=True)
    again = stream_stats(sessionise(shuffled, reversed_polls, options=SessionOptions(merge_gap=15)))
    assert_frame_equal(ordered, again)


def test_title_history_lists_changes() -> None:
    frame = samples("2021-04-05 10:00", [1, 2, 3, 4], titles=["a", "a", "b", "a"])
    history = title_history(sessionise(frame))
    assert list(history["title"]) == ["a", "b", "a"]
    assert list(history["changed_at"]) == [
        at("2021-04-05 10:00"),
        at("2021-04-05 10:02"),
        at("2021-04-05 10:03"),
    ]


def test_minutes_frame_marks_readings() -> None:
    frame = samples("2021-04-05 10:00", [100, 110, None, 130])
    minutes = sessionise(frame, polls("2021-04-05 10:00", "2021-04-05 10:03")).minutes
    assert list(minutes["reading"]) == ["measured", "measured", "dropout", "measured"]
    assert list(minutes["viewers"]) == [100.0, 110.0, 120.0, 130.0]
    assert minutes["viewer_count"].isna().tolist() == [False, False, True, False]


def test_partial_poll_unobserved_channel_is_unknown() -> None:
    frame = samples("2021-04-05 10:00", [100, None, 100])
    poll_frame = polls("2021-04-05 10:00", "2021-04-05 10:02")
    poll_frame.loc[1, "outcome"] = "partial"
    poll_frame.at[1, "unobserved_channel_ids"] = ("1",)
    minutes = sessionise(frame, poll_frame).minutes
    assert list(minutes["reading"]) == ["measured", "gap", "measured"]


def test_followers_gained_from_snapshots() -> None:
    frame = samples("2021-04-05 10:00", [100] * 60)
    snapshots = pd.DataFrame(
        {
            "channel_id": ["1", "1", "1"],
            "observed_at": [at("2021-04-05 09:50"), at("2021-04-05 11:05"), at("2021-04-05 12:00")],
            "followers": pd.array([1000, 1250, None], dtype="Int64"),
        }
    )
    result = stream_stats(sessionise(frame), snapshots=snapshots)
    assert result["followers_gained"].iloc[0] == 250


def test_followers_unknown_without_near_snapshot() -> None:
    frame = samples("2021-04-05 10:00", [100] * 60)
    snapshots = pd.DataFrame(
        {
            "channel_id": ["1", "1"],
            "observed_at": [at("2021-04-04 00:00"), at("2021-04-06 00:00")],
            "followers": pd.array([1000, 1250], dtype="Int64"),
        }
    )
    result = stream_stats(sessionise(frame), snapshots=snapshots)
    assert result["followers_gained"].isna().all()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"observed_at": pd.Timestamp("2021-04-05 10:00")}, "naive", id="naive-time"),
        pytest.param({"viewer_count": -5}, "-5", id="negative-count"),
    ],
)
def test_invalid_samples_rejected(change: dict[str, Any], message: str) -> None:
    frame = samples("2021-04-05 10:00", [1, 2])
    for column, value in change.items():
        frame[column] = value
    with pytest.raises(MetricsError, match=message):
        sessionise(frame)


def test_missing_column_named() -> None:
    frame = samples("2021-04-05 10:00", [1, 2]).drop(columns="stream_id")
    with pytest.raises(MetricsError, match="stream_id"):
        sessionise(frame)


def test_invalid_option_named() -> None:
    with pytest.raises(MetricsError, match="merge_gap"):
        SessionOptions(merge_gap=-1)


def test_empty_samples_give_empty_frames() -> None:
    frame = samples("2021-04-05 10:00", [1]).iloc[0:0]
    sessions = sessionise(frame)
    assert stream_stats(sessions).empty
    assert stream_stats(sessions, by_category=True).empty
    assert sessions.minutes.empty
    assert sessions.gaps.empty
    assert sessions.flags.empty


def several_channels(with_holes: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Five channels with restarts, a spike and, when asked, dropouts and a collector gap."""
    frames = []
    for index in range(5):
        viewers: list[int | None] = [100 + 10 * index + minute % 7 for minute in range(90)]
        if with_holes:
            viewers[20] = None
            viewers[50:53] = [None, None, None]
        viewers[60] = 40_000
        channel = str(index + 1)
        login = f"c{index}"
        frames.append(
            samples("2021-04-05 18:00", viewers, channel_id=channel, login=login, stream_id=channel)
        )
        frames.append(
            samples(
                "2021-04-05 19:33",
                [200] * 30,
                channel_id=channel,
                login=login,
                stream_id=f"{channel}b",
            )
        )
    missing = [("2021-04-05 18:50", "2021-04-05 18:52")] if with_holes else []
    return combine(*frames), polls("2021-04-05 17:50", "2021-04-05 20:30", missing=missing)


@pytest.mark.parametrize("with_holes", [False, True], ids=["no-holes", "holes"])
def test_channel_split_matches_one_pass(monkeypatch: pytest.MonkeyPatch, with_holes: bool) -> None:
    from twitchstats.metrics import _sessions

    frame, poll_frame = several_channels(with_holes)
    options = SessionOptions(merge_gap=5)
    whole = sessionise(frame, poll_frame, options=options)
    monkeypatch.setattr(_sessions, "PARALLEL_MIN_SAMPLES", 0)
    monkeypatch.setattr(_sessions, "_WORKERS", 3)
    split = sessionise(frame, poll_frame, options=options)

    assert len(_sessions._channel_bounds(whole.arrays.channel.codes, 3)) == 4
    assert (whole.minutes["reading"] != "measured").any()
    assert_frame_equal(split.minutes, whole.minutes)
    assert_frame_equal(split.gaps, whole.gaps)
    assert_frame_equal(split.flags, whole.flags)
    assert_frame_equal(stream_stats(split), stream_stats(whole))


def test_many_channels_keep_narrow_codes_exact() -> None:
    # 300 channels need 16-bit codes; each streams 5 minutes at a level of its own.
    frame = combine(
        *(
            samples(
                "2021-04-05 18:00",
                [index] * 5,
                channel_id=str(1000 + index),
                login=f"c{index:03d}",
                stream_id=f"s{index}",
            )
            for index in range(300)
        )
    )
    sessions = sessionise(frame)
    stats = stream_stats(sessions).set_index("channel_login")

    assert sessions.arrays.channel.codes.dtype == np.int16
    assert len(stats) == 300
    assert (stats["airtime_minutes"] == 5).all()
    expected = [float(int(login[1:])) for login in stats.index]
    assert stats["average_viewers"].tolist() == expected


@pytest.mark.parametrize(
    ("observed_unit", "started_unit", "zone"),
    [
        pytest.param("ns", "ns", "UTC", id="nanoseconds"),
        pytest.param("s", "s", "UTC", id="seconds"),
        pytest.param("ms", "ns", "UTC", id="mixed-units"),
        pytest.param("us", "us", "Europe/Madrid", id="madrid"),
    ],
)
def test_time_units_and_zones_give_same_result(
    observed_unit: str, started_unit: str, zone: str
) -> None:
    frame = combine(
        samples("2021-04-05 10:00", [100, 110, None, 130, 150], offsets_seconds=[0, 29, 0, 31, 7]),
        samples("2021-04-05 10:03", [7, 8, 9], channel_id="2", login="beta", stream_id="b1"),
    )
    frame.loc[4, "started_at"] = pd.NaT
    expected = stream_stats(sessionise(frame))

    converted = frame.copy()
    converted["observed_at"] = (
        converted["observed_at"].dt.tz_convert(zone).astype(f"datetime64[{observed_unit}, {zone}]")
    )
    converted["started_at"] = converted["started_at"].astype(f"datetime64[{started_unit}, UTC]")
    result = stream_stats(sessionise(converted))

    assert_frame_equal(result, expected)
    # 10:01:29 rounds to 10:01; 10:03:31 and 10:04:07 both round to 10:04, which keeps the
    # later reading; 10:02 and 10:03 are filled in.
    minutes = sessionise(converted).minutes
    first = minutes[minutes["channel_id"] == "1"]
    assert list(first["observed_at"].dt.minute) == [0, 1, 2, 3, 4]
    assert first["viewer_count"].iloc[-1] == 150
