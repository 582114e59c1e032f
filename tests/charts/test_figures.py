"""Figure builders on small hand-made metrics DataFrames: data, texts, axes and errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from twitchstats import ChartError
from twitchstats.charts import (
    DARK_PALETTE,
    LIGHT_PALETTE,
    category_share,
    concurrency_curve,
    follower_growth,
    ranking_bars,
    schedule_heatmap,
    viewer_timeline,
)


def _annotation_texts(fig: go.Figure) -> list[str]:
    return [annotation.text for annotation in fig.layout.annotations]


# ranking_bars


def test_ranking_bars_order_and_labels(rankings: pd.DataFrame) -> None:
    fig = ranking_bars(rankings.iloc[::-1], metric="average_viewers")
    assert list(fig.layout.yaxis.ticktext) == ["1. ibai", "2. auronplay", "3. knekro", "4. rubius"]
    assert list(fig.data[0].x) == [1_234_567.0, 98_765.4, 4_321.0, 999.0]
    assert fig.layout.yaxis.autorange == "reversed"


def test_ranking_bars_values_by_language(rankings: pd.DataFrame) -> None:
    english = ranking_bars(rankings, metric="average_viewers", lang="en", decimals=1)
    spanish = ranking_bars(rankings, metric="average_viewers", lang="es", decimals=1)
    assert english.data[0].text[:2] == ("1,234,567.0", "98,765.4")
    assert spanish.data[0].text[:2] == ("1.234.567,0", "98.765,4")
    assert english.layout.separators == ".,"
    assert spanish.layout.separators == ",."
    assert english.layout.xaxis.title.text == "Average viewers"
    assert spanish.layout.xaxis.title.text == "Espectadores medios"


def test_ranking_bars_change_markers(rankings: pd.DataFrame) -> None:
    fig = ranking_bars(rankings, metric="hours_watched", lang="es")
    markers = {(a.y, a.text): a.font.color for a in fig.layout.annotations}
    assert markers == {
        (0, "▲1"): LIGHT_PALETTE.positive,
        (1, "▼1"): LIGHT_PALETTE.negative,
        (2, "nuevo"): LIGHT_PALETTE.accent,
        (3, "="): LIGHT_PALETTE.muted,
    }
    assert fig.layout.xaxis.title.text == "Horas vistas (h)"


def test_ranking_bars_new_in_english(rankings: pd.DataFrame) -> None:
    fig = ranking_bars(rankings, metric="peak_viewers")
    assert "new" in _annotation_texts(fig)


def test_ranking_bars_top_limit(rankings: pd.DataFrame) -> None:
    fig = ranking_bars(rankings, metric="average_viewers", top=2)
    assert len(fig.data[0].x) == 2
    assert len(fig.layout.annotations) == 2


def test_ranking_bars_any_metric_column() -> None:
    days = pd.DataFrame(
        {
            "channel_id": ["1", "2", "3"],
            "channel_login": ["a", "b", "c"],
            "hours_watched": [10.0, 30.0, 20.0],
        }
    )
    fig = ranking_bars(days, metric="hours_watched", value_column="hours_watched")
    assert list(fig.layout.yaxis.ticktext) == ["1. b", "2. c", "3. a"]
    # No previous ranks, so no change markers.
    assert fig.layout.annotations == ()


def test_ranking_bars_display_names(rankings: pd.DataFrame) -> None:
    fig = ranking_bars(
        rankings, metric="average_viewers", display_names={"101": "Ibai 🎉", "103": "ケネコ"}
    )
    assert list(fig.layout.yaxis.ticktext)[:3] == ["1. Ibai 🎉", "2. auronplay", "3. ケネコ"]


def test_ranking_bars_custom_axis_title(rankings: pd.DataFrame) -> None:
    fig = ranking_bars(rankings, metric="clips", axis_title="Clips")
    assert fig.layout.xaxis.title.text == "Clips"


def test_ranking_bars_unknown_metric(rankings: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"'clips'.*axis_title"):
        ranking_bars(rankings, metric="clips")


def test_ranking_bars_missing_column(rankings: pd.DataFrame) -> None:
    with pytest.raises(ChartError, match=r"ranking_bars needs column\(s\) value;.*channel_login"):
        ranking_bars(rankings.drop(columns="value"), metric="average_viewers")


def test_ranking_bars_dark_uses_dark_accent(rankings: pd.DataFrame) -> None:
    fig = ranking_bars(rankings, metric="average_viewers", template="twitchstats_dark")
    assert fig.data[0].marker.color == DARK_PALETTE.accent


# viewer_timeline


def _channel_samples() -> pd.DataFrame:
    observed_at = pd.date_range("2021-04-16 18:00", periods=120, freq="min", tz="UTC")
    games = ["509658"] * 30 + ["32982"] * 90
    names = ["Just Chatting"] * 30 + ["Grand Theft Auto V"] * 90
    frame = pd.DataFrame(
        {
            "observed_at": observed_at,
            "channel_id": "101",
            "viewer_count": np.arange(120) * 10 + 1000,
            "game_id": games,
            "game_name": names,
        }
    )
    # Minutes 60 to 69 were not observed.
    return frame.drop(index=range(60, 70)).reset_index(drop=True)


def test_timeline_axes_name_zone_and_unit() -> None:
    english = viewer_timeline(_channel_samples(), timezone="Europe/Madrid")
    spanish = viewer_timeline(_channel_samples(), timezone="Europe/Madrid", lang="es")
    assert english.layout.xaxis.title.text == "Time (Europe/Madrid)"
    assert english.layout.yaxis.title.text == "Viewers"
    assert spanish.layout.xaxis.title.text == "Hora (Europe/Madrid)"
    assert spanish.layout.yaxis.title.text == "Espectadores"


def test_timeline_shows_local_time() -> None:
    fig = viewer_timeline(_channel_samples(), timezone="Europe/Madrid")
    # 18:00 UTC is 20:00 in Madrid in April.
    assert pd.Timestamp(fig.data[0].x[0]) == pd.Timestamp("2021-04-16 20:00")


def test_timeline_breaks_line_at_gap() -> None:
    fig = viewer_timeline(_channel_samples(), timezone="UTC")
    y = np.asarray(fig.data[0].y, dtype=float)
    assert np.isnan(y).sum() == 1
    assert len(y) == 111


def test_timeline_category_bands_from_samples() -> None:
    fig = viewer_timeline(_channel_samples(), timezone="UTC")
    bands = [
        (shape.name, pd.Timestamp(shape.x0), pd.Timestamp(shape.x1), shape.showlegend)
        for shape in fig.layout.shapes
    ]
    # The gap splits the GTA V piece in two; its second band has no second legend entry.
    assert bands == [
        ("Just Chatting", pd.Timestamp("2021-04-16 18:00"), pd.Timestamp("2021-04-16 18:30"), True),
        (
            "Grand Theft Auto V",
            pd.Timestamp("2021-04-16 18:30"),
            pd.Timestamp("2021-04-16 19:00"),
            True,
        ),
        (
            "Grand Theft Auto V",
            pd.Timestamp("2021-04-16 19:10"),
            pd.Timestamp("2021-04-16 20:00"),
            False,
        ),
    ]
    colours = {shape.name: shape.fillcolor for shape in fig.layout.shapes}
    assert colours["Just Chatting"] != colours["Grand Theft Auto V"]


def test_timeline_no_break_at_dst_start() -> None:
    # 00:30 to 01:30 UTC on 28 March 2021: Madrid's clocks jump from 02:00 to 03:00 at 01:00 UTC.
    samples = pd.DataFrame(
        {
            "observed_at": pd.date_range("2021-03-28 00:30", periods=61, freq="min", tz="UTC"),
            "viewer_count": 100,
        }
    )
    fig = viewer_timeline(samples, timezone="Europe/Madrid")
    assert not np.isnan(np.asarray(fig.data[0].y, dtype=float)).any()
    assert pd.Timestamp(fig.data[0].x[29]) == pd.Timestamp("2021-03-28 01:59")
    assert pd.Timestamp(fig.data[0].x[30]) == pd.Timestamp("2021-03-28 03:00")


def test_timeline_pieces_from_metrics() -> None:
    pieces = pd.DataFrame(
        {
            "started_at": pd.to_datetime(["2021-04-16 18:00", "2021-04-16 18:45"], utc=True),
            "ended_at": pd.to_datetime(["2021-04-16 18:45", "2021-04-16 20:00"], utc=True),
            "game_name": ["Just Chatting", "Grand Theft Auto V"],
        }
    )
    fig = viewer_timeline(_channel_samples(), timezone="Europe/Madrid", pieces=pieces)
    assert [shape.name for shape in fig.layout.shapes] == ["Just Chatting", "Grand Theft Auto V"]
    assert pd.Timestamp(fig.layout.shapes[1].x0) == pd.Timestamp("2021-04-16 20:45")


def test_timeline_rejects_several_channels() -> None:
    samples = _channel_samples()
    samples.loc[0, "channel_id"] = "999"
    with pytest.raises(ChartError, match="one channel"):
        viewer_timeline(samples, timezone="UTC")


def test_timeline_rejects_naive_times() -> None:
    samples = _channel_samples()
    samples["observed_at"] = samples["observed_at"].dt.tz_localize(None)
    with pytest.raises(ChartError, match="naive"):
        viewer_timeline(samples, timezone="UTC")


def test_timeline_rejects_unknown_zone() -> None:
    with pytest.raises(ValueError, match="Mars/Olympus"):
        viewer_timeline(_channel_samples(), timezone="Mars/Olympus")


# concurrency_curve


def test_concurrency_peak_annotation(concurrency: pd.DataFrame) -> None:
    english = concurrency_curve(concurrency, timezone="Europe/Madrid")
    spanish = concurrency_curve(concurrency, timezone="Europe/Madrid", lang="es")
    assert _annotation_texts(english) == ["Peak: 90,000 viewers at Apr 16, 22:00"]
    assert _annotation_texts(spanish) == ["Pico: 90.000 espectadores a las 16 abr, 22:00"]
    assert pd.Timestamp(english.layout.annotations[0].x) == pd.Timestamp("2021-04-16 22:00")
    assert english.layout.annotations[0].y == 90_000


def test_concurrency_missing_minutes_break_line(concurrency: pd.DataFrame) -> None:
    concurrency.loc[10:19, "viewers"] = np.nan
    fig = concurrency_curve(concurrency, timezone="UTC")
    line = fig.data[0]
    assert line.connectgaps is False
    assert np.isnan(np.asarray(line.y, dtype=float)).sum() == 10


def test_concurrency_peak_ignores_missing(concurrency: pd.DataFrame) -> None:
    concurrency.loc[180, "viewers"] = np.nan
    fig = concurrency_curve(concurrency, timezone="UTC")
    assert fig.layout.annotations[0].y < 90_000
    assert fig.layout.annotations[0].y > 89_000


def test_concurrency_without_counts() -> None:
    frame = pd.DataFrame(
        {
            "observed_at": pd.date_range("2021-04-16", periods=3, freq="min", tz="UTC"),
            "viewers": np.nan,
        }
    )
    with pytest.raises(ChartError, match="none of the 3 rows"):
        concurrency_curve(frame, timezone="UTC")


# schedule_heatmap


def _streams() -> pd.DataFrame:
    # Friday 16 April 2021, 18:00 to 23:10 UTC: 20:00 to 01:10 in Madrid, crossing midnight.
    return pd.DataFrame(
        {
            "started_at": pd.to_datetime(["2021-04-16 18:00"], utc=True),
            "ended_at": pd.to_datetime(["2021-04-16 23:10"], utc=True),
        }
    )


def test_heatmap_hours_live_local_cells() -> None:
    fig = schedule_heatmap(_streams(), timezone="Europe/Madrid")
    z = np.asarray(fig.data[0].z, dtype=float)
    assert z.shape == (7, 24)
    friday, saturday = 4, 5
    assert list(z[friday, 20:24]) == [1.0, 1.0, 1.0, 1.0]
    assert z[saturday, 0] == 1.0
    assert z[saturday, 1] == pytest.approx(10 / 60)
    assert z.sum() == pytest.approx(5 + 10 / 60)


def test_heatmap_dst_change_keeps_hours() -> None:
    # 27 March 2021 22:00 UTC to 28 March 03:00 UTC spans the spring-forward night in Madrid.
    streams = pd.DataFrame(
        {
            "started_at": pd.to_datetime(["2021-03-27 22:00"], utc=True),
            "ended_at": pd.to_datetime(["2021-03-28 03:00"], utc=True),
        }
    )
    z = np.asarray(schedule_heatmap(streams, timezone="Europe/Madrid").data[0].z, dtype=float)
    sunday = 6
    assert z.sum() == pytest.approx(5.0)
    # Local 02:00 does not exist that night.
    assert z[sunday, 2] == 0.0
    assert z[sunday, 3] == 1.0


def test_heatmap_dst_end_counts_repeated_hour() -> None:
    # 31 October 2021 00:00 to 02:00 UTC is 02:00 CEST to 02:00 CET in Madrid: local 02:00 to
    # 03:00 happens twice, so that cell gets both hours.
    streams = pd.DataFrame(
        {
            "started_at": pd.to_datetime(["2021-10-31 00:00"], utc=True),
            "ended_at": pd.to_datetime(["2021-10-31 02:00"], utc=True),
        }
    )
    z = np.asarray(schedule_heatmap(streams, timezone="Europe/Madrid").data[0].z, dtype=float)
    sunday = 6
    assert z[sunday, 2] == 2.0
    assert z.sum() == pytest.approx(2.0)


def test_heatmap_labels_by_language() -> None:
    fig = schedule_heatmap(_streams(), timezone="Europe/Madrid", lang="es")
    assert fig.layout.xaxis.title.text == "Hora (Europe/Madrid)"
    assert fig.layout.yaxis.title.text == "Día de la semana (Europe/Madrid)"
    assert fig.data[0].y[0] == "lun"
    assert fig.data[0].colorbar.title.text == "Horas en directo (h)"


def test_heatmap_average_viewers(concurrency: pd.DataFrame) -> None:
    fig = schedule_heatmap(concurrency, timezone="UTC", value="average_viewers")
    z = np.asarray(fig.data[0].z, dtype=float)
    friday = 4
    expected = concurrency["viewers"].iloc[120:180].mean()
    assert z[friday, 19] == pytest.approx(expected)
    # Hours without observations stay empty.
    assert np.isnan(z[0, 0])


def test_heatmap_unknown_value() -> None:
    with pytest.raises(ValueError, match="'viewers'"):
        schedule_heatmap(_streams(), timezone="UTC", value="viewers")  # type: ignore[arg-type]


# follower_growth


def _followers() -> pd.DataFrame:
    days = list(pd.date_range("2021-04-12", periods=4).date)
    return pd.DataFrame(
        {
            "channel_id": ["1"] * 4 + ["2"] * 4,
            "channel_login": ["ibai"] * 4 + ["auronplay"] * 4,
            "day": days * 2,
            "followers": [100.0, 110.0, None, 130.0, 50.0, 49.0, 52.0, 60.0],
        }
    )


def test_followers_line_per_channel() -> None:
    fig = follower_growth(_followers(), timezone="Europe/Madrid", lang="es")
    assert [trace.name for trace in fig.data] == ["ibai", "auronplay"]
    assert fig.layout.xaxis.title.text == "Día (Europe/Madrid)"
    assert fig.layout.yaxis.title.text == "Seguidores"


def test_followers_missing_read_is_gap() -> None:
    fig = follower_growth(_followers(), timezone="UTC")
    y = np.asarray(fig.data[0].y, dtype=float)
    assert np.isnan(y[2])
    assert 0.0 not in y


def test_followers_from_observed_at() -> None:
    frame = _followers().drop(columns="day")
    frame["observed_at"] = (
        pd.date_range("2021-04-12 22:30", periods=4, freq="D", tz="UTC").tolist() * 2
    )
    fig = follower_growth(frame, timezone="Europe/Madrid")
    assert fig.layout.xaxis.title.text == "Time (Europe/Madrid)"
    assert pd.Timestamp(fig.data[0].x[0]) == pd.Timestamp("2021-04-13 00:30")


def test_followers_need_a_time_column() -> None:
    with pytest.raises(ChartError, match="day or observed_at"):
        follower_growth(_followers().drop(columns="day"), timezone="UTC")


# category_share


def _category_streams() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "game_name": ["GTA V", "GTA V", "Just Chatting", "Minecraft", "Valorant", ""],
            "hours_watched": [600.0, 200.0, 100.0, 50.0, 30.0, 20.0],
        }
    )


def test_category_share_groups_the_rest() -> None:
    fig = category_share(_category_streams(), top=2, lang="es")
    bars = fig.data[0]
    assert list(bars.y) == ["GTA V", "Just Chatting", "Otros"]
    assert list(bars.text) == ["80,0 %", "10,0 %", "10,0 %"]
    assert fig.layout.xaxis.title.text == "Proporción de horas vistas (%)"


def test_category_share_donut() -> None:
    fig = category_share(_category_streams(), kind="donut", metric="hours_watched", top=3)
    pie = fig.data[0]
    assert list(pie.labels) == ["GTA V", "Just Chatting", "Minecraft", "Other"]
    assert list(pie.text) == ["80.0%", "10.0%", "5.0%", "5.0%"]
    assert pie.hole == 0.55


def test_category_share_zero_total() -> None:
    frame = _category_streams().assign(hours_watched=0.0)
    with pytest.raises(ChartError, match=r"sums to 0\.0"):
        category_share(frame)


def test_category_share_unknown_kind() -> None:
    with pytest.raises(ValueError, match="'pie'"):
        category_share(_category_streams(), kind="pie")  # type: ignore[arg-type]


def test_ranking_bars_rejects_several_days(rankings: pd.DataFrame) -> None:
    two_days = pd.concat([rankings.assign(day="2021-04-16"), rankings.assign(day="2021-04-17")])
    with pytest.raises(ChartError, match="2 values of 'day'"):
        ranking_bars(two_days, metric="hours_watched")


def test_ranking_bars_nullable_ranks(rankings: pd.DataFrame) -> None:
    # The metrics engine returns Int64 ranks with NA for channels new to the ranking.
    frame = rankings.astype({"rank": "Int64", "previous_rank": "Int64", "rank_change": "Int64"})
    fig = ranking_bars(frame, metric="hours_watched")
    assert [a.text for a in fig.layout.annotations] == ["▲1", "▼1", "new", "="]


def test_timeline_missing_readings_break_line() -> None:
    samples = _channel_samples()
    samples["viewer_count"] = samples["viewer_count"].astype("Int64")
    samples.loc[5, "viewer_count"] = pd.NA
    fig = viewer_timeline(samples, timezone="UTC")
    y = np.asarray(fig.data[0].y, dtype=float)
    # One missing reading plus the break inserted at the ten-minute gap.
    assert np.isnan(y).sum() == 2


def test_timeline_other_value_column() -> None:
    samples = _channel_samples().rename(columns={"viewer_count": "viewers"})
    fig = viewer_timeline(samples, timezone="UTC", value_column="viewers")
    assert fig.data[0].y[0] == 1000
